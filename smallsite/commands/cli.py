"""The command line: parse arguments, call the package, set the exit code."""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from pathlib import Path

from typing import TYPE_CHECKING

from ..speed import build_stamp
from ..model.problems import BuildFailed, Problem
from ..speed.workers import flush_output

if TYPE_CHECKING:
    from ..model.config import SiteConfig


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # `build` needs none of the other commands' modules (serve's web server and watcher among them): an
    # editor waits on every build, and on its imports too.
    parser = make_parser(others=_command_in(argv) != "build")
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    return args.run(args)


def run() -> None:
    """build.py's entry point: `main`, then exit with its code. After `build`, without Python freeing
    its objects one by one first: the operating system takes a process's memory back at once, and
    freeing a big site's objects one by one is work nobody waits for usefully. Nothing a
    build leaves is pending by then: every file it writes is closed, and its workers have ended."""
    code = main()
    if _command_in(sys.argv[1:]) == "build":
        flush_output()
        os._exit(code)
    sys.exit(code)


def _command_in(argv: list[str]) -> str | None:
    """The command an argument list asks for (the first word that is not an option or --root's value)."""
    words = iter(argv)
    for word in words:
        if word == "--root":
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def make_parser(others: bool = True) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="build.py", description="smallsite: build a multilingual site.")
    parser.add_argument("--root", type=Path, default=Path("."), help="the project folder (default: here)")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    build = commands.add_parser("build", help="build the site into site/",
                                description="Build every page in every language into the output folder. "
                                "A failed build prints every problem and leaves the last good site as it was.")
    add_build_options(build)
    build.add_argument("--no-cache", action="store_true",
                       help="build everything from the sources, using and keeping nothing of earlier builds "
                       "(the site is the same)")
    build.set_defaults(run=run_build)
    for module in ("serve.command", "commands.check", "commands.new", "i18n.commands", "host.commands") if others \
            else ():
        _register(commands, module)
    return parser


def add_build_options(parser: argparse.ArgumentParser) -> None:
    """Options every command that builds accepts."""
    parser.add_argument("--out", type=folder_argument, help="output folder (default: output_dir in site.toml, 'site')")
    parser.add_argument("--base-url", help="publish at this URL for this build (https://example.org/sub/)")
    parser.add_argument("--strict", action="store_true", help="fail on warnings too (missing translations)")
    parser.add_argument("--drafts", action="store_true", help="include pages marked draft: true")


def _register(commands, module: str) -> None:
    """Commands live in their own modules; each adds its parser."""
    import importlib

    try:
        importlib.import_module(f"smallsite.{module}").add_command(commands)
    except ModuleNotFoundError as exc:
        if exc.name != f"smallsite.{module}":
            raise


def configure(args: argparse.Namespace) -> SiteConfig:
    """site.toml, with the command line's overrides."""
    from ..model.config import load_config

    config = load_config(args.root)
    if getattr(args, "base_url", None):
        config = config.with_base_url(args.base_url)
    return config


def output_dir(args: argparse.Namespace, config: SiteConfig) -> Path:
    """--out, else site.toml's output_dir (from the project folder); `~` is the home folder in both."""
    return args.out if args.out else config.root / os.path.expanduser(config.output_dir)


def folder_argument(text: str) -> Path:
    """A folder given on the command line: `~` is the home folder, also when the shell left it (quoted)."""
    return Path(os.path.expanduser(text))


def report(problems: list[Problem], stream=None) -> None:
    """Every problem, one per line, as path:line: message (editors' tools can jump to them)."""
    for problem in sorted(problems):
        print(problem, file=stream or sys.stderr)


def run_build(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    with build_stamp.one_build_at_a_time(args.root, "waiting for another build of this project to finish..."):
        return _build(args, started)


def _build(args: argparse.Namespace, started: float) -> int:
    # Nothing changed since the last build: say so and stop, before loading what a build needs.
    stamp = None if args.no_cache else build_stamp.check(args.root, args.out, (args.base_url, args.strict,
                                                                               args.drafts))
    if isinstance(stamp, build_stamp.UpToDate):
        report(list(stamp.problems))
        print(f"built {stamp.pages} pages in {stamp.languages} languages in {time.perf_counter() - started:.2f} s "
              f"-> {stamp.out_dir} (up to date: nothing changed since the last build)")
        return 0
    from ..build.memo import Memo
    from ..build.pipeline import BuildOptions, build_site
    from ..model.content import SOURCE_CHANGED
    from ..speed import build_record
    from ..speed.memo import DiskMemo
    from .progress import terminal_progress

    # A build makes few reference cycles but many objects (front matter, cache entries, the output): the
    # collector's default pace would walk them again and again. Modules loaded so far never go.
    gc.freeze()
    gc.set_threshold(10_000, 50, 100)
    memo: Memo | None = None
    try:
        config = configure(args)
        options = BuildOptions(strict=args.strict, drafts=args.drafts, progress=terminal_progress(sys.stderr))
        out_dir = output_dir(args, config)
        if stamp is None:
            memo = Memo()
        else:  # what the last build into this folder left that still holds, and the caches
            memo = DiskMemo(config.root, previous=build_record.load(stamp, config.root, out_dir))
        result = build_site(config, out_dir, options, memo)
    except BuildFailed as failed:
        if stamp is not None and any(problem.message == SOURCE_CHANGED for problem in failed.problems):
            # Its file may still look as recorded (a tool that puts the old time back, where files have no
            # change time): the next build must not take its page from the record again.
            build_record.forget(stamp)
        report(failed.problems)
        errors = sum(1 for p in failed.problems if p.is_error or args.strict)
        print(f"build failed: {errors} problem{'s' if errors != 1 else ''}; the site folder was not changed",
              file=sys.stderr)
        return 1
    pages = sum(1 for name in result.files if name.endswith(".html"))
    if isinstance(memo, DiskMemo):
        previous = memo.previous
        written = result.written
        build_stamp.save(stamp, out_dir, pages, len(config.languages), result.problems,
                         previous.outputs if previous else None, written.changed_paths if written else None)
        build_record.save(stamp, build_record.make_record(result.rendering, memo))
    report(result.problems)
    elapsed = time.perf_counter() - started
    print(f"built {pages} pages in {len(config.languages)} languages in {elapsed:.2f} s -> {out_dir}")
    return 0
