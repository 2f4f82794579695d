"""`check`: builds in memory, writes nothing, and names the source file and line of every finding."""

from __future__ import annotations

import shutil

import pytest

from conftest import PROJECT, SiteMaker, page
from i18n_helpers import cli, translate_everything
from smallsite.commands.check import check_result
from smallsite.model.config import load_config
from smallsite.build.assets import MEDIA_DIR, hashed_name
from smallsite.build.pipeline import build

CATALOGUES = ("ko_KR", "ja_JP", "zh_Hans_CN")


def clean_site(maker: SiteMaker, extra: dict[str, str | bytes] | None = None) -> SiteMaker:
    """Every page in every language, translated and marked, interface strings translated."""
    files = {}
    for code in ("en", "ko", "ja", "zh"):
        files[f"content/index.{code}.md"] = page(f"Home {code}", "See [the people](about.md#people).")
        files[f"content/about.{code}.md"] = page(f"About {code}", "## People {#people}\n\nWe are small.")
    root = maker.make({**files, **(extra or {})})
    shutil.copy(PROJECT / "babel.cfg", root)
    cli(root, "i18n", "extract"), cli(root, "i18n", "update")
    for locale in CATALOGUES:
        translate_everything(root / f"locales/{locale}/LC_MESSAGES/messages.po", f"[{locale}]")
    for code in ("ko", "ja", "zh"):
        cli(root, "i18n", "mark", str(root / f"content/index.{code}.md"), str(root / f"content/about.{code}.md"))
    return maker


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    return clean_site(SiteMaker(tmp_path_factory.mktemp("clean") / "project"))


def test_a_clean_site_passes_strict_and_no_site_folder_is_written(clean):
    result = cli(clean.root, "check", "--strict")
    assert result.code == 0, result.err
    assert "check: 14 pages, 0 errors, 0 warnings" in result.out
    assert not (clean.root / "site").exists()


def test_sitemap_and_hreflang_mismatches_are_found_in_memory(clean):
    result = build(load_config(clean.root))
    assert check_result(result) == []
    # The sitemap loses a page, and a page loses its hreflang to Japanese: both are named at the source.
    sitemap = result.files["sitemap.xml"].decode()
    start = sitemap.index("<url>\n    <loc>https://example.org/ko/about/</loc>")
    result.files["sitemap.xml"] = (sitemap[:start] + sitemap[sitemap.index("</url>", start) + 7:]).encode()
    html = result.files["en/about/index.html"].decode()
    result.files["en/about/index.html"] = html.replace(
        '<link rel="alternate" hreflang="ja" href="https://example.org/ja/about/">\n', "").encode()
    messages = [str(p) for p in check_result(result)]
    assert "content/about.ko.md:1: /ko/about/ is missing from the sitemap" in messages
    assert 'content/about.en.md:1: /en/about/ lacks hreflang="ja" → https://example.org/ja/about/' in messages
    assert "content/about.ja.md:1: hreflang=\"en\" on /ja/about/ is not reciprocal: /en/about/index.html " \
           "does not link back" in messages


def test_the_root_chooser_must_be_in_the_sitemap_with_its_own_alternates(clean):
    result = build(load_config(clean.root))
    sitemap = result.files["sitemap.xml"].decode()
    start = sitemap.index("<url>\n    <loc>https://example.org/</loc>")
    end = sitemap.index("</url>", start) + 7
    result.files["sitemap.xml"] = (sitemap[:start] + sitemap[end:]).encode()
    assert "sitemap.xml: the root chooser (https://example.org/) is missing" in [str(p) for p in check_result(result)]
    result.files["sitemap.xml"] = sitemap.replace('hreflang="ko" href="https://example.org/ko/"/>',
                                                  'hreflang="ko" href="https://example.org/ko/about/"/>', 1).encode()
    assert "sitemap.xml: the sitemap's alternates for the root chooser differ from its hreflang links" in \
        [str(p) for p in check_result(result)]


HEAVY = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">' + b" " * 120_000 + b"</svg>"


def test_broken_anchor_missing_page_image_alt_and_weight_name_file_and_line(site):
    body = "\n".join([
        "Intro.",
        "",
        "Read [about us](about.md#nobody) and <a href=\"/en/nowhere/\">a raw link</a>.",
        "",
        '<img src="/media/none.png">',
        "",
        "![](dots.svg)",
        "",
        "![A heavy picture](heavy.svg)",
        "",
        # The same picture, loaded eagerly: only what the first view loads counts towards the budget.
        f'<img alt="Heavy" src="/{MEDIA_DIR}/{hashed_name("heavy.svg", HEAVY)}">',
    ])
    heavy = HEAVY
    dots = b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"></svg>'
    maker = clean_site(site, {"content/about.en.md": page("About en", "## People {#people}\n\n" + body),
                              "content/heavy.svg": heavy, "content/dots.svg": dots})
    result = cli(maker.root, "check")
    assert result.code == 1
    err = result.err
    # page(): front matter is lines 1-4, the body starts on line 5; "## People" 5, blank 6, body from 7.
    assert "content/about.en.md:9: link to '/en/about/#nobody' (in /en/about/index.html): no element with id " \
           "'nobody' on /en/about/index.html" in err
    assert "content/about.en.md:9: link to '/en/nowhere/' (in /en/about/index.html) leads to no page or file" in err
    assert "content/about.en.md:11: image '/media/none.png' has no alt text" in err
    assert "content/about.en.md:11: image '/media/none.png' (in /en/about/index.html) is not a file of the site" \
        in err
    assert "content/about.en.md:13: warning: image '/media/dots." in err
    assert "content/about.en.md:15: /en/about/index.html weighs" in err and "over the 100.0 KB budget" in err
    # The Korean about page is clean: nothing is reported against it.
    assert "content/about.ko.md" not in err
    assert not (maker.root / "site").exists()


def test_a_failed_build_is_reported_like_build_does(site):
    root = site.make({"content/index.en.md": page("Home", "[x](missing.md)")})
    result = cli(root, "check")
    assert result.code == 1
    assert "content/index.en.md:5: link to 'missing.md': no such page" in result.err
    assert "check: the build failed" in result.err


def test_pictures_a_template_marks_as_decoration_are_not_reported(site):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="3"></svg>'
    stories = {}
    for slug in ("one", "two"):
        stories[f"content/stories/{slug}/hero.svg"] = svg
        for code in ("en", "ko", "ja", "zh"):
            stories[f"content/stories/{slug}/index.{code}.md"] = page(
                f"{slug} {code}", "Text.", date="2018-02-02", hero="{src: hero.svg, alt: A picture}")
    maker = clean_site(site, stories)
    for code in ("ko", "ja", "zh"):
        cli(maker.root, "i18n", "mark", *(str(maker.root / f"content/stories/{slug}/index.{code}.md")
                                          for slug in ("one", "two")))
    assert cli(maker.root, "build").code == 0
    story = (maker.root / "site/en/stories/one/index.html").read_text(encoding="utf-8")
    assert 'alt="" aria-hidden="true"' in story  # the other story's card picture, beside its title
    result = cli(maker.root, "check", "--strict")
    assert "empty alt text" not in result.err
    assert result.code == 0, result.err


def test_a_heavy_picture_further_down_the_page_is_not_in_the_first_views_budget(site):
    """Lazy pictures load when the reader scrolls to them: the budget is the first view's."""
    maker = clean_site(site, {"content/about.en.md": page("About en", "## People {#people}\n\n![Heavy](heavy.svg)"),
                              "content/heavy.svg": HEAVY})
    result = cli(maker.root, "check")
    assert "budget" not in result.err, result.err

