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


def load_every_image(tab):
    """Lazy images load only near the viewport: load them all, and wait until each has."""
    tab.evaluate("document.querySelectorAll('img[loading=lazy]').forEach(i => { i.loading = 'eager'; })")
    tab.wait_for_function("[...document.images].every(i => i.complete)")


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
        elif page == f"{code}/404.html":  # "404" above the heading, and the heading in the title
            code_line, heading = tab.locator("h1").inner_text().strip().split("\n")
            assert code_line == "404" and title == f"{heading} · {TITLES[code]}", page
        else:
            heading = tab.locator("h1").inner_text().strip()
            assert title == f"{heading} · {TITLES[code]}", page
        # Scroll through so lazy images load too: they must also come from this host.
        load_every_image(tab)
        assert recorder.errors == [], (page, recorder.errors)
        assert recorder.foreign() == [], (page, recorder.foreign())
        checked += 1
    context.close()
    assert checked == 4 * 6 + 1  # home, about, three stories and a 404 page in four languages, and the 404 page


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
                load_every_image(tab)
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


def test_each_language_gets_its_own_fonts_and_line_breaking(served, browser):
    out, url = served
    context = browser.new_context()
    tab = context.new_page()
    expected_font = {"en": "system-ui", "ko": '"Apple SD Gothic Neo"', "ja": '"Hiragino Sans"', "zh": '"PingFang SC"'}
    for code in TAGS:
        tab.goto(f"{url}/{code}/{STORY}")
        style = tab.locator(".prose p").first.evaluate(
            "e => { const s = getComputedStyle(e); return {font: s.fontFamily, wordBreak: s.wordBreak,"
            " lineBreak: s.lineBreak} }")
        assert style["font"].startswith(expected_font[code]), (code, style)
        assert (style["wordBreak"] == "keep-all") == (code == "ko"), (code, style)
        assert (style["lineBreak"] == "strict") == (code in ("ja", "zh")), (code, style)
    # Emphasis in CJK is never a slanted (synthetic italic) glyph.
    tab.set_content('<html lang="ja"><body><p><em>小さな</em> <em lang="zh-Hans">小的</em> <em lang="ko">작은</em>'
                    ' <em lang="en">small</em></p></body></html>')
    tab.add_style_tag(path=str(out / next(p.relative_to(out) for p in out.glob("static/css/site.*.css"))))
    styles = tab.locator("em").evaluate_all(
        "list => list.map(e => [getComputedStyle(e).fontStyle, getComputedStyle(e).textEmphasisStyle])")
    assert styles[0][0] == "normal" and "sesame" in styles[0][1]
    assert styles[1][0] == "normal" and "dot" in styles[1][1]
    assert styles[2][0] == "normal"
    assert styles[3][0] == "italic"
    context.close()


def test_motion_only_when_the_reader_allows_it(served, browser):
    out, url = served
    durations = {}
    for motion in ("reduce", "no-preference"):
        context = browser.new_context(reduced_motion=motion)
        tab = context.new_page()
        tab.goto(f"{url}/en/")
        durations[motion] = tab.locator(".card").first.evaluate("e => getComputedStyle(e).transitionDuration")
        durations[motion + " animation"] = tab.locator(".figure").first.evaluate(
            "e => getComputedStyle(e).animationName")
        context.close()
    assert durations["reduce"] == "0s" and durations["reduce animation"] == "none"
    assert durations["no-preference"] != "0s" and durations["no-preference animation"] != "none"


def test_dark_scheme_and_print_style(served, browser):
    out, url = served
    backgrounds = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)
        tab = context.new_page()
        tab.goto(f"{url}/en/")
        backgrounds[scheme] = tab.evaluate("getComputedStyle(document.body).backgroundColor")
        if scheme == "dark":
            tab.emulate_media(media="print")
            # Printed: black on white, without the language switcher or the film.
            assert tab.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
            assert tab.evaluate("getComputedStyle(document.body).color") == "rgb(0, 0, 0)"
            assert not tab.locator("nav.languages").is_visible()
            assert tab.locator("h1").is_visible()
        context.close()
    assert backgrounds["light"] != backgrounds["dark"]


def test_the_chooser_without_scripts_fits_320_px_and_passes_axe(served, browser):
    """Without scripts the root page stays: it must read well too."""
    out, url = served
    for scheme in ("light", "dark"):
        context = browser.new_context(java_script_enabled=False, viewport={"width": 320, "height": 640},
                                      color_scheme=scheme)
        tab = context.new_page()
        tab.goto(f"{url}/")
        assert tab.locator("html").get_attribute("lang") == TAGS["en"]
        assert tab.locator("a[data-lang-choice]").count() == len(TAGS)
        assert tab.evaluate("document.documentElement.scrollWidth") <= 320
        context.close()
        # axe runs as a script, so it needs them on; the page is the same until lang.js moves on.
        context = browser.new_context(color_scheme=scheme)
        context.route("**/lang.*.js", lambda route: route.abort())
        tab = context.new_page()
        tab.goto(f"{url}/")
        results = Axe().run(tab)
        assert results.violations_count == 0, results.generate_report()
        context.close()
