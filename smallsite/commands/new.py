"""`python build.py new story SLUG`: a new story in every language, its front matter ready."""

from __future__ import annotations

import argparse
import datetime as dt
import re

from .cli import report
from ..model.config import SiteConfig, load_config
from ..model.content import STORIES_SECTION, find_sources, read_page
from ..model.problems import BuildFailed, Problem
from ..model.project import CONTENT_DIR

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def add_command(commands) -> None:
    """Register `new`."""
    parser = commands.add_parser("new", help="start a new story in every language",
                                 description="Make content/stories/SLUG/index.<lang>.md for every language in "
                                 "site.toml. All are drafts; the translations say they wait for translation.")
    kinds = parser.add_subparsers(title="what", metavar="WHAT")
    story = kinds.add_parser("story", help="a new story", description="Start a story: "
                             "content/stories/SLUG/index.<lang>.md in every language, as drafts.")
    story.add_argument("slug", help="the story's address: lower-case letters, digits and hyphens (henry-pearce)")
    story.set_defaults(run=run_new_story)
    parser.set_defaults(run=lambda args: parser.print_help() or 2)


def run_new_story(args: argparse.Namespace) -> int:
    """`new story SLUG`: the story's file in every language, all drafts."""
    try:
        config = load_config(args.root)
    except BuildFailed as failed:
        report(failed.problems)
        return 1
    folder = config.root / CONTENT_DIR / STORIES_SECTION / args.slug
    shown = f"{CONTENT_DIR}/{STORIES_SECTION}/{args.slug}"
    if not SLUG.fullmatch(args.slug):
        report([Problem(shown, None, f"'{args.slug}' cannot be a story's address: use lower-case letters, "
                        "digits and hyphens, like henry-pearce")])
        return 1
    existing = sorted(folder.glob("*.md")) + sorted(folder.parent.glob(f"{args.slug}.*.md"))
    if existing:
        report([Problem(f"{shown}/", None, f"there is already a story '{args.slug}': nothing was written")])
        return 1
    folder.mkdir(parents=True)
    default = config.default_language
    weight = next_weight(config)
    today = dt.date.today().isoformat()
    for language in config.languages:
        path = folder / f"index.{language.code}.md"
        path.write_text(story_source(args.slug, language.code, config.default.name, default, today, weight),
                        encoding="utf-8")
        print(f"{shown}/{path.name}")
    print(f"next: write {shown}/index.{default}.md and delete its 'draft: true' line to publish it;\n"
          f"then each translation: translate it, delete 'draft: true', and run "
          f"python build.py i18n mark {shown}/index.LANG.md")
    return 0


def next_weight(config: SiteConfig) -> int:
    """One more than the heaviest story, so a new story goes to the end of the home page's list."""
    sources, _ = find_sources(config)
    weights = [0]
    for source in sources:
        if source.lang == config.default_language and source.key.startswith(STORIES_SECTION + "/"):
            page, _ = read_page(source, include_drafts=True)
            if page is not None:
                weights.append(page.front.weight)
    return max(weights) + 1


def story_source(slug: str, lang: str, default_name: str, default: str, date: str, weight: int) -> str:
    """A draft story whose front matter passes every check; translations say what they are waiting for."""
    title = slug.replace("-", " ").capitalize()
    if lang == default:
        note = ["# A new story. Write it, then delete the 'draft: true' line to publish it.",
                "# For an illustration: put hero.svg beside this file, then write",
                "# hero: {src: hero.svg, alt: what the picture shows}"]
    else:
        note = [f"# Waiting for translation from index.{default}.md. Translate it, delete the",
                "# 'draft: true' line, then run:",
                f"#   python build.py i18n mark content/{STORIES_SECTION}/{slug}/index.{lang}.md",
                f"# Until then, readers get the {default_name} text with a notice."]
    return "\n".join(["---", *note, f"title: \"{title}\"",
                      "summary: One or two sentences for the home page, feeds and search results.",
                      f"date: {date}", f"weight: {weight}", "draft: true", "---", "",
                      "The story starts here.", ""])
