"""`python build.py serve`: build into memory, serve the last good build, rebuild and reload on every save."""

from __future__ import annotations

import argparse
import dataclasses
import errno
import gc
import signal
import sys
import threading
import time
import traceback
from typing import Callable

from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop

from ..commands import cli
from .on_request import CardsOnRequest, RenderedOnRequest, changed_documents, is_unchanged
from ..build.pipeline import BuildOptions, BuildResult, PreparedSite, SiteRendering, start_build, stop_on_errors
from ..speed.preview_memo import PreviewMemo
from .listening import DEFAULT_PORT, is_loopback, listen, next_free_port, page_url
from .preview import Preview, Snapshot, make_application
from .rendering_lock import RenderingLock
from ..model.problems import BuildFailed, Problem
from ..model.project import only_content_changed
from .watch import SourceWatcher
from ..build.output_folder import check_output_dir, foreign_problems
from ..build.write import write_tree

# Seconds between serving a save's pages and starting the rest of its build: the reload's requests first.
RELOAD_GRACE = 0.3


def add_command(subparsers) -> None:
    """Register `serve` with the command line."""
    parser = subparsers.add_parser(
        "serve", help="preview the site in a browser; every save rebuilds and reloads it",
        description="Build the site into memory and serve it at http://127.0.0.1:8000/. Every save in "
        "content/, templates/, locales/, static/ or site.toml rebuilds it and reloads every open tab; an error "
        "is shown in the terminal and over the page, and the last good pages stay. Nothing is written to "
        "disk unless --out is given.")
    cli.add_build_options(parser)
    for action in parser._actions:  # argparse has no public way to reword a shared option's help
        if action.dest == "out":
            action.help = "also write each good build to this folder (serve writes nothing by default)"
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=None,
                        help=f"port to listen on (default {DEFAULT_PORT}, or the next free one; 0: any free port)")
    parser.add_argument("--lang", action="append", metavar="CODE",
                        help="build only these languages (and the default one): --lang ko, --lang ko,ja")
    parser.set_defaults(run=run_serve)


class PreviewBuilder:
    """Runs builds for the preview (off the event loop) and turns each into the next Snapshot.

    The first build is a whole one, on every core. After each save `rebuild` re-reads only what changed,
    renders the changed pages and returns a snapshot whose other pages are rendered on request
    (on_request.py); `finish` then completes that build in the background, for the problems only a
    whole build finds, and its files replace those. The pages on show may be rendering on request
    meanwhile, from the same rendering and caches: the builder holds `lock` whenever it touches them."""

    def __init__(self, args: argparse.Namespace, out=sys.stdout, err=sys.stderr,
                 interrupted: Callable[[], bool] = lambda: False):
        self.args = args
        self.interrupted = interrupted  # True once Ctrl+C has cut the first build short
        self.out = out
        self.err = err
        self.snapshot = Snapshot()
        self.lock = RenderingLock()
        self._warnings: list[Problem] = []
        self._prepared: PreparedSite | None = None  # the newest model, offered to the next save's build
        self._memo: PreviewMemo | None = None  # the memo of the last build that rendered pages
        self._since: frozenset[str] = frozenset()  # what changed since that build
        self._unfinished: tuple[SiteRendering, frozenset[str], float, Snapshot] | None = None

    @property
    def unfinished(self) -> bool:
        """True while the snapshot on show is served page by page and its whole build is still to do."""
        return self._unfinished is not None

    def rebuild(self, changed: frozenset[str] = frozenset()) -> Snapshot:
        """Build once; on failure keep the last good files and show the errors. Never raises."""
        started = time.perf_counter()
        previous = self.snapshot
        known, self._prepared = self._prepared, None  # until a prepare succeeds, the next one is whole
        try:
            config = cli.configure(self.args)
            if self.args.lang:
                config = config.only_languages([c.strip() for item in self.args.lang for c in item.split(",")
                                                if c.strip()])
            # Worker processes only for the first build: later ones run on a thread beside the server,
            # and a process forked from there could inherit a lock another thread holds.
            options = BuildOptions(strict=self.args.strict, drafts=self.args.drafts, preview=True)
            since = self._since | changed
            with self.lock.for_builder():  # it copies the last build's Markdown and cards, which requests use
                memo = PreviewMemo(config.root, self._memo, since, known, changed, workers=None if not changed else 1)
            # The model stage runs unlocked: it only reads the last model, which nothing changes once made.
            rendering = start_build(config, options, memo)
            prepared = self._prepared = rendering.prepared
            if previous.built and not previous.problems and is_unchanged(prepared, known, changed):
                self._say(self.out, f"nothing changed{self._because(changed)}")
                return previous
            self._unfinished = None
            self._since = since
            stop_on_errors(list(prepared.problems), options)
            self._memo, self._since = memo, frozenset()
            with self.lock.for_builder():
                if changed:
                    return self._render_changed(rendering, changed, started)
                rendering.render_all()
                result = self._result(rendering)
        except BuildFailed as failed:
            return self._failed(failed, previous)
        except Exception as exc:  # a bug in smallsite: say so, keep serving the last good build
            if self.interrupted():  # no bug: Ctrl+C's KeyboardInterrupt, turned into this on its way out
                raise KeyboardInterrupt from None
            return self._crashed(exc, previous)
        return self._built(result, previous, changed, started)

    def _render_changed(self, rendering: SiteRendering, changed: frozenset[str], started: float) -> Snapshot:
        """Render the changed sources' pages now; the others when a browser asks for them."""
        previous = self.snapshot
        options = rendering.prepared.options
        problems = list(rendering.prepared.problems)
        documents = changed_documents(rendering.prepared, changed)
        # In a whole build's order (cards, then pages), so that build finding the same errors is no news.
        for language in rendering.site.config.languages:
            if any(document.lang == language.code for document in documents):
                problems += rendering.cards(language.code).problems
        for document in documents:
            problems += rendering.document(document).problems
        if not only_content_changed(changed):
            problems += rendering.site_files().problems  # the chooser and the 404 page use other templates
        self._unfinished = (rendering, changed, started, previous)
        stop_on_errors(problems, options)  # a whole build would fail too: no need to wait for it to say so
        elapsed = time.perf_counter() - started
        self._say(self.out, f"updated in {elapsed:.2f} s{self._because(changed)}; other pages render "
                  "when asked for until the whole build is done")
        files = RenderedOnRequest(rendering, previous.files, self.lock)
        self.snapshot = Snapshot(files, (), previous.generation + 1, rendering.site.config.base_path, True)
        return self.snapshot

    def finish(self, interrupted: Callable[[], bool]) -> Snapshot | None:
        """Complete the build whose pages are served on request: every page, every problem, written to
        --out. None (the snapshot stays) when `interrupted()` says another save came first."""
        if self._unfinished is None:
            return None
        rendering, changed, started, last_good = self._unfinished
        try:
            for document in rendering.site.documents:
                if interrupted():
                    return None
                with self.lock.for_builder():  # a page at a time: a request waits for one page at most
                    rendering.document(document)  # (at once when the page was asked for already)
            self._unfinished = None
            with self.lock.for_builder():
                result = self._result(rendering)
        except BuildFailed as failed:
            self._unfinished = None
            return self._failed(failed, last_good, quiet_if_known=True)
        except Exception as exc:  # noqa: BLE001 - a bug in smallsite: shown, and serving goes on
            self._unfinished = None
            return self._crashed(exc, self.snapshot)
        return self._built(result, self.snapshot, changed, started)

    def _result(self, rendering: SiteRendering) -> BuildResult:
        """The whole build; its share cards drawn when a browser asks for one, unless it is written to --out."""
        if self.args.out:
            return rendering.result()
        result = rendering.result(draw_cards=False)
        return dataclasses.replace(result, files=CardsOnRequest(result.files, rendering))

    def _failed(self, failed: BuildFailed, previous: Snapshot, quiet_if_known: bool = False) -> Snapshot:
        """Show the last good build with the errors over it (and in the terminal when they are new)."""
        errors = tuple(p for p in failed.problems if p.is_error or self.args.strict)
        if errors != self.snapshot.problems:
            cli.report(failed.problems, self.err)
        if errors != self.snapshot.problems or not quiet_if_known:
            suffix = "s" if len(errors) != 1 else ""
            kept = "still serving the last good build" if previous.built else "nothing to serve yet"
            self._say(self.err, f"build failed: {len(errors)} problem{suffix}; {kept}")
        self.snapshot = dataclasses.replace(previous, problems=errors,
                                            generation=self.snapshot.generation + (errors != self.snapshot.problems))
        return self.snapshot

    def _crashed(self, exc: Exception, previous: Snapshot) -> Snapshot:
        traceback.print_exc(file=self.err)
        problem = Problem("smallsite", None, f"internal error ({type(exc).__name__}: {exc}); this is a bug "
                          "in smallsite, not in your files: please report it with the traceback printed "
                          "in the terminal")
        self._say(self.err, "build crashed; still serving the last good build")
        self._prepared = None
        self.snapshot = dataclasses.replace(previous, problems=(problem,), generation=self.snapshot.generation + 1)
        return self.snapshot

    def _built(self, result: BuildResult, previous: Snapshot, changed: frozenset[str], started: float) -> Snapshot:
        config = result.site.config
        foreign: list[Problem] = []
        if self.args.out:
            written = write_tree(result.files, self.args.out, config.root)
            foreign = foreign_problems(self.args.out, list(written.foreign))
        warnings = sorted([*result.problems, *foreign])
        if warnings != self._warnings:
            cli.report(warnings, self.err)
            self._warnings = warnings
        files = result.files
        if isinstance(previous.files, RenderedOnRequest):
            # What the page-by-page snapshot served is these very bytes: reload only if a file came or went.
            same = not previous.problems and set(files) == set(previous.files)
        else:
            same = previous.built and not previous.problems and files == previous.files \
                and config.base_path == previous.base_path
        pages = sum(1 for name in files if name.endswith(".html"))
        fixed = " (fixed)" if previous.problems else ""
        elapsed = time.perf_counter() - started
        self._say(self.out, f"built {pages} pages in {elapsed:.2f} s{self._because(changed)}{fixed}"
                  f"{'; nothing changed' if same else ''}")
        self.snapshot = Snapshot(files, (), previous.generation + (not same), config.base_path, True)
        return self.snapshot

    @staticmethod
    def _because(changed: frozenset[str]) -> str:
        return f" after {', '.join(sorted(changed)[:3])}{' ...' if len(changed) > 3 else ''}" if changed else ""

    def _say(self, stream, text: str) -> None:
        print(text, file=stream, flush=True)


def settle_memory() -> None:
    """Collect garbage now, between saves, and leave what survives out of later collections: the site
    model is hundreds of thousands of objects, and a full collection of them should not fall in the
    middle of a save's update, which an editor waits for."""
    gc.collect()
    gc.freeze()


def run_serve(args: argparse.Namespace) -> int:
    """Watch, build, serve until Ctrl+C; the preview never writes the site folder (unless --out)."""
    root = args.root.resolve()
    if args.out and args.lang:  # the swap would leave DIR with those languages only
        print("serve --out writes the whole site, and --lang builds only some languages: use one or the other",
              file=sys.stderr)
        return 1
    if args.out:  # a folder the build may not write into is refused before anything starts
        try:
            check_output_dir(args.out, root)
        except BuildFailed as failed:
            cli.report(failed.problems)
            return 1
    if not is_loopback(args.host):
        print(f"warning: listening on {args.host}: other machines on your network can see this preview, "
              "drafts included", file=sys.stderr, flush=True)
    # Until the server runs, Ctrl+C and SIGTERM interrupt the first build, plain code on this thread. The
    # KeyboardInterrupt can turn into another error on its way out (an import it cut short, imported again
    # in an `except` clause, failed so with PyYAML), which a build reports and serves on: so it is noted too.
    first_build_interrupted = threading.Event()

    def interrupt_first_build(number, frame) -> None:
        first_build_interrupted.set()
        raise KeyboardInterrupt

    on_stop_signals(interrupt_first_build)
    watcher = SourceWatcher(root)
    try:
        watcher.start()  # before the first build, so a save during it is not missed
        builder = PreviewBuilder(args, interrupted=first_build_interrupted.is_set)
        first = builder.rebuild()
        if first_build_interrupted.is_set():  # (and the interrupt got lost in the build)
            raise KeyboardInterrupt
        settle_memory()
        loop = IOLoop.current()

        def stop_serving(number, frame) -> None:
            # Runs between two bytecodes of whatever this thread was doing: only queue the stop (the
            # thread-safe call also wakes the loop if it is waiting for sockets).
            loop.asyncio_loop.call_soon_threadsafe(loop.stop)

        on_stop_signals(stop_serving)
    except KeyboardInterrupt:
        watcher.stop()
        say_goodbye()
        return 0
    try:
        sockets, port = listen(args.host, args.port)
    except OSError as exc:
        watcher.stop()
        if exc.errno == errno.EADDRINUSE and args.port:
            free = next_free_port(args.host, args.port)
            hint = f"; port {free} is free: --port {free}" if free else ""
            print(f"port {args.port} is in use (another serve?){hint}", file=sys.stderr)
        else:
            print(f"cannot listen on {args.host}:{args.port or DEFAULT_PORT}: {exc.strerror or exc}",
                  file=sys.stderr)
        return 1

    preview = Preview(args.host, first)
    server = HTTPServer(make_application(preview), xheaders=False)
    server.add_sockets(sockets)
    stop = threading.Event()

    def keep_building() -> None:
        # On its own thread: while a build runs, the loop keeps answering from the last good one.
        pending: frozenset[str] | None = None

        def interrupted() -> bool:
            nonlocal pending
            pending = watcher.next_batch(timeout=0)
            return bool(pending) or stop.is_set()

        while not stop.is_set():
            changed, pending = pending or watcher.next_batch(timeout=0.5), None
            if not changed or stop.is_set():
                continue
            watcher.ensure_watched()
            snapshot = builder.rebuild(changed)
            loop.add_callback(preview.publish, snapshot, sorted(changed)[0])
            if builder.unfinished:
                # Let the tabs reload first (the whole build would slow their answers down), then finish
                # it, giving way to the next save whenever one comes.
                pending = watcher.next_batch(timeout=RELOAD_GRACE)
                if pending or stop.is_set():
                    continue
                finished = builder.finish(interrupted)
                if finished is not None:
                    loop.add_callback(preview.publish, finished, sorted(changed)[0])
                    settle_memory()

    # A daemon, joined below: only a second Ctrl+C leaves it behind, mid-build.
    builder_thread = threading.Thread(target=keep_building, name="smallsite-builder", daemon=True)
    builder_thread.start()
    print(f"serving {page_url(args.host, port, first.base_path)}  (Ctrl+C to stop)", flush=True)
    try:
        loop.start()  # until a stop signal
    finally:
        on_stop_signals(signal.default_int_handler)  # a second Ctrl+C cuts the wait below short
        try:
            stop.set()
            watcher.stop()  # also wakes the builder if it is waiting for a save
            server.stop()
            # The builder ends the step under way (a save's few pages, one page of a whole build, or
            # writing --out) and sees `stop`: no timeout needed.
            builder_thread.join()
        except KeyboardInterrupt:
            pass
    say_goodbye()
    return 0


def on_stop_signals(handler) -> None:
    """Let `handler` take Ctrl+C (SIGINT) and SIGTERM.

    While the server runs, the handler only asks the event loop to stop, on its own thread. Python's own
    Ctrl+C raises KeyboardInterrupt wherever the main thread happens to be, and there it was often inside
    Tornado's request code, which catches every exception to log it ("Uncaught exception", a traceback)
    and goes on serving: a Ctrl+C while a browser was loading pages was lost, and serve ran on."""
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, handler)


def say_goodbye() -> None:
    print("\nstopped", flush=True)  # on a line of its own, after the terminal's ^C
