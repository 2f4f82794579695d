"""Interface strings: read each language's .po, check it, and compile it in memory (no .mo files)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.support import NullTranslations, Translations

from .config import Language, SiteConfig
from .problems import Problem, display_path

LOCALES_DIR = "locales"
DOMAIN = "messages"
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")


def po_path(root: Path, language: Language) -> Path:
    """Where a language's catalogue lives: locales/<locale>/LC_MESSAGES/messages.po."""
    return root / LOCALES_DIR / language.locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@dataclass(frozen=True)
class LoadedCatalogue:
    """A language's checked catalogue and the gettext object templates use."""

    language: Language
    catalog: Catalog | None
    translations: NullTranslations


def load_catalogues(config: SiteConfig) -> tuple[dict[str, LoadedCatalogue], list[Problem]]:
    """Every language's catalogue; the default language may have none (its strings are the source)."""
    loaded: dict[str, LoadedCatalogue] = {}
    problems: list[Problem] = []
    for language in config.languages:
        path = po_path(config.root, language)
        shown = display_path(path, config.root)
        if not path.exists():
            if language.code != config.default_language:
                problems.append(Problem(shown, None, f"no catalogue for {language.name}: interface "
                                        "strings will be in the default language", "warning"))
            loaded[language.code] = LoadedCatalogue(language, None, NullTranslations())
            continue
        catalog, found = read_catalogue(path, shown, language)
        problems += found
        if catalog is not None:
            loaded[language.code] = LoadedCatalogue(language, catalog, compile_catalogue(catalog))
    return loaded, problems


def read_catalogue(path: Path, shown: str, language: Language) -> tuple[Catalog | None, list[Problem]]:
    """Read and check one .po file: syntax, placeholders, plural forms."""
    try:
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language.locale, abort_invalid=True)
    except (PoFileError, ValueError, UnicodeDecodeError) as exc:
        line = _line_from(str(exc))
        reason = re.sub(r"\s+on \d+$", "", str(exc))
        if "more translations than num_plurals" in reason:
            reason = f"more plural forms than {language.locale} has (its Plural-Forms header says how many)"
            line = _excess_plural_line(path) or line
        return None, [Problem(shown, line, f"cannot read this catalogue: {reason}")]
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
        source_names = set().union(*(placeholders(i) for i in ids))
        shared_names = set.intersection(*(placeholders(i) for i in ids))
        if len(ids) > 1 and len(strings) != catalog.num_plurals:
            problems.append(Problem(shown, message.lineno, f"{len(strings)} plural forms for '{ids[0]}', "
                                    f"but {catalog.locale_identifier} has {catalog.num_plurals}"))
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
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


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
    match = re.search(r"(?:line|on) (\d+)$", message) or re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None
