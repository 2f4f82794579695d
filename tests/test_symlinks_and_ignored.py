"""Links out of the project are refused, and editors' junk is never published (docs/symlinks-and-ignored-files.md).

A secret lives beside the project; a link in static/, content/, a page bundle, templates/ or locales/
leads to it. The build must fail naming the link and where it leads, leave site/ as it was, and the
secret's bytes must be nowhere in site/ or .cache/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import PROJECT, SiteMaker, all_languages, page

SECRET = b"TOP-SECRET-do-not-publish"
PICTURE = b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="3"></svg>'
SECRET_PICTURE = b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="3"><!-- ' + SECRET + b' --></svg>'
DUCKS = "content/stories/ducks"
LANGUAGES = ("en", "ko", "ja", "zh")


def ducks(body: str = "![A duck](duck.svg)", hero: str = "duck.svg") -> dict[str, str]:
    """A story bundle in every language, with a picture and an illustration (line 5: hero; 7: body)."""
    return {f"{DUCKS}/index.{code}.md": page(f"Ducks {code}", body, date="2018-02-02",
                                              hero=f"{{src: {hero}, alt: A duck}}") for code in LANGUAGES}


def good_site(site: SiteMaker) -> Path:
    site.make({**all_languages("index", "Home"), **ducks(), f"{DUCKS}/duck.svg": PICTURE})
    outside = site.root.parent / "outside"
    outside.mkdir()
    (outside / "secret.svg").write_bytes(SECRET_PICTURE)
    (outside / "secret.en.md").write_bytes(b"---\ntitle: Leak\nsummary: Leak\n---\n" + SECRET + b"\n")
    (outside / "secret.html").write_bytes(b"<!doctype html><p>" + SECRET + b"</p>\n")
    po = (PROJECT / "locales/ko_KR/LC_MESSAGES/messages.po").read_bytes()
    assert 'msgstr "모든 이야기"'.encode() in po  # shown on every Korean page (base.html)
    (outside / "secret.po").write_bytes(po.replace('msgstr "모든 이야기"'.encode(), b'msgstr "' + SECRET + b'"'))
    return outside


def link(site: SiteMaker, name: str, target: str | Path) -> None:
    """Make project/name a link to target (replacing a file that is there)."""
    path = site.root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink() or path.is_file():
        path.unlink()
    path.symlink_to(target)


def moved_out(site: SiteMaker, outside: Path, folder: str) -> None:
    """A whole folder of the project moved outside it, a link left in its place; with a secret in it."""
    shutil.move(site.root / folder, outside / folder)
    (site.root / folder).symlink_to(outside / folder)
    secret = {"content": "secret.en.md", "static": "secret.svg"}[folder]
    shutil.copy(outside / secret, outside / folder / secret)


# name -> (how the link is made, the lines the editor must see: {out} is the folder outside)
LEAKS = {
    "a file in static/": (lambda site, out: link(site, "static/img/leak.svg", out / "secret.svg"),
                          ["static/img/leak.svg: is a link to {out}/secret.svg, outside the project: refused"]),
    "a folder in static/": (lambda site, out: link(site, "static/extra", out),
                            ["static/extra: is a link to {out}, outside the project: refused"]),
    "a chain of links in static/": (
        lambda site, out: (link(site, "static/b.svg", out / "secret.svg"), link(site, "static/a.svg", "b.svg")),
        ["static/a.svg: is a link to {out}/secret.svg, outside the project: refused",
         "static/b.svg: is a link to {out}/secret.svg, outside the project: refused"]),
    "static/ itself": (lambda site, out: moved_out(site, out, "static"),
                       ["static: is a link to {out}/static, outside the project: refused"]),
    "a picture in a page bundle": (
        lambda site, out: link(site, f"{DUCKS}/duck.svg", out / "secret.svg"),
        [f"{DUCKS}/index.en.md:5: 'duck.svg': {DUCKS}/duck.svg is a link to {{out}}/secret.svg, "
         "outside the project: refused",
         f"{DUCKS}/index.en.md:7: 'duck.svg': {DUCKS}/duck.svg is a link to {{out}}/secret.svg, "
         "outside the project: refused"]),
    "a folder in a page bundle": (
        lambda site, out: (link(site, f"{DUCKS}/pictures", out),
                           [site.write(name, text) for name, text in ducks("![A duck](pictures/secret.svg)").items()]),
        [f"{DUCKS}/index.en.md:7: 'pictures/secret.svg': {DUCKS}/pictures is a link to {{out}}, "
         "outside the project: refused"]),
    "a page's source": (lambda site, out: link(site, "content/leak.en.md", out / "secret.en.md"),
                        ["content/leak.en.md: is a link to {out}/secret.en.md, outside the project: refused"]),
    "content/ itself": (lambda site, out: moved_out(site, out, "content"),
                        ["content: is a link to {out}/content, outside the project: refused"]),
    "a template": (lambda site, out: link(site, "templates/404.html", out / "secret.html"),
                   ["templates/404.html: is a link to {out}/secret.html, outside the project: refused"]),
    "a catalogue": (lambda site, out: link(site, "locales/ko_KR/LC_MESSAGES/messages.po", out / "secret.po"),
                    ["locales/ko_KR/LC_MESSAGES/messages.po: is a link to {out}/secret.po, outside the project: "
                     "refused"]),
}


def secret_holders(site: SiteMaker) -> list[str]:
    """The files of site/ and .cache/ that hold the secret's bytes (links not followed: none are made)."""
    found = []
    for folder in ("site", ".cache"):
        for path in sorted((site.root / folder).rglob("*")):
            if path.is_file() and not path.is_symlink() and SECRET in path.read_bytes():
                found.append(path.relative_to(site.root).as_posix())
    return found


@pytest.mark.parametrize("leak", sorted(LEAKS))
def test_a_link_out_of_the_project_is_refused_naming_it_and_where_it_leads(site, leak):
    outside = good_site(site)
    assert site.build().code == 0
    before = site.tree()
    make, expected = LEAKS[leak]
    make(site, outside)

    outcome = site.build()

    assert outcome.code == 1, outcome.stderr
    for line in expected:
        assert line.format(out=outside) in outcome.stderr.splitlines(), outcome.stderr
    assert "the site folder was not changed" in outcome.stderr
    assert site.tree() == before
    assert secret_holders(site) == []


def test_a_link_out_made_through_a_linked_folder_after_a_good_build_is_refused_by_the_next(site):
    """content/art leads to the project's pictures/ (allowed); after a good build, a picture there is
    swapped for a link out. The build that follows reuses what it can (its record, its caches): it must
    still refuse, and a build from scratch must say the same."""
    outside = good_site(site)
    site.write("pictures/goose.svg", PICTURE)
    link(site, "content/art", "../pictures")
    site.write("content/about.en.md", page("About", "![A goose](/art/goose.svg)"))
    assert site.build().code == 0
    before = site.tree()
    link(site, "pictures/goose.svg", outside / "secret.svg")

    warm = site.build()
    shutil.rmtree(site.root / ".cache")
    cold = site.build()

    expected = (f"content/about.en.md:5: '/art/goose.svg': content/art/goose.svg is a link to {outside}/secret.svg, "
                "outside the project: refused")
    for outcome in (warm, cold):
        assert outcome.code == 1 and expected in outcome.stderr.splitlines(), outcome.stderr
    assert site.tree() == before
    assert secret_holders(site) == []


def test_links_that_stay_in_the_project_are_followed(site):
    site.make({**all_languages("index", "Home"), **ducks(), "shared/duck.svg": PICTURE,
               "shared/fonts/font.woff2": b"font"})
    link(site, f"{DUCKS}/duck.svg", "../../../shared/duck.svg")
    link(site, "static/img/duck.svg", site.root / "shared/duck.svg")
    link(site, "static/fonts", "../shared/fonts")  # a linked folder's files are published too

    outcome = site.build()

    assert outcome.code == 0, outcome.stderr
    built = site.tree()
    assert any(name.startswith("media/duck.") for name in built)
    assert any(name.startswith("static/img/duck.") for name in built)
    assert any(name.startswith("static/fonts/font.") for name in built)
    shutil.rmtree(site.root / "site")
    shutil.rmtree(site.root / ".cache")
    assert site.build().code == 0 and site.tree() == built


def test_a_link_to_nothing_is_named_with_where_it_leads(site):
    site.make({**all_languages("index", "Home"), **ducks()})
    link(site, f"{DUCKS}/duck.svg", "gone.svg")
    link(site, "static/img/gone.svg", "moved-away.svg")

    static = site.build()  # (a problem in static/ stops the build before any page is made)
    (site.root / "static/img/gone.svg").unlink()
    pages = site.build()

    assert static.code == 1 and pages.code == 1
    assert "static/img/gone.svg: is a link to static/img/moved-away.svg, which does not exist" in \
        static.stderr.splitlines()
    assert f"{DUCKS}/index.en.md:7: 'duck.svg': {DUCKS}/duck.svg is a link to {DUCKS}/gone.svg, which does not " \
           "exist" in pages.stderr.splitlines()


def test_a_link_to_a_folder_it_is_in_is_refused(site):
    site.make({**all_languages("index", "Home")})
    link(site, "static/up", "..")

    outcome = site.build()

    assert outcome.code == 1
    assert "static/up: is a link to the project folder, a folder it is in: refused (it would never end)" in \
        outcome.stderr.splitlines()


def test_an_illustration_that_climbs_out_of_content_is_refused(site):
    good_site(site)
    site.write(f"{DUCKS}/index.en.md", page("Ducks", "Text.", date="2018-02-02",
                                            hero="{src: ../../../../outside/secret.svg, alt: A duck}"))

    outcome = site.build()

    assert outcome.code == 1
    assert f"{DUCKS}/index.en.md:5: '../../../../outside/secret.svg' points outside content/" in outcome.stderr
    assert secret_holders(site) == []


# What editors' tools and file managers leave beside the real files (ignored.py): never published.
JUNK = ["Thumbs.db", "desktop.ini", "Desktop.ini", "#site.css#", "site.css.bak", "site.css~", ".DS_Store",
        ".site.css.swp", ".#site.css", "4913", "site.css.tmp", "site.css.orig", "site.css___jb_tmp___"]


def test_editors_junk_in_static_is_not_published(site):
    site.make({**all_languages("index", "Home"), **{f"static/css/{name}": b"JUNK " + name.encode() for name in JUNK},
               "static/.hidden/x.css": b"JUNK hidden folder"})

    outcome = site.build()

    assert outcome.code == 0, outcome.stderr
    assert [name for name, data in site.tree().items() if b"JUNK" in data] == []
    assert any(name.startswith("static/css/site.") for name in site.tree())


def test_windows_download_marks_and_patch_rejects_are_not_published(site):
    """Copied from Windows (WSL, Samba), a download brings x:Zone.Identifier, holding where it came from."""
    mark = b"[ZoneTransfer]\r\nZoneId=3\r\nHostUrl=https://intranet.example/private/logo.svg\r\n"
    site.make({**all_languages("index", "Home"), "static/img/logo.svg": PICTURE,
               "static/img/logo.svg:Zone.Identifier": mark, "static/css/site.css.rej": b"JUNK patch",
               **ducks(), f"{DUCKS}/duck.svg": PICTURE, f"{DUCKS}/duck.svg:Zone.Identifier": mark})

    outcome = site.build()

    assert outcome.code == 0, outcome.stderr
    assert [name for name, data in site.tree().items() if b"ZoneTransfer" in data or b"JUNK" in data] == []
    assert any(name.startswith("static/img/logo.") for name in site.tree())


@pytest.mark.parametrize("word", ["sediments", "sedentary", "seductive"])
def test_a_story_named_like_a_sed_temporary_file_is_published(site, word):
    """`sed -i` leaves sedCKaDQf (mixed case, digits); a lower-case word of that length is a real name."""
    site.make({**all_languages("index", "Home"), f"content/stories/{word}/index.en.md": page("Sand", date="2018-02-02"),
               "static/css/sedCKaDQf": b"JUNK sed"})

    outcome = site.build()

    assert outcome.code == 0, outcome.stderr
    assert f'href="/en/stories/{word}/"' in site.read("en/index.html")
    assert (site.root / f"site/en/stories/{word}/index.html").exists()
    assert [name for name, data in site.tree().items() if b"JUNK" in data] == []


def test_a_page_cannot_show_editors_junk(site):
    site.make({**all_languages("index", "Home"), **ducks(body="![A duck](duck.svg~)"),
               f"{DUCKS}/duck.svg": PICTURE, f"{DUCKS}/duck.svg~": b"JUNK"})

    outcome = site.build()

    assert outcome.code == 1
    assert f"{DUCKS}/index.en.md:7: 'duck.svg~': 'duck.svg~' is a hidden, backup or temporary name, never " \
           "published: show the file itself" in outcome.stderr.splitlines()


def test_an_emacs_lock_beside_a_template_is_not_a_template(site):
    """Emacs marks a file it edits with .#name, a link to nowhere: it is no template (it crashed the build)."""
    site.make({**all_languages("index", "Home")})
    link(site, "templates/.#base.html", "editor@host.1234:1700000000")
    link(site, "static/css/.#site.css", "editor@host.1234:1700000000")

    outcome = site.build()

    assert outcome.code == 0, outcome.stderr


def test_serve_never_serves_a_picture_made_a_link_out_after_its_page_was_shown(site):
    """serve reads a picture's bytes when a browser asks for it, which may be long after its page was
    rendered; a picture reached through a linked folder outside the watched ones can be swapped for a link
    out meanwhile, with no save reported. Its old name must not serve the secret, and the whole build
    that follows must refuse it."""
    import argparse
    import io

    from smallsite.serve.command import PreviewBuilder

    outside = good_site(site)
    site.write("pictures/goose.svg", PICTURE)
    link(site, "content/art", "../pictures")
    site.write("content/about.en.md", page("About", "![A goose](/art/goose.svg)"))
    args = argparse.Namespace(root=site.root, out=None, base_url=None, strict=False, drafts=False, lang=None)
    builder = PreviewBuilder(args, out=io.StringIO(), err=io.StringIO())
    assert builder.rebuild().problems == ()
    site.write(f"{DUCKS}/index.en.md", page("Ducks en", "New text.", date="2018-02-02"))
    snapshot = builder.rebuild(frozenset({f"{DUCKS}/index.en.md"}))  # other pages now render on request
    assert b"goose" in snapshot.files["en/about/index.html"]
    goose = next(name for name in snapshot.files if name.startswith("media/goose."))

    link(site, "pictures/goose.svg", outside / "secret.svg")

    assert SECRET not in snapshot.files.get(goose, b"")
    finished = builder.finish(lambda: False)
    assert finished is not None
    assert [str(problem) for problem in finished.problems] == \
        [f"content/art/goose.svg: is a link to {outside}/secret.svg, outside the project: refused"]
    assert not any(SECRET in (finished.files.get(name) or b"") for name in finished.files)
