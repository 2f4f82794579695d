"""The root page in a real browser: a first-time reader lands on their browser's language,
and an explicit choice is remembered."""

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
    ("fr-FR", "en", "en"),  # a language the site does not have: the default
])
def test_first_visit_lands_on_the_browsers_language(browser, served, locale, lands_on, tag):
    tab = open_root(browser, served, locale)
    tab.wait_for_url(f"{served}/{lands_on}/")
    assert tab.locator("html").get_attribute("lang") == tag
    tab.context.close()


def test_an_explicit_choice_is_remembered(browser, served):
    tab = open_root(browser, served, "ko-KR")
    tab.wait_for_url(served + "/ko/")
    tab.click("nav.languages a[hreflang=ja]")
    tab.wait_for_url(served + "/ja/")
    tab.goto(served + "/")
    tab.wait_for_url(served + "/ja/")
    tab.context.close()
