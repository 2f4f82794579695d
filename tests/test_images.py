"""Story photos (issue 16): the renditions a picture is published as, what they keep and what they drop,
and the message an editor gets for a picture the build cannot publish. Every picture is drawn here."""

from __future__ import annotations

import hashlib
import io
import random
import re
import struct
import time
import zlib

import pytest
from PIL import Image, ImageCms

from smallsite.build.images import WIDTHS, Photo, encode_rendition, plan_photo

SERIAL = "SN-7731-SECRET"
XMP_SECRET = b"XMP-SECRET-4412"


def _picture(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """A picture with some detail (a gradient under noise), so encoders and truncation behave as on a photo."""
    grey = Image.linear_gradient("L").resize(size)
    noise = Image.frombytes("L", size, random.Random(16).randbytes(size[0] * size[1]))  # the same each run
    rgb = Image.merge("RGB", (grey, noise, grey.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    return rgb.convert(mode)


def _saved(picture: Image.Image, image_format: str, **options) -> bytes:
    out = io.BytesIO()
    picture.save(out, image_format, **options)
    return out.getvalue()


def _jpeg(size=(1000, 750), **options) -> bytes:
    return _saved(_picture(size), "JPEG", quality=90, **options)


def _transparent_png(size=(1000, 500)) -> bytes:
    picture = _picture(size, "RGBA")
    picture.putalpha(Image.linear_gradient("L").resize(size))  # the top row fully transparent
    return _saved(picture, "PNG")


def _palette_png(size=(700, 400)) -> bytes:
    return _saved(_picture(size).quantize(16), "PNG")


def _webp(size=(900, 600)) -> bytes:
    return _saved(_picture(size), "WEBP", quality=90)


def _still_gif(size=(640, 480)) -> bytes:
    return _saved(_picture(size).quantize(64), "GIF")


def _animated_gif(size=(320, 240)) -> bytes:
    frames = [Image.new("P", size, colour) for colour in (1, 2, 3)]
    for frame in frames:
        frame.putpalette([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255])
    return _saved(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)


def _animated_webp(size=(320, 240)) -> bytes:
    frames = [Image.new("RGB", size, colour) for colour in ("red", "green", "blue")]
    return _saved(frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=100, loop=0)


def _planned(name: str, data: bytes) -> Photo:
    photo, message = plan_photo(name, data)
    assert message is None
    assert photo is not None
    return photo


def _opened(data: bytes) -> Image.Image:
    picture = Image.open(io.BytesIO(data))
    picture.load()
    return picture


KINDS = [
    # name, source, display size, fallback's mime, fallback's format
    ("beach.jpg", _jpeg, (1000, 750), "image/jpeg", "JPEG"),
    ("logo.png", _transparent_png, (1000, 500), "image/png", "PNG"),
    ("chart.png", _palette_png, (700, 400), "image/png", "PNG"),
    ("street.webp", _webp, (900, 600), "image/jpeg", "JPEG"),
    ("map.gif", _still_gif, (640, 480), "image/png", "PNG"),
]


@pytest.mark.parametrize(("name", "make", "size", "fallback_mime", "fallback_format"), KINDS)
def test_each_kind_of_picture_gets_webp_and_a_fallback_at_each_width_up_to_its_own(
        name, make, size, fallback_mime, fallback_format):
    data = make()
    photo = _planned(name, data)
    assert (photo.width, photo.height, photo.animated) == (*size, False)
    widths = tuple(w for w in WIDTHS if w < size[0] * 0.9) + (size[0],)
    assert [r.width for r in photo.modern] == [r.width for r in photo.fallback] == list(widths)
    assert {r.mime for r in photo.modern} == {"image/webp"}
    assert {r.mime for r in photo.fallback} == {fallback_mime}
    stem, digest = name.rsplit(".", 1)[0], hashlib.sha256(data).hexdigest()[:10]
    extension = {"image/jpeg": "jpg", "image/png": "png"}[fallback_mime]
    assert [r.output_path for r in photo.fallback] == [f"media/{stem}.{digest}.{w}.{extension}" for w in widths]
    assert [r.output_path for r in photo.modern] == [f"media/{stem}.{digest}.{w}.webp" for w in widths]
    for rendition in photo.modern + photo.fallback:
        assert rendition.height == round(size[1] * rendition.width / size[0])
        encoded = _opened(encode_rendition(data, rendition))
        assert encoded.size == (rendition.width, rendition.height)
        assert encoded.format == ("WEBP" if rendition in photo.modern else fallback_format)


def test_transparency_survives_in_webp_and_png_renditions():
    photo = _planned("logo.png", _transparent_png())
    for rendition in (photo.modern[0], photo.fallback[0]):
        encoded = _opened(encode_rendition(_transparent_png(), rendition))
        assert encoded.mode == "RGBA"
        assert encoded.getpixel((rendition.width // 2, 0))[3] < 10  # the top row stays see-through


def test_a_png_with_an_alpha_channel_but_no_transparent_pixel_is_a_photo_with_a_jpeg_fallback():
    photo = _planned("export.png", _saved(_picture((800, 600), "RGBA"), "PNG"))
    assert {r.mime for r in photo.fallback} == {"image/jpeg"}


@pytest.mark.parametrize(("name", "make"), [("dance.gif", _animated_gif), ("dance.webp", _animated_webp)])
def test_an_animated_picture_is_published_as_it_is(name, make):
    assert plan_photo(name, make()) == (Photo(320, 240, (), (), animated=True), None)


@pytest.mark.parametrize(("own", "expected"), [
    (300, (300,)), (600, (480, 600)), (1250, (480, 800, 1250)), (1300, (480, 800, 1300)), (1400, (480, 800, 1200, 1400)),
    (2400, WIDTHS), (2401, WIDTHS), (4032, WIDTHS),
])
def test_no_rendition_is_wider_than_the_picture(own, expected):
    photo = _planned("wide.jpg", _jpeg((own, 100)))
    assert tuple(r.width for r in photo.modern) == tuple(r.width for r in photo.fallback) == expected


def test_a_photo_taken_with_the_phone_turned_is_published_upright():
    picture = Image.new("RGB", (400, 300), "red")
    picture.paste("blue", (200, 0, 400, 300))  # stored sideways: red left, blue right
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display": red ends up on top
    data = _saved(picture, "JPEG", quality=95, exif=exif)
    photo = _planned("portrait.jpg", data)
    assert (photo.width, photo.height) == (300, 400)
    assert [(r.width, r.height) for r in photo.fallback] == [(300, 400)]
    for rendition in photo.modern + photo.fallback:
        encoded = _opened(encode_rendition(data, rendition)).convert("RGB")
        assert encoded.size == (300, 400)
        top, bottom = encoded.getpixel((150, 50)), encoded.getpixel((150, 350))
        assert top[0] > 200 and top[2] < 60, top
        assert bottom[2] > 200 and bottom[0] < 60, bottom


def _with_secrets(image_format: str, mode: str) -> tuple[bytes, bytes]:
    exif = Image.Exif()
    exif[0x010F] = "SnoopCam"  # Make
    exif[0x0110] = "Model X9"
    exif[0x0112] = 1
    exif.get_ifd(0x8769)[0xA431] = SERIAL  # BodySerialNumber
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (37.0, 33.0, 59.0)
    gps[3], gps[4] = "E", (126.0, 58.0, 40.0)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    picture = _picture((900, 600), mode)
    if mode == "RGBA":
        picture.putalpha(Image.linear_gradient("L").resize((900, 600)))
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">' + XMP_SECRET + b"</x:xmpmeta>"
    data = _saved(picture, image_format, exif=exif, icc_profile=icc, xmp=xmp)
    return data, icc


@pytest.mark.parametrize(("name", "image_format", "mode"), [
    ("holiday.jpg", "JPEG", "RGB"), ("sticker.png", "PNG", "RGBA"), ("street.webp", "WEBP", "RGB"),
])
def test_no_rendition_carries_gps_serial_numbers_or_any_exif_but_the_colour_profile_stays(name, image_format,
                                                                                        mode):
    data, icc = _with_secrets(image_format, mode)
    source = _opened(data)
    assert source.getexif().get_ifd(0x8825) and SERIAL.encode() in data  # the test's source has them
    photo = _planned(name, data)
    for rendition in photo.modern + photo.fallback:
        encoded_bytes = encode_rendition(data, rendition)
        encoded = _opened(encoded_bytes)
        assert dict(encoded.getexif()) == {}
        for marker in (b"Exif", b"EXIF", b"eXIf"):  # JPEG's APP1, WebP's chunk, PNG's chunk
            assert marker not in encoded_bytes, (rendition.output_path, marker)
        for secret in (SERIAL.encode(), b"SnoopCam", b"Model X9", XMP_SECRET, b"xmpmeta"):
            assert secret not in encoded_bytes, (rendition.output_path, secret)
        assert encoded.info.get("icc_profile") == icc, rendition.output_path


NOT_RGB_PROFILE = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()  # for a CMYK or grey one


def test_a_cmyk_jpeg_is_published_in_rgb_without_its_cmyk_profile():
    profile = NOT_RGB_PROFILE
    data = _saved(Image.new("CMYK", (600, 400), (0, 255, 255, 0)), "JPEG", quality=95, icc_profile=profile)
    photo = _planned("print.jpg", data)
    assert {r.mime for r in photo.fallback} == {"image/jpeg"}
    for rendition in photo.modern + photo.fallback:
        encoded = _opened(encode_rendition(data, rendition))
        assert encoded.mode == "RGB" and "icc_profile" not in encoded.info
        red, green, blue = encoded.getpixel((300, 200))
        assert red > 200 and green < 60 and blue < 60


def test_a_grey_jpeg_is_published_in_rgb_without_its_grey_profile():
    data = _saved(_picture((600, 400), "L"), "JPEG", quality=90, icc_profile=NOT_RGB_PROFILE)
    for rendition in _planned("grey.jpg", data).fallback:
        encoded = _opened(encode_rendition(data, rendition))
        assert encoded.mode == "RGB" and "icc_profile" not in encoded.info


def test_a_16_bit_png_is_published_in_8_bits_with_its_greys_kept():
    grey16 = Image.linear_gradient("L").resize((600, 400)).convert("I").point(lambda v: v * 257).convert("I;16")
    data = _saved(grey16, "PNG")
    assert _opened(data).mode == "I;16"
    photo = _planned("scan.png", data)
    assert {r.mime for r in photo.fallback} == {"image/jpeg"}
    for rendition in photo.modern + photo.fallback:
        encoded = _opened(encode_rendition(data, rendition)).convert("RGB")
        middle = encoded.getpixel((rendition.width // 2, rendition.height // 2))
        assert all(100 < channel < 156 for channel in middle), middle  # mid-grey, not clipped to white
        assert max(encoded.getpixel((0, 0))) < 30  # the black end stays black


def test_a_cut_short_jpeg_is_refused_with_a_message_that_says_to_copy_it_again():
    data = _jpeg()
    photo, message = plan_photo("half.jpg", data[: len(data) // 2])
    assert photo is None
    assert message.startswith("half.jpg is damaged or incomplete") and "copy it again" in message


@pytest.mark.parametrize(("name", "data", "really", "renamed"), [
    ("photo.png", _jpeg(), "JPEG", "photo.jpg"),
    ("photo.jpg", _palette_png(), "PNG", "photo.png"),
    ("photo.gif", _webp(), "WebP", "photo.webp"),
])
def test_a_picture_with_the_wrong_suffix_is_refused_with_its_real_format_and_the_name_to_give_it(
        name, data, really, renamed):
    photo, message = plan_photo(name, data)
    assert photo is None
    assert f"{name} is really a {really} picture" in message and f"rename it to {renamed}" in message


def test_a_jpeg_named_jpeg_is_fine():
    assert _planned("photo.JPEG", _jpeg()).fallback[0].output_path.startswith("media/photo.")


def test_a_file_that_is_no_picture_at_all_is_refused():
    photo, message = plan_photo("IMG_0001.jpg", b"ftypheic" + bytes(200))
    assert photo is None and "IMG_0001.jpg is not a picture the build can read" in message


def test_a_picture_in_a_format_browsers_do_not_all_show_is_refused():
    photo, message = plan_photo("scan.png", _saved(_picture((100, 100)), "TIFF"))
    assert photo is None and "scan.png is a TIFF picture" in message and "export it as" in message


def _png_claiming(width: int, height: int) -> bytes:
    """A real 1×1 PNG whose header says it is width×height (the IHDR's CRC made to match)."""
    data = bytearray(_saved(Image.new("RGB", (1, 1)), "PNG"))
    assert data[12:16] == b"IHDR"
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


@pytest.mark.parametrize(("width", "height"), [
    (60000, 60000),  # past twice Pillow's own limit: Pillow refuses it on opening
    (10000, 10000),  # past Pillow's limit: Pillow only warns
    (8000, 7000),    # 56 million: under Pillow's limit, over ours
])
def test_a_picture_claiming_too_many_pixels_is_refused_before_it_is_decoded(width, height, recwarn):
    data = _png_claiming(width, height)
    started = time.perf_counter()
    photo, message = plan_photo("huge.png", data)
    assert time.perf_counter() - started < 1.0
    assert photo is None
    assert message.startswith("huge.png claims") and "50 million" in message and "scale it down" in message
    assert re.search(rf"{width}.{height}|{width * height}", message), message
    assert not [w for w in recwarn if issubclass(w.category, Image.DecompressionBombWarning)]


def test_a_picture_at_the_limit_is_not_refused_for_its_size():
    photo, message = plan_photo("big.png", _png_claiming(10000, 5000))
    assert photo is None and "claims" not in message and "damaged or incomplete" in message


@pytest.mark.parametrize(("name", "make"), [(kind[0], kind[1]) for kind in KINDS])
def test_the_same_source_always_gives_the_same_bytes(name, make):
    data = make()
    photo = _planned(name, data)
    for rendition in (photo.modern[0], photo.fallback[-1]):
        assert encode_rendition(data, rendition) == encode_rendition(data, rendition)
