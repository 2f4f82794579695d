"""Render static/img/share.png (the 1200x630 share card) from tools/share-card.html in headless Chromium.

Run by hand when the card's design changes; the PNG is committed, so builds need no browser."""

import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent


def main() -> int:
    """Screenshot the card page at its exact size into static/img/share.png."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        tab = browser.new_page(viewport={"width": 1200, "height": 630})
        tab.goto((HERE / "share-card.html").as_uri())
        tab.screenshot(path=str(HERE.parent / "static" / "img" / "share.png"))
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
