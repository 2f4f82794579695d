"""serve's memo: what the save before left (its model, its Markdown in memory, its story cards) is
offered to the next save's build, which re-reads and re-renders only what the watcher says changed."""

from __future__ import annotations

import os
from pathlib import Path

from ..build.memo import EarlierModel
from ..build.prepare import PreparedSite
from ..model.config import SiteConfig
from ..model.project import only_pages_changed
from .markdown_cache import MarkdownCache, load_cache
from .memo import DiskMemo
from .reuse import reusable_parts


class PreviewMemo(DiskMemo):
    """The memo of one of serve's builds. `earlier`: the memo of the last build that rendered pages, and
    `since` the project paths the watcher reported since then; `prepared`: the newest model (which may
    be a later one, that stopped on an error) and `changed` the paths reported since it. Nothing is
    written to .cache/ (compiled catalogues aside)."""

    def __init__(self, root: Path, earlier: PreviewMemo | None = None, since: frozenset[str] = frozenset(),
                 prepared: PreparedSite | None = None, changed: frozenset[str] = frozenset(),
                 workers: int | None = None):
        markdown = load_cache(root) if earlier is None else next_cache(earlier.markdown, since)
        super().__init__(root, preview=True, workers=workers, markdown=markdown, pages=False)
        self.earlier, self.since = earlier, since
        self.prepared, self.changed = prepared, changed
        self.config: SiteConfig | None = None
        self.offered_cards = dict(earlier.cards_made) if earlier is not None else {}
        self.changed_files = frozenset(Path(os.path.normpath(root / name)) for name in since)

    def earlier_model(self, config, options) -> EarlierModel | None:
        self.config = config
        # A story's card shows its front matter, its illustration and the settings: while only pages'
        # sources changed and the settings are the same, the cards of the stories as they were hold.
        if self.earlier is not None and self.earlier.config == config and only_pages_changed(self.since):
            self.earlier_cards = self.offered_cards
        if self.prepared is None:
            return None
        return reusable_parts(config, options, self.prepared, self.changed)

    def save(self) -> None:
        """serve keeps its caches in memory."""


def next_cache(cache: MarkdownCache, changed: frozenset[str]) -> MarkdownCache:
    """The next build's Markdown cache, kept in memory: every entry known so far (an entry is checked
    before it is reused, as one read from disk is), and the media files' hashes while no file but a
    page's text changed."""
    return MarkdownCache(cache.path, cache.settings, {**cache.entries, **cache.used},
                         media=dict(cache.media) if only_pages_changed(changed) else {})
