"""Problem(path, line, message): how every error and warning is carried and shown."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

ERROR = "error"
WARNING = "warning"
# What a terminal obeys rather than shows: C0 and C1 controls (NUL, ESC starting a colour or a screen
# clear, CSI), DEL, line and paragraph separators, and the bidirectional overrides and isolates that
# reorder the text around them. A file's name or front matter can hold any of them.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the sources, tied to the file and line an editor must open."""

    path: str
    line: int | None
    message: str
    severity: str = ERROR

    def __str__(self) -> str:
        """`path:line: message`, with every control character shown escaped (\\x1b), never obeyed."""
        where = f"{self.path}:{self.line}" if self.line else self.path
        tag = "" if self.severity == ERROR else f"{self.severity}: "
        return _CONTROL.sub(_escaped, f"{where}: {tag}{self.message}")

    def __lt__(self, other: "Problem") -> bool:
        # By file, then line; a problem with no line (the whole file) comes first in its file.
        return (self.path, self.line or 0, self.message, self.severity) < \
            (other.path, other.line or 0, other.message, other.severity)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


def _escaped(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def unique(problems: Iterable[Problem]) -> list[Problem]:
    """Each problem once, in the order first met: one source is shown by several pages (its fallbacks
    in other languages, its story card), which would each report what is wrong with it."""
    return list(dict.fromkeys(problems))


class BuildFailed(Exception):
    """Raised when a stage finds problems that make going on pointless."""

    def __init__(self, problems: list[Problem]):
        problems = unique(problems)
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = sorted(problems)


def plain(problems: Iterable[Problem]) -> tuple[tuple, ...]:
    """Problems as plain tuples, which marshal and the caches store; `Problem(*each)` makes them again."""
    return tuple((p.path, p.line, p.message, p.severity) for p in problems)


def display_path(path: Path, root: Path) -> str:
    """The path as an editor would type it: relative to the project when inside it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def errors_in(problems: list[Problem], strict: bool = False) -> list[Problem]:
    """The problems that fail a build; with `strict`, warnings fail it too."""
    return [p for p in problems if p.is_error or strict]
