"""What the last build knew, kept for the next: every source as it was read, every page as it was written.

A rebuild after an editor's save has little to do: build_stamp's scan says which input files changed,
so every other source's page is taken from here instead of being read and parsed again, and every page
that is provably what the last build wrote is left as it is in the output folder, without even being
looked up in the page cache. A page is provably the same when its output file is untouched since the
last build wrote it and its page-cache key (page_cache.py), computed now as for any page, is the one it
was written with. Two parts of that key are taken from the record instead of being worked out again:
the page's Markdown key and its illustration. Both are functions of the page's source and of files in
content/, so they are used only while the source and every other file in content/ are unchanged (the
links' URLs, which decide whether a Markdown entry is still valid, are in the key's section digest).
The options and smallsite's code are the same by construction: the record belongs to the stamp of the
same request. Anything that cannot be proved is rendered (or taken from the caches) as in any build, so
the site is the same as a build from scratch (tests/test_build_record.py).

The feeds, sitemap, robots.txt, chooser and 404 page read nothing that the languages' section digests
do not cover (the documents, their front matter and URLs, site.toml, templates, catalogues): when no
section digest changed and the files are untouched, they are left as well.

The file is a pickle (Pages are frozen dataclasses) under .cache/, like the other caches: ignored when
it is damaged, from other code, or from a build other than the one the stamp describes. Its pages have no
body: the few a rebuild renders read theirs again from their sources, checked against the digest of the
bytes first read (content.with_body)."""

from __future__ import annotations

import copyreg
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from .build_stamp import InputScan, output_records, stamp_path
from .store import write_atomically
from ..model.content import Page, SourceRead
from ..model.project import CONFIG_NAME, CONTENT_DIR
from ..model.site import Document, Site
from .page_cache import PageCache, html_key
from ..build.assets import MediaFile
from ..build.render import Illustration
from ..model.problems import Problem, plain

if TYPE_CHECKING:
    from ..build.rendering import SiteRendering
    from .memo import DiskMemo

FORMAT = 5  # 3: sources as content.SourceRead, story cards as memo.KeptCard, illustrations as render.Illustration
# 4: share cards as planned (cards.PlannedCard); 5: media files and illustrations with a photo's renditions


@dataclass(frozen=True)
class WrittenPage:
    """A page as the last build wrote it: the cache keys it had, its warnings and the media it uses."""

    markdown_key: str
    page_key: str
    problems: tuple  # (path, line, message, severity) tuples
    media: tuple  # MediaFile objects
    hero: Illustration | None  # as render.resolve_hero gave it: part of the page key


@dataclass(frozen=True)
class BuildRecord:
    """What a build knew at its end (plain data, pickled for the next build)."""

    reads: dict[str, SourceRead]  # source path, relative to the project -> as read
    sections: dict[str, str]  # language -> its section digest (page_cache.digest_sections)
    pages: dict[str, WrittenPage]  # output path -> the page written there
    media: dict[str, object]  # file in content/, relative to the project -> its MediaFile (hashed name, size)
    # The files for the whole site (feeds, sitemap, robots.txt, the chooser and 404 pages), and their
    # templates' problems: all of them depend only on what every language's section digest covers.
    site_files: tuple[tuple[str, ...], tuple] = ((), ())
    # (document key, language) -> memo.KeptCard: what the memo gives again for a story that is as it was.
    cards: dict = field(default_factory=dict)
    # (document key, language) -> cards.PlannedCard: a page's share card, which holds while its page does.
    share_cards: dict = field(default_factory=dict)


@dataclass(frozen=True)
class PreviousBuild:
    """The last build's record, narrowed to what still holds now."""

    reads: dict[Path, SourceRead]  # sources whose files are unchanged -> as read
    sections: dict[str, str]
    pages: dict[str, WrittenPage]  # only pages whose output file is untouched since it was written
    intact: frozenset[str]  # every output file untouched since the last build wrote it
    outputs: dict[str, tuple]  # every file in the output folder as this build began (build_stamp's records)
    folders: list[str]  # and every folder in it
    media: dict[Path, object]  # media files that are unchanged -> their MediaFile
    site_files: tuple[tuple[str, ...], tuple] = ((), ())
    cards: dict = field(default_factory=dict)  # the story cards, when site.toml is unchanged (base path)
    changed_files: frozenset[Path] = frozenset()  # content files added, changed or removed since
    paths: dict[str, Path] = field(default_factory=dict)  # every recorded source's Path, by its name
    changed_reads: dict[Path, SourceRead] = field(default_factory=dict)  # sources changed since -> as read then
    share_cards: dict = field(default_factory=dict)  # (key, language) -> the share card as planned

    def unchanged_source(self, path: Path) -> bool:
        return path in self.reads


def pages_still_written(previous: PreviousBuild, pages: PageCache, site: Site,
                        documents: list[Document]) -> dict[tuple[str, str], WrittenPage]:
    """(key, language) -> the page as written, for each page the output folder holds as this build would
    write it: its page-cache key, computed now, is the one it was written with. Its Markdown key (with
    the validity of that entry: its links' URLs are in the section digest) and its illustration are
    taken as recorded, which holds while its source and every other file in content/ are as they were."""
    if not pages.sections:
        return {}
    # Every changed file in content/ must be the source of a page: any other (an illustration, a linked
    # file, a draft shown as a file) may be shown by some page, and its Markdown key would not say so.
    sources = {page.path for page in site.pages.values()}
    if not previous.changed_files <= sources:
        return {}
    # In a language whose section digest is the one the last build had, a page from an unchanged source
    # has every input of its key as it was: the section, the document's place and source (in the digest),
    # the source's bytes, and the Markdown key and illustration taken from the record. Its key is then the
    # one it was written with, without working it out again (a preview's key also has its original's bytes).
    same_section = {lang for lang, digest in pages.sections.items()
                    if previous.sections.get(lang) == digest and not pages.preview}
    found = {}
    for document in documents:
        written = previous.pages.get(document.url_path + "index.html")
        if written is None or not previous.unchanged_source(document.page.path):
            continue
        if document.lang in same_section or \
                html_key(pages, site, document, written.markdown_key, written.hero) == written.page_key:
            found[(document.key, document.lang)] = written
    return found


def site_files_still_written(previous: PreviousBuild, pages: PageCache | None
                             ) -> tuple[tuple[str, ...], list[Problem]] | None:
    """The feeds, sitemap, robots.txt, chooser and 404 page (and their templates' problems), when the
    output folder holds them as this build would write them: they show nothing that every language's
    section digest does not cover, and no section digest changed."""
    if pages is None or not pages.sections or pages.sections != previous.sections:
        return None
    names, problems = previous.site_files
    if not names or not all(name in previous.intact for name in names):
        return None
    return names, [Problem(*problem) for problem in problems]


def make_record(rendering: SiteRendering, memo: DiskMemo) -> BuildRecord:
    """What the next build may reuse of this one: every source as read, every page as written."""
    root = rendering.site.config.root
    reads = {_relative(path, root): read for path, read in rendering.prepared.reads.items()}
    written = {}
    # One object per media file, so the record stores each once (pages made their own copies).
    shared: dict[MediaFile, MediaFile] = {item: item for item in memo.markdown.media.values()}
    for document in rendering.site.documents:
        rendered = rendering.rendered(document)
        notes = rendered.notes if rendered is not None and rendered.html is not None else None
        if notes is not None and notes.page_key is not None:
            written[document.url_path + "index.html"] = WrittenPage(
                notes.markdown_key, notes.page_key, plain(rendered.problems),
                tuple(shared.setdefault(item, item) for item in rendered.media), notes.hero)
    media = {_relative(path, root): item for path, item in memo.markdown.media.items()}
    return BuildRecord(reads, dict(memo.pages.sections) if memo.pages is not None else {}, written, media,
                       memo.site_files_record(), dict(memo.cards_made), dict(memo.share_cards_planned))


def _relative(path: Path, root: Path) -> str:
    """A project file's path from the project folder, with forward slashes (as the build stamp has it)."""
    text, top = os.fspath(path), os.fspath(root)
    if text.startswith(top + os.sep) and ".." not in text:
        return text[len(top) + 1:].replace(os.sep, "/")
    return os.path.relpath(text, top).replace(os.sep, "/")  # a path spelt another way


def _without_body(page: Page) -> tuple:
    """How the record stores a page: as pickle stores any object, less its body (content.with_body)."""
    state = dict(page.__dict__)
    state["body"] = None
    return copyreg.__newobj__, (type(page),), state


def _frozen_mapping(items: dict) -> MappingProxyType:
    return MappingProxyType(items)


# Front matter keeps its `params` read-only; pickle needs to be told how to store such a mapping.
copyreg.pickle(MappingProxyType, lambda mapping: (_frozen_mapping, (dict(mapping),)))


def _record_path(scan: InputScan) -> Path:
    """Beside the stamp it belongs to (one per output folder)."""
    return stamp_path(scan.root, scan.out).with_suffix(".record")


def load(scan: InputScan, config_root: Path, out_dir: Path) -> PreviousBuild | None:
    """The record of the build the stamp describes, narrowed by this scan; None when there is none."""
    if scan.previous_id is None or scan.previous_outputs is None:
        return None
    try:
        with open(_record_path(scan), "rb") as handle:
            header = handle.readline().decode().rstrip("\n")
            if header != _header(scan, scan.previous_id):
                return None
            record = pickle.load(handle)
        if not isinstance(record, BuildRecord):
            return None
    except Exception:  # noqa: BLE001 - a missing, damaged or foreign record is simply none
        return None
    # Keyed by the paths the pages themselves carry: making a thousand Path objects again is not free
    # (find_sources takes them too, by name).
    paths: dict[str, Path] = {}
    reads: dict[Path, SourceRead] = {}
    changed_reads: dict[Path, SourceRead] = {}
    for relative, read in record.reads.items():
        path = paths[relative] = read.page.path if read.page is not None else Path(config_root, relative)
        (changed_reads if relative in scan.changed else reads)[path] = read
    content = CONTENT_DIR + "/"
    folders: list[str] = []
    now = output_records(out_dir, folders) if out_dir.is_dir() else {}
    intact = frozenset(name for name, stat in now.items() if scan.previous_outputs.get(name) == stat)
    pages = {name: page for name, page in record.pages.items() if name in intact}
    media = {item.source: item for relative, item in record.media.items() if relative not in scan.changed}
    cards = record.cards if CONFIG_NAME not in scan.changed else {}
    changed_files = frozenset(Path(config_root, name) for name in scan.changed if name.startswith(content))
    return PreviousBuild(reads, dict(record.sections), pages, intact, now, folders, media,
                         record.site_files, cards, changed_files, paths, changed_reads, record.share_cards)


def forget(scan: InputScan) -> None:
    """Remove the record of the build the stamp describes: the next build reads every source again."""
    try:
        _record_path(scan).unlink()
    except OSError:
        pass


def save(scan: InputScan, record: BuildRecord) -> None:
    """Keep this build's record beside its stamp. A source whose file changed while the build ran is
    left out (what was read may not be what the stamp's scan saw), so the next build reads it again."""
    reads = {}
    for relative, read in record.reads.items():
        page = read.page
        known = scan.files.get(relative)
        if known is None or (known[4] is not None and (page is None or page.digest != known[4])):
            continue  # a file that changed just before the scan: keep it only when its bytes are proved
        reads[relative] = read
    media = {relative: item for relative, item in record.media.items()
             if relative in scan.files and scan.files[relative][4] is None}  # settled files only: see above
    kept = BuildRecord(reads, record.sections, record.pages, media, record.site_files, record.cards,
                       record.share_cards)

    def write(handle) -> None:  # streamed: the record of a big site is megabytes
        handle.write(_header(scan, scan.started_ns).encode() + b"\n")
        pickler = pickle.Pickler(handle, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.dispatch_table = {**copyreg.dispatch_table, Page: _without_body}
        pickler.dump(kept)

    write_atomically(_record_path(scan), write)


def _header(scan: InputScan, build_id: int) -> str:
    return f"smallsite-build-record {FORMAT} {scan.request} {build_id}"
