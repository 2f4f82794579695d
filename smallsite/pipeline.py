"""The one place that knows the order of the stages of a build."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from markupsafe import Markup

from . import outputs
from .assets import MediaFile, collect_static
from .catalogues import load_catalogues
from .config import SiteConfig
from .content import CONTENT_DIR, find_sources, read_pages
from .i18n import Document, Site, assemble_site
from .markdown import LinkContext
from .markdown_cache import MarkdownCache, cached_markdown, load_cache, render_markdown_cached, save_cache
from .page_cache import (PageCache, cached_page, code_digest, load_page_cache, new_entry, page_key, prepare,
                         save_page_cache)
from .problems import BuildFailed, Problem
from .template_cache import compiled_templates
from .render import (TEMPLATE_FOR_KIND, Renderer, check_templates, document_context, make_environment,
                     page_links, render_template, resolve_hero, story_card)
from .workers import map_in_processes, worker_count
from .write import check_output_dir, write_tree


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
    files: dict[str, bytes]
    problems: list[Problem] = field(default_factory=list)


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


def build(config: SiteConfig, options: BuildOptions = BuildOptions()) -> BuildResult:
    """Sources -> the whole output tree in memory. Raises BuildFailed with every problem found."""
    problems: list[Problem] = []
    sources, found = find_sources(config)
    problems += found
    pages, found = read_pages(sources, include_drafts=options.drafts)
    problems += found
    catalogues, found = load_catalogues(config)
    problems += found
    site, found = assemble_site(config, pages, strict=options.strict)
    problems += found
    static = collect_static(config.root, config.base_path)
    environments = {lang.code: make_environment(config, lang, catalogues[lang.code], static.urls)
                    for lang in config.languages if lang.code in catalogues}
    templates = compiled_templates(config.root if options.cache else None, code_digest())
    for env in environments.values():  # one compilation of each template for every language (and build)
        env.bytecode_cache = templates
    if environments:
        problems += check_templates(config, next(iter(environments.values())))
    _stop_on_errors(problems, options)

    renderer = Renderer(site, environments, static.urls, preview=options.preview)
    cache = load_cache(config.root if options.cache else None)
    files: dict[str, bytes] = dict(static.files)
    media: dict[str, MediaFile] = {}
    cards: dict[str, list[dict]] = {}
    for lang in config.languages:
        cards[lang.code], found = story_cards(renderer, lang.code, media, cache.media_file)
        problems += found
    url_paths = {lang.code: page_links(site, lang.code) for lang in config.languages}
    documents = site.documents
    pages = load_page_cache(config.root if options.cache else None, options.preview)
    prepare(pages, site, static.urls, cards, (options.preview, options.drafts, options.strict))

    def render_one(document: Document, kept_only: bool = False) -> RenderedDocument | None:
        return render_document(renderer, document, url_paths[document.lang], cards[document.lang], cache, pages,
                               kept_only)

    # Kept pages are taken here (forking and sending their HTML back would cost more than they do);
    # only the others are rendered, on every core.
    kept = [render_one(document, kept_only=True) if pages.entries else None for document in documents]
    to_render = [document for document, rendered in zip(documents, kept) if rendered is None]
    progress = (lambda done: options.progress(done, len(to_render))) if options.progress else None
    workers = worker_count(len(to_render), options.workers)
    fresh = iter(map_in_processes(render_one, to_render, workers, progress))
    for document, rendered in zip(documents, kept):
        rendered = rendered or next(fresh)
        cache.record(rendered.cache_key, rendered.cache_entry)
        pages.record(rendered.page_key, rendered.page_entry)
        problems += rendered.problems
        for item in rendered.media:
            media[item.output_path] = item
        if rendered.html is not None:
            files[document.url_path + "index.html"] = rendered.html
    save_cache(cache)
    save_page_cache(pages)
    templates.save()
    for lang in config.languages:
        files[f"{lang.code}/feed.xml"] = outputs.atom_feed(site, lang.code, lang.title)
    problems += render_site_files(renderer, files)
    for item in media.values():
        files[item.output_path] = item.source.read_bytes()
    _stop_on_errors(problems, options)
    return BuildResult(site, dict(sorted(files.items())), problems)


def story_cards(renderer: Renderer, lang: str, media: dict[str, MediaFile],
                read_media: Callable[[Path], MediaFile]) -> tuple[list[dict], list[Problem]]:
    """What a language's home page shows of each of its stories."""
    cards, problems = [], []
    for story in renderer.site.stories(lang):
        card, item, problem = story_card(renderer, story, read_media)
        cards.append(card)
        problems += [problem] if problem else []
        if item:
            media[item.output_path] = item
    return cards, problems


def render_document(renderer: Renderer, document: Document, url_paths: dict[str, str], cards: list[dict],
                    cache: MarkdownCache, pages: PageCache | None = None, kept_only: bool = False
                    ) -> RenderedDocument | None:
    """One page: its Markdown (from the cache when still valid), its illustration, its template (or the
    whole page from the page cache, when its Markdown was still valid and nothing else it shows changed).
    With `kept_only`, None unless the page cache has it. Runs in a worker process: it reads the site model
    and changes nothing shared."""
    config = renderer.site.config
    context = LinkContext(document.page, document.lang, config.root / CONTENT_DIR, config.base_path, url_paths)
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
        kept_entry = new_entry(html, found)
        kept_key = kept_key if kept_entry is not None else None
    return RenderedDocument(html, (*body.problems, *([problem] if problem else []), *found),
                            (*body.media, *([item] if item else [])), key, entry, kept_key, kept_entry)


def render_site_files(renderer: Renderer, files: dict[str, bytes]) -> list[Problem]:
    """The files that speak every language at once: the root chooser and the 404 page."""
    site = renderer.site
    config = site.config
    problems: list[Problem] = []
    default_env = renderer.environments[config.default_language]
    for name, output, not_found in (("chooser.html", "index.html", False), ("404.html", "404.html", True)):
        greetings = {}
        for language in config.languages:
            env = renderer.environments[language.code]
            html, found = render_template(env, "_greeting.html", {"lang": language, "base_path": config.base_path,
                                                                  "not_found": not_found}, config, output)
            problems += found
            greetings[language.code] = Markup((html or b"").decode("utf-8"))
        context = {"site": config, "languages": config.languages, "greetings": greetings,
                   "base_path": config.base_path, "base_url": config.base_url}
        html, found = render_template(default_env, name, context, config, output)
        problems += found
        if html is not None:
            files[output] = html
    files["sitemap.xml"] = outputs.sitemap(site)
    files["robots.txt"] = outputs.robots_txt(site)
    return problems


def _stop_on_errors(problems: list[Problem], options: BuildOptions) -> None:
    if any(p.is_error or options.strict for p in problems):
        raise BuildFailed(problems)


def build_site(config: SiteConfig, out_dir: Path, options: BuildOptions = BuildOptions()) -> BuildResult:
    """Build, then write the output folder; a failed build leaves the last good one untouched."""
    check_output_dir(out_dir, config.root)  # before any work, so a refused folder leaves no trace (not even .cache)
    result = build(config, options)
    write_tree(result.files, out_dir, config.root)
    return result
