"""Interface strings: read each language's .po, check it, and compile it in memory (no .mo files).

A catalogue that was read, checked and compiled before, with the same bytes, is taken compiled (and
with its warnings) from .cache/catalogues.bin instead: reading .po files with Babel was a twentieth of a
one-story rebuild. A corrupt file, or one written by other code, is ignored."""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from babel.support import NullTranslations, Translations

from .cache_file import code_digest, read_cache_file, write_cache_file
from .config import Language, SiteConfig
from .links import outward_link
from .problems import Problem, display_path, plain

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

LOCALES_DIR = "locales"
DOMAIN = "messages"
CACHE_FILE = Path(".cache") / "catalogues.bin"
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")


def po_path(root: Path, language: Language) -> Path:
    """Where a language's catalogue lives: locales/<locale>/LC_MESSAGES/messages.po."""
    return root / LOCALES_DIR / language.locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@dataclass(frozen=True)
class LoadedCatalogue:
    """A language's checked catalogue and the gettext object templates use."""

    language: Language
    translations: NullTranslations


def load_catalogues(config: SiteConfig, keep_in: Path | None = None) -> tuple[dict[str, LoadedCatalogue],
                                                                          list[Problem]]:
    """Every language's catalogue; the default language may have none (its strings are the source).
    `keep_in`: the project whose .cache/ keeps compiled catalogues between builds (None: keep none)."""
    header = f"smallsite-catalogues {code_digest()}"
    kept = read_cache_file(keep_in / CACHE_FILE, header) if keep_in is not None else {}
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
        key = hashlib.sha256(repr((shown, language.locale)).encode() + b"\0" + data).hexdigest()
        entry = kept.get(key)
        if not (isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], bytes)):
            catalog, found = read_catalogue(path, shown, language)
            if catalog is None:  # errors: nothing to keep, and the build stops
                problems += found
                continue
            entry = (mo_bytes(catalog), plain(found))
        used[key] = entry
        problems += [Problem(*problem) for problem in entry[1]]
        loaded[language.code] = LoadedCatalogue(language, Translations(fp=io.BytesIO(entry[0]), domain=DOMAIN))
    if keep_in is not None and used != kept:
        write_cache_file(keep_in / CACHE_FILE, header, used)
    return loaded, problems


def read_catalogue(path: Path, shown: str, language: Language) -> tuple[Catalog | None, list[Problem]]:
    """Read and check one .po file: syntax, placeholders, plural forms."""
    from babel.messages.pofile import PoFileError, read_po  # only for a catalogue not compiled before

    try:
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language.locale, abort_invalid=True)
    except (PoFileError, ValueError, UnicodeDecodeError) as exc:
        line = _line_from(str(exc))
        if "more translations than num_plurals" in str(exc):
            line = _excess_plural_line(path) or line
        return None, [Problem(shown, line, f"cannot read this catalogue: {_explained(str(exc))}")]
    problems = check_plural_header(catalog, shown, path.read_bytes()) + check_catalogue(catalog, shown)
    return (None if any(p.is_error for p in problems) else catalog), problems


def check_plural_header(catalog: Catalog, shown: str, data: bytes) -> list[Problem]:
    """The Plural-Forms header must have the language's number of forms (CLDR's, as Babel knows them):
    a wrong header makes gettext pick the wrong sentence for a number."""
    from babel.messages.plurals import get_plural

    expected = get_plural(catalog.locale)
    if catalog.num_plurals == expected.num_plurals:
        return []
    line = next((n for n, text in enumerate(data.split(b"\n"), start=1) if text.startswith(b'"Plural-Forms:')),
                None)
    return [Problem(shown, line, f"Plural-Forms says nplurals={catalog.num_plurals}, but "
                    f"{catalog.locale_identifier} has {expected.num_plurals} plural form"
                    f"{'s' if expected.num_plurals != 1 else ''}: write \"Plural-Forms: {expected.plural_forms}\\n\"")]


def check_catalogue(catalog: Catalog, shown: str) -> list[Problem]:
    """Problems a translator must fix before the strings can be used."""
    problems = []
    for message in catalog:
        if not message.id or not message.string or message.fuzzy:
            continue
        ids = message.id if isinstance(message.id, (tuple, list)) else (message.id,)
        strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        source_names = set().union(*(placeholders(i) for i in ids))
        shared_names = set.intersection(*(placeholders(i) for i in ids))
        if len(ids) > 1 and len(strings) != catalog.num_plurals:
            problems.append(Problem(shown, message.lineno, f"{len(strings)} plural forms for '{ids[0]}', "
                                    f"but {catalog.locale_identifier} has {catalog.num_plurals}"))
        empty = [str(index) for index, string in enumerate(strings) if not string]
        if len(ids) > 1 and empty and len(empty) < len(strings):
            # Babel fills a left-out msgstr[N] with ''; gettext would then show nothing for those numbers.
            problems.append(Problem(shown, message.lineno, f"'{ids[0]}' has no msgstr[{', '.join(empty)}]: "
                                    f"{catalog.locale_identifier} needs all {catalog.num_plurals} plural forms"))
        for string in strings:
            if not string:
                continue
            names = placeholders(string)
            extra = names - source_names
            missing = (source_names if len(ids) == 1 else shared_names) - names
            if extra:
                problems.append(Problem(shown, message.lineno, f"translation of '{ids[0]}' uses "
                                        f"{_listed(extra)}, which the source string does not have"))
            if missing:
                problems.append(Problem(shown, message.lineno, f"translation of '{ids[0]}' leaves out "
                                        f"{_listed(missing)}"))
    return problems


def compile_catalogue(catalog: Catalog) -> Translations:
    """The gettext object for a catalogue, compiled in memory so it can never be stale."""
    return Translations(fp=io.BytesIO(mo_bytes(catalog)), domain=DOMAIN)


def mo_bytes(catalog: Catalog) -> bytes:
    """A catalogue compiled as a .mo file would be (fuzzy translations left out, as gettext does)."""
    from babel.messages.mofile import write_mo

    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def placeholders(text: str) -> set[str]:
    """The %(name)s placeholders of a string (Jinja's newstyle gettext fills these)."""
    return {name for name in PLACEHOLDER.findall(text) if name}


def _listed(names: set[str]) -> str:
    return ", ".join(f"%({name})s" for name in sorted(names))


def _excess_plural_line(path: Path) -> int | None:
    """The line of the first msgstr[N] past the header's nplurals (Babel's own count is off by one)."""
    text = path.read_text(encoding="utf-8", errors="replace")
    header = re.search(r"nplurals\s*=\s*(\d+)", text)
    if not header:
        return None
    for number, line in enumerate(text.splitlines(), start=1):
        match = re.match(r"msgstr\[(\d+)\]", line)
        if match and int(match.group(1)) >= int(header.group(1)):
            return number
    return None


def _line_from(message: str) -> int | None:
    # Babel says "... on 12" (PoFileError) or "line 12" (others).
    match = re.search(r"(?:line|on) (\d+)$", message) or re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None


def _explained(message: str) -> str:
    """Babel's words, with what to do when they are about plural forms."""
    message = re.sub(r" on \d+$", "", message)
    if "more translations than num_plurals" in message:
        return ("this entry has more msgstr[N] plural forms than the Plural-Forms header allows; "
                "keep one msgstr per form the language has")
    return message


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


def _first(message_id: str | tuple) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def _forms(string: str | tuple) -> tuple:
    return string if isinstance(string, (tuple, list)) else (string,)
