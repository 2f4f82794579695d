"""Issue 14: the speed layer sits behind one seam. build/ never imports speed/ (not even through model/ or
i18n/); a build with no memo (`build --no-cache`) does all the work and writes the same bytes."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from conftest import PROJECT

PACKAGE = PROJECT / "smallsite"


def module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every smallsite module a module imports, at the top or inside a function (also for type checking)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {item for item in found if item.split(".")[0] == "smallsite"}


def import_graph() -> dict[str, set[str]]:
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    return {name: {item for item in imports_of(path) if item in modules} for name, path in modules.items()}


def reachable(graph: dict[str, set[str]], start: str) -> dict[str, str]:
    """Every module `start` imports, directly or not -> the module that imports it."""
    seen: dict[str, str] = {}
    todo = [start]
    while todo:
        current = todo.pop()
        for item in graph[current]:
            if item not in seen and item != start:
                seen[item] = current
                todo.append(item)
    return seen


def test_build_never_imports_speed():
    graph = import_graph()
    build_modules = [name for name in graph if name.startswith("smallsite.build.") or name == "smallsite.build"]
    assert "smallsite.build.pipeline" in build_modules and len(build_modules) > 5
    assert any(name.startswith("smallsite.speed.") for name in graph)
    for name in build_modules:
        for item, by in reachable(graph, name).items():
            assert not item.startswith("smallsite.speed"), f"{name} imports {item} (through {by})"


def test_the_import_check_finds_an_indirect_import():
    """The rule's own check: an import of speed/ two modules away is found."""
    graph = {"smallsite.build.a": {"smallsite.model.b"}, "smallsite.model.b": {"smallsite.speed.c"},
             "smallsite.speed.c": set()}
    assert reachable(graph, "smallsite.build.a") == {"smallsite.model.b": "smallsite.build.a",
                                                    "smallsite.speed.c": "smallsite.model.b"}
    relative = PACKAGE / "build" / "pipeline.py"
    assert "smallsite.build.memo" in imports_of(relative) and "smallsite.model.config" in imports_of(relative)


def files(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*"))
            if path.is_file() and path.name != ".smallsite-files.json"}


def test_a_build_without_a_memo_loads_no_speed_module_and_writes_the_same_site(tmp_path):
    """The pipeline alone, as build/ has it, on the campaign site: byte for byte what `build` writes, with
    a cold memo and with a warm one after edits of each kind (and what `build --no-cache` writes)."""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("content", "templates", "locales", "static", "site.toml"):
        if (PROJECT / name).exists():
            subprocess.run(["cp", "-r", str(PROJECT / name), str(project / name)], check=True)

    def build(*args: str) -> str:
        done = subprocess.run([sys.executable, str(PROJECT / "build.py"), "--root", str(project), *args],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def alone(out: Path) -> str:
        done = subprocess.run([sys.executable, "-c", f"""
import sys
from pathlib import Path
from smallsite.build.pipeline import BuildOptions, build_site
from smallsite.model.config import load_config
build_site(load_config(Path({str(project)!r})), Path({str(out)!r}), BuildOptions())
print("speed modules loaded:", sorted(name for name in sys.modules if name.startswith("smallsite.speed")))
"""], cwd=PROJECT, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def same_everywhere(step: str) -> dict[str, bytes]:
        assert "speed modules loaded: []" in alone(tmp_path / step / "alone")
        build("build", "--no-cache", "--out", str(tmp_path / step / "no-cache"))
        built = files(project / "site")
        assert files(tmp_path / step / "alone") == built, step
        assert files(tmp_path / step / "no-cache") == built, step
        return built

    build("build")  # a cold memo
    assert (project / ".cache").is_dir()  # the memo's stores
    assert len([name for name in same_everywhere("cold") if name.endswith(".html")]) > 20
    # A warm memo: a body edit (the record, the page cache, pages the folder holds), then a template
    # edit (the Markdown cache).
    story = next((project / "content/stories").rglob("index.ko.md"))
    story.write_text(story.read_text(encoding="utf-8") + "\n한 문단 더.\n", encoding="utf-8")
    assert "up to date" not in build("build")
    assert any("한 문단 더." in data.decode("utf-8", "replace") for data in same_everywhere("body").values())
    base = project / "templates/base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("</body>", "<!-- warm -->\n</body>"),
                    encoding="utf-8")
    assert "up to date" not in build("build")
    assert any(b"<!-- warm -->" in data for data in same_everywhere("template").values())


def test_a_warm_memo_reports_the_problems_a_build_without_one_reports(tmp_path):
    """Kept compiled catalogues carry their warnings; a warning that names the language, or that holds only
    for a language that is not the default, is kept only while that is so (found by review)."""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("content", "templates", "locales", "static", "site.toml"):
        subprocess.run(["cp", "-r", str(PROJECT / name), str(project / name)], check=True)
    catalogue = project / "locales/ja_JP/LC_MESSAGES/messages.po"
    text = catalogue.read_text(encoding="utf-8")
    header_end = text.index("\n\n") + 2  # the header's msgstr stays: it declares the plural forms
    catalogue.write_text(text[:header_end] + re.sub(r'(?m)^(msgstr(\[\d\])?) ".*"\n(".*"\n)*', r'\1 ""\n',
                                                    text[header_end:]), encoding="utf-8")

    def warnings(*args: str) -> list[str]:
        done = subprocess.run([sys.executable, str(PROJECT / "build.py"), "--root", str(project), "build", *args],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return [line for line in done.stderr.splitlines() if "ja_JP/LC_MESSAGES/messages.po" in line]

    first = warnings()
    assert len(first) == 1 and "日本語 pages would show the whole interface" in first[0]
    settings = project / "site.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace('name = "日本語"', 'name = "Japanese"'),
                        encoding="utf-8")
    renamed = warnings()
    assert len(renamed) == 1 and "Japanese pages would show" in renamed[0]
    assert renamed == warnings("--no-cache", "--out", str(tmp_path / "fresh"))
    settings.write_text(settings.read_text(encoding="utf-8").replace('default_language = "en"',
                                                                     'default_language = "ja"'), encoding="utf-8")
    assert warnings() == warnings("--no-cache", "--out", str(tmp_path / "fresh2")) == []
