"""The real project builds: four languages, every page, from a fresh command line."""

from conftest import PROJECT


def test_real_site_builds_in_four_languages(site):
    site.make({}, site_toml=(PROJECT / "site.toml").read_text(encoding="utf-8"), real_content=True)
    result = site.run("build")
    assert result.returncode == 0, result.stderr
    for code in ("en", "ko", "ja", "zh"):
        html = site.read(f"{code}/index.html")
        assert "<html lang=" in html
    assert "built" in result.stdout


def test_a_build_started_without_an_output_still_builds(site):
    """A build run from a hook or a service may have its output closed: it builds all the same."""
    import subprocess
    import sys

    from conftest import all_languages

    files = {**all_languages("index", "Home")}
    for number in range(15):  # enough pages for the worker processes
        files |= all_languages(f"stories/s{number}/index", f"Story {number}", date="2020-01-01")
    site.make(files)
    result = subprocess.run(f'"{sys.executable}" "{PROJECT / "build.py"}" build >&- 2>&-', shell=True,
                            cwd=site.root, timeout=120)
    assert result.returncode == 0
    assert "Story 3" in site.read("en/stories/s3/index.html")
