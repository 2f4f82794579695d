"""Where a headline may break, as its language breaks it (issue 15).

Japanese and Chinese put no spaces between words, so a browser (or a card) left to itself breaks a title
between any two characters, often inside a word. BudouX finds the phrases a reader sees; a title breaks
only between them, on the pages (build time, no script) and on the share cards alike. Korean and the
languages written with spaces break at spaces, words kept whole: they need nothing from here."""

from __future__ import annotations

from functools import lru_cache

import budoux

# BCP 47 tag (Language.tag) -> the BudouX model for that writing. zh without a script is Simplified, as
# the site's zh is; a site may add Traditional as zh-Hant.
_PARSERS = {
    "ja": budoux.load_default_japanese_parser,
    "zh": budoux.load_default_simplified_chinese_parser,
    "zh-hant": budoux.load_default_traditional_chinese_parser,
}


@lru_cache(maxsize=None)
def _parser(tag: str) -> budoux.Parser | None:
    language, *rest = tag.lower().split("-")
    if language != "zh":
        make = _PARSERS.get(language)
    elif rest and rest[0] in ("hant", "tw", "hk", "mo"):  # Traditional by script, or by where it is read
        make = _PARSERS["zh-hant"]
    else:
        make = _PARSERS["zh"]
    return make() if make else None


def breaks_by_phrase(tag: str) -> bool:
    """Is this language's text broken between phrases (ja, zh), not at spaces?"""
    return _parser(tag) is not None


@lru_cache(maxsize=4096)  # a title is asked for by its page, its card and every page that lists it
def phrases(text: str, tag: str) -> tuple[str, ...]:
    """`text` as the phrases a line may break between: one piece for a language written with spaces."""
    parser = _parser(tag)
    if parser is None or not text:
        return (text,)
    return tuple(parser.parse(text))
