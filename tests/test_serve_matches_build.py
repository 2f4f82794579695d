"""What `serve` shows is what `build` writes: every page, at start and after each kind of save.

After a save, serve renders the changed pages at once and the others when they are requested, from a
model that re-read only the changed files (serve/on_request.py); these tests hold that to a full build's bytes."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest

from conftest import SiteMaker, all_languages, page
from serving import ServeProcess, assert_serves_as_built
from smallsite.model.config import load_config
from smallsite.serve.on_request import RenderedOnRequest
from smallsite.build.pipeline import BuildOptions, build
from smallsite.model.problems import BuildFailed
from smallsite.serve.command import PreviewBuilder
from smallsite.speed.memo import DiskMemo

STORY = "content/stories/ducks.en.md"
PICTURE = b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="3"></svg>'


def fixture_site(maker: SiteMaker) -> Path:
    return maker.make({
        **all_languages("index", "Home"), **all_languages("about", "About"),
        STORY: page("Ducks", "Old text. See [geese](geese.en.md).\n\n![A duck](duck.svg)", date="2018-02-02"),
        "content/stories/duck.svg": PICTURE,
        "content/stories/geese.en.md": page("Geese", "Honk. Back to [ducks](ducks.en.md).", date="2019-03-03"),
        "content/stories/geese.ko.md": page("거위", "꽥.", date="2019-03-03"),
    })


def built_files(root: Path) -> dict[str, bytes]:
    """What `build` makes of the sources as they are now (as serve builds: with editors' notices)."""
    return build(load_config(root), BuildOptions(preview=True), DiskMemo(root, workers=1, preview=True, keep=False)).files


def served_files(snapshot) -> dict[str, bytes]:
    """Every file of a snapshot, each asked for as a browser would (rendered on request if need be)."""
    return {name: snapshot.files[name] for name in snapshot.files}


class Builder:
    """serve's builder without its server or watcher: the test says which files a save changed."""

    def __init__(self, root: Path):
        args = argparse.Namespace(root=root, out=None, base_url=None, strict=False, drafts=False, lang=None)
        self.preview = PreviewBuilder(args, out=io.StringIO(), err=io.StringIO())
        self.snapshot = self.preview.rebuild()

    def save(self, *changed: str):
        self.snapshot = self.preview.rebuild(frozenset(changed))
        return self.snapshot

    def finish(self):
        finished = self.preview.finish(lambda: False)
        self.snapshot = finished or self.snapshot
        return self.snapshot


@pytest.fixture
def builder(site):
    fixture_site(site)
    return Builder(site.root)


def test_the_first_build_serves_what_build_writes(builder, site):
    assert builder.snapshot.problems == ()
    assert served_files(builder.snapshot) == built_files(site.root)


SAVES = {
    "a story's text": lambda site: site.write(STORY, page("Ducks", "New text. See [geese](geese.en.md).\n\n"
                                                          "![A duck](duck.svg)", date="2018-02-02")),
    # The title and date show on the home pages' cards and in every story's "More stories".
    "a story's title and date": lambda site: site.write(STORY, page("Swans", "Old text.", date="2020-01-01")),
    "a new translation": lambda site: site.write("content/stories/ducks.ko.md", page("오리", "새 글.",
                                                                                       date="2018-02-02")),
    "a new story": lambda site: site.write("content/stories/owls.en.md", page("Owls", "Hoot.", date="2021-01-01")),
    "a slug": lambda site: site.write("content/stories/geese.en.md",
                                      page("Geese", "Honk.", date="2019-03-03", slug="ganders")),
    "a translation made a draft": lambda site: site.write("content/stories/geese.ko.md",
                                                          page("거위", "꽥.", date="2019-03-03", draft="true")),
    "a picture": lambda site: site.write("content/stories/duck.svg", PICTURE.replace(b'"4"', b'"8"')),
}


@pytest.mark.parametrize("what", SAVES)
def test_after_a_save_every_page_is_what_build_writes(builder, site, what):
    changed = SAVES[what](site).relative_to(site.root).as_posix()
    snapshot = builder.save(changed)
    assert snapshot.problems == ()
    assert isinstance(snapshot.files, RenderedOnRequest)  # the fast path, not a whole build
    expected = built_files(site.root)
    assert served_files(snapshot) == expected
    # The whole build that follows in the background agrees, and its files take over.
    finished = builder.finish()
    assert finished.problems == () and finished.files == expected


def test_a_deleted_story_is_gone_from_every_page(builder, site):
    (site.root / "content/stories/geese.ko.md").unlink()
    snapshot = builder.save("content/stories/geese.ko.md")
    assert served_files(snapshot) == built_files(site.root)
    # A story whose link now points nowhere: the page that links to it is an error, as in a build.
    (site.root / "content/stories/geese.en.md").unlink()
    snapshot = builder.save("content/stories/geese.en.md")
    assert any(STORY in str(problem) for problem in builder.finish().problems)
    with pytest.raises(BuildFailed):
        built_files(site.root)


def test_a_template_change_is_a_whole_new_model_and_still_the_same_bytes(builder, site):
    path = site.root / "templates/story.html"
    path.write_text(path.read_text(encoding="utf-8").replace("</article>", "<p>Thanks for reading.</p></article>",
                                                             1), encoding="utf-8")
    snapshot = builder.save("templates/story.html")
    expected = built_files(site.root)
    assert b"Thanks for reading." in expected["en/stories/ducks/index.html"]
    assert served_files(snapshot) == expected


def test_an_error_in_the_saved_page_shows_at_once_and_the_last_good_pages_stay(builder, site):
    before = builder.snapshot.files["en/stories/ducks/index.html"]
    site.write(STORY, page("Ducks", "Broken: [nowhere](nowhere.en.md).", date="2018-02-02"))
    snapshot = builder.save(STORY)
    with pytest.raises(BuildFailed) as failed:
        built_files(site.root)
    assert snapshot.problems == tuple(p for p in failed.value.problems if p.is_error)
    assert {f"{p.path}:{p.line}" for p in snapshot.problems} == {f"{STORY}:6"}
    assert snapshot.files["en/stories/ducks/index.html"] == before
    # The whole build that follows finds the same errors: no second reload.
    assert builder.finish().generation == snapshot.generation
    site.write(STORY, page("Ducks", "Mended.", date="2018-02-02"))
    snapshot = builder.save(STORY)
    assert snapshot.problems == () and served_files(snapshot) == built_files(site.root)


def test_a_template_error_shows_at_once_though_no_page_changed(builder, site):
    before = builder.snapshot.files["en/stories/geese/index.html"]
    path = site.root / "templates/story.html"
    path.write_text(path.read_text(encoding="utf-8").replace("</article>", "{{ no_such_thing }}</article>", 1),
                    encoding="utf-8")
    snapshot = builder.save("templates/story.html")
    assert snapshot.problems and all("no_such_thing" in problem.message for problem in snapshot.problems)
    assert snapshot.files["en/stories/geese/index.html"] == before


def test_a_save_that_changes_nothing_keeps_the_pages_and_sends_no_reload(builder, site):
    generation = builder.snapshot.generation
    (site.root / STORY).touch()
    assert builder.save(STORY).generation == generation


def test_the_server_serves_what_build_writes(site):
    """Over HTTP, after a real save seen by the watcher: each page is the built page plus the reload script."""
    fixture_site(site)
    server = ServeProcess(site.root)
    try:
        site.write(STORY, page("Ducks", "Served text.", date="2020-05-05"))
        server.wait_for_page("/en/stories/ducks/", "Served text.")
        expected = built_files(site.root)
        assert_serves_as_built(server, expected)
    finally:
        server.stop()
