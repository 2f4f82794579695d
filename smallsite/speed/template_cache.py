"""Compiled templates, shared by the languages' Jinja environments and kept between builds.

Compiling the templates is most of what a rebuild that renders a page or two spends on Jinja, and each
language's environment compiled them again. Jinja's own bytecode-cache hook takes a template's code here,
keyed by its name, its file and a digest of its source (Jinja checks that one), and by smallsite's code
digest (which covers the environments' settings: every environment is made by environments.make_environment
alike). A corrupt file, or one written by other code, is ignored."""

from __future__ import annotations

from pathlib import Path

import jinja2

from .store import CACHE_DIR, read_cache_file, write_cache_file

CACHE_FILE = "templates.bin"


class CompiledTemplates(jinja2.BytecodeCache):
    """Template code by (name and file, source digest): in memory for a build, on disk between builds."""

    def __init__(self, path: Path | None, code: str):
        self.path, self.code = path, code
        self.entries: dict[str, tuple[str, object]] = _read(path, code) if path else {}
        self.changed = False

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        entry = self.entries.get(bucket.key)
        if entry is not None and entry[0] == bucket.checksum:
            bucket.code = entry[1]

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.entries[bucket.key] = (bucket.checksum, bucket.code)
        self.changed = True

    def save(self) -> None:
        """Write the templates compiled by this build, atomically (nothing when none was)."""
        if self.path is None or not self.changed:
            return
        write_cache_file(self.path, f"smallsite-templates {self.code}", self.entries)


def _read(path: Path, code: str) -> dict:
    entries = read_cache_file(path, f"smallsite-templates {code}")
    return {key: entry for key, entry in entries.items()
            if isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], str)
            and type(entry[1]).__name__ == "code"}


def compiled_templates(root: Path | None, code: str) -> CompiledTemplates:
    """The project's compiled templates (root None: shared in memory by this build's environments only)."""
    return CompiledTemplates(root / CACHE_DIR / CACHE_FILE if root is not None else None, code)
