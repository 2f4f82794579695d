"""The translators' workflow: status, mark, stale translations, diff, new story, catalogue findings."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from babel.messages.plurals import get_plural

from conftest import PROJECT, page
from i18n_helpers import cli, commit_all, git, translate_everything
from smallsite.model.config import load_config
from smallsite.build.pipeline import BuildOptions, build
from smallsite.i18n.stale import source_digest

CATALOGUES = ("ko_KR", "ja_JP", "zh_Hans_CN")
STALE_NOTICE = "The original has changed since this translation was made."


@pytest.fixture
def translated(site):
    """A small site whose interface strings are all translated and whose pages are all marked."""
    files = {f"content/about.{code}.md": page(f"About {code}", f"About text in {code}.") for code in
             ("en", "ko", "ja", "zh")}
    files["content/index.en.md"] = page("Home")
    root = site.make(files)
    shutil.copy(PROJECT / "babel.cfg", root)
    cli(root, "i18n", "extract"), cli(root, "i18n", "update")
    for locale in CATALOGUES:
        translate_everything(root / f"locales/{locale}/LC_MESSAGES/messages.po", f"[{locale}]")
    for code in ("ko", "ja", "zh"):
        marked = cli(root, "i18n", "mark", str(root / f"content/about.{code}.md"))
        assert marked.code == 0, marked.err
    return root


def test_status_table_counts_strings_and_pages_and_lists_the_work(translated):
    result = cli(translated, "i18n", "status")
    assert result.code == 0
    lines = result.out.splitlines()
    ko = next(line for line in lines if line.startswith("ko 한국어"))
    done, total = ko.split()[2].split("/")  # interface strings: every one the templates use is translated
    assert done == total and int(total) > 5
    assert ko.split()[5] == "1/2"  # pages: about is translated, index is not
    # index has only English: every other language misses it, with what to do.
    assert "content/index.ko.md" in result.out
    assert "not translated: copy content/index.en.md to content/index.ko.md, translate it, then run " \
           "python build.py i18n mark content/index.ko.md" in result.out
    assert "content/about.ko.md" not in result.out
    assert cli(translated, "i18n", "status", "--strict").code == 1


def test_status_json_and_strict_when_everything_is_done(translated):
    for code in ("ko", "ja", "zh"):
        (translated / f"content/index.{code}.md").write_text(page(f"Home {code}"), encoding="utf-8")
        cli(translated, "i18n", "mark", str(translated / f"content/index.{code}.md"))
    result = cli(translated, "i18n", "status", "--json", "--strict")
    assert result.code == 0, result.out
    data = json.loads(result.out)
    assert data["work"] == []
    ko = next(item for item in data["languages"] if item["code"] == "ko")
    assert ko["pages"] == {"total": 2, "translated": 2, "stale": 0, "unmarked": 0, "missing": 0}
    assert ko["interface"]["fuzzy"] == ko["interface"]["missing"] == 0
    assert ko["interface"]["translated"] == ko["interface"]["total"] > 5
    assert "Nothing to do" in cli(translated, "i18n", "status").out


def test_mark_records_the_digest_of_the_source_in_front_matter(translated):
    source = (translated / "content/about.en.md").read_bytes()
    text = (translated / "content/about.ko.md").read_text(encoding="utf-8")
    assert f"translated_from: {source_digest(source)}\n---" in text
    assert len(source_digest(source)) == 12
    # A BOM and CRLF line endings in the source do not change its digest.
    assert source_digest(b"\xef\xbb\xbf" + source.replace(b"\n", b"\r\n")) == source_digest(source)
    again = cli(translated, "i18n", "mark", str(translated / "content/about.ko.md"))
    assert "(already)" in again.out


def test_mark_refuses_an_original_and_a_file_outside_content(translated):
    result = cli(translated, "i18n", "mark", str(translated / "content/about.en.md"), str(translated / "nope.md"))
    assert result.code == 1
    assert "content/about.en.md: this is the English original, not a translation" in result.err
    assert "nope.md: no such file" in result.err


def test_a_changed_source_makes_its_translations_stale_in_status_check_and_preview(translated):
    about = translated / "content/about.en.md"
    about.write_text(page("About", "A new paragraph in English."), encoding="utf-8")
    status = cli(translated, "i18n", "status", "--json")
    stale = [w for w in json.loads(status.out)["work"] if w["state"] == "stale"]
    assert sorted(w["path"] for w in stale) == ["content/about.ja.md", "content/about.ko.md", "content/about.zh.md"]
    assert stale[0]["line"] == 4  # the translated_from line, after title and summary
    assert "python build.py i18n diff content/about.ko.md" in stale[0]["todo"]

    checked = cli(translated, "check")
    assert "content/about.ko.md:4: warning: stale: content/about.en.md changed since this was translated" in checked.err
    assert cli(translated, "check", "--strict").code == 1

    config = load_config(translated)
    preview = build(config, BuildOptions(preview=True)).files
    published = build(config, BuildOptions()).files
    assert "[ko_KR] " + STALE_NOTICE in preview["ko/about/index.html"].decode()
    assert STALE_NOTICE not in published["ko/about/index.html"].decode()
    assert "stale-notice" not in published["ko/about/index.html"].decode()
    assert "stale-notice" not in preview["en/about/index.html"].decode()


def test_diff_shows_how_the_source_changed_since_the_translated_version(translated):
    git(translated, "init", "-q")
    commit_all(translated, "translated")
    about = translated / "content/about.en.md"
    about.write_text(about.read_text(encoding="utf-8").replace("About text in en.", "Better text in en."),
                     encoding="utf-8")
    commit_all(translated, "source edited")
    about.write_text(about.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    result = cli(translated, "i18n", "diff", str(translated / "content/about.ko.md"))
    assert result.code == 0, result.err
    assert "-About text in en.\n+Better text in en.\n" in result.out
    assert "+One more line.\n" in result.out
    assert "(translated, " in result.out


def test_diff_says_when_a_translation_is_up_to_date_or_git_cannot_help(translated):
    up_to_date = cli(translated, "i18n", "diff", str(translated / "content/about.ko.md"))
    assert "is up to date" in up_to_date.out
    (translated / "content/about.en.md").write_text(page("About", "Changed."), encoding="utf-8")
    no_git = cli(translated, "i18n", "diff", str(translated / "content/about.ko.md"))
    assert no_git.code == 1 and "not a git checkout" in no_git.err


def test_new_story_makes_every_language_with_translations_waiting(translated):
    result = cli(translated, "new", "story", "small-step")
    assert result.code == 0, result.err
    folder = translated / "content/stories/small-step"
    assert sorted(p.name for p in folder.iterdir()) == ["index.en.md", "index.ja.md", "index.ko.md", "index.zh.md"]
    assert "Waiting for translation from index.en.md" in (folder / "index.ko.md").read_text(encoding="utf-8")
    # Drafts build (with --drafts) without a problem, and a normal build leaves them out.
    assert cli(translated, "build", "--drafts").code == 0
    assert (translated / "site/en/stories/small-step/index.html").exists()
    assert cli(translated, "build").code == 0
    assert not (translated / "site/en/stories/small-step/index.html").exists()
    # Once the English is published, status says the translations are waiting.
    english = folder / "index.en.md"
    english.write_text(english.read_text(encoding="utf-8").replace("draft: true\n", ""), encoding="utf-8")
    status = cli(translated, "i18n", "status")
    assert "waiting for translation: translate it from content/stories/small-step/index.en.md" in status.out
    again = cli(translated, "new", "story", "small-step")
    assert again.code == 1 and "already a story 'small-step'" in again.err
    bad = cli(translated, "new", "story", "Small Step")
    assert bad.code == 1 and "lower-case letters, digits and hyphens" in bad.err


def replace_entry(text: str, msgid: str | None, entry: str) -> tuple[str, int]:
    """Put `entry` in place of the .po entry whose msgid line is `msgid` (or at the end); the line
    number the new entry starts on."""
    if msgid is not None:
        start = text.rfind("\n\n", 0, text.index(msgid)) + 2
        end = text.find("\n\n", start)
        text = text[:start] + entry + text[end if end != -1 else len(text):]
    else:
        start = len(text.rstrip("\n")) + 2
        text = text.rstrip("\n") + "\n\n" + entry + "\n"
    return text, text[:start].count("\n") + 1


@pytest.mark.parametrize("msgid, entry, offset, expected", [
    ('msgid "%(num)d story"', '#, python-format\nmsgid "%(num)d story"\nmsgid_plural "%(num)d stories"\n'
     'msgstr[0] "이야기 %(num)d편"\nmsgstr[1] "이야기들"', 4,  # the line of the extra msgstr[1]
     "cannot read this catalogue: this entry has more msgstr[N] plural forms than the Plural-Forms header allows"),
    ('msgid "Read the stories in %(language)s."', '#, python-format\nmsgid "Read the stories in %(language)s."\n'
     'msgstr "%(lang)s로 읽어 보세요."', 1,
     "translation of 'Read the stories in %(language)s.' uses %(lang)s, which the source string does not have"),
    ('msgid "Feed"', '#, fuzzy\nmsgid "Feed"\nmsgstr "피드"', 1, "warning: 'Feed' is fuzzy"),
    (None, '#~ msgid "Old string"\n#~ msgstr "옛 문자열"', 0, "warning: obsolete entry 'Old string' (#~)"),
])
def test_catalogue_findings_name_the_po_file_and_line(translated, msgid, entry, offset, expected):
    po_file = translated / "locales/ko_KR/LC_MESSAGES/messages.po"
    text, line = replace_entry(po_file.read_text(encoding="utf-8"), msgid, entry)
    po_file.write_text(text, encoding="utf-8")
    result = cli(translated, "check")
    assert f"locales/ko_KR/LC_MESSAGES/messages.po:{line + offset}: {expected}" in result.err


def test_wrong_plural_forms_header_is_an_error_with_its_line(translated):
    po_file = translated / "locales/ko_KR/LC_MESSAGES/messages.po"
    korean = get_plural("ko_KR")  # CLDR's plural forms, as the installed Babel has them
    wrong = korean.num_plurals + 1
    text = re.sub(r'"Plural-Forms: [^"]*"', f'"Plural-Forms: nplurals={wrong}; plural=(n != 1);\\\\n"',
                  po_file.read_text(encoding="utf-8"), count=1)
    po_file.write_text(text, encoding="utf-8")
    line = text[: text.index('"Plural-Forms')].count("\n") + 1
    result = cli(translated, "check")
    assert result.code == 1
    assert (f"{po_file.relative_to(translated)}:{line}: Plural-Forms says nplurals={wrong}, but ko_KR has "
            f"{korean.num_plurals} plural form") in result.err
