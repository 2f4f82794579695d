"""Our Python-Markdown set-up: the extensions editors expect, Unicode heading ids, links between pages.

Python-Markdown as it comes, with our extensions only: what makes it faster (and reaches into its private
parts) is speed/'s, handed in as MarkdownConverters' `accelerate` hook."""

from __future__ import annotations

import bisect
import html
import os
import re
import unicodedata
from importlib import import_module
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import SubElement

import markdown
from markdown.extensions import Extension
from markdown import util
from markdown.extensions import toc
from markdown.treeprocessors import Treeprocessor

from .assets import MediaFile, media_file, resolve_local, srcset
from .gallery import GalleryMaker
from ..model.content import SOURCE_NAME, Page
from ..model.names import encode_path, nfc
from ..model.problems import Problem
from .raw_html import TRUSTED, RawHtmlGuard, check_markdown_url

EXTENSIONS = ["tables", "footnotes", "attr_list", "fenced_code", "def_list", "abbr", "sane_lists", "md_in_html"]


def heading_id(text: str, separator: str) -> str:
    """A heading's anchor that keeps its letters in any script: '헨리 피어스' -> '헨리-피어스'.

    Python-Markdown's default drops every non-ASCII letter, so CJK headings would all be '_1', '_2'."""
    text = unicodedata.normalize("NFC", text).strip().lower()
    text = re.sub(r"[^\w\s-]", "", text)
    return re.sub(r"[\s_-]+", separator, text).strip(separator) or "section"


@dataclass
class LinkContext:
    """What resolving links in one page needs: where the page is, and the site's URLs for its language."""

    page: Page
    lang: str
    content_root: Path
    base_path: str
    url_paths: dict[str, str]  # page key -> url path in this language, percent-encoded (render.page_links)
    problems: list[Problem] = field(default_factory=list)
    media: list[MediaFile] = field(default_factory=list)
    # Every local file reference resolved, and what it became (its hashed output path, or None):
    # what a cached conversion must check again before it is reused (markdown_cache.py).
    file_lookups: list[tuple[str, str | None]] = field(default_factory=list)
    # How a local file is read and hashed: a build passes its memo (MarkdownCache.media_file), so a file
    # shown by many pages (every translation of a story shows its pictures) is read once.
    read_media: Callable[[Path], MediaFile] = media_file
    # The site's policy for raw HTML (site.toml raw_html) and its host (its own pictures may be absolute).
    raw_html: str = "safe"
    site_host: str = ""
    # Where line_of found the last target, and where the body's lines start: made at its first call.
    _found_at: int = field(default=0, repr=False)
    _line_starts: list[int] | None = field(default=None, repr=False)

    def line_of(self, reference: str) -> int:
        """The source line a link target is written on (Python-Markdown keeps no positions). Links are
        met in the order they are written, so the search goes on from the last one found (a link written
        twice gets both its lines), and from the top if that finds nothing. Searching the whole body anew
        for each made a page with thousands of broken links take minutes."""
        body = self.page.body
        found = body.find(reference, self._found_at)
        if found < 0:
            found = body.find(reference)
            if found < 0:
                return self.page.body_line
        self._found_at = found + 1
        if self._line_starts is None:
            self._line_starts = [match.end() for match in re.finditer("\n", body)]
        return self.page.body_line + bisect.bisect_right(self._line_starts, found)


@dataclass(frozen=True)
class RenderedMarkdown:
    """A page body as HTML, its table of contents, and the local files it uses."""

    html: str
    toc: str
    problems: tuple[Problem, ...]
    media: tuple[MediaFile, ...]


def render_markdown(context: LinkContext, converters: MarkdownConverters | None = None) -> RenderedMarkdown:
    """Convert a page body, with an instance from `converters` (reused) or a fresh stock one (none given)."""
    return (converters or MarkdownConverters()).convert(context)


class MarkdownConverters:
    """Markdown instances with our extensions, reused from page to page rather than made for each (making
    one sets up every extension again; docs/performance.md). An instance keeps state between pages
    (footnotes, abbreviations, references, the toc), so each conversion starts with Python-Markdown's own
    `reset()`, the documented way to reuse one; an instance a conversion failed in is dropped, never
    reused (tests/test_markdown.py proves a page never shows another's footnotes or abbreviations). Each
    conversion borrows an instance of its own, so two threads (serve's builder and a page rendered on
    request) never share one; a forked worker process has its own copies.

    `accelerate`, if given, is called on each new instance once our extensions are in place (so it sees
    their processors, and RawHtmlGuard's wrapping, as final); without it the instances are Python-Markdown
    as it comes. It must leave the HTML as it was."""

    def __init__(self, accelerate: Callable[[markdown.Markdown], None] | None = None) -> None:
        self.accelerate = accelerate
        self._idle: list[tuple[markdown.Markdown, _LinkRewriter]] = []

    def make_ready(self) -> None:
        """Have an instance ready: worker processes forked after this inherit it instead of each making
        their own when its first page starts."""
        if not self._idle:
            self._idle.append(_new_converter(self.accelerate))

    def convert(self, context: LinkContext) -> RenderedMarkdown:
        """The page body as HTML, its links resolved in `context` (which collects problems and media)."""
        try:
            converter, rewriter = self._idle.pop()  # atomic: no two threads get the same one
        except IndexError:
            converter, rewriter = _new_converter(self.accelerate)
        converter.reset()
        rewriter.context = context
        html = converter.convert(context.page.body)
        toc = getattr(converter, "toc", "")
        rewriter.context = None
        self._idle.append((converter, rewriter))  # only after a conversion that finished
        return RenderedMarkdown(html, toc, tuple(context.problems), tuple(context.media))


def _new_converter(accelerate: Callable[[markdown.Markdown], None] | None = None
                   ) -> tuple[markdown.Markdown, _LinkRewriter]:
    """A Markdown instance with our extensions, then handed to `accelerate` (if any)."""
    links = _SiteLinks()
    # Extensions made here, not named: for a name, Python-Markdown first reads every installed package's
    # entry points, which took longer than making the instance.
    made = [import_module(f"markdown.extensions.{name}").makeExtension() for name in EXTENSIONS]
    made.append(toc.makeExtension(slugify=heading_id, toc_depth="2-3"))
    converter = markdown.Markdown(extensions=[*made, links], output_format="html")
    RawHtmlGuard(converter, lambda: links.rewriter.context)  # before anything copies the processors' methods
    if accelerate is not None:
        accelerate(converter)
    return converter, links.rewriter


class _SiteLinks(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # After inline parsing (priority 20) and before the toc (5), so links are final.
        self.rewriter = _LinkRewriter(md)
        md.treeprocessors.register(self.rewriter, "smallsite_links", 15)
        # Just after: a gallery is made of the pictures the links became (build/gallery.py).
        md.treeprocessors.register(GalleryMaker(md), "smallsite_gallery", 14)


class _LinkRewriter(Treeprocessor):
    # The page being converted: set by MarkdownConverters.convert for each conversion.
    context: LinkContext | None = None

    def run(self, root):
        # The page's folder and the content root as strings, once a page (each link needs them).
        self._folder, self._root = os.fspath(self.context.page.folder), os.fspath(self.context.content_root)
        for element in list(root.iter()):  # (a photo's <img> becomes a <picture> with an <img> of its own)
            if element.tag == "a" and element.get("href"):
                self._link(element)
            elif element.tag == "img" and element.get("src"):
                self._image(element)

    def _link(self, element) -> None:
        href = element.get("href")
        # Only an address with a scheme (or an entity that may spell one) can be refused: javascript:.
        if (":" in href or "&" in href) and self.context.raw_html != TRUSTED:
            check_markdown_url(element, "href", self.context)
            if element.get("href") is None:
                return
        if util.AMP_SUBSTITUTE in href:  # an e-mail autolink: Python-Markdown writes its mailto: as entities
            href = html.unescape(href.replace(util.AMP_SUBSTITUTE, "&"))
        if _is_external(href) or href.startswith("#"):
            return
        parts = urlsplit(href)
        reference = unquote(parts.path)
        context = self.context
        if reference.endswith(".md"):
            key = page_key(reference, self._folder, self._root)
            url_path = context.url_paths.get(key) if key is not None else None
            if url_path is None:
                context.problems.append(Problem(context.page.shown, context.line_of(href),
                                                f"link to '{href}': no such page"))
                return
            element.set("href", context.base_path + url_path + (f"#{parts.fragment}" if parts.fragment else ""))
            return
        media = self._media(reference, href)
        if media:
            element.set("href", context.base_path + encode_path(media.output_path))

    def _image(self, element) -> None:
        src = element.get("src")
        if (":" in src or "&" in src or src.startswith("//")) and self.context.raw_html != TRUSTED:
            check_markdown_url(element, "src", self.context)  # another host's picture, or a script's address
            if element.get("src") is None:
                return
        if _is_external(src):
            return
        media = self._media(unquote(urlsplit(src).path), src)
        if media is None:
            return
        element.set("src", self.context.base_path + encode_path(media.output_path))
        if media.width and media.height and not element.get("width"):
            element.set("width", str(media.width))
            element.set("height", str(media.height))
        element.set("loading", "lazy")
        element.set("decoding", "async")
        if media.photo is not None:
            _as_picture(element, media, self.context.base_path)

    def _media(self, reference: str, written: str) -> MediaFile | None:
        context = self.context
        path, problem = resolve_local(reference, self._folder, self._root, context.page.shown, None)
        if problem:  # its line found only now: finding it reads the whole page
            context.problems.append(replace(problem, line=context.line_of(written)))
            context.file_lookups.append((reference, None))
            return None
        media = context.read_media(path)
        if media.problem is not None:  # a picture the build cannot publish: the editor's to fix
            context.problems.append(Problem(context.page.shown, context.line_of(written), media.problem))
        context.media.append(media)
        context.file_lookups.append((reference, media.output_path))
        return media


@lru_cache(maxsize=4096)  # the same few links, from the same folders, on every page of a language
def page_key(reference: str, folder: str | Path, content_root: str | Path) -> str | None:
    """The key of the page a link to a Markdown file means: 'henry-pearce.md', '../x/index.ko.md',
    '/about.md' (from the content root). The language in the file name, if any, is ignored:
    links always lead to the same language as the page they are in. (Strings, not pathlib: this runs for
    every link of every page.)"""
    root = os.path.normpath(content_root)
    if reference.startswith("/"):
        target = os.path.normpath(os.path.join(root, reference.lstrip("/")))
    else:
        target = os.path.normpath(os.path.join(folder, reference))
    if not target.startswith(root + os.sep):
        return None
    # Keys are NFC (content.find_sources): a link finds its page whichever form it or the file is in.
    relative = nfc(target[len(root) + 1:].replace(os.sep, "/"))
    match = SOURCE_NAME.match(relative.rpartition("/")[2])
    stem = relative[: -len(f".{match['lang']}.md")] if match else relative[:-3]
    if stem == "index":
        return ""
    return stem[: -len("/index")] if stem.endswith("/index") else stem


def _is_external(url: str) -> bool:
    # Without a colon there is no scheme: urlsplit is not needed to say so (it is slow).
    return url.startswith("//") or (":" in url and bool(urlsplit(url).scheme))


# What a photo in a story's text is shown at: the text's column (static/css/site.css: --measure, 40rem)
# once the screen is wider than it with its margins, else the screen's width.
PHOTO_SIZES = "(min-width: 44rem) 40rem, 100vw"


def _as_picture(element, media: MediaFile, base_path: str) -> None:
    """An <img> of a photo as a <picture>: WebP for the browsers that take it, the JPEG or PNG fallback for
    the rest, each at every width it was made in, so a phone downloads what its screen shows."""

    picture = media.photo
    attributes, tail = dict(element.attrib), element.tail
    element.clear()  # (which drops the text after the picture too: it is put back)
    element.tag, element.tail = "picture", tail
    source = SubElement(element, "source")
    source.set("type", "image/webp")
    source.set("srcset", srcset(picture.modern, base_path))
    source.set("sizes", PHOTO_SIZES)
    image = SubElement(element, "img")
    for name, value in attributes.items():
        image.set(name, value)
    image.set("srcset", srcset(picture.fallback, base_path))
    image.set("sizes", PHOTO_SIZES)

