"""The model stage: sources found and read, the site assembled, catalogues, static files and templates
loaded. Never raises for an editor's error: every problem is collected for the caller to judge."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from ..i18n.catalogues import LoadedCatalogue, load_catalogues
from ..model.config import SiteConfig
from ..model.content import Page, SourceFile, SourceRead, find_sources, find_url_clashes, read_page
from ..model.frontmatter import import_yaml
from ..model.problems import Problem
from ..model.site import Site, assemble_site
from .assets import StaticFiles, collect_static
from .memo import Memo
from .environments import load_locale_data, make_environment
from .render import check_templates

if TYPE_CHECKING:
    from .options import BuildOptions

# Reading a source is cheap next to rendering its page: below this many per process, forking and
# sending the pages back would cost more than it saves.
MIN_SOURCES_PER_WORKER = 400


@dataclass(frozen=True)
class LoadedTemplates:
    """What pages are rendered with: catalogues, static files, one Jinja environment per language."""

    catalogues: dict[str, LoadedCatalogue]
    catalogue_problems: tuple[Problem, ...]
    static: StaticFiles
    environments: dict[str, Any]
    template_problems: tuple[Problem, ...]


@dataclass(frozen=True)
class PreparedSite:
    """A build's model stage: the sources read, the site assembled, the templates loaded. What the render
    stage needs, and what serve's memo offers the next save's prepare."""

    config: SiteConfig
    options: BuildOptions
    sources: tuple[SourceFile, ...]
    source_problems: tuple[Problem, ...]
    reads: dict[Path, SourceRead]  # each source as read
    clash_problems: tuple[Problem, ...]  # pages that share a URL
    site: Site
    site_problems: tuple[Problem, ...]  # missing translations, no home page
    templates: LoadedTemplates
    problems: tuple[Problem, ...]  # every problem so far, in the order a build reports them

    @property
    def static(self) -> StaticFiles:
        return self.templates.static

    @property
    def environments(self) -> dict[str, Any]:
        return self.templates.environments


def prepare(config: SiteConfig, options: BuildOptions, memo: Memo) -> PreparedSite:
    """Sources -> the site model. What the memo has of an earlier build (a model serve made before a save,
    or sources the last build read whose files are unchanged) is taken as it is; the result is the same."""
    earlier = memo.earlier_model(config, options)
    previous = earlier.prepared if earlier is not None else None
    if earlier is not None and earlier.sources:
        sources, source_problems = list(previous.sources), list(previous.source_problems)
    else:
        sources, source_problems = find_sources(config, memo.known_sources())
    reads: dict[Path, SourceRead | None] = {}
    for source in sources:
        kept = None
        if earlier is not None and earlier.pages and source.path not in earlier.reread:
            kept = previous.reads.get(source.path)
        reads[source.path] = kept if kept is not None else memo.source_as_read(source.path)
    to_read = [source for source in sources if reads[source.path] is None]
    many = memo.workers_for(len(to_read), MIN_SOURCES_PER_WORKER) > 1
    made: list[LoadedTemplates] = []

    def load_templates() -> None:  # while worker processes read the sources
        if earlier is not None and earlier.templates:
            made.append(previous.templates)
            return
        catalogues, catalogue_problems = load_catalogues(config, memo.catalogues())
        static = collect_static(config.root, config.base_path)
        environments = {lang.code: make_environment(config, lang, catalogues[lang.code], static.urls)
                        for lang in config.languages if lang.code in catalogues}
        compiled = memo.templates()
        for env in environments.values():
            env.bytecode_cache = compiled
        template_problems = check_templates(config, next(iter(environments.values()))) if environments else []
        if many:  # loaded once here, not in every worker process
            load_locale_data(config)
        made.append(LoadedTemplates(catalogues, tuple(catalogue_problems), static, environments,
                                    tuple(template_problems)))

    def as_read(path: Path) -> Page | None:
        read = previous.reads.get(path) if previous is not None else None
        return read.page if read else memo.page_as_read(path)

    earlier_pages = {source.path: as_read(source.path) for source in to_read}
    moved = earlier is None or not earlier.sources  # a page may have come, gone or moved: assemble anew
    replaced: dict[tuple[str, str], Page] = {}
    for source, read in zip(to_read, read_sources(to_read, options, memo, many, load_templates, earlier_pages)):
        earlier_read = previous.reads.get(source.path) if previous else None
        if same_place(earlier_read.page if earlier_read else None, read.page):
            replaced[(read.page.key, read.page.lang)] = read.page
        else:
            moved = True
        reads[source.path] = read
    pages = [read.page for read in reads.values() if read.page]
    clashes = find_url_clashes(pages) if moved else list(previous.clash_problems)
    read_problems = [problem for read in reads.values() for problem in read.problems] + clashes
    templates = made[0]
    if moved:
        site, site_problems = assemble_site(config, pages, strict=options.strict)
    else:  # the same pages in the same places, some with new text
        site, site_problems = replace_pages(previous.site, replaced), list(previous.site_problems)
    problems = (*source_problems, *read_problems, *templates.catalogue_problems, *templates.static.problems,
                *site_problems, *templates.template_problems)
    return PreparedSite(config, options, tuple(sources), tuple(source_problems), reads, tuple(clashes), site,
                        tuple(site_problems), templates, problems)


def read_sources(sources: list[SourceFile], options: BuildOptions, memo: Memo, many: bool,
                 meanwhile: Callable[[], None], earlier: dict[Path, Page | None]
                 ) -> list[SourceRead]:
    """read_page for each source, in order (on every core, when `many`), the build's own process doing
    `meanwhile` first. `earlier`: each source's page as last read, if any (see read_page)."""
    def read(source: SourceFile) -> SourceRead:
        page, found = read_page(source, options.drafts, earlier.get(source.path))
        return SourceRead(page, tuple(found))

    if many:
        import_yaml()  # once, before the worker processes are forked
    return memo.map(read, sources, MIN_SOURCES_PER_WORKER, first=meanwhile)


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
