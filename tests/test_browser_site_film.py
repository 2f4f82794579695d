"""A story that names a film, in headless Chromium: nothing is asked of another host until the reader
presses play; then the privacy-enhanced player is put in the poster's place. The player's own request
is blocked here (no network in tests), but we see that it was asked for."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from browser import browser, static_server  # noqa: F401 - fixture
from site_pages import build_film_site

FOREIGN = re.compile(r"^(?!https?://127\.0\.0\.1[:/])(https?|wss?)://")


@pytest.fixture(scope="module")
def film_site(tmp_path_factory):
    out = build_film_site(tmp_path_factory.mktemp("film") / "project")
    with static_server(out) as url:
        yield out, url


def test_the_player_loads_only_when_the_reader_presses_play(film_site, browser):
    out, url = film_site
    context = browser.new_context()
    asked: list[str] = []

    def block(route):
        asked.append(route.request.url)
        route.abort()

    context.route(FOREIGN, block)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.goto(f"{url}/ko/stories/film/", wait_until="networkidle")
    assert asked == []
    assert tab.locator("iframe").count() == 0
    play = tab.get_by_role("link", name="영상 재생")
    assert play.is_visible()
    with tab.expect_request(re.compile(r"^https://www\.youtube-nocookie\.com/embed/abc123\?")):
        play.click()
    player = tab.locator("iframe.film__player")
    assert player.get_attribute("src").startswith("https://www.youtube-nocookie.com/embed/abc123?")
    assert player.get_attribute("title") == "영상 〈A film ko〉"
    assert asked and all(u.startswith("https://www.youtube-nocookie.com/") for u in asked), asked
    assert errors == []
    context.close()


def test_keyboard_readers_can_play_the_film(film_site, browser):
    out, url = film_site
    context = browser.new_context()
    context.route(FOREIGN, lambda route: route.abort())
    tab = context.new_page()
    tab.goto(f"{url}/en/stories/film/")
    tab.locator("a.film__play").focus()
    tab.keyboard.press("Enter")
    tab.locator("iframe.film__player").wait_for()
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_film_and_fallback_pages_have_no_axe_violation(film_site, browser, scheme):
    out, url = film_site
    context = browser.new_context(color_scheme=scheme)
    context.route(FOREIGN, lambda route: route.abort())
    tab = context.new_page()
    axe = Axe()
    report = []
    for code in ("en", "ko", "ja", "zh"):
        for page in (f"{code}/stories/film/", f"{code}/about/"):
            tab.goto(f"{url}/{page}")
            if page.endswith("about/") and code != "en":
                assert tab.locator(".fallback-notice").is_visible()
            results = axe.run(tab)
            if results.violations_count:
                report.append(f"{page}: {results.generate_report()}")
    context.close()
    assert report == [], "\n".join(report)
