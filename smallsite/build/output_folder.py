"""Whose files the output folder holds: the record of what smallsite wrote there, and the checks that
keep a build from replacing anything else (issue 13).

A build replaces or deletes only the files in the folder's record (OWNED_RECORD). A file someone else
put there (a CNAME, notes) is kept and named in a warning, since it would be deployed; a folder that is
not empty and has no record is refused before any work, and so are a file, the project, home, and
their parents."""

from __future__ import annotations

import json
import os
from typing import NamedTuple
from pathlib import Path

from ..model.links import output_files
from ..model.problems import WARNING, BuildFailed, Problem
from ..model.project import INPUT_FOLDERS

# Folders of the project that an output folder must never be, contain, or sit inside.
SOURCE_FOLDERS = (*INPUT_FOLDERS, "smallsite", "tests", ".git")
# In the output folder: the files smallsite wrote there (JSON), and so may replace or delete.
OWNED_RECORD = ".smallsite-files.json"
RECORD_FORMAT = 1


def check_output_dir(out_dir: Path, project_root: Path) -> Path:
    """The output folder's real path; refuses one that a build could not replace without harm: a
    project folder or a parent of one, home, a file, or a folder of files smallsite did not write."""
    try:
        out = out_dir.resolve()
    except (OSError, RuntimeError):  # a link to itself, through others
        raise BuildFailed([Problem(str(out_dir), None, "refusing to write the site here: this path is a loop "
                                   "of links")]) from None
    root = project_root.resolve()
    home = Path.home().resolve()
    reason = None
    if out == Path(out.anchor):
        reason = "this folder is the file system's root"
    elif out == home or home.is_relative_to(out):
        reason = "this folder is your home folder or one of its parents"
    elif out == root or root.is_relative_to(out):
        reason = "this folder is the project folder or one of its parents"
    else:
        for name in SOURCE_FOLDERS:
            source = (root / name).resolve()
            if out == source or out.is_relative_to(source) or source.is_relative_to(out):
                reason = f"this folder overlaps the project's {name}/ folder"
    if reason is None and out.name.startswith(".") and out.name.endswith((".staging", ".old")):
        reason = "this is where a build stages the folder named after it: choose another"
    if reason is None:
        reason = _not_ours(out, out_dir)
    if reason:
        raise BuildFailed([Problem(str(out_dir), None, f"refusing to write the site here: {reason}")])
    return out


def _not_ours(out: Path, out_dir: Path) -> str | None:
    """Why the folder at `out` is not one the build may replace, if it is not."""
    if os.path.islink(out_dir) and not os.path.lexists(out):
        return f"it is a link to {out}, which does not exist"
    if not os.path.lexists(out):
        return None
    if not out.is_dir():
        return "it is a file, not a folder: move it away, or choose another folder with --out"
    if os.path.lexists(out / OWNED_RECORD) or not any(os.scandir(out)):
        return None
    sample = ", ".join(sorted(entry.name for entry in os.scandir(out))[:3])
    return (f"it already holds files that smallsite did not write ({sample}, ...); build into a new or "
            "empty folder (--out, or output_dir in site.toml), or move those files away")


def read_owned(out: Path) -> frozenset[str]:
    """The files the output folder's record says smallsite wrote there (none, without a record). A
    record that cannot be read is an error: without it, no file there can be told to be smallsite's."""
    path = out / OWNED_RECORD
    try:
        with open(path, encoding="utf-8") as handle:
            record = json.load(handle)
        if record.get("format") == RECORD_FORMAT and isinstance(record.get("files"), list):
            return frozenset(name for name in record["files"] if isinstance(name, str))
    except FileNotFoundError:
        return frozenset()
    except (OSError, ValueError, AttributeError):
        pass
    raise BuildFailed([Problem(str(path), None, "not a record of smallsite's files that it can read, so it "
                               "cannot tell its own files from yours in this folder: if the folder holds only "
                               "a build, delete it and build again; else move your files out first")])


def record_bytes(names) -> bytes:
    return json.dumps({"format": RECORD_FORMAT, "written_by": "smallsite", "files": sorted(names)},
                      ensure_ascii=False, indent=0).encode("utf-8")


def foreign_files(out: Path, present: list[str]) -> list[str]:
    """Of the files `present` in the output folder, those smallsite did not write (kept, and deployed)."""
    owned = read_owned(out) if present else frozenset()
    return sorted(name for name in present if name not in owned and name != OWNED_RECORD)


def list_output(out: Path) -> FolderListing:
    """Every file (anything but a real folder) and every folder below the output folder, as output paths;
    nothing when there is no folder yet."""
    return list_folder(out) if out.is_dir() else FolderListing([], [])


def foreign_problems(out_dir: Path, names: list[str]) -> list[Problem]:
    """A warning for each file someone else put into the output folder (an error under --strict)."""
    return [Problem(os.path.join(out_dir, *name.split("/")), None, "not written by smallsite: it is kept, and "
                    "it will be deployed with the site (put files to publish in static/, or move it away)", WARNING)
            for name in names]


def refuse_clashes(files: dict, foreign: list[str], out_dir: Path) -> None:
    """A file someone else put into the output folder where the build now writes one (or needs a folder):
    the build never replaces it; it stops, naming the file."""
    if not foreign:
        return
    parents = folders_above(files)
    clashes = [name for name in foreign
               if name in files or name in parents or not folders_above([name]).isdisjoint(files)]
    if clashes:
        raise BuildFailed([Problem(os.path.join(out_dir, *name.split("/")), None,
                                   "smallsite did not write this file, and the site now needs its place: move "
                                   "it away (the build never replaces a file it did not write)")
                           for name in clashes])


def folders_above(paths) -> set[str]:
    """Every folder the output paths sit in, at every depth: 'en/a/index.html' -> {'en', 'en/a'}."""
    folders = set()
    for path in paths:
        parts = path.split("/")
        folders.update("/".join(parts[:i]) for i in range(1, len(parts)))
    return folders


class FolderListing(NamedTuple):
    """What an output folder holds: every file (anything but a real folder) and every folder, as output paths."""

    files: list[str]
    folders: list[str]


def list_folder(out: Path) -> FolderListing:
    """Every file (anything but a real folder) and every folder below the output folder, as output paths."""
    folders: list[str] = []
    return FolderListing([name for name, _ in output_files(out, folders)], folders)
