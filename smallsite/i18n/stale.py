"""Which translations are current, stale, unmarked or missing; `i18n mark` and `i18n diff`.

A translation records what it was translated from in its front matter: `translated_from: <digest>`,
the digest of the default-language source's file (see `source_digest`). When the source changes, its
digest changes and the translation is stale until a translator updates it and marks it again.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..model.config import SiteConfig
from ..model.content import SourceFile, find_sources, read_page
from ..model.site import Document, Site
from ..model.problems import Problem, display_path
from ..model.project import CONTENT_DIR

DIGEST_LENGTH = 12
FIELD = "translated_from"

# The states of a page in one language, and what a translator does about each.
CURRENT = "translated"  # marked, and the source has not changed since
STALE = "stale"  # marked, but the source has changed since
UNMARKED = "unmarked"  # translated, but never marked: nobody can tell whether it is current
WAITING = "waiting"  # the file exists as a draft (`new story` makes these): readers get the source
MISSING = "missing"  # no file: readers get the source
NEEDS_WORK = (STALE, UNMARKED, WAITING, MISSING)


def source_digest(data: bytes) -> str:
    """The digest a translation records: the first 12 hex digits of the SHA-256 of the source file's
    bytes, after dropping a UTF-8 BOM and turning CRLF/CR into LF (so an editor or git's line-ending
    conversion does not make every translation stale). Front matter counts: a changed title or alt
    text needs translating too."""
    data = data.removeprefix(b"\xef\xbb\xbf").replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return hashlib.sha256(data).hexdigest()[:DIGEST_LENGTH]


@dataclass(frozen=True)
class TranslationState:
    """One page in one (non-default) language, compared with its default-language source."""

    key: str
    lang: str
    state: str
    path: str  # the translation's file, or the file a translator would create
    source: str  # the default-language source's file
    line: int | None  # where `translated_from` is written, when it is
    recorded: str | None
    digest: str  # the source's current digest


def translation_states(config: SiteConfig) -> tuple[list[TranslationState], list[Problem]]:
    """Every published page's state in every other language, in key then site.toml language order.
    Drafts are read too: a draft translation is one waiting for its translator."""
    sources, problems = find_sources(config)
    by_key: dict[str, dict[str, SourceFile]] = {}
    for source in sources:
        by_key.setdefault(source.key, {})[source.lang] = source
    states: list[TranslationState] = []
    default = config.default_language
    for key in sorted(by_key):
        files = by_key[key]
        if default not in files:
            continue  # an original in another language: there is nothing to be stale against
        original, found = read_page(files[default], include_drafts=True)
        problems += found
        if original is None or original.front.draft:
            continue  # not published yet: translations are not due
        data = original.path.read_bytes()
        digest = source_digest(data)
        for language in config.languages:
            if language.code == default:
                continue
            source = files.get(language.code)
            if source is None:
                expected = _translation_path(original.shown, default, language.code)
                states.append(TranslationState(key, language.code, MISSING, expected, original.shown, None,
                                               None, digest))
                continue
            page, found = read_page(source, include_drafts=True)
            problems += found
            if page is None:
                continue
            recorded = page.front.translated_from
            state = (WAITING if page.front.draft else UNMARKED if recorded is None
                     else CURRENT if recorded == digest else STALE)
            states.append(TranslationState(key, language.code, state, source.shown, original.shown,
                                           field_line(source.path.read_bytes(), FIELD), recorded, digest))
    return states, problems


def is_stale_translation(site: Site, document: Document) -> bool:
    """For the preview's notice: a marked translation whose default-language source has changed."""
    recorded = document.page.front.translated_from
    original = site.pages.get((document.key, site.config.default_language))
    if document.is_fallback or recorded is None or original is None or original is document.page:
        return False
    return recorded != source_digest(original.path.read_bytes())


def field_line(data: bytes, name: str) -> int | None:
    """The line a top-level front-matter field is written on, if it is."""
    lines = data.decode("utf-8", "replace").lstrip("\ufeff").splitlines()
    if not lines or lines[0].rstrip() != "---":
        return None
    for number, line in enumerate(lines[1:], start=2):
        if line.rstrip() in ("---", "..."):
            return None
        if line.startswith(name + ":"):
            return number
    return None


def _translation_path(source_shown: str, source_lang: str, lang: str) -> str:
    return source_shown[: -len(f".{source_lang}.md")] + f".{lang}.md"


def source_of(config: SiteConfig, path: Path) -> tuple[SourceFile | None, SourceFile | None, Problem | None]:
    """A translation's file and its default-language source, or the reason there is none."""
    path = path if path.is_absolute() else Path.cwd() / path
    sources, _ = find_sources(config)
    shown = display_path(path, config.root)
    found = next((s for s in sources if s.path.resolve() == path.resolve()), None)
    if found is None:
        why = "no such file" if not path.exists() else f"not a page in {CONTENT_DIR}/ of a language in site.toml"
        return None, None, Problem(shown, None, why)
    if found.lang == config.default_language:
        return found, None, Problem(shown, None, f"this is the {config.default.name} original, not a "
                                    "translation: mark the translations made from it")
    original = next((s for s in sources if s.key == found.key and s.lang == config.default_language), None)
    if original is None:
        expected = _translation_path(found.shown, found.lang, config.default_language)
        return found, None, Problem(shown, None, f"no {config.default.name} original ({expected}) to compare with")
    return found, original, None


def mark_translated(translation: Path, original: Path) -> tuple[str, bool]:
    """Record the original's digest in the translation's front matter; other lines stay as they were.
    Returns the digest and whether the file changed."""
    digest = source_digest(original.read_bytes())
    data = translation.read_bytes()
    newline = b"\r\n" if b"\r\n" in data else b"\n"
    lines = data.split(newline)
    start = 1 if lines and lines[0].lstrip(b"\xef\xbb\xbf").rstrip() == b"---" else None
    if start is None:
        raise ValueError("no front matter: a page starts with '---'")
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in (b"---", b"...")), None)
    if end is None:
        raise ValueError("the front matter has no closing '---'")
    entry = f"{FIELD}: {digest}".encode()
    existing = [i for i in range(start, end) if re.match(rb"translated_from\s*:", lines[i])]
    if existing:
        lines[existing[0]] = entry
    else:
        lines.insert(end, entry)
    updated = newline.join(lines)
    if updated == data:
        return digest, False
    translation.write_bytes(updated)
    return digest, True


@dataclass(frozen=True)
class SourceChange:
    """How a source changed since the version a translation was made from."""

    commit: str | None  # None when the recorded digest is the current one
    diff: str


def find_source_change(root: Path, original: Path, recorded: str) -> SourceChange:
    """Find (with git) the commit whose version of the source has the recorded digest, and diff it
    against the source as it is now. Raises LookupError with the reason when it cannot."""
    current = original.read_bytes()
    if source_digest(current) == recorded:
        return SourceChange(None, "")
    top = _git(root, "rev-parse", "--show-toplevel")
    if top is None:
        raise LookupError("this project is not a git checkout: git keeps the versions to compare")
    relative = original.resolve().relative_to(Path(top.decode().strip()).resolve()).as_posix()
    commits = (_git(root, "log", "--format=%H", "--", relative) or b"").decode().split()
    for commit in commits:
        old = _git(root, "show", f"{commit}:{relative}")
        if old is not None and source_digest(old) == recorded:
            return SourceChange(commit, _unified(old, current, relative, commit))
    raise LookupError(f"no commit of {relative} has digest {recorded}: the translation was marked "
                      "against a version that was never committed")


def _unified(old: bytes, new: bytes, name: str, commit: str) -> str:
    def lines(data: bytes) -> list[str]:
        return data.decode("utf-8", "replace").lstrip("\ufeff").replace("\r\n", "\n").splitlines(keepends=True)

    return "".join(difflib.unified_diff(lines(old), lines(new), f"{name} (translated, {commit[:10]})",
                                        f"{name} (now)"))


def _git(root: Path, *args: str) -> bytes | None:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None
