"""Helpers for the translators' workflow tests: the command line in this process, and catalogues
filled in the way a translator would."""

from __future__ import annotations

import contextlib
import io
import subprocess
from dataclasses import dataclass
from pathlib import Path

from babel.messages.pofile import read_po, write_po

from smallsite.commands.cli import main

GIT = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"]


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str


def cli(root: Path, *args: str) -> Ran:
    """`build.py --root ROOT ARGS` in this process (fast): exit code and what it printed."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--root", str(root), *args])
    return Ran(code, out.getvalue(), err.getvalue())


def translate_everything(po_file: Path, prefix: str) -> None:
    """Give every entry of a .po a translation (placeholders kept), as a finished translator would."""
    with po_file.open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, (tuple, list)):
            message.string = tuple(f"{prefix} {message.id[-1]}" for _ in range(catalog.num_plurals))
        else:
            message.string = f"{prefix} {message.id}"
        message.flags.discard("fuzzy")
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=76)
    po_file.write_bytes(buffer.getvalue())


def git(root: Path, *args: str) -> str:
    return subprocess.run([*GIT, "-C", str(root), *args], check=True, capture_output=True, text=True).stdout


def commit_all(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
