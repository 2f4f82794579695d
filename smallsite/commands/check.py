"""`python build.py check`: build in memory and check the result, without writing site/.

Links and anchors, images and alt text, hreflang, the sitemap, translations, each page's weight, and its
share tags as a crawler reads them (check_share.py).
Every finding names the source file (page, template or catalogue) and its line.
"""

from __future__ import annotations

import argparse
import re
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from ..i18n.catalogues import review_catalogue
from .check_share import check_share
from .cli import configure, report
from ..model.site import Document, alternates
from ..i18n.messages import extract_template
from ..build.pipeline import BuildOptions, BuildResult, build
from ..model.problems import WARNING, BuildFailed, Problem
from ..build.render import SITE_PAGES
from ..model.project import TEMPLATES_DIR
from ..i18n.stale import STALE, UNMARKED, translation_states
from ..i18n.status import page_todo

# Bytes a phone downloads for a page's first view at 390 px, uncompressed: the HTML, its CSS (and what the
# CSS loads), scripts, and the images that load eagerly (lazy ones wait until the reader scrolls to them).
PAGE_BUDGET = 100 * 1024
FIRST_VIEW_WIDTH = 390
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)""")
XHTML = "{http://www.w3.org/1999/xhtml}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def add_command(commands) -> None:
    """Register `check`."""
    parser = commands.add_parser("check", help="build in memory and check links, images, hreflang, "
                                 "sitemap, translations and page weight",
                                 description="Build the site in memory (site/ is not written) and check it. "
                                 "Exits 1 on any error; with --strict, on warnings too.")
    parser.add_argument("--base-url", help="check as published at this URL")
    parser.add_argument("--strict", action="store_true", help="fail on warnings too (missing or stale "
                        "translations, fuzzy strings, images without alt text)")
    parser.add_argument("--drafts", action="store_true", help="include pages marked draft: true")
    parser.set_defaults(run=run_check)


def run_check(args: argparse.Namespace) -> int:
    """`check`: build in memory, run every check, print the findings; exit 1 on errors."""
    from ..speed.memo import DiskMemo

    try:
        config = configure(args)
        result = build(config, BuildOptions(drafts=args.drafts), DiskMemo(config.root))
    except BuildFailed as failed:
        report(failed.problems)
        print(f"check: the build failed with {sum(1 for p in failed.problems if p.is_error)} errors",
              file=sys.stderr)
        return 1
    problems = sorted(set(result.problems + check_result(result)))
    report(problems)
    errors = sum(1 for p in problems if p.is_error)
    warnings = len(problems) - errors
    pages = sum(1 for name in result.files if name.endswith(".html"))
    failed = errors or (args.strict and warnings)
    print(f"check: {pages} pages, {errors} error{'s' if errors != 1 else ''}, "
          f"{warnings} warning{'s' if warnings != 1 else ''}" + (" (--strict: warnings fail)" if args.strict
                                                                  and warnings else ""),
          file=sys.stderr if failed else sys.stdout)
    return 1 if failed else 0


@dataclass
class ParsedPage:
    """What the checks need from one HTML file."""

    ids: set[str] = field(default_factory=set)
    links: list[tuple[str, str]] = field(default_factory=list)  # (tag, url) the page leads to
    resources: list[tuple[str, str]] = field(default_factory=list)  # (kind, url) the page loads
    images: list[dict[str, str | None]] = field(default_factory=list)
    hreflang: dict[str, str] = field(default_factory=dict)  # tag -> href
    noindex: bool = False


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = ParsedPage()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        page = self.page
        if values.get("id"):
            page.ids.add(values["id"])
        if tag == "a" and values.get("name"):
            page.ids.add(values["name"])
        rel = (values.get("rel") or "").lower().split()
        if tag == "a" and values.get("href"):
            page.links.append(("a", values["href"]))
        elif tag == "link" and values.get("href"):
            if "alternate" in rel and values.get("hreflang"):
                page.hreflang[values["hreflang"]] = values["href"]
            elif "stylesheet" in rel or "icon" in rel or "preload" in rel:
                page.resources.append(("css" if "stylesheet" in rel else "other", values["href"]))
            else:
                page.links.append(("link", values["href"]))
        elif tag == "script" and values.get("src"):
            page.resources.append(("script", values["src"]))
        elif tag == "img":
            page.images.append(values)
            if values.get("src") and values.get("loading") != "lazy":  # (the first view's, eager, only)
                page.resources.append(("image", _first_view_source(values)))
        elif tag == "meta" and (values.get("name") or "").lower() == "robots":
            page.noindex = "noindex" in (values.get("content") or "").lower()


def _first_view_source(image: dict[str, str | None]) -> str:
    """The file a 390 px screen takes of an <img>: from its srcset, the narrowest at least that wide."""
    candidates = []
    for candidate in (image.get("srcset") or "").split(","):
        url, _, width = candidate.strip().partition(" ")
        if width.strip().endswith("w") and width.strip()[:-1].isdigit():
            candidates.append((int(width.strip()[:-1]), url))
    wide_enough = sorted(c for c in candidates if c[0] >= FIRST_VIEW_WIDTH)
    return (wide_enough or sorted(candidates, reverse=True) or [(0, image["src"])])[0][1]


def parse_page(data: bytes) -> ParsedPage:
    """Ids, links, resources, images and hreflang of one HTML file."""
    parser = _PageParser()
    parser.feed(data.decode("utf-8", "replace"))
    parser.close()
    return parser.page


@dataclass(frozen=True)
class Origin:
    """Where an output page comes from: the file an editor opens to change it."""

    path: str
    text: str
    document: Document | None


def check_result(result: BuildResult) -> list[Problem]:
    """Every check, on a finished in-memory build."""
    origins = page_origins(result)
    parsed = {name: parse_page(data) for name, data in result.files.items() if name.endswith(".html")}
    problems: list[Problem] = []
    for name, page in parsed.items():
        origin = origins[name]
        problems += check_links(result, name, page, parsed, origin)
        problems += check_images(page, origin)
        problems += check_weight(result, name, page, origin)
        if origin.document is not None:
            problems += check_hreflang(result, origin.document, page, parsed, origin)
        problems += check_share(result, name, result.files[name], origin.document,
                                lambda needle, origin=origin: locate(result, origin, needle))
    problems += check_sitemap(result, parsed, origins)
    problems += check_translations(result)
    return problems


def page_origins(result: BuildResult) -> dict[str, Origin]:
    """Output HTML file -> its source: a page's Markdown file, or the template of a site-wide page."""
    root = result.site.config.root
    origins = {}
    for document in result.site.documents:
        origins[document.url_path + "index.html"] = Origin(document.page.shown, _read(document.page.path),
                                                           document)
    for name in result.files:
        if name.endswith(".html") and name not in origins:
            template = f"{TEMPLATES_DIR}/{SITE_PAGES.get(name, 'base.html')}"
            origins[name] = Origin(template, _read(root / template), None)
    return origins


def locate(result: BuildResult, origin: Origin, *needles: str) -> tuple[str, int]:
    """The file and line an editor must open for a finding: the page's source where it has the text,
    else the template that has it, else the page's source from its first line."""
    texts = [(origin.path, origin.text)]
    folder = result.site.config.root / TEMPLATES_DIR
    texts += [(f"{TEMPLATES_DIR}/{p.name}", _read(p)) for p in sorted(folder.glob("*.html"))]
    for needle in (n for n in needles if n):
        for path, text in texts:
            for number, line in enumerate(text.splitlines(), start=1):
                if needle in line:
                    return path, number
    return origin.path, 1


def check_links(result: BuildResult, name: str, page: ParsedPage, parsed: dict[str, ParsedPage],
                origin: Origin) -> list[Problem]:
    """Links to pages and files of the site must lead somewhere, and their #anchors to an element."""
    problems = []
    for tag, href in page.links:
        target, fragment = output_target(result, name, href)
        if target is None:
            continue
        path_part = urlsplit(href).path.rstrip("/").rsplit("/", 1)[-1]
        if target not in result.files:
            where, line = locate(result, origin, href, path_part and f"{path_part}.", path_part)
            problems.append(Problem(where, line, f"link to '{href}' (in /{name}) leads to no page or file"))
        elif fragment and target in parsed and fragment not in parsed[target].ids:
            where, line = locate(result, origin, f"#{fragment}", href)
            problems.append(Problem(where, line, f"link to '{href}' (in /{name}): no element with "
                                    f"id '{fragment}' on /{target}"))
    for kind, url in page.resources:
        target, _ = output_target(result, name, url)
        if target is not None and target not in result.files:
            where, line = locate(result, origin, url, url.rsplit("/", 1)[-1])
            problems.append(Problem(where, line, f"{kind} '{url}' (in /{name}) is not a file of the site"))
    return problems


def output_target(result: BuildResult, name: str, href: str) -> tuple[str | None, str]:
    """The output file a URL on page `name` leads to (None when it leaves the site) and its fragment."""
    config = result.site.config
    parts = urlsplit(href)
    if href.startswith(config.base_url):
        path = href[len(config.base_url) - 1:]
        parts = urlsplit(path)
    elif parts.scheme or parts.netloc:
        return None, ""
    if not parts.path:
        return name, unquote(parts.fragment)
    absolute = urljoin(config.base_path + name, parts.path)
    if not absolute.startswith(config.base_path):
        return absolute, unquote(parts.fragment)  # outside the site's folder: reported as not found
    target = unquote(absolute[len(config.base_path):])
    if target == "" or target.endswith("/"):
        target += "index.html"
    elif target not in result.files and target + "/index.html" in result.files:
        target += "/index.html"
    return target, unquote(parts.fragment)


def check_images(page: ParsedPage, origin: Origin) -> list[Problem]:
    """Every image needs alt text; an empty one is for decoration only."""
    problems = []
    for image in page.images:
        src = image.get("src") or ""
        needle = unquote(src.rsplit("/", 1)[-1]).split(".")[0]
        line = _line_of(origin.text, needle)
        if image.get("alt") is None:
            problems.append(Problem(origin.path, line, f"image '{src}' has no alt text: describe it for "
                                    "readers who cannot see it"))
        elif not image["alt"].strip() and image.get("aria-hidden") != "true":
            # aria-hidden="true" is a template's explicit "decoration" (a card's picture beside its title).
            problems.append(Problem(origin.path, line, f"image '{src}' has empty alt text: fine only if it "
                                    "is decoration", WARNING))
    return problems


def check_hreflang(result: BuildResult, document: Document, page: ParsedPage, parsed: dict[str, ParsedPage],
                   origin: Origin) -> list[Problem]:
    """hreflang: only on real translations; self, x-default, every translation, targets that exist and
    link back (search engines ignore hreflang that is not reciprocal)."""
    site = result.site
    config = site.config
    shown, line = origin.path, 1
    if document.is_fallback:
        return [Problem(shown, line, f"/{document.url_path} is a fallback but has hreflang links")] \
            if page.hreflang else []
    expected = {v.language.tag: v.url for v in alternates(site, document) if v.is_translation}
    if len(expected) < 2:
        return []
    expected["x-default"] = config.base_url
    problems = []
    for tag, url in expected.items():
        if page.hreflang.get(tag) != url:
            problems.append(Problem(shown, line, f"/{document.url_path} lacks hreflang=\"{tag}\" → {url}"
                                    + (" (itself)" if url == config.base_url + document.address else "")))
    own_tag = config.language(document.lang).tag
    own_url = config.base_url + document.address
    for tag, url in page.hreflang.items():
        target, _ = output_target(result, document.url_path + "index.html", url)
        if tag not in expected:
            problems.append(Problem(shown, line, f"/{document.url_path} has hreflang=\"{tag}\" for a "
                                    "language with no translation of this page"))
        elif target not in result.files:
            problems.append(Problem(shown, line, f"hreflang=\"{tag}\" on /{document.url_path} leads to no "
                                    f"page ({url})"))
        elif tag != "x-default" and parsed[target].hreflang.get(own_tag) != own_url:
            problems.append(Problem(shown, line, f"hreflang=\"{tag}\" on /{document.url_path} is not "
                                    f"reciprocal: /{target} does not link back"))
        elif tag != "x-default" and parsed[target].noindex:
            problems.append(Problem(shown, line, f"hreflang=\"{tag}\" on /{document.url_path} leads to a "
                                    "noindex page"))
    return problems


def check_sitemap(result: BuildResult, parsed: dict[str, ParsedPage], origins: dict[str, Origin]) -> list[Problem]:
    """The sitemap lists exactly the indexable pages (the root chooser too), each with the alternates its
    page declares."""
    data = result.files.get("sitemap.xml")
    if data is None:
        return [Problem("smallsite/build/outputs.py", None, "the build made no sitemap.xml")]
    listed: dict[str, dict[str, str]] = {}
    for url in ET.fromstring(data).iter(f"{SITEMAP}url"):
        loc = url.findtext(f"{SITEMAP}loc") or ""
        listed[loc] = {link.get("hreflang"): link.get("href") for link in url.iter(f"{XHTML}link")}
    config = result.site.config
    problems = []
    pages = {config.base_url + d.address: d for d in result.site.documents}
    chooser = parsed.get("index.html")  # the root: every reader's first address, and every page's x-default
    if chooser is not None and not chooser.noindex:
        if config.base_url not in listed:
            problems.append(Problem("sitemap.xml", None, f"the root chooser ({config.base_url}) is missing"))
        elif listed[config.base_url] != chooser.hreflang:
            problems.append(Problem("sitemap.xml", None, "the sitemap's alternates for the root chooser differ "
                                    "from its hreflang links"))
    for loc, links in listed.items():
        document = pages.get(loc)
        if document is None and loc == config.base_url and chooser is not None:
            continue
        if document is None:
            problems.append(Problem("sitemap.xml", None, f"lists {loc}, which is not a page of the site"))
            continue
        origin = origins[document.url_path + "index.html"]
        page = parsed.get(document.url_path + "index.html")
        if page is None or page.noindex:
            problems.append(Problem(origin.path, 1, f"the sitemap lists /{document.url_path}, a noindex page"))
        elif page.hreflang and links != page.hreflang:
            problems.append(Problem(origin.path, 1, f"the sitemap's alternates for /{document.url_path} "
                                    "differ from the page's hreflang links"))
    for url, document in pages.items():
        page = parsed.get(document.url_path + "index.html")
        if page is not None and not page.noindex and url not in listed:
            problems.append(Problem(origins[document.url_path + "index.html"].path, 1,
                                    f"/{document.url_path} is missing from the sitemap"))
    return problems


def check_weight(result: BuildResult, name: str, page: ParsedPage, origin: Origin) -> list[Problem]:
    """The page and what it loads (CSS and what CSS loads, scripts, images) within the budget."""
    sizes: dict[str, int] = {name: len(result.files[name])}
    kinds = {"html": sizes[name], "css": 0, "script": 0, "image": 0, "other": 0}
    queue = list(page.resources)
    while queue:
        kind, url = queue.pop()
        target, _ = output_target(result, name, url)
        if target is None or target in sizes or target not in result.files:
            continue
        data = result.files[target]
        sizes[target] = len(data)
        kinds[kind] += len(data)
        if kind == "css":  # the pictures and fonts the stylesheet loads count too
            for url in CSS_URL.findall(data.decode("utf-8", "replace")):
                if not url.startswith("data:"):
                    font = url.endswith((".woff", ".woff2", ".ttf", ".otf"))
                    queue.append(("other" if font else "image", urljoin(result.site.config.base_path + target, url)))
    total = sum(sizes.values())
    if total <= PAGE_BUDGET:
        return []
    heaviest = max((t for t in sizes if t != name), key=sizes.get, default=name)
    parts = ", ".join(f"{kind} {_kb(size)}" for kind, size in kinds.items() if size)
    needle = heaviest.rsplit("/", 1)[-1].split(".")[0]
    return [Problem(origin.path, _line_of(origin.text, needle),
                    f"/{name} weighs {_kb(total)} with what it loads ({parts}; heaviest: /{heaviest} "
                    f"{_kb(sizes[heaviest])}), over the {_kb(PAGE_BUDGET)} budget")]


def check_translations(result: BuildResult) -> list[Problem]:
    """Stale and unmarked translations (missing ones the build reports), and interface strings left
    to translate, with the .po line."""
    config = result.site.config
    states, problems = translation_states(config)
    for state in states:
        if state.state in (STALE, UNMARKED):
            problems.append(Problem(state.path, state.line or 1, page_todo(state, config), WARNING))
    try:
        template = extract_template(config.root)
    except BuildFailed as failed:
        return problems + failed.problems
    for language in config.languages:
        if language.code != config.default_language:
            problems += review_catalogue(config, language, template).problems
    return problems


def _line_of(text: str, needle: str) -> int:
    if needle:
        for number, line in enumerate(text.splitlines(), start=1):
            if needle in line:
                return number
    return 1


def _kb(size: int) -> str:
    return f"{size / 1024:.1f} KB"


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""

