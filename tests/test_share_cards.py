"""Share cards (issue 15): a 1200×630 JPEG for every indexable page in every language and for the chooser,
in the language's own face, broken as the language breaks lines, kept between builds."""

from __future__ import annotations

import io
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from conftest import PROJECT, SITE_TOML, all_languages, page
from smallsite.build import cards, fonts
from smallsite.build.cards import CardText, plan_card
from smallsite.build.phrases import phrases

CARD_LIMIT = 300 * 1024


@pytest.fixture
def cjk_faces():
    """Noto Sans CJK, which .ci/run installs: in CI a missing face fails these tests; it never skips them."""
    if fonts.face_for("ja") is None or fonts.face_for("zh-Hans") is None or fonts.face_for("ko") is None:
        if os.environ.get("CI"):
            pytest.fail("Noto Sans CJK is not installed (apt-get install fonts-noto-cjk)")
        pytest.skip("Noto Sans CJK is not installed (apt-get install fonts-noto-cjk)")


NEEDS_CJK = pytest.mark.usefixtures("cjk_faces")


class ShareTags(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.tags: dict[str, str] = {}
        self.noindex = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        key = found.get("property") or found.get("name")
        if tag == "meta" and key and key not in self.tags:
            self.tags[key] = found.get("content", "")
        if tag == "meta" and found.get("name") == "robots" and "noindex" in found.get("content", ""):
            self.noindex = True


def published(site_root: Path, url: str) -> Path:
    assert url.startswith("https://greatness-of-small.example.org/"), url
    from urllib.parse import unquote
    return site_root / unquote(url.removeprefix("https://greatness-of-small.example.org/"))


@pytest.fixture(scope="module")
def campaign(tmp_path_factory):
    """The campaign site, built once for this module's tests."""
    from conftest import SiteMaker
    maker = SiteMaker(tmp_path_factory.mktemp("campaign") / "project")
    maker.make({}, site_toml=(PROJECT / "site.toml").read_text(encoding="utf-8"), real_content=True)
    outcome = maker.build()
    assert outcome.code == 0, outcome.stderr
    # Every character of every card is in an installed face, and every language has its face.
    assert "share card" not in outcome.stderr and "share cards" not in outcome.stderr, outcome.stderr
    return maker


@NEEDS_CJK
def test_every_indexable_page_and_the_chooser_share_a_jpeg_card_of_their_own(campaign):
    out = campaign.root / "site"
    pages = sorted(out.glob("*/**/index.html")) + [out / "index.html"]
    seen: dict[str, str] = {}
    for html_file in pages:
        tags = ShareTags(html_file.read_text(encoding="utf-8"))
        if tags.noindex:
            continue
        image = tags.tags["og:image"]
        card = published(out, image)
        data = card.read_bytes()
        with Image.open(io.BytesIO(data)) as picture:
            assert (picture.format, picture.size) == ("JPEG", (1200, 630)), html_file
        assert len(data) < CARD_LIMIT, (html_file, len(data))
        assert (tags.tags["og:image:type"], tags.tags["og:image:width"], tags.tags["og:image:height"]) == \
            ("image/jpeg", "1200", "630")
        assert tags.tags["twitter:card"] == "summary_large_image" and tags.tags["twitter:image"] == image
        assert tags.tags["og:image:alt"]
        # Under media/cards/, in a folder like the page's: a host caches every hashed file by one rule.
        assert re.fullmatch(r"card\.[0-9a-f]{10}\.jpg", card.name)
        assert card.parent == out / "media/cards" / html_file.parent.relative_to(out)
        assert image not in seen, (html_file, seen.get(image))  # each page its own card
        seen[image] = str(html_file)
    assert len(seen) == 21  # 5 pages in 4 languages, and the chooser


@NEEDS_CJK
def test_a_storys_cards_differ_by_language_and_show_its_illustration(campaign):
    out = campaign.root / "site"
    drawn = {lang: next((out / "media/cards" / lang / "stories/henry-pearce").glob("card.*.jpg")).read_bytes()
             for lang in ("en", "ko", "ja", "zh")}
    assert len(set(drawn.values())) == 4
    about = next((out / "media/cards/ja/about").glob("card.*.jpg")).read_bytes()
    with Image.open(io.BytesIO(drawn["ja"])) as story, Image.open(io.BytesIO(about)) as plain:
        right = (1200 - cards.ILLUSTRATION_WIDTH, 0, 1200, 630)
        # The story's right side is its illustration, scaled to cover it; the about page has none.
        illustration = cards._illustration(str(PROJECT / "content/stories/henry-pearce/hero.svg"))
        assert _difference(story.crop(right), illustration) < 2  # (what JPEG changes, a level or two)
        assert _difference(plain.crop(right), illustration) > 20


def _difference(one: Image.Image, other: Image.Image) -> float:
    """The mean difference of two pictures' pixels, 0 to 255."""
    return sum(ImageStat.Stat(ImageChops.difference(one.convert("RGB"), other.convert("RGB"))).mean) / 3


@NEEDS_CJK
def test_japanese_and_chinese_cards_draw_the_same_han_characters_in_their_own_faces():
    """骨 and 直 are written differently in Japan and in China: one face for both would be wrong in one."""
    ja = plan_card("", CardText("骨直", "ja"), None, "", None, "", (), "a.md", 2).card
    zh = plan_card("", CardText("骨直", "zh-Hans"), None, "", None, "", (), "a.md", 2).card
    assert ja.faces[0].family.endswith("JP") and zh.faces[0].family.endswith("SC")
    ko = plan_card("", CardText("骨直", "ko"), None, "", None, "", (), "a.md", 2).card
    assert ko.faces[0].family.endswith("KR")
    with Image.open(io.BytesIO(cards.draw_card(ja))) as a, Image.open(io.BytesIO(cards.draw_card(zh))) as b:
        assert ImageChops.difference(a.convert("RGB"), b.convert("RGB")).getbbox() is not None


def _lines(title: str, tag: str, width: int = 560) -> list[str]:
    faces = plan_card("", CardText(title, tag), None, "", None, "", (), "a.md", 2).card.faces
    lines, size = cards._title_lines(CardText(title, tag), width, 400, faces)
    return ["".join(text for text, _, _ in runs) for runs in lines]


@NEEDS_CJK
@pytest.mark.parametrize("title, tag", [
    ("大きな夢を描くケニアのアイスホッケーチームと、小さな親切の物語", "ja"),
    ("亨利·皮尔斯与鸭子一家：一次停桨，一枚金牌，一个关于善意的故事", "zh-Hans"),
])
def test_a_japanese_or_chinese_title_breaks_only_between_its_phrases(title, tag):
    lines = _lines(title, tag)
    assert len(lines) > 1 and "".join(lines) == title
    boundaries = {0}
    for phrase in phrases(title, tag):
        boundaries.add(max(boundaries) + len(phrase))
    at = 0
    for line in lines[:-1]:
        at += len(line)
        assert at in boundaries, (line, lines)


@NEEDS_CJK
def test_a_korean_title_breaks_at_spaces_and_an_english_one_between_words():
    korean = "케냐 아이스하키팀의 큰 꿈과 작은 것들의 위대함"
    lines = _lines(korean, "ko", width=420)
    assert len(lines) > 1 and " ".join(lines) == korean  # every break was a space; no word was cut
    english = "Henry Pearce stopped to let a family of ducks pass and still won"
    lines = _lines(english, "en", width=560)
    assert len(lines) > 1 and " ".join(lines) == english


@NEEDS_CJK
@pytest.mark.parametrize("tag", ["en", "ko", "ja", "zh-Hans"])
def test_a_title_longer_than_any_card_still_fits(tag):
    title = {"en": "Small " * 60, "ko": "작은 것 " * 60, "ja": "小さなものの偉大さへ" * 20,
             "zh-Hans": "致敬小的伟大" * 30}[tag].strip()
    faces = plan_card("", CardText(title, tag), None, "", None, "", (), "a.md", 2).card.faces
    lines, size = cards._title_lines(CardText(title, tag), 560, 400, faces)
    assert len(lines) == cards.TITLE_LINES and size == cards.TITLE_SIZES[-1]
    assert all(cards._length(runs) <= 560 for runs in lines)
    last = "".join(text for text, _, _ in lines[-1])
    assert last.endswith("…")
    if tag in ("en", "ko"):  # a word is dropped whole, never cut
        assert title.startswith(" ".join("".join(text for text, _, _ in runs) for runs in lines)[:-1])
        assert last[:-1] + " " in title + " "


@NEEDS_CJK
def test_a_character_no_font_has_is_a_warning_naming_the_file_and_line(site):
    site.make(all_languages("about", "About"))
    site.write("content/about.en.md", page("Sm\ue000all"))  # a private-use character: no font draws it
    outcome = site.build()
    assert outcome.code == 0, outcome.stderr
    assert "content/about.en.md:2: warning: share card: no installed font has '\ue000' (U+E000)" in outcome.stderr


def test_without_the_languages_face_the_build_says_what_to_install_and_shares_the_site_card(site, monkeypatch):
    monkeypatch.setattr(fonts, "font_folders", lambda: (site.root / "no-fonts-here",))
    site.make(all_languages("about", "About"))
    outcome = site.build()
    assert outcome.code == 0, outcome.stderr
    assert "no Noto Sans CJK JP font on this machine for the ja share cards, which show the site-wide card " \
           "instead: install fonts-noto-cjk" in outcome.stderr
    tags = ShareTags(site.read("ja/about/index.html")).tags
    assert re.fullmatch(r"https://example\.org/static/img/share\.[0-9a-f]{10}\.png", tags["og:image"])
    assert not list((site.root / "site").rglob("card.*.jpg"))


def test_share_cards_false_shares_the_site_card_everywhere(site):
    site.make(all_languages("about", "About"))
    toml = site.root / "site.toml"
    toml.write_text("share_cards = false\n" + toml.read_text(encoding="utf-8"), encoding="utf-8")
    assert site.build().code == 0
    assert "/static/img/share." in ShareTags(site.read("en/about/index.html")).tags["og:image"]
    assert not list((site.root / "site").rglob("card.*.jpg"))
    toml.write_text('share_cards = "no"\n' + SITE_TOML, encoding="utf-8")
    outcome = site.build()
    assert outcome.code == 1 and "site.toml:1: 'share_cards' must be true or false, not text" in outcome.stderr


SECRET = Image.new("RGB", (40, 40), "#00ff00")


def test_an_svg_that_reaches_outside_itself_puts_nothing_of_it_on_the_card(site, tmp_path):
    secret = tmp_path / "secret.png"
    SECRET.save(secret)
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1200 675" width="1200" height="675">'
           f'<rect width="1200" height="675" fill="#123456"/><image href="{secret}" width="1200" height="675"/></svg>')
    site.make({**all_languages("stories/one/index", "One", hero="{src: hero.svg, alt: A picture}"),
               "content/stories/one/hero.svg": svg})
    outcome = site.build()
    assert outcome.code == 0, outcome.stderr
    assert "content/stories/one/index.en.md:2: warning: share card: hero.svg refers to files outside itself" \
        in outcome.stderr
    [card] = (site.root / "site/media/cards/en/stories/one").glob("card.*.jpg")
    with Image.open(card) as picture:
        greens = [n for n, (r, g, b) in picture.convert("RGB").getcolors(1 << 20) if g > 200 and r < 80 and b < 80]
        assert sum(greens) == 0
    assert not cards.self_contained_svg(svg.encode())
    assert not cards.self_contained_svg(b'<svg xmlns="http://www.w3.org/2000/svg"><style>rect{fill:url(/x.png)}'
                                        b'</style></svg>')
    assert cards.self_contained_svg(b'<svg xmlns="http://www.w3.org/2000/svg"><use href="#a"/>'
                                    b'<rect style="fill:url(#g)"/></svg>')


@NEEDS_CJK
def test_a_card_is_drawn_once_and_redrawn_only_when_what_it_shows_changes(site):
    site.make(all_languages("about", "About"))
    assert site.build().code == 0
    kept = site.root / ".cache/cards"
    first = {p.relative_to(site.root / "site").as_posix(): p.stat().st_mtime_ns
             for p in (site.root / "site").rglob("card.*.jpg")}
    assert len(first) == 1 + 4 and len(list(kept.iterdir())) == len(set(Path(p).name for p in first))
    assert site.build().code == 0
    again = {p.relative_to(site.root / "site").as_posix(): p.stat().st_mtime_ns
             for p in (site.root / "site").rglob("card.*.jpg")}
    assert again == first  # not one redrawn or rewritten
    site.write("content/about.ja.md", page("キャンペーンについて"))
    assert site.build().code == 0
    after = {p.relative_to(site.root / "site").as_posix() for p in (site.root / "site").rglob("card.*.jpg")}
    changed = after - set(first)
    assert len(changed) == 1 and next(iter(changed)).startswith("media/cards/ja/about/card.")
    assert len(after) == len(first)  # the old card went with the build that made it
    assert len(list(kept.iterdir())) == len(set(Path(p).name for p in after))


@NEEDS_CJK
def test_serve_draws_a_card_only_when_a_browser_asks_for_it(site):
    from serving import ServeProcess

    site.make(all_languages("about", "About"))
    server = ServeProcess(site.root)
    try:
        server.wait_for_output(r"built \d+ pages")
        kept = site.root / ".cache/cards"
        assert not kept.exists() or not list(kept.iterdir())  # the build drew none
        status, _, html = server.request("/ja/about/")
        image = ShareTags(html.decode("utf-8")).tags["og:image"]
        status, headers, body = server.request(image.removeprefix("https://example.org"))
        assert status == 200 and headers.get("content-type") == "image/jpeg"
        with Image.open(io.BytesIO(body)) as picture:
            assert (picture.format, picture.size) == ("JPEG", (1200, 630))
        assert [p.name for p in kept.iterdir()] == [image.rsplit("/", 1)[1]]  # that one, and only it
    finally:
        server.stop()
    assert site.build().code == 0  # a build then takes the card serve drew, and draws the others
    assert len(list(kept.iterdir())) == 1 + 4


@NEEDS_CJK
def test_a_kept_pages_card_warning_is_given_again_by_the_next_build(site):
    """A page the output folder holds is not rendered, nor its card planned, again: its warning still is."""
    site.make({**all_languages("about", "About"), **all_languages("index", "Home")})
    site.write("content/about.en.md", page("Sm\ue000all"))
    warning = "content/about.en.md:2: warning: share card: no installed font has '\ue000' (U+E000)"
    assert warning in site.build().stderr
    site.write("content/index.en.md", page("Home", "Edited."))
    again = site.build()
    assert again.code == 0 and warning in again.stderr
    assert "Edited." in site.read("en/index.html")


def test_planning_a_card_loads_no_imaging_library():
    """A rebuild after one edit plans its pages' cards and draws none: it must not pay for Pillow, BudouX
    or resvg (tens of milliseconds of imports on every rebuild)."""
    import subprocess
    import sys

    code = ("import sys; from smallsite.build.cards import CardText, plan_card; "
            "plan_card('ja/', CardText('小さなものの物語', 'ja'), CardText('小さな', 'ja'), 'example.org', None, '', (), "
            "'a.md', 2); print(sorted(m for m in ('PIL', 'budoux', 'resvg_py') if m in sys.modules))")
    found = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, timeout=60)
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == "[]"
