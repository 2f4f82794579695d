"""`check` reads every indexable page's share tags as Facebook's, X's or LINE's crawler does (issue 15)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from conftest import SiteMaker, all_languages
from smallsite.build.pipeline import build
from smallsite.commands.check import check_result
from smallsite.model.config import load_config

SHARE = "templates/_share.html"


@pytest.fixture
def shared(site: SiteMaker) -> SiteMaker:
    site.make({**all_languages("index", "Home"), **all_languages("about", "About")})
    return site


def share_problems(site: SiteMaker) -> list[str]:
    result = build(load_config(site.root))
    return [str(p) for p in check_result(result) if "og:" in p.message or "twitter:" in p.message]


def edit_share_tags(site: SiteMaker, old: str, new: str) -> None:
    path = site.root / SHARE
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(site: SiteMaker, needle: str) -> int:
    lines = (site.root / SHARE).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if needle in line)


def test_the_sites_own_cards_pass_as_a_crawler_reads_them(shared):
    assert share_problems(shared) == []


def test_an_svg_as_og_image_is_an_error_naming_the_template_line(shared):
    shared.write("static/img/pic.svg", '<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="630"/>')
    edit_share_tags(shared, '<meta property="og:image" content="{{ share_image.url }}">',
                    '<meta property="og:image" content="{{ site.base_url }}{{ asset(\'img/pic.svg\')[1:] }}">')
    found = share_problems(shared)
    line = line_of(shared, 'property="og:image" content')
    expected = (f"{SHARE}:{line}: /en/about/index.html: og:image /static/img/pic.")
    assert any(p.startswith(expected) and "is an SVG: Facebook, X, LinkedIn, KakaoTalk and LINE show no card "
               "for it (use a PNG or a JPEG)" in p for p in found), found


def test_an_og_image_missing_from_the_build_is_a_404_for_the_crawler(shared):
    edit_share_tags(shared, '<meta property="og:image" content="{{ share_image.url }}">',
                    '<meta property="og:image" content="{{ site.base_url }}gone.png">')
    found = share_problems(shared)
    assert any("/en/about/index.html: og:image https://example.org/gone.png is not in the build: a crawler gets "
               "a 404" in p for p in found), found


def test_a_declared_size_that_is_not_the_real_one_is_an_error(shared):
    edit_share_tags(shared, '<meta property="og:image:width" content="{{ share_image.width }}">',
                    '<meta property="og:image:width" content="1201">')
    found = share_problems(shared)
    assert any("og:image:width and :height say 1201×630, but /media/cards/ko/about/card." in p
               and ".jpg is 1200×630: the card is laid out wrong" in p for p in found), found


def test_a_card_over_300_kb_is_an_error(shared):
    noise = Image.effect_noise((1200, 630), 100).convert("RGB")
    out = io.BytesIO()
    noise.save(out, "PNG")
    assert len(out.getvalue()) > 300 * 1024
    shared.write("static/img/share.png", out.getvalue())  # the site-wide card, which fallback pages share
    (shared.root / "site.toml").write_text("share_cards = false\n" + (shared.root / "site.toml").read_text(
        encoding="utf-8"), encoding="utf-8")
    found = share_problems(shared)
    assert any("/ja/about/index.html: og:image /static/img/share." in p and "KB, over the 300 KB networks take: "
               "they show no picture" in p for p in found), found


def test_a_jpeg_declared_as_png_is_an_error(shared):
    edit_share_tags(shared, '<meta property="og:image:type" content="{{ share_image.type }}">',
                    '<meta property="og:image:type" content="image/png">')
    found = share_problems(shared)
    assert any("/zh/about/index.html: og:image:type is 'image/png', but /media/cards/zh/about/card." in p
               and "is image/jpeg: a crawler may refuse it" in p for p in found), found


def test_og_locale_of_another_language_is_an_error(shared):
    edit_share_tags(shared, '<meta property="og:locale" content="{{ lang.og_locale }}">',
                    '<meta property="og:locale" content="en_GB">')
    found = share_problems(shared)
    line = line_of(shared, 'property="og:locale" content')
    assert f"{SHARE}:{line}: /ja/about/index.html: og:locale is 'en_GB', but the page is in 日本語 (ja_JP): " \
           "a network shows it to the wrong readers" in found
    assert not any("/en/about/index.html: og:locale" in p for p in found)


def test_a_page_that_lists_its_own_locale_as_an_alternate_is_an_error(shared):
    edit_share_tags(shared, '{% for version in hreflang if version.language.code != lang.code %}',
                    '{% for version in hreflang %}')
    found = share_problems(shared)
    assert any("/ko/about/index.html: og:locale:alternate lists the page's own language (ko_KR)" in p
               for p in found), found


def test_a_summary_card_type_is_an_error(shared):
    edit_share_tags(shared, "{{ 'summary_large_image' if share_image else 'summary' }}", "summary")
    found = share_problems(shared)
    assert any("/en/index.html: twitter:card is 'summary', not summary_large_image" in p for p in found), found


def test_a_png_site_card_passes(shared):
    (shared.root / "site.toml").write_text("share_cards = false\n" + (shared.root / "site.toml").read_text(
        encoding="utf-8"), encoding="utf-8")
    assert share_problems(shared) == []
