"""Valid HTML: the Nu HTML Checker (vnu-jar from npm, installed by `make vnu` into .tools/) finds no
error in any page of the real site or of the film fixture, nor in the stylesheet and the SVGs.
All files go to one JVM start: a JVM per page would be slow."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import PROJECT
from site_pages import build_film_site, build_real_site

VNU_JAR = PROJECT / ".tools/node_modules/vnu-jar/build/dist/vnu.jar"


def vnu_command() -> list[str]:
    jar = Path(os.environ.get("SMALLSITE_VNU_JAR") or VNU_JAR)
    java = shutil.which("java")
    if not jar.is_file() or not java:
        missing = "java" if not java else f"{jar} (make vnu)"
        if os.environ.get("CI"):
            pytest.fail(f"the Nu HTML Checker needs {missing}: .ci/run installs it")
        pytest.skip(f"the Nu HTML Checker needs {missing}")
    return [java, "-Xss4m", "-jar", str(jar)]


def test_every_page_is_valid_html(tmp_path):
    command = vnu_command()
    real = build_real_site(tmp_path / "real")
    film = build_film_site(tmp_path / "film")
    files = [p for out in (real, film) for p in sorted(out.rglob("*")) if p.suffix in (".html", ".css", ".svg")]
    assert len([p for p in files if p.suffix == ".html"]) > 22
    # A broken page in the same run shows the checker really reports errors (one JVM start for all).
    broken = tmp_path / "broken.html"
    broken.write_text("<!doctype html><html lang=en><title>x</title><p><div></p></span>", encoding="utf-8")
    result = subprocess.run([*command, "--format", "json", "--also-check-css", "--also-check-svg",
                             *map(str, [*files, broken])], capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr)["messages"]
    errors = [f"{m.get('url', '').split('/site/', 1)[-1]}:{m.get('lastLine', '?')}: {m['message']}"
              for m in messages if m.get("type") == "error" or m.get("subType") == "fatal"]
    assert any(error.startswith("file:") and "broken.html" in error for error in errors), errors
    assert [error for error in errors if "broken.html" not in error] == []
