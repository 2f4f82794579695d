"""Japanese and Chinese headlines in headless Chromium at phone widths (issue 15): where the browser really
broke each heading's lines, and that every break falls between two of the title's phrases (as BudouX finds
them) or at a space, inside a phrase only when the phrase alone is wider than the line, and that no heading
is wider than its box. The real campaign site, plus stories with long titles in Japanese and in Chinese, so
that headings certainly wrap; each is shown in the other sections too, as a fallback, so a title in Chinese
on a Japanese page (and the reverse) is checked by its own language's phrases."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from browser import browser, static_server  # noqa: F401 - fixture
from conftest import PROJECT, SiteMaker, page
from smallsite.build.phrases import phrases
from site_pages import html_pages

WIDTHS = (320, 390)
HEADLINES = ".page-header h1, .motto, .card__title, .site-title span, .site-footer__motto"
# Stories written in one language only, by folder: (language, title). The last has a phrase wider than
# a phone's line, which must still break, inside itself, rather than stick out; every other title's
# phrases fit a line (the campaign's too: the stylesheet sizes ja and zh headings for it).
LONG_TITLES = {
    "long-ja": ("ja", "小さな国から来た選手たちが平昌の雪と氷の上で見せてくれた大きな勇気と友情の物語"),
    "long-zh": ("zh", "来自赤道国家的冰球运动员在平昌冬奥会的赛场上实现了一个伟大的梦想"),
    "long-word-ja": ("ja", "小さなチームのアンダードッグストーリーズコレクションを読む"),
}

# For each headline written in ja or zh: its language, its content box, and each character's first box on
# screen (none for a space the line swallowed).
MEASURE = """(selector) => [...document.querySelectorAll(selector)].flatMap(element => {
  const lang = (element.closest('[lang]')?.lang || '').toLowerCase();
  if (!/^(ja|zh)\\b/.test(lang)) return [];
  const style = getComputedStyle(element);
  const box = element.getBoundingClientRect();
  const left = box.left + parseFloat(style.borderLeftWidth) + parseFloat(style.paddingLeft);
  const right = box.right - parseFloat(style.borderRightWidth) - parseFloat(style.paddingRight);
  const characters = [];
  const range = document.createRange();
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    let start = 0;
    for (const character of node.data) {  // by code point, as Python counts
      range.setStart(node, start);
      range.setEnd(node, start += character.length);
      const rect = [...range.getClientRects()].find(r => r.width > 0);
      characters.push({text: character,
                       rect: rect ? {top: rect.top, height: rect.height, left: rect.left, right: rect.right} : null});
    }
  }
  return [{lang, left, right, name: element.className ? '.' + element.className.split(' ')[0] : element.localName,
           characters}];
})"""


def build_headline_site(root: Path) -> Path:
    """The real project, with the stories of LONG_TITLES."""
    files = {f"content/stories/{folder}/index.{code}.md": page(title, "Text.", date="2018-01-01")
             for folder, (code, title) in LONG_TITLES.items()}
    maker = SiteMaker(root)
    maker.make(files, site_toml=(PROJECT / "site.toml").read_text(encoding="utf-8"), real_content=True)
    result = maker.run("build")
    assert result.returncode == 0, result.stdout + result.stderr
    return root / "site"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    out = build_headline_site(tmp_path_factory.mktemp("headlines") / "project")
    with static_server(out) as url:
        yield out, url


def lines_of(headline: dict) -> list[list[int]]:
    """The indexes of the headline's visible characters, line by line, as the browser laid them out."""
    lines: list[list[int]] = []
    previous = None
    for index, character in enumerate(headline["characters"]):
        rect = character["rect"]
        if rect is None:
            continue
        # Below the previous character's middle: a new line (glyphs of two fonts on one line differ a little).
        if previous is None or rect["top"] > previous["top"] + previous["height"] / 2:
            lines.append([])
        lines[-1].append(index)
        previous = rect
    return lines


def phrase_numbers(headline: dict) -> list[int]:
    """Each character's phrase, as BudouX finds them in the text (not as the page marks them: that is what
    is tested); whitespace stands apart, as a line may break at a space."""
    text = "".join(character["text"] for character in headline["characters"])
    starts = set(itertools.accumulate(len(piece) for piece in phrases(text, headline["lang"])))
    numbers, number = [], 0
    for index, character in enumerate(text):
        if index and (index in starts or character.isspace() or text[index - 1].isspace()):
            number += 1
        numbers.append(number)
    return numbers


def wrong_breaks(headline: dict, may_break_long_phrases: bool) -> list[str]:
    """Each line break inside a phrase (one that would fit on a line by itself, if so allowed), and the
    characters outside the headline's box, described for a person to read."""
    characters, phrase = headline["characters"], phrase_numbers(headline)
    width = headline["right"] - headline["left"]
    wrong = []
    for line in lines_of(headline)[1:]:
        first = line[0]
        before = max(i for i in range(first) if characters[i]["rect"] is not None)
        if phrase[before] != phrase[first]:
            continue
        members = [c for c, p in zip(characters, phrase) if p == phrase[first] and c["rect"]]
        phrase_width = sum(c["rect"]["right"] - c["rect"]["left"] for c in members)
        if phrase_width <= width or not may_break_long_phrases:
            text = "".join(c["text"] for c in characters)
            wrong.append(f"broke inside a phrase: {text[:first]}|{text[first:]}"
                         f" ({phrase_width:.0f} px phrase, {width:.0f} px line)")
    outside = [c["text"] for c in characters
               if c["rect"] and (c["rect"]["right"] > headline["right"] + 1 or c["rect"]["left"] < headline["left"] - 1)]
    if outside:
        wrong.append(f"{''.join(outside)} sticks out of the headline's box")
    return wrong


@pytest.mark.parametrize("width", WIDTHS)
def test_ja_and_zh_headlines_break_only_between_phrases(served, browser, width):
    out, url = served
    context = browser.new_context(viewport={"width": width, "height": 800})
    tab = context.new_page()
    wrong, wrapped, measured = [], {"ja": 0, "zh": 0}, 0
    for address in html_pages(out):
        if address == "":  # the root chooser moves on to a language at once (test_browser_chooser.py)
            continue
        tab.goto(f"{url}/{address}", wait_until="load")
        for headline in tab.evaluate(MEASURE, HEADLINES):
            measured += 1
            lines = lines_of(headline)
            if len(lines) > 1:
                wrapped[headline["lang"][:2]] += 1
            # Only the title made to be too long may break inside a phrase: the campaign's own all fit.
            long_word = "".join(c["text"] for c in headline["characters"]) == LONG_TITLES["long-word-ja"][1]
            wrong += [f"{address} {headline['name']} ({headline['lang']}): {problem}"
                      for problem in wrong_breaks(headline, may_break_long_phrases=long_word)]
        scroll = tab.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            wrong.append(f"{address}: the page is {scroll} px wide")
    context.close()
    assert wrong == [], "\n".join(wrong)
    # The check saw headlines that wrapped, in both languages: it could have failed.
    assert measured >= 2 * 5 * 4 and all(count >= 3 for count in wrapped.values()), (measured, wrapped)

