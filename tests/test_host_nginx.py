"""`python build.py host nginx`, tried against a real nginx (Debian's, on a loopback port) serving the
real site: caching, a 404 page per language, the root in the reader's language (cookie, then
Accept-Language, then the chooser), security headers on every answer, and compression."""

from __future__ import annotations

import gzip
import re

import pytest

from i18n_helpers import cli
from nginx_host import fetch, nginx_serving, real_site_on_nginx  # noqa: F401 - fixture
from site_pages import build_real_site

IMMUTABLE = "public, max-age=31536000, immutable"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
       "manifest-src 'self'; frame-src https://www.youtube-nocookie.com; base-uri 'none'; form-action 'none'; "
       "frame-ancestors 'none'")
NOT_FOUND = {"en": "Page not found", "ko": "페이지를 찾을 수 없습니다", "ja": "ページが見つかりません",
             "zh": "找不到页面"}


@pytest.fixture
def served(real_site_on_nginx):
    return real_site_on_nginx


def test_hashed_files_are_kept_a_year_and_every_other_file_is_asked_for_again(served):
    out, base = served
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    hashed = [name for name in files if name.startswith(("static/", "media/"))]
    assert any(name.startswith("media/cards/") for name in hashed) and any(name.endswith(".webp") for name in hashed)
    for name in files:
        if name in ("_headers", "_redirects", ".smallsite-files.json"):  # (not for readers: below)
            continue
        answer = fetch(base, "/" + name)
        assert answer.status == 200, name
        assert answer.body == (out / name).read_bytes(), name
        assert answer.header("Cache-Control") == (IMMUTABLE if name in hashed else "no-cache"), name
    assert fetch(base, "/ko/about/").header("Cache-Control") == "no-cache"


@pytest.mark.parametrize("path, status", [("/en/", 200), ("/ko/stories/kenya-hockey/", 200), ("/nowhere", 404),
                                          ("/ja/nowhere/", 404), ("/static/css/", 404), ("/ko", 301),
                                          ("/zh/feed.xml", 200)])
def test_every_answer_carries_the_security_headers(served, path, status):
    _, base = served
    answer = fetch(base, path, Accept_Language="ko")
    assert answer.status == status
    assert answer.header("Content-Security-Policy") == CSP
    assert answer.header("X-Content-Type-Options") == "nosniff"
    assert answer.header("Referrer-Policy") == "strict-origin-when-cross-origin"
    assert "camera=()" in answer.header("Permissions-Policy") and "geolocation=()" in answer.header("Permissions-Policy")
    assert "nginx/" not in (answer.header("Server") or "")  # no version for an attacker to look up
    assert answer.header("Strict-Transport-Security") == "max-age=31536000"  # base_url is https


@pytest.mark.parametrize("lang", ["en", "ko", "ja", "zh"])
def test_a_missing_address_in_a_languages_folder_gets_that_languages_404_page(served, lang):
    out, base = served
    for path in (f"/{lang}/nowhere", f"/{lang}/stories/gone/", f"/{lang}/about/deeper/still.html"):
        answer = fetch(base, path)
        assert answer.status == 404, path
        assert answer.body == (out / lang / "404.html").read_bytes(), path
        assert NOT_FOUND[lang] in answer.text
        assert answer.header("Content-Language") == {"zh": "zh-Hans"}.get(lang, lang)
        assert answer.header("Cache-Control") == "no-cache"


def test_a_missing_address_outside_the_languages_gets_the_page_in_every_language(served):
    out, base = served
    for path in ("/nowhere", "/static/css/", "/media/gone.jpg", "/_headers", "/_redirects", "/.smallsite-files.json",
                 "/korean/"):
        answer = fetch(base, path)
        assert (answer.status, answer.body) == (404, (out / "404.html").read_bytes()), path
        assert all(text in answer.text for text in NOT_FOUND.values())


def test_each_language_folder_says_its_language(served):
    _, base = served
    for path, language in (("/zh/", "zh-Hans"), ("/ko/feed.xml", "ko"), ("/ja/about/", "ja"), ("/en/", "en")):
        assert fetch(base, path).header("Content-Language") == language, path
    assert fetch(base, "/", Accept_Language="fr").header("Content-Language") is None  # the chooser speaks all four
    assert fetch(base, "/sitemap.xml").header("Content-Language") is None


@pytest.mark.parametrize("headers, lands_on", [
    ({}, None),  # nothing to go by: the chooser
    ({"Accept_Language": "ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7"}, "ko"),
    ({"Accept_Language": "fr-FR,fr;q=0.9,ja;q=0.8"}, "ja"),  # the first the site has
    ({"Accept_Language": "zh-CN,zh;q=0.9"}, "zh"),
    ({"Accept_Language": "zh-Hans-CN"}, "zh"),
    ({"Accept_Language": "EN-gb"}, "en"),
    ({"Accept_Language": "fr, ko;q=0, en;q=0.5"}, "en"),  # Korean refused
    ({"Accept_Language": "fr-FR, de"}, None),  # none the site has: the chooser
    ({"Accept_Language": "kok, jam"}, None),  # Konkani and Jamaican Creole are not Korean and Japanese
    ({"Accept_Language": " ," * 3000 + "ko"}, "ko"),  # a long, hostile header, read to its end
    ({"Cookie": "nf_lang=ja", "Accept_Language": "ko-KR"}, "ja"),  # the reader's own pick comes first
    ({"Cookie": "theme=dark; nf_lang=zh"}, "zh"),
    ({"Cookie": "nf_lang=../../etc", "Accept_Language": "ko"}, "ko"),  # a cookie naming no language is ignored
    ({"Cookie": "nf_lang=fr"}, None),
])
def test_the_root_answers_in_the_readers_language(served, headers, lands_on):
    out, base = served
    answer = fetch(base, "/", **headers)
    if lands_on is None:
        assert (answer.status, answer.body) == (200, (out / "index.html").read_bytes())
    else:
        assert (answer.status, answer.header("Location")) == (302, f"/{lands_on}/")
    assert "Cookie, Accept-Language" in answer.header("Vary")  # caches keep one answer per reader's language
    assert answer.header("Cache-Control") == "no-cache"


def test_the_root_keeps_the_query_when_it_sends_a_reader_on(served):
    _, base = served
    answer = fetch(base, "/?utm_source=poster&utm_medium=print", Accept_Language="ja")
    assert answer.header("Location") == "/ja/?utm_source=poster&utm_medium=print"


def test_text_is_compressed_and_pictures_are_not(served):
    out, base = served
    css = next(out.glob("static/css/site.*.css")).relative_to(out).as_posix()
    js = next(out.glob("static/js/lang.*.js")).relative_to(out).as_posix()
    svg = next(out.glob("media/hero.*.svg")).relative_to(out).as_posix()  # (the icon is too small to gain)
    for name in ("ko/stories/henry-pearce/index.html", css, js, svg, "ja/feed.xml", "sitemap.xml", "ko/404.html"):
        answer = fetch(base, "/" + name, Accept_Encoding="gzip")
        assert answer.header("Content-Encoding") == "gzip", name
        assert gzip.decompress(answer.body) == (out / name).read_bytes(), name
        assert len(answer.body) < (out / name).stat().st_size, name
        assert "Accept-Encoding" in answer.header("Vary"), name
    card = next(out.glob("media/cards/ko/card.*.jpg")).relative_to(out).as_posix()
    assert fetch(base, "/" + card, Accept_Encoding="gzip").header("Content-Encoding") is None
    assert fetch(base, "/ko/").header("Content-Encoding") is None  # a client that did not ask gets plain bytes


def test_a_folder_without_its_slash_is_sent_to_it_on_the_same_host(served):
    _, base = served
    answer = fetch(base, "/ko/about")
    assert (answer.status, answer.header("Location")) == (301, "/ko/about/")


def test_a_site_under_a_sub_path_is_served_there(tmp_path):
    project = tmp_path / "project"
    out = build_real_site(project, "--base-url", "https://example.org/campaign/")
    with nginx_serving(project, tmp_path / "nginx", "--base-url", "https://example.org/campaign/") as (base, _):
        answer = fetch(base, "/campaign/", Accept_Language="ja-JP")
        assert (answer.status, answer.header("Location")) == (302, "/campaign/ja/")
        assert fetch(base, "/campaign/").body == (out / "index.html").read_bytes()
        missing = fetch(base, "/campaign/ko/nowhere")
        assert (missing.status, missing.body) == (404, (out / "ko/404.html").read_bytes())
        assert fetch(base, "/campaign/nowhere").body == (out / "404.html").read_bytes()
        css = next(out.glob("static/css/site.*.css")).relative_to(out).as_posix()
        assert fetch(base, "/campaign/" + css).header("Cache-Control") == IMMUTABLE
        assert fetch(base, "/campaign/ko/").header("Content-Language") == "ko"
        assert fetch(base, "/ko/").status == 404  # nothing of the site outside its path
        answer = fetch(base, "/campaign")
        assert (answer.status, answer.header("Location")) == (301, "/campaign/")


# -- What `host nginx` refuses to print: nothing read from site.toml or the command line may add a directive.

def test_a_listen_address_that_is_not_one_is_refused(tmp_path):
    project = tmp_path / "project"
    build_real_site(project)
    for listen in ("80; include /etc/shadow", "http://x", "70000", ""):
        result = cli(project, "host", "nginx", "--listen", listen)
        assert result.code == 1 and result.out == "", listen
        assert f"host nginx: --listen '{listen}' must be a port (8080) or an address and a port" in result.err


@pytest.mark.parametrize("base_url", ["https://example.org/a$host/", 'https://example.org/a"b/',
                                      "https://example.org/a%0Ab/", "https://example.org/a%24b/"])
def test_a_base_url_nginx_cannot_carry_is_refused(tmp_path, base_url):
    project = tmp_path / "project"
    build_real_site(project)
    result = cli(project, "host", "nginx", "--base-url", base_url)
    assert result.code == 1 and result.out == ""
    assert "has a character nginx's configuration cannot carry safely" in result.err


def test_a_folder_nginx_cannot_carry_is_refused(tmp_path):
    project = tmp_path / "project"
    build_real_site(project)
    result = cli(project, "host", "nginx", "--folder", str(tmp_path / 'my"site'))
    assert result.code == 1 and "pass another with --folder" in result.err


def test_a_site_built_for_another_address_is_refused_with_the_address_it_was_built_for(tmp_path):
    project = tmp_path / "project"
    build_real_site(project, "--base-url", "https://example.org/campaign/")
    result = cli(project, "host", "nginx")
    assert result.code == 1 and result.out == ""
    assert (f"host nginx: {(project / 'site').absolute()} was built for https://example.org/campaign/ (its "
            "robots.txt says so), not for https://greatness-of-small.example.org/: pass --base-url "
            "https://example.org/campaign/, or build again") in result.err


def test_an_international_domain_is_matched_in_the_form_browsers_send(tmp_path):
    project = tmp_path / "project"
    build_real_site(project, "--base-url", "http://例え.jp/")
    result = cli(project, "host", "nginx", "--base-url", "http://例え.jp/")
    assert result.code == 0, result.err
    assert 'server_name "xn--r8jz45g.jp";' in result.out
    assert "Strict-Transport-Security" not in result.out  # not an https site: nothing to keep it on


def test_two_files_for_one_site_never_share_a_variable(tmp_path):
    project = tmp_path / "project"
    build_real_site(project)
    prefixes = set()
    for listen in ("8080", "8081"):
        printed = cli(project, "host", "nginx", "--listen", listen).out
        prefixes |= set(re.findall(r"map \$cookie_nf_lang \$(smallsite_[0-9a-f]{6})_language", printed))
    assert len(prefixes) == 2


def test_the_configuration_serves_the_folder_the_site_is_built_into_by_default(tmp_path):
    project = tmp_path / "project"
    build_real_site(project)
    result = cli(project, "host", "nginx")
    assert result.code == 0 and result.err == ""
    assert f'alias "{(project / "site").absolute()}/";' in result.out
    assert "    listen 80;\n    listen [::]:80;\n" in result.out  # IPv4 and IPv6, as Debian's own site
    assert 'server_name "greatness-of-small.example.org";' in result.out
    fresh = tmp_path / "fresh"
    (fresh).mkdir()
    (fresh / "site.toml").write_text((project / "site.toml").read_text(encoding="utf-8"), encoding="utf-8")
    result = cli(fresh, "host", "nginx")
    assert result.code == 0 and "holds no built site yet: run python build.py build" in result.err
