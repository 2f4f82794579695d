"""The output folder: the build deletes only what it wrote, refuses folders it never wrote into, and a
kill at any moment leaves the last good site or the new one, whole (issue 13)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import PROJECT, SITE_TOML, all_languages, page
from smallsite.build import folder_swap, output_folder
from smallsite.build import write

OWNED = output_folder.OWNED_RECORD


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file and link below a folder (a link as its target's name), empty folders too."""
    found: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[name] = b"-> " + os.fsencode(os.readlink(path))
        elif path.is_file():
            found[name] = path.read_bytes()
        elif path.is_dir() and not any(path.iterdir()):
            found[name + "/"] = b""
    return found


def stories(count: int, text: str) -> dict[str, str]:
    files = dict(all_languages("index", "Home"))
    for number in range(count):
        files |= all_languages(f"stories/s{number}/index", f"Story {number}", f"{text} {number}.",
                               date="2018-02-02")
    return files


# --- folders that are not the build's ------------------------------------------------------------------

def test_a_folder_of_someone_elses_files_is_refused_before_any_work(site, tmp_path):
    site.make(all_languages("index"))
    foreign = tmp_path / "foreign"
    (foreign / "sub").mkdir(parents=True)
    (foreign / "notes.docx").write_bytes(b"my notes")
    (foreign / "sub/keep.txt").write_bytes(b"keep")
    before = snapshot(foreign)
    outcome = site.build("--out", str(foreign))
    assert outcome.code == 1
    assert f"{foreign}: refusing to write the site here: it already holds files that smallsite did not " \
           "write (notes.docx, sub, ...)" in outcome.stderr
    assert "--out" in outcome.stderr
    assert snapshot(foreign) == before
    assert not (site.root / ".cache").exists()  # before any work
    assert sorted(p.name for p in tmp_path.iterdir()) == ["foreign", "project"]


def test_the_projects_docs_folder_is_refused_as_output(site):
    site.make(all_languages("index"), site_toml=SITE_TOML.replace(
        'default_language = "en"\n', 'default_language = "en"\noutput_dir = "docs"\n'))
    site.write("docs/guide.md", "# Our guide\n")
    outcome = site.build()
    assert outcome.code == 1
    assert "refusing to write the site here: it already holds files that smallsite did not write" in outcome.stderr
    assert (site.root / "docs/guide.md").read_text() == "# Our guide\n"
    assert sorted(p.name for p in (site.root / "docs").iterdir()) == ["guide.md"]


def test_an_empty_docs_folder_may_be_the_output_github_pages_style(site):
    site.make(all_languages("index"), site_toml=SITE_TOML.replace(
        'default_language = "en"\n', 'default_language = "en"\noutput_dir = "docs"\n'))
    (site.root / "docs").mkdir()
    assert site.build().code == 0
    assert (site.root / "docs/en/index.html").exists()
    assert site.build().code == 0


def test_the_parent_of_home_is_refused(site, tmp_path, monkeypatch):
    home = tmp_path / "people" / "me"
    (home / "Documents").mkdir(parents=True)
    (home / "Documents/thesis.txt").write_text("years of work")
    monkeypatch.setenv("HOME", str(home))
    site.make(all_languages("index"))
    outcome = site.build("--out", str(tmp_path / "people"))
    assert outcome.code == 1
    assert "refusing to write the site here: this folder is your home folder or one of its parents" in outcome.stderr
    assert (home / "Documents/thesis.txt").read_text() == "years of work"


def test_a_file_as_output_is_refused_and_left_alone(site):
    site.make(all_languages("index"))
    settings = (site.root / "site.toml").read_bytes()
    outcome = site.build("--out", str(site.root / "site.toml"))
    assert outcome.code == 1
    assert "refusing to write the site here: it is a file, not a folder" in outcome.stderr
    assert "Traceback" not in outcome.stderr
    assert (site.root / "site.toml").read_bytes() == settings
    assert sorted(p.name for p in site.root.iterdir() if p.name.startswith(".site")) == []


def test_a_site_that_became_a_plain_file_is_refused_every_time_and_nothing_is_left_behind(site):
    site.make(all_languages("index"))
    assert site.build().code == 0
    import shutil
    shutil.rmtree(site.root / "site")
    (site.root / "site").write_text("oops")
    for _ in range(2):
        outcome = site.build()
        assert outcome.code == 1
        assert "it is a file, not a folder" in outcome.stderr and "Traceback" not in outcome.stderr
    assert (site.root / "site").read_text() == "oops"
    assert not (site.root / ".site.old").exists()
    (site.root / "site").unlink()
    assert site.build().code == 0
    assert sorted(p.name for p in site.root.iterdir() if p.name.startswith(".site")) == [".site.staging"]


def test_a_site_that_is_a_link_keeps_the_files_in_its_target_that_smallsite_did_not_write(site, tmp_path):
    site.make(all_languages("index"))
    target = tmp_path / "www"
    target.mkdir()
    (site.root / "site").symlink_to(target)
    assert site.build().code == 0
    (target / "CNAME").write_text("greatness.example.org\n")
    site.write("content/index.en.md", page("Home again"))
    outcome = site.build()
    assert outcome.code == 0, outcome.stderr
    assert (site.root / "site").is_symlink()
    assert (target / "CNAME").read_text() == "greatness.example.org\n"
    assert "Home again" in (target / "en/index.html").read_text()


def test_a_link_to_a_folder_of_someone_elses_files_is_refused(site, tmp_path):
    site.make(all_languages("index"))
    target = tmp_path / "www"
    target.mkdir()
    (target / "index.html").write_text("the old hand-made site")
    (site.root / "site").symlink_to(target)
    outcome = site.build()
    assert outcome.code == 1 and "it already holds files that smallsite did not write (index.html" in outcome.stderr
    assert (target / "index.html").read_text() == "the old hand-made site"


# --- files someone else put into the build's folder ------------------------------------------------

def test_files_a_user_put_into_the_site_are_kept_and_named_in_a_warning(site):
    site.make({**all_languages("index"), **all_languages("about")})
    assert site.build().code == 0
    site.write("site/CNAME", "greatness.example.org\n")
    site.write("site/en/notes.docx", b"notes")
    site.write("site/drafts/keep/me.txt", "mine")
    (site.root / "site/empty-by-hand").mkdir()
    for lang in ("en", "ko", "ja", "zh"):  # a page goes: its folder goes, but not the user's files
        (site.root / f"content/about.{lang}.md").unlink()
    outcome = site.build()
    assert outcome.code == 0, outcome.stderr
    assert "site/CNAME: warning: not written by smallsite: it is kept, and it will be deployed" in outcome.stderr
    assert "site/en/notes.docx: warning: not written by smallsite" in outcome.stderr
    assert "site/drafts/keep/me.txt: warning: not written by smallsite" in outcome.stderr
    assert (site.root / "site/CNAME").read_text() == "greatness.example.org\n"
    assert (site.root / "site/en/notes.docx").read_bytes() == b"notes"
    assert (site.root / "site/drafts/keep/me.txt").read_text() == "mine"
    assert (site.root / "site/empty-by-hand").is_dir()
    assert not (site.root / "site/en/about").exists()
    record = json.loads((site.root / "site" / OWNED).read_text())
    assert "CNAME" not in record["files"] and "en/index.html" in record["files"]
    # Up to date: the warning is still there.
    again = site.build()
    assert again.code == 0 and "site/CNAME: warning: not written by smallsite" in again.stderr


def test_strict_fails_on_a_file_the_build_did_not_write_and_changes_nothing(site):
    site.make(all_languages("index"))
    assert site.build().code == 0
    site.write("site/notes.docx", b"notes")
    site.write("content/index.en.md", page("Changed"))
    before = site.tree()
    outcome = site.build("--strict")
    assert outcome.code == 1
    assert "site/notes.docx: warning: not written by smallsite" in outcome.stderr
    assert "the site folder was not changed" in outcome.stderr
    assert site.tree() == before


def test_a_users_file_where_the_site_now_needs_a_page_stops_the_build(site):
    site.make(all_languages("index"))
    assert site.build().code == 0
    site.write("site/en/about/index.html", "written by hand")
    site.make({**all_languages("index"), **all_languages("about")})
    before = site.tree()
    outcome = site.build()
    assert outcome.code == 1
    assert "site/en/about/index.html: smallsite did not write this file, and the site now needs its place" \
        in outcome.stderr
    assert site.tree() == before


def test_serve_out_refuses_a_folder_of_someone_elses_files(site, tmp_path):
    site.make(all_languages("index"))
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.docx").write_bytes(b"notes")
    result = site.run("serve", "--out", str(foreign), "--port", "0")
    assert result.returncode == 1
    assert "refusing to write the site here: it already holds files that smallsite did not write" in result.stderr
    assert sorted(p.name for p in foreign.iterdir()) == ["notes.docx"]


def test_a_staging_place_someone_else_made_is_not_removed(site):
    site.make(all_languages("index"))
    (site.root / ".site.staging").mkdir()
    (site.root / ".site.staging/mine.txt").write_text("mine")
    outcome = site.build()
    assert outcome.code == 1
    assert ".site.staging: this is where the build stages" in outcome.stderr
    assert (site.root / ".site.staging/mine.txt").read_text() == "mine"



def test_a_forged_staging_list_never_removes_anything_outside_the_staging_place(site, tmp_path):
    site.make(all_languages("index"))
    assert site.build().code == 0
    victim = tmp_path / "victim"
    (victim / "empty").mkdir(parents=True)
    (victim / "precious.txt").write_text("precious")
    listed = site.root / ".site.staging" / write.SPARE_LIST
    held = json.loads(listed.read_text())
    held["files"].append("../../victim/precious.txt")
    held["folders"].append("../../victim/empty")
    listed.write_text(json.dumps(held))
    site.write("content/index.en.md", page("Home en", "Changed."))
    assert site.build().code == 0
    assert (victim / "precious.txt").read_text() == "precious"
    assert (victim / "empty").is_dir()
    assert "Changed." in (site.root / "site/en/index.html").read_text()

# --- kills ---------------------------------------------------------------------------------------

OLD = {"a/index.html": b"old a", "b/index.html": b"old b", "gone/index.html": b"gone", "same.txt": b"same"}
NEW = {"a/index.html": b"new a", "b/index.html": b"old b", "c/new/index.html": b"added", "same.txt": b"same"}


class Crash(BaseException):
    """The power goes (nothing after it runs, not even `except Exception`)."""


@pytest.mark.parametrize("first", [False, True], ids=["rebuild", "first build"])
def test_a_write_stopped_at_any_step_leaves_the_old_site_or_the_new_one(site, tmp_path, monkeypatch, first):
    """Every file-system call the writer makes is, in turn, the one where it stops: the folder is then
    the old site or the new one, whole, and the next write finishes the job."""
    site.make({})
    out = site.root / "site"
    old_tree: dict[str, bytes] = {}
    if not first:
        write.write_tree(OLD, out, site.root)
        (out / "CNAME").write_bytes(b"mine")
        old_tree = snapshot(out)
    calls = {"count": 0, "crash_at": 0}
    real = {name: getattr(write.os, name) for name in ("link", "replace", "makedirs", "mkdir", "unlink", "rmdir")}
    real_open, real_exchange, real_rmtree = open, folder_swap._exchange, write.shutil.rmtree

    def counted(function):
        def call(*args, **kwargs):
            calls["count"] += 1
            if calls["count"] == calls["crash_at"]:
                raise Crash
            return function(*args, **kwargs)
        return call

    def patch():
        for name, function in real.items():
            monkeypatch.setattr(write.os, name, counted(function))
        monkeypatch.setattr(write, "open", counted(real_open), raising=False)
        monkeypatch.setattr(folder_swap, "_exchange", counted(real_exchange))
        monkeypatch.setattr(write.shutil, "rmtree", counted(real_rmtree))

    new_tree = None
    for crash_at in range(1, 200):
        if first and out.exists():
            real_rmtree(out)
        elif not first:
            write.write_tree(OLD, out, site.root)  # back to the old site (CNAME kept)
            assert snapshot(out) == old_tree
        calls.update(count=0, crash_at=crash_at)
        patch()
        try:
            write.write_tree(NEW, out, site.root)
            finished = True
        except Crash:
            finished = False
        finally:
            monkeypatch.undo()
        now = snapshot(out) if out.exists() else {}
        if finished:
            new_tree = now
            break
        assert now == old_tree or (new_tree is not None and now == new_tree) or \
            {k: v for k, v in now.items() if k != OWNED} == {**NEW, **({"CNAME": b"mine"} if not first else {})}, \
            f"a mixed site after a stop at call {crash_at}"
        write.write_tree(NEW, out, site.root)  # the next build
        assert {k: v for k, v in snapshot(out).items() if k != OWNED} == \
            {**NEW, **({"CNAME": b"mine"} if not first else {})}
        beside = sorted(p.name for p in site.root.iterdir() if p.name.startswith(".site"))
        assert beside in ([], [".site.staging"])  # the staging place, when a build left one, is known as ours
        assert not beside or (site.root / ".site.staging" / OWNED).exists()
    assert new_tree is not None and crash_at > 5


def test_a_build_killed_at_any_moment_leaves_a_whole_site(site):
    """SIGKILL a real rebuild at moments spread over its run: each time, without another build, site/ is
    the last good build or the new one, every file of one and none of the other."""
    site.make(stories(40, "Old text"))
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    command = [sys.executable, str(PROJECT / "build.py"), "build"]
    assert subprocess.run(command, cwd=site.root, env=env, capture_output=True, timeout=120).returncode == 0
    old = snapshot(site.root / "site")
    site.make(stories(40, "New text"))
    started = time.perf_counter()
    assert subprocess.run(command + ["--out", str(site.root / "reference")], cwd=site.root, env=env,
                          capture_output=True, timeout=120).returncode == 0
    took = time.perf_counter() - started
    new = {k: v for k, v in snapshot(site.root / "reference").items()}
    assert old != new
    import shutil
    outcomes = set()
    for step in range(10):
        process = subprocess.Popen(command, cwd=site.root, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        time.sleep(took * (0.3 + step * 0.08))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        now = snapshot(site.root / "site")
        assert now in (old, new), f"a mixed site after a kill at {took * (0.3 + step * 0.08):.2f} s"
        outcomes.add("new" if now == new else "old")
        if now == new:  # put the old site back for the next kill
            shutil.rmtree(site.root / "site")
            shutil.rmtree(site.root / ".cache", ignore_errors=True)
            site.make(stories(40, "Old text"))
            assert subprocess.run(command, cwd=site.root, env=env, capture_output=True).returncode == 0
            site.make(stories(40, "New text"))
    assert subprocess.run(command, cwd=site.root, env=env, capture_output=True).returncode == 0
    assert snapshot(site.root / "site") == new
    assert sorted(p.name for p in site.root.iterdir() if p.name.startswith(".site")) == [".site.staging"]


@pytest.mark.parametrize("out, message", [
    ("loop", "loop: refusing to write the site here: this path is a loop of links"),
    ("site.toml/public", "site.toml/.public.staging: cannot write the site here: Not a directory"),
])
def test_an_output_folder_that_cannot_be_written_is_named_without_a_traceback(site, out, message):
    site.make(all_languages("index"))
    (site.root / "loop").symlink_to("loop2")
    (site.root / "loop2").symlink_to("loop")
    outcome = site.build("--out", str(site.root / out))
    assert outcome.code == 1
    assert message in outcome.stderr and "Traceback" not in outcome.stderr


def test_a_damaged_record_is_named_once_and_nothing_is_replaced(site):
    site.make(all_languages("index"))
    assert site.build().code == 0
    (site.root / "site" / OWNED).write_text("garbage{")
    site.write("content/index.en.md", page("Changed"))
    before = site.tree()
    outcome = site.build()
    assert outcome.code == 1
    assert f"site/{OWNED}: not a record of smallsite's files that it can read" in outcome.stderr
    assert "build failed: 1 problem;" in outcome.stderr
    assert site.tree() == before


def test_the_staging_place_is_no_output_folder(site):
    site.make(all_languages("index"))
    assert site.build().code == 0
    outcome = site.build("--out", str(site.root / ".site.staging"))
    assert outcome.code == 1
    assert "refusing to write the site here: this is where a build stages the folder named after it" \
        in outcome.stderr


def test_a_tilde_in_output_dir_or_a_quoted_out_is_the_home_folder(site, tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    site.make(all_languages("index"), site_toml=SITE_TOML.replace(
        'default_language = "en"\n', 'default_language = "en"\noutput_dir = "~/www"\n'))
    assert site.build().code == 0
    assert (home / "www/en/index.html").exists()
    assert not (site.root / "~").exists()
    assert site.build("--out", "~/public").code == 0
    assert (home / "public/en/index.html").exists() and not (site.root / "~").exists()


def test_a_site_toml_that_is_a_link_out_of_the_project_is_refused(site, tmp_path):
    site.make(all_languages("index"))
    outside = tmp_path / "elsewhere.toml"
    (site.root / "site.toml").rename(outside)
    (site.root / "site.toml").symlink_to(outside)
    outcome = site.build()
    assert outcome.code == 1
    assert f"site.toml: is a link to {outside}, outside the project: refused" in outcome.stderr
    assert not (site.root / "site").exists()


def test_serve_out_with_lang_is_refused_before_it_cuts_the_folder_down(site, tmp_path):
    site.make(all_languages("index"))
    out = tmp_path / "public"
    assert site.build("--out", str(out)).code == 0
    before = snapshot(out)
    result = site.run("serve", "--out", str(out), "--lang", "ko", "--port", "0")
    assert result.returncode == 1
    assert "serve --out writes the whole site, and --lang builds only some languages" in result.stderr
    assert snapshot(out) == before


def test_a_deployers_own_headers_file_from_before_the_build_wrote_one_is_never_overwritten(site):
    """A folder an older smallsite built, where the deployer wrote _headers by hand (as the README once
    said to): the build that now writes _headers stops, naming it, and changes nothing."""
    site.make(all_languages("index"))
    assert site.build().code == 0
    record = site.root / "site/.smallsite-files.json"
    older = json.loads(record.read_text(encoding="utf-8"))
    older["files"] = [name for name in older["files"] if name not in ("_headers", "_redirects")]
    record.write_text(json.dumps(older), encoding="utf-8")
    (site.root / "site/_redirects").unlink()
    site.write("site/_headers", "/*\n  X-Frame-Options: DENY\n")
    before = site.tree()
    outcome = site.build()
    assert outcome.code == 1
    assert "site/_headers: smallsite did not write this file, and the site now needs its place" in outcome.stderr
    assert site.tree() == before
