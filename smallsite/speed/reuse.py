"""What of a previous model a save leaves valid: serve's prepare re-reads only what the watcher reported.

The rules are conservative: anything but a file in content/ changing (a template, a catalogue, a static
file, site.toml), or other settings, and nothing is reused. The result of a prepare that reuses is the
same as of one that does not (tests/test_serve_matches_build.py)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..model.content import CONTENT_DIR, Page
from ..model.site import Site

if TYPE_CHECKING:
    from ..model.config import SiteConfig
    from ..build.pipeline import BuildOptions, PreparedSite


@dataclass(frozen=True)
class Reuse:
    """Which parts of a previous PreparedSite still hold after some paths changed."""

    pages: bool = False  # pages read from sources not in `reread`
    sources: bool = False  # the list of sources (no page file was added, removed or renamed)
    templates: bool = False  # catalogues, static files, environments, template checks
    reread: frozenset[Path] = frozenset()


def reusable_parts(config: SiteConfig, options: BuildOptions, previous: PreparedSite | None,
                   changed: frozenset[str] | None) -> Reuse:
    """What a watcher's batch of changed paths (relative to the project) leaves valid of `previous`."""
    if previous is None or changed is None or previous.config != config \
            or (previous.options.strict, previous.options.drafts) != (options.strict, options.drafts):
        return Reuse()
    if any(not path.startswith(CONTENT_DIR + "/") for path in changed):
        return Reuse()
    known = {source.shown: source.path for source in previous.sources}
    reread = {known[name] for name in changed if name in known}
    unknown = [name for name in changed if name not in known]
    if unknown:  # a new file, or a folder created, moved or deleted: every page below it changes
        reread.update(path for shown, path in known.items()
                      if any(shown.startswith(name + "/") for name in unknown))
    # A source that is now a link: find_sources decides whether it may be read (links.py).
    same_files = not unknown and all(known[name].is_file() and not known[name].is_symlink() for name in changed)
    return Reuse(pages=True, sources=same_files, templates=True, reread=frozenset(reread))


def same_place(old: Page | None, new: Page | None) -> bool:
    """True when a page's new text leaves it where it was: same key, language, URL and file (so the
    site's documents, fallbacks and URL clashes are those of before)."""
    return old is not None and new is not None and \
        (old.key, old.lang, old.url_path, old.shown, old.path) == (new.key, new.lang, new.url_path, new.shown, new.path)


def replace_pages(site: Site, replaced: dict[tuple[str, str], Page]) -> Site:
    """The same site with some pages' text replaced, each in its same place (see same_place)."""
    if not replaced:
        return site
    pages = {key: replaced.get(key, page) for key, page in site.pages.items()}
    documents = tuple(dataclasses.replace(d, page=replaced[(d.page.key, d.page.lang)])
                      if (d.page.key, d.page.lang) in replaced else d for d in site.documents)
    return Site(site.config, pages, documents, {(d.key, d.lang): d for d in documents})
