"""Shared test helpers: a throwaway site made from a dict of files, and running the command line."""

from __future__ import annotations

import contextlib
import io
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent

SITE_TOML = """\
base_url = "https://example.org/"
default_language = "en"

[[languages]]
code = "en"
name = "English"
locale = "en_GB"
tag = "en"
title = "Small"
description = "A test site"

[[languages]]
code = "ko"
name = "한국어"
locale = "ko_KR"
tag = "ko"
title = "작은"
description = "시험용 사이트"

[[languages]]
code = "ja"
name = "日本語"
locale = "ja_JP"
tag = "ja"
title = "小さな"
description = "テスト用サイト"

[[languages]]
code = "zh"
name = "简体中文"
locale = "zh_Hans_CN"
tag = "zh-Hans"
title = "小"
description = "测试网站"
"""


def page(title: str, body: str = "Text.", **fields) -> str:
    """A Markdown source with front matter: page("Title", "Body", date="2018-02-02")."""
    lines = ["---", f"title: {title}", f"summary: About {title}"]
    lines += [f"{key}: {value}" for key, value in fields.items()]
    return "\n".join(lines + ["---", textwrap.dedent(body).strip(), ""])


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str


class SiteMaker:
    """Makes a project folder from the real templates, static files and catalogues plus given files."""

    def __init__(self, root: Path):
        self.root = root

    def make(self, files: dict[str, str | bytes], site_toml: str = SITE_TOML, real_content: bool = False) -> Path:
        for folder in ("templates", "static", "locales"):
            shutil.copytree(PROJECT / folder, self.root / folder, dirs_exist_ok=True)
        if real_content:
            shutil.copytree(PROJECT / "content", self.root / "content", dirs_exist_ok=True)
        (self.root / "content").mkdir(exist_ok=True)
        shutil.copy2(PROJECT / "babel.cfg", self.root / "babel.cfg")
        (self.root / "site.toml").write_text(site_toml, encoding="utf-8")
        for name, data in files.items():
            self.write(name, data)
        return self.root

    def write(self, name: str, data: str | bytes) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
        return path

    def read(self, name: str) -> str:
        return (self.root / "site" / name).read_text(encoding="utf-8")

    def build(self, *args: str) -> "Outcome":
        """`build.py build ARGS` in this process (fast); what the editor would see on the terminal."""
        from smallsite.commands.cli import main

        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["--root", str(self.root), "build", *args])
        return Outcome(code, out.getvalue(), err.getvalue())

    def tree(self, folder: str = "site") -> dict[str, bytes]:
        """Every file of an output folder: relative path -> bytes."""
        base = self.root / folder
        return {p.relative_to(base).as_posix(): p.read_bytes() for p in sorted(base.rglob("*")) if p.is_file()}

    def run(self, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
        """`python build.py ARGS` in the site's folder, as an editor would run it."""
        return subprocess.run([sys.executable, str(PROJECT / "build.py"), *args], cwd=self.root,
                              capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture
def site(tmp_path: Path) -> SiteMaker:
    return SiteMaker(tmp_path / "project")


def all_languages(key: str, title: str = "Page", body: str = "Text.", **fields) -> dict[str, str]:
    """The same page in en, ko, ja and zh."""
    return {f"content/{key}.{code}.md": page(f"{title} {code}", body, **fields) for code in ("en", "ko", "ja", "zh")}
