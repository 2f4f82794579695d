"""Our catalogue commands and the standard tools agree: pybabel gives the same files, GNU msgfmt
accepts them, and a fifth language needs site.toml, `i18n init` and content alone."""

from __future__ import annotations

import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from conftest import PROJECT, SITE_TOML, page
from i18n_helpers import cli, translate_everything
from smallsite.i18n.catalogues import compile_catalogue
from smallsite.i18n.messages import PYBABEL_EXTRACT, PYBABEL_INIT, PYBABEL_UPDATE

PYBABEL = [sys.executable, "-c", "import sys; from babel.messages.frontend import main; sys.argv[0] = 'pybabel'; "
           "sys.exit(main())"]
CATALOGUES = ("ko_KR", "ja_JP", "zh_Hans_CN")


def pybabel(root: Path, command: str) -> None:
    """Run a documented pybabel command line in the project folder."""
    subprocess.run([*PYBABEL, *command.split()[1:]], cwd=root, check=True, capture_output=True, timeout=120)


def without_dates(data: bytes) -> list[bytes]:
    return [line for line in data.splitlines() if not line.startswith((b'"POT-Creation-Date', b'"PO-Revision-Date'))]


def msgfmt_check(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["msgfmt", "--check", "-o", os.devnull, str(path)], capture_output=True, text=True)


@pytest.fixture
def two_copies(tmp_path):
    """The real templates and catalogues twice: one for our commands, one for pybabel."""
    copies = []
    for name in ("ours", "theirs"):
        root = tmp_path / name
        for folder in ("templates", "locales", "smallsite"):
            shutil.copytree(PROJECT / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(PROJECT / "babel.cfg", root)
        (root / "site.toml").write_text(SITE_TOML, encoding="utf-8")
        copies.append(root)
    return copies


def test_extract_update_and_init_give_what_pybabel_gives(two_copies):
    ours, theirs = two_copies
    # A template string changes and one is new: update must mark the changed one fuzzy in both.
    for root in two_copies:
        base = root / "templates/base.html"
        base.write_text(base.read_text(encoding="utf-8").replace('_("Feed")', '_("News feed")')
                        .replace("</footer>", '<p>{{ _("Thank you for reading") }}</p>\n</footer>'), encoding="utf-8")
        toml = root / "site.toml"
        toml.write_text(toml.read_text(encoding="utf-8") + '\n[[languages]]\ncode = "fr"\nname = "Français"\n'
                        'locale = "fr_FR"\ntag = "fr"\ntitle = "Petit"\ndescription = "Un site"\n', encoding="utf-8")
    assert cli(ours, "i18n", "extract").code == 0
    pybabel(theirs, PYBABEL_EXTRACT)
    assert without_dates((ours / "locales/messages.pot").read_bytes()) == \
        without_dates((theirs / "locales/messages.pot").read_bytes())

    assert cli(ours, "i18n", "update").code == 0
    pybabel(theirs, PYBABEL_UPDATE)
    for locale in CATALOGUES:
        mine = (ours / f"locales/{locale}/LC_MESSAGES/messages.po").read_bytes()
        assert without_dates(mine) == without_dates((theirs / f"locales/{locale}/LC_MESSAGES/messages.po").read_bytes())
        # Kept translation, marked fuzzy, with the old source beside it for the translator.
        assert b'#, fuzzy\n#| msgid "Feed"\nmsgid "News feed"\nmsgstr "' in mine

    assert cli(ours, "i18n", "init", "fr").code == 0
    pybabel(theirs, PYBABEL_INIT.replace("LOCALE", "fr_FR"))
    mine = (ours / "locales/fr_FR/LC_MESSAGES/messages.po").read_bytes()
    assert without_dates(mine) == without_dates((theirs / "locales/fr_FR/LC_MESSAGES/messages.po").read_bytes())
    # French's plural forms as the installed Babel's CLDR data has them (Babel 2.19 gives three, not two).
    # (A long header is wrapped over several quoted strings: joined here as gettext joins them.)
    assert f'Plural-Forms: {get_plural("fr_FR").plural_forms}\\n'.encode() in mine.replace(b'"\n"', b"")


def test_running_extract_and_update_twice_changes_nothing(two_copies):
    ours, _ = two_copies
    cli(ours, "i18n", "extract"), cli(ours, "i18n", "update")
    before = {p: p.read_bytes() for p in (ours / "locales").rglob("*.po*")}
    extract, update = cli(ours, "i18n", "extract"), cli(ours, "i18n", "update")
    assert "locales/messages.pot: unchanged" in extract.out
    assert update.out.count("unchanged") == 3
    assert {p: p.read_bytes() for p in (ours / "locales").rglob("*.po*")} == before


def test_catalogues_pass_msgfmt_check_and_compile_like_pybabel(two_copies, tmp_path):
    ours, _ = two_copies
    cli(ours, "i18n", "extract"), cli(ours, "i18n", "update")
    for locale in CATALOGUES:
        po_file = ours / f"locales/{locale}/LC_MESSAGES/messages.po"
        translate_everything(po_file, locale)
        assert msgfmt_check(po_file).returncode == 0, msgfmt_check(po_file).stderr
    assert msgfmt_check(ours / "locales/messages.pot").returncode == 0
    subprocess.run([*PYBABEL, "compile", "-d", "locales"], cwd=ours, check=True, capture_output=True)
    for locale in CATALOGUES:
        po_file = ours / f"locales/{locale}/LC_MESSAGES/messages.po"
        with po_file.open("rb") as handle:
            catalog = read_po(handle)
        with po_file.with_suffix(".mo").open("rb") as handle:
            theirs = gettext.GNUTranslations(handle)
        mine = compile_catalogue(catalog)
        for message in catalog:
            if isinstance(message.id, tuple):
                for n in (0, 1, 2, 5):
                    assert mine.ngettext(*message.id, n) == theirs.ngettext(*message.id, n)
            elif message.id:
                assert mine.gettext(message.id) == theirs.gettext(message.id) == message.string


def test_real_catalogues_pass_msgfmt_check():
    for path in sorted((PROJECT / "locales").rglob("*.po")):
        result = msgfmt_check(path)
        assert result.returncode == 0, result.stderr


def test_a_fifth_language_needs_site_toml_init_and_content_alone(site):
    root = site.make({"content/index.en.md": page("Home"), "content/about.en.md": page("About"),
                      "content/index.fr.md": page("Accueil"), "content/about.fr.md": page("À propos")},
                     site_toml=SITE_TOML + '\n[[languages]]\ncode = "fr"\nname = "Français"\nlocale = "fr_FR"\n'
                     'tag = "fr"\ntitle = "Petit"\ndescription = "Un site d’essai"\n')
    shutil.copy(PROJECT / "babel.cfg", root)
    init = cli(root, "i18n", "init", "fr")
    assert init.code == 0, init.err
    po_file = root / "locales/fr_FR/LC_MESSAGES/messages.po"
    assert msgfmt_check(po_file).returncode == 0
    built = cli(root, "build")
    assert built.code == 0, built.err
    html = site.read("fr/about/index.html")
    assert '<html lang="fr">' in html and "À propos fr" not in html and "<h1>À propos</h1>" in html
    assert 'hreflang="fr" href="https://example.org/fr/about/"' in site.read("en/about/index.html")
    status = cli(root, "i18n", "status")
    assert "fr Français" in status.out


def test_init_refuses_a_language_not_in_site_toml(site):
    root = site.make({})
    shutil.copy(PROJECT / "babel.cfg", root)
    result = cli(root, "i18n", "init", "fr")
    assert result.code == 1
    assert "site.toml: no language 'fr': add a [[languages]] table" in result.err
    assert not (root / "locales/fr_FR").exists()
