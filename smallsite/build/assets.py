"""Files copied into the site with a content hash in their names, so hosts can cache them for ever."""

from __future__ import annotations

import hashlib
import os
import re
import struct
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import unquote

from ..model.ignored import is_ignored_name
from ..model.links import (PLAIN_FILE, THROUGH_LINK, LeadsOut, files_below, leading_out, outward_link, shown_real,
                    what_is_at)
from ..model.names import MAX_NAME_BYTES, encode_path, find_in_other_form, form_clash, form_clashes, nfc
from ..model.problems import Problem, display_path
from ..model.project import STATIC_DIR

if TYPE_CHECKING:
    from .images import Photo

# The pictures a build resizes (images.py; kept here so that a site without photos never loads Pillow).
RASTER_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif")

MEDIA_DIR = "media"
# What hashed_name adds to a name: a dot and ten hexadecimal digits.
HASH_BYTES = 11
CSS_URL = re.compile(r"""url\(\s*(['"]?)(?!data:|https?:|//|#)([^'")]+)\1\s*\)""")


def hashed_name(relative: str, data: bytes) -> str:
    """css/site.css -> css/site.3f2a9c1d.css: the name changes whenever the bytes do."""
    path = PurePosixPath(relative)
    digest = hashlib.sha256(data).hexdigest()[:10]
    return str(path.with_name(f"{path.stem}.{digest}{path.suffix}"))


@dataclass(frozen=True)
class StaticFiles:
    """The site's static files: their hashed output paths and bytes, and what was wrong with any."""

    urls: dict[str, str]  # 'css/site.css' -> 'static/css/site.3f2a9c1d.css' (names in NFC: names.py)
    files: dict[str, bytes]  # output path -> bytes
    # A link leading out of the project, a file that cannot be read, names that differ only in their
    # Unicode form (names.py).
    problems: tuple[Problem, ...] = ()


def collect_static(root: Path, base_path: str) -> StaticFiles:
    """Hash every file under static/ but editors' litter (ignored.py), following links only while they
    stay in the project (links.py); CSS is hashed after its url(...) references are rewritten."""
    found: dict[str, bytes] = {}
    listed, problems = files_below(root, STATIC_DIR)
    # Two names one file system keeps apart but one URL cannot (names.py): neither is published.
    clashing = dict(form_clashes(relative for relative, _ in listed))
    for relative, first in clashing.items():
        problems.append(Problem(f"{STATIC_DIR}/{relative}", None,
                                form_clash(relative, first, f"{STATIC_DIR}/{first}")))
    for relative, path in listed:
        if relative in clashing:
            continue
        name = relative.rpartition("/")[2]
        if len(name) * 4 > MAX_NAME_BYTES - HASH_BYTES and \
                len(name.encode("utf-8", "surrogateescape")) + HASH_BYTES > MAX_NAME_BYTES:
            problems.append(Problem(f"{STATIC_DIR}/{relative}", None, "this name, with the digest the build adds, "
                                    f"would be over the {MAX_NAME_BYTES} bytes a name in the site may have: "
                                    "give the file a shorter name"))
            continue
        try:
            with open(path, "rb") as handle:
                found[nfc(relative)] = handle.read()
        except OSError as exc:
            problems.append(Problem(f"{STATIC_DIR}/{relative}", None, f"cannot be read: {exc.strerror or exc}"))
    urls: dict[str, str] = {}
    files: dict[str, bytes] = {}
    # CSS last: its hash must cover the hashed names of the files it refers to.
    for relative in sorted(found, key=lambda r: (r.endswith(".css"), r)):
        data = found[relative]
        if relative.endswith(".css"):
            data = _rewrite_css(data, relative, urls, base_path)
        output = f"{STATIC_DIR}/{hashed_name(relative, data)}"
        urls[relative] = output
        files[output] = data
    return StaticFiles(urls, files, tuple(problems))


def _rewrite_css(data: bytes, relative: str, urls: dict[str, str], base_path: str) -> bytes:
    folder = PurePosixPath(relative).parent

    def replace(match: re.Match) -> str:
        target = nfc(os.path.normpath((folder / unquote(match.group(2))).as_posix()).lstrip("./"))
        hashed = urls.get(target)
        return f'url("{base_path}{encode_path(hashed)}")' if hashed else match.group(0)

    return CSS_URL.sub(replace, data.decode("utf-8")).encode("utf-8")


@dataclass(frozen=True)
class MediaFile:
    """A file a page refers to (an image, a PDF), copied once under media/ for every language."""

    source: Path
    # 'media/hero.1a2b3c4d5e.svg'; for a photo, the rendition a plain link or an <img src> shows
    output_path: str
    width: int | None
    height: int | None
    photo: Photo | None = None  # a raster picture: published as these renditions, never as it is
    problem: str | None = None  # what is wrong with a picture (the page that shows it names its line)


# The rendition a photo's plain address (a link to it, an <img src>, a story's card) shows: the widest
# fallback up to this many pixels.
PHOTO_DEFAULT_WIDTH = 1200


def media_file(source: Path) -> MediaFile:
    """Hash a referenced file and read its pixel size when it is an image; plan a photo's renditions."""
    data = source.read_bytes()
    suffix = source.suffix.lower()
    original = f"{MEDIA_DIR}/{hashed_name(nfc(source.name), data)}"
    if suffix in RASTER_SUFFIXES:
        from .images import plan_photo  # Pillow: only for a site with photos

        photo, problem = plan_photo(nfc(source.name), data)
        if problem is not None:
            return MediaFile(source, original, None, None, problem=problem)
        if photo is not None and not photo.animated:
            shown = max((r for r in photo.fallback if r.width <= PHOTO_DEFAULT_WIDTH), key=lambda r: r.width,
                        default=photo.fallback[0])
            return MediaFile(source, shown.output_path, photo.width, photo.height, photo=photo)
    width, height = image_size(data, suffix)
    return MediaFile(source, original, width, height)


def srcset(renditions, base_path: str) -> str:
    """A srcset attribute's value: each rendition's address and its width ("/media/a.1a2b.480.jpg 480w, ...")."""
    return ", ".join(f"{base_path}{encode_path(r.output_path)} {r.width}w" for r in renditions)


def photo_renditions(item: MediaFile) -> tuple:
    """Every file a photo is published as (none for any other media file)."""
    return (*item.photo.modern, *item.photo.fallback) if item.photo is not None else ()


def read_media(item: MediaFile, root: Path) -> bytes:
    """A media file's bytes for the output folder, read again after its page named it (in `serve`, when
    a browser asks for it, maybe minutes later): a link put on its way since must not lead out of the
    project either. Raises LeadsOut for one that does (links.py), OSError when it cannot be read."""
    top, source = os.fspath(root), os.fspath(item.source)
    if source.startswith(top + os.sep):  # (always: resolve_local makes every path below content/)
        outward = outward_link(top, source[len(top) + 1:].split(os.sep))
        if outward is not None:
            raise LeadsOut(outward)
    return item.source.read_bytes()


def resolve_local(reference: str, page_folder: str | Path, content_root: str | Path, shown: str,
                  line: int | None) -> tuple[Path | None, Problem | None]:
    """A relative (or /content-root) file reference as a path that must stay inside content/, reach no
    editors' litter (ignored.py) and pass no link out of the project (links.py)."""
    # Plain strings, not pathlib: every page resolves its illustration and links on every build.
    root = os.fspath(content_root)
    if reference.startswith("/"):
        target = os.path.normpath(os.path.join(root, reference.lstrip("/")))
    else:
        target = os.path.normpath(os.path.join(os.fspath(page_folder), reference))
    top = root.rstrip(os.sep) + os.sep
    if not target.startswith(top):
        if target == root.rstrip(os.sep):
            return None, Problem(shown, line, f"'{reference}': no such file (content)")
        return None, Problem(shown, line, f"'{reference}' points outside content/")
    parts = target[len(top):].split(os.sep)
    for part in parts:
        if is_ignored_name(part):
            return None, Problem(shown, line, f"'{reference}': '{part}' is a hidden, backup or temporary "
                                 "name, never published: show the file itself")
    project, content = os.path.split(root.rstrip(os.sep))
    found = what_is_at(project, [content, *parts])
    if found not in (PLAIN_FILE, THROUGH_LINK) and not reference.isascii():
        # Written composed, saved decomposed (or the other way round): the same name to the editor.
        other = find_in_other_form(target, root.rstrip(os.sep))
        if other is not None:
            target, parts = other, other[len(top):].split(os.sep)
            found = what_is_at(project, [content, *parts])
    if found == THROUGH_LINK:
        outward = leading_out(project, [content, *parts])
        if outward is not None:
            return None, Problem(shown, line, f"'{reference}': {outward.link} {outward.message}")
        if os.path.islink(target) and not os.path.exists(target):
            real = shown_real(os.path.realpath(target), os.path.realpath(project))
            return None, Problem(shown, line, f"'{reference}': {'/'.join([content, *parts])} is a link to "
                                 f"{real}, which does not exist")
    if found == PLAIN_FILE or (found == THROUGH_LINK and os.path.isfile(target)):
        name = os.path.basename(target)
        if len(name) * 4 > MAX_NAME_BYTES - HASH_BYTES:  # four bytes at most a character: else short enough
            size = len(name.encode("utf-8", "surrogateescape")) + HASH_BYTES
            if size > MAX_NAME_BYTES:
                return None, Problem(shown, line, f"'{reference}': its name in the site's {MEDIA_DIR}/ folder, with "
                                     f"the digest the build adds, would be {size} bytes long in UTF-8, over the "
                                     f"{MAX_NAME_BYTES} a name in the site may have: give the file a shorter name")
        return Path(target), None
    return None, Problem(shown, line, f"'{reference}': no such file "
                         f"({display_path(Path(target), Path(project))})")


def image_size(data: bytes, suffix: str) -> tuple[int | None, int | None]:
    """Width and height from an image's header (PNG, GIF, JPEG, WebP, SVG), or (None, None)."""
    try:
        if data[:8] == b"\x89PNG\r\n\x1a\n":
            return struct.unpack(">II", data[16:24])
        if data[:6] in (b"GIF87a", b"GIF89a"):
            return struct.unpack("<HH", data[6:10])
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            return _webp_size(data)
        if data[:2] == b"\xff\xd8":
            return _jpeg_size(data)
        if suffix == ".svg":
            return _svg_size(data)
    except (struct.error, ValueError, IndexError):  # (an SVG that does not parse is a ValueError)
        pass
    return None, None


def _jpeg_size(data: bytes) -> tuple[int | None, int | None]:
    offset = 2
    while offset + 9 < len(data):
        if data[offset] != 0xFF:
            offset += 1
            continue
        marker = data[offset + 1]
        length = struct.unpack(">H", data[offset + 2:offset + 4])[0]
        # Start-of-frame markers carry the size; C4, C8 and CC are other tables.
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[offset + 5:offset + 9])
            return width, height
        offset += 2 + length
    return None, None


def _webp_size(data: bytes) -> tuple[int | None, int | None]:
    chunk = data[12:16]
    if chunk == b"VP8X":
        return 1 + int.from_bytes(data[24:27], "little"), 1 + int.from_bytes(data[27:30], "little")
    if chunk == b"VP8 ":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None, None


def _svg_size(data: bytes) -> tuple[int | None, int | None]:
    import xml.etree.ElementTree as ET  # only when an SVG is measured: a rebuild seldom does

    try:
        element = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ValueError(str(exc)) from exc
    width, height = element.get("width"), element.get("height")
    if width and height and re.fullmatch(r"[\d.]+(px)?", width) and re.fullmatch(r"[\d.]+(px)?", height):
        return round(float(width.rstrip("px"))), round(float(height.rstrip("px")))
    box = (element.get("viewBox") or "").replace(",", " ").split()
    if len(box) == 4:
        return round(float(box[2])), round(float(box[3]))
    return None, None
