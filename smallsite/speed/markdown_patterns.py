"""Which inline patterns and block processors a piece of text can trigger, read from their own regexes,
and the two parts of the accelerator (speed/markdown_accelerator.py) that hand each text only those.

Reads Python-Markdown's private parts (the inline processor's own text handler, the block parser's loop)
and Python's regex parser (`re._parser`): used only on the releases the accelerator allows, and tested
against Python-Markdown as it comes (tests/test_markdown_patterns.py)."""

from __future__ import annotations

import re
from typing import Callable

import markdown
from markdown import util


def placeholder_characters() -> frozenset[str] | None:
    """Every character of the placeholders Python-Markdown puts into text (and digits, for their numbers);
    None if one is not where it was (then the accelerator leaves the inline patterns alone)."""
    names = ("STX", "ETX", "INLINE_PLACEHOLDER_PREFIX", "INLINE_PLACEHOLDER", "HTML_PLACEHOLDER",
             "TAG_PLACEHOLDER", "AMP_SUBSTITUTE")
    if not all(isinstance(getattr(util, name, None), str) for name in names):
        return None
    return frozenset("0123456789" + "".join(getattr(util, name) for name in names))


def needed_characters(pattern, always: frozenset[str] = frozenset()) -> list[frozenset[str]]:
    """Sets of characters such that every match of an inline pattern contains one character of each,
    read from its regex; none for what cannot be told (a construct not understood here, case-insensitive
    matching), and none that shares a character with `always`."""
    try:
        regex = pattern.getCompiledRegExp()
    except Exception:  # noqa: BLE001 - a pattern this cannot read is simply never left out
        return []
    return regex_needs(regex, always)


def regex_needs(regex: re.Pattern, always: frozenset[str] = frozenset()) -> list[frozenset[str]]:
    """Sets of characters such that every match of `regex` contains one character of each (see above)."""
    try:
        from re import _constants, _parser  # Python's own regex parser: no second reading of regexes

        if regex.flags & re.IGNORECASE:
            return []
        found = _sequence_needs(_parser.parse(regex.pattern, regex.flags), _constants)
    except Exception:  # noqa: BLE001 - a regex this cannot read is simply never left out
        return []
    return [characters for characters in found if characters.isdisjoint(always)]


def _sequence_needs(items, op) -> list[frozenset[str]]:
    """For a parsed regex: sets of characters such that every match contains one character of each."""
    needs: list[frozenset[str]] = []
    for kind, value in items:
        if kind is op.LITERAL:
            needs.append(frozenset(chr(value)))
        elif kind is op.IN and value and all(member is op.LITERAL for member, _ in value):
            needs.append(frozenset(chr(code) for _, code in value))
        elif kind is op.SUBPATTERN and not value[1] & re.IGNORECASE:  # (group, flags set, flags unset, items)
            needs += _sequence_needs(value[3], op)
        elif kind is op.ATOMIC_GROUP:
            needs += _sequence_needs(value, op)
        elif kind in (op.MAX_REPEAT, op.MIN_REPEAT, op.POSSESSIVE_REPEAT) and value[0] >= 1:  # (min, max, items)
            needs += _sequence_needs(value[2], op)
        elif kind is op.ASSERT:  # a lookahead or lookbehind that must hold reads the same text
            needs += _sequence_needs(value[1], op)
        elif kind is op.BRANCH:  # each alternative needs one of a set of its own: together, one of them all
            alternatives = sorted((_sequence_needs(alternative, op) for alternative in value[1]), key=len)
            if all(alternatives):
                either: set[str] = set()
                for found in alternatives:
                    if not any(characters <= either for characters in found):
                        either |= min(found, key=len)
                needs.append(frozenset(either))
    return needs


def _characters_of(needs: list[list[frozenset[str]]]) -> str:
    """Every character some processor needs (the only ones worth looking for in a text)."""
    return "".join(sorted(set().union(*(characters for each in needs for characters in each))))


def _present(characters: str, text: str) -> str:
    """Which of `characters` the text has: the key a choice of processors is remembered by."""
    return "".join([character for character in characters if character in text])


def _can_match(needs: list[frozenset[str]], present: str) -> bool:
    """Whether a text with `present` has one character of each set a processor needs."""
    return all(not characters.isdisjoint(present) for characters in needs)


class TextPatterns:
    """Hands the inline processor, for each piece of text, only the inline patterns that text can match.

    The inline processor tries each of its patterns on every piece of text (a paragraph, a link's
    text, what follows an emphasis), in turn; most pieces of prose have no ` \\ < & * _ [ or ^, so most
    patterns cannot match them, and trying them is wasted work. Leaving them out is exact, whatever the
    text (tests/test_markdown_patterns.py):
    - a pattern is left out only when its regex, read by Python's own regex parser, cannot match without
      one of some characters (`needed_characters`), and no such character is in the text;
    - while the inline processor works on a piece of text, that text only gains placeholders for what
      patterns matched, made of STX, ETX, digits and a few letters (`always`: counted as present, so a
      pattern needing those is never left out); a piece inside a match (a link's text) is handed over
      anew, from the pattern after the one that matched, as Python-Markdown does;
    - a pattern that matches nothing changes nothing (the next one starts at the text's beginning either
      way), so the inline processor's result is the same without it.

    It stands in for the processor's own (private) method that takes a piece of text, which calls it back
    for the pieces inside a match with a position in the list it was given: `positions` says which
    pattern of the whole list that is."""

    def __init__(self, inline: markdown.treeprocessors.InlineProcessor, always: frozenset[str]):
        self.inline = inline
        self.handle = inline._InlineProcessor__handleInline  # the processor's own, bound
        patterns = list(inline.inlinePatterns)
        self.needs = [needed_characters(pattern, always) for pattern in patterns]
        self.characters = _characters_of(self.needs)
        self.patterns = _Patterns(patterns, range(len(patterns)))
        self.chosen: dict[tuple[str, int], _Patterns] = {}

    def install(self) -> None:
        self.inline.inlinePatterns = self.patterns
        self.inline._InlineProcessor__handleInline = self

    def __call__(self, data: str, patternIndex: int = 0) -> str:
        inline = self.inline
        given = inline.inlinePatterns  # what `patternIndex` counts in (the caller's list)
        first = given.positions[patternIndex] if patternIndex < len(given) else len(self.patterns)
        present = _present(self.characters, data)
        chosen = self.chosen.get((present, first))
        if chosen is None:
            kept = [position for position in range(first, len(self.patterns))
                    if _can_match(self.needs[position], present)]
            chosen = self.chosen[(present, first)] = _Patterns([self.patterns[p] for p in kept], kept)
        inline.inlinePatterns = chosen
        try:
            return self.handle(data, 0)
        finally:
            inline.inlinePatterns = given


class _Patterns(list):
    """Inline patterns in order, and the position of each in the whole list."""

    def __init__(self, patterns: list, positions) -> None:
        super().__init__(patterns)
        self.positions = tuple(positions)


def _block_needs() -> dict[type, Callable[[object], list[frozenset[str]]]]:
    """For the block processors whose test (or run, when its test always passes) claims a block only
    when one regex of theirs matches in it: how to read that regex's needed characters. A table needs a
    pipe in its first row. Exact classes only: a subclass may claim blocks in its own way."""
    from markdown import blockprocessors as core
    from markdown.extensions import abbr, def_list, footnotes, sane_lists, tables

    def regex(name: str) -> Callable[[object], list[frozenset[str]]]:
        return lambda processor: regex_needs(getattr(processor, name))

    return {core.BlockQuoteProcessor: regex("RE"), core.OListProcessor: regex("RE"),
            core.UListProcessor: regex("RE"), sane_lists.SaneOListProcessor: regex("RE"),
            sane_lists.SaneUListProcessor: regex("RE"), core.HashHeaderProcessor: regex("RE"),
            core.SetextHeaderProcessor: regex("RE"), core.HRProcessor: regex("SEARCH_RE"),
            core.ReferenceProcessor: regex("RE"), footnotes.FootnoteBlockProcessor: regex("RE"),
            abbr.AbbrBlockprocessor: regex("RE"), def_list.DefListProcessor: regex("RE"),
            tables.TableProcessor: lambda processor: [frozenset("|")]}


class BlockChoice:
    """Steps each block of a page only through the block processors that can claim it.

    Python-Markdown tries its block processors on every block in turn, until one claims it; most of
    them look for a character a paragraph of prose does not have (# > | : [ and so on), so trying them
    is wasted work. A processor is left out for a block only when `_block_needs` knows the regex it
    claims blocks with and the block has none of a set of characters every match of it contains: such
    a processor would not claim the block (a test that fails, or a run that puts the block back and says
    False), so the next one gets it, as here. The loop below is the parser's own
    (`BlockParser.parseBlocks`), over the processors chosen; should a processor that declines change the
    block, the rest are all tried. Same HTML, tested as for the inline patterns."""

    def __init__(self, parser) -> None:
        self.parser = parser
        self.processors = list(parser.blockprocessors)
        known = _block_needs()
        self.needs = [known[type(processor)](processor) if type(processor) in known else []
                      for processor in self.processors]
        self.characters = _characters_of(self.needs)
        self.chosen: dict[str, tuple] = {}

    def install(self) -> None:
        self.parser.parseBlocks = self.parse_blocks

    def parse_blocks(self, parent, blocks: list[str]) -> None:
        processors = self.processors
        while blocks:
            block = blocks[0]
            present = _present(self.characters, block)
            chosen = self.chosen.get(present)
            if chosen is None:
                chosen = self.chosen[present] = tuple(processor for processor, needs in zip(processors, self.needs)
                                                      if _can_match(needs, present))
            for processor in chosen:
                if processor.test(parent, blocks[0]):
                    if processor.run(parent, blocks) is not False:
                        break
                    if not blocks or blocks[0] != block:  # (no processor does this today)
                        self._rest(parent, blocks, processors[processors.index(processor) + 1:])
                        break

    @staticmethod
    def _rest(parent, blocks: list[str], processors: list) -> None:
        """The parser's loop for the block now first, over `processors` (after one that changed it)."""
        for processor in processors:
            if blocks and processor.test(parent, blocks[0]):
                if processor.run(parent, blocks) is not False:
                    break
