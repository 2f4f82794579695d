"""Helpers for the design tests: build the real project once, list its pages, read their links."""

from __future__ import annotations

import re
import tomllib
from html.parser import HTMLParser
from pathlib import Path

from conftest import PROJECT, SiteMaker

LANGUAGES = tomllib.loads((PROJECT / "site.toml").read_text(encoding="utf-8"))["languages"]
TAGS = {language["code"]: language["tag"] for language in LANGUAGES}
TITLES = {language["code"]: language["title"] for language in LANGUAGES}
DEFAULT = tomllib.loads((PROJECT / "site.toml").read_text(encoding="utf-8"))["default_language"]
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)""")


def build_real_site(root: Path, *args: str) -> Path:
    """The real project (site.toml, content, templates, static, locales) built into root/site."""
    maker = SiteMaker(root)
    maker.make({}, site_toml=(PROJECT / "site.toml").read_text(encoding="utf-8"), real_content=True)
    result = maker.run("build", *args)
    assert result.returncode == 0, result.stdout + result.stderr
    return root / "site"


def html_pages(out: Path) -> list[str]:
    """Every HTML page of a built site, as URL paths below the site's root: 'en/', 'en/about/', '404.html'."""
    pages = []
    for path in sorted(out.rglob("*.html")):
        relative = path.relative_to(out).as_posix()
        pages.append(relative[: -len("index.html")] if relative.endswith("index.html") else relative)
    return pages


def language_of(page: str) -> str:
    """The site language a page path belongs to; the root chooser and 404 speak the default's."""
    first = page.split("/", 1)[0]
    return first if first in TAGS else DEFAULT


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.references: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.elements: list[tuple[str, dict]] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        for name, value in attrs:
            if value is None:
                continue
            if name in ("href", "src", "poster", "data"):
                self.references.append((tag, name, value))
            elif name == "srcset":
                self.references += [(tag, name, item.strip().split()[0]) for item in value.split(",") if item.strip()]
            elif name == "content" and tag == "meta" and re.match(r"https?://", value):
                self.references.append((tag, name, value))
            elif name == "style":
                self.styles.append(value)
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)


def references(html: str) -> list[tuple[str, str, str]]:
    """(tag, attribute, URL) for every address in a page: links, sources, URL metadata, inline CSS."""
    collector = _Collector()
    collector.feed(html)
    found = list(collector.references)
    for css in collector.styles:
        found += [("style", "url", url) for url in CSS_URL.findall(css)]
    return found


def loaded_resources(html: str) -> list[str]:
    """The addresses a browser fetches to show a page: stylesheets, scripts, images, icons, frames."""
    collector = _Collector()
    collector.feed(html)
    loaded = []
    for tag, attrs in collector.elements:
        if tag in ("img", "script", "iframe", "source", "video", "audio", "embed") and attrs.get("src"):
            loaded.append(attrs["src"])
        elif tag == "object" and attrs.get("data"):
            loaded.append(attrs["data"])
        elif tag == "link" and attrs.get("href") and set((attrs.get("rel") or "").lower().split()) & FETCHED_LINKS:
            loaded.append(attrs["href"])
        if attrs.get("srcset"):
            loaded += [item.strip().split()[0] for item in attrs["srcset"].split(",") if item.strip()]
    return loaded


# link rel values a browser fetches while showing the page.
FETCHED_LINKS = {"stylesheet", "icon", "preload", "modulepreload", "manifest", "apple-touch-icon", "preconnect",
                 "dns-prefetch", "prefetch"}


POSTER_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 160 90" width="160" height="90">'
              '<rect width="160" height="90" fill="#1d2a44"/><circle cx="80" cy="45" r="20" fill="#ffa070"/></svg>')


def build_film_site(root: Path) -> Path:
    """A small site whose one story names a film (`video: abc123`), in four languages, and a page
    written only in English (the other languages show it with the fallback notice)."""
    from conftest import all_languages, page

    files = {**all_languages("index", "Home")}
    for code in TAGS:
        files[f"content/stories/film/index.{code}.md"] = page(
            f"A film {code}", "The story of a film.", date="2018-02-02", video="abc123",
            hero="\n  src: poster.svg\n  alt: A dot on a dark ground")
    files["content/stories/film/poster.svg"] = POSTER_SVG
    files["content/about.en.md"] = page("About", "Written in English *only*.")
    maker = SiteMaker(root)
    maker.make(files)
    result = maker.run("build")
    assert result.returncode == 0, result.stdout + result.stderr
    return root / "site"
