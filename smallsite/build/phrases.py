"""Where a headline may break, as its language breaks it (issue 15).

Japanese and Chinese put no spaces between words, so a browser (or a card) left to itself breaks a title
between any two characters, often inside a word. BudouX finds the phrases a reader sees; a title breaks
only between them, on the pages (build time, no script) and on the share cards alike. Korean and the
languages written with spaces break at spaces, words kept whole: they need nothing from here."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import budoux

# BCP 47 tag (Language.tag) -> the name of BudouX's model for that writing. zh without a script is
# Simplified, as the site's zh is; a site may add Traditional as zh-Hant.
_PARSERS = {
    "ja": "load_default_japanese_parser",
    "zh": "load_default_simplified_chinese_parser",
    "zh-hant": "load_default_traditional_chinese_parser",
}


def _model(tag: str) -> str | None:
    """The name of BudouX's model for a language tag, or None for a language written with spaces."""
    language, *rest = tag.lower().split("-")
    if language != "zh":
        return _PARSERS.get(language)
    if rest and rest[0] in ("hant", "tw", "hk", "mo"):  # Traditional by script, or by where it is read
        return _PARSERS["zh-hant"]
    return _PARSERS["zh"]


@lru_cache(maxsize=None)
def _parser(tag: str) -> budoux.Parser | None:
    model = _model(tag)
    if model is None:
        return None
    import budoux  # only for a language that breaks by phrase

    return getattr(budoux, model)()


def breaks_by_phrase(tag: str) -> bool:
    """Is this language's text broken between phrases (ja, zh), not at spaces?"""
    return _model(tag) is not None


@lru_cache(maxsize=4096)  # a title is asked for by its page, its card and every page that lists it
def phrases(text: str, tag: str) -> tuple[str, ...]:
    """`text` as the phrases a line may break between: one piece for a language written with spaces."""
    parser = _parser(tag)
    if parser is None or not text:
        return (text,)
    found = parser.parse(text)
    return tuple(_joined_chinese(found) if tag.lower().startswith("zh") else found)


def _joined_chinese(found: list[str]) -> list[str]:
    """BudouX's Chinese model sometimes leaves one character alone (肯尼亚|冰|球队: 冰球 is ice hockey;
    国家|的|冰球). A lone structural particle stays with the word before it (a line never starts with
    的); another lone character goes with the phrase after it, or before it at the end."""
    joined: list[str] = []
    waiting = ""
    for phrase in found:
        if phrase in _CHINESE_PARTICLES and joined and not waiting:
            joined[-1] += phrase
            continue
        phrase = waiting + phrase
        waiting = ""
        if len(phrase) == 1 and unicodedata.category(phrase) == "Lo":
            waiting = phrase
            continue
        joined.append(phrase)
    if waiting:
        if joined:
            joined[-1] += waiting
        else:
            joined.append(waiting)
    return joined


_CHINESE_PARTICLES = {"的", "地", "得", "了", "着", "过", "们"}
