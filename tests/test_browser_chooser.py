"""The root page in a real browser: a first-time reader lands on their browser's language,
and an explicit choice is remembered."""

from browser import browser, static_server  # noqa: F401 - fixture
from conftest import all_languages


def test_korean_browser_lands_on_korean_and_choice_is_remembered(site, browser):
    site.make({**all_languages("index", "Home")})
    assert site.run("build").returncode == 0
    with static_server(site.root / "site") as url:
        context = browser.new_context(locale="ko-KR")
        tab = context.new_page()
        tab.goto(url + "/")
        tab.wait_for_url(url + "/ko/")
        assert tab.locator("html").get_attribute("lang") == "ko"
        tab.click("nav.languages a[hreflang=ja]")
        tab.wait_for_url(url + "/ja/")
        tab.goto(url + "/")
        tab.wait_for_url(url + "/ja/")
        context.close()


def test_unknown_browser_language_goes_to_default(site, browser):
    site.make({**all_languages("index", "Home")})
    assert site.run("build").returncode == 0
    with static_server(site.root / "site") as url:
        context = browser.new_context(locale="fr-FR")
        tab = context.new_page()
        tab.goto(url + "/")
        tab.wait_for_url(url + "/en/")
        context.close()


def test_chinese_browser_lands_on_simplified_chinese(site, browser):
    site.make({**all_languages("index", "Home")})
    assert site.run("build").returncode == 0
    with static_server(site.root / "site") as url:
        context = browser.new_context(locale="zh-CN")
        tab = context.new_page()
        tab.goto(url + "/")
        tab.wait_for_url(url + "/zh/")
        assert tab.locator("html").get_attribute("lang") == "zh-Hans"
        context.close()
