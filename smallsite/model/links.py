"""Links (symlinks) that lead out of the project: a build never reads a file from outside it through one.

A link in content/, static/, templates/ or locales/ may lead to a file or folder anywhere inside the
project (a shared folder of pictures, say). One that leads outside it (to a home folder, /etc, another
checkout) is refused where a build would read through it, naming the link and where it leads: what it
leads to would be published, and `serve` serves what the build makes (links were followed blindly, and a
secret file was published). "Inside" is decided by os.path.realpath against the project's real path,
which follows chains of links and a `..` after a link as the system does. docs/symlinks-and-ignored-files.md
says the rule for editors and deployers."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

from .ignored import is_ignored_name
from .problems import Problem


@dataclass(frozen=True)
class OutwardLink:
    """A link on the way to a file, and the real path outside the project it leads to."""

    link: str  # from the project folder, with forward slashes: 'static/img/x.png'
    target: str  # absolute: '/home/u/secret'

    @property
    def message(self) -> str:
        return f"is a link to {self.target}, outside the project: refused"


class LeadsOut(Exception):
    """Raised for a file that a link on its way now leads out of the project."""

    def __init__(self, outward: OutwardLink):
        super().__init__(f"{outward.link}: {outward.message}")
        self.outward = outward


def is_inside(real: str, project: str) -> bool:
    """True when the real path `real` is the real path `project` or below it."""
    return real == project or real.startswith(project.rstrip(os.sep) + os.sep)


# What what_is_at finds.
PLAIN_FILE = "a file reached through no link"
THROUGH_LINK = "a path with a link on the way"
NO_FILE = "no file (missing, or a folder)"


def what_is_at(root: str | Path, parts: Sequence[str]) -> str:
    """PLAIN_FILE, THROUGH_LINK or NO_FILE: what `root/parts` is, looked at without following links.
    An lstat per part, far cheaper than os.path.realpath (this runs for every picture of every page);
    only THROUGH_LINK, which is rare, needs leading_out."""
    path, mode = os.fspath(root).rstrip(os.sep), 0
    for part in parts:
        path = path + os.sep + part
        try:
            mode = os.lstat(path).st_mode
        except OSError:  # missing: the caller's own read says so
            return NO_FILE
        if stat.S_ISLNK(mode):
            return THROUGH_LINK
    return PLAIN_FILE if stat.S_ISREG(mode) else NO_FILE


def outward_link(root: str | Path, parts: Sequence[str]) -> OutwardLink | None:
    """The link that leads out of the project on the way from its folder `root` (as written) down
    `parts` ('locales', 'ko_KR', ...), if one does."""
    return leading_out(root, parts) if what_is_at(root, parts) == THROUGH_LINK else None


def leading_out(root: str | Path, parts: Sequence[str]) -> OutwardLink | None:
    """As outward_link, without the quick look: which link on the way leads out (the first one, from the
    top; a chain of links is followed to its end), or None when the path really is in the project."""
    top = os.fspath(root)
    project = os.path.realpath(top)
    for count in range(1, len(parts) + 1):
        path = os.path.join(top, *parts[:count])
        if os.path.islink(path):
            real = os.path.realpath(path)
            if not is_inside(real, project):
                return OutwardLink("/".join(parts[:count]), real)
    return None


def shown_real(real: str, project: str) -> str:
    """A real path as an editor reads it: from the project folder when inside it."""
    if real == project:
        return "the project folder"
    return real[len(project) + 1:].replace(os.sep, "/") if is_inside(real, project) else real


def files_below(root: Path, folder: str) -> tuple[list[tuple[str, str]], list[Problem]]:
    """Every file below the project's `folder` but ignored names, as (its path from `folder`, its path),
    in a stable order, with the links in it followed while they stay in the project. A link that leads
    out, to nothing, or to a folder it is in (a loop) is a problem naming it, and is left out."""
    project = os.path.realpath(root)
    top = os.path.join(os.fspath(root), folder)
    real_top = os.path.realpath(top)
    if not is_inside(real_top, project):
        return [], [Problem(folder, None, OutwardLink(folder, real_top).message)]
    files: list[tuple[str, str]] = []
    problems: list[Problem] = []

    def scan(path: str, relative: str, real: str, above: tuple[str, ...]) -> None:
        try:
            entries = sorted(os.scandir(path), key=lambda entry: entry.name)
        except OSError:  # gone, or not readable: as os.walk, skip it
            return
        for entry in entries:
            if is_ignored_name(entry.name):
                continue
            name = relative + entry.name
            shown = f"{folder}/{name}"
            real_entry = os.path.join(real, entry.name)
            if entry.is_symlink():
                real_entry = os.path.realpath(entry.path)
                if not is_inside(real_entry, project):
                    problems.append(Problem(shown, None, OutwardLink(shown, real_entry).message))
                    continue
                if not os.path.exists(entry.path):
                    problems.append(Problem(shown, None, f"is a link to {shown_real(real_entry, project)}, "
                                            "which does not exist"))
                    continue
                if _is_folder(entry) and any(is_inside(folder_above, real_entry) for folder_above in above):
                    problems.append(Problem(shown, None, f"is a link to {shown_real(real_entry, project)}, "
                                            "a folder it is in: refused (it would never end)"))
                    continue
            if _is_folder(entry):
                scan(entry.path, name + "/", real_entry, (*above, real_entry))
            else:
                files.append((name, entry.path))

    if os.path.isdir(top):
        scan(top, "", real_top, (real_top,))
    return files, problems


def _is_folder(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # its type cannot be asked: taken as a file, whose read then says what is wrong
        return False


def output_files(out: str | Path, folders: list[str] | None = None) -> Iterator[tuple[str, str]]:
    """(output path, path) of every file below the output folder: anything but a real folder, so a link
    (to a folder too) is itself. Every real folder below it is added to `folders` when given, before what
    it holds. The one walk of the output folder, for the writer (output_folder.py) and the build stamp; as
    files_below is the one walk of the project's folders."""
    # Each folder's names carry their path from the top down: no relpath per file, which a rebuild that
    # writes one page would otherwise spend most of its listing on.
    pending = [(os.fspath(out), "")]
    while pending:
        folder, prefix = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:  # gone, or not readable: as os.walk, skip it
            continue
        for entry in entries:
            name = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                if folders is not None:
                    folders.append(name)
                pending.append((entry.path, name + "/"))
            else:
                yield name, entry.path
