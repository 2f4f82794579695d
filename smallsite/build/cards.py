"""Share cards: the 1200×630 JPEG a link shows on Facebook, X, LinkedIn, KakaoTalk, LINE, WeChat (issue 15).

A card is planned while its page renders (`plan_card`: what it shows, where it goes, what is wrong with
it) and drawn later, only when the output folder does not hold it yet (`draw_card`). Its file name carries
a digest of everything it shows, of the faces it is drawn in and of this module, so a card whose name is
unchanged is the same picture. The title is set in its language's own face (fonts.py) and broken as that
language breaks lines: Japanese and Chinese between BudouX's phrases, others at spaces."""

from __future__ import annotations

import hashlib
import io
import os
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from ..model.problems import WARNING, Problem
from . import fonts
from .fonts import Face

if TYPE_CHECKING:  # Pillow, resvg and BudouX load only when a card is drawn: planning one needs none
    from PIL import Image, ImageDraw

WIDTH, HEIGHT = 1200, 630
# JPEG, not PNG: as sharp at this quality with full-resolution colour (subsampling 0), a sixth of the
# time to encode, and what the networks turn every card into anyway.
TYPE = "image/jpeg"
CARD_NAME = "card"  # media/cards/<page's folder>/card.<digest>.jpg
# Under media/ with every other hashed file, so one rule caches them all for a year at any host (host/).
CARD_FOLDER = "media/cards/"
QUALITY = 90

# The site's own colours (static/css/site.css: --band, --paper, --accent, the dark scheme's --muted).
BAND, PAPER, ACCENT, MUTED, RING = "#1d2a44", "#f6f1e7", "#ff8a4c", "#b6bccb", "#2c3a5a"
MARGIN = 72
ILLUSTRATION_WIDTH = 520  # the illustration fills the card's right side
TITLE_SIZES = (76, 68, 60, 54, 48, 42)  # the largest at which the title fits is used
TITLE_LINES = 3
LABEL_SIZE = 30  # the site's name, above the title
FOOTER_SIZE = 26  # the site's host, at the bottom


class CardText(NamedTuple):
    """A text on a card and the language it is written in (BCP 47 tag)."""

    text: str
    tag: str


class ShareCard(NamedTuple):
    """A card to draw: what it shows, where it goes in the site and the faces it is drawn in."""

    output_path: str
    title: CardText
    label: CardText | None  # the site's name (None on the chooser, whose title is the site's name)
    footer: str
    illustration: str | None  # the source file's path (SVG, PNG or JPEG), checked by resolve_hero
    others: tuple[CardText, ...]  # the chooser's titles in the other languages
    faces: tuple[Face, ...]  # the title's face first, then where missing characters are looked for


class PlannedCard(NamedTuple):
    """A page's card, or None when this machine has no face for its language (the site-wide card is
    shown), and the warnings met planning it."""

    card: ShareCard | None
    problems: tuple[Problem, ...]


def plan_card(folder: str, title: CardText, label: CardText | None, footer: str, illustration: str | None,
              illustration_digest: str, others: tuple[CardText, ...], shown: str, line: int | None
              ) -> PlannedCard:
    """The card of the page whose output folder is `folder` ('ja/stories/x/', '' for the root)."""
    face = fonts.face_for(title.tag)
    if face is None:
        return PlannedCard(None, (Problem(shown, line, f"no {fonts.FAMILIES[fonts.writing(title.tag)][0]} font "
                                  f"on this machine for the {title.tag} share cards, which show the site-wide "
                                  f"card instead: install {fonts.INSTALL_HINT}", WARNING),))
    faces = (face, *(f for f in fonts.fallback_faces() if f != face))
    problems = []
    texts = [title, *([label] if label else []), *others]
    for text in texts:
        missing = sorted({c for c in text.text if not c.isspace() and _face_of(c, faces) is None})
        if missing:
            listed = ", ".join(f"'{c}' (U+{ord(c):04X})" for c in missing)
            problems.append(Problem(shown, line, f"share card: no installed font has {listed} in "
                                    f"'{text.text}'; the card shows a box for it", WARNING))
    if illustration and illustration.lower().endswith(".svg") and not _svg_allowed(illustration, illustration_digest):
        problems.append(Problem(shown, line, f"share card: {os.path.basename(illustration)} refers to files "
                                "outside itself (an <image> or url() that is not data: or #id); the card "
                                "shows no illustration", WARNING))
    digest = hashlib.sha256("\n".join([
        _code_digest(), *(f"{t.tag}:{t.text}" for t in texts), footer, illustration_digest,
        *(f.identity for f in faces)]).encode("utf-8")).hexdigest()[:10]
    card = ShareCard(f"{CARD_FOLDER}{folder}{CARD_NAME}.{digest}.jpg", title, label, footer, illustration, others, faces)
    return PlannedCard(card, tuple(problems))


@lru_cache(maxsize=64)
def _svg_allowed(path: str, digest: str) -> bool:
    """self_contained_svg for an illustration file, once per version of it (`digest`)."""
    try:
        with open(path, "rb") as source:
            return self_contained_svg(source.read())
    except OSError:
        return False


@lru_cache(maxsize=1)
def _code_digest() -> str:
    """How cards are drawn: this module, the faces' and the phrases' (fonts.py, font_tables.py,
    phrases.py), and the versions of the libraries that draw, break and encode, found without importing
    them. A change to any renames (so redraws) every card."""
    import importlib.util

    digest = hashlib.sha256()
    here = os.path.dirname(__file__)
    for module in ("cards.py", "fonts.py", "font_tables.py", "phrases.py"):
        with open(os.path.join(here, module), "rb") as source:
            digest.update(source.read())
    for module, distribution in (("PIL", "pillow"), ("budoux", "budoux"), ("resvg_py", "resvg_py")):
        # The installed version, from its .dist-info folder's name (the same on every machine, unlike
        # a file's time; importlib.metadata would take longer than planning every card of a rebuild).
        try:
            packages = os.path.dirname(os.path.dirname(importlib.util.find_spec(module).origin))
            found = sorted(entry.lower() for entry in os.listdir(packages)
                           if entry.lower().startswith(distribution + "-") and entry.endswith(".dist-info"))
        except (OSError, TypeError, AttributeError, ValueError, ImportError):
            found = []
        digest.update(f"{module}:{','.join(found) or '?'};".encode())
    return digest.hexdigest()


def _face_of(character: str, faces: tuple[Face, ...]) -> Face | None:
    return next((face for face in faces if fonts.has_character(face, character)), None)


def draw_card(card: ShareCard) -> bytes:
    """The card as JPEG bytes (the same card always gives the same bytes)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (WIDTH, HEIGHT), BAND)
    draw = ImageDraw.Draw(image)
    picture = _illustration(card.illustration) if card.illustration else None
    if picture is not None:
        image.paste(picture, (WIDTH - ILLUSTRATION_WIDTH, 0))
        text_right = WIDTH - ILLUSTRATION_WIDTH - 56
    else:
        # The site-wide card's ring and dot, so a page without a picture is still recognisably ours.
        draw.ellipse((690, -100, 1350, 560), outline=RING, width=44)
        draw.ellipse((994, 170, 1040, 216), fill=ACCENT)
        text_right = WIDTH - 300
    width = text_right - MARGIN
    top = MARGIN
    if card.label is not None and card.label.text != card.title.text:  # (a home page's title is the site's)
        _draw_runs(draw, (MARGIN, top), _fitted_line(card.label, LABEL_SIZE, width, card.faces), ACCENT)
        top += round(LABEL_SIZE * 2)
    bottom = HEIGHT - MARGIN - FOOTER_SIZE - 36
    if card.others:  # the chooser: its title in every other language, each in its own face, on one line
        bottom -= 56
        _draw_others(draw, card, bottom + 4)
    lines, size = _title_lines(card.title, width, bottom - top, card.faces)
    leading = round(size * (1.18 if fonts.writing(card.title.tag) == "latin" else 1.3))
    y = top + max(0, (bottom - top - leading * len(lines)) // 2)
    for runs in lines:
        _draw_runs(draw, (MARGIN, y), runs, PAPER)
        y += leading
    if card.footer:
        _draw_runs(draw, (MARGIN, HEIGHT - MARGIN - FOOTER_SIZE),
                   _fitted_line(CardText(card.footer, "en"), FOOTER_SIZE, width, card.faces), MUTED)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=QUALITY, subsampling=0)  # no timestamp or EXIF: the same card, the same bytes
    return out.getvalue()


# A line as runs of text, each in the face that has its characters, at one size.
Run = tuple[str, Face, int]


def _runs(text: str, size: int, faces: tuple[Face, ...]) -> list[Run]:
    runs: list[Run] = []
    for character in text:
        face = _face_of(character, faces) or faces[0]
        if runs and runs[-1][1] == face:
            runs[-1] = (runs[-1][0] + character, face, size)
        else:
            runs.append((character, face, size))
    return runs


def _length(runs: list[Run]) -> float:
    return sum(fonts.loaded(face, size).getlength(text) for text, face, size in runs)


def _draw_runs(draw: ImageDraw.ImageDraw, at: tuple[int, int], runs: list[Run], colour: str) -> None:
    x, y = at
    for text, face, size in runs:
        font = fonts.loaded(face, size)
        draw.text((x, y), text, font=font, fill=colour)
        x += font.getlength(text)


def _pieces(text: CardText) -> list[str]:
    """What a line may break between: words with the space after them, or ja/zh phrases."""
    if fonts.writing(text.tag) in ("ja", "zh-hans", "zh-hant"):
        from .phrases import phrases

        return list(phrases(text.text, text.tag))
    words = text.text.split(" ")
    return [word + " " for word in words[:-1]] + [words[-1]]


def _title_lines(title: CardText, width: int, height: int, faces: tuple[Face, ...]) -> tuple[list[list[Run]], int]:
    """The title broken into lines at the largest size where it fits `width` in TITLE_LINES lines."""
    pieces = _pieces(title)
    for size in TITLE_SIZES:
        lines = _broken(pieces, size, width, faces)
        leading = size * 1.3
        if lines is not None and len(lines) <= TITLE_LINES and len(lines) * leading <= height:
            lines = _balanced(pieces, size, width, faces, len(lines))
            return [_runs(line.strip(), size, faces) for line in lines], size
    size = TITLE_SIZES[-1]
    lines = _broken(pieces, size, width, faces, split_long=True) or [title.text]
    kept = lines[:TITLE_LINES]
    if len(lines) > TITLE_LINES:  # longer than any card holds: the last line ends in an ellipsis
        last = kept[-1].rstrip()
        while last and _length(_runs(last + "…", size, faces)) > width:
            # Words written with spaces are dropped whole; ja and zh lose a character at a time.
            last = last.rpartition(" ")[0].rstrip() if " " in last else last[:-1]
        kept[-1] = last + "…"
    return [_runs(line.strip(), size, faces) for line in kept], size


def _balanced(pieces: list[str], size: int, width: int, faces: tuple[Face, ...], count: int) -> list[str]:
    """The title in `count` lines of even length (as CSS's text-wrap: balance): no word left alone on
    its last line. The narrowest width that still needs no more lines is found by halving."""
    narrow, wide = width // 3, width
    while wide - narrow > 4:
        middle = (narrow + wide) // 2
        lines = _broken(pieces, size, middle, faces)
        if lines is not None and len(lines) <= count:
            wide = middle
        else:
            narrow = middle
    return _broken(pieces, size, wide, faces) or []


def _broken(pieces: list[str], size: int, width: int, faces: tuple[Face, ...], split_long: bool = False
            ) -> list[str] | None:
    """Pieces filled into lines no wider than `width`; None when a piece alone is wider (unless
    `split_long`, which breaks it between characters, as a last resort)."""
    lines: list[str] = []
    line = ""
    for piece in pieces:
        if _length(_runs((line + piece).strip(), size, faces)) <= width:
            line += piece
            continue
        if line.strip():
            lines.append(line)
        line = piece
        if _length(_runs(piece.strip(), size, faces)) > width:
            if not split_long:
                return None
            line = ""
            for character in piece:
                if line and _length(_runs((line + character).strip(), size, faces)) > width:
                    lines.append(line)
                    line = ""
                line += character
    if line.strip():
        lines.append(line)
    return lines


def _fitted_line(text: CardText, size: int, width: int, faces: tuple[Face, ...]) -> list[Run]:
    """One line of small text, cut with an ellipsis if it is too long."""
    shown = text.text
    while shown and _length(_runs(shown, size, faces)) > width:
        shown = shown[:-2] + "…" if len(shown) > 1 else ""
    return _runs(shown, size, faces)


def _draw_others(draw: ImageDraw.ImageDraw, card: ShareCard, y: int) -> None:
    x = MARGIN
    for other in card.others:
        face = fonts.face_for(other.tag)
        faces = ((face,) if face else ()) + tuple(f for f in card.faces if f != face)
        runs = _runs(other.text, 32, faces)
        if x + _length(runs) > WIDTH - MARGIN:
            break
        _draw_runs(draw, (x, y), runs, ACCENT)
        x += round(_length(runs)) + 44


def _illustration(path: str, box: tuple[int, int] = (ILLUSTRATION_WIDTH, HEIGHT)) -> Image.Image | None:
    """The illustration, scaled to cover the card's right side and cropped to its middle."""
    try:
        with open(path, "rb") as source:
            data = source.read()
    except OSError:
        return None  # (plan_card's page already reported an illustration it could not read)
    return _covering(data, path.lower().endswith(".svg"), box)


@lru_cache(maxsize=8)  # by its bytes: a story's picture is on each of its languages' cards, drawn in a row
def _covering(data: bytes, is_svg: bool, box: tuple[int, int]) -> Image.Image | None:
    from PIL import Image

    try:
        if is_svg:
            picture = _rasterized(data, box[1])
        else:
            from PIL import ImageOps

            picture = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))  # a phone photo stands up
            picture.load()
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    if picture is None:
        return None
    picture = picture.convert("RGBA")
    flat = Image.new("RGBA", picture.size, BAND)
    flat.alpha_composite(picture)
    width, height = box
    scale = max(width / flat.width, height / flat.height)
    size = (max(width, round(flat.width * scale)), max(height, round(flat.height * scale)))
    flat = flat.resize(size, Image.Resampling.LANCZOS)
    left, top = (size[0] - width) // 2, (size[1] - height) // 2
    return flat.crop((left, top, left + width, top + height)).convert("RGB")


def _rasterized(svg: bytes, height: int = HEIGHT) -> Image.Image | None:
    """An SVG as pixels, by resvg; None for one that reaches outside itself."""
    import resvg_py  # only when a card with an SVG is drawn
    from PIL import Image

    if not self_contained_svg(svg):
        return None
    try:
        png = resvg_py.svg_to_bytes(svg_string=svg.decode("utf-8"), height=height, skip_system_fonts=True,
                                    font_files=[face.path for face in fonts.fallback_faces()])
    except Exception:  # noqa: BLE001 - an SVG resvg cannot draw: the card goes without it (the page shows it)
        return None
    picture = Image.open(io.BytesIO(bytes(png)))
    picture.load()
    return picture


def self_contained_svg(svg: bytes) -> bool:
    """Whether the SVG refers to nothing outside itself. resvg would draw an <image> of any file on the
    machine (/etc/…, ~/.ssh/…) into the card: only links within the SVG and data: images are allowed."""
    from xml.etree import ElementTree

    try:
        root = ElementTree.fromstring(svg)
    except ElementTree.ParseError:
        return False
    for element in root.iter():
        for name, value in element.attrib.items():
            if name.rpartition("}")[2] == "href":
                value = value.strip()
                if not (value.startswith("#") or value.lower().startswith("data:image/")):
                    return False
        if element.tag.rpartition("}")[2] == "style" and "url(" in (element.text or "").replace("url(#", ""):
            return False
        if "url(" in element.attrib.get("style", "").replace("url(#", ""):
            return False
    return True


def card_size() -> tuple[int, int]:
    """Every card's pixel size (what og:image:width and :height declare)."""
    return WIDTH, HEIGHT

