"""Issue 6: a rebuild starts from what the last build left (.cache/build-stamp.record): pages read, pages
written. For every kind of change an editor makes, alone or one after another, `build` writes the site a
build from scratch writes; an edit rewrites only the files it changes; a damaged record is ignored."""

from __future__ import annotations

import os

import pytest

from conftest import page
from smallsite.build import pipeline, prepare
from smallsite.speed import memo
from test_build_cache import cold_build, snapshot
from test_page_cache import CHANGES, check_change_gives_cold_build, make_site_for_changes as make_site

RECORD = ".cache/build-stamp.record"


def editor_build(site) -> dict[str, bytes]:
    """`build.py build`, as an editor runs it again and again in one project."""
    outcome = site.build()
    assert outcome.code == 0, outcome.stderr
    return snapshot(site.root / "site")


def recorded_build(site) -> dict[str, bytes]:
    """An editor's build, which leaves the record the next one starts from."""
    files = editor_build(site)
    assert (site.root / RECORD).is_file()
    return files


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_rebuild_from_the_record_after_each_kind_of_change_gives_the_fresh_build(site, change):
    make_site(site)
    check_change_gives_cold_build(site, change, recorded_build)


def test_every_change_one_after_another_gives_the_fresh_build_each_time(site):
    make_site(site)
    editor_build(site)
    for change, (apply, _, _) in CHANGES.items():
        apply(site)
        assert editor_build(site) == cold_build(site), change


def test_a_body_edit_reads_renders_and_rewrites_only_that_page(site, monkeypatch):
    make_site(site)
    editor_build(site)
    # What the build opens: the sources it reads, the pages it takes from the page cache.
    calls: dict[str, list] = {"read_page": [], "cached_page": []}
    for name in calls:
        module = prepare if name == "read_page" else memo
        real = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *args, _real=real, _name=name, **kwargs: (
            calls[_name].append(args[0]), _real(*args, **kwargs))[1])
    folder = site.root / "site"
    times = {path: path.stat().st_mtime_ns for path in folder.rglob("*") if path.is_file()}
    source = site.root / "content/stories/s2/index.ko.md"
    source.write_text(source.read_text(encoding="utf-8") + "\n새 문단입니다.\n", encoding="utf-8")

    after = editor_build(site)

    assert "새 문단입니다." in after["ko/stories/s2/index.html"].decode()
    rewritten = sorted(path.relative_to(folder).as_posix() for path, time in times.items()
                       if path.stat().st_mtime_ns != time)
    assert rewritten == ["ko/stories/s2/index.html"]
    assert [source.path.name for source in calls["read_page"]] == ["index.ko.md"]
    assert calls["cached_page"] == []  # every other page is left in the folder, not even looked up
    assert after == cold_build(site)


def test_a_rebuild_reports_the_warnings_a_fresh_build_reports(site):
    make_site(site)
    first = site.build()
    source = site.root / "content/stories/s0/index.en.md"
    source.write_text(source.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")

    again = site.build()

    assert again.code == 0
    assert "warning" in first.stderr
    assert again.stderr == first.stderr


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_a_damaged_record_is_ignored(site, damage):
    make_site(site)
    editor_build(site)
    record = site.root / RECORD
    data = record.read_bytes()
    record.write_bytes({"garbage": os.urandom(len(data)), "truncated": data[: len(data) // 2],
                        "empty": b""}[damage])
    site.write("content/stories/s0/index.en.md", page("s0 en", "Changed.", date="2018-02-02"))

    assert editor_build(site) == cold_build(site)


def test_an_output_file_changed_by_hand_is_written_again(site):
    make_site(site)
    built = editor_build(site)
    (site.root / "site/en/stories/s1/index.html").write_text("edited by hand", encoding="utf-8")
    (site.root / "site/ja/feed.xml").unlink()
    source = site.root / "content/stories/s0/index.en.md"  # and a body edit elsewhere: a rebuild, not a no-op
    source.write_text(source.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")

    after = editor_build(site)

    assert after["en/stories/s1/index.html"] == built["en/stories/s1/index.html"]
    assert after["ja/feed.xml"] == built["ja/feed.xml"]
    assert after == cold_build(site)


def test_a_write_cut_short_in_an_output_folder_that_is_a_link_is_rolled_back_then_built(site, monkeypatch):
    """site/ links to a release folder; a rebuild that removes a page is cut short once the new folder is
    staged, just before the swap (the power goes). The folder is the old site, whole; the next build
    must then write the site a fresh build writes: the record's listing, from before, must not be used."""
    from smallsite.build import write

    make_site(site)
    (site.root / "release").mkdir()
    (site.root / "site").symlink_to("release", target_is_directory=True)
    editor_build(site)
    (site.root / "content/contact.en.md").unlink()

    def power_cut(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(write, "swap_folders", power_cut)
    with pytest.raises(KeyboardInterrupt):
        site.build()
    monkeypatch.undo()
    assert (site.root / "release/en/contact/index.html").exists()  # the old site, whole
    assert (site.root / ".release.staging").exists()  # the new one, staged beside the real folder

    assert editor_build(site) == cold_build(site)


@pytest.mark.parametrize("made", ["a folder", "a link to a folder"])
def test_an_output_folder_made_by_someone_during_a_first_build_loses_no_page(site, monkeypatch, made):
    """A first build stages its pages; if the output folder appears meanwhile (another build, a script),
    the build must not end with a site that lacks its pages, nor delete what the new folder holds."""
    make_site(site)
    elsewhere = site.root / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("not the site's", encoding="utf-8")
    real_write_tree = pipeline.write_tree

    def someone_makes_the_folder(*args, **kwargs):
        if made == "a folder":
            (site.root / "site").mkdir()
        else:
            (site.root / "site").symlink_to("elsewhere", target_is_directory=True)
        return real_write_tree(*args, **kwargs)

    monkeypatch.setattr(pipeline, "write_tree", someone_makes_the_folder)
    outcome = site.build()
    monkeypatch.setattr(pipeline, "write_tree", real_write_tree)

    assert outcome.code == 1 and "build again" in outcome.stderr  # told, with nothing replaced or lost
    assert not (site.root / ".site.staging").exists()
    assert (elsewhere / "keep.txt").read_text(encoding="utf-8") == "not the site's"
    if made == "a link to a folder":  # a folder of someone else's files: never the site's (issue 13)
        refused = site.build()
        assert refused.code == 1 and "smallsite did not write (keep.txt" in refused.stderr
        assert (elsewhere / "keep.txt").read_text(encoding="utf-8") == "not the site's"
        (site.root / "site").unlink()
    assert editor_build(site) == cold_build(site)


def test_a_story_picture_reached_through_a_second_link_to_one_folder_is_seen_to_change(site):
    """Two links in content/ lead to one folder of pictures; a story's illustration is named through the
    second. Changing the picture must change the home page's card as a fresh build shows it."""
    from test_build_cache import SVG

    make_site(site)
    (site.root / "pictures").mkdir()
    site.write("pictures/shared.svg", SVG.format(w=31))
    for name in ("art", "photos"):
        (site.root / "content" / name).symlink_to("../pictures", target_is_directory=True)
    source = site.root / "content/stories/s0/index.en.md"
    source.write_text(source.read_text(encoding="utf-8").replace("src: hero.svg", "src: /photos/shared.svg"),
                      encoding="utf-8")
    editor_build(site)
    site.write("pictures/shared.svg", SVG.format(w=32))

    assert editor_build(site) == cold_build(site)


def test_a_markdown_file_that_is_not_a_page_but_is_shown_as_a_file_is_seen_to_change(site):
    """A draft is not a page, but a page may still show it as a file (here as a picture): its change
    must not be taken for a page source's, whose effect the section digests would cover."""
    make_site(site)
    site.write("content/stories/s0/sketch.en.md", "---\ntitle: Sketch\nsummary: A draft\ndraft: true\n---\nv1\n")
    source = site.root / "content/stories/s0/index.ko.md"
    source.write_text(source.read_text(encoding="utf-8") + "\n![Sketch](sketch.en.md)\n", encoding="utf-8")
    before = editor_build(site)
    site.write("content/stories/s0/sketch.en.md", "---\ntitle: Sketch\nsummary: A draft\ndraft: true\n---\nv2\n")

    after = editor_build(site)

    assert after == cold_build(site)
    assert after["ko/stories/s0/index.html"] != before["ko/stories/s0/index.html"]  # the picture's new name


def test_the_record_keeps_no_body_and_a_template_edit_renders_every_body_from_its_source(site):
    """The record's pages have no body (they were most of its bytes): a page rendered again reads its
    body from its source, which is unchanged since."""
    make_site(site)
    source = site.root / "content/stories/s2/index.ja.md"
    source.write_text(source.read_text(encoding="utf-8") + "\n記録には残らない一文です。\n", encoding="utf-8")
    editor_build(site)
    assert "記録には残らない一文です。".encode() not in (site.root / RECORD).read_bytes()
    site.write("templates/base.html", (site.root / "templates/base.html").read_text(encoding="utf-8")
               .replace("</body>", "<!-- every page again --></body>"))

    after = editor_build(site)

    assert "記録には残らない一文です。" in after["ja/stories/s2/index.html"].decode()
    assert after == cold_build(site)


def test_a_source_saved_again_while_a_rebuild_reads_it_fails_that_build_and_the_next_shows_it(site, monkeypatch):
    """A page rendered again takes its body from its source: when that source no longer holds the bytes
    the record's page was read from (an editor saved it after the build looked), the build stops rather
    than mix the two versions, leaves the site as it was, and the next build shows the new text."""
    from smallsite.speed import build_record

    make_site(site)
    built = editor_build(site)
    site.write("templates/base.html", (site.root / "templates/base.html").read_text(encoding="utf-8")
               .replace("</body>", "<!-- every page again --></body>"))
    source = site.root / "content/stories/s1/index.en.md"
    real_load = build_record.load

    def load_then_save_the_source(*args, **kwargs):
        previous = real_load(*args, **kwargs)
        source.write_text(source.read_text(encoding="utf-8") + "\nSaved during the build.\n", encoding="utf-8")
        return previous

    monkeypatch.setattr(build_record, "load", load_then_save_the_source)
    failed = site.build()

    assert failed.code == 1
    assert "content/stories/s1/index.en.md: changed while the site was being built: build again" in failed.stderr
    assert snapshot(site.root / "site") == built
    monkeypatch.setattr(build_record, "load", real_load)
    after = editor_build(site)
    assert "Saved during the build." in after["en/stories/s1/index.html"].decode()
    assert after == cold_build(site)


def test_a_body_edit_keeps_the_front_matter_as_read_and_a_front_matter_edit_reads_it_again(site, monkeypatch):
    """Front matter whose text is unchanged is not parsed again (nor PyYAML loaded for it)."""
    from smallsite.model import content

    make_site(site)
    editor_build(site)
    parsed: list[str] = []
    real = content.parse_front_matter
    monkeypatch.setattr(content, "parse_front_matter",
                        lambda split, shown: (parsed.append(shown), real(split, shown))[1])
    source = site.root / "content/stories/s2/index.en.md"
    source.write_text(source.read_text(encoding="utf-8") + "\nA new closing line.\n", encoding="utf-8")

    after = editor_build(site)

    assert parsed == []
    assert "A new closing line." in after["en/stories/s2/index.html"].decode()
    source.write_text(source.read_text(encoding="utf-8").replace("title: s2 en", "title: Renamed s2"),
                      encoding="utf-8")

    after = editor_build(site)

    assert parsed == ["content/stories/s2/index.en.md"]
    assert "Renamed s2" in after["en/index.html"].decode()
    assert after == cold_build(site)


def test_a_source_changed_where_its_file_still_looks_unchanged_is_read_again_by_the_next_build(site, monkeypatch):
    """A tool that puts a file's old time back, on a file system without change times, leaves an edit
    the scan cannot see. A page rendered again from the record then finds its source's bytes are not
    the ones read: that build stops, and the next one does not take the page from the record again."""
    from dataclasses import replace

    from smallsite.speed import build_stamp

    make_site(site)
    built = editor_build(site)
    name = "content/stories/s1/index.en.md"
    source = site.root / name
    source.write_text(source.read_text(encoding="utf-8") + "\nAn edit the scan cannot see.\n", encoding="utf-8")
    real_scan = build_stamp.scan_inputs

    def scan_blind_to_the_edit(*args, **kwargs):
        scan = real_scan(*args, **kwargs)
        return replace(scan, changed=scan.changed - {name})

    monkeypatch.setattr(build_stamp, "scan_inputs", scan_blind_to_the_edit)
    site.write("templates/base.html", (site.root / "templates/base.html").read_text(encoding="utf-8")
               .replace("</body>", "<!-- every page again --></body>"))

    failed = site.build()

    assert failed.code == 1
    assert f"{name}: changed while the site was being built: build again" in failed.stderr
    assert snapshot(site.root / "site") == built
    after = editor_build(site)
    assert "An edit the scan cannot see." in after["en/stories/s1/index.html"].decode()
    assert after == cold_build(site)
