"""The `_headers` and `_redirects` every build writes, read by Netlify's documented rules
(tests/netlify_rules.py): what a reader gets from the real site published on Netlify."""

from __future__ import annotations

import pytest

from netlify_rules import answer, read_headers, read_redirects
from site_pages import build_real_site

IMMUTABLE = "public, max-age=31536000, immutable"
SECURITY = {"content-security-policy", "x-content-type-options", "referrer-policy", "permissions-policy"}


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    return build_real_site(tmp_path_factory.mktemp("netlify") / "project")


def test_both_files_read_cleanly_and_nothing_else_is_at_the_top(published):
    assert read_headers((published / "_headers").read_text(encoding="utf-8"))
    assert read_redirects((published / "_redirects").read_text(encoding="utf-8"))


def test_every_file_is_cached_as_its_name_allows_with_one_value_per_header(published):
    files = sorted(p.relative_to(published).as_posix() for p in published.rglob("*") if p.is_file())
    assert ".smallsite-files.json" in files  # the build's record: not for readers
    got = answer(published, "/.smallsite-files.json")
    assert (got.status, got.file) == (404, published / "404.html")
    for name in files:
        if name in ("_headers", "_redirects", ".smallsite-files.json"):
            continue
        got = answer(published, "/" + name)
        assert (got.status, got.file) == (200, published / name), name
        hashed = name.startswith(("static/", "media/"))
        # Exactly one value each: two rules setting one header would be joined by a comma.
        assert got.headers["cache-control"] == (IMMUTABLE if hashed else "no-cache"), name
        assert SECURITY <= set(got.headers), name
        assert got.headers["content-security-policy"].startswith("default-src 'none'; "), name
        assert got.headers["x-content-type-options"] == "nosniff", name
    assert any(name.startswith("media/cards/") for name in files)


def test_pages_say_their_language(published):
    assert answer(published, "/zh/stories/henry-pearce/").headers["content-language"] == "zh-Hans"
    assert answer(published, "/ko/feed.xml").headers["content-language"] == "ko"
    assert "content-language" not in answer(published, "/").headers


@pytest.mark.parametrize("lang, title", [("en", "Page not found"), ("ko", "페이지를 찾을 수 없습니다"),
                                         ("ja", "ページが見つかりません"), ("zh", "找不到页面")])
def test_a_missing_page_gets_its_languages_404_page(published, lang, title):
    got = answer(published, f"/{lang}/stories/gone/")
    assert (got.status, got.file) == (404, published / lang / "404.html")
    assert title in got.file.read_text(encoding="utf-8")
    assert got.headers["cache-control"] == "no-cache" and SECURITY <= set(got.headers)
    # A page that is there is not shadowed by the folder's 404 rule, with its slash or without.
    assert answer(published, f"/{lang}/about/").status == 200
    assert answer(published, f"/{lang}/about").status == 200
    assert answer(published, f"/{lang}").status == 200


def test_a_missing_address_outside_the_languages_gets_the_page_in_every_language(published):
    got = answer(published, "/korean/")
    assert (got.status, got.file) == (404, published / "404.html")


@pytest.mark.parametrize("accept_language, cookies, lands_on", [
    ("", {}, None),
    ("ko-KR,ko;q=0.9,en;q=0.8", {}, "ko"),
    ("zh-CN,zh;q=0.9", {}, "zh"),
    ("ja", {}, "ja"),
    ("en-GB", {}, "en"),
    ("fr-FR,fr;q=0.9", {}, None),
    ("ko-KR", {"nf_lang": "ja"}, "ja"),  # the reader's pick first
    ("ko-KR", {"nf_lang": "de"}, None),  # Netlify takes the cookie's language, which the site lacks
])
def test_the_root_answers_in_the_readers_language(published, accept_language, cookies, lands_on):
    got = answer(published, "/", accept_language, cookies)
    if lands_on is None:
        assert (got.status, got.file) == (200, published / "index.html")
    else:
        assert (got.status, got.location) == (302, f"/{lands_on}/")
    assert got.headers["vary"] == "Cookie, Accept-Language"
    assert got.headers["cache-control"] == "no-cache"


def test_a_sub_path_site_has_its_rules_under_the_sub_path(tmp_path):
    out = build_real_site(tmp_path / "project", "--base-url", "https://example.org/campaign/")
    redirects = (out / "_redirects").read_text(encoding="utf-8")
    assert "/campaign/  /campaign/ko/  302!  Language=ko" in redirects
    assert "/campaign/ko/*  /campaign/ko/404.html  404" in redirects
    rules = read_headers((out / "_headers").read_text(encoding="utf-8"))
    assert {rule.path for rule in rules} >= {"/campaign/*", "/campaign/static/*", "/campaign/media/*",
                                             "/campaign/ko/*", "/campaign/"}
