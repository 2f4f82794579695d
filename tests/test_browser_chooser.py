"""The root page in a real browser: a first-time reader lands on their browser's language, or sees the
chooser when the site lacks it; an explicit choice is remembered."""

import time

import pytest

from browser import browser, static_server  # noqa: F401 - fixture
from conftest import all_languages


@pytest.fixture
def served(site):
    site.make({**all_languages("index", "Home")})
    assert site.build().code == 0
    with static_server(site.root / "site") as url:
        yield url


def open_root(browser, url: str, locale: str):
    """A first visit to / from a browser set to `locale`; returns the tab where it landed."""
    context = browser.new_context(locale=locale)
    tab = context.new_page()
    tab.goto(url + "/")
    return tab


@pytest.mark.parametrize("locale, lands_on, tag", [
    ("ko-KR", "ko", "ko"), ("ja-JP", "ja", "ja"), ("zh-CN", "zh", "zh-Hans"), ("en-GB", "en", "en"),
])
def test_first_visit_lands_on_the_browsers_language(browser, served, locale, lands_on, tag):
    tab = open_root(browser, served, locale)
    tab.wait_for_url(f"{served}/{lands_on}/")
    assert tab.locator("html").get_attribute("lang") == tag
    tab.context.close()


def test_a_reader_whose_language_the_site_lacks_gets_the_chooser(browser, served):
    tab = open_root(browser, served, "fr-FR")
    tab.wait_for_load_state("load")
    tab.wait_for_timeout(300)  # lang.js has run: nothing sent the reader anywhere
    assert tab.url == served + "/"
    choices = tab.locator(".greeting h2 a")
    assert choices.all_inner_texts() == ["English", "한국어", "日本語", "简体中文"]
    choices.nth(2).click()
    tab.wait_for_url(served + "/ja/")
    tab.context.close()


def test_an_explicit_choice_is_remembered(browser, served):
    tab = open_root(browser, served, "ko-KR")
    tab.wait_for_url(served + "/ko/")
    tab.click("nav.languages a[hreflang=ja]")
    tab.wait_for_url(served + "/ja/")
    # In a cookie a host reads too (tests/test_host_nginx.py): the root can answer in it before any page loads.
    [cookie] = tab.context.cookies()
    assert (cookie["name"], cookie["value"], cookie["path"], cookie["sameSite"]) == ("nf_lang", "ja", "/", "Lax")
    assert cookie["expires"] > time.time() + 360 * 24 * 3600
    tab.goto(served + "/")
    tab.wait_for_url(served + "/ja/")
    tab.context.close()
