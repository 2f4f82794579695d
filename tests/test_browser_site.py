"""The real campaign site in headless Chromium: every page in every language loads with its language,
its title and no console error, asks nothing of another host, passes axe in light and dark, has no
horizontal scrolling at 320 px; screenshots go to test-artifacts/ for a person to look at."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from browser import browser, static_server  # noqa: F401 - fixture
from conftest import PROJECT
from site_pages import TAGS, TITLES, build_real_site, html_pages, language_of

ARTIFACTS = PROJECT / "test-artifacts"
STORY = "stories/kenya-hockey/"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The real site, built once for this module and served on a loopback port."""
    out = build_real_site(tmp_path_factory.mktemp("real") / "project")
    with static_server(out) as url:
        yield out, url


def content_pages(out: Path) -> list[str]:
    """Every page a reader can stay on (the root chooser moves on at once: test_browser_chooser.py)."""
    return [page for page in html_pages(out) if page != ""]


class Recorder:
    """What a tab did that a reader never sees: console errors, failed loads, requests to other hosts."""

    def __init__(self, tab, origin: str):
        self.origin = origin
        self.errors: list[str] = []
        self.requests: list[str] = []
        tab.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        tab.on("pageerror", lambda error: self.errors.append(str(error)))
        tab.on("request", lambda request: self.requests.append(request.url))

    def foreign(self) -> list[str]:
        return [url for url in self.requests if not url.startswith(self.origin + "/") and not url.startswith("data:")]

    def clear(self):
        self.errors.clear()
        self.requests.clear()


def test_every_page_loads_with_its_language_title_and_no_error_or_foreign_request(served, browser):
    out, url = served
    context = browser.new_context()
    tab = context.new_page()
    recorder = Recorder(tab, url)
    checked = 0
    for page in content_pages(out):
        recorder.clear()
        response = tab.goto(f"{url}/{page}", wait_until="load")
        code = language_of(page)
        assert response.status == 200, page
        assert tab.locator("html").get_attribute("lang") == TAGS[code], page
        title = tab.title()
        if page == "404.html":
            assert title.startswith("404 · "), title
        elif page == f"{code}/":
            assert title == TITLES[code], page
        else:
            heading = tab.locator("h1").inner_text().strip()
            assert title == f"{heading} · {TITLES[code]}", page
        # Scroll through so lazy images load too: they must also come from this host.
        tab.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        tab.wait_for_load_state("networkidle")
        assert recorder.errors == [], (page, recorder.errors)
        assert recorder.foreign() == [], (page, recorder.foreign())
        checked += 1
    context.close()
    assert checked == 4 * 5 + 1  # home, about and three stories in four languages, and the 404 page


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_has_no_axe_violation(served, browser, scheme):
    out, url = served
    context = browser.new_context(color_scheme=scheme, reduced_motion="reduce")
    tab = context.new_page()
    recorder = Recorder(tab, url)
    axe = Axe()
    report = []
    for page in content_pages(out):
        tab.goto(f"{url}/{page}", wait_until="load")
        results = axe.run(tab)
        if results.violations_count:
            report.append(f"{page} ({scheme}):\n{results.generate_report()}")
    # axe itself is injected from the Python package: it must not fetch anything either.
    assert recorder.foreign() == []
    context.close()
    assert report == [], "\n".join(report)


def test_no_page_scrolls_sideways_at_320_px(served, browser):
    out, url = served
    context = browser.new_context(viewport={"width": 320, "height": 640})
    tab = context.new_page()
    wide = []
    for page in content_pages(out):
        tab.goto(f"{url}/{page}", wait_until="load")
        width = tab.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            wide.append((page, width))
    context.close()
    assert wide == []


def test_focus_is_visible_and_the_skip_link_leads_to_main(served, browser):
    out, url = served
    context = browser.new_context()
    tab = context.new_page()
    tab.goto(f"{url}/en/{STORY}")
    tab.keyboard.press("Tab")
    skip = tab.locator(".skip-link")
    assert skip.evaluate("element => element === document.activeElement")
    # The focused skip link is on screen and outlined.
    box = skip.bounding_box()
    assert box and box["y"] >= 0 and box["x"] >= 0
    assert skip.evaluate("element => getComputedStyle(element).outlineStyle") != "none"
    tab.keyboard.press("Enter")
    assert tab.evaluate("location.hash") == "#main"
    tab.keyboard.press("Tab")
    focused = tab.evaluate("document.activeElement.closest('main') !== null")
    assert focused
    context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_screenshots_of_home_and_a_story_in_every_language(served, browser, width):
    """Written to test-artifacts/ for a person to look at (they are not compared to anything)."""
    out, url = served
    ARTIFACTS.mkdir(exist_ok=True)
    written = []
    for scheme in ("light", "dark"):
        context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme,
                                      reduced_motion="reduce", device_scale_factor=1)
        tab = context.new_page()
        for code in TAGS:
            for name, page in (("home", f"{code}/"), ("story", f"{code}/{STORY}")):
                tab.goto(f"{url}/{page}", wait_until="load")
                tab.evaluate("window.scrollTo(0, document.body.scrollHeight)")
                tab.wait_for_load_state("networkidle")
                path = ARTIFACTS / f"{name}-{code}-{width}-{scheme}.png"
                tab.screenshot(path=str(path), full_page=True)
                written.append(path)
        context.close()
    for path in written:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_figures_are_shown_big_and_formatted_for_each_locale(served, browser):
    out, url = served
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    for code in TAGS:
        tab.goto(f"{url}/{code}/")
        values = tab.locator(".figure__value").all_inner_texts()
        assert [re.sub(r"\s", "", v) for v in values] == ["99%", "97%", "92%", "95%"], (code, values)
        size = tab.locator(".figure__value").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        body = tab.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        assert size >= 3 * body
    context.close()
