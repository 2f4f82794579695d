"""The render stage of one prepared site: every output file made once, when first asked for (serve's pages
on request) or all in a build's order (`render_all`); `result` is the whole build."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Callable, NamedTuple

from ..host.plan import HOST_FILES
from ..host.rules_files import host_files
from ..model.config import SiteConfig
from ..model.links import LeadsOut
from ..model.problems import Problem, unique
from ..model.site import Document, Site
from . import outputs
from .assets import MediaFile, photo_renditions, read_media
from .memo import Memo, SiteFilesWritten
from .options import stop_on_errors
from .page_work import PageWork, RenderedDocument, page_work, render_document
from .prepare import PreparedSite
from .cards import PlannedCard, ShareCard

if TYPE_CHECKING:
    from .images import Rendition
from .render import (NOT_FOUND_PAGE, ROOT_FILES, Renderer, StoryCards, page_links, render_site_files, resolve_hero,
                     story_card)
from .share_cards import chooser_card, page_card
from .write import STAGED, UNCHANGED, Staging, WriteMarker, WriteSummary

# Below this many pages per process, forking costs more than it saves.
MIN_PAGES_PER_WORKER = 24
MIN_CARDS_PER_WORKER = 4  # a card takes as long to draw as a few dozen pages take to render
MIN_RENDITIONS_PER_WORKER = 1  # a photo's rendition takes longer than a hundred pages


@dataclass
class BuildResult:
    """A finished build in memory: output path -> bytes, and the warnings met on the way."""

    site: Site
    # Output path -> bytes; or write.UNCHANGED (the output folder holds it as the memo proves) or
    # write.STAGED (already in the staging folder).
    files: dict[str, bytes | WriteMarker]
    problems: list[Problem] = field(default_factory=list)
    rendering: SiteRendering | None = field(default=None, repr=False)  # what made it (a memo keeps from it)
    written: WriteSummary | None = None  # what build_site changed in the output folder


class SiteFiles(NamedTuple):
    """The files that speak every language at once (chooser, 404 page, sitemap, robots.txt), and the
    problems their templates met."""

    files: dict[str, bytes]
    problems: list[Problem]


def site_file_names(config: SiteConfig) -> tuple[str, ...]:
    """What SiteRendering.site_files makes: the chooser, the 404 pages, sitemap.xml, robots.txt, and the
    hosts' rules (_headers, _redirects)."""
    return (*ROOT_FILES, *(f"{language.code}/{NOT_FOUND_PAGE}" for language in config.languages), *HOST_FILES)


@dataclass(frozen=True)
class LanguageCards:
    """A language's story cards, the problems met making them, and the illustrations they show."""

    cards: list[dict]
    problems: list[Problem]
    media: dict[str, MediaFile]


class SiteRendering:
    """See the module's docstring. `memo`: asked for each page, card and site file before it is made."""

    def __init__(self, prepared: PreparedSite, memo: Memo, staging: Staging | None = None):
        self.prepared = prepared
        self.site = prepared.site
        self.memo = memo
        self.staging = staging
        self.renderer = Renderer(prepared.site, prepared.environments, prepared.static.urls,
                                 preview=prepared.options.preview)
        self._cards: dict[str, LanguageCards] = {}
        self._links: dict[str, dict[str, str]] = {}
        self._documents: dict[tuple[str, str], RenderedDocument] = {}
        self._site_files: SiteFiles | None = None
        self._share_cards: dict[str, PlannedCard] | None = None

    def cards(self, lang: str) -> LanguageCards:
        """A language's story cards (made once)."""
        if lang not in self._cards:
            made = [self.memo.story_card(story, lambda story=story: story_card(self.renderer, story,
                                                                              self.memo.media_file))
                    for story in self.site.stories(lang)]
            self._cards[lang] = LanguageCards(StoryCards(made_card.card for made_card in made),
                                              [made_card.problem for made_card in made if made_card.problem],
                                              {made_card.media.output_path: made_card.media for made_card in made
                                               if made_card.media})
        return self._cards[lang]

    def links(self, lang: str) -> dict[str, str]:
        """Every page key -> its URL path in one language (what a page's links resolve against; made once)."""
        if lang not in self._links:
            self._links[lang] = page_links(self.site, lang)
        return self._links[lang]

    def rendered(self, document: Document) -> RenderedDocument | None:
        """The document's page if it has been rendered already, else None."""
        return self._documents.get((document.key, document.lang))

    def document(self, document: Document) -> RenderedDocument:
        """One page, rendered on first request (in this process)."""
        done = self._documents.get((document.key, document.lang))
        if done is None:
            done = render_document(self.renderer, document, self.links(document.lang),
                                   self.cards(document.lang).cards, self.memo)
            self._keep(document, done)
        return done

    def _keep(self, document: Document, rendered: RenderedDocument) -> None:
        self.memo.keep(document, rendered)
        self._documents[(document.key, document.lang)] = rendered

    def media_so_far(self) -> dict[str, MediaFile]:
        """Output path -> media file, of the cards made and the pages rendered so far."""
        media: dict[str, MediaFile] = {}
        for cards in list(self._cards.values()):
            media.update(cards.media)
        for rendered in list(self._documents.values()):
            media.update((item.output_path, item) for item in rendered.media)
        return media

    def site_files(self) -> SiteFiles:
        """The root chooser, the 404 page, the sitemap and robots.txt, and the problems met (made once)."""
        if self._site_files is None:
            files: dict[str, bytes] = {}
            problems = render_site_files(self.renderer, files)
            files.update(host_files(self.site.config))
            self._site_files = SiteFiles(files, problems)
        return self._site_files

    def drawable_cards(self) -> dict[str, ShareCard]:
        """Output path -> every share card that has a picture to draw (not only warnings)."""
        return {path: planned.card for path, planned in self.share_cards().items() if planned.card is not None}

    def _encode(self, renditions: list[tuple[MediaFile, Rendition]], files: dict) -> list[Problem]:
        """Photos' renditions not in the output folder yet, on every core (encoding is slow), each staged by
        the process that made it; the problems met (a link put on a photo's way since its page was read)."""
        memo, staging, root = self.memo, self.staging, self.site.config.root

        def encode(job: tuple[MediaFile, Rendition]) -> bytes | WriteMarker | Problem:
            item, rendition = job
            try:
                made = memo.photo_rendition(item, rendition, root)
            except LeadsOut as refused:
                return Problem(refused.outward.link, None, refused.outward.message)
            if staging is None:
                return made
            staging.write(rendition.output_path, made)
            return STAGED

        problems = []
        for (_, rendition), made in zip(renditions, memo.map(encode, renditions, MIN_RENDITIONS_PER_WORKER)):
            if isinstance(made, Problem):
                problems.append(made)
            else:
                files[rendition.output_path] = made
        return problems

    def share_cards(self) -> dict[str, PlannedCard]:
        """Every share card of the site by its output path ('' for the warnings of pages that have none),
        planned once: what the build draws, and serve when a browser asks for one."""
        if self._share_cards is None:
            config, memo = self.site.config, self.memo
            planned = [chooser_card(self.renderer)]
            by_page: dict[tuple[str, str], PlannedCard] = {}
            for document in self.site.documents:
                place = (document.key, document.lang)
                rendered = self._documents.get(place)
                card = memo.share_card_as_planned(document) if rendered is not None and \
                    rendered.html is UNCHANGED else None
                if card is None or (card.card is not None and not memo.still_written(card.card.output_path)):
                    illustration = resolve_hero(config, document, memo.media_file).media
                    card = page_card(self.renderer, document, illustration)
                by_page[place] = card
                planned.append(card)
            memo.keep_share_cards(by_page)
            self._share_cards = {}
            for card in planned:
                key = card.card.output_path if card.card is not None else ""
                if card.card is not None or card.problems:
                    found = self._share_cards.get(key)
                    self._share_cards[key] = card if found is None else found._replace(
                        problems=found.problems + card.problems)
        return self._share_cards

    def feed(self, lang: str) -> bytes:
        """A language's Atom feed."""
        return outputs.atom_feed(self.site, lang, self.site.config.language(lang).title)

    def render_all(self, progress: Callable[[int, int], None] | None = None) -> None:
        """Render every page not rendered yet (those the memo has, first; the others on every core)."""
        languages = [lang.code for lang in self.site.config.languages]
        for lang in languages:
            self.cards(lang)
            self.links(lang)
        documents = [d for d in self.site.documents if (d.key, d.lang) not in self._documents]
        renderer, memo, staging = self.renderer, self.memo, self.staging
        links = {lang: self._links[lang] for lang in languages}
        cards = {lang: self._cards[lang].cards for lang in languages}
        memo.start_pages(self.site, self.prepared.static.urls, cards, self.prepared.options)

        def kept(document: Document) -> RenderedDocument | None:
            work = page_work(renderer, document, links[document.lang], cards[document.lang])
            return memo.kept_page(work) if isinstance(work, PageWork) else None

        def render_one(document: Document) -> RenderedDocument:
            rendered = render_document(renderer, document, links[document.lang], cards[document.lang], memo)
            if staging is not None and isinstance(rendered.html, bytes):
                # Written by the process that rendered it: the HTML need not travel back to this one.
                staging.write(document.url_path + "index.html", rendered.html)
                rendered = replace(rendered, html=STAGED)
            return rendered

        # Pages the output folder holds are left there, and kept pages are taken in this process (sending
        # them back from a worker would cost more than taking them); only the others go to the workers.
        written = memo.pages_still_written(self.site, documents)
        look = memo.has_kept_pages()
        taken = [written.get((d.key, d.lang)) or (kept(d) if look else None) for d in documents]
        to_render = [document for document, rendered in zip(documents, taken) if rendered is None]
        told = (lambda done: progress(done, len(to_render))) if progress else None
        fresh = iter(memo.map(render_one, to_render, MIN_PAGES_PER_WORKER, told))
        for document, rendered in zip(documents, taken):
            self._keep(document, rendered or next(fresh))

    def result(self, draw_cards: bool = True) -> BuildResult:
        """The whole build, once every page is rendered; raises BuildFailed as `build` does. Without
        `draw_cards` (serve), the share cards are planned (their warnings are the build's) but not drawn:
        the server draws one when a browser asks for it."""
        config = self.site.config
        problems = list(self.prepared.problems)
        files: dict[str, bytes | WriteMarker] = dict(self.prepared.static.files)
        media: dict[str, MediaFile] = {}
        for lang in config.languages:
            cards = self.cards(lang.code)
            problems += cards.problems
            media.update(cards.media)
        for document in self.site.documents:
            rendered = self._documents[(document.key, document.lang)]
            problems += rendered.problems
            for item in rendered.media:
                media[item.output_path] = item
            if rendered.html is not None:
                files[document.url_path + "index.html"] = rendered.html
        kept = self.memo.site_files_still_written()
        if kept is not None:
            files.update((name, UNCHANGED) for name in kept.names)
            found = list(kept.problems)
        else:
            for lang in config.languages:
                files[f"{lang.code}/feed.xml"] = self.feed(lang.code)
            site_files, found = self.site_files()
            files.update(site_files)
        whole_site = [*(f"{lang.code}/feed.xml" for lang in config.languages), *site_file_names(config)]
        self.memo.keep_site_files(SiteFilesWritten(tuple(name for name in whole_site if name in files),
                                                   tuple(found)))
        problems += found
        renditions = []
        for item in media.values():
            # A media file's name carries a digest of its bytes: one the last build wrote, untouched, is right.
            if item.photo is not None:  # published as its renditions, never as it is (its EXIF stays home)
                for rendition in photo_renditions(item):
                    if self.memo.still_written(rendition.output_path):
                        files[rendition.output_path] = UNCHANGED
                    else:
                        renditions.append((item, rendition))
                continue
            try:
                files[item.output_path] = UNCHANGED if self.memo.still_written(item.output_path) \
                    else read_media(item, config.root)
            except LeadsOut as refused:
                problems.append(Problem(refused.outward.link, None, refused.outward.message))
        problems += self._encode(renditions, files)
        to_draw = []
        for path, planned in self.share_cards().items():
            problems += planned.problems
            if planned.card is not None and draw_cards:
                if self.memo.still_written(path):  # (a card's name carries a digest of all it shows)
                    files[path] = UNCHANGED
                else:
                    to_draw.append(planned.card)
        # A story's cards side by side: the process that draws them rasterizes its illustration once.
        to_draw.sort(key=lambda card: (card.illustration or "", card.output_path))
        memo, staging = self.memo, self.staging

        def draw(card: ShareCard) -> bytes | WriteMarker:
            drawn = memo.share_card(card)
            if staging is None:
                return drawn
            staging.write(card.output_path, drawn)  # by the process that drew it, as pages are
            return STAGED

        for card, drawn in zip(to_draw, memo.map(draw, to_draw, MIN_CARDS_PER_WORKER)):
            files[card.output_path] = drawn
        problems = unique(problems)
        stop_on_errors(problems, self.prepared.options)
        return BuildResult(self.site, dict(sorted(files.items())), problems, self)
