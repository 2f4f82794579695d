"""The output tree in memory -> the output folder on disk, swapped in whole or not at all."""

from __future__ import annotations

import os
import shutil
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


def write_tree(files: dict[str, bytes], out_dir: Path, project_root: Path) -> None:
    """Write every file into a staging folder beside the output, then swap it in.
    A crash or a full disk half-way leaves the previous site as it was."""
    out = check_output_dir(out_dir, project_root)
    staging = out.with_name(f".{out.name}.staging")
    retired = out.with_name(f".{out.name}.old")
    for leftover in (staging, retired):
        if leftover.exists():
            shutil.rmtree(leftover)
    staging.mkdir(parents=True)
    for relative, data in files.items():
        target = staging.joinpath(*safe_parts(relative))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    if out.exists():
        os.replace(out, retired)
    os.replace(staging, out)
    if retired.exists():
        shutil.rmtree(retired)


def safe_parts(relative: str) -> tuple[str, ...]:
    """An output path's parts, refusing any that would leave the output folder."""
    path = PurePosixPath(relative)
    if path.is_absolute() or any(part in ("..", "", ".") for part in path.parts) or "\\" in relative:
        raise BuildFailed([Problem(relative, None, "refusing an output path that leaves the output folder")])
    return path.parts
