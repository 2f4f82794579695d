"""Draw the campaign's story posters into content/posters/ (issue 16): one per story and language, from
our own illustrations, with the title in the language's own face. Run from the project folder after a
title or an illustration changes: .venv/bin/python tools/posters.py

The posters are sources like any photo: the build publishes them as renditions in the about pages'
gallery. They are drawn here, not at each build, because they are content an editor chooses to show."""

from __future__ import annotations

import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from smallsite.build.cards import CardText, plan_card  # noqa: E402
from smallsite.build.posters import draw_poster  # noqa: E402
from smallsite.model.config import load_config  # noqa: E402
from smallsite.model.frontmatter import parse_front_matter, split_source  # noqa: E402

STORIES = ("power-of-small", "kenya-hockey", "henry-pearce")
FOLDER = PROJECT / "content" / "posters"


def main() -> int:
    config = load_config(PROJECT)
    FOLDER.mkdir(exist_ok=True)
    for story in STORIES:
        for language in config.languages:
            source = PROJECT / "content" / "stories" / story / f"index.{language.code}.md"
            front, problems = parse_front_matter(split_source(source.read_text(encoding="utf-8")), str(source))
            if front is None:
                raise SystemExit("\n".join(str(p) for p in problems))
            planned = plan_card("", CardText(front.title, language.tag), CardText(language.title, language.tag),
                                "", str(source.parent / front.hero.src), "", (), str(source), front.title_line)
            if planned.card is None:
                raise SystemExit("\n".join(str(p) for p in planned.problems))
            target = FOLDER / f"{story}.{language.code}.jpg"
            target.write_bytes(draw_poster(planned.card))
            print(target.relative_to(PROJECT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
