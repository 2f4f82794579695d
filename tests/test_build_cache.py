"""Issue 6: the Markdown cache, the worker processes and writing only changed files change nothing a
reader sees: cold, warm and stale caches, one process or several, any hash seed or time zone, all give
byte-identical sites; problems are still collected from every page; an interrupted write is rolled back."""

from __future__ import annotations

import marshal
import os
import zlib
from pathlib import Path

import pytest

from conftest import page
from smallsite.model.config import load_config
from smallsite.speed.markdown_cache import CACHE_DIR, CACHE_FILE
from smallsite.build.pipeline import BuildOptions, build, build_site
from smallsite.model.problems import BuildFailed
from smallsite.model import frontmatter
from smallsite.build import page_work
from smallsite.build import write
from smallsite.speed.memo import DiskMemo

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="40"><rect width="{w}" height="40"/></svg>\n'


def story(title: str, links: list[str], extra: str = "") -> str:
    body = "\n\n".join([f"## {title} 이야기", "![A hero](hero.svg)",
                        *[f"Read [the other]({link})." for link in links], extra or "Text."])
    return page(title, body, date="2018-02-02", hero="{src: hero.svg, alt: A picture}")


def make_stories(site, count: int = 6) -> Path:
    files = {"content/index.en.md": page("Home", "Welcome."), "content/about.en.md": page("About", "About us.")}
    for number in range(count):
        name = f"s{number}"
        files[f"content/stories/{name}/hero.svg"] = SVG.format(w=40 + number)
        for lang in ("en", "ko", "ja", "zh"):
            files[f"content/stories/{name}/index.{lang}.md"] = story(
                f"{name} {lang}", [f"../s{(number + 1) % count}/index.{lang}.md", "/about.md"])
    return site.make(files)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def run_build(site, *args: str, env: dict | None = None) -> dict[str, bytes]:
    result = site.run("build", *args, env=env)
    assert result.returncode == 0, result.stderr
    return snapshot(site.root / "site")


def cold_build(site) -> dict[str, bytes]:
    """What a build with no cache at all writes, into a folder of its own."""
    config = load_config(site.root)
    out = site.root / "cold-site"
    build_site(config, out, BuildOptions(), DiskMemo(config.root, keep=False, workers=1))
    return snapshot(out)


def test_cold_warm_and_stale_caches_give_the_same_site(site):
    make_stories(site)
    cold = run_build(site)
    assert (site.root / CACHE_DIR / CACHE_FILE).is_file()
    assert 'href="/en/stories/s1/"' in cold["en/stories/s0/index.html"].decode()
    mtimes = {p: p.stat().st_mtime_ns for p in (site.root / "site").rglob("*.html")}

    warm = run_build(site)
    assert warm == cold
    # Nothing changed, so nothing was written: every file is the one the first build made.
    assert {p: p.stat().st_mtime_ns for p in (site.root / "site").rglob("*.html")} == mtimes

    # Stale entries: a linked page moves (slug), a shown image changes, a page text changes.
    slugged = (site.root / "content/stories/s1/index.ko.md").read_text(encoding="utf-8")
    site.write("content/stories/s1/index.ko.md", slugged.replace("date:", "slug: moved\ndate:", 1))
    site.write("content/stories/s2/hero.svg", SVG.format(w=99))
    site.write("content/stories/s3/index.en.md", story("s3 en", ["../s4/index.en.md"], "New text."))
    stale = run_build(site)
    assert stale == cold_build(site)
    assert 'href="/ko/stories/moved/"' in stale["ko/stories/s0/index.html"].decode()
    assert 'width="99"' in stale["en/stories/s2/index.html"].decode()
    assert "New text." in stale["en/stories/s3/index.html"].decode()
    assert "ko/stories/s1/index.html" not in stale  # the old address is gone from the folder


def test_a_body_is_taken_from_its_page_only_while_the_page_holds_it(site, monkeypatch):
    """A body whose page is in the output folder is kept as its place there, not as a second copy; a
    template edit then renders every page again without converting any Markdown, except a body whose
    page was changed by hand (or is gone), which is converted again."""
    make_stories(site, count=2)
    config = load_config(site.root)
    converted: list[str] = []
    real = page_work.render_markdown

    def counting(context, converters=None):
        converted.append(context.page.shown)
        return real(context, converters)

    monkeypatch.setattr(page_work, "render_markdown", counting)
    build_site(config, site.root / "site", BuildOptions(), DiskMemo(config.root, workers=1))
    assert len(converted) == 4 * 4
    kept = (site.root / CACHE_DIR / CACHE_FILE).stat().st_size
    words = " ".join(f"w{number * 7919 % 10007}" for number in range(4000))  # 25 kB that do not shrink much
    site.write("content/stories/s0/index.en.md", story("s0 en", [], words))
    build_site(config, site.root / "site", BuildOptions(), DiskMemo(config.root, workers=1))
    assert words in (site.root / "site/en/stories/s0/index.html").read_text(encoding="utf-8")
    assert (site.root / CACHE_DIR / CACHE_FILE).stat().st_size - kept < 1000 < len(zlib.compress(words.encode()))

    hand_edited = site.root / "site/ko/stories/s1/index.html"
    hand_edited.write_bytes(hand_edited.read_bytes().replace("s1 ko 이야기".encode(), b"edited by hand"))
    (site.root / "site/zh/about/index.html").unlink()
    base = site.root / "templates/base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("</body>", "<!-- new --></body>"), encoding="utf-8")
    converted.clear()
    build_site(config, site.root / "site", BuildOptions(), DiskMemo(config.root, workers=1))
    assert sorted(converted) == ["content/about.en.md", "content/stories/s1/index.ko.md"]
    assert snapshot(site.root / "site") == cold_build(site)

    converted.clear()  # the pages written anew hold their bodies at their new places
    base.write_text(base.read_text(encoding="utf-8").replace("<!-- new -->", "<!-- newer -->"), encoding="utf-8")
    build_site(config, site.root / "site", BuildOptions(), DiskMemo(config.root, workers=1))
    assert converted == []
    assert snapshot(site.root / "site") == cold_build(site)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "other version", "wrong checksum"])
def test_a_corrupt_or_foreign_cache_is_ignored(site, damage):
    make_stories(site, count=2)
    first = run_build(site)
    cache = site.root / CACHE_DIR / CACHE_FILE
    data = cache.read_bytes()
    header, checksum, payload = data.split(b"\n", 2)
    # Entries whose HTML would show if the file were trusted.
    poisoned = marshal.dumps({key: ("<p>POISON</p>", *entry[1:]) for key, entry in marshal.loads(payload).items()})
    cache.write_bytes({
        "garbage": os.urandom(len(data)),
        "truncated": data[: len(data) // 2],
        "other version": b"smallsite-markdown-cache 0000\n" + str(zlib.crc32(poisoned)).encode() + b"\n" + poisoned,
        "wrong checksum": header + b"\n" + checksum + b"\n" + poisoned,
    }[damage])
    assert run_build(site) == first


def test_worker_processes_give_the_same_output_and_every_problem(site):
    make_stories(site)
    config = load_config(site.root)
    serial = build(config, BuildOptions(), DiskMemo(config.root, keep=False, workers=1)).files
    parallel = build(config, BuildOptions(), DiskMemo(config.root, keep=False, workers=2)).files
    assert parallel == serial
    assert list(parallel) == list(serial)

    # Broken links in pages rendered by different processes are all reported, with their lines.
    for name in ("s0", "s3", "s5"):
        site.write(f"content/stories/{name}/index.ja.md", story(f"{name} ja", ["../nowhere/index.ja.md"]))
    with pytest.raises(BuildFailed) as failed:
        build(config, BuildOptions(), DiskMemo(config.root, workers=2))
    messages = [str(p) for p in failed.value.problems]
    for name in ("s0", "s3", "s5"):
        assert f"content/stories/{name}/index.ja.md:" in "\n".join(messages)
    assert sum("no such page" in m for m in messages) == 3

    # Sources are read by several processes too: a broken front matter in each is reported, with its line.
    for name in ("s1", "s4"):
        site.write(f"content/stories/{name}/index.ko.md", '---\ntitle: "unclosed\n---\nText.\n')
    with pytest.raises(BuildFailed) as failed:
        build(config, BuildOptions(), DiskMemo(config.root, workers=2))
    messages = "\n".join(str(p) for p in failed.value.problems)
    assert "content/stories/s1/index.ko.md:2" in messages and "content/stories/s4/index.ko.md:2" in messages


def test_output_is_the_same_whatever_hash_seed_and_time_zone(site):
    make_stories(site, count=3)
    first = run_build(site, env={**os.environ, "PYTHONHASHSEED": "1", "TZ": "Pacific/Kiritimati"})
    (site.root / "site").rename(site.root / "first")
    second = run_build(site, env={**os.environ, "PYTHONHASHSEED": "4242", "TZ": "America/Adak"})
    assert second == first


def test_a_failed_build_leaves_the_site_as_it_was(site):
    make_stories(site, count=2)
    good = run_build(site)
    site.write("content/stories/s0/index.en.md", story("s0 en", ["../gone/index.en.md"], "Changed."))
    result = site.run("build")
    assert result.returncode == 1
    assert "content/stories/s0/index.en.md:" in result.stderr and "no such page" in result.stderr
    assert snapshot(site.root / "site") == good


def test_a_failed_first_build_leaves_no_site_and_no_staged_pages(site):
    """A first build writes its pages into a staging folder while it renders them; when a problem is
    found after that (a broken link), neither the site nor the staged pages remain."""
    make_stories(site, count=30)  # enough pages for the worker processes, which stage their own
    site.write("content/stories/s29/index.ko.md", story("s29 ko", ["../gone/index.ko.md"], "Changed."))
    result = site.run("build")
    assert result.returncode == 1
    assert "content/stories/s29/index.ko.md:" in result.stderr and "no such page" in result.stderr
    assert not (site.root / "site").exists()
    assert sorted(path.name for path in site.root.iterdir() if path.name.startswith(".site")) == []

    site.write("content/stories/s29/index.ko.md", story("s29 ko", ["../s0/index.ko.md"]))
    assert run_build(site) == cold_build(site)
    # Beside the site, only its staging place, ready for the next build (write.py)
    assert sorted(path.name for path in site.root.iterdir() if path.name.startswith(".site")) == [".site.staging"]


def test_libyaml_and_pyyaml_read_front_matter_alike(monkeypatch):
    sources = ["title: No\nsummary: x\n", "title: x\n  bad: y\n", "title: [x\n",
               "title: x\nsummary: y\nweight: 1:20\nhero:\n  src: a.svg\n  alt: ''\n",
               "title: 'x'\nsummary: |\n  two\n  lines\nparams:\n  figures:\n    - value: 0.5\n",
               "title: &t x\nsummary: *t\n", "title: x\nsummary: y\nparams: {a: !!set {b}}\n",
               "title: x\nsummary: *y\n", "title: 'Tom & Jerry!'\nsummary: '*'\nweight: 012\n"]
    fast = [frontmatter.parse_front_matter(frontmatter.SplitSource(s, 2, "", 9), "p.md") for s in sources]
    monkeypatch.setattr(frontmatter, "_USE_LIBYAML", False)
    slow = [frontmatter.parse_front_matter(frontmatter.SplitSource(s, 2, "", 9), "p.md") for s in sources]
    assert fast == slow


@pytest.mark.parametrize("damage", ["garbage", "other code", "an entry of the wrong shape"])
def test_a_damaged_catalogue_cache_is_ignored(site, damage):
    """Compiled catalogues are kept in .cache/catalogues.bin; a damaged or foreign one is never used."""
    make_stories(site, count=2)
    first = run_build(site)
    cache = site.root / ".cache" / "catalogues.bin"
    header, checksum, payload = cache.read_bytes().split(b"\n", 2)
    wrong = marshal.dumps({key: ("not a catalogue", ()) for key in marshal.loads(payload)})
    cache.write_bytes({
        "garbage": os.urandom(200),
        "other code": b"smallsite-catalogues 0000\n" + checksum + b"\n" + payload,
        "an entry of the wrong shape": header + b"\n" + str(zlib.crc32(wrong)).encode() + b"\n" + wrong,
    }[damage])
    (site.root / "content/stories/s0/index.en.md").write_text(story("s0 en", [], "Changed."), encoding="utf-8")
    built = run_build(site)
    assert built == cold_build(site)
    assert built["ko/stories/s1/index.html"] == first["ko/stories/s1/index.html"]  # Korean strings as before
