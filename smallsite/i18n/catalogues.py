"""Interface strings: read each language's .po, check it, and compile it in memory (no .mo files).

A catalogue that was read, checked and compiled before, with the same bytes, may be taken compiled (and
with its warnings) from what a build's memo kept (.cache/catalogues.bin): reading .po files with Babel
is slow, and a rebuild seldom changes one."""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from babel.support import NullTranslations, Translations

from ..model.config import Language, SiteConfig
from ..model.links import outward_link
from .po_grammar import check_po
from ..model.problems import WARNING, Problem, display_path, plain
from ..model.project import LOCALES_DIR

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

    from ..build.memo import KeptFile

DOMAIN = "messages"
# A % directive as Python's % operator reads it (the templates format every interface string with %,
# even one with no placeholder): %%, or an optional (name), flags, width, precision and a letter.
DIRECTIVE = re.compile(r"%(?:%|(?:\((?P<name>[^)]*)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?"
                       r"(?P<letter>[diouxXeEfFgGcrsa])?)")
# Letters that take the same kind of value (as msgfmt --check compares python-format strings).
_KIND = {**dict.fromkeys("sra", "string"), **dict.fromkeys("diuoxX", "integer"),
         **dict.fromkeys("eEfFgG", "float"), "c": "character"}


def po_path(root: Path, language: Language) -> Path:
    """Where a language's catalogue lives: locales/<locale>/LC_MESSAGES/messages.po."""
    return root / LOCALES_DIR / language.locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@dataclass(frozen=True)
class LoadedCatalogue:
    """A language's checked catalogue and the gettext object templates use."""

    language: Language
    translations: NullTranslations


def load_catalogues(config: SiteConfig, kept_file: KeptFile | None = None) -> tuple[dict[str, LoadedCatalogue],
                                                                                 list[Problem]]:
    """Every language's catalogue; the default language may have none (its strings are the source).
    `kept_file`: where a build's memo keeps compiled catalogues between builds (None: keep none)."""
    kept = kept_file.read() if kept_file is not None else {}
    used: dict[str, tuple] = {}
    loaded: dict[str, LoadedCatalogue] = {}
    problems: list[Problem] = []
    for language in config.languages:
        path = po_path(config.root, language)
        shown = display_path(path, config.root)
        # Its strings are published: never read from outside the project (links.py).
        outward = outward_link(config.root, path.relative_to(config.root).parts)
        if outward is not None:
            problems.append(Problem(outward.link, None, outward.message))
            continue
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            if language.code != config.default_language:
                problems.append(Problem(shown, None, f"no catalogue for {language.name}: interface "
                                        "strings will be in the default language", "warning"))
            loaded[language.code] = LoadedCatalogue(language, NullTranslations())
            continue
        except OSError as exc:  # a folder, or a file we may not read: an error, not a traceback
            problems.append(Problem(shown, None, f"cannot read this catalogue: {exc.strerror}"))
            continue
        # Everything the kept entry depends on: the bytes, and the language as the warnings name it.
        key = hashlib.sha256(repr((shown, language, language.code == config.default_language)).encode()
                             + b"\0" + data).hexdigest()
        entry = kept.get(key)
        if not (isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], bytes)):
            catalog, found = read_catalogue_bytes(data, shown, language)  # the bytes the key is made of
            if catalog is None:  # errors: nothing to keep, and the build stops
                problems += found
                continue
            if language.code != config.default_language and not any(_translated(m) for m in catalog):
                found.append(Problem(shown, 1, f"no string in this catalogue is translated (each is empty or "
                                     f"fuzzy): {language.name} pages would show the whole interface in the "
                                     "default language", WARNING))
            entry = (mo_bytes(catalog), plain(found))
        used[key] = entry
        problems += [Problem(*problem) for problem in entry[1]]
        loaded[language.code] = LoadedCatalogue(language, Translations(fp=io.BytesIO(entry[0]), domain=DOMAIN))
    if kept_file is not None and used != kept:
        kept_file.write(used)
    return loaded, problems


def read_catalogue(path: Path, shown: str, language: Language) -> tuple[Catalog | None, list[Problem]]:
    """Read and check one .po file: its grammar line by line (po_grammar), then, when that is sound,
    Babel's reading of it: placeholders and plural forms."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [Problem(shown, None, f"cannot read this catalogue: {exc.strerror}")]
    return read_catalogue_bytes(data, shown, language)


def read_catalogue_bytes(data: bytes, shown: str, language: Language) -> tuple[Catalog | None, list[Problem]]:
    """read_catalogue of a .po file's bytes."""
    from babel.core import UnknownLocaleError
    from babel.messages.pofile import PoFileError, read_po  # only for a catalogue not compiled before

    checked = check_po(data, shown, language.locale)
    if checked.problems:
        return None, checked.problems
    try:
        catalog = read_po(checked.lines, locale=language.locale, abort_invalid=True)
    except PoFileError as exc:  # the grammar check should have found it first; Babel counts lines from 0
        why = exc.args[0].rsplit(" on ", 1)[0]
        return None, [Problem(shown, exc.lineno + 1, f"cannot read this catalogue: {why}")]
    except (ValueError, LookupError, UnknownLocaleError) as exc:
        return None, [Problem(shown, 1, f"cannot read this catalogue: {exc}")]
    problems = check_catalogue(catalog, shown)
    return (None if any(p.is_error for p in problems) else catalog), problems


def check_catalogue(catalog: Catalog, shown: str) -> list[Problem]:
    """Problems a translator must fix before the strings can be used."""
    problems = []
    for message in catalog:
        if not message.id or not message.string or message.fuzzy:
            continue
        ids = message.id if isinstance(message.id, (tuple, list)) else (message.id,)
        strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        source_names: dict[str, str] = {}
        for each in ids:
            source_names.update(placeholders(each))
        shared_names = set.intersection(*(set(placeholders(each)) for each in ids))
        if len(ids) > 1 and len(strings) != catalog.num_plurals:
            problems.append(Problem(shown, message.lineno, f"{len(strings)} plural forms for '{ids[0]}', "
                                    f"but {catalog.locale_identifier} has {catalog.num_plurals}"))
        empty = [str(index) for index, string in enumerate(strings) if not string]
        if len(ids) > 1 and empty and len(empty) < len(strings):
            # Babel fills a left-out msgstr[N] with ''; gettext would then show nothing for those numbers.
            problems.append(Problem(shown, message.lineno, f"'{ids[0]}' has no msgstr[{', '.join(empty)}]: "
                                    f"{catalog.locale_identifier} needs all {catalog.num_plurals} plural forms"))
        for string in strings:
            if string:
                required = set(source_names) if len(ids) == 1 else shared_names
                findings = placeholder_findings(string, source_names, required) + line_break_findings(string, ids[0])
                problems += [Problem(shown, message.lineno, f"translation of '{ids[0]}' {finding}")
                             for finding in findings]
    return problems


def compile_catalogue(catalog: Catalog) -> Translations:
    """The gettext object for a catalogue, compiled in memory so it can never be stale."""
    return Translations(fp=io.BytesIO(mo_bytes(catalog)), domain=DOMAIN)


def mo_bytes(catalog: Catalog) -> bytes:
    """A catalogue compiled as msgfmt would: fuzzy and untranslated entries left out, so gettext falls
    back to the English. (Babel's write_mo keeps a plural entry with no form translated, with the English
    singular as every form: Japanese pages then said "3 story".)"""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    translated = Catalog(locale=catalog.locale, domain=catalog.domain, charset=catalog.charset)
    translated.mime_headers = catalog.mime_headers
    translated.fuzzy = catalog.fuzzy
    for message in catalog:
        if message.id and not message.fuzzy and any(_forms(message.string)):
            translated[message.id] = message
    buffer = io.BytesIO()
    write_mo(buffer, translated, use_fuzzy=False)
    return buffer.getvalue()


def placeholders(text: str) -> dict[str, str]:
    """The %(name)s placeholders of a string (Jinja's newstyle gettext fills these): name -> letter."""
    return {match["name"]: match["letter"] for match in DIRECTIVE.finditer(text)
            if match["name"] and match["letter"]}


def placeholder_findings(string: str, source: dict[str, str], required: set[str]) -> list[str]:
    """What is wrong with the % directives of a translation, whose source has the placeholders
    `source` (name -> letter), of which it must keep `required`: each a sentence's end."""
    findings, names, incomplete = [], {}, set()
    for match in DIRECTIVE.finditer(string):
        name, letter, text = match["name"], match["letter"], match.group()
        if text == "%%":
            continue
        if letter is None and name is not None:
            incomplete.add(name)
            findings.append(f"has %({name}) with no conversion letter after it: write "
                            f"%({name}){source.get(name, 's')}")
        elif letter is None or name is None:
            # A lone % fails the page, or takes the next letters as a placeholder ("100% sure").
            findings.append(f"has {text!r}, which is not a placeholder: write %% for a percent sign")
        else:
            names[name] = letter
    extra = {name: letter for name, letter in names.items() if name not in source}
    if extra:
        findings.append(f"uses {_listed(extra)}, which the source string does not have")
    missing = {name: source[name] for name in required - names.keys() - incomplete}
    if missing:
        findings.append(f"leaves out {_listed(missing)}")
    for name in sorted(names.keys() & source.keys()):
        if _KIND[names[name]] != _KIND[source[name]]:
            findings.append(f"writes %({name}){names[name]} where the source has %({name}){source[name]}: "
                            f"keep %({name}){source[name]}")
    return findings


def line_break_findings(string: str, source: str) -> list[str]:
    """A translation begins and ends with a line break (\\n) where its source does (msgfmt --check)."""
    findings = []
    for where, source_has, has in (("begin", source.startswith("\n"), string.startswith("\n")),
                                   ("end", source.endswith("\n"), string.endswith("\n"))):
        if source_has and not has:
            findings.append(f"does not {where} with a line break (\\n) as the source string does")
        elif has and not source_has:
            findings.append(f"{where}s with a line break (\\n), unlike the source string")
    return findings


def _listed(names: dict[str, str]) -> str:
    return ", ".join(f"%({name}){letter}" for name, letter in sorted(names.items()))


@dataclass(frozen=True)
class CatalogueReview:
    """How far one language's interface strings are, against the strings the templates use now."""

    language: Language
    shown: str
    translated: int
    fuzzy: int
    missing: int
    problems: tuple[Problem, ...]  # errors that stop a build, warnings for work left to do


def review_catalogue(config: SiteConfig, language: Language, template: Catalog) -> CatalogueReview:
    """Count and list the strings of `template` this language has translated, fuzzy or missing,
    and the obsolete entries, each with the .po line a translator opens."""
    path = po_path(config.root, language)
    shown = display_path(path, config.root)
    wanted = [m for m in template if m.id]
    if not path.exists():
        return CatalogueReview(language, shown, 0, 0, len(wanted), (Problem(
            shown, None, f"no catalogue for {language.name}: run python build.py i18n init {language.code}",
            "warning"),))
    catalog, problems = read_catalogue(path, shown, language)
    if catalog is None:
        return CatalogueReview(language, shown, 0, 0, len(wanted), tuple(problems))
    translated = fuzzy = missing = 0
    for wanted_message in wanted:
        message = catalog.get(wanted_message.id, wanted_message.context)
        first = _first(wanted_message.id)
        if message is None:
            missing += 1
            problems.append(Problem(shown, None, f"'{first}' is not in this catalogue yet: run "
                                    "python build.py i18n update", "warning"))
        elif not all(_forms(message.string)):
            missing += 1
            problems.append(Problem(shown, message.lineno, f"'{first}' is not translated", "warning"))
        elif message.fuzzy:
            fuzzy += 1
            problems.append(Problem(shown, message.lineno, f"'{first}' is fuzzy (the source changed or "
                                    "the translation was guessed): check it, then remove the fuzzy flag",
                                    "warning"))
        else:
            translated += 1
    used = {(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in wanted}
    for message in catalog:
        if message.id and (_first(message.id), message.context) not in used:
            problems.append(Problem(shown, message.lineno, f"'{_first(message.id)}' is no longer used by "
                                    "the templates: run python build.py i18n update", "warning"))
    for message in catalog.obsolete.values():
        problems.append(Problem(shown, message.lineno, f"obsolete entry '{_first(message.id)}' (#~): no "
                                "template uses it any more; delete it when its translation is of no use",
                                "warning"))
    return CatalogueReview(language, shown, translated, fuzzy, missing, tuple(problems))


def _translated(message) -> bool:
    """Whether a catalogue entry gives readers a translation (as gettext shows it: not fuzzy, no form empty)."""
    return bool(message.id) and not message.fuzzy and all(_forms(message.string))


def _first(message_id: str | tuple) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def _forms(string: str | tuple) -> tuple:
    return string if isinstance(string, (tuple, list)) else (string,)
