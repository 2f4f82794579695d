"""The output tree in memory -> the output folder on disk: whole, and never anyone else's files.

The output folder keeps a record of the files smallsite wrote into it (OWNED_RECORD). A build replaces
or deletes only those: a file someone else put there (a CNAME, notes) is kept and named in a warning,
since it would be deployed; a folder that is not empty and has no record is refused before any work.
Every write makes the whole new folder beside the old one (its staging place; unchanged files are hard
links, not copies) and swaps the two in one rename, so after a kill at any moment the output folder is
the last good site or the new one, never a mix of both."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from stat import S_ISREG

from .problems import WARNING, BuildFailed, Problem

# Folders of the project that an output folder must never be, contain, or sit inside.
SOURCE_FOLDERS = ("content", "templates", "locales", "static", "smallsite", "tests", ".git")
# In the output folder: the files smallsite wrote there (JSON), and so may replace or delete.
OWNED_RECORD = ".smallsite-files.json"
RECORD_FORMAT = 1


def check_output_dir(out_dir: Path, project_root: Path) -> Path:
    """The output folder's real path; refuses one that a build could not replace without harm: a
    project folder or a parent of one, home, a file, or a folder of files smallsite did not write."""
    out = out_dir.resolve()
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
    """The files the output folder's record says smallsite wrote there (none, without a record)."""
    try:
        with open(out / OWNED_RECORD, encoding="utf-8") as handle:
            record = json.load(handle)
        if record.get("format") == RECORD_FORMAT and isinstance(record.get("files"), list):
            return frozenset(name for name in record["files"] if isinstance(name, str))
    except (OSError, ValueError, AttributeError):
        pass
    return frozenset()


def _record_bytes(names) -> bytes:
    return json.dumps({"format": RECORD_FORMAT, "written_by": "smallsite", "files": sorted(names)},
                      ensure_ascii=False, indent=0).encode("utf-8")


def foreign_files(out: Path, present: list[str]) -> list[str]:
    """Of the files `present` in the output folder, those smallsite did not write (kept, and deployed)."""
    owned = read_owned(out) if present else frozenset()
    return sorted(name for name in present if name not in owned and name != OWNED_RECORD)


def list_output(out: Path) -> tuple[list[str], list[str]]:
    """Every file (anything but a real folder) and every folder below the output folder, as output paths;
    nothing when there is no folder yet."""
    return _listing(out) if out.is_dir() else ([], [])


def foreign_problems(out_dir: Path, names: list[str]) -> list[Problem]:
    """A warning for each file someone else put into the output folder (an error under --strict)."""
    return [Problem(os.path.join(out_dir, *name.split("/")), None, "not written by smallsite: it is kept, and "
                    "it will be deployed with the site (put files to publish in static/, or move it away)", WARNING)
            for name in names]


class _Marker:
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
UNCHANGED = _Marker("UNCHANGED")
# The file is already in the staging folder (see Staging).
STAGED = _Marker("STAGED")


def staging_folder(out: Path) -> Path:
    """Where a write makes the new output folder `out`: beside it, named after it."""
    return out.with_name(f".{out.name}.staging")


def write_cut_short(out: Path) -> bool:
    """Whether a write into `out` stopped half-way (its staging folder is left; the next write removes
    it), so what was last recorded of the folder may not hold: the swap may have happened or not."""
    return os.path.lexists(staging_folder(out))


class Staging:
    """The new output folder while a build makes it. A first build's pages go into it as they are
    rendered, in whichever process renders them, so writing them overlaps the rendering. It holds an
    empty record from the start, so that one a killed build leaves is known to be smallsite's."""

    def __init__(self, out: Path):
        self.out = out
        self.folder = staging_folder(out)

    def make(self) -> None:
        self.folder.mkdir(parents=True)
        (self.folder / OWNED_RECORD).write_bytes(_record_bytes(()))

    def write(self, relative: str, data: bytes) -> None:
        target = os.path.join(self.folder, *safe_parts(relative))
        os.makedirs(os.path.dirname(target), exist_ok=True)  # two processes may make one folder: no error
        with open(target, "wb") as handle:
            handle.write(data)

    def discard(self) -> None:
        with contextlib.suppress(OSError):  # what is left, the next write removes (remove_leftovers)
            _remove_staged(self.folder)


def _remove_staged(folder: Path) -> None:
    """Remove a staging folder, its record last: stopped at any point, what is left is known as ours."""
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


def start_staging(out_dir: Path, project_root: Path) -> Staging | None:
    """A staging folder for a build's pages when there is no output folder yet (a first build, or one
    after the folder was deleted); None when there is one: then write_tree stages what it needs."""
    out = check_output_dir(out_dir, project_root)
    remove_leftovers(out, out_dir)
    if os.path.lexists(out):
        return None
    staging = Staging(out)
    staging.make()
    return staging


def remove_leftovers(out: Path, out_dir: Path) -> None:
    """Remove what a killed write left beside the output folder: a staging folder (a new site never
    swapped in, or the old one swapped out), but only one smallsite made, as its record shows."""
    for leftover in (staging_folder(out), out.with_name(f".{out.name}.old")):
        if not os.path.lexists(leftover):
            continue
        if leftover.is_dir() and not leftover.is_symlink() and not any(os.scandir(leftover)):
            leftover.rmdir()  # stopped before its record was in it: nothing to lose
            continue
        if leftover.is_symlink() or not leftover.is_dir() or not os.path.lexists(leftover / OWNED_RECORD):
            raise BuildFailed([Problem(str(leftover), None, f"this is where the build stages {out_dir}, and "
                                       "smallsite did not make it: move it away, then build again")])
        _remove_staged(leftover)


@dataclass(frozen=True)
class WriteSummary:
    """What writing the output did: files written, files left as they were, files removed, and the
    files someone else put there (kept)."""

    written: int
    unchanged: int
    removed: int
    # The output paths written and removed; None when the whole folder was made anew (every file in it
    # is then a new link or file: its times are not what they were).
    changed_paths: tuple[str, ...] | None = ()
    foreign: tuple[str, ...] = ()


def write_tree(files: dict[str, bytes], out_dir: Path, project_root: Path,
               listing: tuple[list[str], list[str]] | None = None, staged: Staging | None = None) -> WriteSummary:
    """Make the output folder hold exactly `files`, plus the files someone else put there.

    The new folder is made whole in the staging place, each file linked from the old folder when its
    bytes are the same, then swapped with the old one in one step (see `swap_folders`), and the old one
    removed. Nothing is done when nothing changed. `listing`: the output folder's files and folders, when
    the caller has just listed them. `staged`: the staging folder a first build has already written the
    files marked STAGED into (start_staging)."""
    if staged is not None:
        if os.path.lexists(staged.out):  # made while the pages were staged: not ours to replace, nor to follow
            raise BuildFailed([Problem(str(out_dir), None, "the output folder was made by something else while "
                                       "the site was built: nothing was written; build again")])
        return _make_whole(files, staged, staged.out)
    out = check_output_dir(out_dir, project_root)
    remove_leftovers(out, out_dir)
    if not os.path.lexists(out):
        staging = Staging(out)
        staging.make()
        return _make_whole(files, staging, out)
    present, folders = listing if listing is not None else _listing(out)
    owned = read_owned(out)
    foreign = [name for name in present if name not in owned and name != OWNED_RECORD]
    _refuse_clashes(files, foreign, out_dir)
    base = os.fspath(out)
    targets = {relative: safe_parts(relative) for relative in files}
    kept = [relative for relative, data in files.items() if data is UNCHANGED]
    if kept and not all(os.path.isfile(os.path.join(base, *targets[relative])) for relative in kept):
        # Seen unchanged when the build began, gone now: someone else is changing the folder.
        raise BuildFailed([Problem(str(out_dir), None, "files in the output folder were removed while the site "
                                   "was built: nothing was written; build again")])
    changed = [relative for relative, data in files.items()
               if data is not UNCHANGED and not _same_bytes(os.path.join(base, *targets[relative]), data)]
    removed = [name for name in present if name in owned and name not in files]
    needed = {"/".join(parts[:i]) for parts in targets.values() for i in range(1, len(parts))}
    needed.update("/".join(name.split("/")[:i]) for name in foreign for i in range(1, name.count("/") + 1))
    unneeded = [name for name in folders if name not in needed]
    # An unneeded folder that held a file smallsite wrote goes with it; an empty one someone made stays.
    owned_folders = {"/".join(parts[:i]) for name in owned for parts in [name.split("/")]
                     for i in range(1, len(parts))} if unneeded else set()
    empty_foreign = [name for name in unneeded if name not in owned_folders]
    extra_folders = [name for name in unneeded if name in owned_folders]
    if not changed and not removed and not extra_folders and owned == frozenset(files):
        return WriteSummary(0, len(files), 0, foreign=tuple(foreign))
    staging = Staging(out)
    staging.make()
    made: set[str] = {os.fspath(staging.folder)}
    changed_set = set(changed)
    for relative, parts in targets.items():
        target = os.path.join(staging.folder, *parts)
        _make_parent(target, made)
        if relative in changed_set:
            with open(target, "wb") as handle:
                handle.write(files[relative])
        else:
            _link_or_copy(os.path.join(base, *parts), target)
    for name in foreign:
        target = os.path.join(staging.folder, *safe_parts(name))
        _make_parent(target, made)
        _link_or_copy(os.path.join(base, *safe_parts(name)), target)
    for name in empty_foreign:
        os.makedirs(os.path.join(staging.folder, *safe_parts(name)), exist_ok=True)
    _finish(staging, out, files)
    return WriteSummary(len(changed), len(files) - len(changed), len(removed), None, tuple(foreign))


def _refuse_clashes(files: dict, foreign: list[str], out_dir: Path) -> None:
    """A file someone else put into the output folder where the build now writes one (or needs a folder):
    the build never replaces it; it stops, naming the file."""
    if not foreign:
        return
    folders = {relative.rsplit("/", 1)[0] for relative in files if "/" in relative}
    parents = {"/".join(parts[:i]) for relative in files for parts in [relative.split("/")]
               for i in range(1, len(parts))}
    clashes = [name for name in foreign
               if name in files or name in folders or name in parents
               or any("/".join(name.split("/")[:i]) in files for i in range(1, name.count("/") + 1))]
    if clashes:
        raise BuildFailed([Problem(os.path.join(out_dir, *name.split("/")), None,
                                   "smallsite did not write this file, and the site now needs its place: move "
                                   "it away (the build never replaces a file it did not write)")
                           for name in clashes])


def _make_whole(files: dict[str, bytes], staging: Staging, out: Path) -> WriteSummary:
    """No output folder yet: every file into the staging folder (those marked STAGED are there), then in."""
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
    _finish(staging, out, files)
    return WriteSummary(written=len(files), unchanged=0, removed=0, changed_paths=None)


def _finish(staging: Staging, out: Path, files: dict) -> None:
    """Record what smallsite wrote, swap the new folder in, and remove the old one."""
    record = _record_bytes(files)
    if _same_bytes(os.path.join(out, OWNED_RECORD), record):
        _link_or_copy(os.path.join(out, OWNED_RECORD), os.path.join(staging.folder, OWNED_RECORD + ".same"))
        os.replace(os.path.join(staging.folder, OWNED_RECORD + ".same"), staging.folder / OWNED_RECORD)
    else:
        (staging.folder / OWNED_RECORD).write_bytes(record)
    try:
        if os.path.lexists(out):
            swap_folders(staging.folder, out)
        else:
            os.replace(staging.folder, out)
    except OSError as exc:  # a mount point, say, which no rename can replace
        staging.discard()
        raise BuildFailed([Problem(str(out), None, f"could not put the new site in place ({exc.strerror}): if "
                                   "this folder is a mount point, build into a folder inside it")]) from None
    staging.discard()  # now the old site, if there was one


def _make_parent(target: str, made: set[str]) -> None:
    folder = os.path.dirname(target)
    if folder not in made:
        os.makedirs(folder, exist_ok=True)
        made.add(folder)


def _link_or_copy(source: str, target: str) -> None:
    """The same file under a second name (a hard link costs no copy); a copy where links are refused."""
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:
        shutil.copy2(source, target, follow_symlinks=False)


def swap_folders(new: Path, old: Path) -> None:
    """Exchange two folders' names in one step (Linux renameat2, macOS renamex_np): no moment exists
    when `old`'s name holds neither. Where the system has no such call, two renames leave a moment,
    between them, when the name is missing, but still never a mix of old and new files."""
    if _exchange(os.fsencode(new), os.fsencode(old)):
        return
    retired = old.with_name(f".{old.name}.old")
    os.replace(old, retired)
    os.replace(new, old)
    os.replace(retired, new)  # so that the caller finds the old folder where the new one was


def _exchange(first: bytes, second: bytes) -> bool:
    """Swap two names atomically, if the system can; False where it cannot."""
    libc = _libc()
    if libc is None:
        return False
    if sys.platform.startswith("linux") and hasattr(libc, "renameat2"):
        at_cwd, exchange = -100, 2  # AT_FDCWD, RENAME_EXCHANGE
        result = libc.renameat2(at_cwd, first, at_cwd, second, exchange)
    elif sys.platform == "darwin" and hasattr(libc, "renamex_np"):
        result = libc.renamex_np(first, second, 2)  # RENAME_SWAP
    else:
        return False
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):  # a file system without it
        return False
    raise OSError(code, os.strerror(code), os.fsdecode(second))


_LIBC: list = []


def _libc():
    if not _LIBC:
        try:
            _LIBC.append(ctypes.CDLL(None, use_errno=True))
        except OSError:
            _LIBC.append(None)
    return _LIBC[0]


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


def _listing(out: Path) -> tuple[list[str], list[str]]:
    """Every file (anything but a real folder) and every folder below the output folder, as output paths."""
    files, folders = [], []
    for folder, dirs, names in os.walk(out):
        relative = Path(folder).relative_to(out).as_posix()
        prefix = "" if relative == "." else relative + "/"
        for name in dirs:
            (files if os.path.islink(os.path.join(folder, name)) else folders).append(prefix + name)
        files += [prefix + name for name in names]
    return files, folders


def safe_parts(relative: str) -> tuple[str, ...]:
    """An output path's parts, refusing any that would leave the output folder."""
    parts = tuple(relative.split("/"))
    if "\\" not in relative and not any(part in ("..", "", ".") for part in parts):
        return parts  # a plain relative path (every page's): what PurePosixPath gives, without making one
    path = PurePosixPath(relative)
    if path.is_absolute() or any(part in ("..", "", ".") for part in path.parts) or "\\" in relative:
        raise BuildFailed([Problem(relative, None, "refusing an output path that leaves the output folder")])
    return path.parts
