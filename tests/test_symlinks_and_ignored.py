"""Editors' junk is never published (docs/symlinks-and-ignored-files.md)."""

from __future__ import annotations

from pathlib import Path

from conftest import SiteMaker, all_languages, page

PICTURE = b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="3"></svg>'
DUCKS = "content/stories/ducks"
LANGUAGES = ("en", "ko", "ja", "zh")


def ducks(body: str = "![A duck](duck.svg)", hero: str = "duck.svg") -> dict[str, str]:
    """A story bundle in every language, with a picture and an illustration (line 5: hero; 7: body)."""
    return {f"{DUCKS}/index.{code}.md": page(f"Ducks {code}", body, date="2018-02-02",
                                              hero=f"{{src: {hero}, alt: A duck}}") for code in LANGUAGES}


def link(site: SiteMaker, name: str, target: str | Path) -> None:
    """Make project/name a link to target (replacing a file that is there)."""
    path = site.root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink() or path.is_file():
        path.unlink()
    path.symlink_to(target)


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
