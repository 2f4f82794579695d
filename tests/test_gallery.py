"""A gallery (issue 16): a paragraph of only photos, one a line, is published as a list of figures, each
photo's Markdown title its caption, in each language its own; a photo in a sentence, or alone, is not."""

from __future__ import annotations

import io
import re

from PIL import Image

from conftest import all_languages, page
from markdown_paths import markdown_path  # noqa: F401 - every test on both Markdown paths

PHOTOS = ("puck", "court", "team")
CAPTIONS = {
    "en": ("The first puck, bought in Nairobi", "The court & its lines", "The team, the year it began"),
    "ko": ("나이로비에서 산 첫 퍽", "코트와 선", "팀이 시작된 해"),
}
ALTS = {"en": ("A puck", "A court", "A team"), "ko": ("퍽", "코트", "팀")}


def small_photo(shade: int) -> bytes:
    """A 300×200 JPEG: small, so its renditions are made fast."""
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (shade, 90, 160)).save(out, "JPEG", quality=80)
    return out.getvalue()


def gallery_markdown(lang: str) -> str:
    lines = [f'![{alt}]({name}.jpg "{caption}")' for name, alt, caption in zip(PHOTOS, ALTS[lang], CAPTIONS[lang])]
    return "\n".join(lines)


def gallery_story(lang: str) -> str:
    return (f"Before the gallery.\n\n{gallery_markdown(lang)}\n\n"
            f"![{ALTS[lang][0]}](puck.jpg)\n\n"
            f"A line with ![{ALTS[lang][1]}](court.jpg) in it.\n\n"
            f"![{ALTS[lang][0]}](puck.jpg \"Alone\") ![{ALTS[lang][2]}](team.jpg)\nand words after them.\n")


def make_gallery_site(site) -> None:
    """A story whose en and ko pages have the same three photos as a gallery, with their own captions."""
    fields = {"date": "2018-02-02"}
    files = all_languages("stories/one/index", "One", **fields)
    for lang in CAPTIONS:
        files[f"content/stories/one/index.{lang}.md"] = page(f"One {lang}", gallery_story(lang), **fields)
    for shade, name in enumerate(PHOTOS):
        files[f"content/stories/one/{name}.jpg"] = small_photo(60 * shade)
    site.make(files)


def galleries(html: str) -> list[str]:
    return re.findall(r'<ul class="gallery" role="list">.*?</ul>', html, re.S)


def test_a_paragraph_of_photos_is_a_gallery_with_each_languages_captions(site):
    make_gallery_site(site)
    outcome = site.build()
    assert outcome.code == 0, outcome.stderr
    for lang in CAPTIONS:
        html = site.read(f"{lang}/stories/one/index.html")
        [gallery] = galleries(html)
        items = re.findall(r"<li>\s*<figure>\s*(<picture>.*?</picture>)\s*<figcaption>(.*?)</figcaption>\s*</figure>\s*</li>",
                           gallery, re.S)
        assert [caption for _, caption in items] == [c.replace("&", "&amp;") for c in CAPTIONS[lang]]
        for (picture, _), alt in zip(items, ALTS[lang]):
            assert re.search(r'<source sizes="[^"]+" srcset="[^"]+ 300w" type="image/webp">', picture), picture
            image = re.search(r"<img ([^>]+)>", picture).group(1)
            assert f'alt="{alt}"' in image and "srcset=" in image and 'height="200"' in image and 'width="300"' in image
            assert "title=" not in image  # it became the caption: a reader hears it once
            assert 'sizes="(min-width: 44rem) 13rem, (min-width: 24rem) 50vw, 100vw"' in image


def test_a_photo_alone_or_among_words_stays_as_it_was_written(site):
    make_gallery_site(site)
    assert site.build().code == 0
    html = site.read("en/stories/one/index.html")
    after = html.split("</ul>", 1)[1] if galleries(html) else html
    # One photo alone: a picture in its paragraph, no list, no figure.
    assert re.search(r'<p><picture><source sizes="\(min-width: 44rem\) 40rem, 100vw"[^>]*>'
                     r'<img alt="A puck"[^>]*></picture></p>', after), after
    assert re.search(r"<p>A line with <picture>.*?</picture> in it\.</p>", after, re.S)
    # Two photos with words after them: a paragraph still, and the title stays the photo's title.
    assert re.search(r'<p><picture>.*?title="Alone".*?</picture> <picture>.*?</picture>\s*and words after them\.</p>',
                     after, re.S)
    assert len(galleries(html)) == 1 and html.count("<figcaption>") == 3


def test_a_gallery_of_pictures_without_titles_has_no_captions(site):
    files = all_languages("about", "About", "![A](a.png)\n![B](b.png)\n")
    for name in ("a", "b"):
        out = io.BytesIO()
        Image.new("RGB", (40, 30), (10, 20, 30)).save(out, "PNG")
        files[f"content/{name}.png"] = out.getvalue()
    site.make(files)
    assert site.build().code == 0
    [gallery] = galleries(site.read("ja/about/index.html"))
    assert gallery.count("<figure>") == 2 and "<figcaption>" not in gallery and 'alt="B"' in gallery
