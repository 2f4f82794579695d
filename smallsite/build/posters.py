"""A story as a poster, 720 × 900 (issue 16): its illustration above, its title in the language's own
face below, drawn by the share cards' machinery (cards.py). tools/posters.py draws the campaign's into
content/posters/, where they are the about pages' photos of the billboards' idea."""

from __future__ import annotations

import io

from . import cards, fonts

WIDTH, HEIGHT = 1080, 1350  # drawn at this size, for the card's type sizes to hold
SAVED = (720, 900)  # and saved at this one: a gallery's column needs no more, and each build encodes less
PICTURE_HEIGHT = 810
QUALITY = 90


def draw_poster(card: cards.ShareCard) -> bytes:
    """The poster of a planned card (its title, label, faces and illustration) as JPEG bytes."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (WIDTH, HEIGHT), cards.BAND)
    draw = ImageDraw.Draw(image)
    picture = cards._illustration(card.illustration, (WIDTH, PICTURE_HEIGHT)) if card.illustration else None
    if picture is not None:
        image.paste(picture, (0, 0))
    width = WIDTH - 2 * cards.MARGIN
    top = PICTURE_HEIGHT + 48
    if card.label is not None:
        cards._draw_runs(draw, (cards.MARGIN, top), cards._fitted_line(card.label, cards.LABEL_SIZE, width,
                                                                       card.faces), cards.ACCENT)
        top += cards.LABEL_SIZE * 2
    bottom = HEIGHT - cards.MARGIN
    lines, size = cards._title_lines(card.title, width, bottom - top, card.faces)
    leading = round(size * (1.18 if fonts.writing(card.title.tag) == "latin" else 1.3))
    y = top + max(0, (bottom - top - leading * len(lines)) // 3)
    for runs in lines:
        cards._draw_runs(draw, (cards.MARGIN, y), runs, cards.PAPER)
        y += leading
    out = io.BytesIO()
    image.resize(SAVED, Image.Resampling.LANCZOS).save(out, "JPEG", quality=QUALITY, subsampling=0)
    return out.getvalue()
