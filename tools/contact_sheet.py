"""Every share card of a built site on one sheet, a row per page and a column per language (issue 15).

Run after a build, from the project folder: .venv/bin/python tools/contact_sheet.py [SITE] [OUT]
(defaults: site/ and docs/share-cards.jpg). The chooser's card ends the sheet."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from PIL import Image

PROJECT = Path(__file__).resolve().parent.parent
THUMB = (480, 252)
GAP = 12


def cards_by_page(site: Path, languages: list[str]) -> list[list[Path | None]]:
    """Rows of cards: each page folder of the default language, its card in every language."""
    first = languages[0]
    folders = sorted({card.parent.relative_to(site / first) for card in (site / first).rglob("card.*.jpg")},
                     key=lambda folder: (len(folder.parts), str(folder)))
    rows = []
    for folder in folders:
        row = []
        for lang in languages:
            found = sorted((site / lang / folder).glob("card.*.jpg"))
            row.append(found[0] if found else None)
        rows.append(row)
    chooser = sorted(site.glob("card.*.jpg"))
    if chooser:
        rows.append([chooser[0]] + [None] * (len(languages) - 1))
    return rows


def contact_sheet(site: Path, out: Path) -> None:
    settings = tomllib.loads((PROJECT / "site.toml").read_text(encoding="utf-8"))
    languages = [language["code"] for language in settings["languages"]]
    rows = cards_by_page(site, languages)
    sheet = Image.new("RGB", (GAP + len(languages) * (THUMB[0] + GAP), GAP + len(rows) * (THUMB[1] + GAP)), "white")
    for y, row in enumerate(rows):
        for x, card in enumerate(row):
            if card is not None:
                with Image.open(card) as picture:
                    sheet.paste(picture.convert("RGB").resize(THUMB, Image.Resampling.LANCZOS),
                                (GAP + x * (THUMB[0] + GAP), GAP + y * (THUMB[1] + GAP)))
    out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out, "JPEG", quality=85)
    print(f"{sum(c is not None for row in rows for c in row)} cards -> {out}")


if __name__ == "__main__":
    contact_sheet(Path(sys.argv[1]) if len(sys.argv) > 1 else PROJECT / "site",
                  Path(sys.argv[2]) if len(sys.argv) > 2 else PROJECT / "docs" / "share-cards.jpg")
