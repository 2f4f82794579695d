"""The one file format every cache in .cache/ uses: a header naming the cache and the code that made it,
a checksum, and a marshalled dict. Anything else (missing, truncated, foreign) reads as an empty cache."""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import marshal
import os
import stat
import sys
import zlib
from pathlib import Path
from typing import Any, BinaryIO, Callable

from .. import __version__

CACHE_DIR = ".cache"  # in the project folder: every cache's file, the build stamp and the build record
_CODE = Path(__file__).resolve().parent.parent  # the smallsite package
# The libraries whose files decide what a page shows; located without importing them (an up-to-date
# build never loads them).
_LIBRARIES = ("jinja2", "markupsafe", "babel", "markdown", "yaml", "nh3", "PIL", "budoux", "resvg_py")


@functools.lru_cache(maxsize=None)
def code_digest() -> str:
    """smallsite's own code (every module: any of them may change what a page shows), its libraries'
    files and Python's version: a cache written by anything else is not read. Worked out once per process
(the code a process runs is the code it loaded)."""
    digest = hashlib.sha256(repr((__version__, sys.version_info[:2])).encode())
    for name in _LIBRARIES:
        # Not __version__: importing MarkupSafe's imports importlib.metadata (slow). An upgrade rewrites the file.
        try:
            origin = importlib.util.find_spec(name).origin
            stat = os.stat(origin)
            digest.update(f"{name}:{origin}:{stat.st_size}:{stat.st_mtime_ns};".encode())
        except (OSError, TypeError, AttributeError, ValueError, ImportError):
            digest.update(f"{name}:?;".encode())
    for path in sorted(_CODE.rglob("*.py")):
        digest.update(path.relative_to(_CODE).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def read_kept_bytes(path: str, offset: int, length: int, digest: bytes, whole: bool = False) -> bytes | None:
    """The `length` bytes at `offset` of a file a cache entry points into (a page in the output folder),
    when their SHA-256 is still `digest` (and, with `whole`, they are all the file holds); else None. Only
    a regular file is read, opened without waiting, so a named pipe or a device put where a page was is
    a miss, not a build that hangs."""
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            return None
        wanted = length + 1 if whole else length  # a byte more: a file that grew is not the page kept
        data = os.pread(handle, wanted, offset) if hasattr(os, "pread") else _read_at(handle, offset, wanted)
    except OSError:
        return None
    finally:
        os.close(handle)
    return data if len(data) == length and hashlib.sha256(data).digest() == digest else None


def _read_at(handle: int, offset: int, length: int) -> bytes:
    os.lseek(handle, offset, os.SEEK_SET)
    return os.read(handle, length)


def read_cache_file(path: Path, header: str) -> dict:
    """The entries of a cache file whose first line is `header` and whose checksum holds; else {}."""
    try:
        first, checksum, payload = path.read_bytes().split(b"\n", 2)
        if first.decode() != header or int(checksum) != zlib.crc32(payload):
            return {}
        entries = marshal.loads(payload)
    except Exception:  # noqa: BLE001 - a missing, truncated or foreign file is simply no cache
        return {}
    return entries if isinstance(entries, dict) else {}


def write_cache_file(path: Path, header: str, entries: dict) -> None:
    """Write a cache file atomically: a concurrent build (serve and build) reads a whole file or none."""
    payload = marshal.dumps(entries)
    data = f"{header}\n{zlib.crc32(payload)}\n".encode() + payload
    write_atomically(path, lambda handle: handle.write(data))


def write_atomically(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Make `path` hold what `write` writes to an open file, whole or not at all: it writes a file beside
    it, which then takes its place. A failure leaves things as they were: a read-only project still
    builds, only slower next time."""
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(temporary, "wb") as handle:
            write(handle)
        os.replace(temporary, path)
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass


class KeptEntries:
    """What the Markdown and page caches share: `entries` read at the start of a build, `used` the ones
    this build used or made. Only the used ones are saved, so a file never grows past the site.
    A subclass has `path` (None: keep nothing), `entries`, `used`, `changed` and a `header` naming
    the code that made the entries."""

    path: Path | None
    entries: dict[str, Any]
    used: dict[str, Any]
    changed: bool
    header: str

    def record(self, key: str | None, entry: Any) -> None:
        """Keep an entry used by this build: a new one (made here or in a worker), or None for a hit."""
        if key is None:
            return
        if entry is None:
            if key in self.entries:
                self.used[key] = self.entries[key]
        else:
            self.changed = True
            self.used[key] = entry

    def save(self) -> None:
        """Write the used entries, atomically, when they differ from what was read."""
        if self.path is None or not (self.changed or len(self.used) != len(self.entries)):
            return
        write_cache_file(self.path, self.header, self.used)
