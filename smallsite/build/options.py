"""How a build was asked for, and when its problems stop it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ..model.problems import BuildFailed, Problem


@dataclass(frozen=True)
class BuildOptions:
    """How to build: what the command line asked for."""

    strict: bool = False
    drafts: bool = False
    # A build for `serve`: shows editors' notices (a stale translation) that the published site never has.
    preview: bool = False
    # Told (pages done, pages in all) while pages render: the command line draws its progress line with it.
    progress: Callable[[int, int], None] | None = field(default=None, compare=False)


def stop_on_errors(problems: list[Problem], options: BuildOptions) -> None:
    """Raise BuildFailed when a problem is an error (or any problem, with --strict)."""
    if any(p.is_error or options.strict for p in problems):
        raise BuildFailed(problems)
