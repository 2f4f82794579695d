"""Issue 6: the page cache (.cache/pages.bin) only skips work. For every kind of change an editor makes,
a build from a warm cache writes the same site as a build with no cache at all, and the changed input
shows on pages other than its own (so a page the cache would have reused wrongly is caught). A corrupt
cache is ignored; a build prints the same problems warm and cold."""

from __future__ import annotations

import marshal
import os
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from smallsite.build import pipeline
from smallsite.build.output_folder import OWNED_RECORD
from smallsite.model.config import load_config
from smallsite.speed.page_cache import CACHE_DIR, CACHE_FILE, PREVIEW_CACHE_FILE
from smallsite.build.pipeline import BuildOptions, build_site
from smallsite.i18n.stale import source_digest
from smallsite.speed.memo import DiskMemo
from smallsite.build import page_work
from conftest import PROJECT, page
from test_build_cache import SVG, cold_build, make_stories, snapshot, story


def warm_build(site) -> dict[str, bytes]:
    """A build that uses (and updates) the project's caches, like an editor's second `build`."""
    build_site(load_config(site.root), site.root / "site", BuildOptions(), DiskMemo(site.root, workers=1))
    return snapshot(site.root / "site")


@pytest.fixture
def counted_pages(monkeypatch):
    """The pages whose template a build rendered (the chooser and the 404 page are not pages)."""
    rendered: list[str] = []
    real = page_work.render_template

    def counting(env, name, context, config, shown):
        if name in page_work.TEMPLATE_FOR_KIND.values():
            rendered.append(context["path"])
        return real(env, name, context, config, shown)

    monkeypatch.setattr(page_work, "render_template", counting)
    return rendered


def edit(site, name: str, old: str, new: str) -> None:
    path = site.root / name
    text = path.read_text(encoding="utf-8")
    assert old in text, (name, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# Each change, and what a page OTHER than the changed file's own must show after it.
CHANGES = {
    "story body": (lambda s: s.write("content/stories/s0/index.en.md", story("s0 en", [], "A new ending.")),
                   "en/stories/s0/index.html", "A new ending."),
    "story title": (lambda s: edit(s, "content/stories/s1/index.en.md", "title: s1 en", "title: Renamed"),
                    "en/stories/s2/index.html", "Renamed"),
    # A plain page's title is in every page's navigation, and in no story card.
    "page title": (lambda s: edit(s, "content/contact.en.md", "title: Contact us", "title: Write to the team"),
                   "en/stories/s2/index.html", "Write to the team"),
    "template": (lambda s: edit(s, "templates/base.html", "</body>", "<!-- template marker --></body>"),
                 "ko/stories/s2/index.html", "template marker"),
    "catalogue string": (lambda s: edit(s, "locales/ko_KR/LC_MESSAGES/messages.po",
                                        'msgstr "다른 이야기"', 'msgstr "더 많은 이야기"'),
                         "ko/stories/s2/index.html", "더 많은 이야기"),
    "static CSS": (lambda s: s.write("static/css/site.css",
                                     (s.root / "static/css/site.css").read_text(encoding="utf-8") + "\nb{}\n"),
                   "ja/stories/s2/index.html", None),
    "image bytes": (lambda s: s.write("content/stories/s1/hero.svg", SVG.format(w=77)),
                    "en/stories/s2/index.html", 'width="77"'),
    "an image only a body shows": (lambda s: s.write("content/map.svg", SVG.format(w=55)),
                                   "ko/contact/index.html", 'width="55"'),
    "site.toml base_url": (lambda s: edit(s, "site.toml", "https://example.org/", "https://example.com/"),
                           "zh/stories/s2/index.html", "https://example.com/zh/stories/s2/"),
    "a new translation": (lambda s: s.write("content/stories/s1/index.zh.md", story("s1 translated", [])),
                          "en/stories/s1/index.html", 'hreflang="zh-Hans"'),
    "a page deleted": (lambda s: (s.root / "content/contact.en.md").unlink(), "en/stories/s2/index.html", None),
    "a translation deleted": (lambda s: (s.root / "content/stories/s1/index.ko.md").unlink(),
                             "ko/stories/s2/index.html", "s1 en"),
}


def make_site_for_changes(site) -> None:
    """Three stories, one without its Chinese translation, and a page in every navigation that shows a
    picture only its body uses: what CHANGES change."""
    make_stories(site, count=3)
    (site.root / "content/stories/s1/index.zh.md").unlink()  # zh readers get s1 in English, for now
    site.write("content/contact.en.md", page("Contact us", "Write to us.\n\n![Map](map.svg)"))  # in every nav
    site.write("content/map.svg", SVG.format(w=50))


def check_change_gives_cold_build(site, change: str, build) -> tuple[dict, dict]:
    """One of CHANGES between two builds by `build`: the second is what a build from scratch writes,
    differs from the first, and shows the change. Returns both builds' files."""
    before = build(site)
    apply, other_page, shown = CHANGES[change]
    apply(site)
    after = build(site)
    assert after == cold_build(site)
    assert after != before
    if shown is not None:
        assert shown in after[other_page].decode()
    return before, after


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_warm_cache_after_each_kind_of_change_gives_the_cold_build(site, change):
    make_site_for_changes(site)
    before, after = check_change_gives_cold_build(site, change, warm_build)
    other_page = CHANGES[change][1]
    if change == "static CSS":
        assert [n for n in after if n.endswith(".css")] != [n for n in before if n.endswith(".css")]
    if change == "a page deleted":
        assert "Contact us" in before[other_page].decode() and "Contact us" not in after[other_page].decode()
        assert "zh/contact/index.html" in before and "zh/contact/index.html" not in after
    if change == "a translation deleted":
        assert "s1 ko" in before[other_page].decode() and "s1 ko" not in after[other_page].decode()


def test_a_rebuild_renders_only_the_pages_whose_inputs_changed(site, counted_pages):
    make_stories(site, count=3)
    warm_build(site)
    pages = len(counted_pages)
    assert pages == 5 * 4  # home, about and three stories in four languages

    counted_pages.clear()
    warm_build(site)
    assert counted_pages == []

    site.write("content/stories/s0/index.ko.md", story("s0 ko", [], "Only the body changed."))
    warm_build(site)
    assert counted_pages == ["/ko/stories/s0/"]

    counted_pages.clear()  # the translations of an edited original are not re-rendered (outside a preview)
    site.write("content/stories/s1/index.en.md", story("s1 en", [], "The original's body changed."))
    warm_build(site)
    assert counted_pages == ["/en/stories/s1/"]

    counted_pages.clear()
    edit(site, "content/stories/s0/index.ko.md", "title: s0 ko", "title: New title")
    warm_build(site)
    assert sorted(counted_pages) == sorted(["/ko/", "/ko/about/", "/ko/stories/s0/", "/ko/stories/s1/",
                                            "/ko/stories/s2/"])


def test_a_page_the_output_folder_holds_is_reused_only_while_its_file_is_as_written(site, counted_pages):
    make_stories(site, count=2)
    first = warm_build(site)
    # The cache keeps such a page as its file's name and digest, not a second copy of the HTML.
    pages = [data for name, data in first.items() if name.endswith(".html")]
    assert (site.root / CACHE_DIR / CACHE_FILE).stat().st_size < sum(len(zlib.compress(p, 1)) for p in pages) / 4

    counted_pages.clear()
    hand_edited = site.root / "site/en/stories/s0/index.html"
    hand_edited.write_bytes(hand_edited.read_bytes().replace(b"</body>", b"<p>edited by hand</p></body>"))
    (site.root / "site/ko/stories/s1/index.html").unlink()
    assert warm_build(site) == first
    assert sorted(counted_pages) == ["/en/stories/s0/", "/ko/stories/s1/"]

    counted_pages.clear()  # `check` builds in memory, and takes the pages the output folder holds
    assert pipeline.build(load_config(site.root), BuildOptions(), DiskMemo(site.root, workers=1)).files == \
        {name: data for name, data in first.items() if name != OWNED_RECORD}  # (on disk only)
    assert counted_pages == []

    shutil.rmtree(site.root / "site")  # gone with the folder: rendered again
    assert warm_build(site) == first
    assert len(counted_pages) == 4 * 4


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX thing")
def test_a_named_pipe_where_a_page_was_is_replaced_not_read(site):
    """The caches read pages back from the output folder; opening a named pipe for reading waits for a
    writer, so one put where a page was must be passed over (the build used to hang on it)."""
    make_stories(site, count=2)
    assert site.run("build").returncode == 0
    page_file = site.root / "site/en/stories/s0/index.html"
    for change in ("none", "template"):  # the page cache's way, then the Markdown cache's
        page_file.unlink()
        os.mkfifo(page_file)
        if change == "template":
            edit(site, "templates/base.html", "</body>", "<!-- after the pipe --></body>")
        result = site.run("build")  # (a hang fails on the run's time limit)
        assert result.returncode == 0, result.stderr
        assert page_file.is_file() and snapshot(site.root / "site") == cold_build(site)


def test_a_preview_build_and_a_published_build_do_not_share_pages(site):
    make_stories(site, count=2)
    # A translation made from an older text of its source: only a preview (serve) says so.
    edit(site, "content/stories/s0/index.ko.md", "title:", "translated_from: abcdefabcdef\ntitle:")
    config = load_config(site.root)
    published = warm_build(site)
    preview = pipeline.build(config, BuildOptions(preview=True), DiskMemo(config.root, workers=1, preview=True)).files
    assert preview == pipeline.build(config, BuildOptions(preview=True),
                                     DiskMemo(config.root, workers=1, preview=True, keep=False)).files
    assert preview["ko/stories/s0/index.html"] != published["ko/stories/s0/index.html"]
    assert warm_build(site) == published == cold_build(site)
    # Each keeps its own pages: serve and build in turn do not empty each other's cache.
    assert (site.root / CACHE_DIR / CACHE_FILE).is_file() and (site.root / CACHE_DIR / PREVIEW_CACHE_FILE).is_file()


def test_a_preview_notices_when_a_translations_source_changes(site):
    make_stories(site, count=2)
    source = site.root / "content/stories/s0/index.en.md"
    edit(site, "content/stories/s0/index.ko.md", "title:", f'translated_from: "{source_digest(source.read_bytes())}"\ntitle:')

    def preview(cache: bool = True) -> dict[str, bytes]:
        return pipeline.build(load_config(site.root), BuildOptions(preview=True),
                              DiskMemo(site.root, workers=1, preview=True, keep=cache)).files

    assert "stale-notice" not in preview()["ko/stories/s0/index.html"].decode()
    site.write("content/stories/s0/index.en.md", story("s0 en", ["../s1/index.en.md"], "The source changed."))
    after = preview()
    assert "stale-notice" in after["ko/stories/s0/index.html"].decode()
    assert after == preview(cache=False)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "other version", "wrong checksum", "damaged entry"])
def test_a_corrupt_or_foreign_page_cache_is_ignored(site, damage):
    make_stories(site, count=2)
    first = warm_build(site)
    cache = site.root / CACHE_DIR / CACHE_FILE
    data = cache.read_bytes()
    header, checksum, payload = data.split(b"\n", 2)
    entries = marshal.loads(payload)
    assert len(entries) == 4 * 4
    # Entries whose HTML would show if the file were trusted.
    poisoned = marshal.dumps({key: (zlib.compress(b"POISON"), 6, *entry[2:]) for key, entry in entries.items()})
    broken = marshal.dumps({key: (b"not zlib at all", *entry[1:]) for key, entry in entries.items()})
    cache.write_bytes({
        "garbage": bytes(range(256)) * 8,
        "truncated": data[: len(data) // 2],
        "other version": b"smallsite-page-cache 0000\n" + str(zlib.crc32(poisoned)).encode() + b"\n" + poisoned,
        "wrong checksum": header + b"\n" + checksum + b"\n" + poisoned,
        "damaged entry": header + b"\n" + str(zlib.crc32(broken)).encode() + b"\n" + broken,
    }[damage])
    assert warm_build(site) == first


def test_the_same_problems_are_printed_warm_and_cold(site):
    make_stories(site, count=2)
    (site.root / "content/stories/s1/index.ja.md").unlink()  # a warning: ja readers get the English text
    cold = site.run("build")
    warm = site.run("build")
    assert cold.returncode == warm.returncode == 0
    assert "no 日本語 translation of content/stories/s1/index.en.md" in cold.stderr
    assert warm.stderr == cold.stderr

    site.write("content/stories/s0/index.ko.md", story("s0 ko", ["../nowhere/index.ko.md"]))
    failed_cold = site.run("build")
    failed_warm = site.run("build")
    assert failed_cold.returncode == failed_warm.returncode == 1
    assert "content/stories/s0/index.ko.md:" in failed_warm.stderr and "no such page" in failed_warm.stderr
    assert failed_warm.stderr == failed_cold.stderr


def test_no_cache_option_keeps_no_pages(site):
    make_stories(site, count=1)
    build_site(load_config(site.root), site.root / "site", BuildOptions(), DiskMemo(site.root, workers=1, keep=False))
    assert not (site.root / CACHE_DIR / CACHE_FILE).exists()



@pytest.mark.parametrize("damage", ["garbage", "wrong checksum"])
def test_a_corrupt_template_cache_is_ignored(site, damage):
    make_stories(site, count=1)
    first = warm_build(site)
    cache = site.root / CACHE_DIR / "templates.bin"
    header, checksum, payload = cache.read_bytes().split(b"\n", 2)
    cache.write_bytes(bytes(range(256)) * 4 if damage == "garbage" else header + b"\n" + checksum + b"\n" + payload[:-9])
    (site.root / CACHE_DIR / CACHE_FILE).unlink()  # so every page is rendered with what the file holds
    assert warm_build(site) == first


def test_build_does_not_load_the_dev_servers_libraries(site):
    make_stories(site, count=1)
    result = subprocess.run([sys.executable, "-X", "importtime", str(PROJECT / "build.py"), "build"], cwd=site.root,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    loaded = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
    assert "jinja2" in loaded and "smallsite.build.pipeline" in loaded  # the list is real
    assert not loaded & {"tornado", "livereload", "watchdog", "playwright", "smallsite.serve.command", "smallsite.serve.watch",
                         "urllib.request", "http.client"}


def test_a_template_in_a_linked_folder_is_part_of_every_pages_key(site):
    """A template folder may be a link to another folder of the project (shared partials): an edit there
    renders the pages again, as an edit in templates/ does; the page cache once kept the old pages."""
    make_stories(site, count=1)
    site.write("shared/parts/_note.html", "<p>Old note</p>")
    (site.root / "templates/parts").symlink_to("../shared/parts", target_is_directory=True)
    edit(site, "templates/base.html", "</body>", '{% include "parts/_note.html" %}</body>')
    assert "Old note" in warm_build(site)["en/stories/s0/index.html"].decode()
    site.write("shared/parts/_note.html", "<p>New note</p>")
    after = warm_build(site)
    assert "New note" in after["en/stories/s0/index.html"].decode()
    assert after == cold_build(site)
