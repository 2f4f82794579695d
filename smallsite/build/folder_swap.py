"""Two folders exchange names in one step: how the writer puts a whole new site in place of the old
one (docs/output-folder.md). The system calls are reached through ctypes; swap_folders says what
happens where there are none."""

from __future__ import annotations

import ctypes
import errno
import os
import sys
from pathlib import Path


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
