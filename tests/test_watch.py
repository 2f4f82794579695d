"""The watcher: which events are a change to the sources, and one batch (one build) per save.

The editors' saves were recorded under watchdog's real observer by tests/record_editor_saves.py and are
replayed here against a fake clock, with the time between events as recorded.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from smallsite.model.ignored import is_ignored_path
from smallsite.serve.watch import ChangeBatcher, FileEvent, SourceWatcher, changed_sources, is_source

RECORDINGS = json.loads((Path(__file__).parent / "data" / "editor_saves.json").read_text(encoding="utf-8"))
PAGE = RECORDINGS.pop("page")


def events_of(name: str, offset: float = 0.0) -> list[tuple[float, FileEvent]]:
    return [(offset + item["t"], FileEvent(item["kind"], item["path"], item["dest"], item["is_directory"]))
            for item in RECORDINGS[name]["events"]]


def replay(timed_events: list[tuple[float, FileEvent]], batcher: ChangeBatcher, step: float = 0.001):
    """Feed events at their times, polling the batcher every `step` seconds as the builder would.
    Returns the batches with the time each became due."""
    batches = []
    timed_events = sorted(timed_events, key=lambda item: item[0])
    end = timed_events[-1][0] + batcher.longest + batcher.quiet + 1
    now, index = 0.0, 0
    while now <= end:
        while index < len(timed_events) and timed_events[index][0] <= now:
            batcher.add(changed_sources(timed_events[index][1]), timed_events[index][0])
            index += 1
        batch = batcher.take(now)
        if batch:
            batches.append((now, batch))
        now = round(now + step, 6)
    return batches


@pytest.mark.parametrize("editor", sorted(RECORDINGS))
def test_each_editors_save_is_one_batch_naming_the_page(editor):
    batches = replay(events_of(editor), ChangeBatcher())
    assert [batch for _, batch in batches] == [frozenset({PAGE})]


@pytest.mark.parametrize("editor", sorted(RECORDINGS))
def test_the_batch_comes_after_the_saves_last_event_so_the_build_reads_the_final_text(editor):
    timed = events_of(editor)
    last_touch = max(t for t, event in timed if changed_sources(event))
    (due, _), = replay(timed, ChangeBatcher())
    assert due >= last_touch


def test_a_second_save_a_second_after_the_first_is_a_second_batch():
    timed = events_of("vscode-truncate-then-write") + events_of("jetbrains", offset=1.0)
    batches = replay(timed, ChangeBatcher())
    assert [batch for _, batch in batches] == [frozenset({PAGE}), frozenset({PAGE})]


def test_two_files_saved_together_are_one_batch():
    other = FileEvent("modified", "templates/base.html")
    timed = events_of("vim-rename") + [(0.005, other)]
    assert [batch for _, batch in replay(timed, ChangeBatcher())] == [frozenset({PAGE, "templates/base.html"})]


def test_endless_writes_still_build_and_build_again_after_the_last_write():
    # A slow copy: a write every 10 ms for a second. The build must not wait for ever, and the last
    # batch must come after the last write, so the final text is what is built.
    timed = [(i * 0.01, FileEvent("modified", PAGE)) for i in range(100)]
    batches = replay(timed, ChangeBatcher(quiet=0.02, longest=0.3))
    assert 2 <= len(batches) <= 5
    assert batches[-1][0] >= timed[-1][0]


def test_nothing_pending_means_no_batch_and_no_wait():
    batcher = ChangeBatcher()
    assert batcher.take(10.0) is None
    assert batcher.wait_time(10.0) is None
    batcher.add((), 10.0)
    assert batcher.take(11.0) is None


@pytest.mark.parametrize("name", [
    "content/stories/.ducks.en.md.swp", "content/stories/.ducks.en.md.swx", "content/x.en.md.swpx",
    "content/stories/4913", "content/x.en.md~", "content/#x.en.md#", "content/.#x.en.md",
    "content/x.en.md___jb_tmp___", "content/x.en.md___jb_old___", "content/x.en.md.vsctmp",
    "templates/.base.html.kate-swp", "content/.goutputstream-XYZ12", "locales/~$messages.po",
    "content/x.en.md.tmp", "content/x.en.md.bak", "static/css/site.css.crswap", "content/.git/HEAD",
    "content/.DS_Store", "content/stories/sedCKaDQf",
    # What Windows Explorer and macOS Finder leave, beside the editors' files, in static/ too.
    "static/img/Thumbs.db", "static/img/thumbs.db", "static/desktop.ini", "static/Desktop.ini",
    "static/img/.DS_Store", "static/css/#site.css#", "static/css/site.css.bak", "static/css/site.css~",
    "static/css/.site.css.swp", "static/css/.#site.css", "static/4913", "static/css/site.css.tmp",
    "static/css/site.css.orig", "content/stories/ducks/Thumbs.db",
])
def test_editor_litter_is_ignored(name):
    assert is_ignored_path(name)
    assert changed_sources(FileEvent("created", name)) == ()


@pytest.mark.parametrize("name", [
    "content/stories/ducks.en.md", "content/stories/kenya-hockey/hero.svg", "templates/base.html",
    "locales/ko/LC_MESSAGES/messages.po", "static/css/site.css", "site.toml", "content/a~b.en.md",
])
def test_sources_count(name):
    assert is_source(name)
    assert changed_sources(FileEvent("modified", name)) == (name,)


@pytest.mark.parametrize("name", ["site/en/index.html", "Makefile", ".git/index", "README.md",
                                  "../elsewhere/content/x.en.md", "smallsite/serve/command.py", ""])
def test_files_a_build_does_not_read_are_ignored(name):
    assert not is_source(name)


def test_reading_a_file_is_not_a_change():
    # The build opens every source; those events must not start another build.
    for kind in ("opened", "closed_no_write", "attrib"):
        assert changed_sources(FileEvent(kind, PAGE)) == ()


def test_folder_events():
    assert changed_sources(FileEvent("modified", "content/stories", is_directory=True)) == ()
    assert changed_sources(FileEvent("created", "content/news", is_directory=True)) == ("content/news",)
    assert changed_sources(FileEvent("deleted", "content/news", is_directory=True)) == ("content/news",)


def test_moves_count_on_either_side():
    assert changed_sources(FileEvent("moved", PAGE, PAGE + "~")) == (PAGE,)
    assert changed_sources(FileEvent("moved", PAGE + "___jb_tmp___", PAGE)) == (PAGE,)
    renamed = "content/stories/geese.en.md"
    assert changed_sources(FileEvent("moved", PAGE, renamed)) == (PAGE, renamed)


def _save_like_jetbrains(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + "___jb_tmp___")
    old = path.with_name(path.name + "___jb_old___")
    temporary.write_text(text, encoding="utf-8")
    os.replace(path, old)
    os.replace(temporary, path)
    old.unlink()


def _collect(watcher: SourceWatcher, until: set[str], timeout: float = 10.0) -> set[str]:
    seen: set[str] = set()
    deadline = time.monotonic() + timeout
    while not until <= seen and time.monotonic() < deadline:
        seen |= watcher.next_batch(timeout=0.2) or set()
    return seen


def test_the_real_observer_sees_saves_new_folders_and_a_recreated_content_folder(tmp_path):
    root = tmp_path / "project"
    page = root / PAGE
    page.parent.mkdir(parents=True)
    page.write_text("old", encoding="utf-8")
    (root / "site.toml").write_text("", encoding="utf-8")
    watcher = SourceWatcher(root)
    watcher.start()
    try:
        _save_like_jetbrains(page, "new")
        assert _collect(watcher, {PAGE}) == {PAGE}
        assert page.read_text(encoding="utf-8") == "new"

        (root / "site.toml").write_text("base_url = 1", encoding="utf-8")
        assert "site.toml" in _collect(watcher, {"site.toml"})

        # A folder that did not exist when serve started: seen once the builder re-checks the watches.
        (root / "templates").mkdir()
        assert "templates" in _collect(watcher, {"templates"})
        watcher.ensure_watched()
        (root / "templates" / "base.html").write_text("<html>", encoding="utf-8")
        assert "templates/base.html" in _collect(watcher, {"templates/base.html"})

        # Litter alone makes no batch (once the events of the writes above have all come in).
        while watcher.next_batch(timeout=0.3):
            pass
        (root / "content" / "stories" / ".ducks.en.md.swp").write_bytes(b"swap")
        assert watcher.next_batch(timeout=0.5) is None
    finally:
        watcher.stop()
    assert watcher.next_batch(timeout=1) is None


def test_junk_a_file_manager_leaves_in_static_starts_no_rebuild(tmp_path):
    """The build never publishes these (tests/test_symlinks_and_ignored.py): nor may they rebuild the preview."""
    root = tmp_path / "project"
    (root / "static" / "img").mkdir(parents=True)
    watcher = SourceWatcher(root)
    watcher.start()
    try:
        for name in ("Thumbs.db", "desktop.ini", ".DS_Store", "#x#", "photo.png.bak", "photo.png~", "4913",
                     "photo.png.orig", "photo.png.tmp"):
            (root / "static" / "img" / name).write_bytes(b"junk")
        assert watcher.next_batch(timeout=0.5) is None
        (root / "static" / "img" / "photo.png").write_bytes(b"real")
        assert _collect(watcher, {"static/img/photo.png"}) == {"static/img/photo.png"}
    finally:
        watcher.stop()
