"""Per-page work spread over every core: processes forked from the build, results handed back in order.

Python-Markdown and Jinja are pure Python, so threads would take turns on one core. Forked processes
inherit the whole site model, the Jinja environments and the Markdown cache as they are (nothing is
pickled on the way in, which is what makes this cheap); only each page's result comes back. The build's
own process renders a share too, instead of waiting. Where fork does not exist (Windows) the work runs
in this process alone: the output is the same, only slower."""

from __future__ import annotations

import os
import sys
import traceback
import warnings
from typing import TYPE_CHECKING, Callable, Sequence, TypeVar

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

Item = TypeVar("Item")
Result = TypeVar("Result")

# Below this many items per process, forking costs more than it saves.
MIN_ITEMS_PER_WORKER = 24
BATCH = 16


class WorkerFailed(RuntimeError):
    """A worker process raised or died: a bug in smallsite, reported with the worker's traceback."""


def available_cores() -> int:
    """The cores this process may run on (a container's limit, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def worker_count(items: int, requested: int | None, per_worker: int = MIN_ITEMS_PER_WORKER) -> int:
    """How many processes to use: as asked, or one per core when there is enough work for them
    (`per_worker` items each, at least)."""
    if not hasattr(os, "fork"):
        return 1
    if requested is not None:
        return max(1, min(requested, items))
    return max(1, min(available_cores(), items // per_worker))


def flush_output() -> None:
    """Print what is buffered for stdout and stderr now: before a fork (or each process would print it
    again) and before os._exit (which prints nothing). An output closed when the command started (None)
    or a closed pipe is passed over, as Python's own exit does."""
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            pass


def map_in_processes(function: Callable[[Item], Result], items: Sequence[Item], workers: int,
                     progress: Callable[[int], None] | None = None, first: Callable[[], None] | None = None
                     ) -> list[Result]:
    """[function(item) for item in items], computed by `workers` processes; same order, same values.
    `progress(done)` is called now and then with the number of items finished so far. `first`: work for
    this process alone, done before it takes items (once the others have started on theirs)."""
    if workers <= 1:
        if first is not None:
            first()
        results = []
        for number, item in enumerate(items, 1):
            results.append(function(item))
            if progress:
                progress(number)
        return results
    import multiprocessing  # only when forking: a rebuild of a few pages never does
    from multiprocessing.connection import Pipe, wait

    Value = multiprocessing.get_context("fork").Value  # the processes are forked, whatever the default

    results: list = [None] * len(items)
    done = 0
    children: dict[Connection, int] = {}
    # Every process takes the next BATCH items when it is free, so a process the machine slows down
    # (other programs, a bigger page) takes fewer: a fixed split would wait for the slowest.
    next_item = Value("q", 0)
    flush_output()
    for _ in range(1, workers):
        receiver, sender = Pipe(duplex=False)
        with warnings.catch_warnings():
            # Python 3.12+ warns when a process with threads forks (serve has a watcher thread). The
            # child only renders pages and writes to its pipe: it takes no lock another thread may hold.
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # the child: batches until none is left, then leave at once (no atexit, no flushing)
            receiver.close()
            _run_batches(function, items, next_item, sender)
        sender.close()
        children[receiver] = pid
    try:
        if first is not None:
            first()
        while (start := _take(next_item, len(items))) is not None:
            for index in range(start, min(start + BATCH, len(items))):
                results[index] = function(items[index])
                done += 1
                # Read what the others sent after every item: a batch's results can be more than a pipe
                # holds, and a worker whose send waits for this process to read is a worker not working.
                done += _collect(wait(list(children), timeout=0), children, results)
            if progress:
                progress(done)
        while children:
            done += _collect(wait(list(children)), children, results)
            if progress:
                progress(done)
    finally:
        for connection, pid in children.items():  # only after a failure: stop the others
            connection.close()
            os.kill(pid, 9)
            os.waitpid(pid, 0)
    return results


def _take(next_item, count: int) -> int | None:
    """The first index of the next batch, or None when every batch is taken."""
    with next_item.get_lock():
        start = next_item.value
        if start >= count:
            return None
        next_item.value = start + BATCH
        return start


def _run_batches(function: Callable, items: Sequence, next_item, sender: Connection) -> None:
    status = 0
    try:
        while (start := _take(next_item, len(items))) is not None:
            sender.send(("results", [(index, function(items[index]))
                                     for index in range(start, min(start + BATCH, len(items)))]))
        sender.send(("done", None))
    except BaseException:  # noqa: BLE001 - whatever happens here must reach the parent, not a terminal
        status = 1
        try:
            sender.send(("failed", traceback.format_exc()))
        except Exception:  # noqa: BLE001 - the parent sees the closed pipe instead
            pass
    finally:
        os._exit(status)


def _collect(ready: list, children: dict[Connection, int], results: list) -> int:
    """Read what the ready workers sent; returns how many results arrived."""
    count = 0
    for connection in ready:
        try:
            kind, payload = connection.recv()
        except EOFError:
            kind, payload = "failed", "the worker process ended without a result (killed, or out of memory?)"
        if kind == "results":
            for index, result in payload:
                results[index] = result
            count += len(payload)
            continue
        pid = children.pop(connection)
        connection.close()
        os.waitpid(pid, 0)
        if kind == "failed":
            raise WorkerFailed(f"a worker process failed:\n{payload}")
    return count
