"""serve's fast path: a build's output as a mapping whose pages are rendered when first requested.

After a save, `serve` assembles the new site model (re-reading only the files that changed), renders the
pages of the changed sources at once, and publishes a `RenderedOnRequest` of that model: every other
page is rendered from the same model, by the same functions, when a browser asks for it, so it is
byte for byte what the full build writes. The full build still runs in the background (to find every
problem for the overlay) and its files then replace these."""

from __future__ import annotations

from typing import Iterator, Mapping

from ..build.assets import photo_renditions, read_media
from ..build.cards import CARD_FOLDER
from ..model.site import Document
from ..model.links import LeadsOut
from ..model.project import only_content_changed, only_pages_changed
from ..build.prepare import PreparedSite
from ..build.rendering import SiteRendering, site_file_names
from .rendering_lock import RenderingLock


class RenderedOnRequest(Mapping[str, bytes]):
    """Output path -> bytes, each made once on first request from one rendering of the site.

    A page whose template fails is not the editor's to see half-made: it comes from `fallback` (what was
    on show before) until the background build reports the error. Media files are those the pages
    rendered so far use, and until every page is rendered also those of `fallback` (a media file's name
    is its content's hash, so such a file is never the wrong bytes, at worst one no page uses now).
    Every question to the rendering holds `lock`: the builder renders from the same rendering and caches."""

    def __init__(self, rendering: SiteRendering, fallback: Mapping[str, bytes], lock: RenderingLock):
        self.rendering = rendering
        self.fallback = fallback
        self.lock = lock
        config = rendering.site.config
        self._documents = {d.url_path + "index.html": d for d in rendering.site.documents}
        self._feeds = {f"{lang.code}/feed.xml": lang.code for lang in config.languages}
        self._static = rendering.prepared.static.files
        self._site_files = frozenset(site_file_names(config))

    def _names(self) -> set[str]:
        """Every file's name: asking for them all renders every page (which media files there are
        is known only then). The server never asks: it looks up one name at a time."""
        with self.lock.for_request():
            self.rendering.render_all()
            site_files = self.rendering.site_files().files
            return {*self._static, *self._documents, *self._feeds, *site_files, *self.rendering.media_so_far(),
                    *self._renditions(), *self._cards()}

    def _renditions(self) -> dict:
        return {rendition.output_path: (item, rendition) for item in self.rendering.media_so_far().values()
                for rendition in photo_renditions(item)}

    def _cards(self) -> dict:
        return self.rendering.drawable_cards()

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        if name.startswith(CARD_FOLDER):  # a share card: drawn when asked for
            with self.lock.for_request():
                if name in self._cards():
                    return True
            return name in self.fallback
        if name.startswith("media/"):
            with self.lock.for_request():
                if name in self.rendering.media_so_far() or name in self._renditions():
                    return True
            return name in self.fallback
        return name in self._static or name in self._documents or name in self._feeds or name in self._site_files

    def __getitem__(self, name: str) -> bytes:
        with self.lock.for_request():
            data = self._make(name) if name in self else None
        if data is None:
            return self.fallback[name]  # KeyError when it was never there either
        return data

    def _make(self, name: str) -> bytes | None:
        if name in self._static:
            return self._static[name]
        if name in self._documents:
            return self.rendering.document(self._documents[name]).html
        if name in self._feeds:
            return self.rendering.feed(self._feeds[name])
        if name in self._site_files:
            return self.rendering.site_files().files.get(name)
        card = self._cards().get(name) if name.startswith(CARD_FOLDER) else None
        if card is not None:
            return self.rendering.memo.share_card(card)
        rendition = self._renditions().get(name)
        if rendition is not None:  # a photo at the size a browser asks for, encoded now (or kept before)
            try:
                return self.rendering.memo.photo_rendition(*rendition, self.rendering.site.config.root)
            except LeadsOut:
                return None
        media = self.rendering.media_so_far().get(name)
        if media is None or media.photo is not None:  # (a photo's own file is never published)
            return None
        try:
            return read_media(media, self.rendering.site.config.root)
        except LeadsOut:  # made a link out since its page was rendered: never served (the next build says why)
            return None

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._names()))

    def __len__(self) -> int:
        return len(self._names())


def changed_documents(prepared: PreparedSite, changed: frozenset[str]) -> list[Document]:
    """The documents to render at once after a save: those that show a changed source (its own
    language's and the fallbacks made from it), and after a change outside content/ (a template, a
    catalogue) one page of each kind, so that an error every such page makes shows at once."""
    documents = [d for d in prepared.site.documents if d.page.shown in changed]
    if not only_content_changed(changed):
        kinds: dict[str, Document] = {}
        for document in prepared.site.documents:
            kinds.setdefault(document.page.kind, document)
        documents += [d for d in kinds.values() if d not in documents]
    return documents


def is_unchanged(prepared: PreparedSite, previous: PreparedSite | None, changed: frozenset[str]) -> bool:
    """True when a save left the model as it was (only pages' sources changed, to the same bytes: an
    editor's save without a change, or a touch): nothing to render, nothing to reload."""
    return (previous is not None and only_pages_changed(changed) and prepared.config == previous.config
            and prepared.sources == previous.sources and prepared.reads == previous.reads
            and prepared.environments is previous.environments)


class CardsOnRequest(Mapping[str, bytes]):
    """A whole build's files, and its share cards, each drawn (or taken from the memo) when first asked
    for: a build in serve does not draw them all (rendering.result), an editor seldom looks at one."""

    def __init__(self, files: Mapping[str, bytes], rendering: SiteRendering):
        self.files = files
        self.memo = rendering.memo
        self.cards = rendering.drawable_cards()
        self.drawn: dict[str, bytes] = {}

    def __getitem__(self, name: str) -> bytes:
        if name in self.files:
            return self.files[name]
        card = self.cards[name]  # KeyError: no such file
        if name not in self.drawn:
            self.drawn[name] = self.memo.share_card(card)
        return self.drawn[name]

    def __contains__(self, name: object) -> bool:
        return name in self.files or name in self.cards

    def __iter__(self) -> Iterator[str]:
        return iter(sorted({*self.files, *self.cards}))

    def __len__(self) -> int:
        return len({*self.files, *self.cards})

    def __eq__(self, other: object) -> bool:
        """The same files and the same cards' names (a card's name says all it shows): nothing is drawn."""
        if isinstance(other, CardsOnRequest):
            return self.files == other.files and self.cards.keys() == other.cards.keys()
        if isinstance(other, Mapping):  # (a test's dict of what a build wrote): drawn to be compared
            return set(self) == set(other) and all(self[name] == other[name] for name in other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

