"""The live preview in real headless Chromium: saves show without a manual reload, errors over the page."""

from __future__ import annotations

import pytest

from browser import browser  # noqa: F401 - fixture
from conftest import all_languages, page
from serving import ServeProcess

STORY = "content/stories/ducks.en.md"
WAIT_MS = 30_000  # a limit on waiting for the reload, not a timing assertion


@pytest.fixture
def preview(site, browser):
    site.make({**all_languages("index", "Home"), STORY: page("Ducks", "Old text.", date="2018-02-02")})
    server = ServeProcess(site.root)
    context = browser.new_context()
    tab = context.new_page()
    tab.goto(server.url + "/en/stories/ducks/")
    # Connected to the reload channel (livereload.js fires this event once its handshake is done).
    tab.wait_for_function("() => window.LiveReload && window.LiveReload.connector.protocol === 7",
                          timeout=WAIT_MS)
    yield site, server, tab
    context.close()
    server.stop()


def test_an_edit_appears_without_a_manual_reload_and_so_does_the_next(preview):
    site, server, tab = preview
    assert "Old text." in tab.inner_text("main")
    site.write(STORY, page("Ducks", "New text.", date="2018-02-02"))
    tab.wait_for_selector("text=New text.", timeout=WAIT_MS)
    site.write(STORY, page("Ducks", "Newer text.", date="2018-02-02"))
    tab.wait_for_selector("text=Newer text.", timeout=WAIT_MS)


def test_broken_front_matter_shows_the_overlay_and_fixing_it_clears_it(preview):
    site, server, tab = preview
    site.write(STORY, "---\ntitle: no\nsummary: x\n---\nBroken text.\n")
    overlay = tab.wait_for_selector("#smallsite-problems", timeout=WAIT_MS)
    assert f"{STORY}:2" in overlay.inner_text()
    assert overlay.is_visible()
    assert "Old text." in tab.inner_text("main")  # the last good page stays under it

    site.write(STORY, page("Ducks", "Fixed text.", date="2018-02-02"))
    tab.wait_for_selector("text=Fixed text.", timeout=WAIT_MS)
    assert tab.query_selector("#smallsite-problems") is None


def test_a_deleted_page_becomes_the_404_page(preview):
    site, server, tab = preview
    responses = []
    tab.on("response", lambda response: responses.append(response.status)
           if response.url.endswith("/en/stories/ducks/") else None)
    (site.root / STORY).unlink()
    tab.wait_for_selector("h1:has-text('404')", timeout=WAIT_MS)
    assert responses[-1] == 404
    assert "404" in tab.inner_text("h1")
