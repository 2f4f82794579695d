"""Whole pages kept between builds, reused only when a digest of everything the page shows is unchanged.

A page's HTML is a pure function of: its source bytes and place (document key, language, URL), its
rendered Markdown (reused only when the Markdown cache says it is still valid: the pages it links to and
the files it shows are checked again), its illustration, and a digest of its language's whole section:
every document's key, URL and front matter, the story cards (titles, summaries, dates, hashed hero
files), the URL of every document in every language (alternates, hreflang), the templates' and the
catalogues' bytes, the static files' hashed names, site.toml and the configuration actually used, the
build options, and smallsite's own code and its libraries' files; in a preview, also the bytes of the
original a translation was made from (its stale notice). That is deliberately coarse (STYLE.md rule 8: a
full rebuild is the truth, caches only skip work): a body edit re-renders that page, a title edit
re-renders its language, a template edit re-renders everything. A page's warnings are kept with it, so a
build prints the same problems from a warm cache as from a cold one. A preview (serve) keeps its own file.
A corrupt file, or one written by other code, is ignored, never trusted (tests/test_page_cache.py).

A page a build writes to the output folder is not kept twice: its entry names the file and holds the
digest of its bytes, and is a hit only while that file still has them. A page no folder holds
(`check`, a preview) keeps its compressed HTML."""

from __future__ import annotations

import hashlib
import os
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from .store import CACHE_DIR, KeptEntries, code_digest, read_cache_file, read_kept_bytes
from ..build.fonts import faces_identity
from ..model.project import CONFIG_NAME, LOCALES_DIR, TEMPLATES_DIR
from ..model.site import Document, Site
from ..model.problems import Problem, plain

if TYPE_CHECKING:
    from ..build.options import BuildOptions

CACHE_FILE = "pages.bin"
PREVIEW_CACHE_FILE = "pages-preview.bin"
FORMAT = 3  # 3: a page written to the output folder is kept as its file's name and digest
# For the pages no output folder holds: the fastest level, since the file is rewritten by every build
# and pages shrink well even so. Expanding is as fast at any level.
COMPRESSION = 1
# Folders whose every file a page may depend on (templates include each other; catalogues per language).
_INPUT_FOLDERS = (TEMPLATES_DIR, LOCALES_DIR)

# (data, the HTML's length, the template's problems as plain tuples, file), which marshal stores as they
# are. `file` is "" when `data` is the zlib-compressed HTML; else the output file the page was written to,
# and `data` the SHA-256 digest of its bytes.
Entry = tuple


@dataclass
class PageCache(KeptEntries):
    """Entries read at the start of a build, and those this build used or made (the ones saved)."""

    path: Path | None
    code: str
    entries: dict[str, Entry]
    used: dict[str, Entry] = field(default_factory=dict)
    changed: bool = False
    # Set by `digest_sections` (the memo's start_pages): a digest per language of everything site-wide
    # its pages may show.
    sections: dict[str, str] = field(default_factory=dict)
    preview: bool = False
    # Where this build writes its pages (set by the memo's writes_to, when the build has an output folder): its new entries
    # point there instead of holding the HTML.
    output_dir: str | None = None

    @property
    def header(self) -> str:
        return _header(self.code)


def load_page_cache(root: Path | None, preview: bool = False) -> PageCache:
    """The cache under root/.cache, or an empty one that keeps nothing (no root). A preview (serve) keeps
    its own: its pages differ, and each would otherwise empty the other's."""
    code = code_digest()
    if root is None:
        return PageCache(None, code, {})
    path = root / CACHE_DIR / (PREVIEW_CACHE_FILE if preview else CACHE_FILE)
    return PageCache(path, code, _read_entries(path, code))


def _read_entries(path: Path, code: str) -> dict[str, Entry]:
    """The file's entries, when this code made it and every entry is whole; else none."""
    entries = read_cache_file(path, _header(code))
    return entries if all(_well_formed(entry) for entry in entries.values()) else {}


def _well_formed(entry) -> bool:
    return (isinstance(entry, tuple) and len(entry) == 4 and isinstance(entry[0], bytes)
            and isinstance(entry[1], int) and isinstance(entry[2], tuple) and isinstance(entry[3], str))


def _header(code: str) -> str:
    return f"smallsite-page-cache {FORMAT} {code}"


def _folder_digest(digest, folder: Path) -> None:
    """Every file's name and bytes under folder (none when it is missing), in a stable order. Linked
    folders are followed, as Jinja follows them when it opens a template through one (each real folder
    once: a link to a folder above is no endless walk); links out of the project are refused by the build."""
    if not folder.is_dir():
        digest.update(b"<none>\0")
        return
    seen: set[str] = set()
    for current, dirs, names in os.walk(folder, followlinks=True):
        real = os.path.realpath(current)
        if real in seen:
            dirs.clear()
            continue
        seen.add(real)
        dirs.sort()
        for name in sorted(names):
            path = Path(current) / name
            digest.update(path.relative_to(folder).as_posix().encode("utf-8", "surrogatepass") + b"\0")
            try:
                digest.update(path.read_bytes())
            except OSError:
                digest.update(b"<unreadable>")
            digest.update(b"\0")


def digest_sections(cache: PageCache, site: Site, static_urls: dict[str, str], cards: dict[str, list[dict]],
            options: BuildOptions) -> None:
    """Compute each language's section digest, once per build (before pages render, in this process).
    `options`: the build's (a preview keeps its own pages)."""
    config = site.config
    cache.preview = options.preview
    common = hashlib.sha256(cache.code.encode())
    common.update(repr((options.preview, options.drafts, options.strict)).encode())
    common.update(repr(config).encode("utf-8", "surrogatepass"))
    try:
        common.update((config.root / CONFIG_NAME).read_bytes())
    except OSError:
        common.update(b"<no site.toml>")
    for folder in _INPUT_FOLDERS:
        common.update(folder.encode() + b"\0")
        _folder_digest(common, config.root / folder)
    common.update(repr(sorted(static_urls.items())).encode("utf-8", "surrogatepass"))
    if config.share_cards:  # a page names its share card, whose name depends on the faces it is drawn in
        common.update(faces_identity().encode("utf-8", "surrogateescape"))
    # Every document everywhere: the language switcher and hreflang link to the other languages' URLs.
    common.update(repr([(d.key, d.lang, d.url_path, d.page.lang, d.page.shown) for d in site.documents])
                  .encode("utf-8", "surrogatepass"))
    for lang in config.languages:
        section = common.copy()
        section.update(lang.code.encode() + b"\0")
        # Every page of the section, front matter whole (by its text's digest, which the page carries:
        # the text alone decides it): cards, navigation and titles come from it. Not the bodies: a page
        # shows only its own (and its source's digest, in `html_key`).
        section.update(repr([(d.key, d.url_path, d.page.lang, d.page.shown, d.page.front_digest)
                             for d in site.documents if d.lang == lang.code]).encode("utf-8", "surrogatepass"))
        section.update(repr(cards.get(lang.code)).encode("utf-8", "surrogatepass"))
        cache.sections[lang.code] = section.hexdigest()


def html_key(cache: PageCache, site: Site, document: Document, markdown_key: str, hero: object) -> str | None:
    """The digest of everything this document's page shows (None when the cache is not prepared)."""
    section = cache.sections.get(document.lang)
    if section is None:
        return None
    # The original's bytes: a preview marks a translation stale when its source has changed since (a
    # published build never does, so there a body edit re-renders that page alone).
    original = site.pages.get((document.key, site.config.default_language)) if cache.preview else None
    digest = hashlib.sha256(section.encode())
    for part in (document.key, document.lang, document.url_path, document.page.lang, document.page.shown,
                 document.page.digest, str(document.page.body_line), original.digest if original else "",
                 markdown_key, repr(hero)):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


def cached_page(cache: PageCache, key: str | None) -> tuple[bytes, tuple[Problem, ...]] | None:
    """A page's HTML and its template's problems, when this key was rendered before (and, for a page
    kept as its output file, that file still holds what was written)."""
    entry = cache.entries.get(key) if key is not None else None
    if entry is None:
        return None
    data, length, problems, file = entry
    try:
        if file:
            html = read_kept_bytes(file, 0, length, data, whole=True)
            if html is None:
                return None  # changed or gone since: rendered again
        else:
            html = zlib.decompress(data, bufsize=max(length, 1))  # one allocation of the right size
        return html, tuple(Problem(*problem) for problem in problems)
    except (OSError, zlib.error, TypeError, ValueError):
        return None  # a damaged entry is re-rendered, never trusted


def new_entry(html: bytes | None, problems: Iterable[Problem], file: str | None) -> Entry | None:
    """What to keep of a freshly rendered page (nothing when its template failed): the name and digest of
    the file it is written to (`output_file`), in a build that writes one; else the HTML."""
    if html is None:
        return None
    if file is not None:
        return hashlib.sha256(html).digest(), len(html), plain(problems), file
    return zlib.compress(html, COMPRESSION), len(html), plain(problems), ""


def output_file(cache: PageCache, url_path: str) -> str | None:
    """The file this build writes a page to (None when it writes no output folder)."""
    if cache.output_dir is None:
        return None
    return os.path.join(cache.output_dir, *(url_path + "index.html").split("/"))
