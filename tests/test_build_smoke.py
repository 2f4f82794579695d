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
