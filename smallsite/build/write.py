"""The output tree in memory -> the output folder on disk, swapped in whole.

The new site is made complete in the output folder's staging place (`.site.staging` beside `site/`),
then the two folders are swapped in one rename: after a kill at any moment, the output folder is the last
good site or the new one, never a mix. Files whose bytes are unchanged are hard links to the same files
in the output folder, so nothing is copied.

The staging place is kept between builds, holding the site before last (hard links again, so it takes
no room): a rebuild then only changes there what differs from the site in use, instead of making a
thousand folders anew and removing the old ones (which costs more than rendering one page). A list of
what it holds is kept in it, and is removed before it is changed: a staging place whose list is missing
(a build killed half-way) is walked instead. It always holds the record of smallsite's files
(output_folder.OWNED_RECORD), so one left behind is known to be smallsite's, and one that is not is
never removed."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from stat import S_ISREG

from .folder_swap import swap_folders
from .output_folder import (OWNED_RECORD, check_output_dir, folders_above, list_folder, read_owned,
                            record_bytes, refuse_clashes)
from ..model.problems import BuildFailed, Problem

# In the staging place between builds: what it holds (its files and folders), as JSON.
SPARE_LIST = ".smallsite-staged.json"


class WriteMarker:
    """A value `files` may hold in place of an output file's bytes, named after itself: pickling keeps it
    the one object of its name, also when a worker process sends it back."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name

    def __reduce__(self) -> str:
        return self.name


# The output folder already holds this file as it must be, as the last build wrote it and untouched
# since (build_record.py proves it), so it is neither read nor written.
UNCHANGED = WriteMarker("UNCHANGED")
# The file is already in the staging folder (see Staging).
STAGED = WriteMarker("STAGED")


def staging_folder(out: Path) -> Path:
    """The output folder's staging place: beside it (a swap needs both on one file system), named after it."""
    return out.with_name(f".{out.name}.staging")


class Staging:
    """The staging place of a build that has no output folder yet. A first build's pages go into it as
    they are rendered, in whichever process renders them, so writing them overlaps the rendering."""

    def __init__(self, out: Path):
        self.out = out
        self.folder = staging_folder(out)

    def make(self) -> None:
        """An empty staging place, with an empty record from its first moment (see the module's doc)."""
        self.folder.mkdir(parents=True)
        (self.folder / OWNED_RECORD).write_bytes(record_bytes(()))

    def write(self, relative: str, data: bytes) -> None:
        target = os.path.join(self.folder, *safe_parts(relative))
        os.makedirs(os.path.dirname(target), exist_ok=True)  # two processes may make one folder: no error
        with open(target, "wb") as handle:
            handle.write(data)

    def discard(self) -> None:
        with contextlib.suppress(OSError):  # what is left, the next write removes (remove_leftovers)
            _remove_staged(self.folder)


def _remove_staged(folder: Path) -> None:
    """Remove a staging place, its record last: stopped at any point, what is left is known as ours."""
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return
    for entry in entries:
        if entry.name == OWNED_RECORD:
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path)
        else:
            os.unlink(entry.path)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(folder / OWNED_RECORD)
    folder.rmdir()


@contextlib.contextmanager
def failures_named(out_dir: Path):
    """A folder that cannot be written (no permission, a file in the way, a full disk) fails the build with
    what the system said, naming the folder, instead of a traceback."""
    try:
        yield
    except OSError as exc:
        where = exc.filename if isinstance(exc.filename, str) else str(out_dir)
        raise BuildFailed([Problem(where, None, f"cannot write the site here: {exc.strerror or exc}")]) from None


def start_staging(out_dir: Path, project_root: Path) -> Staging | None:
    """A staging place for a build's pages when there is no output folder yet (a first build, or one
    after the folder was deleted); None when there is one: then write_tree stages what it needs."""
    with failures_named(out_dir):
        return _start_staging(out_dir, project_root)


def _start_staging(out_dir: Path, project_root: Path) -> Staging | None:
    out = check_output_dir(out_dir, project_root)
    remove_leftovers(out, out_dir)
    if os.path.lexists(out):
        return None
    _remove_staged(staging_folder(out))  # the site before last, of a site since deleted
    staging = Staging(out)
    staging.make()
    return staging


def remove_leftovers(out: Path, out_dir: Path) -> None:
    """Refuse a staging place smallsite did not make; remove what a swap cut short left (`.site.old`)."""
    for place in (staging_folder(out), out.with_name(f".{out.name}.old")):
        if not os.path.lexists(place):
            continue
        if place.is_dir() and not place.is_symlink() and not any(os.scandir(place)):
            place.rmdir()  # stopped before its record was in it: nothing to lose
            continue
        if place.is_symlink() or not place.is_dir() or not os.path.lexists(place / OWNED_RECORD):
            raise BuildFailed([Problem(str(place), None, f"this is where the build stages {out_dir}, and "
                                       "smallsite did not make it: move it away, then build again")])
        if place.name.endswith(".old"):
            _remove_staged(place)


@dataclass(frozen=True)
class WriteSummary:
    """What writing the output did: files written, files left as they were, files removed, and the
    files someone else put there (kept)."""

    written: int
    unchanged: int
    removed: int
    # Every output path whose file is new, gone, or linked anew (so its times changed); None when the
    # whole folder was made anew.
    changed_paths: tuple[str, ...] | None = ()
    foreign: tuple[str, ...] = ()


def write_tree(files: dict[str, bytes | WriteMarker], out_dir: Path, project_root: Path,
               listing: tuple[list[str], list[str]] | None = None, staged: Staging | None = None) -> WriteSummary:
    """Make the output folder hold exactly `files`, plus the files someone else put there, in one swap.
    Nothing is done when nothing changed. `listing`: the output folder's files and folders, when the
    caller has just listed them. `staged`: the staging place a first build has already written the files
    marked STAGED into (start_staging)."""
    with failures_named(out_dir):
        return _write_tree(files, out_dir, project_root, listing, staged)


def _write_tree(files: dict[str, bytes | WriteMarker], out_dir: Path, project_root: Path,
                listing: tuple[list[str], list[str]] | None, staged: Staging | None) -> WriteSummary:
    if staged is not None:
        if os.path.lexists(staged.out):  # made while the pages were staged: not ours to replace, nor to follow
            raise BuildFailed([Problem(str(out_dir), None, "the output folder was made by something else while "
                                       "the site was built: nothing was written; build again")])
        return _write_first(files, staged)
    out = check_output_dir(out_dir, project_root)
    remove_leftovers(out, out_dir)
    if not os.path.lexists(out):
        staging = Staging(out)
        _remove_staged(staging.folder)
        staging.make()
        return _write_first(files, staging)
    present, folders = listing if listing is not None else list_folder(out)
    owned = read_owned(out)
    foreign = [name for name in present if name not in owned and name != OWNED_RECORD]
    refuse_clashes(files, foreign, out_dir)
    base = os.fspath(out)
    targets = {relative: safe_parts(relative) for relative in files}
    kept = [relative for relative, data in files.items() if data is UNCHANGED]
    if kept and not all(os.path.isfile(os.path.join(base, *targets[relative])) for relative in kept):
        # Seen unchanged when the build began, gone now: someone else is changing the folder.
        raise BuildFailed([Problem(str(out_dir), None, "files in the output folder were removed while the site "
                                   "was built: nothing was written; build again")])
    changed = {relative for relative, data in files.items()
               if data is not UNCHANGED and not _same_bytes(os.path.join(base, *targets[relative]), data)}
    removed = [name for name in present if name in owned and name not in files]
    needed = folders_above([*files, *foreign])
    unneeded = [name for name in folders if name not in needed]
    # An unneeded folder that held a file smallsite wrote goes with it; an empty one someone made stays.
    owned_folders = folders_above(owned) if unneeded else set()
    needed.update(name for name in unneeded if name not in owned_folders)
    if not changed and not removed and needed == set(folders) and owned == frozenset(files):
        return WriteSummary(0, len(files), 0, foreign=tuple(foreign))
    # The new folder: every file that is not new is the very file the output folder holds.
    linked = [*(relative for relative in files if relative not in changed), *foreign]
    new = {relative: files[relative] for relative in changed}
    staging = staging_folder(out)
    try:
        relinked = _update_staging(staging, out, linked, new, needed)
    except OSError:  # a staging place not as its list says (someone changed it): make it anew
        _remove_staged(staging)
        relinked = _update_staging(staging, out, linked, new, needed)
    _put_record(staging, out, record_bytes(files))
    _swap_in(staging, out)
    _list_staging(staging, present, folders)  # the old site, which the staging place now holds
    return WriteSummary(len(changed), len(files) - len(changed), len(removed),
                        (*changed, *relinked, *removed, OWNED_RECORD), tuple(foreign))


def _update_staging(staging: Path, out: Path, linked: list[str], new: dict[str, bytes],
                    folders: set[str]) -> list[str]:
    """Make the staging place hold `folders`, the files `linked` as the output folder has them (hard
    links to them), and `new` with these bytes, and nothing else but its record. Only what differs from
    what it held is changed, and never a file it shares with the output folder: those are replaced by
    name, not written into. Returns the linked files that it did not already share."""
    held = _take_list(staging)
    if held is None:
        if not os.path.lexists(staging):
            Staging(out).make()
        held = list_folder(staging)
    held_files, held_folders = set(held[0]), set(held[1])
    keep = {*linked, *new}
    held_files.discard(OWNED_RECORD)  # (see _put_record)
    for name in held_files - keep:
        os.unlink(os.path.join(staging, *name.split("/")))
    for folder in sorted(folders - held_folders, key=len):  # parents first
        os.mkdir(os.path.join(staging, *folder.split("/")))
    relinked = []
    for relative in linked:
        parts = safe_parts(relative)
        source, target = os.path.join(out, *parts), os.path.join(staging, *parts)
        if relative in held_files:
            if os.lstat(target).st_ino == os.lstat(source).st_ino:
                continue  # the same file already
            os.unlink(target)
        _link_or_copy(source, target)
        relinked.append(relative)
    for relative, data in new.items():
        _write_new(os.path.join(staging, *safe_parts(relative)), data)
    for folder in sorted(held_folders - folders, key=len, reverse=True):  # what is in them first
        os.rmdir(os.path.join(staging, *folder.split("/")))
    return relinked


def _put_record(staging: Path, out: Path, record: bytes) -> None:
    """The staging place's record, replaced in one step (it is never without one): the output folder's
    own, when it says the same."""
    current, spare = os.path.join(out, OWNED_RECORD), staging / (OWNED_RECORD + ".new")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(spare)
    if _same_bytes(current, record):
        if os.lstat(current).st_ino == os.lstat(staging / OWNED_RECORD).st_ino:
            return
        _link_or_copy(current, os.fspath(spare))
    else:
        spare.write_bytes(record)
    os.replace(spare, staging / OWNED_RECORD)


def _write_new(path: str | Path, data: bytes) -> None:
    """A new file at `path`: what was there is unlinked first, since it may be the output folder's too."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    with open(path, "xb") as handle:
        handle.write(data)


def _take_list(staging: Path) -> tuple[list[str], list[str]] | None:
    """What the staging place holds, as its list says; the list is removed, so that a build stopped
    while changing the staging place leaves none, and the next one looks for itself."""
    path = staging / SPARE_LIST
    try:
        with open(path, encoding="utf-8") as handle:
            held = json.load(handle)
        os.unlink(path)
        files, folders = list(held["files"]), list(held["folders"])
        for name in (*files, *folders):  # a list that names a place outside is no list of ours
            safe_parts(name)
        return files, folders
    except (OSError, ValueError, KeyError, TypeError, AttributeError, BuildFailed):
        with contextlib.suppress(OSError):
            os.unlink(path)
        return None


def _list_staging(staging: Path, files: list[str], folders: list[str]) -> None:
    with contextlib.suppress(OSError):  # without it, the next build looks for itself
        (staging / SPARE_LIST).write_text(json.dumps({"files": files, "folders": folders}, ensure_ascii=False),
                                          encoding="utf-8")


def _write_first(files: dict[str, bytes], staging: Staging) -> WriteSummary:
    """No output folder yet: every file into the staging place (those marked STAGED are there), then in;
    then the staging place is made to hold the same site, ready for the next build."""
    made: set[str] = set()
    for relative, data in files.items():
        if data is STAGED:
            continue
        if data is UNCHANGED:
            raise ValueError(f"{relative}: marked unchanged, but there is no output folder")
        target = os.path.join(staging.folder, *safe_parts(relative))
        _make_parent(target, made)
        with open(target, "wb") as handle:
            handle.write(data)
    (staging.folder / OWNED_RECORD).write_bytes(record_bytes(files))
    _swap_in(staging.folder, staging.out)
    folders = sorted(folders_above(files), key=len)
    with contextlib.suppress(OSError):  # without it, the next build makes it
        Staging(staging.out).make()
        _update_staging(staging.folder, staging.out, list(files), {}, set(folders))
        _put_record(staging.folder, staging.out, record_bytes(files))
        _list_staging(staging.folder, [*files, OWNED_RECORD], folders)
    return WriteSummary(written=len(files), unchanged=0, removed=0, changed_paths=None)


def _swap_in(staging: Path, out: Path) -> None:
    """The staging place becomes the output folder, in one step; the old output folder, the staging place."""
    try:
        if os.path.lexists(out):
            swap_folders(staging, out)
            if not os.path.lexists(staging / OWNED_RECORD):  # an empty folder smallsite had not written yet
                (staging / OWNED_RECORD).write_bytes(record_bytes(()))
        else:
            os.replace(staging, out)
    except OSError as exc:  # a mount point, say, which no rename can replace
        raise BuildFailed([Problem(str(out), None, f"could not put the new site in place ({exc.strerror}): if "
                                   "this folder is a mount point, build into a folder inside it")]) from None


def _make_parent(target: str, made: set[str]) -> None:
    folder = os.path.dirname(target)
    if folder not in made:
        os.makedirs(folder, exist_ok=True)
        made.add(folder)


def _link_or_copy(source: str, target: str) -> None:
    """The same file under a second name (a hard link costs no copy); a copy where links are refused."""
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError as exc:
        if exc.errno == errno.EEXIST:
            raise
        shutil.copy2(source, target, follow_symlinks=False)


def _same_bytes(path: str, data: bytes) -> bool:
    """Whether the file on disk already holds exactly these bytes (a symbolic link never does)."""
    try:
        stat = os.lstat(path)
        if not S_ISREG(stat.st_mode) or stat.st_size != len(data):
            return False
        with open(path, "rb", buffering=0) as handle:
            return handle.read() == data
    except OSError:
        return False


def safe_parts(relative: str) -> tuple[str, ...]:
    """An output path's parts, refusing any that would leave the output folder."""
    parts = tuple(relative.split("/"))
    if "\\" not in relative and not any(part in ("..", "", ".") for part in parts):
        return parts  # a plain relative path (every page's): what PurePosixPath gives, without making one
    path = PurePosixPath(relative)
    if path.is_absolute() or any(part in ("..", "", ".") for part in path.parts) or "\\" in relative:
        raise BuildFailed([Problem(relative, None, "refusing an output path that leaves the output folder")])
    return path.parts
