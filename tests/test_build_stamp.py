"""Issue 6: a build with nothing changed stops at once and touches nothing; any change to what a build
reads or wrote (or another request) gives a full build, whose site is the one a build from scratch makes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import page

UP_TO_DATE = "up to date: nothing changed since the last build"
YEAR_AGO_NS = 1_700_000_000 * 10**9


def make_site(site) -> Path:
    files = {"content/index.en.md": page("Home", "Welcome."), "content/about.en.md": page("About", "About us."),
             "content/index.ko.md": page("홈", "환영합니다.")}
    for lang in ("en", "ko", "ja", "zh"):
        files[f"content/stories/tiny/index.{lang}.md"] = page(f"Tiny {lang}", "Small *things*.",
                                                              date="2018-02-02")
    return site.make(files)


def files_and_times(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def fresh_site(site) -> dict[str, bytes]:
    """What a build from scratch writes now, in a folder of its own (no cache, no stamp)."""
    out = site.root / "fresh"
    shutil.rmtree(out, ignore_errors=True)
    result = site.run("build", "--out", str(out))
    assert result.returncode == 0, result.stderr
    tree = {name: data for name, (data, _) in files_and_times(out).items()}
    shutil.rmtree(out)
    return tree


def test_a_second_build_with_nothing_changed_touches_nothing_and_repeats_the_warnings(site):
    make_site(site)
    first = site.run("build")
    assert first.returncode == 0, first.stderr
    assert UP_TO_DATE not in first.stdout
    assert "warning" in first.stderr  # the About page has no Korean translation, among others
    before = files_and_times(site.root / "site")

    second = site.run("build")

    assert second.returncode == 0, second.stderr
    assert UP_TO_DATE in second.stdout
    pages = first.stdout.split(" in 4 languages")[0]  # "built N pages"
    assert pages.startswith("built ") and second.stdout.startswith(pages + " in 4 languages")
    assert second.stderr == first.stderr  # the same warnings, file and line, as the full build gave
    assert files_and_times(site.root / "site") == before


CHANGES = {
    "a body edited, same size": lambda root: _replace(root / "content/about.en.md", "About us.", "About US."),
    "a page added": lambda root: (root / "content/new.en.md").write_text(page("New", "Fresh."), encoding="utf-8"),
    "a page removed": lambda root: (root / "content/about.en.md").unlink(),
    "a template edited": lambda root: _replace(root / "templates/base.html", "</body>", "<!-- x --></body>"),
    "a catalogue edited": lambda root: _append(root / "locales/ko_KR/LC_MESSAGES/messages.po", "\n"),
    "a static file added": lambda root: (root / "static/extra.txt").write_text("hello", encoding="utf-8"),
    "site.toml edited": lambda root: _append(root / "site.toml", "\n# a comment\n"),
    "an output file edited": lambda root: _append(root / "site/en/about/index.html", "x"),
    "an output file removed": lambda root: (root / "site/en/about/index.html").unlink(),
    "a stray file in the output": lambda root: (root / "site/stray.html").write_text("x", encoding="utf-8"),
    "the stamp damaged": lambda root: (root / ".cache/build-stamp.bin").write_bytes(b"not a stamp"),
}


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as stream:
        stream.write(text)


@pytest.mark.parametrize("change", list(CHANGES))
def test_any_change_gives_a_full_build_with_the_site_a_fresh_build_makes(site, change):
    make_site(site)
    assert site.run("build").returncode == 0
    CHANGES[change](site.root)

    result = site.run("build")

    assert result.returncode == 0, result.stderr
    assert UP_TO_DATE not in result.stdout
    built = {name: data for name, (data, _) in files_and_times(site.root / "site").items()}
    if change == "a stray file in the output":  # someone else's file: kept, and named (issue 13)
        assert built == {**fresh_site(site), "stray.html": b"x"}
        assert "site/stray.html: warning: not written by smallsite" in result.stderr
    else:
        assert built == fresh_site(site)
    assert UP_TO_DATE in site.run("build").stdout  # and then it is up to date again


def test_an_edit_that_keeps_the_files_size_and_time_is_still_seen(site):
    """Files last changed long ago are trusted by their size and times; an edit that puts the old
    modification time back still changes the file's inode-change time, so it is read again."""
    root = make_site(site)
    for path in root.rglob("*"):
        os.utime(path, ns=(YEAR_AGO_NS, YEAR_AGO_NS))
    assert site.run("build").returncode == 0
    assert UP_TO_DATE in site.run("build").stdout
    source = root / "content/about.en.md"
    _replace(source, "About us.", "About UK.")
    os.utime(source, ns=(YEAR_AGO_NS, YEAR_AGO_NS))

    result = site.run("build")

    assert UP_TO_DATE not in result.stdout
    assert "About UK." in site.read("en/about/index.html")


@pytest.mark.parametrize("options", [["--drafts"], ["--base-url", "https://example.org/sub/"], ["--strict"]])
def test_other_options_are_another_build(site, options):
    make_site(site)
    for name in ("ko", "ja", "zh"):  # --strict fails on missing translations: give every page all four
        site.write(f"content/about.{name}.md", page(f"About {name}", "About us."))
        site.write(f"content/index.{name}.md", page(f"Home {name}", "Welcome."))
    assert site.run("build").returncode == 0

    result = site.run("build", *options)

    assert result.returncode == 0, result.stderr
    assert UP_TO_DATE not in result.stdout
    if "--base-url" in options:
        assert "https://example.org/sub/" in site.read("sitemap.xml")


def test_a_failed_build_leaves_the_last_stamp_and_site(site):
    """Broken front matter fails the build; putting the page back as it was builds it again (the file's
    times changed) and the site is the one a fresh build makes."""
    root = make_site(site)
    assert site.run("build").returncode == 0
    source = root / "content/about.en.md"
    good = source.read_text(encoding="utf-8")
    source.write_text("---\ntitle: [unclosed\n---\nText.\n", encoding="utf-8")
    failed = site.run("build")
    assert failed.returncode == 1
    assert "content/about.en.md" in failed.stderr
    source.write_text(good, encoding="utf-8")

    result = site.run("build")

    assert result.returncode == 0, result.stderr
    built = {name: data for name, (data, _) in files_and_times(site.root / "site").items()}
    assert built == fresh_site(site)


def test_an_output_folder_that_is_a_link_pointed_elsewhere_is_built_again(site):
    """site/ is a link (to a release folder, say); pointing it at another folder is not 'up to date':
    the folder it leads to now holds nothing of the last build."""
    root = make_site(site)
    (root / "release-1").mkdir()
    (root / "release-2").mkdir()
    (root / "site").symlink_to("release-1", target_is_directory=True)
    assert site.run("build").returncode == 0
    (root / "site").unlink()
    (root / "site").symlink_to("release-2", target_is_directory=True)

    result = site.run("build")

    assert result.returncode == 0, result.stderr
    assert UP_TO_DATE not in result.stdout
    built = {name: data for name, (data, _) in files_and_times(root / "release-2").items()}
    assert built == fresh_site(site)


def test_a_second_build_of_the_project_waits_for_the_first(site):
    """Two builds at once (a build-on-save hook firing twice) would remove each other's staging folder:
    the second one waits, says so, and then finds the site up to date."""
    import subprocess
    import sys
    import time

    from conftest import PROJECT
    from smallsite.speed.build_stamp import one_build_at_a_time

    make_site(site)
    assert site.run("build").returncode == 0
    with one_build_at_a_time(site.root, "held by the test"):
        second = subprocess.Popen([sys.executable, str(PROJECT / "build.py"), "build"], cwd=site.root,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(3)  # were it not waiting, a build of this small site would be done by now
        assert second.poll() is None, second.communicate()  # still waiting, however slow the machine
    out, err = second.communicate(timeout=60)
    assert second.returncode == 0, err
    assert "waiting for another build of this project to finish" in err
    assert UP_TO_DATE in out


def test_editors_litter_is_not_a_change(site):
    """A file the build never reads (ignored.py) does not make the next build a full one."""
    make_site(site)
    assert site.run("build").returncode == 0
    (site.root / "static/Thumbs.db").write_bytes(b"thumbnails")
    (site.root / "content/about.en.md~").write_text("a backup", encoding="utf-8")
    assert UP_TO_DATE in site.run("build").stdout


def test_a_link_out_of_the_project_is_not_walked_before_the_build_refuses_it(site, tmp_path, monkeypatch):
    """A folder link in content/ to a big folder elsewhere (an editor's whole home, /): the stamp's scan,
    which runs before anything else, must not walk it."""
    from smallsite.speed import build_stamp

    make_site(site)
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "deep/er").mkdir(parents=True)
    (elsewhere / "deep/er/secret.txt").write_text("secret", encoding="utf-8")
    (site.root / "content/stories/linked").symlink_to(elsewhere, target_is_directory=True)
    walked = []
    real_scandir = os.scandir
    monkeypatch.setattr(build_stamp.os, "scandir", lambda path: (walked.append(os.fspath(path)), real_scandir(path))[1])
    site.build()
    assert walked and not [path for path in walked if "linked" in path or str(elsewhere) in path]
