"""The one place that knows the order of the stages of a build."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from . import outputs
from .assets import MediaFile, StaticFiles, collect_static, read_media
from ..speed.build_record import (BuildRecord, PreviousBuild, WrittenPage, pages_still_written,
                           site_files_still_written)
from ..i18n.catalogues import LoadedCatalogue, load_catalogues
from ..model.config import SiteConfig
from ..model.content import CONTENT_DIR, Page, SourceFile, find_sources, find_url_clashes, read_page, with_body
from ..model.frontmatter import import_yaml
from ..model.site import Document, Site, assemble_site
from ..model.links import LeadsOut
from .markdown import LinkContext
from ..speed.markdown_cache import MarkdownCache, cached_markdown, load_cache, placed, render_markdown_cached, save_cache
from ..speed.page_cache import (PageCache, cached_page, code_digest, load_page_cache, new_entry, output_file,
                         page_key, save_page_cache)
from ..speed.page_cache import prepare as prepare_page_cache
from ..model.problems import BuildFailed, Problem, plain, unique
from ..speed.template_cache import compiled_templates
from ..speed.reuse import replace_pages, reusable_parts, same_place
from .render import (SITE_FILES, TEMPLATE_FOR_KIND, Renderer, StoryCards, check_templates, document_context,
                     load_locale_data, make_environment, page_links, render_site_files, render_template,
                     resolve_hero, story_card)
from ..speed.workers import map_in_processes, worker_count
from .output_folder import check_output_dir, foreign_files, foreign_problems, list_output
from .write import STAGED, UNCHANGED, Staging, WriteSummary, start_staging, write_tree


@dataclass(frozen=True)
class BuildOptions:
    """How to build: what the command line asked for."""

    strict: bool = False
    drafts: bool = False
    # A build for `serve`: shows editors' notices (a stale translation) that the published site never has.
    preview: bool = False
    # Processes that render pages: None for one per core when the site is big enough, 1 for this one only.
    workers: int | None = None
    # Keep rendered Markdown in .cache/ between builds (it only skips work: the output is the same).
    cache: bool = True
    # Told (pages done, pages in all) while pages render: the command line draws its progress line with it.
    progress: Callable[[int, int], None] | None = field(default=None, compare=False)


@dataclass
class BuildResult:
    """A finished build in memory: output path -> bytes, and the warnings met on the way."""

    site: Site
    # Output path -> bytes; or write.UNCHANGED (the folder has it, as the last build's record proves) or
    # write.STAGED (already in the staging folder), in build_site's builds.
    files: dict[str, bytes]
    problems: list[Problem] = field(default_factory=list)
    record: BuildRecord | None = None  # what the next build may reuse (build_record.py)
    written: WriteSummary | None = None  # what build_site changed in the output folder


@dataclass(frozen=True)
class RenderedDocument:
    """One page's HTML (None when its template failed), what it met, and its Markdown cache entry."""

    html: bytes | None
    problems: tuple[Problem, ...]
    media: tuple[MediaFile, ...]
    cache_key: str
    cache_entry: tuple | None
    # The page cache's key and new entry (None for a hit, or when the page cannot be kept).
    page_key: str | None = None
    page_entry: tuple | None = None
    hero: tuple | None = None  # resolve_hero's answer, part of the page key (kept for the build record)


@dataclass(frozen=True)
class PreparedSite:
    """A build's model stage: the sources read, the site assembled, static files hashed, templates compiled.
    What the render stage needs, and what the next `prepare` in `serve` reuses of it."""

    config: SiteConfig
    options: BuildOptions
    sources: tuple[SourceFile, ...]
    source_problems: tuple[Problem, ...]
    reads: dict[Path, tuple[Page | None, tuple[Problem, ...]]]  # each source's read_page answer
    clash_problems: tuple[Problem, ...]  # pages that share a URL
    catalogues: dict[str, LoadedCatalogue]
    catalogue_problems: tuple[Problem, ...]
    site: Site
    site_problems: tuple[Problem, ...]  # missing translations, no home page
    static: StaticFiles
    environments: dict[str, Any]
    templates: Any  # the compiled-templates cache the environments share (saved after a build)
    template_problems: tuple[Problem, ...]
    problems: tuple[Problem, ...]  # every problem so far, in the order a build reports them


def prepare(config: SiteConfig, options: BuildOptions = BuildOptions(), previous: PreparedSite | None = None,
            changed: frozenset[str] | None = None, recorded: PreviousBuild | None = None) -> PreparedSite:
    """Sources -> the site model, never raising for an editor's error (the caller decides).
    With `previous` and the project paths `changed` since it (a watcher's batch), reuses what they cannot
    have changed: other pages' reads and, when only content/ changed, catalogues, static files and the
    compiled templates. The result is the same as without `previous`. `recorded`: what the last build
    into the same folder left (build_record.py): the sources it read whose files are unchanged since are
    taken as it read them, and a changed source keeps its front matter when that text is unchanged."""
    reuse = reusable_parts(config, options, previous, changed)
    if reuse.sources:
        sources, source_problems = list(previous.sources), list(previous.source_problems)
    else:
        sources, source_problems = find_sources(config, recorded.paths if recorded else None)
    reads: dict[Path, tuple[Page | None, tuple[Problem, ...]]] = {}
    for source in sources:
        kept = previous.reads.get(source.path) if previous and source.path not in reuse.reread else None
        if kept is not None and not reuse.pages:
            kept = None
        if kept is None and recorded:
            kept = recorded.reads.get(source.path)
        reads[source.path] = kept
    moved = not reuse.sources  # whether a page may have come, gone or moved: assemble the site anew
    replaced: dict[tuple[str, str], Page] = {}
    to_read = [source for source in sources if reads[source.path] is None]
    made: list[tuple] = []  # what prepare_templates made, while worker processes read the sources

    def prepare_templates() -> None:
        if reuse.templates:
            made.append((previous.catalogues, list(previous.catalogue_problems), previous.static,
                         previous.environments, previous.templates, list(previous.template_problems)))
            return
        catalogues, catalogue_problems = load_catalogues(config, config.root if options.cache else None)
        static = collect_static(config.root, config.base_path)
        environments = {lang.code: make_environment(config, lang, catalogues[lang.code], static.urls)
                        for lang in config.languages if lang.code in catalogues}
        templates = compiled_templates(config.root if options.cache else None, code_digest())
        for env in environments.values():  # one compilation of each template for every language (and build)
            env.bytecode_cache = templates
        template_problems = check_templates(config, next(iter(environments.values()))) if environments else []
        if len(to_read) >= MIN_SOURCES_PER_WORKER:  # a first build of a big site: many pages, on every core
            load_locale_data(config)
        made.append((catalogues, catalogue_problems, static, environments, templates, template_problems))

    # Each source to read as it was last read, if it was: serve's model has every source, the record the
    # changed ones (looked up per source: copying serve's whole model for a few would cost more).
    earlier_pages = {source.path: ((previous.reads.get(source.path) if previous else None)
                                   or (recorded.changed_reads.get(source.path) if recorded else None)
                                   or (None,))[0] for source in to_read}
    for source, (page, found) in zip(to_read, read_sources(to_read, options, prepare_templates, earlier_pages)):
        earlier = previous.reads.get(source.path, (None,))[0] if previous else None
        if same_place(earlier, page):
            replaced[(page.key, page.lang)] = page
        else:
            moved = True
        reads[source.path] = (page, found)
    pages = [page for page, _ in reads.values() if page]
    if moved:
        clashes = find_url_clashes(pages)
    else:
        clashes = list(previous.clash_problems)
    read_problems = [problem for _, found in reads.values() for problem in found] + clashes
    catalogues, catalogue_problems, static, environments, templates, template_problems = made[0]
    if moved:
        site, site_problems = assemble_site(config, pages, strict=options.strict)
    else:  # the same pages in the same places, some with new text
        site, site_problems = replace_pages(previous.site, replaced), list(previous.site_problems)
    problems = (*source_problems, *read_problems, *catalogue_problems, *static.problems, *site_problems,
                *template_problems)
    return PreparedSite(config, options, tuple(sources), tuple(source_problems), reads, tuple(clashes),
                        catalogues, tuple(catalogue_problems), site, tuple(site_problems), static, environments,
                        templates, tuple(template_problems), problems)


# Reading a source (its front matter's YAML, mostly) costs a twentieth of rendering its page: below this
# many per process, forking and sending the pages back costs more than it saves.
MIN_SOURCES_PER_WORKER = 400


def read_sources(sources: list[SourceFile], options: BuildOptions, meanwhile: Callable[[], None],
                 earlier: dict[Path, Page | None]) -> list[tuple[Page | None, tuple[Problem, ...]]]:
    """read_page for each source, in order; on every core when there are many (a first build), the
    build's own process doing `meanwhile` first (the templates: they need no page) while the others read.
    `earlier`: each source's page as last read, if any (see read_page)."""
    def read(source: SourceFile) -> tuple[Page | None, tuple[Problem, ...]]:
        page, found = read_page(source, options.drafts, earlier.get(source.path))
        return page, tuple(found)

    workers = worker_count(len(sources), options.workers, MIN_SOURCES_PER_WORKER)
    if workers > 1:
        import_yaml()
    return map_in_processes(read, sources, workers, first=meanwhile)


def build(config: SiteConfig, options: BuildOptions = BuildOptions(),
          previous_build: PreviousBuild | None = None, staging: Staging | None = None,
          out_dir: Path | None = None) -> BuildResult:
    """Sources -> the whole output tree in memory. Raises BuildFailed with every problem found.
    `previous_build`: what the last build into the same folder left, still valid (build_record.py).
    `staging`: where pages go as they are rendered (their files then say STAGED), for build_site.
    `out_dir`: the folder build_site writes the tree to (the page cache then keeps pages as its files)."""
    prepared = prepare(config, options, recorded=previous_build)
    stop_on_errors(list(prepared.problems), options)
    pages = load_page_cache(config.root if options.cache else None, options.preview)
    if out_dir is not None:
        pages.output_dir = os.fspath(out_dir.resolve())
    cache = load_cache(config.root if options.cache else None)
    if previous_build is not None:
        cache.media.update(previous_build.media)  # hashed and measured by the last build, and unchanged since
    rendering = SiteRendering(prepared, cache, pages=pages, previous_build=previous_build, staging=staging)
    try:
        rendering.render_all(options.workers, options.progress)
        return rendering.result()
    finally:  # what was rendered is worth keeping, also when some page failed
        save_page_cache(pages)
        prepared.templates.save()


class SiteRendering:
    """The render stage of one prepared site: each output file made once, when first asked for
    (serve's pages on request) or all in a build's order (`render_all`); `result` is the build's."""

    def __init__(self, prepared: PreparedSite, cache: MarkdownCache, earlier: SiteRendering | None = None,
                 changed_files: frozenset[Path] = frozenset(), pages: PageCache | None = None,
                 previous_build: PreviousBuild | None = None, staging: Staging | None = None):
        """`earlier`: a rendering of the same settings, templates and media files, whose story cards
        may be reused for the stories that are as they were (`changed_files`: what changed since).
        `pages`: the page cache `render_all` takes whole pages from (a build's; serve renders on request)."""
        self.prepared = prepared
        self.site = prepared.site
        self.renderer = Renderer(prepared.site, prepared.environments, prepared.static.urls,
                                 preview=prepared.options.preview)
        self.cache = cache
        self._cards: dict[str, tuple[list[dict], list[Problem], dict[str, MediaFile]]] = {}
        self._links: dict[str, dict[str, str]] = {}
        self._documents: dict[tuple[str, str], RenderedDocument] = {}
        self._site_files: tuple[dict[str, bytes], list[Problem]] | None = None
        self._card_of: dict[tuple[str, str], tuple[Document, dict, MediaFile | None, Problem | None]] = {}
        self._earlier_cards = earlier._card_of if earlier is not None else {}
        self._changed_files = changed_files
        if earlier is None and previous_build is not None:  # a build: the cards the last one made
            self._earlier_cards, self._changed_files = previous_build.cards, previous_build.changed_files
        self.pages = pages
        self.previous_build = previous_build
        self.staging = staging
        self._site_record: tuple[tuple[str, ...], tuple] = ((), ())  # set by `result`, for `record`

    def cards(self, lang: str) -> tuple[list[dict], list[Problem], dict[str, MediaFile]]:
        """A language's story cards, the problems met making them, and the illustrations they show."""
        if lang not in self._cards:
            made = [self._card(story) for story in self.site.stories(lang)]
            self._cards[lang] = (StoryCards(card for card, _, _ in made),
                                 [problem for _, _, problem in made if problem],
                                 {item.output_path: item for _, item, _ in made if item})
        return self._cards[lang]

    def _card(self, story: Document) -> tuple[dict, MediaFile | None, Problem | None]:
        """A story's card: the earlier rendering's when the story and its illustration are as they were."""
        earlier = self._earlier_cards.get((story.key, story.lang))
        if earlier is not None and earlier[0] == story and earlier[3] is None \
                and (earlier[2] is None or earlier[2].source not in self._changed_files):
            made = earlier[1:]
        else:
            made = story_card(self.renderer, story, self.cache.media_file)
        self._card_of[(story.key, story.lang)] = (story, *made)
        return made

    def links(self, lang: str) -> dict[str, str]:
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
                                   self.cards(document.lang)[0], self.cache)
            self._keep(document, done)
        return done

    def _keep(self, document: Document, rendered: RenderedDocument) -> None:
        self.cache.record(rendered.cache_key, rendered.cache_entry)
        if self.pages is not None:
            self.pages.record(rendered.page_key, rendered.page_entry)
        self._documents[(document.key, document.lang)] = rendered

    def media_so_far(self) -> dict[str, MediaFile]:
        """Output path -> media file, of the cards made and the pages rendered so far."""
        media: dict[str, MediaFile] = {}
        for _, _, shown in list(self._cards.values()):
            media.update(shown)
        for rendered in list(self._documents.values()):
            media.update((item.output_path, item) for item in rendered.media)
        return media

    def site_files(self) -> tuple[dict[str, bytes], list[Problem]]:
        """The root chooser, the 404 page, the sitemap and robots.txt, and the problems met."""
        if self._site_files is None:
            files: dict[str, bytes] = {}
            problems = render_site_files(self.renderer, files)
            self._site_files = (files, problems)
        return self._site_files

    def feed(self, lang: str) -> bytes:
        return outputs.atom_feed(self.site, lang, self.site.config.language(lang).title)

    def render_all(self, workers: int | None = None, progress: Callable[[int, int], None] | None = None) -> None:
        """Render every page not rendered yet, on every core when there are enough of them."""
        for lang in self.site.config.languages:
            self.cards(lang.code)
            self.links(lang.code)
        documents = [d for d in self.site.documents if (d.key, d.lang) not in self._documents]
        renderer, cache, pages = self.renderer, self.cache, self.pages
        links = {lang.code: self._links[lang.code] for lang in self.site.config.languages}
        cards = {lang.code: self._cards[lang.code][0] for lang in self.site.config.languages}
        if pages is not None:
            options = self.prepared.options
            prepare_page_cache(pages, self.site, self.prepared.static.urls, cards,
                               (options.preview, options.drafts, options.strict))

        staging = self.staging

        def render_one(document: Document, kept_only: bool = False) -> RenderedDocument | None:
            rendered = render_document(renderer, document, links[document.lang], cards[document.lang], cache,
                                       pages, kept_only)
            if staging is not None and rendered is not None and isinstance(rendered.html, bytes):
                # Written by the process that rendered it, while the others render: the HTML need not
                # travel back, nor wait for the end of the build to be written.
                staging.write(document.url_path + "index.html", rendered.html)
                rendered = replace(rendered, html=STAGED)
            return rendered

        # Pages the output folder already holds are left there; kept pages are taken here (forking and
        # sending their HTML back would cost more than they do); only the others are rendered, on every core.
        written = self._still_written(documents)
        kept = [written.get((d.key, d.lang)) or (render_one(d, kept_only=True) if pages is not None and pages.entries
                                                 else None) for d in documents]
        to_render = [document for document, rendered in zip(documents, kept) if rendered is None]
        told = (lambda done: progress(done, len(to_render))) if progress else None
        count = worker_count(len(to_render), workers)
        if to_render:
            cache.converters.make_ready()
        fresh = iter(map_in_processes(render_one, to_render, count, told))
        for document, rendered in zip(documents, kept):
            self._keep(document, rendered or next(fresh))

    def _still_written(self, documents: list[Document]) -> dict[tuple[str, str], RenderedDocument]:
        """The pages the output folder holds as this build would write them (build_record.py)."""
        if self.previous_build is None or self.pages is None:
            return {}
        return {place: RenderedDocument(UNCHANGED, tuple(Problem(*problem) for problem in written.problems),
                                        written.media, written.markdown_key, None, written.page_key, None,
                                        written.hero)
                for place, written in pages_still_written(self.previous_build, self.pages, self.site,
                                                          documents).items()}

    def record(self) -> BuildRecord:
        """What the next build may reuse: every source as read, every page as written."""
        root = self.site.config.root
        reads = {_relative(path, root): read for path, read in self.prepared.reads.items()}
        written = {}
        # One object per media file, so the record stores each once (pages made their own copies).
        shared: dict[MediaFile, MediaFile] = {item: item for item in self.cache.media.values()}
        for document in self.site.documents:
            rendered = self._documents.get((document.key, document.lang))
            if rendered is not None and rendered.html is not None and rendered.page_key is not None:
                written[document.url_path + "index.html"] = WrittenPage(
                    rendered.cache_key, rendered.page_key, plain(rendered.problems),
                    tuple(shared.setdefault(item, item) for item in rendered.media), rendered.hero)
        media = {_relative(path, root): item for path, item in self.cache.media.items()}
        return BuildRecord(reads, dict(self.pages.sections) if self.pages is not None else {}, written, media,
                           self._site_record, dict(self._card_of))

    def result(self) -> BuildResult:
        """The whole build, once every page is rendered; raises BuildFailed as `build` does."""
        config = self.site.config
        options = self.prepared.options
        problems = list(self.prepared.problems)
        files: dict[str, bytes] = dict(self.prepared.static.files)
        media: dict[str, MediaFile] = {}
        for lang in config.languages:
            _, found, shown = self.cards(lang.code)
            problems += found
            media.update(shown)
        for document in self.site.documents:
            rendered = self._documents[(document.key, document.lang)]
            problems += rendered.problems
            for item in rendered.media:
                media[item.output_path] = item
            if rendered.html is not None:
                files[document.url_path + "index.html"] = rendered.html
        save_cache(self.cache)
        kept = site_files_still_written(self.previous_build, self.pages) if self.previous_build else None
        if kept is not None:
            names, found = kept
            files.update((name, UNCHANGED) for name in names)
        else:
            for lang in config.languages:
                files[f"{lang.code}/feed.xml"] = self.feed(lang.code)
            site_files, found = self.site_files()
            files.update(site_files)
        whole_site = [*(f"{lang.code}/feed.xml" for lang in config.languages), *SITE_FILES]
        self._site_record = (tuple(name for name in whole_site if name in files), plain(found))
        problems += found
        intact = self.previous_build.intact if self.previous_build else frozenset()
        for item in media.values():
            # A media file's name carries a digest of its bytes: one the last build wrote, untouched, is right.
            try:
                files[item.output_path] = UNCHANGED if item.output_path in intact else read_media(item, config.root)
            except LeadsOut as refused:
                problems.append(Problem(refused.outward.link, None, refused.outward.message))
        problems = unique(problems)
        stop_on_errors(problems, options)
        return BuildResult(self.site, dict(sorted(files.items())), problems, self.record())


def _relative(path: Path, root: Path) -> str:
    """A project file's path from the project folder, with forward slashes (as the build stamp has it)."""
    text, top = os.fspath(path), os.fspath(root)
    if text.startswith(top + os.sep) and ".." not in text:
        return text[len(top) + 1:].replace(os.sep, "/")
    return os.path.relpath(text, top).replace(os.sep, "/")  # a path spelt another way


def render_document(renderer: Renderer, document: Document, url_paths: dict[str, str], cards: list[dict],
                    cache: MarkdownCache, pages: PageCache | None = None, kept_only: bool = False
                    ) -> RenderedDocument | None:
    """One page: its Markdown (from the cache when still valid), its illustration, its template (or the
    whole page from the page cache, when its Markdown was still valid and nothing else it shows changed).
    With `kept_only`, None unless the page cache has it. Runs in a worker process: it reads the site model
    and changes nothing shared."""
    config = renderer.site.config
    page, changed = with_body(document.page)
    if changed is not None:  # its source no longer holds the bytes read: the build stops (see with_body)
        return RenderedDocument(None, (changed,), (), "", None)
    context = LinkContext(page, document.lang, config.root / CONTENT_DIR, config.base_path, url_paths,
                          raw_html=config.raw_html, site_host=config.host)
    if kept_only:  # never convert Markdown here: a page that needs it is rendered on every core
        body, key = cached_markdown(context, cache)
        if body is None:
            return None
        entry = None
    else:
        body, key, entry = render_markdown_cached(context, cache)
    hero, item, problem = resolve_hero(config, document, cache.media_file)
    kept_key = page_key(pages, renderer.site, document, key, (hero, item, problem)) if pages else None
    # Only a Markdown hit (entry None) proves the body is what it was when the page was kept.
    kept = cached_page(pages, kept_key) if pages and entry is None else None
    if kept is not None:
        html, found, kept_entry = kept[0], kept[1], None
    elif kept_only:
        return None
    else:
        context = document_context(renderer, document, body, hero, cards)
        html, found = render_template(renderer.environments[document.lang], TEMPLATE_FOR_KIND[document.page.kind],
                                      context, config, document.page.shown)
        file = output_file(pages, document.url_path) if pages else None
        kept_entry = new_entry(html, found, file) if pages else None
        kept_key = kept_key if kept_entry is not None else None
        if file is not None and html is not None:  # the body kept as its place in the page (a hit: its new place)
            known = entry if entry is not None else cache.entries.get(key)
            entry = placed(known, body.html, html, file) if known is not None else None
    return RenderedDocument(html, (*body.problems, *([problem] if problem else []), *found),
                            (*body.media, *([item] if item else [])), key, entry, kept_key, kept_entry,
                            (hero, item, problem))


def stop_on_errors(problems: list[Problem], options: BuildOptions) -> None:
    """Raise BuildFailed when a problem is an error (or any problem, with --strict)."""
    if any(p.is_error or options.strict for p in problems):
        raise BuildFailed(problems)


def build_site(config: SiteConfig, out_dir: Path, options: BuildOptions = BuildOptions(),
               previous_build: PreviousBuild | None = None) -> BuildResult:
    """Build, then write the output folder; a failed build leaves the last good one untouched."""
    out = check_output_dir(out_dir, config.root)  # before any work: a refused folder leaves no trace, not even .cache
    staging = start_staging(out_dir, config.root)
    try:
        result = build(config, options, previous_build, staging, out_dir)
        listing = (list(previous_build.outputs), previous_build.folders) if previous_build else list_output(out)
        # Files someone else put into the folder are kept, but deployed too: say so (--strict: fail).
        foreign = foreign_problems(out_dir, foreign_files(out, listing[0]))
        if foreign:
            stop_on_errors([*result.problems, *foreign], options)
            result.problems.extend(foreign)
        result.written = write_tree(result.files, out_dir, config.root, listing, staging)
    except BaseException:
        if staging is not None:
            staging.discard()  # a failed build leaves nothing, not even its staged pages
        raise
    return result
