"""The seam between a build and what only makes it faster.

The pipeline asks a memo at each place where work can be skipped: a source already read, a page
already rendered, a story card already made, a file the output folder already holds. This class is the
memo that remembers nothing: every answer is "do the work", and that work is done here, in this
process. It is what `build --no-cache` uses, and it defines the site: smallsite.speed's memos answer
the same questions from what earlier builds kept, and the site they give is byte for byte this one's
(tests/test_seam.py). Nothing in build/ imports smallsite.speed; the commands pass a memo in.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping, Sequence, TypeVar

from .assets import MediaFile, media_file, read_media
from .cards import PlannedCard, ShareCard, draw_card
from .markdown import MarkdownConverters

if TYPE_CHECKING:
    import jinja2

    from ..model.config import SiteConfig
    from ..model.content import Page, SourceRead
    from ..model.problems import Problem
    from ..model.site import Document, Site
    from .page_work import PageWork, RenderedDocument
    from .options import BuildOptions
    from .output_folder import FolderListing
    from .prepare import PreparedSite
    from .images import Rendition
    from .render import StoryCard

Item = TypeVar("Item")
Result = TypeVar("Result")


@dataclass(frozen=True)
class EarlierModel:
    """A model an earlier build of the same settings made, and which of its parts still hold."""

    prepared: PreparedSite
    pages: bool = False  # pages read from sources not in `reread`
    sources: bool = False  # the list of sources (no page file was added, removed or renamed)
    templates: bool = False  # catalogues, static files, environments, template checks
    reread: frozenset[Path] = frozenset()


@dataclass(frozen=True)
class SiteFilesWritten:
    """The site-wide files (feeds, sitemap, robots.txt, chooser, 404) the output folder holds as this
    build would write them, and the problems their templates gave."""

    names: tuple[str, ...]
    problems: tuple[Problem, ...]


class KeptFile:
    """A dict kept between builds under a name (compiled catalogues): here, never kept."""

    def read(self) -> dict:
        return {}

    def write(self, entries: dict) -> None:
        pass


class Memo:
    """The memo that remembers nothing (see the module's docstring)."""

    def writes_to(self, out_dir: Path) -> None:
        """Told the output folder this build writes (before it starts)."""

    def build_ended(self) -> None:
        """Told a build is over, finished or failed (after its pages were rendered, or some of them)."""

    # -- the model stage
    def earlier_model(self, config: SiteConfig, options: BuildOptions) -> EarlierModel | None:
        """A model of an earlier build whose unchanged parts may be taken as they are (serve)."""
        return None

    def known_sources(self) -> Mapping[str, Path] | None:
        """Path objects for sources by their names (content/...), to use rather than make again."""
        return None

    def source_as_read(self, path: Path) -> SourceRead | None:
        """A source as an earlier build read it, when its file is as it was then."""
        return None

    def page_as_read(self, path: Path) -> Page | None:
        """A changed source's page as last read (read_page keeps its front matter when that is unchanged)."""
        return None

    def catalogues(self) -> KeptFile:
        """Where compiled catalogues are kept between builds."""
        return KeptFile()

    def templates(self) -> jinja2.BytecodeCache | None:
        """Compiled templates shared by the languages' environments (None: each compiles its own)."""
        return None

    def workers_for(self, items: int, per_worker: int) -> int:
        """How many processes `map` would use for this many items."""
        return 1

    def map(self, work: Callable[[Item], Result], items: Sequence[Item], per_worker: int,
            progress: Callable[[int], None] | None = None, first: Callable[[], None] | None = None
            ) -> list[Result]:
        """[work(item) for item in items], in order; `first` is done before, `progress(done)` told."""
        if first is not None:
            first()
        results = []
        for done, item in enumerate(items, 1):
            results.append(work(item))
            if progress is not None:
                progress(done)
        return results

    # -- the render stage
    @cached_property
    def converters(self) -> MarkdownConverters:
        """The Markdown instances pages are converted with (made once per memo)."""
        return MarkdownConverters()

    def media_file(self, path: Path) -> MediaFile:
        """A media file in content/, read and hashed."""
        return media_file(path)

    def share_card(self, card: ShareCard) -> bytes:
        """A page's share card as JPEG bytes: drawn, or as drawn before (its name says all it shows)."""
        return draw_card(card)

    def photo_rendition(self, item: MediaFile, rendition: Rendition, root: Path) -> bytes:
        """One rendition of a photo: encoded from the photo's file (slow: a memo keeps them)."""
        from .images import encode_rendition

        return encode_rendition(read_media(item, root), rendition)

    def share_card_as_planned(self, document: Document) -> PlannedCard | None:
        """A page's share card as an earlier build planned it; asked only for a page the output folder
        holds as this build would write it (the page names its card: what decides one decides the other)."""
        return None

    def keep_share_cards(self, planned: dict[tuple[str, str], PlannedCard]) -> None:
        """Told every page's share card as planned, by (key, language)."""

    def story_card(self, story: Document, make: Callable[[], StoryCard]) -> StoryCard:
        """A story's card on its language's home page: make()'s answer, or one made before for the same story."""
        return make()

    def start_pages(self, site: Site, static_urls: dict[str, str], cards: dict[str, list[dict]],
                    options: BuildOptions) -> None:
        """Told, before a build's pages render, what every page may show besides its own source."""

    def pages_still_written(self, site: Site, documents: list[Document]) -> dict[tuple[str, str], RenderedDocument]:
        """The pages the output folder holds as this build would write them, by (key, language)."""
        return {}

    def has_kept_pages(self) -> bool:
        """Whether `kept_page` can answer anything (else it is not asked)."""
        return False

    def kept_page(self, work: PageWork) -> RenderedDocument | None:
        """The page, when the memo has it whole, without converting or rendering anything (else None)."""
        return None

    def page(self, work: PageWork) -> RenderedDocument:
        """One page: converted, illustrated and rendered."""
        body = work.convert(self.converters, self.media_file)
        return work.render(body, work.hero(self.media_file))

    def keep(self, document: Document, rendered: RenderedDocument) -> None:
        """Told of each page the build rendered (in the build's own process)."""

    def site_files_still_written(self) -> SiteFilesWritten | None:
        """The site-wide files, when the output folder holds them as this build would write them."""
        return None

    def keep_site_files(self, written: SiteFilesWritten) -> None:
        """Told which site-wide files this build made, and their problems."""

    def output_listing(self) -> FolderListing | None:
        """The output folder's files and folders, as the memo listed them already (None: list them)."""
        return None

    def still_written(self, output_path: str) -> bool:
        """Whether the output folder holds this file (a media file, named by its bytes) as written."""
        return False
