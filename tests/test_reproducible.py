"""The same sources give a byte-identical site, whatever the machine's time zone, locale, hash seed or path."""

import os
import shutil

from conftest import PROJECT


def test_two_builds_in_different_environments_are_byte_identical(site, tmp_path):
    site.make({}, site_toml=(PROJECT / "site.toml").read_text(encoding="utf-8"), real_content=True)
    first = site.run("build", env={**os.environ, "TZ": "Pacific/Kiritimati", "LC_ALL": "C",
                                   "PYTHONHASHSEED": "1"})
    assert first.returncode == 0, first.stderr
    tree = site.tree()
    moved = tmp_path / "elsewhere" / "checkout"
    shutil.copytree(site.root, moved, ignore=shutil.ignore_patterns("site"))
    site.root = moved
    second = site.run("build", env={**os.environ, "TZ": "America/Los_Angeles", "LC_ALL": "C.UTF-8",
                                    "LANG": "ko_KR.UTF-8", "PYTHONHASHSEED": "4242"})
    assert second.returncode == 0, second.stderr
    assert site.tree() == tree
