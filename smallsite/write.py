"""The output tree in memory -> the output folder on disk: only changed files, all of them or none."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from stat import S_ISREG

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
    """Where a write stages the files of the output folder `out`: beside it, named after it."""
    return out.with_name(f".{out.name}.staging")


def write_cut_short(out: Path) -> bool:
    """Whether a write into `out` stopped half-way (its staging folder is left; the next write rolls it
    back or removes it), so the folder may not be what was last recorded of it."""
    return os.path.lexists(staging_folder(out))


class Staging:
    """The staging folder of a build that has no output folder yet: the pages go into it as they are
    rendered, in whichever process renders them, so writing them overlaps the rendering. build_site
    renames it into place once the build has succeeded, and removes it when the build fails; the
    output folder is never written before that."""

    def __init__(self, out: Path):
        self.out = out
        self.folder = staging_folder(out)

    def write(self, relative: str, data: bytes) -> None:
        target = os.path.join(self.folder, *safe_parts(relative))
        os.makedirs(os.path.dirname(target), exist_ok=True)  # two processes may make one folder: no error
        with open(target, "wb") as handle:
            handle.write(data)

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def start_staging(out_dir: Path, project_root: Path) -> Staging | None:
    """A staging folder for a build's pages when there is no output folder yet (a first build, or one
    after the folder was deleted); None when there is one: then only changed files are written."""
    out = check_output_dir(out_dir, project_root)
    recover_interrupted_write(out)  # also removes what a build that never finished left
    if out.exists() or out.is_symlink():
        return None
    staging = Staging(out)
    staging.folder.mkdir(parents=True)
    return staging


@dataclass(frozen=True)
class WriteSummary:
    """What writing the output did: files written, files left as they were, files removed."""

    written: int
    unchanged: int
    removed: int
    # The output paths written and removed; None when the whole folder was written anew.
    changed_paths: tuple[str, ...] | None = ()


def write_tree(files: dict[str, bytes], out_dir: Path, project_root: Path,
               listing: tuple[list[str], list[str]] | None = None, staged: Staging | None = None) -> WriteSummary:
    """Make the output folder hold exactly `files`, writing only the files whose bytes changed.

    A first build writes a staging folder beside the output and renames it into place. Later builds
    change only what differs, as one transaction: the new files and links to the files they replace
    or remove are put in the staging folder with a journal, then moved into place. A crash or a full
    disk before the journal exists leaves the site untouched; one after it is rolled back by the next
    write (or `recover_interrupted_write`), so the site is always either the old one or the new one.
    `listing`: the output folder's files and folders, when the caller has just listed them. `staged`: the
    staging folder the build has already written the files marked STAGED into (start_staging)."""
    out = check_output_dir(out_dir, project_root)
    staging = staging_folder(out)
    retired = out.with_name(f".{out.name}.old")
    if staged is None:
        recover_interrupted_write(out)
    if retired.exists():
        shutil.rmtree(retired)
    targets = {relative: safe_parts(relative) for relative in files}
    if staged is not None:
        if os.path.lexists(staged.out):  # made while the pages were staged: not ours to replace, nor to follow
            raise BuildFailed([Problem(str(out_dir), None, "the output folder was made by something else while "
                                       "the site was built: nothing was written; build again")])
        return _write_whole(files, targets, staged.out, staged.folder, retired, staged=True)
    base = os.fspath(out)
    kept = [relative for relative, data in files.items() if data is UNCHANGED]
    if kept and not all(os.path.isfile(os.path.join(base, *targets[relative])) for relative in kept):
        # Seen unchanged when the build began, gone now: someone else is changing the folder.
        raise BuildFailed([Problem(str(out_dir), None, "files in the output folder were removed while the site "
                                   "was built: nothing was written; build again")])
    if not out.is_dir():
        return _write_whole(files, targets, out, staging, retired)
    changed = [relative for relative, data in files.items()
               if data is not UNCHANGED and not _same_bytes(os.path.join(base, *targets[relative]), data)]
    present = listing if listing is not None else _listing(out)
    extra_files = [name for name in present[0] if name not in files]
    folders = {"/".join(parts[:i]) for parts in targets.values() for i in range(1, len(parts))}
    extra_folders = [name for name in present[1] if name not in folders]
    if not changed and not extra_files and not extra_folders:
        return WriteSummary(written=0, unchanged=len(files), removed=0)
    if any(_blocked(out, targets[relative]) for relative in changed):
        if kept:  # (cannot happen: a kept file's folder is kept too) never write a whole folder without them
            raise BuildFailed([Problem(str(out_dir), None, "the output folder changed while the site was built: "
                                       "nothing was written; build again")])
        return _write_whole(files, targets, out, staging, retired)  # a file where a folder was, or the reverse
    _apply_changes(out, staging, {relative: files[relative] for relative in changed}, targets, extra_files,
                   extra_folders)
    return WriteSummary(written=len(changed), unchanged=len(files) - len(changed), removed=len(extra_files),
                        changed_paths=(*changed, *extra_files))


def _write_whole(files: dict[str, bytes], targets: dict, out: Path, staging: Path, retired: Path,
                 staged: bool = False) -> WriteSummary:
    """No output folder yet (or something else in its place): write it all beside it, then rename.
    `staged`: the staging folder exists and holds the files marked STAGED already."""
    if not staged:
        staging.mkdir(parents=True)
    made: set[str] = set()
    for relative, data in files.items():
        if data is STAGED:
            if not staged:
                raise ValueError(f"{relative}: marked as staged, but nothing was staged")
            continue
        target = os.path.join(staging, *targets[relative])
        folder = os.path.dirname(target)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        with open(target, "wb") as handle:
            handle.write(data)
    if out.exists() or out.is_symlink():
        os.replace(out, retired)
    os.replace(staging, out)
    if retired.exists():
        shutil.rmtree(retired)
    return WriteSummary(written=len(files), unchanged=0, removed=0, changed_paths=None)


def _apply_changes(out: Path, staging: Path, changed: dict[str, bytes], targets: dict, extra_files: list[str],
                   extra_folders: list[str]) -> None:
    """Stage, journal, then move: see write_tree."""
    staging.mkdir(parents=True)
    (staging / "new").mkdir()
    (staging / "old").mkdir()
    entries = []  # (number, output path, has a new version, had an old version)
    for number, relative in enumerate([*changed, *extra_files]):
        current = out.joinpath(*(targets.get(relative) or safe_parts(relative)))
        had_old = os.path.lexists(current)
        if had_old:
            os.link(current, staging / "old" / str(number), follow_symlinks=False)
        if relative in changed:
            (staging / "new" / str(number)).write_bytes(changed[relative])
        entries.append([number, relative, relative in changed, had_old])
    journal = {"entries": entries, "removed_folders": sorted(extra_folders, key=len)}
    (staging / "journal.tmp").write_text(json.dumps(journal), encoding="utf-8")
    os.replace(staging / "journal.tmp", staging / JOURNAL)  # from here on, a crash is rolled back
    for number, relative, has_new, _ in entries:
        current = out.joinpath(*safe_parts(relative))
        if has_new:
            current.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / "new" / str(number), current)
        else:
            current.unlink()
    for relative in sorted(extra_folders, key=len, reverse=True):
        shutil.rmtree(out.joinpath(*safe_parts(relative)), ignore_errors=True)
    shutil.rmtree(staging)  # the transaction is done


JOURNAL = "journal.json"


def recover_interrupted_write(out: Path) -> None:
    """Undo a write that stopped half-way (the journal is there), or drop one that never began."""
    staging = staging_folder(out)
    journal_path = staging / JOURNAL
    if journal_path.exists():
        journal = json.loads(journal_path.read_text(encoding="utf-8"))
        for relative in journal["removed_folders"]:
            out.joinpath(*safe_parts(relative)).mkdir(parents=True, exist_ok=True)
        for number, relative, has_new, had_old in reversed(journal["entries"]):
            current = out.joinpath(*safe_parts(relative))
            if had_old:
                current.parent.mkdir(parents=True, exist_ok=True)
                os.replace(staging / "old" / str(number), current)
            elif has_new and current.exists():
                current.unlink()
                _remove_empty_parents(current.parent, out)
    if staging.exists():
        shutil.rmtree(staging)


def _remove_empty_parents(folder: Path, out: Path) -> None:
    while folder != out and folder.is_relative_to(out) and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def _blocked(out: Path, parts: tuple[str, ...]) -> bool:
    """Whether a file cannot simply replace what is at its place: a folder there, or a file as its parent."""
    path = out.joinpath(*parts)
    if path.is_dir() and not path.is_symlink():
        return True
    return any(out.joinpath(*parts[:i]).is_file() or out.joinpath(*parts[:i]).is_symlink()
               for i in range(1, len(parts)))


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
