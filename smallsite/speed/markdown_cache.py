"""Rendered Markdown kept between builds, keyed by a digest of everything a conversion reads.

A page body's HTML depends on its source text and our Markdown set-up (the key), and on two things outside
the page: the URL of each page it links to, and the hashed name of each file it shows. Those are recorded
with the entry and checked again before it is reused, so a renamed slug or a changed image re-renders the
pages that use them. A full rebuild is the truth: the cache only skips work, and a cold, a warm and a stale
cache give byte-identical sites (tests/test_build_cache.py). A file that is corrupt or was written by
another version of smallsite, Python-Markdown or Python is ignored, never trusted.

A body whose page a build writes to the output folder is kept as its place in that file (the file, the
offset and length of its bytes there, and their SHA-256), not as a second copy that every build would
compress. It is used only while the file still holds those bytes; then it
is read from there (a body is re-read only when its page must be rendered again, after a template or
title edit). A body no output folder holds (`check`, `serve`), or that its template does not show as
it is, is kept compressed."""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import markdown as python_markdown
import nh3

from .markdown_accelerator import accelerated_converters
from .store import CACHE_DIR, KeptEntries, code_digest, read_cache_file, read_kept_bytes
from ..build.assets import MediaFile, media_file, resolve_local
from ..build.markdown import EXTENSIONS, LinkContext, MarkdownConverters, RenderedMarkdown
from ..model.problems import Problem, plain

CACHE_FILE = "markdown.bin"
FORMAT = 3  # 3: the HTML is kept compressed, or as its place in the page written to the output folder


def _settings_digest() -> str:
    """What, besides a page, decides its HTML: the entry format, the extensions, the library versions,
    and smallsite's whole code (store.code_digest: so editing any module empties the cache)."""
    return hashlib.sha256(repr((FORMAT, EXTENSIONS, python_markdown.__version__, nh3.__version__,
                                code_digest())).encode()).hexdigest()


# (html, toc, problems, media, link lookups, file lookups); plain tuples so marshal can store them. The
# html is the zlib-compressed bytes, or (output file, offset, length, SHA-256 of the bytes) where a page
# holds it; a new entry has the HTML itself (a str) until `placed` or `record` says which.
Entry = tuple


@dataclass
class MarkdownCache(KeptEntries):
    """Entries read at the start of a build, and those the build used or made (the ones saved)."""

    path: Path | None
    settings: str
    entries: dict[str, Entry]
    used: dict[str, Entry] = field(default_factory=dict)
    changed: bool = False
    # Per build: a media file is hashed once however many pages show it.
    media: dict[Path, MediaFile] = field(default_factory=dict)
    # Markdown instances reused between the pages this build converts (in each process).
    converters: MarkdownConverters = field(default_factory=accelerated_converters, repr=False, compare=False)

    @property
    def hits(self) -> int:
        return sum(1 for key in self.used if key in self.entries)

    def media_file(self, path: Path) -> MediaFile:
        """A media file read and hashed once per build, however many pages show it."""
        if path not in self.media:
            self.media[path] = media_file(path)
        return self.media[path]

    @property
    def header(self) -> str:
        return _header(self.settings)

    def record(self, key: str | None, entry: Entry | None) -> None:
        if entry is not None and isinstance(entry[0], str):  # never placed in a page: kept compressed
            entry = (zlib.compress(entry[0].encode("utf-8", "surrogatepass"), 1), *entry[1:])
        super().record(key, entry)


def load_cache(root: Path | None) -> MarkdownCache:
    """The cache under root/.cache, or an empty one (no root: a build that keeps nothing)."""
    settings = _settings_digest()
    if root is None:
        return MarkdownCache(None, settings, {})
    path = root / CACHE_DIR / CACHE_FILE
    return MarkdownCache(path, settings, _read_entries(path, settings))


def _read_entries(path: Path, settings: str) -> dict[str, Entry]:
    """The file's entries, when it was made with these Markdown settings; else none."""
    return read_cache_file(path, _header(settings))


def _header(settings: str) -> str:
    return f"smallsite-markdown-cache {settings}"


class _RecordingPaths(dict):
    """The language's page URLs, noting every page key a conversion looks up."""

    def __init__(self, paths: dict[str, str]):
        super().__init__(paths)
        self.lookups: dict[str, str | None] = {}

    def get(self, key, default=None):
        value = super().get(key, default)
        self.lookups[key] = value
        return value


def entry_key(context: LinkContext, settings: str) -> str:
    """Digest of the page's text and of where it sits (links and messages depend on both)."""
    page = context.page
    digest = hashlib.sha256(settings.encode())
    for part in (page.shown, str(page.body_line), context.lang, context.base_path, str(context.content_root),
                 str(page.folder), context.raw_html, context.site_host, page.body):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


def render_markdown_cached(context: LinkContext, cache: MarkdownCache, convert: Callable[[], RenderedMarkdown]
                           ) -> tuple[RenderedMarkdown, str, Entry | None]:
    """A page body's HTML from the cache when every recorded lookup still holds, else `convert()`ed anew
    (with `context`, whose lookups are recorded). Returns the key, and the new entry (None for a hit: the
    cache has it) for the caller to `record`."""
    kept, key = cached_markdown(context, cache)
    if kept is not None:
        return kept, key, None
    recording = _RecordingPaths(context.url_paths)
    context.url_paths = recording
    rendered = convert()
    entry = (rendered.html, rendered.toc,
             plain(rendered.problems),
             tuple((str(m.source), m.output_path, m.width, m.height) for m in rendered.media),
             tuple(sorted(recording.lookups.items())), tuple(context.file_lookups))
    return rendered, key, entry


def cached_markdown(context: LinkContext, cache: MarkdownCache) -> tuple[RenderedMarkdown | None, str]:
    """A page body's HTML when the cache has it and every recorded lookup still holds (else None), and its key."""
    key = entry_key(context, cache.settings)
    entry = cache.entries.get(key)
    if entry is not None and _still_valid(entry, context, cache):
        kept = _from_entry(entry, cache.media)
        if kept is not None:
            return kept, key
    return None, key


def _still_valid(entry: Entry, context: LinkContext, cache: MarkdownCache) -> bool:
    links, files = entry[4], entry[5]
    if any(context.url_paths.get(key) != url for key, url in links):
        return False
    for reference, output_path in files:
        path, _ = resolve_local(reference, context.page.folder, context.content_root, context.page.shown, None)
        if path is None:
            if output_path is not None:
                return False
            continue
        try:
            if cache.media_file(path).output_path != output_path:
                return False
        except OSError:
            return False
    return True


def placed(entry: Entry, html: str, page: bytes, file: str) -> Entry:
    """The entry for a body whose page, `page`, is written to `file`: its HTML as its place there, when
    the page shows it as it is (else the entry as it is, for `record` to compress)."""
    body = html.encode("utf-8", "surrogatepass")
    offset = page.find(body)
    if offset < 0 or not body:
        return (html, *entry[1:])
    return ((file, offset, len(body), hashlib.sha256(body).digest()), *entry[1:])


def _from_entry(entry: Entry, known: dict[Path, MediaFile]) -> RenderedMarkdown | None:
    """The entry as a conversion's result; None when its HTML cannot be had as it was kept (a damaged
    entry, or a page file changed or gone since)."""
    kept, toc, problems, media = entry[:4]
    try:
        if isinstance(kept, tuple):
            file, offset, length, digest = kept
            body = read_kept_bytes(file, offset, length, digest)
            if body is None:
                return None
            html = body.decode("utf-8", "surrogatepass")
        else:
            html = zlib.decompress(kept).decode("utf-8", "surrogatepass")
    except (OSError, zlib.error, TypeError, ValueError):
        return None
    # The media files as the cache knows them now (_still_valid asked for each): a photo's renditions
    # are not in the entry's plain tuples.
    return RenderedMarkdown(html, toc, tuple(Problem(*p) for p in problems),
                            tuple(known.get(Path(source)) or MediaFile(Path(source), output, width, height)
                                  for source, output, width, height in media))
