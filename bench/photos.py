"""The benchmark's photo case (issue 16): one story with ten phone-sized photos, built cold, warm (the
site folder gone, the memo kept) and after one photo is replaced. smallsite alone: the Hugo site of the
corpus has no image processing to compare with."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from corpus import LANGUAGES, write_corpus


def photo(width: int, height: int, seed: int) -> bytes:
    """A deterministic photo-like JPEG: a gradient with grain (pure noise would be a worst case)."""
    from PIL import Image, ImageChops

    gradient = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    tint = Image.new("RGB", (width, height), ((seed * 53) % 256, (seed * 97) % 256, (seed * 151) % 256))
    grain = Image.effect_noise((width, height), 24).convert("RGB")
    picture = ImageChops.add(ImageChops.multiply(gradient, tint), grain, scale=1.6)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90)
    return out.getvalue()


def write_photo_story(root: Path, count: int, size: tuple[int, int], project: Path) -> Path:
    """A project with the corpus's templates and home pages, and one story showing `count` photos."""
    write_corpus(root, 0, project)
    folder = root / "content" / "stories" / "photos"
    folder.mkdir(parents=True)
    names = [f"photo-{number:02d}.jpg" for number in range(1, count + 1)]
    for number, name in enumerate(names, 1):
        (folder / name).write_bytes(photo(*size, seed=number))
    body = "\n\n".join(f"![Photo {number} of the rink]({name})" for number, name in enumerate(names, 1))
    for lang in LANGUAGES:
        (folder / f"index.{lang}.md").write_text(
            f"---\ntitle: Photos\nsummary: Ten photos\ndate: 2018-02-02\n---\n\n{body}\n", encoding="utf-8")
    return root


def replace_photo(root: Path, size: tuple[int, int], run: int) -> None:
    (root / "content" / "stories" / "photos" / "photo-05.jpg").write_bytes(photo(*size, seed=100 + run))


def clean_site(root: Path) -> None:
    for name in ("site", ".site.staging", ".site.old"):
        shutil.rmtree(root / name, ignore_errors=True)
