"""Photos in stories: the renditions a phone photo is published as, and their bytes (issue 16).

An editor drops a 4032×3024, 3-8 MB phone photo into a story and writes `![alt](photo.jpg)`. The build
publishes it as a few smaller renditions instead: WebP for the browsers that take it (all current ones),
and a JPEG (or PNG, for a picture with transparency or a palette) fallback, each at a few widths so a
phone does not download what a 4K screen needs. No rendition carries the source's EXIF: no GPS
position, camera serial number, maker notes or XMP ever leave the editor's machine (STYLE.md).

`plan_photo` reads and checks the source and says what to make; `encode_rendition` makes one rendition.
Both are pure functions of the source's bytes: the build caches and writes their results.
"""

from __future__ import annotations

import hashlib
import io
import os
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from .assets import RASTER_SUFFIXES  # what is processed (lower-cased suffix)
# Rendition widths. Only those narrower than the photo are made, and the photo's own width is added
# when it is at most the widest of these; a listed width within 10% of the photo's own is dropped
# (a 1200 next to a 1250 saves nothing). A photo wider than 2400 gets exactly these five.
WIDTHS = (480, 800, 1200, 1600, 2400)
MAX_PIXELS = 50_000_000  # a larger image is refused before it is decoded (a 48 MP phone photo passes)

JPEG_QUALITY = 80
WEBP_QUALITY = 78
WEBP_METHOD = 4  # libwebp's default speed/size trade-off; 6 is ~2x slower for ~2% smaller files

WEBP, JPEG, PNG = "image/webp", "image/jpeg", "image/png"
_EXTENSIONS = {WEBP: "webp", JPEG: "jpg", PNG: "png"}
# The suffixes each real format may be named with. MPO is how Pillow reads a JPEG that carries a second
# picture (many phones add a depth map or a preview): to a browser it is a JPEG.
_SUFFIXES_OF_FORMAT = {"JPEG": (".jpg", ".jpeg"), "MPO": (".jpg", ".jpeg"), "PNG": (".png",),
                       "WEBP": (".webp",), "GIF": (".gif",)}
_FORMAT_NAMES = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WebP", "GIF": "GIF"}
_ORIENTATION = 0x0112  # EXIF tag: 5-8 mean the camera was turned a quarter, the picture is stored sideways


@dataclass(frozen=True)
class Rendition:
    """One file a photo is published as."""

    output_path: str  # "media/<stem>.<digest10>.<width>.<ext>"; digest10: sha256 of the SOURCE bytes
    width: int
    height: int
    mime: str  # WEBP, JPEG or PNG


@dataclass(frozen=True)
class Photo:
    """What a source picture is published as."""

    width: int  # display size: the source's size after its EXIF orientation
    height: int
    modern: tuple[Rendition, ...]  # WebP renditions, ascending width
    fallback: tuple[Rendition, ...]  # JPEG, or PNG for transparency and palette pictures, ascending width
    animated: bool = False  # an animated GIF, WebP or PNG: no renditions, published as it is


def plan_photo(name: str, data: bytes) -> tuple[Photo | None, str | None]:
    """(the photo's renditions, None), or (None, what is wrong and what to do) for the editor."""
    suffix = os.path.splitext(name)[1].lower()
    if suffix not in RASTER_SUFFIXES:
        return None, (f"{name} is not a picture the build resizes: save it as JPEG, PNG, WebP or GIF "
                      f"(one of {', '.join(RASTER_SUFFIXES)})")
    try:
        with _opened(data) as picture:
            too_big = _too_many_pixels(name, picture.size)
            if too_big:
                return None, too_big
            wrong_name = _misnamed(name, suffix, picture.format)
            if wrong_name:
                return None, wrong_name
            # Decoding the whole file is the only way to find one cut short (a copy that stopped halfway).
            animated = getattr(picture, "n_frames", 1) > 1 and picture.format != "MPO"
            for frame in ImageSequence.Iterator(picture) if animated else (picture,):
                frame.load()
            width, height = _display_size(picture)
            transparent = _has_transparency(picture)
            palette = picture.mode in ("P", "PA", "1")
    except Image.DecompressionBombError as refused:
        return None, _bomb_message(name, str(refused))
    except UnidentifiedImageError:
        return None, (f"{name} is not a picture the build can read (it may be a HEIC photo or a damaged "
                      f"file with a picture's name): export it as JPEG and replace it")
    except (OSError, ValueError, SyntaxError, EOFError) as broken:
        # Pillow says "image file is truncated" or "broken data stream" for a file that ends too soon.
        return None, (f"{name} is damaged or incomplete ({broken}): copy it again from the camera or the "
                      f"original, and check that it opens in an image viewer")
    if animated:
        return Photo(width, height, (), (), animated=True), None
    digest = hashlib.sha256(data).hexdigest()[:10]
    stem = os.path.splitext(name)[0]
    fallback_mime = PNG if transparent or palette else JPEG

    def renditions(mime: str) -> tuple[Rendition, ...]:
        return tuple(Rendition(f"media/{stem}.{digest}.{w}.{_EXTENSIONS[mime]}", w,
                               max(1, round(height * w / width)), mime)
                     for w in rendition_widths(width))

    return Photo(width, height, renditions(WEBP), renditions(fallback_mime)), None


def rendition_widths(width: int) -> tuple[int, ...]:
    """The widths a photo `width` pixels wide is published at, ascending (see WIDTHS)."""
    if width > WIDTHS[-1]:
        return WIDTHS
    return tuple(w for w in WIDTHS if w < width * 0.9) + (width,)


def encode_rendition(data: bytes, rendition: Rendition) -> bytes:
    """The rendition's bytes: upright, 8-bit RGB(A), resized, with no metadata but the colour profile."""
    with _opened(data) as picture:
        if _too_many_pixels("", picture.size):
            raise ValueError(f"a picture of {picture.size[0]}×{picture.size[1]} pixels is refused")
        # Ask the JPEG decoder for a smaller picture (its DCT scaling: 1/2, 1/4, 1/8) that is still at
        # least twice the rendition: decoding a 480-px rendition then costs a fraction of the full decode,
        # and LANCZOS from twice the size looks the same.
        if picture.format in ("JPEG", "MPO"):
            sideways = picture.getexif().get(_ORIENTATION) in (5, 6, 7, 8)
            along, across = (rendition.height, rendition.width) if sideways else (rendition.width,
                                                                                   rendition.height)
            picture.draft(picture.mode, (along * 2, across * 2))
        picture.load()
        icc_profile = _rgb_profile(picture.info.get("icc_profile"))
        upright = ImageOps.exif_transpose(picture)
    upright, icc_profile = _eight_bit(upright, icc_profile)
    transparent = _has_transparency(upright)
    upright = upright.convert("RGBA" if transparent and rendition.mime != JPEG else "RGB")
    resized = upright.resize((rendition.width, rendition.height), Image.Resampling.LANCZOS)
    resized.info = {}  # no EXIF, XMP or comment rides along from the source's info
    options: dict[str, object] = {"icc_profile": icc_profile} if icc_profile else {}
    out = io.BytesIO()
    if rendition.mime == WEBP:
        resized.save(out, "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD, **options)
    elif rendition.mime == JPEG:
        resized.save(out, "JPEG", quality=JPEG_QUALITY, progressive=False, optimize=False, **options)
    elif rendition.mime == PNG:
        resized.save(out, "PNG", optimize=False, **options)
    else:
        raise ValueError(f"no encoder for {rendition.mime}")
    return out.getvalue()


def _opened(data: bytes) -> Image.Image:
    """The picture with only its header read. Pillow's own bomb check (a warning past ~89 million pixels,
    an error past twice that) is turned into an exception: our MAX_PIXELS, lower, says more."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return Image.open(io.BytesIO(data))
        except Image.DecompressionBombWarning as warned:
            raise Image.DecompressionBombError(str(warned)) from None


def _too_many_pixels(name: str, size: tuple[int, int]) -> str | None:
    width, height = size
    if width * height <= MAX_PIXELS:
        return None
    return (f"{name} claims {width}×{height} pixels ({width * height / 1e6:,.0f} million); a picture may "
            f"have at most {MAX_PIXELS // 1_000_000} million: scale it down (4000 pixels wide is plenty) "
            f"and save it again")


def _bomb_message(name: str, detail: str) -> str:
    return (f"{name} claims more pixels than a picture may have ({detail}); at most "
            f"{MAX_PIXELS // 1_000_000} million: scale it down (4000 pixels wide is plenty) and save it again")


def _misnamed(name: str, suffix: str, image_format: str | None) -> str | None:
    suffixes = _SUFFIXES_OF_FORMAT.get(image_format or "")
    if suffixes is None:
        return (f"{name} is a {image_format} picture, which browsers do not all show: export it as "
                f"JPEG (a photo) or PNG (a drawing) and replace it")
    if suffix in suffixes:
        return None
    renamed = os.path.splitext(name)[0] + suffixes[0]
    return (f"{name} is really a {_FORMAT_NAMES[image_format]} picture, but its name ends in {suffix}: "
            f"rename it to {renamed} and change the link to match")


def _display_size(picture: Image.Image) -> tuple[int, int]:
    width, height = picture.size
    return (height, width) if picture.getexif().get(_ORIENTATION) in (5, 6, 7, 8) else (width, height)


def _has_transparency(picture: Image.Image) -> bool:
    """True if some pixel is not fully opaque. An RGBA photo whose alpha is all 255 (what many editors
    export) is a photo: it gets a JPEG fallback, not a PNG ten times its size."""
    if picture.mode in ("RGBA", "LA", "PA"):
        return picture.getchannel("A").getextrema()[0] < 255
    if "transparency" in picture.info:
        return picture.convert("RGBA").getchannel("A").getextrema()[0] < 255
    return False


def _rgb_profile(icc_profile: bytes | None) -> bytes | None:
    """The profile if it describes RGB pixels (ICC header, bytes 16-19), else None: every rendition is RGB,
    and a CMYK or grey profile on RGB pixels is wrong (browsers take an untagged picture as sRGB)."""
    return icc_profile if icc_profile and icc_profile[16:20] == b"RGB " else None


def _eight_bit(picture: Image.Image, icc_profile: bytes | None) -> tuple[Image.Image, bytes | None]:
    """The picture in a mode the encoders take (RGB, RGBA, L, LA, P), and the profile that goes with it."""
    if picture.mode == "CMYK":
        # Pillow's plain conversion is rough on print colours, but no camera makes CMYK.
        return picture.convert("RGB"), None
    if picture.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        # 16-bit grey: scale 0-65535 down to 0-255 (a plain convert would clip everything above 255 to white).
        return picture.convert("I").point(lambda value: value * (1 / 256)).convert("L"), icc_profile
    if picture.mode == "P" or picture.mode == "1":
        return picture.convert("RGBA" if "transparency" in picture.info else "RGB"), icc_profile
    return picture, icc_profile
