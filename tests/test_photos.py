"""A photo an editor drops into a story is published light and private (issue 16): renditions at several
widths in WebP and JPEG/PNG, stood up by its EXIF orientation, without its EXIF; never the original."""

from __future__ import annotations

import io
import re

from PIL import Image, ImageChops

from conftest import all_languages, page

SERIAL, MAKER = b"SERIAL-123456", b"PhoneMaker"


def phone_photo(width: int = 1000, height: int = 750) -> bytes:
    """A photo stored sideways (EXIF orientation 6), with a GPS position, a maker and a serial number."""
    # A gradient with a little grain: what a photo's JPEG weighs (pure noise would be ten times heavier).
    picture = ImageChops.add(Image.linear_gradient("L").resize((width, height)).convert("RGB"),
                             Image.effect_noise((width, height), 6).convert("RGB"), scale=1.5)
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = MAKER.decode()
    exif[0xA431] = SERIAL.decode()
    exif[0x8825] = {1: "N", 2: (37.0, 33.0, 0.0), 3: "E", 4: (126.0, 58.0, 0.0)}
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif.tobytes(), quality=85)
    return out.getvalue()


def story_with(site, photo: bytes, name: str = "photo.jpg", hero: bool = False) -> None:
    fields = {"date": "2018-02-02"}
    if hero:
        fields["hero"] = "{src: " + name + ", alt: A rink}"
    files = all_languages("stories/one/index", "One", **fields)
    files["content/stories/one/index.en.md"] = page("One", f"Text before ![A photo]({name}) and after.", **fields)
    files[f"content/stories/one/{name}"] = photo
    site.make(files)


def published(site) -> dict[str, bytes]:
    return site.tree()


def test_a_phone_photo_becomes_renditions_in_a_picture_stood_up_and_without_its_exif(site):
    photo = phone_photo()
    story_with(site, photo)
    outcome = site.build()
    assert outcome.code == 0, outcome.stderr
    html = site.read("en/stories/one/index.html")
    picture = re.search(r"Text before (<picture>.*?</picture>) and after\.", html, re.S).group(1)
    webp = re.search(r'<source sizes="([^"]+)" srcset="([^"]+)" type="image/webp">', picture)
    assert webp and webp.group(1) == "(min-width: 44rem) 40rem, 100vw"
    assert [w for w in re.findall(r" (\d+)w", webp.group(2))] == ["480", "750"]
    image = re.search(r"<img ([^>]+)>", picture).group(1)
    # Stood up: the camera stored it 1000×750 and sideways; the reader sees it 750 wide, 1000 high.
    assert 'width="750"' in image and 'height="1000"' in image and 'alt="A photo"' in image
    assert 'loading="lazy"' in image and 'decoding="async"' in image and ".jpg 750w" in image
    src = re.search(r'src="/([^"]+)"', image).group(1)
    files = published(site)
    with Image.open(io.BytesIO(files[src])) as shown:
        assert shown.size == (750, 1000) and not shown.getexif()
    leaks = [name for name, data in files.items() if SERIAL in data or MAKER in data or data == photo]
    assert leaks == []  # no GPS, maker or serial number anywhere, and never the original
    assert not [name for name in files if name.startswith("media/photo.") and name.count(".") == 2]
    for name in files:
        if name.startswith("media/photo."):
            with Image.open(io.BytesIO(files[name])) as rendition:
                assert rendition.height > rendition.width and not rendition.getexif(), name


def test_a_damaged_photo_stops_the_build_naming_the_page_and_line(site):
    story_with(site, phone_photo()[:20000])  # a copy that stopped halfway
    outcome = site.build()
    assert outcome.code == 1
    assert re.search(r"content/stories/one/index\.en\.md:6: photo\.jpg .*", outcome.stderr), outcome.stderr
    assert not (site.root / "site").exists()


def test_a_photo_named_for_another_format_is_the_editors_to_rename(site):
    story_with(site, phone_photo(), name="photo.png")
    outcome = site.build()
    assert outcome.code == 1
    assert "content/stories/one/index.en.md:6: photo.png is really a JPEG picture, but its name ends in .png: " \
           "rename it to photo.jpg" in outcome.stderr


def test_a_story_photo_as_its_illustration_is_a_picture_fetched_first_and_within_the_budget(site):
    story_with(site, phone_photo(), hero=True)
    outcome = site.build()
    assert outcome.code == 0, outcome.stderr
    html = site.read("ko/stories/one/index.html")
    hero = re.search(r'<figure class="hero wrap"><picture><source type="image/webp" srcset="([^"]+)" '
                     r'sizes="100vw"><img src="/(media/photo\.[0-9a-f]{10}\.750\.jpg)"([^>]*)></picture>', html)
    assert hero, html[html.index('<figure class="hero'):][:600]
    assert re.findall(r" (\d+)w", hero.group(1)) == ["480", "750"]
    assert 'fetchpriority="high"' in hero.group(3) and 'width="750" height="1000"' in hero.group(3)
    assert 'loading="lazy"' not in hero.group(3)
    files = published(site)
    assert hero.group(2) in files and not any(SERIAL in data for data in files.values())
    # The first view at 390 px takes the 480-pixel rendition: the page stays within check's budget.
    from i18n_helpers import cli

    assert "budget" not in cli(site.root, "check").err


def test_renditions_are_encoded_once_and_a_replaced_photo_replaces_them(site):
    story_with(site, phone_photo())
    assert site.build().code == 0
    media = site.root / "site/media"

    def renditions():  # (the share cards have their folder beside them)
        return [p for p in media.iterdir() if p.is_file()]

    first = {p.name: p.stat().st_mtime_ns for p in renditions()}
    assert len(first) == 4 and len(list((site.root / ".cache/photos").iterdir())) == 4
    assert site.build().code == 0
    assert {p.name: p.stat().st_mtime_ns for p in renditions()} == first
    site.write("content/stories/one/photo.jpg", phone_photo(500, 400))
    assert site.build().code == 0
    after = {p.name for p in renditions()}
    assert not after & set(first) and sorted(n.split(".")[2] for n in after) == ["400", "400"]
    assert {p.name for p in (site.root / ".cache/photos").iterdir()} == after  # the old ones forgotten


def test_the_same_photo_gives_the_same_site_with_or_without_the_memo(site, tmp_path):
    story_with(site, phone_photo())
    assert site.build().code == 0
    cached = site.tree()
    assert site.build("--no-cache").code == 0
    assert site.tree() == cached


def test_the_campaigns_about_pages_show_the_stories_as_posters_in_their_own_language(site):
    """The campaign's photos are its own (tools/posters.py draws them from our illustrations): each about
    page shows the three posters of its language, captioned with the stories' titles in it."""
    from conftest import PROJECT

    site.make({}, site_toml=(PROJECT / "site.toml").read_text(encoding="utf-8"), real_content=True)
    outcome = site.build()
    assert outcome.code == 0, outcome.stderr
    for lang, title in (("en", "Henry Pearce and the Ducks"), ("ko", "헨리 피어스와 오리 가족"),
                        ("ja", "ヘンリー・ピアースとカモの親子"), ("zh", "亨利·皮尔斯与鸭子一家")):
        html = site.read(f"{lang}/about/index.html")
        gallery = re.search(r'<ul class="gallery" role="list">(.*?)</ul>', html, re.S).group(1)
        images = re.findall(r'<img [^>]*src="/media/([^"]+)"', gallery)
        assert len(images) == 3 and all(f".{lang}." in name for name in images), images
        assert f"<figcaption>{title}</figcaption>" in gallery


def test_a_picture_claiming_too_many_pixels_is_refused_before_it_is_decoded(site):
    import struct
    import zlib

    small = io.BytesIO()
    Image.new("RGB", (8, 8)).save(small, "PNG")
    data = bytearray(small.getvalue())
    data[16:24] = struct.pack(">II", 60000, 60000)  # IHDR's width and height, then its checksum again
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    story_with(site, bytes(data), name="bomb.png")
    outcome = site.build()
    assert outcome.code == 1
    assert re.search(r"content/stories/one/index\.en\.md:6: bomb\.png .*60000", outcome.stderr), outcome.stderr


def test_serve_shows_a_new_photo_at_once_at_the_size_the_browser_asks_for(site):
    from serving import ServeProcess

    story_with(site, phone_photo())
    server = ServeProcess(site.root)
    try:
        server.wait_for_output(r"built \d+ pages")
        site.write("content/stories/one/fresh.jpg", phone_photo(900, 700))
        site.write("content/stories/one/index.ko.md", page("One", "![새 사진](fresh.jpg)", date="2018-02-02"))
        html = server.wait_for_page("/ko/stories/one/", "새 사진")
        webp = re.search(r'<source sizes="[^"]+" srcset="([^" ]+) 480w', html).group(1)
        status, headers, body = server.request(webp)
        assert status == 200 and headers.get("content-type") == "image/webp"
        with Image.open(io.BytesIO(body)) as shown:
            assert shown.size == (480, 617) and shown.format == "WEBP"
    finally:
        server.stop()
