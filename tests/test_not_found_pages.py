"""Each language's own 404 page (ko/404.html, ...): in its language, with its navigation, a way home and
its stories, and links that work at whatever depth a host shows it."""

from __future__ import annotations

import re

import pytest

from conftest import all_languages
from site_pages import build_real_site

TITLES = {"en": "Page not found", "ko": "페이지를 찾을 수 없습니다", "ja": "ページが見つかりません", "zh": "找不到页面"}
HOME = {"en": "Go to the home page", "ko": "첫 화면으로 가기", "ja": "トップページへ", "zh": "返回首页"}
STORIES = {"en": "Henry Pearce", "ko": "헨리 피어스", "ja": "ヘンリー・ピアース", "zh": "亨利·皮尔斯"}
TAGS = {"en": "en", "ko": "ko", "ja": "ja", "zh": "zh-Hans"}


@pytest.fixture(scope="module")
def real_site(tmp_path_factory):
    return build_real_site(tmp_path_factory.mktemp("not-found") / "project")


@pytest.mark.parametrize("lang", ["en", "ko", "ja", "zh"])
def test_a_languages_404_page_speaks_it_and_leads_back_into_it(real_site, lang):
    html = (real_site / lang / "404.html").read_text(encoding="utf-8")
    assert f'<html lang="{TAGS[lang]}">' in html
    assert re.search(rf"<title>{TITLES[lang]} · [^<]+</title>", html)
    assert re.search(rf'<h1><span class="not-found__code">404</span> {TITLES[lang]}</h1>', html)
    assert f'<a href="/{lang}/">{HOME[lang]}</a>' in html
    stories = re.findall(r'<li><a href="(/[^"]+)">([^<]+)</a></li>', html.split('class="not-found__stories"')[1].split("</ul>")[0])
    assert len(stories) == 3 and all(path.startswith(f"/{lang}/stories/") for path, _ in stories)
    assert any(STORIES[lang] in title for _, title in stories), stories
    assert '<meta name="robots" content="noindex">' in html
    assert 'rel="canonical"' not in html and "og:" not in html  # nobody links to it or shares it
    # Shown at /ko/any/depth/: every address starts at the site's root.
    for address in re.findall(r'(?:href|src)="([^"]*)"', html):
        assert address.startswith("/") or address.startswith("#"), address
    switcher = re.findall(r'<a href="(/\w+/)" lang="([^"]+)" hreflang', html)
    assert [path for path, _ in switcher] == ["/en/", "/ko/", "/ja/", "/zh/"]


def test_no_404_page_is_in_the_sitemap(real_site):
    assert "404" not in (real_site / "sitemap.xml").read_text(encoding="utf-8")


def test_a_sub_path_deploy_gives_404_pages_that_link_under_it(tmp_path):
    out = build_real_site(tmp_path / "project", "--base-url", "https://example.org/campaign/")
    html = (out / "ko/404.html").read_text(encoding="utf-8")
    for address in re.findall(r'(?:href|src)="(/[^"]*)"', html):
        assert address.startswith("/campaign/"), address


def test_a_big_site_offers_its_first_stories_and_a_link_to_all_of_them(site):
    files = dict(all_languages("index", "Home"))
    for number in range(1, 9):
        files.update(all_languages(f"stories/s{number}/index", f"Story {number}", date=f"2018-02-{number:02d}"))
    site.make(files)
    assert site.build().code == 0
    html = site.read("ko/404.html")
    offered = re.findall(r'<li><a href="/ko/stories/(s\d)/">', html)
    assert offered == ["s8", "s7", "s6", "s5", "s4", "s3"]  # newest first, as the home page lists them
    assert '<p class="all-stories"><a href="/ko/">모든 이야기</a></p>' in html
