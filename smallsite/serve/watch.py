"""The file watcher behind `serve`: which file events matter, and one batch of changes per save."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from ..model.ignored import is_ignored_path
from ..model.project import INPUT_FILES, INPUT_FOLDERS

# Event types that can change what a build reads. Opened, closed-without-writing and attribute-only
# events are left out: reading a file (the build does, a lot) must not cause another build.
CHANGE_EVENTS = frozenset({"created", "modified", "deleted", "moved", "closed"})


@dataclass(frozen=True)
class FileEvent:
    """One watchdog event, reduced to what the watcher decides on; paths are relative to the project."""

    kind: str  # watchdog's event_type: created, modified, deleted, moved, closed, opened, ...
    path: str
    dest: str = ""  # for moves
    is_directory: bool = False


def is_source(relative: str) -> bool:
    """True if a build reads this path: site.toml, or anything in a watched folder but an ignored name
    (the build's own list: what it never reads never starts a rebuild)."""
    if not relative or relative.startswith("../"):
        return False
    parts = PurePosixPath(relative).parts
    if parts[0] not in INPUT_FOLDERS and relative not in INPUT_FILES:
        return False
    return not is_ignored_path(relative)


def changed_sources(event: FileEvent) -> tuple[str, ...]:
    """The sources an event changes: none, one, or two for a move (JetBrains' and vim's renames)."""
    if event.kind not in CHANGE_EVENTS:
        return ()
    # A folder's own 'modified' event only echoes the file events inside it.
    if event.is_directory and event.kind in ("modified", "closed"):
        return ()
    candidates = (event.path, event.dest) if event.kind == "moved" else (event.path,)
    return tuple(path for path in candidates if is_source(path))


class ChangeBatcher:
    """Collects changed paths until the files have been quiet for `quiet` seconds: one save, one batch.

    A save is a burst of events (vim: rename, create, write, close, delete the backup); building on
    the first event would read a half-written file. `longest` bounds the wait during endless writes;
    a build that then reads a half-written file is followed by another once the writes stop.
    Not thread-safe by itself: SourceWatcher guards it with a lock.
    """

    def __init__(self, quiet: float = 0.02, longest: float = 0.5):
        self.quiet = quiet
        self.longest = longest
        self._paths: set[str] = set()
        self._first = 0.0
        self._last = 0.0

    def add(self, paths: tuple[str, ...], now: float) -> None:
        """Record changed paths seen at time `now`."""
        if not paths:
            return
        if not self._paths:
            self._first = now
        self._paths.update(paths)
        self._last = now

    def wait_time(self, now: float) -> float | None:
        """Seconds until the pending batch is due; None when nothing is pending."""
        if not self._paths:
            return None
        return max(0.0, min(self._last + self.quiet, self._first + self.longest) - now)

    def take(self, now: float) -> frozenset[str] | None:
        """The batch, if it is due (and forget it); else None."""
        wait = self.wait_time(now)
        if wait is None or wait > 0:
            return None
        batch = frozenset(self._paths)
        self._paths.clear()
        return batch


class _Forward(FileSystemEventHandler):
    """Hands watchdog's events (on its observer thread) to the SourceWatcher."""

    def __init__(self, watcher: "SourceWatcher"):
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        self.watcher.notice(event)


class SourceWatcher:
    """watchdog's observer on the project's sources, feeding a ChangeBatcher; `next_batch` blocks for one save."""

    def __init__(self, root: Path, batcher: ChangeBatcher | None = None):
        self.root = root.resolve()
        self.batcher = batcher or ChangeBatcher()
        self._condition = threading.Condition()
        self._observer = Observer()
        self._handler = _Forward(self)
        self._watches: dict[str, tuple[object, int]] = {}  # folder -> (watch, inode)
        self._stopped = False

    def start(self) -> None:
        """Start watching (the root itself only for site.toml and for watched folders appearing)."""
        self._observer.schedule(self._handler, str(self.root), recursive=False)
        self.ensure_watched()
        self._observer.start()

    def stop(self) -> None:
        """Stop the observer and wake anyone waiting in next_batch."""
        with self._condition:
            self._stopped = True
            self._condition.notify_all()
        self._observer.stop()
        if self._observer.is_alive():  # (not when Ctrl+C came before start() began it)
            self._observer.join()

    def ensure_watched(self) -> None:
        """Watch every watched folder that exists, again if it was deleted and made anew."""
        for name in INPUT_FOLDERS:
            folder = self.root / name
            try:
                inode = folder.stat().st_ino if folder.is_dir() else None
            except OSError:
                inode = None
            current = self._watches.get(name)
            if current and current[1] == inode:
                continue
            if current:
                try:
                    self._observer.unschedule(current[0])
                except (KeyError, OSError):
                    pass  # watchdog already dropped the watch of a deleted folder
                del self._watches[name]
            if inode is not None:
                try:
                    watch = self._observer.schedule(self._handler, str(folder), recursive=True)
                except OSError:
                    continue  # gone again between the check and the call: its next event retries
                self._watches[name] = (watch, inode)

    def notice(self, event: FileSystemEvent) -> None:
        """Called on the observer's thread for every raw event."""
        paths = changed_sources(self.reduce(event))
        if paths:
            with self._condition:
                self.batcher.add(paths, time.monotonic())
                self._condition.notify_all()

    def reduce(self, event: FileSystemEvent) -> FileEvent:
        """A watchdog event with paths relative to the project, as FileEvent."""
        return FileEvent(event.event_type, self._relative(event.src_path),
                         self._relative(getattr(event, "dest_path", "") or ""), event.is_directory)

    def _relative(self, path: str | bytes) -> str:
        if not path:
            return ""
        path = os.fsdecode(path)
        try:
            return Path(path).relative_to(self.root).as_posix()
        except ValueError:
            return "../" + path  # outside the project: never a source

    def next_batch(self, timeout: float | None = None) -> frozenset[str] | None:
        """Block until one save's worth of changes is due; None on timeout or after stop()."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._condition:
            while not self._stopped:
                now = time.monotonic()
                batch = self.batcher.take(now)
                if batch:
                    return batch
                wait = self.batcher.wait_time(now)
                if deadline is not None:
                    left = deadline - now
                    if left <= 0:
                        return None
                    wait = left if wait is None else min(wait, left)
                self._condition.wait(wait)
        return None
