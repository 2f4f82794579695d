"""The one lock on serve's renderings: the server's thread and the builder's both render pages.

A page rendered on request (on_request.py) and the builder's pages of the same site (a save's, then the
rest of its build) fill the same memos: the rendering's pages, cards and links, the renderer's story
cards, the Markdown cache's entries and media files. Those are check-then-set dicts, not made for two
threads at once, so whichever thread renders holds this lock (docs/serve.md)."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator


class RenderingLock:
    """Held by the server's thread while it asks a rendering for a file, and by the builder while it
    renders, copies a cache or finishes a build. Reentrant for requests: a page on request may fall back
    to an earlier rendering's, which takes it again.

    A request waiting for it goes before the builder's next step. Python's locks are not fair: the
    builder, taking the lock again at once for the next page of a whole build, could keep a request out
    until the build ends."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._asking = 0  # requests waiting for the lock or holding it
        self._requests_done = threading.Condition(threading.Lock())

    @contextmanager
    def for_request(self) -> Iterator[None]:
        """Hold the lock to answer a request (or to read what a rendering has made so far)."""
        with self._requests_done:
            self._asking += 1
        try:
            with self._lock:
                yield
        finally:
            with self._requests_done:
                self._asking -= 1
                if not self._asking:
                    self._requests_done.notify_all()

    @contextmanager
    def for_builder(self) -> Iterator[None]:
        """Hold the lock for one step of a build, once no request is waiting. Never nested: a step that
        waited for a request holding the lock it holds itself would wait for ever."""
        with self._requests_done:
            self._requests_done.wait_for(lambda: not self._asking)
        with self._lock:
            yield
