"""Load site.toml and check it against the declared schema into frozen dataclasses."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, get_origin
from urllib.parse import urlsplit

from babel import Locale, UnknownLocaleError

from .links import outward_link
from .problems import BuildFailed, Problem
from .project import CONFIG_NAME

# What raw HTML written in Markdown becomes (docs/raw-html.md): a safe subset, text, or as written.
RAW_HTML_MODES = ("safe", "escape", "trusted")


def doc(text: str, **kwargs: Any) -> Any:
    """A schema field with its one-line description (shown in errors and the README)."""
    return field(metadata={"doc": text}, **kwargs)


@dataclass(frozen=True)
class Language:
    """One language of the site."""

    code: str = doc("short code used in file names and URLs: en, ko, ja, zh")
    name: str = doc("the language's name in itself: English, 한국어, 日本語, 简体中文")
    locale: str = doc("Babel locale for dates, numbers and plurals: en_GB, ko_KR, ja_JP, zh_Hans_CN")
    tag: str = doc("BCP 47 tag for lang and hreflang: en, ko, ja, zh-Hans")
    title: str = doc("the site's title in this language")
    description: str = doc("the site's description in this language")

    @cached_property  # every page's share tags ask, for its language and each alternate
    def og_locale(self) -> str:
        """Open Graph wants language_TERRITORY (zh_CN), not a script subtag."""
        parsed = Locale.parse(self.locale)
        return f"{parsed.language}_{parsed.territory}" if parsed.territory else parsed.language


@dataclass(frozen=True)
class SiteConfig:
    """The settings of one site, read from site.toml."""

    base_url: str = doc("absolute URL the site is published at, ending in '/': https://example.org/campaign/")
    default_language: str = doc("code of the language pages fall back to")
    languages: tuple[Language, ...] = doc("the languages, in the order the switcher lists them")
    output_dir: str = doc("folder the build writes, relative to the project", default="site")
    raw_html: str = doc("raw HTML in Markdown: 'safe' keeps a safe subset and names what it removes, 'escape' "
                        "shows it as text, 'trusted' keeps it as written (docs/raw-html.md)", default="safe")
    share_cards: bool = doc("draw a share card for every page in its language (docs/share-cards.md); false: "
                            "every page shares static/img/share.png", default=True)
    root: Path = field(default=Path("."), metadata={"internal": True})
    # Every language in site.toml, also those a `--lang` build leaves out.
    all_language_codes: tuple[str, ...] = field(default=(), metadata={"internal": True})

    @property
    def default(self) -> Language:
        return next(lang for lang in self.languages if lang.code == self.default_language)

    @property
    def host(self) -> str:
        """The host the site is published on: its own pictures may be written with it."""
        return urlsplit(self.base_url).hostname or ""

    @property
    def base_path(self) -> str:
        """The URL path the site lives under: '/' or '/campaign/'."""
        return "/" + self.base_url.split("://", 1)[1].partition("/")[2]

    def language(self, code: str) -> Language:
        return next(lang for lang in self.languages if lang.code == code)

    def with_base_url(self, base_url: str) -> "SiteConfig":
        """A copy with another base URL (the --base-url option), checked like the file's."""
        problems = _check_base_url(base_url, "--base-url", None)
        if problems:
            raise BuildFailed(problems)
        return dataclasses.replace(self, base_url=base_url)

    def only_languages(self, codes: list[str]) -> "SiteConfig":
        """A copy that builds only the named languages (the default language always stays)."""
        unknown = [c for c in codes if c not in {lang.code for lang in self.languages}]
        if unknown:
            raise BuildFailed([Problem("--lang", None, f"unknown language {', '.join(unknown)}")])
        keep = set(codes) | {self.default_language}
        return dataclasses.replace(self, languages=tuple(l for l in self.languages if l.code in keep))


def load_config(root: Path) -> SiteConfig:
    """Read and validate root/site.toml; every problem names the key and line."""
    path = root / CONFIG_NAME
    shown = CONFIG_NAME
    outward = outward_link(root, [CONFIG_NAME])  # a file from outside the project is never read (links.py)
    if outward is not None:
        raise BuildFailed([Problem(shown, None, outward.message)])
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise BuildFailed([Problem(shown, None, "no site.toml here: is this a smallsite project?")])
    except UnicodeDecodeError as exc:
        raise BuildFailed([Problem(shown, _line_at(path.read_bytes(), exc.start), "not UTF-8 text")])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or _toml_error_line(str(exc))
        raise BuildFailed([Problem(shown, line, f"not valid TOML: {exc}")])

    lines = _key_lines(text)
    problems: list[Problem] = []
    values = _check_table(SiteConfig, data, (), lines, shown, problems)
    # Meaning is checked even when some keys were wrong, so one run lists every mistake.
    problems += _check_meaning(values, lines, shown)
    if problems:
        raise BuildFailed(problems)
    languages = tuple(Language(**item) for item in values["languages"])
    return SiteConfig(**{**values, "languages": languages}, root=root.resolve(),
                      all_language_codes=tuple(lang.code for lang in languages))


def _check_table(schema: type, data: dict, where: tuple, lines: dict, shown: str,
                 problems: list[Problem]) -> dict:
    """Check one TOML table against a dataclass: unknown keys, missing keys, types."""
    fields = {f.name: f for f in dataclasses.fields(schema) if not f.metadata.get("internal")}
    table_line = lines.get(where)
    for key in data:
        if key not in fields:
            known = ", ".join(sorted(fields))
            problems.append(Problem(shown, lines.get(where + (key,), table_line),
                                    f"unknown setting '{_dotted(where + (key,))}' (known here: {known})"))
    values: dict[str, Any] = {}
    for name, spec in fields.items():
        if name not in data:
            if spec.default is dataclasses.MISSING:
                problems.append(Problem(shown, table_line, f"missing setting '{_dotted(where + (name,))}': "
                                        f"{spec.metadata['doc']}"))
            continue
        value = data[name]
        line = lines.get(where + (name,), table_line)
        if get_origin(spec.type) is tuple or "tuple[" in str(spec.type):
            if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                problems.append(Problem(shown, line, f"'{name}' must be a list of tables ([[{name}]])"))
                continue
            values[name] = [_check_table(Language, item, (name, i), lines, shown, problems)
                            for i, item in enumerate(value)]
        elif spec.type in (bool, "bool"):
            if not isinstance(value, bool):
                problems.append(Problem(shown, line, f"'{_dotted(where + (name,))}' must be true or false, "
                                        f"not {_toml_type(value)}"))
            else:
                values[name] = value
        elif not isinstance(value, str):
            problems.append(Problem(shown, line, f"'{_dotted(where + (name,))}' must be text, "
                                    f"not {_toml_type(value)}"))
        else:
            values[name] = value
    return values


def _check_meaning(values: dict, lines: dict, shown: str) -> list[Problem]:
    """Checks beyond types: unique codes, a known default, real locales, a usable base URL."""
    problems = []
    if "base_url" in values:
        problems += _check_base_url(values["base_url"], shown, lines.get(("base_url",)))
    languages = values.get("languages", [])
    codes = [lang.get("code") for lang in languages]
    if "languages" in values and not languages:
        problems.append(Problem(shown, None, "no [[languages]]: a site needs at least one"))
    for i, lang in enumerate(languages):
        line = lines.get(("languages", i))
        code, locale, tag = lang.get("code"), lang.get("locale"), lang.get("tag")
        if code is not None and not re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]+)*", code):
            problems.append(Problem(shown, lines.get(("languages", i, "code"), line),
                                    f"language code '{code}' must be lower-case letters, like 'en' or 'zh'"))
        if code is not None and codes.index(code) != i:
            problems.append(Problem(shown, line, f"language '{code}' is listed twice"))
        if locale is not None:
            try:
                Locale.parse(locale)
            except (UnknownLocaleError, ValueError):
                problems.append(Problem(shown, lines.get(("languages", i, "locale"), line),
                                        f"'{locale}' is not a locale Babel knows (try en_GB, ko_KR, zh_Hans_CN)"))
        if tag is not None and not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", tag):
            problems.append(Problem(shown, lines.get(("languages", i, "tag"), line),
                                    f"'{tag}' is not a BCP 47 tag (like en, ko, zh-Hans)"))
    default = values.get("default_language")
    if codes and default is not None and default not in codes:
        problems.append(Problem(shown, lines.get(("default_language",)),
                                f"default_language '{default}' is not one of {', '.join(map(str, codes))}"))
    if "output_dir" in values and not values["output_dir"].strip():
        problems.append(Problem(shown, lines.get(("output_dir",)), "output_dir must not be empty"))
    if "raw_html" in values and values["raw_html"] not in RAW_HTML_MODES:
        problems.append(Problem(shown, lines.get(("raw_html",)), f"raw_html '{values['raw_html']}' must be one of "
                                f"{', '.join(repr(mode) for mode in RAW_HTML_MODES)} (docs/raw-html.md)"))
    return problems


def _check_base_url(url: str, shown: str, line: int | None) -> list[Problem]:
    if not re.fullmatch(r"https?://[^/\s]+(/[^\s?#]*)?", url):
        return [Problem(shown, line, f"base_url '{url}' must be an absolute http(s) URL")]
    if not url.endswith("/"):
        return [Problem(shown, line, f"base_url '{url}' must end with '/' (write '{url}/')")]
    return []


def _key_lines(text: str) -> dict[tuple, int]:
    """Map (table..., key) to the line it is set on, so errors can point at it."""
    lines: dict[tuple, int] = {}
    table: tuple = ()
    counts: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if match := re.fullmatch(r"\[\[\s*([\w.-]+)\s*\]\](\s*#.*)?", line):
            name = match.group(1)
            index = counts.get(name, 0)
            counts[name] = index + 1
            table = (name, index)
            lines[table] = number
        elif match := re.fullmatch(r"\[\s*([\w.-]+)\s*\](\s*#.*)?", line):
            table = tuple(match.group(1).split("."))
            lines[table] = number
        elif match := re.match(r"""["']?([\w.-]+)["']?\s*=""", line):
            lines.setdefault(table + (match.group(1),), number)
    return lines


def _dotted(path: tuple) -> str:
    return ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in path).replace(".[", "[")


def _toml_type(value: Any) -> str:
    names = {str: "text", bool: "true/false", int: "a number", float: "a number", list: "a list", dict: "a table"}
    return names.get(type(value), type(value).__name__)


def _toml_error_line(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None


def _line_at(data: bytes, offset: int) -> int:
    return data[:offset].count(b"\n") + 1
