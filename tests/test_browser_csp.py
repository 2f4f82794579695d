"""The Content-Security-Policy the hosts send, in headless Chromium: nginx serves the real site with the
configuration `host nginx` prints, and no page breaks the policy; then a film is played, and its
player's frame is allowed."""

from __future__ import annotations

import re

from browser import browser  # noqa: F401 - fixture
from nginx_host import nginx_serving, real_site_on_nginx  # noqa: F401 - fixture
from site_pages import build_film_site, html_pages

FOREIGN = re.compile(r"^(?!https?://127\.0\.0\.1[:/])(https?|wss?)://")
# Every breach of the policy, as the page itself sees it (the event fires whether or not anything logs it).
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


def watched_tab(browser, console: list[str], locale: str = "fr-FR"):
    """A tab that records policy breaches and every console warning or error; nothing reaches the web."""
    context = browser.new_context(locale=locale)  # a language the site lacks: the root shows the chooser
    context.add_init_script(WATCH)
    context.route(FOREIGN, lambda route: route.fulfill(status=200, content_type="text/html",
                                                        body="<!doctype html><title>player</title><p>player</p>"))
    tab = context.new_page()
    tab.on("console", lambda message: console.append(f"{tab.url}: {message.type}: {message.text}")
           if message.type in ("error", "warning") else None)
    tab.on("pageerror", lambda error: console.append(f"{tab.url}: pageerror: {error}"))
    return tab


def test_every_page_keeps_to_the_policy(browser, real_site_on_nginx):
    out, base = real_site_on_nginx
    console: list[str] = []
    tab = watched_tab(browser, console)
    pages = [*html_pages(out), "ko/nowhere/", "nowhere"]
    assert len(pages) > 20
    for page in pages:
        answer = tab.goto(f"{base}/{page}", wait_until="load")
        assert "default-src 'none'" in answer.header_value("content-security-policy"), page
        tab.evaluate("() => document.fonts.ready")  # stylesheets, pictures and fonts have been asked for
        # Every picture the page shows right away has loaded: the policy let it through.
        assert tab.evaluate("() => [...document.images].filter(i => i.loading !== 'lazy')"
                            ".every(i => i.complete && i.naturalWidth > 0)"), page
        assert tab.evaluate("() => window.__violations") == [], page
    # (The browser reports the two missing addresses asked for on purpose; nothing else.)
    missing = (f"{base}/ko/nowhere/: error: Failed to load resource: the server responded with a status of 404",
               f"{base}/nowhere: error: Failed to load resource: the server responded with a status of 404")
    assert [line for line in console if not line.startswith(missing)] == []
    tab.context.close()


def test_the_film_plays_under_the_policy(browser, tmp_path):
    build_film_site(tmp_path / "project")
    with nginx_serving(tmp_path / "project", tmp_path / "nginx") as (base, _):
        console: list[str] = []
        tab = watched_tab(browser, console)
        answer = tab.goto(f"{base}/ko/stories/film/", wait_until="load")
        assert "frame-src https://www.youtube-nocookie.com" in answer.header_value("content-security-policy")
        with tab.expect_request(re.compile(r"^https://www\.youtube-nocookie\.com/embed/abc123\?")):
            tab.get_by_role("link", name="영상 재생").click()
        player = tab.frame_locator("iframe.film__player")
        player.locator("p").wait_for()  # the player's page loaded inside the frame: the policy allowed it
        assert player.locator("p").inner_text() == "player"
        assert tab.evaluate("() => window.__violations") == []
        assert console == []
        tab.context.close()


def test_the_policy_is_not_a_formality(browser, tmp_path):
    """The same check, on a page that breaks the policy (an inline script, a picture from elsewhere),
    finds both breaches: the test above would see one."""
    project = tmp_path / "project"
    out = build_film_site(project)
    page = out / "en/stories/film/index.html"
    page.write_text(page.read_text(encoding="utf-8").replace(
        "</body>", '<script>document.title = "x"</script><img src="https://elsewhere.example/a.png" alt=""></body>'),
        encoding="utf-8")
    with nginx_serving(project, tmp_path / "nginx") as (base, _):
        console: list[str] = []
        tab = watched_tab(browser, console)
        tab.goto(f"{base}/en/stories/film/", wait_until="load")
        tab.wait_for_function("() => window.__violations.length >= 2")
        found = " | ".join(tab.evaluate("() => window.__violations"))
        assert "script-src-elem" in found and "img-src https://elsewhere.example/a.png" in found, found
        assert any("Content Security Policy" in line for line in console)
        tab.context.close()
