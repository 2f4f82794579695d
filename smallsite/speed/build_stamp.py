"""What the last successful build read and wrote, so that a build with nothing changed stops at once.

make and ninja skip work whose inputs are as they were; so does `build`. After a build has written the
output folder, the stamp records the request (project, output folder, options, smallsite's code and its
libraries), every file under the folders a build reads (site.toml, content/, templates/, locales/,
static/) with its size, times and inode, and the size, times and inode of every file written. The next
build with the same request compares: when every input is as it was and the output folder holds exactly the
files written, untouched, the site is up to date and nothing is built. Anything else (a file added,
changed or removed on either side, another request, an interrupted write, a stamp that is missing,
damaged or from other code) means a full build, and the stamp is never trusted beyond what it proves.

An edit always gives a file a new inode-change time, even one that puts the old modification time back;
only a file changed just before the scan could be edited again within the same clock tick, so those
have their bytes hashed as well (git's "racily clean" rule; see `scan_inputs`). The stamp keeps the
build's warnings and its page count, so an up-to-date build reports what the full one did. This module
imports nothing heavy: an up-to-date build never loads Jinja, Markdown, Babel or YAML."""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

from .store import CACHE_DIR, code_digest, read_cache_file, write_cache_file
from ..model.ignored import is_ignored_name
from ..model.links import is_inside, output_files
from ..model.problems import Problem, plain
from ..model.project import INPUT_FILES, INPUT_FOLDERS

STAMP_FILE = Path(CACHE_DIR) / "build-stamp.bin"
FORMAT = 1
# A file changed this close to a scan's start is hashed, and hashed again next time even when its stat
# looks the same (the clock's granularity could hide a second edit).
RACY_NS = 2_000_000_000

# relative path -> (size, mtime_ns, ctime_ns, inode, digest of the bytes when the file was racy, else None)
InputRecord = tuple
# relative path -> (size, mtime_ns, ctime_ns, inode): an edit by hand that puts the old time back still
# changes the inode-change time
OutputRecord = tuple


@dataclass(frozen=True)
class InputScan:
    """Every input file as found at the start of a build (what the stamp will say the build read)."""

    root: Path
    out: Path | None  # as the command line gave it (None: site.toml's output_dir)
    request: str
    started_ns: int
    files: dict[str, InputRecord]
    unchanged: bool  # every file as the last stamp recorded it (False without a stamp)
    changed: frozenset[str] = frozenset()  # added, changed or removed since the last stamp (all, without one)
    # From the last stamp, for build_record: what its build wrote, and which build it was.
    previous_outputs: dict[str, OutputRecord] | None = None
    previous_id: int | None = None


@dataclass(frozen=True)
class UpToDate:
    """What the last build reported, for a build that found nothing to do."""

    out_dir: Path
    pages: int
    languages: int
    problems: tuple[Problem, ...]


def request_digest(root: Path, out: Path | None, options: tuple) -> str:
    """What, besides the input files, decides the output: where it goes, the options, the code."""
    # The root as written too: pages read in one build keep their paths (relative or not) for the next.
    parts = (FORMAT, str(root), os.getcwd(), str(root.resolve()), os.path.realpath(out) if out else "",
             repr(options), code_digest())
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()


def scan_inputs(root: Path, out: Path | None, request: str,
                previous: dict[str, InputRecord] | None = None) -> InputScan:
    """Every input file's record, and whether each is as `previous` recorded it.

    A file that last changed well before the scan began is recorded by its stat alone: any later edit
    gives it a new modification or inode-change time. One that changed within RACY_NS of the scan
    could change again within the same clock tick, so its bytes are hashed too, and compared next
    time (git's "racily clean" rule). A build from scratch hashes nothing that has settled."""
    started = time.time_ns()
    files: dict[str, InputRecord] = {}
    changed: set[str] = set()
    for relative, path in _input_files(root):
        try:
            stat = os.stat(path)
        except OSError:
            files[relative] = (-1, 0, 0, 0, None)
            changed.add(relative)
            continue
        key = _stat_key(stat)
        racy = max(stat.st_mtime_ns, stat.st_ctime_ns) >= started - RACY_NS
        known = previous.get(relative) if previous else None
        same_stat = known is not None and tuple(known[:4]) == key
        digest = _digest(path) if racy or (same_stat and known[4] is not None) else None
        if not same_stat or (known[4] is not None and known[4] != digest):
            changed.add(relative)
        files[relative] = (*key, digest if racy else None)
    changed.update(name for name in previous or () if name not in files)
    return InputScan(root, out, request, started, files, previous is not None and not changed, frozenset(changed))


def _digest(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return None


def _input_files(root: Path):
    """(relative path, path) of every file a build may read, in a stable order; links are followed while
    they stay in the project (the build refuses one that leaves it: links.py)."""
    for name in INPUT_FILES:
        yield name, os.path.join(root, name)
    project = os.path.realpath(root)
    for folder in INPUT_FOLDERS:
        yield from _folder_files(os.path.join(root, folder), folder, frozenset(), project)


def _folder_files(folder: str, relative: str, followed: frozenset[str], project: str):
    """The files below one folder, by name, but names a build never reads (ignored.py); a linked folder
    is entered under every name that leads to it (a page may name a file through any of them), except
    from below itself (a link back up), or when it leads out of the project: then it is one entry, whose
    times say when it changed (a link to / must not make every build walk the whole disk first)."""
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:
        return
    for entry in entries:
        if is_ignored_name(entry.name):
            continue
        name = f"{relative}/{entry.name}"
        try:
            is_folder = entry.is_dir()
        except OSError:
            is_folder = False
        if not is_folder:
            yield name, entry.path
            continue
        if entry.is_symlink():
            real = os.path.realpath(entry.path)
            if real in followed:
                continue
            if not is_inside(real, project):
                yield name, entry.path
                continue
            yield from _folder_files(entry.path, name, followed | {real}, project)
            continue
        yield from _folder_files(entry.path, name, followed, project)


def output_records(out_dir: Path, folders: list[str] | None = None) -> dict[str, OutputRecord]:
    """Every file under the output folder (links included, as themselves), with its size, times and inode;
    every real folder below it is added to `folders` when given."""
    return {name: _stat_key(os.lstat(path)) for name, path in output_files(out_dir, folders)}


def _stat_key(stat: os.stat_result) -> tuple[int, int, int, int]:
    """What any edit of a file changes: its size, its times, or (a file put in its place) its inode."""
    return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino


def stamp_path(root: Path, out: Path | None) -> Path:
    """One stamp per output folder: builds into another folder (--out) keep their own."""
    if out is None:
        return root / STAMP_FILE
    name = hashlib.sha256(os.path.realpath(out).encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return root / STAMP_FILE.with_name(f"{STAMP_FILE.stem}-{name}{STAMP_FILE.suffix}")


def _header(request: str) -> str:
    return f"smallsite-build-stamp {request}"


def check(root: Path, out: Path | None, options: tuple) -> UpToDate | InputScan:
    """UpToDate when the last build's stamp proves the output folder is what a build would write now;
    else the scan of the inputs, for `save` to record once this build has written its output."""
    request = request_digest(root, out, options)
    stamp = read_cache_file(stamp_path(root, out), _header(request))
    try:
        scan = scan_inputs(root, out, request, stamp.get("inputs"))
        if not scan.unchanged:
            return replace(scan, previous_outputs=stamp.get("outputs"), previous_id=stamp.get("started_ns"))
        out_dir = Path(stamp["out_dir"])
        # The folder as the build named it must still lead there: a link pointed elsewhere is another folder.
        if Path(os.path.realpath(stamp["out_path"])) != out_dir:
            return scan
        if not out_dir.is_dir() or output_records(out_dir) != stamp["outputs"]:
            return scan
        problems = tuple(Problem(*fields) for fields in stamp["problems"])
        return UpToDate(out_dir, stamp["pages"], stamp["languages"], problems)
    except (KeyError, TypeError, ValueError, OSError):  # a stamp of the wrong shape: build
        return scan_inputs(root, out, request)


def save(scan: InputScan, out_dir: Path, pages: int, languages: int, problems: list[Problem],
         before: dict[str, OutputRecord] | None = None, changed_paths: tuple[str, ...] | None = None) -> None:
    """Record a finished build: what it read (as scanned before it began) and what its folder holds now.
    `before` (the folder's records as the build began) and the `changed_paths` it wrote or removed spare
    a second walk through the folder: only those are looked at again."""
    if before is not None and changed_paths is not None:
        outputs = dict(before)
        for name in changed_paths:
            try:
                outputs[name] = _stat_key(os.lstat(os.path.join(out_dir, name)))
            except OSError:
                outputs.pop(name, None)
    else:
        outputs = output_records(out_dir)
    stamp = {"inputs": scan.files, "started_ns": scan.started_ns, "out_dir": str(out_dir.resolve()),
             "out_path": str(out_dir.absolute()),
             "outputs": outputs, "pages": pages, "languages": languages,
             "problems": plain(problems)}
    write_cache_file(stamp_path(scan.root, scan.out), _header(scan.request), stamp)


@contextlib.contextmanager
def one_build_at_a_time(root: Path, waiting_message: str):
    """Hold the project's build lock while a build checks, renders and writes: a second build of the
    same project (a build-on-save hook firing twice) waits for the first, so that neither removes the
    other's staging folder nor records a half-written site as up to date. The lock is taken on the
    project folder itself, so it creates no file; where none can be taken (no fcntl), builds are not
    serialised."""
    try:
        import fcntl
        folder = os.open(root, os.O_RDONLY)
    except (ImportError, OSError):  # Windows, or a folder that cannot be opened (the build will say so)
        yield
        return
    try:
        try:
            fcntl.flock(folder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # another build holds it
            print(waiting_message, file=sys.stderr, flush=True)
            fcntl.flock(folder, fcntl.LOCK_EX)
        except OSError:  # a file system without locks (some network ones): build unserialised
            pass
        yield
    finally:
        os.close(folder)  # which releases the lock
