"""A sub-path deploy: the real site built with --base-url https://example.org/campaign/ and served
under /campaign/. Every address in it (href, src, srcset, URL metadata, CSS url()) must lead to a
file of the output; none may escape to the host's root."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from browser import browser, static_server  # noqa: F401 - fixture
from site_pages import CSS_URL, build_real_site, html_pages, references

BASE_URL = "https://example.org/campaign/"
MOUNT = "/campaign/"


@pytest.fixture(scope="module")
def subpath_site(tmp_path_factory) -> Path:
    return build_real_site(tmp_path_factory.mktemp("subpath") / "project", "--base-url", BASE_URL)


def served_file(out: Path, url: str) -> Path | None:
    """The output file a static host mounted at /campaign/ answers for an address, or None."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    if not path.startswith(MOUNT):
        return None
    relative = posixpath.normpath(path[len(MOUNT):]) if path != MOUNT else ""
    target = out / relative if relative not in ("", ".") else out
    if path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target if target.is_file() else None


def page_url(page: str) -> str:
    return BASE_URL + page


def test_every_address_resolves_under_the_sub_path(subpath_site):
    out = subpath_site
    broken, checked = [], 0
    for page in html_pages(out):
        file = out / (page if page.endswith(".html") else page + "index.html")
        for tag, attribute, url in references(file.read_text(encoding="utf-8")):
            absolute = urljoin(page_url(page), url)
            parts = urlsplit(absolute)
            if parts.scheme not in ("http", "https") or parts.netloc != "example.org":
                continue  # another site: a plain link, checked elsewhere never to be fetched
            checked += 1
            if served_file(out, absolute) is None:
                broken.append((page, tag, attribute, url))
    for css in out.rglob("*.css"):
        css_url = BASE_URL + css.relative_to(out).as_posix()
        for url in CSS_URL.findall(css.read_text(encoding="utf-8")):
            if url.startswith("data:"):
                continue
            checked += 1
            if served_file(out, urljoin(css_url, url)) is None:
                broken.append((css.name, "css", "url", url))
    assert broken == []
    assert checked > 200  # every page has dozens of addresses: the walk really looked


def test_the_fragment_links_point_at_ids_that_exist(subpath_site):
    out = subpath_site
    for page in html_pages(out):
        html = (out / (page if page.endswith(".html") else page + "index.html")).read_text(encoding="utf-8")
        ids = set(re.findall(r'\sid="([^"]+)"', html))
        for _, attribute, url in references(html):
            if attribute == "href" and url.startswith("#"):
                assert unquote(url[1:]) in ids, (page, url)


def test_a_reader_browses_the_sub_path_site_in_chromium(subpath_site, browser):
    with static_server(subpath_site, mount=MOUNT) as url:
        context = browser.new_context(locale="ja-JP")
        tab = context.new_page()
        failed: list[str] = []
        tab.on("response", lambda response: response.status >= 400 and failed.append(response.url))
        tab.goto(url + MOUNT)
        tab.wait_for_url(url + MOUNT + "ja/")
        tab.locator(".card__title a").first.click()
        tab.wait_for_url(re.compile(re.escape(url + MOUNT) + r"ja/stories/[^/]+/$"))
        assert tab.evaluate("getComputedStyle(document.body).backgroundColor") != "rgba(0, 0, 0, 0)"
        assert tab.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
        # The 404 page is served for a missing address at any depth (nginx: error_page 404
        # /campaign/404.html): its stylesheet and links are absolute under the sub-path.
        tab.goto(url + MOUNT + "404.html")
        assert tab.locator("h1").inner_text().strip() == "404"
        assert tab.evaluate("getComputedStyle(document.body).backgroundColor") != "rgba(0, 0, 0, 0)"
        tab.locator("section[lang=ko] a").click()
        tab.wait_for_url(url + MOUNT + "ko/")
        assert failed == []
        context.close()
