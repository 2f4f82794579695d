"""Markdown as editors expect it: extensions, Unicode anchors, links between pages, images."""

import re
import struct
import zlib

from conftest import all_languages, page
from markdown_paths import markdown_path  # noqa: F401 - every test on both Markdown paths


def png(width: int, height: int) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * (width * 3 + 1) * height)) + chunk(b"IEND", b"")


def test_extensions_editors_expect(site):
    body = """
    | a | b |
    |---|---|
    | 1 | 2 |

    A claim.[^1]

    [^1]: The source.

    A paragraph
    {: .lead }

    ```python
    print("hi")
    ```
    """
    site.make({**all_languages("index"), "content/about.en.md": page("About", body)})
    assert site.build().code == 0
    html = site.read("en/about/index.html")
    assert "<table>" in html and "<td>1</td>" in html
    assert 'class="footnote"' in html
    assert '<p class="lead">A paragraph</p>' in html
    assert '<code class="language-python">' in html


def test_cjk_headings_get_real_anchors(site):
    files = {**all_languages("index"),
             "content/about.en.md": page("About", "## The race\n\ntext"),
             "content/about.ko.md": page("소개", "## 헨리 피어스의 경주\n\n본문"),
             "content/about.ja.md": page("概要", "## 「小さな一歩」とは\n\n本文"),
             "content/about.zh.md": page("关于", "## 小举动，大成就\n\n正文")}
    site.make(files)
    assert site.build().code == 0
    assert '<h2 id="the-race">' in site.read("en/about/index.html")
    assert '<h2 id="헨리-피어스의-경주">' in site.read("ko/about/index.html")
    assert '<h2 id="小さな一歩とは">' in site.read("ja/about/index.html")
    assert '<h2 id="小举动大成就">' in site.read("zh/about/index.html")


def test_links_to_markdown_files_lead_to_the_same_language(site):
    files = {**all_languages("index"), **all_languages("stories/henry-pearce/index"), **all_languages("about")}
    files["content/stories/kenya.ko.md"] = page(
        "케냐", "[피어스](henry-pearce/index.ko.md#경주), [소개](/about.md), [또](../about.en.md)")
    files["content/stories/kenya.en.md"] = page("Kenya", "[Pearce](henry-pearce.md)")
    site.make(files)
    assert site.build().code == 0
    html = site.read("ko/stories/kenya/index.html")
    assert 'href="/ko/stories/henry-pearce/#경주"' in html
    assert 'href="/ko/about/"' in html and 'href="/en/about/"' not in html
    assert 'href="/en/stories/henry-pearce/"' in site.read("en/stories/kenya/index.html")


def test_a_link_to_a_missing_page_names_file_and_line(site):
    body = "First line.\n\nSee [the ducks](henry-pearse.md) here.\n\nAnd [more](/nowhere.md)."
    site.make({**all_languages("index"), "content/stories/kenya.en.md": page("Kenya", body)})
    outcome = site.build()
    assert outcome.code == 1
    # front matter is lines 1-4, the body starts on line 5
    assert "content/stories/kenya.en.md:7: link to 'henry-pearse.md': no such page" in outcome.stderr
    assert "content/stories/kenya.en.md:9: link to '/nowhere.md': no such page" in outcome.stderr


def test_local_images_get_size_lazy_loading_and_a_hashed_url(site):
    site.make({**all_languages("index"),
               "content/stories/kenya/index.en.md": page("Kenya", "![A puck](puck.png)"),
               "content/stories/kenya/puck.png": png(40, 30)})
    assert site.build().code == 0
    html = site.read("en/stories/kenya/index.html")
    assert 'alt="A puck"' in html
    image = html.split("<img ")[1].split(">")[0]
    assert 'width="40"' in image and 'height="30"' in image and 'loading="lazy"' in image
    src = image.split('src="')[1].split('"')[0]
    # A picture is published as renditions (tests/test_photos.py): this one at its own width, never as it is.
    assert re.fullmatch(r"/media/puck\.[0-9a-f]{10}\.40\.(jpg|png)", src), src
    assert (site.root / "site" / src.lstrip("/")).is_file()
    assert not any(p.read_bytes() == png(40, 30) for p in (site.root / "site/media").iterdir() if p.is_file())


def test_a_missing_image_names_file_and_line(site):
    site.make({**all_languages("index"), "content/about.en.md": page("About", "Text\n\n![A puck](puck.png)")})
    outcome = site.build()
    assert outcome.code == 1
    assert "content/about.en.md:7: 'puck.png': no such file" in outcome.stderr


def test_an_image_outside_content_is_refused(site):
    site.make({**all_languages("index"), "content/about.en.md": page("About", "![x](../site.toml)")})
    outcome = site.build()
    assert "content/about.en.md:5: '../site.toml' points outside content/" in outcome.stderr


PLAIN_BODY = """
## Plain heading

[TOC]

HTML is named here, as are [the source][src] and a claim[^1].
"""
NOTES_BODY = """
## Notes heading

[TOC]

HTML is named here, as are [the source][src] and a claim[^1].

<div markdown="1">*Inside* a block.</div>

[^1]: The footnote.
[src]: https://example.org/source
*[HTML]: Hyper Text Markup Language
"""


def test_a_page_never_shows_what_another_page_defined(site):
    # Pages are converted one after the other (their fallbacks too) by reused Markdown instances: a
    # footnote, abbreviation, link reference or heading of one page must not reach the next, nor repeat.
    site.make({**all_languages("index"), "content/a-plain.en.md": page("A", PLAIN_BODY),
               "content/b-notes.en.md": page("B", NOTES_BODY), "content/c-plain.en.md": page("C", PLAIN_BODY)})
    assert site.build().code == 0
    for lang in ("en", "ko", "ja", "zh"):
        notes = site.read(f"{lang}/b-notes/index.html")
        assert '<abbr title="Hyper Text Markup Language">HTML</abbr>' in notes
        assert '<a href="https://example.org/source">the source</a>' in notes
        assert notes.count('id="fn:1"') == 1 and notes.count('id="fnref:1"') == 1
        assert 'href="#notes-heading"' in notes and "plain-heading" not in notes
        assert "<em>Inside</em>" in notes
        for plain_page in ("a-plain", "c-plain"):
            plain = site.read(f"{lang}/{plain_page}/index.html")
            assert "HTML is named here, as are [the source][src] and a claim[^1]." in plain
            assert "<abbr" not in plain and "fn:1" not in plain and 'class="footnote"' not in plain
            assert 'href="#plain-heading"' in plain and "notes-heading" not in plain


def test_a_broken_link_written_again_is_named_on_each_line(site):
    body = "See [a](gone.md).\n\nAgain [a](gone.md).\n\n![x](lost.png) and ![x](lost.png)\n\n![x](lost.png)"
    site.make({**all_languages("index"), "content/about.en.md": page("About", body)})
    outcome = site.build()
    assert outcome.code == 1
    # Each found after the one before (searching from the top for each took minutes on a long page).
    for line in ("5: link to 'gone.md'", "7: link to 'gone.md'", "9: 'lost.png'", "11: 'lost.png'"):
        assert f"content/about.en.md:{line}" in outcome.stderr


def test_a_file_too_long_to_be_named_with_its_digest_is_refused(site):
    name = "p" * 242 + ".svg"  # 246 bytes: 257 with the digest, more than any file system takes
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="3"/>'
    site.make({**all_languages("index"), f"content/{name}": svg,
               "content/about.en.md": page("About", f"Text\n\n![A puck]({name})"),
               "content/stories/s.en.md": page("S", "Text", hero=f"{{src: ../{name}, alt: A}}")})
    outcome = site.build()
    assert outcome.code == 1
    assert (f"content/about.en.md:7: '{name}': its name in the site's media/ folder, with the digest the build adds, "
            "would be 257 bytes long in UTF-8, over the 200 a name in the site may have: give the file a shorter "
            "name") in outcome.stderr
    assert f"content/stories/s.en.md:4: '../{name}': its name in the site's media/ folder" in outcome.stderr
    assert not (site.root / "site").exists()


def test_an_email_autolink_is_a_mailto_link_not_a_missing_file(site):
    import html

    site.make({**all_languages("index"), "content/about.en.md": page("About", "Write to <press@example.org>.")})
    outcome = site.build()
    assert outcome.code == 0, outcome.stderr
    assert "no such file" not in outcome.stderr
    [anchor] = [part for part in site.read("en/about/index.html").split("<a ")[1:]
                if "press" in html.unescape(part)]
    assert html.unescape(anchor).startswith('href="mailto:press@example.org">press@example.org</a>')
