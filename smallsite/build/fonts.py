"""The typefaces share cards are drawn in, found on this machine (issue 15).

Each language has its own: Japanese and Chinese share most characters but draw many of them differently
(骨, 直, 写), so a ja card is drawn in a JP face and a zh card in an SC one, never one for both. Nothing
is downloaded: the faces are looked for in the folders where the system and the user keep fonts (no root
needed for ~/.local/share/fonts), and in any folder named by SMALLSITE_FONTS. docs/share-cards.md says
where each comes from. A language whose face is missing gets the site-wide card and a warning saying
what to install."""

from __future__ import annotations

import os
import struct
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from . import font_tables

if TYPE_CHECKING:
    from PIL import ImageFont

# Folders named by this variable (separated as PATH is) are searched first.
FONTS_VARIABLE = "SMALLSITE_FONTS"
FONT_SUFFIXES = (".otf", ".ttf", ".ttc", ".otc")
STYLE = "Bold"  # cards show titles: one weight, the bold one


@dataclass(frozen=True)
class Face:
    """One face of a font file (a .ttc holds several), and what names it."""

    path: str
    index: int
    family: str
    size: int  # bytes of its file: with the family, what tells one version of a face from another

    @property
    def identity(self) -> str:
        """What a card's name depends on: the same face on another machine gives the same cards."""
        return f"{self.family}|{os.path.basename(self.path)}|{self.index}|{self.size}"


# The families each writing is drawn in, best first, by the language's BCP 47 tag. Noto Sans CJK is
# Debian's fonts-noto-cjk (and Source Han Sans under Adobe's name); the single-language Noto Sans JP,
# SC, KR are what Google Fonts and @fontsource ship.
FAMILIES = {
    "ja": ("Noto Sans CJK JP", "Source Han Sans JP", "Noto Sans JP"),
    "ko": ("Noto Sans CJK KR", "Source Han Sans KR", "Noto Sans KR"),
    "zh-hans": ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC"),
    "zh-hant": ("Noto Sans CJK TC", "Source Han Sans TC", "Noto Sans TC"),
    # Latin, Greek, Cyrillic: Noto Sans, else the Latin of a CJK face (itself a good sans), else DejaVu.
    "latin": ("Noto Sans", "Noto Sans CJK JP", "Noto Sans CJK SC", "Noto Sans CJK KR", "Source Han Sans JP",
              "DejaVu Sans"),
}
# What to tell an editor to install for each writing.
INSTALL_HINT = ("fonts-noto-cjk (Debian, Ubuntu: apt install fonts-noto-cjk), or the Noto Sans CJK fonts "
                "from https://github.com/notofonts/noto-cjk in ~/.local/share/fonts")


def writing(tag: str) -> str:
    """The FAMILIES key for a language tag: ja, ko, zh-hans, zh-hant or latin."""
    language, *rest = tag.lower().split("-")
    if language == "zh":
        return "zh-hant" if rest and rest[0] in ("hant", "tw", "hk", "mo") else "zh-hans"
    return language if language in FAMILIES else "latin"


def font_folders() -> tuple[Path, ...]:
    """Where fonts are looked for, in order: SMALLSITE_FONTS, the user's, the system's."""
    return _font_folders(os.environ.get(FONTS_VARIABLE, ""), os.environ.get("HOME", ""),
                         os.environ.get("XDG_DATA_HOME", ""))


@lru_cache(maxsize=8)  # asked for every card: worked out once for the same environment
def _font_folders(named_folders: str, home_folder: str, data_folder: str) -> tuple[Path, ...]:
    named = [Path(p) for p in named_folders.split(os.pathsep) if p]
    home = Path(home_folder) if home_folder else Path.home()
    if sys.platform == "darwin":
        usual = [home / "Library/Fonts", Path("/Library/Fonts"), Path("/System/Library/Fonts")]
    elif sys.platform == "win32":
        usual = [Path(os.environ.get("LOCALAPPDATA", home)) / "Microsoft/Windows/Fonts",
                 Path(os.environ.get("WINDIR", "C:/Windows")) / "Fonts"]
    else:
        data = Path(data_folder) if data_folder else home / ".local/share"
        usual = [data / "fonts", home / ".fonts", Path("/usr/local/share/fonts"), Path("/usr/share/fonts")]
    return tuple(named + usual)


@lru_cache(maxsize=None)
def installed_faces(folders: tuple[Path, ...]) -> dict[str, Face]:
    """Family -> its bold face, for the families FAMILIES names, as found in `folders` (first folder
    first, then paths in sorted order: the same machine always picks the same file)."""
    wanted = {family for families in FAMILIES.values() for family in families}
    found: dict[str, Face] = {}
    for folder in folders:
        for path in _font_files(folder):
            name = os.path.basename(path).lower().replace(" ", "")
            # Only files that may hold a wanted bold face are opened: a system has thousands of fonts.
            if "bold" not in name or not any(word in name for word in ("noto", "sourcehan", "dejavu")):
                continue
            for face in _faces(path):
                if face.family in wanted and face.family not in found:
                    found[face.family] = face
    return found


def _font_files(folder: Path) -> list[str]:
    files = []
    for top, folders, names in os.walk(folder):  # (a folder that is missing walks as empty)
        folders.sort()
        files += [os.path.join(top, n) for n in sorted(names) if n.lower().endswith(FONT_SUFFIXES)]
    return files


def _faces(path: str) -> list[Face]:
    """The bold faces in a font file, read from its name tables (nothing is drawn, no imaging library)."""
    faces = []
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as handle:
            for index, offset in enumerate(font_tables.face_offsets(handle)):
                family, style = font_tables.family_and_style(handle, offset)
                if style == STYLE and family:
                    faces.append(Face(path, index, family, size))
    except (OSError, ValueError, struct.error):  # a damaged font file is none
        return []
    return faces


def face_for(tag: str) -> Face | None:
    """The face a language's card titles are drawn in, or None when none of its families is installed."""
    return _face_for(writing(tag), font_folders())


@lru_cache(maxsize=64)
def _face_for(script: str, folders: tuple[Path, ...]) -> Face | None:
    faces = installed_faces(folders)
    return next((faces[f] for f in FAMILIES[script] if f in faces), None)


def fallback_faces() -> tuple[Face, ...]:
    """Every installed face, in FAMILIES' order: where a character missing from a card's own face is
    looked for (a Latin name in a Japanese title is in the JP face; a rare Han character may not be)."""
    return _fallback_faces(font_folders())


@lru_cache(maxsize=8)
def _fallback_faces(folders: tuple[Path, ...]) -> tuple[Face, ...]:
    faces = installed_faces(folders)
    seen: list[Face] = []
    for families in FAMILIES.values():
        for family in families:
            if family in faces and faces[family] not in seen:
                seen.append(faces[family])
    return tuple(seen)


@lru_cache(maxsize=256)
def loaded(face: Face, size: int) -> ImageFont.FreeTypeFont:
    """A face at a pixel size (opened once per process), to draw with."""
    from PIL import ImageFont  # only when a card is drawn

    return ImageFont.truetype(face.path, size, index=face.index, layout_engine=ImageFont.Layout.BASIC)


@lru_cache(maxsize=32)
def _character_map(face: Face) -> font_tables.CharacterMap:
    try:
        with open(face.path, "rb") as handle:
            return font_tables.character_map(handle, font_tables.face_offsets(handle)[face.index])
    except (OSError, ValueError, IndexError, struct.error):
        return font_tables.CharacterMap([])


def has_character(face: Face, character: str) -> bool:
    """Whether the face has a glyph for `character` (else it would show its missing-glyph box)."""
    return ord(character) in _character_map(face)


def faces_identity() -> str:
    """Every face cards may be drawn in: a page names its card, whose name depends on them, so a memo
    that keeps pages keeps them only while these are the same."""
    faces = installed_faces(font_folders())
    return "\n".join(sorted(face.identity for face in faces.values()))
