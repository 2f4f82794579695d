"""The memo a build, check or serve passes to the pipeline: it answers from what earlier builds kept.

It holds every store the speed layer has: the Markdown cache and the page cache (markdown_cache.py,
page_cache.py), compiled templates and catalogues, the last build's record (build_record.py), media
files hashed once, and the worker processes (workers.py). Each answer is one the memo that remembers
nothing (build/memo.py) would give by doing the work; tests/test_seam.py builds with both and compares."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, NamedTuple, Sequence

from ..build.assets import MediaFile
from ..build.cards import PlannedCard, ShareCard, draw_card
from ..build.markdown import MarkdownConverters
from ..build.memo import KeptFile, Memo, SiteFilesWritten
from ..build.output_folder import FolderListing
from ..build.page_work import PageWork, RenderedDocument
from ..build.render import Illustration, StoryCard
from ..build.write import UNCHANGED
from ..model.content import Page
from ..model.problems import Problem, plain
from ..model.site import Document, Site
from .build_record import PreviousBuild, pages_still_written, site_files_still_written
from .markdown_cache import MarkdownCache, cached_markdown, load_cache, placed, render_markdown_cached
from .page_cache import PageCache, cached_page, digest_sections, html_key, load_page_cache, new_entry, output_file
from .store import CACHE_DIR, code_digest, read_cache_file, write_atomically, write_cache_file
from .template_cache import CompiledTemplates, compiled_templates
from .workers import map_in_processes, worker_count


@dataclass(frozen=True)
class PageNotes:
    """What the memo keeps of a page it made or took: its caches' keys and new entries, its illustration."""

    markdown_key: str
    markdown_entry: tuple | None  # None: a hit (the cache has it)
    page_key: str | None = None
    page_entry: tuple | None = None
    hero: Illustration | None = None  # render.resolve_hero's answer, part of the page key


class KeptCard(NamedTuple):
    """A story card as made, with the story it was made for."""

    story: Document
    made: StoryCard


class KeptCatalogues(KeptFile):
    """Compiled catalogues under .cache/, readable only by the code that wrote them."""

    def __init__(self, root: Path | None):
        self.path = root / CACHE_DIR / "catalogues.bin" if root is not None else None

    def read(self) -> dict:
        return read_cache_file(self.path, self._header()) if self.path is not None else {}

    def write(self, entries: dict) -> None:
        if self.path is not None:
            write_cache_file(self.path, self._header(), entries)

    @staticmethod
    def _header() -> str:
        return f"smallsite-catalogues {code_digest()}"


class DiskMemo(Memo):
    """The memo of `build` and `check`: caches under the project's .cache/ (`keep`: read and written
    there; else in memory for this build), and the record of the last build into the same folder."""

    def __init__(self, root: Path, *, keep: bool = True, preview: bool = False, workers: int | None = None,
                 previous: PreviousBuild | None = None,
                 markdown: MarkdownCache | None = None, pages: PageCache | None | bool = True):
        kept_in = root if keep else None
        self.root = root
        self.workers = workers
        self.previous = previous
        self.markdown = markdown if markdown is not None else load_cache(kept_in)
        if previous is not None:
            self.markdown.media.update(previous.media)  # hashed and measured by the last build, unchanged since
        self.pages = load_page_cache(kept_in, preview) if pages is True else (pages or None)
        self.compiled: CompiledTemplates = compiled_templates(kept_in, code_digest())
        self.kept_catalogues = KeptCatalogues(kept_in)
        # Share cards as drawn, by their names (which carry a digest of all they show).
        self.kept_cards = kept_in / CACHE_DIR / "cards" if kept_in is not None else None
        self.kept_photos = kept_in / CACHE_DIR / "photos" if kept_in is not None else None  # renditions
        self.shown: set[str] = set()  # the names of the cards, media files and renditions the site has
        self.share_cards_planned: dict[tuple[str, str], PlannedCard] = {}
        self.earlier_cards: Mapping[tuple[str, str], KeptCard] = previous.cards if previous is not None else {}
        self.changed_files: frozenset[Path] = previous.changed_files if previous is not None else frozenset()
        self.cards_made: dict[tuple[str, str], KeptCard] = {}
        self.site_files: SiteFilesWritten = SiteFilesWritten((), ())
        self.rendered = False  # whether the build got as far as rendering (else there is nothing to save)

    def writes_to(self, out_dir: Path) -> None:
        if self.pages is not None:  # pages are kept as the files written there
            self.pages.output_dir = os.fspath(out_dir.resolve())

    def build_ended(self) -> None:
        self.save()

    # -- the model stage
    def known_sources(self) -> Mapping[str, Path] | None:
        return self.previous.paths if self.previous is not None else None

    def source_as_read(self, path: Path):
        return self.previous.reads.get(path) if self.previous is not None else None

    def page_as_read(self, path: Path) -> Page | None:
        read = self.previous.changed_reads.get(path) if self.previous is not None else None
        return read.page if read else None

    def catalogues(self) -> KeptFile:
        return self.kept_catalogues

    def templates(self) -> CompiledTemplates:
        return self.compiled

    def workers_for(self, items: int, per_worker: int) -> int:
        return worker_count(items, self.workers, per_worker)

    def map(self, work, items: Sequence, per_worker: int, progress: Callable[[int], None] | None = None,
            first: Callable[[], None] | None = None) -> list:
        count = self.workers_for(len(items), per_worker)
        if count > 1:
            self.converters.make_ready()  # made once, inherited by every worker process
        return map_in_processes(work, items, count, progress, first)

    # -- the render stage
    @property
    def converters(self) -> MarkdownConverters:
        return self.markdown.converters

    def media_file(self, path: Path) -> MediaFile:
        return self.markdown.media_file(path)

    def share_card(self, card: ShareCard) -> bytes:
        """The card as drawn before, else drawn (in a worker process too) and kept."""
        if self.kept_cards is None:
            return draw_card(card)
        kept = self.kept_cards / os.path.basename(card.output_path)
        try:
            return kept.read_bytes()
        except OSError:
            drawn = draw_card(card)
            write_atomically(kept, lambda handle: handle.write(drawn))
            return drawn

    def share_card_as_planned(self, document: Document) -> PlannedCard | None:
        return self.previous.share_cards.get((document.key, document.lang)) if self.previous is not None else None

    def keep_share_cards(self, planned: dict[tuple[str, str], PlannedCard]) -> None:
        self.share_cards_planned = planned

    def photo_rendition(self, item: MediaFile, rendition, root: Path) -> bytes:
        """As encoded before (its name carries a digest of the photo's bytes, and its width), else encoded
        (in a worker process too) and kept in .cache/photos."""
        if self.kept_photos is None:
            return super().photo_rendition(item, rendition, root)
        kept = self.kept_photos / os.path.basename(rendition.output_path)
        try:
            return kept.read_bytes()
        except OSError:
            made = super().photo_rendition(item, rendition, root)
            write_atomically(kept, lambda handle: handle.write(made))
            return made

    def story_card(self, story: Document, make: Callable[[], StoryCard]) -> StoryCard:
        self.rendered = True
        earlier = self.earlier_cards.get((story.key, story.lang))
        if earlier is not None and earlier.story == story and earlier.made.problem is None \
                and (earlier.made.media is None or earlier.made.media.source not in self.changed_files):
            made = earlier.made
        else:
            made = make()
        self.cards_made[(story.key, story.lang)] = KeptCard(story, made)
        return made

    def start_pages(self, site: Site, static_urls: dict[str, str], cards: dict[str, list[dict]], options) -> None:
        if self.pages is not None:
            digest_sections(self.pages, site, static_urls, cards, options)

    def pages_still_written(self, site: Site, documents: list[Document]) -> dict[tuple[str, str], RenderedDocument]:
        if self.previous is None or self.pages is None:
            return {}
        return {place: RenderedDocument(UNCHANGED, tuple(Problem(*problem) for problem in written.problems),
                                        written.media, PageNotes(written.markdown_key, None, written.page_key,
                                                                 None, written.hero))
                for place, written in pages_still_written(self.previous, self.pages, site, documents).items()}

    def has_kept_pages(self) -> bool:
        return self.pages is not None and bool(self.pages.entries)

    def kept_page(self, work: PageWork) -> RenderedDocument | None:
        """The page from the page cache, when its body is still valid in the Markdown cache and everything
        else it shows is as it was; never converting Markdown (a page that needs it goes to the workers)."""
        self.rendered = True
        body, key = cached_markdown(work.context, self.markdown)
        if body is None:
            return None
        hero = work.hero(self.markdown.media_file)
        return self._from_page_cache(work, body, key, hero, self._page_key(work, key, hero))

    def page(self, work: PageWork) -> RenderedDocument:
        """The page from the page cache when its Markdown and everything else it shows are as they were;
        else made, its body taken from the Markdown cache when still valid."""
        self.rendered = True
        cache, pages = self.markdown, self.pages
        body, key, entry = render_markdown_cached(work.context, cache,
                                                  lambda: work.convert(cache.converters, cache.media_file))
        hero = work.hero(cache.media_file)
        page_key = self._page_key(work, key, hero)
        if entry is None:  # only a Markdown hit proves the body is what it was when the page was kept
            kept = self._from_page_cache(work, body, key, hero, page_key)
            if kept is not None:
                return kept
        html, found = work.template(body, hero)
        file = output_file(pages, work.document.url_path) if pages is not None else None
        kept_entry = new_entry(html, found, file) if pages is not None else None
        if file is not None and html is not None:  # the body kept as its place in the page
            known = entry if entry is not None else cache.entries.get(key)
            entry = placed(known, body.html, html, file) if known is not None else None
        return work.page(body, hero, html, found,
                         PageNotes(key, entry, page_key if kept_entry is not None else None, kept_entry, hero))

    def _page_key(self, work: PageWork, markdown_key: str, hero: Illustration) -> str | None:
        if self.pages is None:
            return None
        return html_key(self.pages, work.renderer.site, work.document, markdown_key, hero)

    def _from_page_cache(self, work: PageWork, body, markdown_key: str, hero: Illustration,
                         page_key: str | None) -> RenderedDocument | None:
        kept = cached_page(self.pages, page_key) if self.pages is not None else None
        if kept is None:
            return None
        html, found = kept
        return work.page(body, hero, html, found, PageNotes(markdown_key, None, page_key, None, hero))

    def keep(self, document: Document, rendered: RenderedDocument) -> None:
        notes = rendered.notes
        if notes is None:
            return
        self.markdown.record(notes.markdown_key, notes.markdown_entry)
        if self.pages is not None:
            self.pages.record(notes.page_key, notes.page_entry)

    def site_files_still_written(self) -> SiteFilesWritten | None:
        kept = site_files_still_written(self.previous, self.pages) if self.previous is not None else None
        return SiteFilesWritten(kept[0], tuple(kept[1])) if kept is not None else None

    def keep_site_files(self, written: SiteFilesWritten) -> None:
        self.site_files = written

    def output_listing(self) -> FolderListing | None:
        return FolderListing(list(self.previous.outputs), self.previous.folders) if self.previous is not None else None

    def still_written(self, output_path: str) -> bool:
        self.shown.add(os.path.basename(output_path))  # (every card and rendition is asked for here first)
        return self.previous is not None and output_path in self.previous.intact

    # -- after a build
    def save(self) -> None:
        """Write what this build made to .cache/ (also after a failed build: what was rendered holds)."""
        if not self.rendered:
            return
        self.markdown.save()
        if self.pages is not None:
            self.pages.save()
        self.compiled.save()
        self._forget_other_cards()

    def _forget_other_cards(self) -> None:
        """Cards and renditions no page of this build shows are dropped, so .cache/cards and .cache/photos
        never grow past the site."""
        if self.kept_cards is None or self.kept_photos is None or not self.shown:  # (stopped before its files)
            return
        for folder in (self.kept_cards, self.kept_photos):
            try:
                for entry in os.scandir(folder):
                    if entry.name not in self.shown and not entry.name.endswith(".tmp"):
                        os.unlink(entry.path)
            except OSError:
                pass

    def site_files_record(self) -> tuple[tuple[str, ...], tuple]:
        """The site-wide files this build made and their problems, as the build record stores them."""
        return self.site_files.names, plain(self.site_files.problems)
