"""Broken catalogues: every defect in a .po file is an error naming the file and line, in build, check,
i18n status and i18n update, and the site stays as it was. Real catalogues made by the standard tools pass."""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from conftest import all_languages
from i18n_helpers import cli

PO = "locales/ja_JP/LC_MESSAGES/messages.po"
ALL_STORIES = 'msgstr "すべての物語"'
STORY_FORM = 'msgstr[0] "%(num)d編の物語"'
FILM = 'msgstr "映像『%(title)s』"'
PLURAL_FORMS = '"Plural-Forms: nplurals=1; plural=0;\\n"'
# The location comment above the "Feed" entry (the template's line moves as base.html is edited).
FEED_AT = "#: " + re.search(r"#: (templates/base\.html:\d+)\nmsgid \"Feed\"",
                            open(os.path.join(os.path.dirname(__file__), "..", PO), encoding="utf-8").read()).group(1)


def line_of(text: str, needle: str, after: int = 0) -> int:
    """The number of the line that starts with `needle` (the `after`-th line after it)."""
    return text.split("\n").index(next(line for line in text.split("\n") if line.startswith(needle))) + 1 + after


def replaced(old: str, new: str):
    def edit(text: str) -> bytes:
        assert old in text
        return text.replace(old, new, 1).encode()
    return edit


def header_removed(text: str) -> bytes:
    start = text.index('msgid ""')
    return (text[:start] + text[text.index("\n\n", start) + 2:]).encode()


def compiled(text: str) -> bytes:
    """The catalogue compiled by msgfmt: a .mo file saved where the .po should be."""
    return subprocess.run(["msgfmt", "-o", "-", "-"], input=text.encode(), capture_output=True, check=True).stdout


# (what the translator did, the broken file from the good text, the line named, the message, whether
# msgfmt --check refuses it too: where it accepts, Babel would misread it or a page would fail).
DEFECTS = [
    ("unterminated string", replaced(ALL_STORIES, ALL_STORIES[:-1]), lambda t: line_of(t, ALL_STORIES),
     'this string has no closing quote (")', True),
    ("translation on two lines without quotes", replaced(ALL_STORIES, 'msgstr "すべての\n物語"'),
     lambda t: line_of(t, ALL_STORIES), 'this string has no closing quote (")', True),
    ("stray text line", replaced(ALL_STORIES, ALL_STORIES + "\nAll the stories"),
     lambda t: line_of(t, ALL_STORIES, 1), "'All' is not part of a .po entry", True),
    ("msgid without msgstr", replaced(ALL_STORIES + "\n", ""), lambda t: line_of(t, 'msgid "All stories"'),
     'msgid "All stories" has no msgstr: add msgstr "" under it', True),
    ("duplicate msgid", lambda t: (t + '\nmsgid "All stories"\nmsgstr "物語すべて"\n').encode(),
     lambda t: len(t.split("\n")) + 1,
     'msgid "All stories" is here a second time: the first is on line {all_stories}', True),
    ("bad escape", replaced(ALL_STORIES, 'msgstr "すべての\\q物語"'), lambda t: line_of(t, ALL_STORIES),
     "\\q is not an escape a catalogue can use", True),
    ("hex escape Babel would show as typed", replaced(ALL_STORIES, 'msgstr "すべての\\x41物語"'),
     lambda t: line_of(t, ALL_STORIES), "\\x is not an escape a catalogue can use", False),
    ("two strings on one line", replaced(ALL_STORIES, 'msgstr "すべての" "物語"'),
     lambda t: line_of(t, ALL_STORIES), "text after the string's closing quote", False),
    ("msgstr[n] beyond the plural count", replaced(STORY_FORM, STORY_FORM + '\nmsgstr[1] "%(num)d編の物語"'),
     lambda t: line_of(t, STORY_FORM, 1), "cannot read this catalogue: this entry has more msgstr[N] plural "
     "forms than the Plural-Forms header allows (nplurals=1)", True),
    ("msgstr[0] twice", replaced(STORY_FORM, STORY_FORM + '\nmsgstr[0] "%(num)d 個の物語"'),
     lambda t: line_of(t, STORY_FORM, 1), "msgstr[0] comes where msgstr[1] should", True),
    ("plain msgstr in a plural entry", replaced(STORY_FORM, 'msgstr "%(num)d編の物語"'),
     lambda t: line_of(t, STORY_FORM), "an entry with msgid_plural needs msgstr[0], msgstr[1], ...", True),
    ("wrong nplurals for the language", replaced("nplurals=1; plural=0;", "nplurals=2; plural=(n != 1);"),
     lambda t: line_of(t, PLURAL_FORMS), "Plural-Forms says nplurals=2, but ja_JP has 1 plural form: write "
     '"Plural-Forms: nplurals=1; plural=0;\\n"', True),
    ("plural expression beyond nplurals", replaced("plural=0;", "plural=(n != 1);"),
     lambda t: line_of(t, PLURAL_FORMS), "the plural expression gives form 1 for n=0, but nplurals=1", True),
    ("placeholder left out", replaced(STORY_FORM, 'msgstr[0] "編の物語"'),
     lambda t: line_of(t, 'msgid "%(num)d story"'), "translation of '%(num)d story' leaves out %(num)d", True),
    ("placeholder misspelled", replaced(STORY_FORM, 'msgstr[0] "%(nmu)d編の物語"'),
     lambda t: line_of(t, 'msgid "%(num)d story"'),
     "translation of '%(num)d story' uses %(nmu)d, which the source string does not have", True),
    ("placeholder without its letter", replaced(FILM, 'msgstr "映像『%(title)』"'),
     lambda t: line_of(t, 'msgid "Film: %(title)s"'),
     "translation of 'Film: %(title)s' has %(title) with no conversion letter after it: write %(title)s", True),
    ("placeholder of another kind", replaced(FILM, 'msgstr "映像『%(title)d』"'),
     lambda t: line_of(t, 'msgid "Film: %(title)s"'),
     "translation of 'Film: %(title)s' writes %(title)d where the source has %(title)s", True),
    ("lone percent sign", replaced(ALL_STORIES, 'msgstr "すべての物語 100%"'),
     lambda t: line_of(t, 'msgid "All stories"'),
     "translation of 'All stories' has '%', which is not a placeholder: write %% for a percent sign", False),
    ("translation ending in a line break the source lacks", replaced(ALL_STORIES, 'msgstr "すべての物語\\n"'),
     lambda t: line_of(t, 'msgid "All stories"'),
     "translation of 'All stories' ends with a line break (\\n), unlike the source string", True),
    ("flags without commas", replaced(f'{FEED_AT}\n', f'{FEED_AT}\n#, fuzzy no-wrap\n'),
     lambda t: line_of(t, f'{FEED_AT}', 1), "a #, line lists flags separated by commas", False),
    ("a note on a #| line",
     replaced(f'{FEED_AT}\n', f'#| checked by Aiko\n{FEED_AT}\n'),
     lambda t: line_of(t, f'{FEED_AT}'), "a #| line holds the previous source of a fuzzy entry", True),
    ("header line that is not a field", replaced('"MIME-Version: 1.0\\n"', '"MIME-Version 1.0\\n"'),
     lambda t: line_of(t, '"MIME-Version'), "this header line is not a field as Babel reads them", False),
    ("location comment Babel cannot read", replaced(f"{FEED_AT}", "#: \u2068templates/base.html:71"),
     lambda t: line_of(t, f"{FEED_AT}"), "cannot read this catalogue: location comment contains "
     "more First Strong Isolate characters, than Pop Directional Isolate characters", False),
    ("invalid UTF-8", lambda t: t.encode().replace("すべての物語".encode(), b"\xff\xfe"),
     lambda t: line_of(t, ALL_STORIES), "this line is not UTF-8 (byte 0xff)", True),
    ("byte-order mark", lambda t: b"\xef\xbb\xbf" + t.encode(), lambda t: 1,
     "the file starts with a byte-order mark (BOM)", True),
    ("empty file", lambda t: b"", lambda t: 1, "the catalogue is empty", True),
    ("compiled .mo file saved as .po", compiled, lambda t: 1, "this is not a text file (it has a NUL byte", True),
    ("text that is not a catalogue", lambda t: b"All stories\nFeed\n", lambda t: 1,
     "'All' is not part of a .po entry", True),
    ("no header", header_removed, lambda t: 1, "the catalogue has no header", True),
    ("another language's header", replaced("Language: ja_JP", "Language: ko_KR"),
     lambda t: line_of(t, '"Language: ja_JP'), "Language says ko_KR, but this is the catalogue of ja_JP", False),
    ("charset that would garble the text", replaced("charset=utf-8", "charset=ISO-8859-1"),
     lambda t: line_of(t, '"Content-Type'), "Content-Type says charset=ISO-8859-1; catalogues are read as UTF-8",
     False),
]


@pytest.fixture
def built(site):
    """A site built once from good catalogues; the files of its site/ folder."""
    site.make({**all_languages("index", "Home"), **all_languages("stories/one", date="2018-02-02")})
    outcome = site.build()
    assert outcome.code == 0, outcome.stderr
    assert "すべての物語" in site.read("ja/stories/one/index.html")
    return site.tree()


@pytest.mark.parametrize("defect, edit, line, message, msgfmt_refuses", DEFECTS, ids=[d[0] for d in DEFECTS])
def test_each_catalogue_defect_is_an_error_with_its_line_and_the_site_stays(site, built, defect, edit, line,
                                                                            message, msgfmt_refuses, tmp_path):
    po_file = site.root / PO
    text = po_file.read_text(encoding="utf-8")
    po_file.write_bytes(edit(text))
    first = line_of(text, 'msgid "All stories"')
    expected = f"{PO}:{line(text)}: {message.format(all_stories=first)}"
    for attempt in range(2):  # and again: a failed build must not let the next one skip the check
        outcome = site.build()
        assert outcome.code == 1
        assert expected in outcome.stderr, outcome.stderr
        assert "the site folder was not changed" in outcome.stderr
        assert site.tree() == built
    strict = site.build("--strict")
    assert strict.code == 1 and expected in strict.stderr
    # GNU msgfmt agrees where it can (it accepts what only Babel would misread or a page would fail on).
    checked = subprocess.run(["msgfmt", "--check", "-o", os.devnull, str(po_file)], capture_output=True)
    assert (checked.returncode != 0) == msgfmt_refuses, checked.stderr


def test_check_status_and_update_name_the_line_and_update_leaves_the_file(site, built):
    po_file = site.root / PO
    text = po_file.read_text(encoding="utf-8")
    broken = text.replace(ALL_STORIES, ALL_STORIES[:-1])
    po_file.write_text(broken, encoding="utf-8")
    expected = f'{PO}:{line_of(text, ALL_STORIES)}: this string has no closing quote (")'
    check = cli(site.root, "check")
    assert check.code == 1 and expected in check.err
    status = cli(site.root, "i18n", "status")
    assert status.code == 1 and expected in status.err
    cli(site.root, "i18n", "extract")
    update = cli(site.root, "i18n", "update")
    assert update.code == 1 and expected in update.err
    assert f"{PO}: not updated: fix the errors below first" in update.out
    assert po_file.read_text(encoding="utf-8") == broken  # not rewritten as Babel misread it (すべての物)


def test_many_defects_are_listed_then_cut_short(site, built):
    (site.root / PO).write_text("".join(f"line {n}\n" for n in range(100)), encoding="utf-8")
    outcome = site.build()
    lines = [line for line in outcome.stderr.splitlines() if line.startswith(PO)]
    assert lines[0] == (f"{PO}:1: 'line' is not part of a .po entry: a line is a comment (#...), a keyword "
                        "(msgid, msgstr, ...) with a string in double quotes, or a string continuing the one "
                        "above (a translation on two lines needs quotes on each)")
    assert f"{PO}:21: stopped after 20 errors: is this a .po file?" in outcome.stderr
    assert len(lines) == 21


def test_a_folder_in_place_of_the_catalogue_is_an_error(site, built):
    po_file = site.root / PO
    po_file.unlink()
    po_file.mkdir()
    outcome = site.build()
    assert outcome.code == 1
    assert f"{PO}: cannot read this catalogue: Is a directory" in outcome.stderr
    assert site.tree() == built


def test_fuzzy_entries_are_read_but_not_shown(site, built):
    po_file = site.root / PO
    text = po_file.read_text(encoding="utf-8")
    po_file.write_text(text.replace('msgid "All stories"', '#, fuzzy\nmsgid "All stories"'), encoding="utf-8")
    outcome = site.build()
    assert outcome.code == 0, outcome.stderr
    page = site.read("ja/stories/one/index.html")
    assert "すべての物語" not in page and "All stories" in page


def gettext_tool(*args: str, cwd) -> None:
    subprocess.run(args, cwd=cwd, check=True, capture_output=True)


def test_catalogues_the_standard_tools_write_pass(site, built, tmp_path):
    """msgmerge --previous (with #~| lines Babel cannot read), msgcat's line widths, a Poedit-style header
    with a context entry, Windows line endings: each builds, with its translations."""
    po_file = site.root / PO
    good = po_file.read_text(encoding="utf-8")
    pot = tmp_path / "messages.pot"
    pot.write_text((site.root / "locales/messages.pot").read_text(encoding="utf-8")
                   .replace("charset=CHARSET", "charset=UTF-8"), encoding="utf-8")
    # A source string changes, then goes: its fuzzy translation becomes obsolete with '#~| msgid'.
    old, new = 'msgid "The manifesto in four figures"', 'msgid "The manifesto in five figures"'
    (tmp_path / "changed.pot").write_text(pot.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    (tmp_path / "gone.pot").write_text(pot.read_text(encoding="utf-8").replace(old, 'msgid "Something else"'),
                                       encoding="utf-8")
    gettext_tool("msgmerge", "--previous", "-q", "-o", "merged.po", str(po_file), "changed.pot", cwd=tmp_path)
    gettext_tool("msgmerge", "--previous", "-q", "-o", "msgmerge.po", "merged.po", "gone.pot", cwd=tmp_path)
    assert "#~| msgid" in (tmp_path / "msgmerge.po").read_text(encoding="utf-8")
    gettext_tool("msgcat", "-w", "30", "-o", "narrow.po", str(po_file), cwd=tmp_path)
    variants = {
        "msgmerge": (tmp_path / "msgmerge.po").read_bytes(),
        "narrow": (tmp_path / "narrow.po").read_bytes(),
        "poedit": (good.replace('"Generated-By: Babel 2.18.0\\n"', '"X-Generator: Poedit 3.4.2\\n"\n'
                                '"X-Poedit-SourceCharset: UTF-8\\n"')
                   + '\nmsgctxt "menu"\nmsgid "Feed"\nmsgstr "フィード"\n\n#~ msgctxt "old"\n#~ msgid "Gone"\n'
                   '#~ msgstr "消えた"\n').encode(),
        "windows": good.replace("\n", "\r\n").encode(),
    }
    for name, data in variants.items():
        po_file.write_bytes(data)
        checked = subprocess.run(["msgfmt", "--check", "-o", os.devnull, str(po_file)], capture_output=True)
        assert checked.returncode == 0, (name, checked.stderr)
        outcome = site.build()
        assert outcome.code == 0, (name, outcome.stderr)
        assert not re.search(rf"{PO}:\d+: (?!warning)", outcome.stderr), (name, outcome.stderr)
        assert "すべての物語" in site.read("ja/stories/one/index.html"), name


def test_a_catalogue_with_nothing_translated_is_named_and_fails_strict(site, built):
    """A header alone (every entry cut, or all left empty or fuzzy): the language's whole interface would
    be in the default language. A warning names the file; --strict fails and changes nothing."""
    po_file = site.root / PO
    text = po_file.read_text(encoding="utf-8")
    po_file.write_text(text.split("\n\n")[0] + "\n", encoding="utf-8")
    warning = (f"{PO}:1: warning: no string in this catalogue is translated (each is empty or fuzzy): "
               "日本語 pages would show the whole interface in the default language")
    strict = site.build("--strict")
    assert strict.code == 1 and warning in strict.stderr
    assert site.tree() == built
    outcome = site.build()
    assert outcome.code == 0 and warning in outcome.stderr
    assert warning in site.build().stderr  # said again by a build that finds nothing changed
