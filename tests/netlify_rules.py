"""`_headers` and `_redirects` read as Netlify documents them (docs.netlify.com/manage/routing/headers/,
.../redirects/overview/, .../redirects/redirect-options/), to answer a request the way Netlify would
from a published folder:

- _headers: a line at the margin is a path; the indented `Name: value` lines under it are its headers;
  `#` starts a comment. `*` matches anything (a final `/*` matches the folder without its slash too),
  `:name` one path segment. Every rule whose path matches applies. Netlify does not document what two
  matching rules that set one header give (its CLI keeps the last); Cloudflare Pages, which reads the
  same file, joins the values with ", ". This reader joins them, so a test sees any such overlap.
- _redirects: `from to [status][!] [Key=value ...]`, one rule a line, the first that matches wins. A rule
  that is not forced (`!`) does not apply where a file answers the address (shadowing): so `/ko/* ...
  404` serves ko/404.html with status 404 only for missing addresses. 301 and 302 redirect, 200
  rewrites, 404 rewrites with status 404. `Language=ko,ja` matches "the first language reported by the
  browser in the Accept-Language header regardless of quality value weighting", overridden by the
  nf_lang cookie; its primary subtag, as Netlify's CLI compares it.
- A missing address no rule answers gets the top 404.html, with status 404."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path


class RulesError(ValueError):
    pass


@dataclass
class HeaderRule:
    path: str
    headers: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class RedirectRule:
    source: str
    target: str
    status: int
    forced: bool
    conditions: dict[str, list[str]]


def read_headers(text: str) -> list[HeaderRule]:
    rules: list[HeaderRule] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.strip().startswith("#"):
            continue
        if not line[0].isspace():
            if not line.startswith("/"):
                raise RulesError(f"_headers:{number}: a path starts with /: {line!r}")
            rules.append(HeaderRule(line.strip()))
            continue
        name, colon, value = line.strip().partition(":")
        if not rules or not colon or not re.fullmatch(r"[A-Za-z0-9-]+", name):
            raise RulesError(f"_headers:{number}: not 'Name: value' under a path: {line!r}")
        rules[-1].headers.append((name, value.strip()))
    return rules


def read_redirects(text: str) -> list[RedirectRule]:
    rules = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.strip().startswith("#"):
            continue
        words = line.split()
        if len(words) < 2 or not words[0].startswith("/"):
            raise RulesError(f"_redirects:{number}: 'from to [status] [conditions]': {line!r}")
        status, forced, conditions = 301, False, {}
        for word in words[2:]:
            if re.fullmatch(r"\d{3}!?", word):
                status, forced = int(word[:3]), word.endswith("!")
            elif "=" in word:
                key, _, value = word.partition("=")
                conditions[key] = value.split(",")
            else:
                raise RulesError(f"_redirects:{number}: {word!r} is neither a status nor a condition")
        rules.append(RedirectRule(words[0], words[1], status, forced, conditions))
    return rules


def _pattern(path: str) -> re.Pattern:
    folder = path.endswith("/*")
    parts = re.split(r"(\*|:[A-Za-z]\w*)", path[:-2] if folder else path)
    regex = "".join(".*" if part == "*" else "[^/]+" if part.startswith(":") else re.escape(part) for part in parts)
    return re.compile(regex + ("(?:/.*)?" if folder else ""))


def headers_for(rules: list[HeaderRule], path: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for rule in rules:
        if _pattern(rule.path).fullmatch(path):
            for name, value in rule.headers:
                key = name.lower()
                found[key] = f"{found[key]}, {value}" if key in found else value
    return found


@dataclass
class Answer:
    status: int
    file: Path | None = None  # what is sent
    location: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


def _file_for(folder: Path, path: str) -> Path | None:
    """The file that answers an address; a folder's index.html with or without the slash (Netlify
    normalizes the slash before its rules, and sends /about to /about/)."""
    relative = path.lstrip("/")
    candidate = folder / relative
    if path.endswith("/") or not relative or candidate.is_dir():
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


def _language(cookies: dict[str, str], accept_language: str) -> str | None:
    if cookies.get("nf_lang"):
        return cookies["nf_lang"].lower()
    first = accept_language.split(",")[0].split(";")[0].strip()
    return first.split("-")[0].lower() or None


def answer(folder: Path, path: str, accept_language: str = "", cookies: dict[str, str] | None = None) -> Answer:
    """What Netlify sends for GET `path` from a site published from `folder` (its _headers, _redirects)."""
    headers = read_headers((folder / "_headers").read_text(encoding="utf-8"))
    redirects = read_redirects((folder / "_redirects").read_text(encoding="utf-8"))
    existing = _file_for(folder, path)
    language = _language(cookies or {}, accept_language)
    for rule in redirects:
        if not _pattern(rule.source).fullmatch(path):
            continue
        wanted = rule.conditions.get("Language")
        if wanted is not None and language not in [value.lower() for value in wanted]:
            continue
        if existing is not None and not rule.forced:
            break  # shadowed: the file answers
        if rule.status in (301, 302):
            return Answer(rule.status, location=rule.target, headers=headers_for(headers, path))
        return Answer(rule.status, file=_file_for(folder, rule.target), headers=headers_for(headers, path))
    if existing is not None:
        return Answer(200, file=existing, headers=headers_for(headers, path))
    return Answer(404, file=_file_for(folder, "/404.html"), headers=headers_for(headers, path))
