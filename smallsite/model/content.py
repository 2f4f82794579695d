"""Find the sources in content/ and read each into a Page: front matter checked, body kept as Markdown."""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Mapping, NamedTuple

from .config import SiteConfig
from .frontmatter import FrontMatter, parse_front_matter, split_source
from .ignored import is_ignored_name
from .links import OutwardLink, is_inside
from .names import MAX_NAME_BYTES, form_clash, form_clashes, nfc
from .problems import WARNING, Problem, display_path
from .project import CONTENT_DIR

STORIES_SECTION = "stories"
SOURCE_NAME = re.compile(r"^(?P<stem>.+)\.(?P<lang>[a-z]{2,3}(?:-[a-z0-9]+)*)\.md$")
SAFE_SEGMENT = re.compile(r"^[^/\\\x00-\x1f?#%<>\"|*:]+$")
# The files the build writes in a language's folder beside its pages (build/rendering.py): no page may be there.
LANGUAGE_FILES = {"feed.xml": "Atom feed"}
# Sources past this many bytes are named in a warning: Python-Markdown's time grows faster than a page.
LARGE_SOURCE_BYTES = 1_000_000


@dataclass(frozen=True)
class SourceFile:
    """A Markdown file found in content/, with the page key and language its name gives."""

    path: Path
    shown: str  # the path an editor reads in messages: content/stories/x.en.md
    key: str  # '' for the home page, 'about', 'stories/kenya-hockey': in NFC (names.py), whatever the file's name
    lang: str


@dataclass(frozen=True)
class Page:
    """One source page in one language, read and checked."""

    key: str
    lang: str
    path: Path
    shown: str
    front: FrontMatter
    body: str | None  # None in a page from the build record: `with_body` reads it again from the source
    body_line: int
    digest: str  # of the source bytes: cache key, and what a translation records it was made from
    front_digest: str  # of the front matter's text, which alone decides `front`
    url_path: str  # relative to the base URL: 'en/stories/kenya-hockey/'
    slug_line: int | None = None  # the line of the front matter's slug, when it has one

    @property
    def kind(self) -> str:
        """'home', 'story' or 'page': which template shows it."""
        if self.key == "":
            return "home"
        return "story" if self.key.startswith(STORIES_SECTION + "/") else "page"

    @property
    def folder(self) -> Path:
        """Where relative links and images in this page are resolved from."""
        return self.path.parent


def find_sources(config: SiteConfig, known_paths: Mapping[str, Path] | None = None
                 ) -> tuple[list[SourceFile], list[Problem]]:
    """Every page source under content/, in a stable order, and the files that cannot be pages.
    `known_paths`: Path objects a build already has for sources (by their names from the project folder,
    content/...), used rather than made again (a rebuild has one for every source already)."""
    root = config.root / CONTENT_DIR
    codes = {lang.code for lang in config.languages}
    sources: list[SourceFile] = []
    problems: list[Problem] = []
    if not root.is_dir():
        return [], [Problem(CONTENT_DIR, None, "no content/ folder: pages are content/<path>.<lang>.md")]
    project = config.root.resolve()
    known_paths = known_paths or {}
    # Linked folders are not entered (as os.walk), so every folder below content/ is really where content/
    # really is: resolved once, not per folder or file. Strings, not pathlib, for the same reason.
    real_top, project_top = os.fspath(root.resolve()), os.fspath(project) + os.sep
    if not is_inside(real_top, os.fspath(project)):
        return [], [Problem(CONTENT_DIR, None, OutwardLink(CONTENT_DIR, real_top).message)]

    def scan(folder: str, folder_parts: list[str], key_parts: list[str]) -> None:
        """`folder_parts`: the folder's names below content/ as the file system holds them;
        `key_parts`: the same in NFC, which the pages' keys and URLs are made of."""
        try:
            entries = list(os.scandir(folder))
        except OSError:  # gone, or not readable: as os.walk, skip it
            return
        files, folders = [], []
        for entry in entries:
            try:
                is_folder = entry.is_dir()
            except OSError:
                is_folder = False
            (folders if is_folder else files).append(entry)
        real_folder = os.path.join(real_top, *folder_parts)
        shown_folder = (real_folder[len(project_top):].replace(os.sep, "/")
                        if real_folder.startswith(project_top) else None)
        relative_folder = "/".join([CONTENT_DIR, *folder_parts])
        files.sort(key=_name)
        folders.sort(key=_name)
        # Two names one file system keeps apart but a page's URL (NFC) and a Mac's folder cannot.
        clashing = form_clashes(entry.name for entry in (*files, *folders) if not is_ignored_name(entry.name))
        place = shown_folder if shown_folder is not None else relative_folder
        for name, first in clashing:
            problems.append(Problem(f"{place}/{name}", None, form_clash(name, first, f"{place}/{first}")))
        left_out = {name for name, _ in clashing}
        for entry in files:
            name = entry.name
            if not name.endswith(".md") or is_ignored_name(name) or name in left_out:
                continue
            path = known_paths.get(f"{relative_folder}/{name}") or Path(entry.path)
            if _is_link(entry):  # a file that is a link is shown as where it really is
                real = os.path.realpath(entry.path)
                if not is_inside(real, os.fspath(project)):  # never read (links.py)
                    link = f"{relative_folder}/{name}"
                    problems.append(Problem(link, None, OutwardLink(link, real).message))
                    continue
                shown = display_path(path, project)
            else:
                shown = f"{shown_folder}/{name}" if shown_folder is not None else str(path)
            match = SOURCE_NAME.match(name)
            if not match:
                problems.append(Problem(shown, None, "no language in the file name: name it like "
                                        f"{name[:-3]}.{config.default_language}.md"))
                continue
            if match["lang"] not in codes:
                if match["lang"] not in config.all_language_codes:
                    problems.append(Problem(shown, None, f"language '{match['lang']}' is not in site.toml"))
                continue
            stem = nfc(match["stem"])
            parts = key_parts + ([stem] if stem != "index" else [])
            sources.append(SourceFile(path, shown, "/".join(parts), match["lang"]))
        for entry in folders:
            if not is_ignored_name(entry.name) and not _is_link(entry) and entry.name not in left_out:
                scan(entry.path, [*folder_parts, entry.name], [*key_parts, nfc(entry.name)])

    scan(os.fspath(root), [], [])
    return sources, problems


def _name(entry: os.DirEntry) -> str:
    return entry.name


def _is_link(entry: os.DirEntry) -> bool:
    """Where a folder's listing gives no file types, asking costs an lstat, which a folder that can be
    listed but not entered refuses: such a file is taken as no link (as os.path.islink does), and
    read_page then says it cannot be read."""
    try:
        return entry.is_symlink()
    except OSError:
        return False


class SourceRead(NamedTuple):
    """What reading one source gave: its page (None when it cannot be used) and the problems met."""

    page: Page | None
    problems: tuple[Problem, ...]


def read_page(source: SourceFile, include_drafts: bool, earlier: Page | None = None
              ) -> tuple[Page | None, list[Problem]]:
    """Read one source into a Page; None (with problems) when it cannot be used. `earlier`: this source's
    page as an earlier build read it, whose front matter is kept when its text is unchanged."""
    try:
        data = source.path.read_bytes()
    except OSError as exc:  # a link to nowhere, a file without read permission, one removed meanwhile
        return None, [Problem(source.shown, None, f"cannot be read: {exc.strerror or exc}")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, [Problem(source.shown, line, "not UTF-8 text: save the file as UTF-8")]
    split = split_source(text)
    # Without its closing '---' the same text is no front matter (parse_front_matter says so): no digest.
    front_digest = "" if split.front is None or not split.closed else \
        hashlib.sha256(split.front.encode("utf-8", "surrogatepass")).hexdigest()
    if earlier is not None and front_digest and earlier.front_digest == front_digest:
        front = earlier.front  # the same text gives the same front matter: no YAML to parse (nor to import)
    else:
        front, problems = parse_front_matter(split, source.shown)
        if front is None:
            return None, problems
    if front.draft and not include_drafts:
        return None, []
    segments = source.key.split("/") if source.key else []
    slug_line = None
    if front.slug is not None:
        slug_line = _field_line(split.front, split.front_line, "slug")
        if not segments:
            return None, [Problem(source.shown, split.front_line, "the home page cannot have a slug")]
        if not SAFE_SEGMENT.match(front.slug) or front.slug in (".", ".."):
            return None, [Problem(source.shown, slug_line, _unsafe_slug(front.slug))]
        segments[-1] = nfc(front.slug)  # a name, as the file names are (names.py)
    problem = _unwritable_segment(source, segments, slug_line)
    if problem is not None:
        return None, [problem]
    url_path = "/".join([source.lang, *segments]) + "/"
    digest = hashlib.sha256(data).hexdigest()
    found = []
    if len(data) > LARGE_SOURCE_BYTES:
        found.append(Problem(source.shown, None, f"{len(data) / 1e6:.1f} MB of Markdown; pages over "
                             f"{LARGE_SOURCE_BYTES / 1e6:g} MB are slow to build (the time Python-Markdown takes "
                             "grows faster than the page): split it into several pages", WARNING))
    return Page(source.key, source.lang, source.path, source.shown, front, split.body, split.body_line,
                digest, front_digest, url_path, slug_line), found


def _unsafe_slug(slug: str) -> str:
    """What is wrong with a slug SAFE_SEGMENT refuses: the character itself when the rule's short form
    does not name it (a slug '100%' was told "no '/', '..' or '?'", which it did not have)."""
    odd = next((character for character in slug if character in '\\#%<>"|*:'), None)
    if odd is None:
        return f"slug '{slug}' must be one URL segment: no '/', '..' or '?'"
    return (f"slug '{slug}' must be one URL segment without '{odd}': a slug may not hold any of "
            "/ ? # % \\ < > \" | * : (a URL or a Windows file name cannot)")


def _unwritable_segment(source: SourceFile, segments: list[str], slug_line: int | None) -> Problem | None:
    """A URL segment no output folder can have: too long a name, or a file the build writes there itself.
    `slug_line`: the line of the slug, which is the last segment (the others come from file names)."""
    for number, segment in enumerate(segments):
        line = slug_line if number == len(segments) - 1 else None
        what = "slug" if line is not None else "name"
        # Four bytes at most a character: only a long segment need be encoded to be measured.
        size = len(segment.encode("utf-8", "surrogatepass")) if len(segment) * 4 > MAX_NAME_BYTES else 0
        if size > MAX_NAME_BYTES:
            return Problem(source.shown, line, f"the {what} '{segment[:40]}...' is {size} bytes long in UTF-8: "
                           f"a URL segment is a folder name, which must be at most {MAX_NAME_BYTES} bytes "
                           "to be written on any file system")
        name = unicodedata.normalize("NFC", segment).casefold() if number == 0 else ""
        if name in LANGUAGE_FILES:
            return Problem(source.shown, line, f"the {what} '{segment}' would put this page at "
                           f"/{source.lang}/{segment}/, where the build writes the language's "
                           f"{LANGUAGE_FILES[name]} ({source.lang}/{name}): choose another")
    return None


# What with_body says of a source that no longer holds the bytes the build read (cli.py looks for it).
SOURCE_CHANGED = "changed while the site was being built: build again"


def with_body(page: Page) -> tuple[Page, Problem | None]:
    """The page with its Markdown body. The build record keeps pages without theirs (they were most of
    its bytes, and a rebuild renders few pages): the source, unchanged since, holds it. A source whose
    bytes are no longer the ones read (saved again while this build ran) gives a problem instead."""
    if page.body is not None:
        return page, None
    try:
        data = page.path.read_bytes()
    except OSError:
        data = None
    if data is None or hashlib.sha256(data).hexdigest() != page.digest:
        return page, Problem(page.shown, None, SOURCE_CHANGED)
    return replace(page, body=split_source(data.decode("utf-8")).body), None


def find_url_clashes(pages: list[Page]) -> list[Problem]:
    """Two pages at one URL: also when they differ only by case or Unicode normalisation,
    since case-insensitive file systems (macOS, Windows) and hosts would mix them up."""
    seen: dict[str, Page] = {}
    problems = []
    for page in pages:
        folded = unicodedata.normalize("NFC", page.url_path).casefold()
        other = seen.setdefault(folded, page)
        if other is not page:
            if page.slug_line is None and other.slug_line is not None:  # named where the slug that clashes is
                page, other = other, page
            problems.append(Problem(page.shown, page.slug_line, f"same URL /{page.url_path} as {other.shown}: "
                                    "rename one of them or give it another slug"))
    return problems


def _field_line(front: str | None, offset: int, name: str) -> int:
    for number, line in enumerate((front or "").split("\n")):
        if line.startswith(name + ":"):
            return offset + number
    return offset
