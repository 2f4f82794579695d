"""The files around the pages, hashed static files, and a site that works under a sub-path."""

import os
import re
import unicodedata
import xml.etree.ElementTree as ET

from conftest import SITE_TOML, all_languages, page

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml",
      "a": "http://www.w3.org/2005/Atom"}


def make_site(site, **kwargs):
    files = {**all_languages("index", "Home"), **all_languages("stories/kenya/index", "Kenya", date="2018-02-02"),
             "content/about.en.md": page("About")}
    site.make(files, **kwargs)
    return files


def test_sitemap_lists_each_real_page_once_with_alternates(site):
    make_site(site)
    assert site.build().code == 0
    root = ET.fromstring(site.read("sitemap.xml"))
    locs = [u.find("s:loc", NS).text for u in root.findall("s:url", NS)]
    assert len(locs) == len(set(locs))
    assert "https://example.org/ko/stories/kenya/" in locs
    assert "https://example.org/en/about/" in locs
    assert "https://example.org/ko/about/" not in locs  # a fallback
    entry = next(u for u in root.findall("s:url", NS) if u.find("s:loc", NS).text.endswith("/ja/stories/kenya/"))
    links = {l.get("hreflang"): l.get("href") for l in entry.findall("x:link", NS)}
    assert links == {"en": "https://example.org/en/stories/kenya/", "ko": "https://example.org/ko/stories/kenya/",
                     "ja": "https://example.org/ja/stories/kenya/", "zh-Hans": "https://example.org/zh/stories/kenya/",
                     "x-default": "https://example.org/"}


def test_the_root_chooser_is_in_the_sitemap_with_each_language_home_as_its_alternate(site):
    """The bare address is every page's x-default and the link shared most: indexable, so listed (issue 15)."""
    make_site(site)
    assert site.build().code == 0
    root = ET.fromstring(site.read("sitemap.xml"))
    entry = next(u for u in root.findall("s:url", NS) if u.find("s:loc", NS).text == "https://example.org/")
    links = {l.get("hreflang"): l.get("href") for l in entry.findall("x:link", NS)}
    assert links == {"en": "https://example.org/en/", "ko": "https://example.org/ko/", "ja": "https://example.org/ja/",
                     "zh-Hans": "https://example.org/zh/", "x-default": "https://example.org/"}
    chooser = site.read("index.html")
    declared = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', chooser))
    assert declared == links  # what the page itself declares


def test_the_root_chooser_has_a_whole_share_card_in_the_default_language(site):
    make_site(site)
    assert site.build().code == 0
    chooser = site.read("index.html")
    tags = re.findall(r'<meta (?:property|name)="((?:og|twitter):[a-z:_]+)" content="([^"]*)">', chooser)
    found = dict(tags)
    assert found["og:type"] == "website" and found["og:url"] == "https://example.org/"
    assert found["og:locale"] == "en_GB"
    assert sorted(value for name, value in tags if name == "og:locale:alternate") == ["ja_JP", "ko_KR", "zh_CN"]
    assert found["og:title"] and found["og:description"] and found["og:site_name"]
    assert re.fullmatch(r"https://example\.org/media/cards/card\.[0-9a-f]{10}\.jpg", found["og:image"])  # its own card
    assert (found["og:image:width"], found["og:image:height"], found["og:image:type"]) == ("1200", "630", "image/jpeg")
    assert found["twitter:card"] == "summary_large_image" and found["twitter:image"] == found["og:image"]


def test_robots_points_at_the_sitemap(site):
    make_site(site)
    assert site.build().code == 0
    assert "Sitemap: https://example.org/sitemap.xml" in site.read("robots.txt")


def test_an_atom_feed_per_language(site):
    make_site(site)
    assert site.build().code == 0
    feed = ET.fromstring(site.read("ko/feed.xml"))
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "ko"
    entries = feed.findall("a:entry", NS)
    assert [e.find("a:title", NS).text for e in entries] == ["Kenya ko"]
    assert entries[0].find("a:link", NS).get("href") == "https://example.org/ko/stories/kenya/"
    assert feed.find("a:updated", NS).text == "2018-02-02T00:00:00Z"


def test_404_speaks_every_language(site):
    make_site(site)
    assert site.build().code == 0
    html = site.read("404.html")
    for text in ("Page not found", "페이지를 찾을 수 없습니다", "ページが見つかりません", "找不到页面"):
        assert text in html
    assert re.search(r'<section[^>]* lang="zh-Hans">', html)


def test_static_files_get_hashed_names_that_pages_use(site):
    make_site(site)
    assert site.build().code == 0
    css = [p for p in (site.root / "site/static/css").iterdir()]
    assert len(css) == 1 and re.fullmatch(r"site\.[0-9a-f]{10}\.css", css[0].name)
    assert f'href="/static/css/{css[0].name}"' in site.read("en/index.html")
    (site.root / "static/css/site.css").write_text("body { color: red; }", encoding="utf-8")
    assert site.build().code == 0
    new_css = [p.name for p in (site.root / "site/static/css").iterdir()]
    assert new_css != [css[0].name]
    assert f'href="/static/css/{new_css[0]}"' in site.read("en/index.html")


def test_css_references_are_rewritten_to_hashed_names(site):
    make_site(site)
    site.write("static/img/dot.svg", '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>')
    site.write("static/css/site.css", "body { background: url('../img/dot.svg'); }")
    assert site.build().code == 0
    css = next((site.root / "site/static/css").iterdir()).read_text(encoding="utf-8")
    dot = next((site.root / "site/static/img").glob("dot.*.svg")).name
    assert f'url("/static/img/{dot}")' in css


def test_sub_path_base_url_prefixes_every_link(site):
    make_site(site)
    assert site.build("--base-url", "https://example.org/campaign/").code == 0
    html = site.read("ko/stories/kenya/index.html")
    assert '<link rel="canonical" href="https://example.org/campaign/ko/stories/kenya/">' in html
    for attribute in re.findall(r'(?:href|src)="(/[^"]*)"', html):
        assert attribute.startswith("/campaign/"), attribute
    assert 'data-base="/campaign/"' in site.read("index.html")
    assert 'href="/campaign/en/"' in site.read("404.html")
    assert "https://example.org/campaign/sitemap.xml" in site.read("robots.txt")


def test_base_url_setting_and_a_bad_override(site):
    make_site(site, site_toml=SITE_TOML.replace("https://example.org/", "https://example.org/sub/"))
    assert site.build().code == 0
    assert 'href="/sub/en/"' in site.read("en/index.html")
    outcome = site.build("--base-url", "example.org")
    assert outcome.code == 1
    assert "--base-url: base_url 'example.org' must be an absolute http(s) URL" in outcome.stderr


def test_feed_and_sitemap_escaping_matches_the_standard_library():
    from xml.sax import saxutils

    from smallsite.build import outputs

    for text in ["plain", "a & b < c > d", 'say "hi"', "it's", "both \" and '", "tab\tnew\nline\rcr", "&amp;", ""]:
        assert outputs.escape(text) == saxutils.escape(text)
        assert outputs.quoteattr(text) == saxutils.quoteattr(text)


# What RFC 3986 allows in a URI (sitemaps and feeds must hold URIs): no space, no raw non-ASCII letter.
URI = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")


def test_every_url_written_for_a_name_with_a_space_or_korean_letters_is_percent_encoded(site):
    picture = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="3"/>'
    files = {**all_languages("index", "Home"),
             **all_languages("stories/with space", "Spaced", date="2018-02-02", hero="{src: my pic.svg, alt: A}"),
             **all_languages("stories/왜-멈췄나", "Why", "[Spaced](with%20space.md) ![B](my%20pic.svg)",
                             date="2018-01-01"),
             "content/stories/my pic.svg": picture, "static/img/a dot.svg": picture,
             "static/css/site.css": "body { background: url('../img/a%20dot.svg'); }"}
    site.make(files)
    assert site.build().code == 0
    spaced, why = "stories/with%20space/", "stories/%EC%99%9C-%EB%A9%88%EC%B7%84%EB%82%98/"
    [picture_name] = [name for name in os.listdir(site.root / "site/media") if name != "cards"]
    assert picture_name.startswith("my pic.")
    media = "/media/" + picture_name.replace(" ", "%20")

    sitemap = ET.fromstring(site.read("sitemap.xml"))
    urls = [u.find("s:loc", NS).text for u in sitemap.findall("s:url", NS)]
    urls += [link.get("href") for link in sitemap.iter(f"{{{NS['x']}}}link")]
    assert f"https://example.org/ko/{spaced}" in urls and f"https://example.org/zh/{why}" in urls
    feed = ET.fromstring(site.read("ja/feed.xml"))
    entries = [e.find("a:link", NS).get("href") for e in feed.findall("a:entry", NS)]
    assert entries == [f"https://example.org/ja/{spaced}", f"https://example.org/ja/{why}"]
    urls += entries + [e.find("a:id", NS).text for e in feed.findall("a:entry", NS)]
    assert all(URI.fullmatch(url) for url in urls), urls

    html = site.read("ko/stories/with space/index.html")
    assert f'<link rel="canonical" href="https://example.org/ko/{spaced}">' in html
    assert f'<link rel="alternate" hreflang="zh-Hans" href="https://example.org/zh/{spaced}">' in html
    assert f'<meta property="og:url" content="https://example.org/ko/{spaced}">' in html
    [card] = [name for name in os.listdir(site.root / "site/media/cards/ko/stories/with space") if name.startswith("card.")]
    assert f'<meta property="og:image" content="https://example.org/media/cards/ko/{spaced}{card}">' in html
    assert f'src="{media}"' in html  # the illustration
    assert f'href="/ko/{why}"' in html  # the other story's card
    story = site.read("ko/stories/왜-멈췄나/index.html")
    assert f'<a href="/ko/{spaced}">Spaced</a>' in story and f'<img alt="B" decoding="async" height="3" ' \
        f'loading="lazy" src="{media}"' in story
    assert f'href="/ko/{spaced}"' in site.read("ko/index.html")
    [dot] = (site.root / "site/static/img").glob("a dot.*.svg")
    css = next((site.root / "site/static/css").iterdir()).read_text(encoding="utf-8")
    assert f'url("/static/img/{dot.name.replace(" ", "%20")}")' in css


def test_a_static_file_saved_decomposed_is_published_composed_and_asked_for_in_either_form(site):
    name = "사진 one.svg"
    make_site(site)
    site.write(f"static/img/{unicodedata.normalize('NFD', name)}", '<svg xmlns="http://www.w3.org/2000/svg"/>')
    base = site.root / "templates/base.html"
    base.write_text(base.read_text(encoding="utf-8").replace(
        "<title>", f"<link rel=\"preload\" href=\"{{{{ asset('img/{name}') }}}}\" as=\"image\">"
                   f"<link rel=\"prefetch\" href=\"{{{{ asset('img/{unicodedata.normalize('NFD', name)}') }}}}\">"
                   "<title>", 1), encoding="utf-8")
    outcome = site.build()
    assert outcome.code == 0, outcome.stderr
    [published] = [p for p in os.listdir(site.root / "site/static/img") if not p.startswith(("icon.", "share."))]
    assert published.startswith(name[:-4] + ".")  # composed
    address = "/static/img/%EC%82%AC%EC%A7%84%20one." + published.split(".")[1] + ".svg"
    html = site.read("en/index.html")
    assert f'<link rel="preload" href="{address}" as="image"><link rel="prefetch" href="{address}">' in html


def test_static_names_that_differ_only_in_their_unicode_form_are_a_clash(site):
    composed, decomposed = "caf\u00e9.svg", "cafe\u0301.svg"
    make_site(site)
    site.write(f"static/img/{composed}", "<svg/>")
    site.write(f"static/img/{decomposed}", "<svg/>")
    outcome = site.build()
    assert outcome.code == 1
    assert (f"static/img/{composed}: same URL as static/img/{decomposed}: the two names differ only in how their "
            "letters are written, this one composed (NFC), the other decomposed (NFD, as macOS writes names): keep "
            "one of them") in outcome.stderr.splitlines()


def dated_stories(site, **dates):
    files = {**all_languages("index", "Home")}
    for key, date in dates.items():
        files.update(all_languages(f"stories/{key}/index", key.title(), date=date))
    site.make(files)


def test_dates_with_a_time_keep_their_zone_in_feeds_and_sitemap_and_sort_as_moments(site):
    # Moments: ducks 2018-02-02 09:00 UTC, pearce (a day: its start in UTC), kenya 2018-02-01 16:30 UTC.
    # By calendar day alone all three are on 2 February.
    dated_stories(site, kenya="2018-02-02T01:30:00+09:00", pearce="2018-02-02", ducks="2018-02-02T09:00:00Z")
    assert site.build().code == 0
    feed = ET.fromstring(site.read("en/feed.xml"))
    entries = feed.findall("a:entry", NS)
    assert [e.find("a:title", NS).text for e in entries] == ["Ducks en", "Pearce en", "Kenya en"]
    assert [e.find("a:updated", NS).text for e in entries] == ["2018-02-02T09:00:00+00:00", "2018-02-02T00:00:00Z",
                                                               "2018-02-02T01:30:00+09:00"]
    assert feed.find("a:updated", NS).text == "2018-02-02T09:00:00+00:00"
    sitemap = ET.fromstring(site.read("sitemap.xml"))
    lastmod = {u.find("s:loc", NS).text: u.find("s:lastmod", NS).text for u in sitemap.findall("s:url", NS)
               if u.find("s:lastmod", NS) is not None}
    assert lastmod["https://example.org/ko/stories/kenya/"] == "2018-02-02T01:30:00+09:00"
    home = site.read("en/index.html")
    assert home.index("Ducks en") < home.index("Pearce en") < home.index("Kenya en")


def test_a_story_shows_the_calendar_day_where_its_time_was_written(site):
    # One moment, written in two zones: 2 February in Seoul, 1 February in UTC.
    dated_stories(site, kenya="2018-02-02T01:00:00+09:00", ducks="2018-02-01T16:00:00Z",
                  pearce="2018-02-02 10:30:00 +0900")
    assert site.build().code == 0
    kenya = site.read("en/stories/kenya/index.html")
    assert '<time datetime="2018-02-02T01:00:00+09:00" lang="en">2 February 2018</time>' in kenya
    assert '<time datetime="2018-02-02T01:00:00+09:00" lang="ko">2018년 2월 2일</time>' in \
        site.read("ko/stories/kenya/index.html")
    assert '<time datetime="2018-02-01T16:00:00+00:00" lang="en">1 February 2018</time>' in \
        site.read("en/stories/ducks/index.html")
    assert '<time datetime="2018-02-02T10:30:00+09:00" lang="en">2 February 2018</time>' in \
        site.read("en/stories/pearce/index.html")
    home = site.read("en/index.html")  # the cards: each its own day, though the two moments are equal
    assert '<time datetime="2018-02-01T16:00:00+00:00" lang="en">1 February 2018</time>' in home
    assert '<time datetime="2018-02-02T01:00:00+09:00" lang="en">2 February 2018</time>' in home


def test_a_static_file_too_long_to_be_named_with_its_digest_is_refused(site):
    from conftest import all_languages

    name = "l" * 195 + ".css"  # 199 bytes: a name the file system takes, but not with the digest added
    site.make({**all_languages("index"), f"static/{name}": "p { color: red }"})
    outcome = site.build()
    assert outcome.code == 1
    assert f"static/{name}: this name, with the digest the build adds, would be over the 200 bytes" \
        in outcome.stderr and "Traceback" not in outcome.stderr
    assert not (site.root / "site").exists()
