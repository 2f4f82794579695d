"""Do the lowest versions pyproject.toml allows build the same site as the newest, byte for byte?

Takes each dependency's lowest version from pyproject.toml itself (its `>=`), so the check cannot drift
from what is declared; installs exactly those into .venv-lowest (made anew whenever they change);
builds the site with them and with .venv (the newest, as `make setup` installs them), each from a fresh
copy of the site's sources into a folder of its own; and compares the two sites file by file. Then it
runs, with the lowest versions, the tests that exercise each library. A range that lies (a lowest
version that crashes, or builds other bytes) fails here rather than on a user's machine.

Run after `make setup`, from anywhere: .venv/bin/python tools/lowest_versions.py (CI does, in .ci/run).
Exit status 0 when the sites are the same and the tests pass, 1 otherwise, with what differs."""

from __future__ import annotations

import difflib
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
NEWEST_PYTHON = PROJECT / ".venv" / "bin" / "python"
LOWEST_VENV = PROJECT / ".venv-lowest"
LOWEST_PYTHON = LOWEST_VENV / "bin" / "python"
PINS_FILE = "pins.txt"  # in LOWEST_VENV: the pins it was made with

sys.path.insert(0, str(PROJECT))
from smallsite.model.project import INPUT_FILES, INPUT_FOLDERS  # noqa: E402 - what a build reads

SITE_SOURCES = (*INPUT_FILES, *INPUT_FOLDERS)
# The test extra's runner, at its own lowest, and the tests (none needing a browser) that exercise each
# library: Python-Markdown (markdown, markdown_patterns: our accelerator against stock), Babel
# (languages, check, i18n_*), PyYAML (frontmatter), Jinja2 (safety), Tornado and livereload (serve),
# watchdog (watch), Pillow, resvg-py and BudouX (share_cards, headlines). About 30 s.
TEST_RUNNER = "pytest"
TESTS = ["tests/test_markdown.py", "tests/test_markdown_patterns.py", "tests/test_languages.py",
         "tests/test_check.py", "tests/test_i18n_workflow.py", "tests/test_i18n_standard_tools.py",
         "tests/test_frontmatter.py", "tests/test_safety.py", "tests/test_serve.py", "tests/test_watch.py",
         "tests/test_share_cards.py", "tests/test_headlines.py"]
TESTS_TIMEOUT = 600  # seconds
# "Name>=1.2,<2" (the only form a dependency here may take: a lowest version and an upper bound).
REQUIREMENT = re.compile(r"(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?P<specifiers>[<>=!~].*)?")


class Unpinnable(Exception):
    """A requirement whose lowest version cannot be read."""


def lowest_pins(pyproject_text: str) -> list[str]:
    """'Name==lowest' for each runtime dependency, and for the test runner, as pyproject.toml declares them."""
    project = tomllib.loads(pyproject_text)["project"]
    runner = [r for r in project.get("optional-dependencies", {}).get("test", [])
              if _name(r).lower() == TEST_RUNNER]
    return [lowest_pin(requirement) for requirement in [*project["dependencies"], *runner]]


def lowest_pin(requirement: str) -> str:
    """'Jinja2>=3.1,<4' -> 'Jinja2==3.1'."""
    match = REQUIREMENT.fullmatch(requirement.strip())
    if match is None:
        raise Unpinnable(f"pyproject.toml: cannot read {requirement!r}: write it as 'Name>=lowest,<next major'")
    specifiers = [spec.strip() for spec in (match["specifiers"] or "").split(",")]
    lowest = [spec[2:].strip() for spec in specifiers if spec.startswith(">=")]
    if len(lowest) != 1 or not lowest[0]:
        raise Unpinnable(f"pyproject.toml: {requirement!r} has no lowest version (>=): say which version "
                         "it was tested with")
    return f"{match['name']}=={lowest[0]}"


def _name(requirement: str) -> str:
    match = REQUIREMENT.fullmatch(requirement.strip())
    return match["name"] if match else requirement.strip()


def differences(first: Path, second: Path) -> list[str]:
    """What differs between two folders: files (or folders) only in one, and files whose bytes differ,
    each with a short diff when both are text."""
    def tree(root: Path) -> dict[str, Path]:
        return {path.relative_to(root).as_posix() + ("/" if path.is_dir() else ""): path
                for path in sorted(root.rglob("*"))}

    ours, theirs = tree(first), tree(second)
    found = [f"only in {first}: {name}" for name in ours.keys() - theirs.keys()]
    found += [f"only in {second}: {name}" for name in theirs.keys() - ours.keys()]
    for name in sorted(ours.keys() & theirs.keys()):
        if name.endswith("/") or ours[name].read_bytes() == theirs[name].read_bytes():
            continue
        found.append(f"differs: {name}")
        try:
            lines = [path.read_text(encoding="utf-8").splitlines() for path in (ours[name], theirs[name])]
        except UnicodeDecodeError:
            continue
        diff = list(difflib.unified_diff(*lines, f"{first.name}/{name}", f"{second.name}/{name}", lineterm="", n=1))
        found += [f"    {line[:200]}" for line in diff[:30]]
    return found


def make_lowest_venv(pins: list[str]) -> None:
    """.venv-lowest with exactly `pins` (and what they need, newest): kept while the pins stay the same."""
    wanted = "\n".join(pins) + "\n"
    pins_file = LOWEST_VENV / PINS_FILE
    if LOWEST_PYTHON.exists() and pins_file.is_file() and pins_file.read_text(encoding="utf-8") == wanted:
        return
    shutil.rmtree(LOWEST_VENV, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(LOWEST_VENV)], check=True)
    pip = [str(LOWEST_PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, *pins], check=True)
    pins_file.write_text(wanted, encoding="utf-8")


def build_copy(python: Path, folder: Path) -> Path:
    """The site built by `python` from a fresh copy of its sources in `folder` (so no cache is shared)."""
    sources = folder / "project"
    sources.mkdir(parents=True)
    for name in SITE_SOURCES:
        source = PROJECT / name
        if source.is_dir():
            shutil.copytree(source, sources / name)
        elif source.exists():
            shutil.copy2(source, sources / name)
    out = folder / "site"
    command = [str(python), str(PROJECT / "build.py"), "--root", str(sources), "build", "--out", str(out)]
    result = subprocess.run(command, capture_output=True, text=True)
    said = (result.stdout + result.stderr).strip().splitlines()
    print(f"  {python.parent.parent.name}: {said[-1] if said else ''}", flush=True)
    if result.returncode != 0:
        raise SystemExit(f"the build with {python} failed:\n{result.stdout}{result.stderr}")
    return out


def main() -> int:
    started = time.monotonic()
    try:
        pins = lowest_pins((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
    except Unpinnable as problem:
        print(problem, file=sys.stderr)
        return 1
    if not NEWEST_PYTHON.exists():
        print(f"{NEWEST_PYTHON} is missing: run `make setup` first", file=sys.stderr)
        return 1
    print(f"lowest versions: {' '.join(pins)}", flush=True)
    make_lowest_venv(pins)
    installed = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="smallsite-versions-") as temporary:
        lowest = build_copy(LOWEST_PYTHON, Path(temporary) / "lowest")
        newest = build_copy(NEWEST_PYTHON, Path(temporary) / "newest")
        found = differences(lowest, newest)
    built = time.monotonic()
    if found:
        print("the lowest versions build another site than the newest:", *found, sep="\n", file=sys.stderr)
        return 1
    print(f"same site, byte for byte ({installed - started:.0f} s to install, {built - installed:.0f} s to build "
          "twice); the tests with the lowest versions:", flush=True)
    try:  # a bound lowered to a release that hangs on some text (Python-Markdown 3.5 did) must still end
        tests = subprocess.run([str(LOWEST_PYTHON), "-m", "pytest", "-q", "-p", "no:cacheprovider", *TESTS],
                               cwd=PROJECT, timeout=TESTS_TIMEOUT)
    except subprocess.TimeoutExpired:
        print(f"the tests with the lowest versions did not end in {TESTS_TIMEOUT} s", file=sys.stderr)
        return 1
    print(f"lowest versions checked in {time.monotonic() - started:.0f} s")
    return 1 if tests.returncode else 0


if __name__ == "__main__":
    sys.exit(main())
