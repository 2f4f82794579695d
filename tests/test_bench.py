"""The benchmark cannot rot: its corpus is deterministic and real, and the runner measures both generators."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import PROJECT

sys.path.insert(0, str(PROJECT / "bench"))
from corpus import count_words, write_corpus  # noqa: E402


def test_corpus_is_deterministic_four_language_text(tmp_path):
    first = write_corpus(tmp_path / "a", 3, PROJECT)
    second = write_corpus(tmp_path / "b", 3, PROJECT)
    files = sorted(p.relative_to(first) for p in (first / "content").rglob("*") if p.is_file())
    assert len(files) == 3 * 5 + 4  # each story in four languages with its image, and four home pages
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)
    story = first / "content" / "stories" / "story-00001"
    scripts = {"ko": "[가-힣]", "ja": "[ぁ-んァ-ン]", "zh": "[一-龥]"}
    for lang in ("en", "ko", "ja", "zh"):
        text = (story / f"index.{lang}.md").read_text(encoding="utf-8")
        assert 600 <= count_words(text, lang) <= 1500
        assert "](../story-0000" in text and "![" in text and "\n> " in text and "\n## " in text
        if lang in scripts:
            assert len(re.findall(scripts[lang], text)) > 500


def test_runner_measures_smallsite_and_hugo(tmp_path):
    result = subprocess.run([sys.executable, str(PROJECT / "bench" / "run.py"), "--stories", "3", "--runs", "1",
                             "--serve-trials", "1", "--work", str(tmp_path)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr + result.stdout
    rows = {line.split(" | ")[1]: line for line in result.stdout.splitlines() if line.startswith("| 12 |")}
    assert set(rows) == {"smallsite", "smallsite, share_cards = false", "Hugo"}
    assert "| 22 |" in rows["smallsite"]  # 12 stories, 4 home pages, the chooser and five 404 pages
    # What the share cards cost: the chooser's and one for each of the 16 indexable pages (issue 15).
    assert re.search(r"^12 pages: 17 share cards, -?\d+\.\d ms of CPU time each", result.stdout, re.M)
    assert re.search(r"\| \d+\.\d\d s \(\d+\.\d\d ×\) \|", rows["smallsite"])
    assert re.search(r"\| \d+ ms \(1\.00 ×\) \|", rows["Hugo"])  # hugo server's save-to-served time
    assert re.search(r"\| \d+ MB \(\d+\.\d\d ×\) \|", rows["smallsite"])  # peak memory, from its own build
    assert "Measured on" in result.stdout


def test_runner_measures_a_baseline_checkout_in_the_same_run(tmp_path):
    """Before/after a change: `--baseline` adds another checkout's smallsite, interleaved, with its ratios."""
    result = subprocess.run([sys.executable, str(PROJECT / "bench" / "run.py"), "--stories", "2", "--runs", "1",
                             "--serve-trials", "1", "--work", str(tmp_path), "--baseline", str(PROJECT)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr + result.stdout
    rows = {line.split(" | ")[1]: line for line in result.stdout.splitlines() if line.startswith("| 8 |")}
    assert set(rows) == {"smallsite", "smallsite (baseline)", "smallsite, share_cards = false", "Hugo"}
    assert "| 18 |" in rows["smallsite (baseline)"]
    assert re.search(r"\| \d+\.\d\d s \(\d+\.\d\d ×\) \|", rows["smallsite (baseline)"])


def test_runner_measures_the_photo_case(tmp_path):
    """Issue 16: a story with photos, cold, warm (site folder gone, memo kept) and with one photo replaced."""
    result = subprocess.run([sys.executable, str(PROJECT / "bench" / "run.py"), "--stories", "1", "--runs", "1",
                             "--serve-trials", "1", "--work", str(tmp_path), "--no-hugo", "--photos", "5",
                             "--photo-size", "640x480"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "| photo case: one story with 5 photos of 0.3 MP (640×480) | cold build |" in result.stdout
    assert re.search(r"^\| smallsite \| \d+\.\d\d s \| \d+\.\d\d s \| \d+\.\d\d s \|$", result.stdout, re.M)
    photos = tmp_path / "photos"
    assert len(list((photos / "site" / "media").glob("photo-05.*"))) == 4  # 480 and 640, WebP and JPEG
