"""The two tables of an OpenType font a build reads without drawing anything: `name` (which family and
style a face is) and `cmap` (which characters it has). Reading them directly, a few kilobytes of a
20 MB collection, lets a build that draws no card (a rebuild after one edit) plan one without loading
an imaging library; fonts.py draws with Pillow only when a card is drawn."""

from __future__ import annotations

import bisect
import struct
from typing import BinaryIO

SFNT_VERSIONS = (b"\x00\x01\x00\x00", b"OTTO", b"true")
WINDOWS, UNICODE = 3, 0
ENGLISH_US = 0x409


def face_offsets(handle: BinaryIO) -> list[int]:
    """Where each face of the file starts: one for a .ttf or .otf, several for a collection."""
    handle.seek(0)
    tag = handle.read(4)
    if tag == b"ttcf":
        _, count = struct.unpack(">II", handle.read(8))
        return list(struct.unpack(f">{count}I", handle.read(4 * count)))
    return [0] if tag in SFNT_VERSIONS else []


def _tables(handle: BinaryIO, offset: int) -> dict[bytes, tuple[int, int]]:
    handle.seek(offset + 4)
    (count,) = struct.unpack(">H", handle.read(2))
    handle.seek(offset + 12)
    records = handle.read(16 * count)
    tables = {}
    for index in range(count):
        tag, _, start, length = struct.unpack_from(">4sIII", records, 16 * index)
        tables[tag] = (start, length)
    return tables


def _table(handle: BinaryIO, offset: int, tag: bytes) -> bytes:
    start, length = _tables(handle, offset).get(tag, (0, 0))
    handle.seek(start)
    return handle.read(length) if length else b""


def family_and_style(handle: BinaryIO, offset: int) -> tuple[str, str]:
    """The face's family and style names as applications show them (typographic names first)."""
    data = _table(handle, offset, b"name")
    if len(data) < 6:
        return "", ""
    _, count, strings = struct.unpack_from(">HHH", data, 0)
    names: dict[int, str] = {}
    for index in range(count):
        platform, encoding, language, name_id, length, start = struct.unpack_from(">6H", data, 6 + 12 * index)
        if platform == WINDOWS and encoding in (1, 10) and language == ENGLISH_US and name_id in (1, 2, 16, 17):
            raw = data[strings + start:strings + start + length]
            names[name_id] = raw.decode("utf-16-be", "replace")
    return names.get(16) or names.get(1, ""), names.get(17) or names.get(2, "")


class CharacterMap:
    """The characters a face has a glyph for, as sorted ranges of code points."""

    def __init__(self, ranges: list[tuple[int, int]]):
        ranges.sort()
        self.starts = [start for start, _ in ranges]
        self.ends = [end for _, end in ranges]

    def __contains__(self, code: int) -> bool:
        at = bisect.bisect_right(self.starts, code) - 1
        return at >= 0 and code <= self.ends[at]


def character_map(handle: BinaryIO, offset: int) -> CharacterMap:
    """The face's Unicode cmap: the full-repertoire subtable (format 12) if it has one, else the BMP one
    (format 4). A code point mapped to glyph 0 is missing."""
    data = _table(handle, offset, b"cmap")
    if len(data) < 4:
        return CharacterMap([])
    (count,) = struct.unpack_from(">H", data, 2)
    subtables = {}
    for index in range(count):
        platform, encoding, start = struct.unpack_from(">HHI", data, 4 + 8 * index)
        (kind,) = struct.unpack_from(">H", data, start)
        subtables.setdefault((kind, platform, encoding), start)
    for kind, platform, encoding in ((12, WINDOWS, 10), (12, UNICODE, 4), (12, UNICODE, 6)):
        if (kind, platform, encoding) in subtables:
            return CharacterMap(_format_12(data, subtables[(kind, platform, encoding)]))
    for platform, encoding in ((WINDOWS, 1), (UNICODE, 3), (UNICODE, 1), (UNICODE, 0)):
        if (4, platform, encoding) in subtables:
            return CharacterMap(_format_4(data, subtables[(4, platform, encoding)]))
    return CharacterMap([])


def _format_12(data: bytes, start: int) -> list[tuple[int, int]]:
    (groups,) = struct.unpack_from(">I", data, start + 12)
    ranges = []
    for index in range(groups):
        first, last, glyph = struct.unpack_from(">III", data, start + 16 + 12 * index)
        if glyph == 0:  # the group's first code point is .notdef: the rest are real
            first += 1
        if first <= last:
            ranges.append((first, last))
    return ranges


def _format_4(data: bytes, start: int) -> list[tuple[int, int]]:
    (doubled,) = struct.unpack_from(">H", data, start + 6)
    segments = doubled // 2
    ends = struct.unpack_from(f">{segments}H", data, start + 14)
    starts = struct.unpack_from(f">{segments}H", data, start + 16 + doubled)
    deltas = struct.unpack_from(f">{segments}h", data, start + 16 + 2 * doubled)
    offsets_at = start + 16 + 3 * doubled
    offsets = struct.unpack_from(f">{segments}H", data, offsets_at)
    ranges = []
    for index in range(segments):
        first, last = starts[index], ends[index]
        if first == 0xFFFF:
            continue
        if offsets[index] == 0:  # every code maps to code + delta: glyph 0 only where that wraps to 0
            ranges += [(code, code) for code in range(first, last + 1) if (code + deltas[index]) & 0xFFFF] \
                if any(((code + deltas[index]) & 0xFFFF) == 0 for code in (first, last)) else [(first, last)]
            continue
        for code in range(first, last + 1):  # through the glyph array
            at = offsets_at + 2 * index + offsets[index] + 2 * (code - first)
            if at + 2 <= len(data) and struct.unpack_from(">H", data, at)[0]:
                ranges.append((code, code))
    return ranges
