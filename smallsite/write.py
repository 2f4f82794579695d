"""The output tree in memory -> the output folder on disk, swapped in whole or not at all."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .problems import BuildFailed, Problem

# Folders of the project that an output folder must never be, contain, or sit inside.
SOURCE_FOLDERS = ("content", "templates", "locales", "static", "smallsite", "tests", ".git")


def check_output_dir(out_dir: Path, project_root: Path) -> Path:
    """Refuse an output folder whose replacement would delete something that is not build output."""
    out = out_dir.resolve()
    root = project_root.resolve()
    home = Path.home().resolve()
    reason = None
    if out == Path(out.anchor):
        reason = "is the file system's root"
    elif out == home:
        reason = "is your home folder"
    elif out == root or root.is_relative_to(out):
        reason = "is the project folder or one of its parents"
    else:
        for name in SOURCE_FOLDERS:
            source = (root / name).resolve()
            if out == source or out.is_relative_to(source) or source.is_relative_to(out):
                reason = f"overlaps the project's {name}/ folder"
    if reason:
        raise BuildFailed([Problem(str(out_dir), None, f"refusing to write the site here: this folder {reason}")])
    return out


def write_tree(files: dict[str, bytes], out_dir: Path, project_root: Path) -> WriteSummary:
    """Make the output folder hold exactly `files`, writing only the files whose bytes changed.

    Nothing changed: nothing is touched. Otherwise the new tree is made in a staging folder beside the
    output, unchanged files hard-linked from the current one (no bytes copied, dates kept for deploy
    tools), changed ones written, and the staging folder is swapped in: a crash or a full disk half-way
    still leaves the previous site as it was. Files are only ever replaced, never written in place, so
    the links never let the new tree change the old one."""
    out = check_output_dir(out_dir, project_root)
    staging = out.with_name(f".{out.name}.staging")
    retired = out.with_name(f".{out.name}.old")
    for leftover in (staging, retired):
        if leftover.exists():
            shutil.rmtree(leftover)
    targets = {relative: safe_parts(relative) for relative in files}
    unchanged = _unchanged_files(files, targets, out) if out.is_dir() else set()
    folders = {PurePosixPath(*parts).parents[i] for parts in targets.values() for i in range(len(parts) - 1)}
    if len(unchanged) == len(files) and _listing(out) == (len(files), len(folders)):
        return WriteSummary(written=0, unchanged=len(unchanged), removed=0)
    staging.mkdir(parents=True)
    made: set[Path] = {staging}
    written = 0
    for relative, data in files.items():
        target = staging.joinpath(*targets[relative])
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        if relative in unchanged and _link(out.joinpath(*targets[relative]), target):
            continue
        target.write_bytes(data)
        written += 1
    removed = _listing(out)[0] - len(unchanged) if out.is_dir() else 0
    if out.exists():
        os.replace(out, retired)
    os.replace(staging, out)
    if retired.exists():
        shutil.rmtree(retired)
    return WriteSummary(written=written, unchanged=len(files) - written, removed=removed)


@dataclass(frozen=True)
class WriteSummary:
    """What writing the output did: files written, files left as they were, files removed."""

    written: int
    unchanged: int
    removed: int


def _unchanged_files(files: dict[str, bytes], targets: dict[str, tuple[str, ...]], out: Path) -> set[str]:
    """The output paths whose file on disk already holds exactly these bytes."""
    unchanged = set()
    for relative, data in files.items():
        path = out.joinpath(*targets[relative])
        try:
            if path.stat().st_size == len(data) and not path.is_symlink() and path.read_bytes() == data:
                unchanged.add(relative)
        except OSError:
            continue
    return unchanged


def _listing(out: Path) -> tuple[int, int]:
    """How many files (anything but a real folder) and folders the output folder holds below its top."""
    files = folders = 0
    for folder, dirs, names in os.walk(out):
        links = sum(1 for name in dirs if os.path.islink(os.path.join(folder, name)))
        files += len(names) + links
        folders += len(dirs) - links
    return files, folders


def _link(source: Path, target: Path) -> bool:
    """Hard-link an unchanged file into the staging folder; False where links are not possible."""
    try:
        os.link(source, target)
        return True
    except OSError:
        return False


def safe_parts(relative: str) -> tuple[str, ...]:
    """An output path's parts, refusing any that would leave the output folder."""
    path = PurePosixPath(relative)
    if path.is_absolute() or any(part in ("..", "", ".") for part in path.parts) or "\\" in relative:
        raise BuildFailed([Problem(relative, None, "refusing an output path that leaves the output folder")])
    return path.parts
