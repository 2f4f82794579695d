"""A document -> HTML bytes, in its language's Jinja environment (environments.py)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, NamedTuple
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from . import outputs
from .assets import MediaFile, media_file, resolve_local, srcset
from ..model.config import Language, SiteConfig
from ..model.site import Alternate, Document, Site, alternates
from ..model.links import files_below
from .markdown import RenderedMarkdown
from ..model.names import encode_path
from ..model.problems import Problem, display_path
from ..model.project import CONTENT_DIR, TEMPLATES_DIR
from .share_cards import chooser_card, page_card, share_image

TEMPLATE_FOR_KIND = {"home": "home.html", "story": "story.html", "page": "page.html"}
# The privacy-enhanced player: no cookies until the reader plays the film (issue 3).
FILM_EMBED = "https://www.youtube-nocookie.com/embed/{id}?autoplay=1&rel=0"


@dataclass(frozen=True)
class Renderer:
    """What rendering needs for the whole site: its model, an environment per language, static URLs."""

    site: Site
    environments: dict[str, jinja2.Environment]
    static_urls: dict[str, str]
    preview: bool = False  # a `serve` build: shows editors' notices the published site never has

    @cached_property
    def plain_pages(self) -> dict[str, tuple[Document, ...]]:
        """Each language's plain pages (About, ...), in the site's order: found once, not for every page
        (every page's navigation lists them: looking through the whole site for each would grow with its square)."""
        found: dict[str, list[Document]] = {}
        for document in self.site.documents:
            if document.page.kind == "page":
                found.setdefault(document.lang, []).append(document)
        return {lang: tuple(documents) for lang, documents in found.items()}

    @cached_property
    def planned_cards(self) -> dict[tuple[str, str], Any]:
        """(page key, language) -> its share card as planned (share_cards.py), ("", "") the chooser's."""
        return {}

    @cached_property
    def _cards_made(self) -> dict[tuple, tuple[dict, Any, Markup]]:
        return {}

    def story_card(self, lang_code: str) -> Callable[..., Markup]:
        """What a page calls as `story_card(story, lang, number)` (one made for each page): _macros.html's
        macro, rendered once per card. A story's card is the same on the home page and on the three story
        pages that offer it, so it is made once, not on each of them. The
        macro is looked up when the page first calls it (once a page, not once a card), so a mistake in
        _macros.html is the page's template error, as when pages imported it; arguments are passed on as
        they come."""
        made = self._cards_made
        environment = self.environments[lang_code]
        found_macro: list = []  # looked up at the page's first card, for the rest of its cards

        def story_card(story: Any, *args: Any, **kwargs: Any) -> Markup:
            if not found_macro:
                try:
                    found_macro.append(environment.get_template(CARD_MACROS).module.story_card)
                except jinja2.TemplateNotFound:
                    raise jinja2.TemplateRuntimeError(f"story_card is the macro of that name in "
                                                      f"{TEMPLATES_DIR}/{CARD_MACROS}, which is missing") from None
            macro = found_macro[0]
            try:  # arguments that cannot be a key (an undefined name, a list) go to the macro, unremembered
                key = (id(story), args, tuple(sorted(kwargs.items())))
                found = made.get(key)
            except Exception:  # noqa: BLE001 - the macro says what is wrong with them, at its own line
                return macro(story, *args, **kwargs)
            if found is None or found[0] is not story or found[1] is not macro:
                found = made[key] = (story, macro, macro(story, *args, **kwargs))
            return found[2]

        return story_card


# Where the story card macro is (`Renderer.story_card`).
CARD_MACROS = "_macros.html"


def check_templates(config: SiteConfig, env: jinja2.Environment) -> list[Problem]:
    """Compile every template once, so a syntax error is reported whatever page uses it. A link that leads
    out of the project (links.py) is refused, never read; editors' litter (ignored.py: an Emacs lock
    .#base.html, a link to nowhere, crashed the build) is no template."""
    folder = config.root / TEMPLATES_DIR
    if not folder.is_dir():
        return [Problem(TEMPLATES_DIR, None, "no templates/ folder")]
    listed, problems = files_below(config.root, TEMPLATES_DIR)
    for name, _ in listed:
        if not name.endswith((".html", ".xml", ".txt")):
            continue
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            problems.append(Problem(f"{TEMPLATES_DIR}/{name}", exc.lineno, f"template error: {exc.message}"))
    return problems


def render_template(env: jinja2.Environment, name: str, context: dict[str, Any], config: SiteConfig,
                    shown: str) -> tuple[bytes | None, list[Problem]]:
    """Render a template; an error points at the template line, and says which page it was making."""
    try:
        return env.get_template(name).render(context).encode("utf-8"), []
    except jinja2.TemplateSyntaxError as exc:
        return None, [Problem(f"{TEMPLATES_DIR}/{exc.name or name}", exc.lineno, f"template error: {exc.message}")]
    except Exception as exc:  # noqa: BLE001 - any template failure is the editor's to see, with its line
        where, line = _template_position(config, sys.exc_info()[2], name)
        message = exc.message if isinstance(exc, jinja2.TemplateError) and exc.message else str(exc)
        return None, [Problem(where, line, f"template error while making {shown}: {message}")]


def _template_position(config: SiteConfig, traceback, name: str) -> tuple[str, int | None]:
    """Jinja rewrites tracebacks so template frames carry the template's file and line."""
    folder = str((config.root / TEMPLATES_DIR).resolve())
    where, line = f"{TEMPLATES_DIR}/{name}", None
    while traceback is not None:
        filename = traceback.tb_frame.f_code.co_filename
        if filename.startswith(folder):
            where = display_path(Path(filename), config.root)
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return where, line


@dataclass(frozen=True)
class ResolvedHero:
    """A page's illustration, ready for a template: front matter's Hero, as its hashed media file."""

    url: str
    alt: str
    width: int | None
    height: int | None
    # A photo's renditions (assets.py): "url 480w, ..." of the JPEG or PNG fallback, and of the WebP.
    srcset: str = ""
    webp_srcset: str = ""


class Illustration(NamedTuple):
    """A page's front-matter illustration as resolve_hero finds it: what the template shows, the media
    file to publish, or the problem met (all None for a page without one)."""

    shown: ResolvedHero | None = None
    media: MediaFile | None = None
    problem: Problem | None = None


class StoryCard(NamedTuple):
    """What a language's home page and story pages show of a story, the illustration it publishes, and
    the problem met finding that."""

    card: dict
    media: MediaFile | None
    problem: Problem | None


def page_links(site: Site, lang: str) -> dict[str, str]:
    """Every page key -> its URL path in one language's section, encoded as a link writes it."""
    return {d.key: d.address for d in site.documents if d.lang == lang}


def resolve_hero(config: SiteConfig, document: Document, read_media: Callable[[Path], MediaFile] = media_file
                 ) -> Illustration:
    """The page's front-matter illustration as a hashed media file (`read_media`: a build's memo of them)."""
    hero = document.page.front.hero
    if hero is None:
        return Illustration()
    path, problem = resolve_local(hero.src, document.page.folder, config.root / CONTENT_DIR,
                                  document.page.shown, hero.line)
    if problem:
        return Illustration(problem=problem)
    media = read_media(path)
    if media.problem is not None:
        return Illustration(problem=Problem(document.page.shown, hero.line, media.problem))
    url = config.base_path + encode_path(media.output_path)
    if media.photo is None:
        return Illustration(ResolvedHero(url, hero.alt, media.width, media.height), media)
    return Illustration(ResolvedHero(url, hero.alt, media.width, media.height,
                                     srcset(media.photo.fallback, config.base_path),
                                     srcset(media.photo.modern, config.base_path)), media)


def site_context(config: SiteConfig, language: Language) -> dict[str, Any]:
    """What every page template knows of the site, in the page's language."""
    return {"title": language.title, "description": language.description, "base_url": config.base_url,
            "base_path": config.base_path, "languages": config.languages}


def document_context(renderer: Renderer, document: Document, body: RenderedMarkdown,
                     illustration: Illustration, stories: list[dict]) -> dict[str, Any]:
    """Everything a page template may use: plain data, named for what it is."""
    hero = illustration.shown
    site = renderer.site
    config = site.config
    language = config.language(document.lang)
    versions = alternates(site, document)
    return {
        "site": site_context(config, language),
        "lang": language,
        "content_lang": config.language(document.page.lang),
        "page": document.page.front,
        "kind": document.page.kind,
        "content": Markup(body.html),
        "toc": Markup(body.toc),
        "hero": hero,
        "is_fallback": document.is_fallback,
        "url": config.base_url + document.address,
        "path": config.base_path + document.address,
        "canonical": config.base_url + document.address,
        "versions": versions,
        # hreflang: only real translations (a fallback is not one), and never from a fallback page.
        "hreflang": [] if document.is_fallback else [v for v in versions if v.is_translation],
        "x_default": config.base_url,
        "home_path": config.base_path + document.lang + "/",
        "feed_path": config.base_path + document.lang + "/feed.xml",
        "stories": stories,
        "more_stories": more_stories(stories, config.base_path + document.address),
        "story_card": renderer.story_card(document.lang),
        "noindex": document.is_fallback,
        # Set only in preview builds, when the translation's source has changed since it was translated.
        "is_stale": renderer.preview and _is_stale_translation(site, document),
        "film": film(document.page.front.video),
        "sections": section_links(renderer, document.lang, document.key),
        "share_image": share_image(renderer, page_card(renderer, document, illustration.media),
                                   document.page.front.title),
    }


MORE_STORIES = 3


class StoryCards(list):
    """A language's story cards in the home page's order, and where each story's path is in it: every
    story page looks its own up, and searching the list each time grew with the square of the stories."""

    _places: dict[str, tuple[int, int]] | None = None

    def place(self, path: str) -> tuple[int, int]:
        """(the first position of the card for `path`, or -1; how many cards have that path)."""
        if self._places is None:
            places: dict[str, tuple[int, int]] = {}
            for index, story in enumerate(self):
                first, count = places.get(story["path"], (index, 0))
                places[story["path"]] = (first, count + 1)
            self._places = places
        return self._places.get(path, (-1, 0))


def more_stories(stories: list[dict], path: str, count: int = MORE_STORIES) -> list[tuple[int, dict]]:
    """The other stories a story page offers, numbered as on the home page: all of them when there are
    few, else the `count` that follow this one (wrapping round). Listing every story on every story page
    would make the site grow with the square of the number of stories."""
    here, same = (stories if isinstance(stories, StoryCards) else StoryCards(stories)).place(path)
    if len(stories) - same <= count:
        return [(number, story) for number, story in enumerate(stories, start=1) if story["path"] != path]
    # Only the positions of the `count` that follow are needed, not a numbered copy of the whole list:
    # this runs for every page. There are more than `count` others, so going round never reaches `here`.
    following = [(here + 1 + step) % len(stories) for step in range(count)]
    return sorted(((index + 1, stories[index]) for index in following), key=lambda item: item[0])


def film(video: str | None) -> dict | None:
    """A story's film: the player's address, used only when the reader presses play."""
    if not video:
        return None
    return {"id": video, "embed": FILM_EMBED.format(id=quote(video, safe=""))}


def section_links(renderer: Renderer, lang: str, current: str | None) -> list[dict]:
    """The plain pages (About, ...) of a language, for the site's navigation; `current`: the page's key."""
    config = renderer.site.config
    return [{"title": other.page.front.title, "path": config.base_path + other.address,
             "is_current": other.key == current,
             "content_lang": config.language(other.page.lang)}
            for other in renderer.plain_pages.get(lang, ())]


NOT_FOUND_STORIES = 6  # a 404 page offers the first few, as the home page orders them, and a link to all


def not_found_context(renderer: Renderer, lang: str) -> dict[str, Any]:
    """A language's 404 page: its navigation, a way home and its stories, with links from the site's root
    (a host shows it at any depth). No canonical address, no share card: nobody links to it."""
    config = renderer.site.config
    language = config.language(lang)
    home = config.base_path + lang + "/"
    stories = renderer.site.stories(lang)
    # The switcher leads to each language's home page.
    versions = [Alternate(other, config.base_url + other.code + "/", config.base_path + other.code + "/", True)
                for other in config.languages]
    return {
        "site": site_context(config, language),
        "lang": language, "content_lang": language,
        "page": {"title": None, "summary": None},
        "kind": "not-found", "canonical": None, "hreflang": [], "versions": versions, "noindex": True,
        "is_fallback": False, "is_stale": False, "film": None,
        "home_path": home, "feed_path": home + "feed.xml",
        "stories": [{"title": story.page.front.title, "path": config.base_path + story.address,
                     "content_lang": config.language(story.page.lang)} for story in stories[:NOT_FOUND_STORIES]],
        "more_stories": len(stories) > NOT_FOUND_STORIES,
        "sections": section_links(renderer, lang, None),
    }


def story_card(renderer: Renderer, document: Document, read_media: Callable[[Path], MediaFile] = media_file
               ) -> StoryCard:
    """What the home page shows of a story."""
    illustration = resolve_hero(renderer.site.config, document, read_media)
    config = renderer.site.config
    return StoryCard({"title": document.page.front.title, "summary": document.page.front.summary,
                      "date": document.page.front.date, "path": config.base_path + document.address,
                      "hero": illustration.shown, "content_lang": config.language(document.page.lang),
                      "is_fallback": document.is_fallback}, illustration.media, illustration.problem)


def _is_stale_translation(site: Site, document: Document) -> bool:
    from ..i18n.stale import is_stale_translation  # a preview's notice: a build does not load git's helpers

    return is_stale_translation(site, document)


# Those of the site-wide files that are pages speaking every language, and their templates: the chooser,
# the 404 page a host shows outside the language folders.
SITE_PAGES = {"index.html": "chooser.html", "404.html": "404.html"}
NOT_FOUND_PAGE = "404.html"
# Every file render_site_files writes at the top of the output folder (each language's 404 page is in
# its folder).
ROOT_FILES = (*SITE_PAGES, "sitemap.xml", "robots.txt")


def render_site_files(renderer: Renderer, files: dict[str, bytes]) -> list[Problem]:
    """The root chooser and 404 page (they speak every language at once), each language's 404 page,
    the sitemap and robots.txt."""
    site = renderer.site
    config = site.config
    problems: list[Problem] = []
    default_env = renderer.environments[config.default_language]
    for output, name in SITE_PAGES.items():
        not_found = output == NOT_FOUND_PAGE
        greetings = {}
        for language in config.languages:
            env = renderer.environments[language.code]
            html, found = render_template(env, "_greeting.html", {"lang": language, "base_path": config.base_path,
                                                                  "not_found": not_found}, config, output)
            problems += found
            greetings[language.code] = Markup((html or b"").decode("utf-8"))
        context = {"site": config, "languages": config.languages, "greetings": greetings,
                   "base_path": config.base_path, "base_url": config.base_url,
                   "share_image": share_image(renderer, chooser_card(renderer), config.default.title)}
        html, found = render_template(default_env, name, context, config, output)
        problems += found
        if html is not None:
            files[output] = html
    for language in config.languages:
        output = f"{language.code}/{NOT_FOUND_PAGE}"
        html, found = render_template(renderer.environments[language.code], "not_found.html",
                                      not_found_context(renderer, language.code), config, output)
        problems += found
        if html is not None:
            files[output] = html
    files["sitemap.xml"] = outputs.sitemap(site)
    files["robots.txt"] = outputs.robots_txt(site)
    return problems
