"""What of a previous model a save leaves valid: serve's prepare re-reads only what the watcher reported.

The rules are conservative: anything but a file in content/ changing (a template, a catalogue, a static
file, site.toml), or other settings, and nothing is reused. The result of a prepare that reuses is the
same as of one that does not (tests/test_serve_matches_build.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..build.memo import EarlierModel
from ..model.project import only_content_changed

if TYPE_CHECKING:
    from ..model.config import SiteConfig
    from ..build.options import BuildOptions
    from ..build.prepare import PreparedSite


def reusable_parts(config: SiteConfig, options: BuildOptions, previous: PreparedSite,
                   changed: frozenset[str]) -> EarlierModel:
    """What a watcher's batch of changed paths (relative to the project) leaves valid of `previous`
    (with nothing valid, its pages' front matter may still be kept: read_page checks that text)."""
    if previous.config != config \
            or (previous.options.strict, previous.options.drafts) != (options.strict, options.drafts):
        return EarlierModel(previous)
    if not only_content_changed(changed):
        return EarlierModel(previous)
    known = {source.shown: source.path for source in previous.sources}
    reread = {known[name] for name in changed if name in known}
    unknown = [name for name in changed if name not in known]
    if unknown:  # a new file, or a folder created, moved or deleted: every page below it changes
        reread.update(path for shown, path in known.items()
                      if any(shown.startswith(name + "/") for name in unknown))
    # A source that is now a link: find_sources decides whether it may be read (links.py).
    same_files = not unknown and all(known[name].is_file() and not known[name].is_symlink() for name in changed)
    return EarlierModel(previous, pages=True, sources=same_files, templates=True, reread=frozenset(reread))
