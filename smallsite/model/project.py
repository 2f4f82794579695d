"""What a project holds that a build reads: its settings file and four folders, named here once.

The build reads them (config.py, content.py, render.py, assets.py, catalogues.py), the build stamp
records every file in them, the watcher rebuilds when one changes, and no output folder may overlap one:
one list, so that none of these can leave out a folder another reads."""

from __future__ import annotations

from typing import Iterable

CONFIG_NAME = "site.toml"
CONTENT_DIR = "content"
TEMPLATES_DIR = "templates"
LOCALES_DIR = "locales"
STATIC_DIR = "static"
INPUT_FILES = (CONFIG_NAME,)
INPUT_FOLDERS = (CONTENT_DIR, TEMPLATES_DIR, LOCALES_DIR, STATIC_DIR)


def only_content_changed(changed: Iterable[str]) -> bool:
    """True when every changed path (from the project folder) is in content/: no template, catalogue,
    static file or setting changed, so only pages and their pictures may differ."""
    return all(name.startswith(CONTENT_DIR + "/") for name in changed)


def only_pages_changed(changed: Iterable[str]) -> bool:
    """True when every changed path is a page's source (no picture, template, catalogue, ...)."""
    return all(name.startswith(CONTENT_DIR + "/") and name.endswith(".md") for name in changed)
