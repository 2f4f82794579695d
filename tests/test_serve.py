"""`python build.py serve` on a free loopback port: what it serves, what it refuses, how it shows errors."""

from __future__ import annotations

import asyncio
import json
import socket
import threading

import pytest
from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.websocket import websocket_connect

from conftest import SiteMaker, all_languages, page
from serving import ServeProcess
from smallsite.build.assets import hashed_name
from smallsite.serve.preview import Snapshot, host_allowed, resolve

STORY = "content/stories/ducks.en.md"
BROKEN = "---\ntitle: no\nsummary: x\n---\nBroken text.\n"  # line 2: 'title' must be text
SECRET = "do-not-serve-this"


def small_site(maker: SiteMaker):
    return maker.make({**all_languages("index", "Home"), **all_languages("about", "About"),
                       STORY: page("Ducks", "Old text.", date="2018-02-02"),
                       "static/css/.hidden.css": f"/* {SECRET} */",
                       # A stale file in site/ (from an old build): serve must neither show nor touch it.
                       "site/stale.html": f"<p>{SECRET}</p>"})


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """One server for the read-only tests."""
    maker = SiteMaker(tmp_path_factory.mktemp("served") / "project")
    small_site(maker)
    (maker.root.parent / "outside.txt").write_text(SECRET)
    (maker.root / "content" / "leak").symlink_to(maker.root.parent, target_is_directory=True)
    server = ServeProcess(maker.root)
    yield server
    assert server.stop() == 0, server.output


def test_serves_pages_from_the_build(served):
    status, body = served.text("/en/stories/ducks/")
    assert status == 200 and "Old text." in body
    assert '/livereload.js?host="+location.hostname' in body  # the preview's script, added at serve time
    status, headers, _ = served.request("/en/stories/ducks/")
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert headers["cache-control"] == "no-store"
    assert "access-control-allow-origin" not in headers


def test_a_folder_without_slash_redirects_and_head_has_no_body(served):
    status, headers, _ = served.request("/en/about?x=1")
    assert status == 302 and headers["location"] == "/en/about/?x=1"
    status, headers, body = served.request("/en/about/", method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 0


def test_unknown_page_is_the_sites_404_page(served):
    status, headers, body = served.request("/en/no-such-page/")
    assert status == 404
    assert b"Page not found" in body and b"livereload.js" in body
    # In a language's folder, that language's own 404 page, as the hosts' configuration answers.
    status, _, body = served.request("/ko/no/such/page")
    assert status == 404 and '<html lang="ko">'.encode() in body and "페이지를 찾을 수 없습니다".encode() in body
    status, _, body = served.request("/nowhere/page")
    assert status == 404 and "페이지를 찾을 수 없습니다".encode() in body and b'lang="zh-Hans"' in body  # all four


@pytest.mark.parametrize("path", [
    "/../site.toml", "/../../../../etc/passwd", "/en/../../site.toml", "/%2e%2e/site.toml",
    "/%2E%2E/%2E%2E/etc/passwd", "/.%2e/site.toml", "/%2e%2e%2fsite.toml", "/..%2fsite.toml",
    "/static/..%5c..%5csite.toml", "/%252e%252e/site.toml", "/site.toml", "/content/stories/ducks.en.md",
    "/stale.html", "/site/stale.html", "/.git/config", "/static/css/.hidden.css", "/en/%2e/",
    "/en/stories/ducks/%00", "/%ff%fe", "//etc/passwd", "/static/", "/static/css/", "/en/stories/",
    "/leak/outside.txt", "/en/leak/outside.txt", "/content/leak/outside.txt", "/outside.txt",
])
def test_nothing_outside_the_build_is_ever_served(served, path):
    status, headers, body = served.request(path)
    assert status in (400, 404), (path, status)
    assert SECRET.encode() not in body
    assert b"default_language" not in body and b"root:" not in body
    assert b"Index of" not in body and b"Directory listing" not in body


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1.nip.io:{port}",
                                  "localhost.evil.example", ""])
def test_requests_for_other_hosts_are_refused(served, host):
    status, headers, body = served.request("/en/", host=host.format(port=served.port))
    assert status in (400, 403)
    assert b"Home" not in body


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}", "127.0.0.1"])
def test_requests_for_our_address_or_localhost_are_answered(served, host):
    assert served.request("/en/", host=host.format(port=served.port))[0] == 200


def test_livereload_js_is_served(served):
    status, headers, body = served.request("/livereload.js?port=1")
    assert status == 200 and b"LiveReload" in body
    assert served.request("/livereload.js", host="evil.example")[0] == 403


async def _handshake(port: int, origin: str | None, host: str | None = None) -> dict:
    headers = {"Origin": origin} if origin else {}
    if host:
        headers["Host"] = host
    request = HTTPRequest(f"ws://127.0.0.1:{port}/livereload", headers=headers)
    connection = await websocket_connect(request)
    try:
        connection.write_message(json.dumps({"command": "hello", "protocols": [
            "http://livereload.com/protocols/official-7"]}))
        return json.loads(await asyncio.wait_for(connection.read_message(), 10))
    finally:
        connection.close()


def handshake(port: int, origin: str | None, host: str | None = None) -> dict:
    """The LiveReload handshake, on a thread of its own: Playwright's sync API holds this thread's loop."""
    outcome = {}

    def run():
        try:
            outcome["reply"] = asyncio.run(_handshake(port, origin, host))
        except BaseException as exc:  # handed back to the test
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["reply"]


def test_reload_channel_speaks_livereload_to_the_pages_own_origin(served):
    reply = handshake(served.port, f"http://127.0.0.1:{served.port}")
    assert reply["command"] == "hello"
    assert "http://livereload.com/protocols/official-7" in reply["protocols"]


@pytest.mark.parametrize("origin, host", [("http://evil.example", None), ("null", None),
                                          ("http://127.0.0.1:1", None),
                                          ("http://evil.example", "evil.example")])
def test_reload_channel_refuses_other_origins_and_hosts(served, origin, host):
    with pytest.raises(HTTPClientError) as refused:
        handshake(served.port, origin, host)
    assert refused.value.code == 403


def test_serve_never_touches_the_site_folder(served):
    assert sorted(p.name for p in (served.root / "site").iterdir()) == ["stale.html"]


# -- rebuilding: each test has its own server, since it changes the sources ------------------------------


@pytest.fixture
def live(site):
    small_site(site)
    server = ServeProcess(site.root)
    server.site = site
    yield server
    server.stop()


def test_a_save_shows_and_so_does_a_second_save_soon_after(live):
    live.site.write(STORY, page("Ducks", "New text.", date="2018-02-02"))
    live.wait_for_page("/en/stories/ducks/", "New text.")
    live.site.write(STORY, page("Ducks", "Newer text.", date="2018-02-02"))
    live.wait_for_page("/en/stories/ducks/", "Newer text.")


def test_errors_show_in_terminal_and_overlay_and_the_last_good_page_stays(live):
    before = live.generation()
    lines = len(live.lines)
    live.site.write(STORY, BROKEN)
    body = live.wait_for_page("/en/stories/ducks/", 'id="smallsite-problems"')
    assert "Old text." in body and "Broken text." not in body
    assert f"{STORY}:2" in body
    live.wait_for_output(rf"^{STORY}:2: ", start=lines)
    live.wait_for_output(r"build failed: 1 problem; still serving the last good build", start=lines)
    assert live.generation() > before
    # Every page shows it, the 404 page too.
    assert 'id="smallsite-problems"' in live.text("/en/no-such-page/")[1]

    live.site.write(STORY, page("Ducks", "Fixed text.", date="2018-02-02"))
    body = live.wait_for_page("/en/stories/ducks/", "Fixed text.")
    assert 'id="smallsite-problems"' not in body


@pytest.mark.parametrize("name, broken, shown", [
    ("templates/page.html", "{% block main %}{% if %}{% endblock %}\n", "templates/page.html:1"),
    ("site.toml", None, "site.toml:"),
    ("locales/ko_KR/LC_MESSAGES/messages.po", None, "locales/ko_KR/LC_MESSAGES/messages.po:"),
    ("content/about.en.md", "---\ntitle: About\nsummary: x\n---\n[gone](missing.md)\n", "content/about.en.md:5"),
    # A warning with no line beside an error with one, in the same file (sorting them once crashed).
    ("content/about.en.md", "---\ntitle: About\n---\nNo summary.\n", "content/about.en.md:2"),
])
def test_each_kind_of_error_is_shown_then_cleared(live, name, broken, shown):
    path = live.site.root / name
    original = path.read_text(encoding="utf-8")
    if name == "site.toml":
        broken = original.replace('default_language = "en"', 'default_language = "en"\ncolour = "red"')
    elif name.endswith(".po"):
        broken = original.replace("%(language)s로 이야기를", "이야기를")
    assert broken != original
    live.site.write(name, broken)
    body = live.wait_for_page("/en/", 'id="smallsite-problems"')
    assert shown in body, body[-1500:]
    assert "Home en" in body  # the last good page
    live.site.write(name, original)
    live.wait_until(lambda: 'id="smallsite-problems"' not in live.text("/en/")[1], message="for the overlay to go")


def test_a_catalogue_defect_shows_its_line_and_the_last_good_page_stays(live):
    """A string missing its closing quote: Babel alone would have shown the text cut short (すべての物)."""
    name = "locales/ja_JP/LC_MESSAGES/messages.po"
    original = (live.site.root / name).read_text(encoding="utf-8")
    line = original.split("\n").index('msgstr "すべての物語"') + 1
    lines = len(live.lines)
    live.site.write(name, original.replace('msgstr "すべての物語"', 'msgstr "すべての物語'))
    body = live.wait_for_page("/ja/", 'id="smallsite-problems"')
    assert f"{name}:{line}: this string has no closing quote" in body
    assert "すべての物語" in body
    live.wait_for_output(rf"^{name}:{line}: this string has no closing quote", start=lines)
    live.site.write(name, original)
    live.wait_until(lambda: 'id="smallsite-problems"' not in live.text("/ja/")[1], message="for the overlay to go")


def test_deleted_renamed_and_new_pages_and_folders_without_a_restart(live):
    (live.site.root / STORY).rename(live.site.root / "content/stories/geese.en.md")
    live.wait_for_page("/en/stories/ducks/", "not-found", status=404)
    live.wait_for_page("/en/stories/geese/", "Old text.")
    live.site.write("content/news/today.en.md", page("Today", "Fresh news."))
    live.wait_for_page("/en/news/today/", "Fresh news.")
    (live.site.root / "content/news/today.en.md").unlink()
    live.wait_for_page("/en/news/today/", "not-found", status=404)


def test_links_out_of_the_project_made_while_serving_are_refused_and_never_served(live):
    """A static file, a page bundle's picture and a page's source, each made a link to a file outside the
    project while serving: the preview says so, and never serves what they lead to, not even under the
    name a build would have given it."""
    root = live.site.root
    outside = root.parent / "outside"
    outside.mkdir()
    secret_picture = f'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><!-- {SECRET} --></svg>'.encode()
    (outside / "secret.svg").write_bytes(secret_picture)
    (outside / "secret.en.md").write_text(page("Secret", SECRET, date="2018-02-02"), encoding="utf-8")
    live.site.write("content/stories/duck.svg", '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>')
    live.site.write(STORY, page("Ducks", "Old text.\n\n![A duck](duck.svg)", date="2018-02-02"))
    live.wait_for_page("/en/stories/ducks/", "/media/duck.")

    (root / "static/leak.svg").symlink_to(outside / "secret.svg")
    body = live.wait_for_page("/en/", 'id="smallsite-problems"')
    assert f"static/leak.svg: is a link to {outside}/secret.svg, outside the project: refused" in body
    (root / "static/leak.svg").unlink()
    live.wait_until(lambda: 'id="smallsite-problems"' not in live.text("/en/")[1], message="for the overlay to go")

    (root / "content/stories/duck.svg").unlink()
    (root / "content/stories/duck.svg").symlink_to(outside / "secret.svg")
    body = live.wait_for_page("/en/stories/ducks/", 'id="smallsite-problems"')
    assert "&#x27;duck.svg&#x27;: content/stories/duck.svg is a link to " \
           f"{outside}/secret.svg, outside the project: refused" in body
    (root / "content/stories/duck.svg").unlink()
    live.site.write("content/stories/duck.svg", '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>')
    live.wait_until(lambda: 'id="smallsite-problems"' not in live.text("/en/")[1], message="for the overlay to go")

    (root / STORY).unlink()  # an editor's page swapped for a link to a file elsewhere
    (root / STORY).symlink_to(outside / "secret.en.md")
    body = live.wait_for_page("/en/", 'id="smallsite-problems"')
    assert f"{STORY}: is a link to {outside}/secret.en.md, outside the project: refused" in body

    for path in ("/en/stories/ducks/", "/static/" + hashed_name("leak.svg", secret_picture),
                 "/media/" + hashed_name("duck.svg", secret_picture), "/en/", "/en/feed.xml", "/sitemap.xml"):
        status, _, data = live.request(path)
        assert SECRET.encode() not in data, path
    assert live.request("/static/" + hashed_name("leak.svg", secret_picture))[0] == 404


def test_a_missing_translation_shows_the_fallback_with_its_notice(live):
    body = live.wait_for_page("/ko/stories/ducks/", "Old text.")
    assert "fallback-notice" in body and 'id="smallsite-problems"' not in body


def test_a_failed_first_build_is_shown_and_serving_starts_anyway(site):
    small_site(site)
    site.write(STORY, BROKEN)
    server = ServeProcess(site.root)
    try:
        status, body = server.text("/en/")
        assert status == 503 and f"{STORY}:2" in body and "No build has succeeded yet" in body
        site.write(STORY, page("Ducks", "Old text.", date="2018-02-02"))
        server.wait_for_page("/en/stories/ducks/", "Old text.")
    finally:
        server.stop()


def test_lang_builds_only_the_languages_named(site):
    small_site(site)
    server = ServeProcess(site.root, "--lang", "ko")
    try:
        assert server.text("/ko/")[0] == 200
        assert server.text("/en/")[0] == 200  # the default language stays: fallbacks need it
        assert server.text("/ja/")[0] == 404
    finally:
        server.stop()


def test_serve_writes_nothing_unless_asked(site):
    small_site(site)
    server = ServeProcess(site.root)
    server.stop()
    assert sorted(p.name for p in (site.root / "site").iterdir()) == ["stale.html"]
    server = ServeProcess(site.root, "--out", "preview")
    server.stop()
    assert (site.root / "preview" / "en" / "stories" / "ducks" / "index.html").is_file()


def test_port_in_use_says_so_and_names_a_free_one(site):
    small_site(site)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = site.run("serve", "--port", str(port))
    assert result.returncode == 1
    assert f"port {port} is in use" in result.stderr and "--port" in result.stderr


def test_listening_beyond_loopback_warns_and_still_checks_hosts(site):
    small_site(site)
    server = ServeProcess(site.root, "--host", "0.0.0.0")
    try:
        assert "warning: listening on 0.0.0.0" in server.output
        assert server.request("/en/")[0] == 200
        assert server.request("/en/", host=f"rebind.evil.example:{server.port}")[0] == 403
    finally:
        server.stop()


# -- the pure parts ---------------------------------------------------------------------------------------


def test_resolve_under_a_sub_path():
    files = {"index.html": b"", "en/index.html": b"", "404.html": b""}
    assert resolve("/", "/campaign/", files) == ("redirect", "/campaign/")
    assert resolve("/campaign/", "/campaign/", files) == ("file", "index.html")
    assert resolve("/campaign/en", "/campaign/", files) == ("redirect", "/campaign/en/")
    assert resolve("/en/", "/campaign/", files) == ("missing", "")


def test_host_rules():
    assert host_allowed("[::1]:8000", "::1")
    assert host_allowed("localhost.:8000", "127.0.0.1")
    assert not host_allowed("example.org", "0.0.0.0")
    assert host_allowed("192.168.1.20:8000", "0.0.0.0")
    assert Snapshot().built is False
