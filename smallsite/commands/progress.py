"""The progress line a long build shows on a terminal (never in a log: CI and pipes get the summary only)."""

from __future__ import annotations

import os
import time
from typing import Callable, TextIO

# A build faster than this shows no progress at all: a line that flashes past is noise.
SHOW_AFTER = 1.0
EVERY = 0.1


def terminal_progress(stream: TextIO | None, clock: Callable[[], float] = time.monotonic
                      ) -> Callable[[int, int], None] | None:
    """A `progress(done, total)` that redraws one line on the terminal, or None when output is not one."""
    if stream is None or not stream.isatty() or os.environ.get("CI") or os.environ.get("TERM") == "dumb":
        return None
    started = clock()
    shown = [0.0]

    def progress(done: int, total: int) -> None:
        now = clock()
        if done >= total:
            if shown[0]:
                stream.write("\r\x1b[K")  # leave the line clean for the summary
                stream.flush()
            return
        if now - started < SHOW_AFTER or now - shown[0] < EVERY:
            return
        shown[0] = now
        stream.write(f"\rrendering pages: {done}/{total} ({100 * done // max(total, 1)}%)")
        stream.flush()

    return progress
