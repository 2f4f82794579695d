"""Headlines in ja and zh carry a <wbr> between their phrases, by the language the title is written in;
every other language's headline is the escaped text as before (issue 15). Where the browser then breaks
the lines: test_browser_headlines.py."""

import re

from conftest import PROJECT, all_languages, page
from smallsite.build.phrases import phrases

JA_TITLE = "小さな夢と<大きな> & 挑戦"  # BudouX: 小さな | 夢と | <大きな | > & 挑戦
JA_PHRASED = "小さな<wbr>夢と<wbr>&lt;大きな<wbr>&gt; &amp; 挑戦"
ZH_TITLE = "来自赤道国家的冰球运动员"  # BudouX, as Chinese: 来自 | 赤道 | 国家 | 的 | 冰球 | 运动员; 的 joins 国家 (as Japanese: 来 | 自赤道...)
ZH_PHRASED = "来自<wbr>赤道<wbr>国家的<wbr>冰球<wbr>运动员"


def h1(html: str) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)


def card_titles(html: str) -> list[str]:
    return re.findall(r'class="card__title"><a href="[^"]*">(.*?)</a>', html)


def test_ja_and_zh_headlines_have_a_wbr_between_phrases_and_stay_escaped(site):
    site.make({**all_languages("index", "Home"),
               "content/stories/s/index.ja.md": page(JA_TITLE, date="2018-02-02"),
               "content/stories/s/index.zh.md": page(ZH_TITLE, date="2018-02-02"),
               "content/stories/s/index.en.md": page("Fish & Chips <3", date="2018-02-02"),
               "content/stories/s/index.ko.md": page("작은 <꿈> & 큰 도전", date="2018-02-02")})
    assert site.build().code == 0
    assert h1(site.read("ja/stories/s/index.html")) == JA_PHRASED
    assert card_titles(site.read("ja/index.html")) == [JA_PHRASED]
    assert h1(site.read("zh/stories/s/index.html")) == ZH_PHRASED
    assert card_titles(site.read("zh/index.html")) == [ZH_PHRASED]
    # Languages written with spaces: the text, escaped, and nothing else.
    assert h1(site.read("en/stories/s/index.html")) == "Fish &amp; Chips &lt;3"
    assert card_titles(site.read("en/index.html")) == ["Fish &amp; Chips &lt;3"]
    assert h1(site.read("ko/stories/s/index.html")) == "작은 &lt;꿈&gt; &amp; 큰 도전"
    assert card_titles(site.read("ko/index.html")) == ["작은 &lt;꿈&gt; &amp; 큰 도전"]
    # The <title> and the share tags are text: never phrased.
    story = site.read("ja/stories/s/index.html")
    assert "<title>小さな夢と&lt;大きな&gt; &amp; 挑戦 · 小さな</title>" in story
    assert '<meta property="og:title" content="小さな夢と&lt;大きな&gt; &amp; 挑戦">' in story


def test_a_fallback_headline_breaks_by_the_language_it_is_written_in(site):
    site.make({**all_languages("index", "Home"),
               "content/stories/zh-only/index.zh.md": page(ZH_TITLE, date="2018-02-02"),
               "content/about.en.md": page("About & more")})
    assert site.build().code == 0
    # The Chinese story shown in the Japanese and English sections: Chinese phrases, not Japanese ones.
    for code in ("ja", "en"):
        assert h1(site.read(f"{code}/stories/zh-only/index.html")) == ZH_PHRASED
        assert card_titles(site.read(f"{code}/index.html")) == [ZH_PHRASED]
    # The English page shown in the Japanese and Chinese sections: English text, unbroken.
    for code in ("ja", "zh"):
        assert h1(site.read(f"{code}/about/index.html")) == "About &amp; more"


def test_the_site_title_in_the_header_and_footer_is_phrased_in_the_pages_language(site):
    site.make({**all_languages("index", "Home")})
    toml = site.root / "site.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('title = "小さな"', 'title = "小さな夢を描くチーム"'),
                    encoding="utf-8")
    assert site.build().code == 0
    html = site.read("ja/index.html")
    assert "<span>小さな<wbr>夢を<wbr>描く<wbr>チーム</span>" in html
    assert '<p class="site-footer__motto">小さな<wbr>夢を<wbr>描く<wbr>チーム</p>' in html
    assert "<title>小さな夢を描くチーム</title>" in html
    assert '<p class="site-footer__motto">Small</p>' in site.read("en/index.html")


def test_the_choosers_heading_breaks_each_language_as_it_breaks_lines(site):
    """The bare address shows the site's name in every language at once, each span in its own language."""
    toml = (PROJECT / "site.toml").read_text(encoding="utf-8")
    site.make(all_languages("index", "Home"), site_toml=toml)
    assert site.build().code == 0
    heading = h1(site.read("index.html"))
    assert '<span lang="ja">小さきものの<wbr>偉大さへ</span>' in heading
    assert '<span lang="zh-Hans">' + "<wbr>".join(phrases("致敬小的伟大", "zh-Hans")) + "</span>" in heading
    assert '<span lang="en">To the Greatness of Small</span>' in heading
    assert '<span lang="ko">작은 것의 위대함을 위하여</span>' in heading
