"""tools/lowest_versions.py (run by CI): the pins it reads from pyproject.toml, and what it reports when
the site built with them differs from the newest's."""

import importlib.util

import pytest

from conftest import PROJECT

spec = importlib.util.spec_from_file_location("lowest_versions", PROJECT / "tools/lowest_versions.py")
lowest_versions = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lowest_versions)

PYPROJECT = """[project]
name = "x"
dependencies = ["Jinja2>=3.1,<4", "Markdown >= 3.8.1, <4"]
[project.optional-dependencies]
test = ["pytest>=8,<10", "playwright>=1.45,<2"]
"""


def test_pins_are_each_dependencys_lowest_and_the_test_runners():
    assert lowest_versions.lowest_pins(PYPROJECT) == ["Jinja2==3.1", "Markdown==3.8.1", "pytest==8"]


def test_every_dependency_of_the_project_declares_its_lowest_version():
    pins = lowest_versions.lowest_pins((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))  # or raises
    assert "Markdown==3.8.1" in pins and pins[-1].startswith("pytest==")


@pytest.mark.parametrize("requirement", ["Jinja2<4", "Jinja2", "Jinja2>=,<4"])
def test_a_dependency_without_a_lowest_version_is_named(requirement):
    with pytest.raises(lowest_versions.Unpinnable, match=f"pyproject.toml: '{requirement}'"):
        lowest_versions.lowest_pins(PYPROJECT.replace('"Jinja2>=3.1,<4"', repr(requirement)))


def test_two_sites_that_differ_are_reported_file_by_file(tmp_path):
    lowest, newest = tmp_path / "lowest", tmp_path / "newest"
    for root, abbr in ((lowest, "<p>An <abbr>AB</abbr></p>"), (newest, "<p>An AB</p>")):
        (root / "en").mkdir(parents=True)
        (root / "en/index.html").write_text(f"<h1>Home</h1>\n{abbr}\n", encoding="utf-8")
        (root / "logo.png").write_bytes(b"\x89PNG same")
    (newest / "sitemap.xml").write_text("<urlset/>", encoding="utf-8")
    assert lowest_versions.differences(lowest, lowest) == []
    found = lowest_versions.differences(lowest, newest)
    assert f"only in {newest}: sitemap.xml" in found
    assert "differs: en/index.html" in found and "    -<p>An <abbr>AB</abbr></p>" in found
    assert not any("logo.png" in line for line in found)
