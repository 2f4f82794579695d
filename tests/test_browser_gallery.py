"""A story's gallery in headless Chromium (issue 16): at 320, 390 and 1280 px it fits the screen in one,
two and three columns, a screen reader finds a list of figures named by their captions and photos named by
their alt text, nothing in it takes the keyboard's focus, and axe finds nothing in light or dark. The Nu
HTML Checker finds no error in its page either."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from browser import browser, static_server  # noqa: F401 - fixture
from conftest import PROJECT, SiteMaker
from test_design_vnu import vnu_command
from test_gallery import ALTS, CAPTIONS, make_gallery_site

COLUMNS = {320: 1, 390: 2, 1280: 3}
ARTIFACTS = PROJECT / "test-artifacts"


@pytest.fixture(scope="module")
def gallery_site(tmp_path_factory):
    site = SiteMaker(tmp_path_factory.mktemp("gallery") / "project")
    make_gallery_site(site)
    outcome = site.build()
    assert outcome.code == 0, outcome.stderr
    with static_server(site.root / "site") as url:
        yield url, site.root / "site"


def gallery_layout(tab) -> dict:
    """The page's width, and each gallery photo's box, once every photo has loaded."""
    tab.evaluate("document.querySelectorAll('img[loading=lazy]').forEach(i => { i.loading = 'eager'; })")
    tab.wait_for_function("[...document.images].every(i => i.complete)")
    return tab.evaluate("""() => ({
        scrollWidth: document.documentElement.scrollWidth,
        photos: [...document.querySelectorAll('.gallery img')].map(i => {
            const box = i.getBoundingClientRect();
            return {left: box.left, right: box.right, top: Math.round(box.top), width: box.width};
        }),
    })""")


@pytest.mark.parametrize("width", sorted(COLUMNS))
@pytest.mark.parametrize("lang", sorted(CAPTIONS))
def test_the_gallery_fits_the_screen_in_its_columns(gallery_site, browser, lang, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    tab = context.new_page()
    tab.goto(f"{gallery_site[0]}/{lang}/stories/one/", wait_until="load")
    layout = gallery_layout(tab)
    ARTIFACTS.mkdir(exist_ok=True)  # for a person to look at
    tab.locator(".gallery").screenshot(path=str(ARTIFACTS / f"gallery-{lang}-{width}.png"))
    context.close()
    photos = layout["photos"]
    assert layout["scrollWidth"] <= width and len(photos) == 3
    assert all(0 <= photo["left"] and photo["right"] <= width and photo["width"] > 60 for photo in photos), photos
    # The photos side by side in the first row share its top: as many as there are columns.
    assert len([photo for photo in photos if photo["top"] == photos[0]["top"]]) == COLUMNS[width], photos


@pytest.mark.parametrize("lang", sorted(CAPTIONS))
def test_a_screen_reader_finds_a_list_of_figures_named_by_their_captions(gallery_site, browser, lang):
    context = browser.new_context()
    tab = context.new_page()
    tab.goto(f"{gallery_site[0]}/{lang}/stories/one/", wait_until="load")
    gallery = tab.locator(".gallery")
    assert gallery.get_by_role("listitem").count() == 3
    for alt, caption in zip(ALTS[lang], CAPTIONS[lang]):
        figure = gallery.get_by_role("figure", name=caption, exact=True)
        assert figure.count() == 1, caption
        assert figure.get_by_role("img", name=alt, exact=True).count() == 1, alt
    # Nothing to press: the keyboard passes over the gallery as over a paragraph.
    assert gallery.locator("a, button, [tabindex]").count() == 0
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_gallery_page_has_no_axe_violation(gallery_site, browser, scheme):
    report = []
    for width in sorted(COLUMNS):
        context = browser.new_context(viewport={"width": width, "height": 800}, color_scheme=scheme,
                                      reduced_motion="reduce")
        tab = context.new_page()
        for lang in sorted(CAPTIONS):
            tab.goto(f"{gallery_site[0]}/{lang}/stories/one/", wait_until="load")
            results = Axe().run(tab)
            if results.violations_count:
                report.append(f"{lang} at {width} px ({scheme}):\n{results.generate_report()}")
        context.close()
    assert report == [], "\n".join(report)


def test_the_gallery_page_is_valid_html(gallery_site):
    command = vnu_command()
    out: Path = gallery_site[1]
    pages = [str(out / lang / "stories/one/index.html") for lang in sorted(CAPTIONS)]
    result = subprocess.run([*command, "--format", "json", *pages],
                            capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr)["messages"]
    assert [m for m in messages if m.get("type") == "error" or m.get("subType") == "fatal"] == []
    assert len(pages) == 2 and all("gallery" in Path(page).read_text(encoding="utf-8") for page in pages)
