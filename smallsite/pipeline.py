"""The one place that knows the order of the stages of a build."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from . import outputs
from .assets import MediaFile, collect_static
from .catalogues import load_catalogues
from .config import SiteConfig
from .content import find_sources, read_pages
from .i18n import Site, assemble_site
from .problems import BuildFailed, Problem
from .render import (TEMPLATE_FOR_KIND, Renderer, check_templates, document_context, make_environment,
                     page_links, render_body, render_template, resolve_hero, story_card)
from .write import write_tree


@dataclass(frozen=True)
class BuildOptions:
    """How to build: what the command line asked for."""

    strict: bool = False
    drafts: bool = False
    # A build for `serve`: shows editors' notices (a stale translation) that the published site never has.
    preview: bool = False


@dataclass
class BuildResult:
    """A finished build in memory: output path -> bytes, and the warnings met on the way."""

    site: Site
    files: dict[str, bytes]
    problems: list[Problem] = field(default_factory=list)


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
    if environments:
        problems += check_templates(config, next(iter(environments.values())))
    _stop_on_errors(problems, options)

    renderer = Renderer(site, environments, static.urls, preview=options.preview)
    files: dict[str, bytes] = dict(static.files)
    media: dict[str, MediaFile] = {}
    for lang in config.languages:
        problems += render_language(renderer, lang.code, files, media)
    problems += render_site_files(renderer, files)
    for item in media.values():
        files[item.output_path] = item.source.read_bytes()
    _stop_on_errors(problems, options)
    return BuildResult(site, dict(sorted(files.items())), problems)


def render_language(renderer: Renderer, lang: str, files: dict[str, bytes],
                    media: dict[str, MediaFile]) -> list[Problem]:
    """Every document of one language's section, and its feed."""
    site = renderer.site
    env = renderer.environments[lang]
    url_paths = page_links(site, lang)
    problems: list[Problem] = []
    cards = []
    for story in site.stories(lang):
        card, item, problem = story_card(renderer, story)
        cards.append(card)
        problems += [problem] if problem else []
        if item:
            media[item.output_path] = item
    for document in site.documents:
        if document.lang != lang:
            continue
        body = render_body(site, document, url_paths)
        hero, item, problem = resolve_hero(site.config, document)
        problems += [*body.problems, *([problem] if problem else [])]
        for used in (*body.media, *([item] if item else [])):
            media[used.output_path] = used
        context = document_context(renderer, document, body, hero, cards)
        html, found = render_template(env, TEMPLATE_FOR_KIND[document.page.kind], context, site.config,
                                      document.page.shown)
        problems += found
        if html is not None:
            files[document.url_path + "index.html"] = html
    title = site.config.language(lang).title
    files[f"{lang}/feed.xml"] = outputs.atom_feed(site, lang, title)
    return problems


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
    result = build(config, options)
    write_tree(result.files, out_dir, config.root)
    return result
