"""Our Python-Markdown set-up: the extensions editors expect, Unicode heading ids, links between pages."""

from __future__ import annotations

import bisect
import html
import os
import re
import unicodedata
from importlib import import_module
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit

import markdown
from markdown.extensions import Extension
from markdown import util
from markdown.extensions import toc
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from .assets import MediaFile, media_file, resolve_local
from ..model.content import SOURCE_NAME, Page
from ..model.names import encode_path, nfc
from ..model.problems import Problem
from .raw_html import TRUSTED, RawHtmlGuard, check_markdown_url

EXTENSIONS = ["tables", "footnotes", "attr_list", "fenced_code", "def_list", "abbr", "sane_lists", "md_in_html"]


def heading_id(text: str, separator: str) -> str:
    """A heading's anchor that keeps its letters in any script: '헨리 피어스' -> '헨리-피어스'.

    Python-Markdown's default drops every non-ASCII letter, so CJK headings would all be '_1', '_2'."""
    text = unicodedata.normalize("NFC", text).strip().lower()
    text = re.sub(r"[^\w\s-]", "", text)
    return re.sub(r"[\s_-]+", separator, text).strip(separator) or "section"


@dataclass
class LinkContext:
    """What resolving links in one page needs: where the page is, and the site's URLs for its language."""

    page: Page
    lang: str
    content_root: Path
    base_path: str
    url_paths: dict[str, str]  # page key -> url path in this language, percent-encoded (render.page_links)
    problems: list[Problem] = field(default_factory=list)
    media: list[MediaFile] = field(default_factory=list)
    # Every local file reference resolved, and what it became (its hashed output path, or None):
    # what a cached conversion must check again before it is reused (markdown_cache.py).
    file_lookups: list[tuple[str, str | None]] = field(default_factory=list)
    # How a local file is read and hashed: a build passes its memo (MarkdownCache.media_file), so a file
    # shown by many pages (every translation of a story shows its pictures) is read once.
    read_media: Callable[[Path], MediaFile] = media_file
    # The site's policy for raw HTML (site.toml raw_html) and its host (its own pictures may be absolute).
    raw_html: str = "safe"
    site_host: str = ""
    # Where line_of found the last target, and where the body's lines start: made at its first call.
    _found_at: int = field(default=0, repr=False)
    _line_starts: list[int] | None = field(default=None, repr=False)

    def line_of(self, reference: str) -> int:
        """The source line a link target is written on (Python-Markdown keeps no positions). Links are
        met in the order they are written, so the search goes on from the last one found (a link written
        twice gets both its lines), and from the top if that finds nothing. Searching the whole body anew
        for each made a page with thousands of broken links take minutes."""
        body = self.page.body
        found = body.find(reference, self._found_at)
        if found < 0:
            found = body.find(reference)
            if found < 0:
                return self.page.body_line
        self._found_at = found + 1
        if self._line_starts is None:
            self._line_starts = [match.end() for match in re.finditer("\n", body)]
        return self.page.body_line + bisect.bisect_right(self._line_starts, found)


@dataclass(frozen=True)
class RenderedMarkdown:
    """A page body as HTML, its table of contents, and the local files it uses."""

    html: str
    toc: str
    problems: tuple[Problem, ...]
    media: tuple[MediaFile, ...]


def render_markdown(context: LinkContext, converters: MarkdownConverters | None = None) -> RenderedMarkdown:
    """Convert a page body, with an instance from `converters` (reused) or a fresh one (none given)."""
    return (converters or MarkdownConverters()).convert(context)


class MarkdownConverters:
    """Markdown instances with our extensions, reused from page to page: making one (with all its
    extensions) costs about a sixth of converting a story. An instance keeps state between pages
    (footnotes, abbreviations, references, the toc), so each conversion starts with Python-Markdown's own
    `reset()`, the documented way to reuse one; an instance a conversion failed in is dropped, never
    reused (tests/test_markdown.py proves a page never shows another's footnotes or abbreviations). Each
    conversion borrows an instance of its own, so two threads (serve's builder and a page rendered on
    request) never share one; a forked worker process has its own copies."""

    def __init__(self) -> None:
        self._idle: list[tuple[markdown.Markdown, _LinkRewriter]] = []

    def make_ready(self) -> None:
        """Have an instance ready: worker processes forked after this inherit it instead of each making
        their own when its first page starts."""
        if not self._idle:
            self._idle.append(_new_converter())

    def convert(self, context: LinkContext) -> RenderedMarkdown:
        """The page body as HTML, its links resolved in `context` (which collects problems and media)."""
        try:
            converter, rewriter = self._idle.pop()  # atomic: no two threads get the same one
        except IndexError:
            converter, rewriter = _new_converter()
        converter.reset()
        rewriter.context = context
        html = converter.convert(context.page.body)
        toc = getattr(converter, "toc", "")
        rewriter.context = None
        self._idle.append((converter, rewriter))  # only after a conversion that finished
        return RenderedMarkdown(html, toc, tuple(context.problems), tuple(context.media))


def _new_converter() -> tuple[markdown.Markdown, _LinkRewriter]:
    """A Markdown instance with our extensions (accelerated on the releases that is known for)."""
    links = _SiteLinks()
    # Extensions made here, not named: for a name, Python-Markdown first reads every installed package's
    # entry points, which took longer than making the instance.
    made = [import_module(f"markdown.extensions.{name}").makeExtension() for name in EXTENSIONS]
    made.append(toc.makeExtension(slugify=heading_id, toc_depth="2-3"))
    converter = markdown.Markdown(extensions=[*made, links], output_format="html")
    RawHtmlGuard(converter, lambda: links.rewriter.context)  # before anything copies the processors' methods
    if accelerates(markdown.__version_info__):
        _accelerate(converter)
    return converter, links.rewriter


# The Python-Markdown releases the accelerator below was checked against (tests/test_markdown_patterns.py
# with each of them): it reaches into their private parts, so any other release is used as it comes
# (the same HTML, slower). Its private parts changed between minor releases (abbr's in 3.7).
ACCELERATED_RELEASES = ((3, 8, 1), (3, 12))  # from, up to (not included)


def accelerates(version_info: tuple) -> bool:
    """Whether the accelerator knows this Python-Markdown release (markdown.__version_info__)."""
    first, beyond = ACCELERATED_RELEASES
    return first <= tuple(version_info[:3]) < beyond and version_info[3:4] in ((), ("final",))


def _accelerate(converter: markdown.Markdown) -> None:
    """Put the faster parts below in the converter's own; it gives the same HTML."""
    inline = converter.treeprocessors["inline"] if "inline" in converter.treeprocessors else None
    if _PLACEHOLDER_CHARACTERS is not None and callable(getattr(inline, "_InlineProcessor__handleInline", None)):
        _TextPatterns(inline).install()
    _BlockChoice(converter.parser).install()
    # Just after normalize_whitespace (30), which can make the toc's marker (it drops STX and ETX).
    converter.preprocessors.register(_PageSwitches(converter), "smallsite_page_switches", 29)
    # Every extension is registered by now: the processors' order and the block-level tags are final.
    # (Only with the Registry this was written for: another Markdown 3.x is used as it comes.)
    if _REGISTRY_AS_KNOWN:
        converter.preprocessors = _SortedRegistry(converter.preprocessors)
        converter.parser.blockprocessors = _SortedRegistry(converter.parser.blockprocessors)
        converter.treeprocessors = _SortedRegistry(converter.treeprocessors)
        converter.postprocessors = _SortedRegistry(converter.postprocessors)
    converter.is_block_level = _remembered(converter.is_block_level)
    _skip_needless_preprocessing(converter)
    if _HTML_SERIALIZER is not None and converter.serializer is markdown.serializers.to_html_string:
        converter.serializer = _HTML_SERIALIZER


class _PageSwitches(Preprocessor):
    """Lets three tree processors pass over a page whose text cannot give them any work. This sees the
    page as normalize_whitespace left it, before anything is taken out of it, so every text that can
    reach the tree (and more) is here:
    - the toc looks for its marker ('[TOC]') only in a page that has it. Looking means joining the text
      of every element, for each element: a twentieth of converting a story. The marker is replaced
      only in a paragraph whose text is exactly the marker (an escaped or encoded bracket is still a
      placeholder when the toc runs);
    - attr_list reads `{: ...}` only in a page with a brace (an escaped or encoded one is a placeholder
      there too);
    - unescape restores the characters written with a backslash, which are the only ones that leave
      its placeholders (STX, digits, ETX), only in a page with a backslash (normalize_whitespace
      removed any STX and ETX the page had)."""

    def __init__(self, md: markdown.Markdown):
        super().__init__(md)
        self.toc = md.treeprocessors["toc"] if "toc" in md.treeprocessors else None
        self.marker = getattr(self.toc, "marker", None)
        self.needs: dict[str, str] = {}  # tree processor -> the character it needs in the page
        self.needed: dict[str, bool] = {}  # tree processor -> whether this page has it
        for name, kind, needs in (("attr_list", "AttrListTreeprocessor", "{"),
                                  ("unescape", "UnescapeTreeprocessor", "\\")):
            processor = md.treeprocessors[name] if name in md.treeprocessors else None
            if type(processor).__name__ == kind and type(processor).__module__.startswith("markdown."):
                self.needs[name], self.needed[name] = needs, True
                processor.run = self._switch(name, processor.run)

    def _switch(self, name: str, run: Callable) -> Callable:
        def run_when_needed(root):
            return run(root) if self.needed[name] else None  # None: the tree as it is

        return run_when_needed

    def run(self, lines: list[str]) -> list[str]:
        if isinstance(self.marker, str) and self.toc is not None:
            self.toc.marker = self.marker if self.marker and any(self.marker in line for line in lines) else ""
        if self.needs:
            text = "\n".join(lines)
            for name, needs in self.needs.items():
                self.needed[name] = needs in text
        return lines


_REGISTRY_AS_KNOWN = all(hasattr(util.Registry(), name) for name in ("_data", "_priority", "_sort"))


class _SortedRegistry(util.Registry):
    """A Python-Markdown registry that keeps its items in order as a list between changes.

    Python-Markdown's own one builds a new list each time it is iterated (for every block of a page)
    and re-checks its order on every item looked up by position (the inline processor does that for each
    pattern on each piece of text): together a tenth of converting a page. This one answers the same."""

    def __init__(self, items: util.Registry | None = None) -> None:
        super().__init__()
        if items is not None:
            items._sort()
            for name, priority in items._priority:
                super().register(items._data[name], name, priority)
        self._refresh()

    def _refresh(self) -> None:
        self._sort()
        self._items = [self._data[name] for name, _ in self._priority]

    def register(self, item, name: str, priority: float) -> None:
        super().register(item, name, priority)
        self._refresh()

    def deregister(self, name: str, strict: bool = True) -> None:
        super().deregister(name, strict)
        self._refresh()

    def __iter__(self):
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, key):
        if type(key) is int:
            return self._items[key]
        return super().__getitem__(key)


def _remembered(is_block_level: Callable[[object], bool]) -> Callable[[object], bool]:
    """Markdown.is_block_level, answering from memory: it looks each tag up in a list, and the serializer
    and the inline processor ask for every element of every page (the same few dozen tags)."""
    answers: dict[object, bool] = {}

    def remembered(tag: object) -> bool:
        try:
            return answers[tag]
        except KeyError:
            answers[tag] = answer = is_block_level(tag)
            return answer
        except TypeError:  # a tag that cannot be a key (not a string)
            return is_block_level(tag)

    return remembered


def _characters_of(needs: list[list[frozenset[str]]]) -> str:
    """Every character some processor needs (the only ones worth looking for in a text)."""
    return "".join(sorted(set().union(*(characters for each in needs for characters in each))))


def _present(characters: str, text: str) -> str:
    """Which of `characters` the text has: the key a choice of processors is remembered by."""
    return "".join([character for character in characters if character in text])


def _can_match(needs: list[frozenset[str]], present: str) -> bool:
    """Whether a text with `present` has one character of each set a processor needs."""
    return all(not characters.isdisjoint(present) for characters in needs)


class _TextPatterns:
    """Hands the inline processor, for each piece of text, only the inline patterns that text can match.

    The inline processor tries each of its 15 patterns on every piece of text (a paragraph, a link's
    text, what follows an emphasis), in turn; most pieces of prose have no ` \\ < & * _ [ or ^, so most
    patterns cannot match them, and trying them was a fifth of converting a page. Leaving them out is
    exact, whatever the text (tests/test_markdown_patterns.py):
    - a pattern is left out only when its regex, read by Python's own regex parser, cannot match without
      one of some characters (`needed_characters`), and no such character is in the text;
    - while the inline processor works on a piece of text, that text only gains placeholders for what
      patterns matched, made of STX, ETX, digits and a few letters (counted as always present, so a
      pattern needing those is never left out); a piece inside a match (a link's text) is handed over
      anew, from the pattern after the one that matched, as Python-Markdown does;
    - a pattern that matches nothing changes nothing (the next one starts at the text's beginning either
      way), so the inline processor's result is the same without it.

    It stands in for the processor's own (private) method that takes a piece of text, which calls it back
    for the pieces inside a match with a position in the list it was given: `positions` says which
    pattern of the whole list that is."""

    def __init__(self, inline: markdown.treeprocessors.InlineProcessor):
        self.inline = inline
        self.handle = inline._InlineProcessor__handleInline  # the processor's own, bound
        patterns = list(inline.inlinePatterns)
        self.needs = [needed_characters(pattern, _PLACEHOLDER_CHARACTERS) for pattern in patterns]
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


class _BlockChoice:
    """Steps each block of a page only through the block processors that can claim it.

    Python-Markdown tries its 17 block processors on every block in turn, until one claims it; most
    of them look for a character a paragraph of prose does not have (# > | : [ and so on), and trying
    them was a third of parsing the blocks. A processor is left out for a block only when `_block_needs`
    knows the regex it claims blocks with and the block has none of a set of characters every match of
    it contains: such a processor would not claim the block (a test that fails, or a run that puts the
    block back and says False), so the next one gets it, as here. The loop below is the parser's own
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


def _skip_needless_preprocessing(converter: markdown.Markdown) -> None:
    """Spares a page the preprocessors that would hand its lines back as they are.

    Three preprocessors each join a page's lines, work over the whole text and split it again: a tenth
    of converting a page of prose. For a text without what they look for, their result is known:
    - normalize_whitespace, with no STX, ETX, CR, tab, nor spaces before a line break or at the end:
      the lines, and the two empty ones of the blank lines it adds at the end;
    - fenced_code_block, with no ``` or ~~~: the lines as they are (it finds no fence);
    - html_block (md_in_html's), with no < or &: the lines as they are (its HTML parser finds no tag
      and no reference, so it passes the text through).
    Other texts go to the processor itself; exact classes only (tests/test_markdown_patterns.py)."""
    from markdown import preprocessors
    from markdown.extensions import fenced_code, md_in_html

    def has(*needs: str) -> Callable[[str], bool]:
        return lambda text: any(need in text for need in needs)

    plain_whitespace = has(util.STX, util.ETX, "\r", "\t", " \n")
    known = {
        "normalize_whitespace": (preprocessors.NormalizeWhitespace,
                                 lambda text: plain_whitespace(text) or text.endswith(" "),
                                 lambda lines, text: (text + "\n\n").split("\n")),
        "fenced_code_block": (fenced_code.FencedBlockPreprocessor, has("```", "~~~"), lambda lines, text: lines),
        "html_block": (md_in_html.HtmlBlockPreprocessor, has("<", "&"), lambda lines, text: lines),
    }
    for name, (kind, needed, otherwise) in known.items():
        processor = converter.preprocessors[name] if name in converter.preprocessors else None
        if type(processor) is kind:
            processor.run = _run_when_needed(processor.run, needed, otherwise)


def _run_when_needed(run: Callable[[list[str]], list[str]], needed: Callable[[str], bool],
                     otherwise: Callable[[list[str], str], list[str]]) -> Callable[[list[str]], list[str]]:
    def run_when_needed(lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        return run(lines) if needed(text) else otherwise(lines, text)

    return run_when_needed


def _html_serializer() -> Callable | None:
    """A serializer that writes what Python-Markdown's own HTML one writes, faster; None when that one is
    not the one this was written against (then Python-Markdown's own is used).

    Its own walks the tree with a queue of pending pieces and escapes every text through a function
    call; turning a page's tree into HTML (its body, its table of contents, each heading for the toc)
    was a tenth of converting it. This one recurses, and escapes only text that has & < or >, with
    Python-Markdown's own escaping functions. Same bytes (tests/test_markdown_patterns.py)."""
    from markdown import serializers
    from xml.etree.ElementTree import HTML_EMPTY, Comment, ProcessingInstruction, QName

    needed = ("_escape_cdata", "_escape_attrib", "_escape_attrib_html", "BOOLEAN_ATTRIBUTES", "_write_html")
    if not all(hasattr(serializers, name) for name in needed) or "html" not in serializers.BOOLEAN_ATTRIBUTES:
        return None
    escape_text, escape_attribute = serializers._escape_cdata, serializers._escape_attrib_html
    escape_namespace, boolean = serializers._escape_attrib, serializers.BOOLEAN_ATTRIBUTES["html"]
    raw_text, empty = {"script", "style"}, HTML_EMPTY

    def text_of(text: str) -> str:
        return escape_text(text) if ("&" in text or "<" in text or ">" in text) else text

    # Per tag: its opening without attributes, its closing ("" for an empty element), whether its text
    # is raw (script, style). Tags repeat: a page has a few dozen kinds.
    known: dict[str, tuple[str, str, bool]] = {}

    def about(tag: str) -> tuple[str, str, bool]:
        found = known.get(tag)
        if found is None:
            lowered = tag.lower()
            found = known[tag] = (f"<{tag}>", "" if lowered in empty else f"</{tag}>", lowered in raw_text)
        return found

    def element(write: Callable[[str], None], node) -> None:
        tag = node.tag
        if type(tag) is str:
            opening, closing, raw = about(tag)
            if node.attrib:
                write(f"<{tag}{attributes(node)}>")
            else:
                write(opening)
            text = node.text
            if text:
                write(text if raw else text_of(text))
            for child in node:
                element(write, child)
            if closing:
                write(closing)
        else:
            other(write, node)
        tail = node.tail
        if tail:
            write(text_of(tail))

    def attributes(node) -> str:
        written = []
        for name, value in sorted(node.items()):
            if isinstance(name, QName):
                name = name.text
            if isinstance(value, QName):
                value = value.text
            if value is None:
                written.append(f" {name}")
                continue
            value = escape_attribute(value)
            written.append(f" {value}" if name == value and name in boolean else f' {name}="{value}"')
        return "".join(written)

    def other(write: Callable[[str], None], node) -> None:
        """A comment, a processing instruction, a tag-less element or a namespaced one (not the tail)."""
        tag, text = node.tag, node.text
        if tag is Comment:
            write(f"<!--{escape_text(text)}-->")
        elif tag is ProcessingInstruction:
            write(f"<?{escape_text(text)}?>")
        elif tag is None:
            if text:
                write(text_of(text))
            for child in node:
                element(write, child)
        else:
            namespace = None
            if isinstance(tag, QName):
                if tag.text[:1] != "{":
                    raise ValueError("QName objects must define a tag.")
                namespace, tag = tag.text[1:].split("}", 1)
            write(f"<{tag}{attributes(node) if node.attrib else ''}")
            if namespace:
                write(f' xmlns="{escape_namespace(namespace)}"')
            write(">")
            lowered = tag.lower()
            if text:
                write(text if lowered in raw_text else text_of(text))
            for child in node:
                element(write, child)
            if lowered not in empty:
                write(f"</{tag}>")

    def to_html_string(root) -> str:
        pieces: list[str] = []
        element(pieces.append, root)
        return "".join(pieces)

    return to_html_string


_HTML_SERIALIZER = _html_serializer()


def _placeholder_characters() -> frozenset[str] | None:
    """Every character of the placeholders Python-Markdown puts into text (and digits, for their numbers);
    None if one is not where it was (then no pattern is ever left out)."""
    names = ("STX", "ETX", "INLINE_PLACEHOLDER_PREFIX", "INLINE_PLACEHOLDER", "HTML_PLACEHOLDER",
             "TAG_PLACEHOLDER", "AMP_SUBSTITUTE")
    if not all(isinstance(getattr(util, name, None), str) for name in names):
        return None
    return frozenset("0123456789" + "".join(getattr(util, name) for name in names))


_PLACEHOLDER_CHARACTERS = _placeholder_characters()


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


class _SiteLinks(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # After inline parsing (priority 20) and before the toc (5), so links are final.
        self.rewriter = _LinkRewriter(md)
        md.treeprocessors.register(self.rewriter, "smallsite_links", 15)


class _LinkRewriter(Treeprocessor):
    # The page being converted: set by MarkdownConverters.convert for each conversion.
    context: LinkContext | None = None

    def run(self, root):
        # The page's folder and the content root as strings, once a page (each link needs them).
        self._folder, self._root = os.fspath(self.context.page.folder), os.fspath(self.context.content_root)
        for element in root.iter():
            if element.tag == "a" and element.get("href"):
                self._link(element)
            elif element.tag == "img" and element.get("src"):
                self._image(element)

    def _link(self, element) -> None:
        href = element.get("href")
        # Only an address with a scheme (or an entity that may spell one) can be refused: javascript:.
        if (":" in href or "&" in href) and self.context.raw_html != TRUSTED:
            check_markdown_url(element, "href", self.context)
            if element.get("href") is None:
                return
        if util.AMP_SUBSTITUTE in href:  # an e-mail autolink: Python-Markdown writes its mailto: as entities
            href = html.unescape(href.replace(util.AMP_SUBSTITUTE, "&"))
        if _is_external(href) or href.startswith("#"):
            return
        parts = urlsplit(href)
        reference = unquote(parts.path)
        context = self.context
        if reference.endswith(".md"):
            key = page_key(reference, self._folder, self._root)
            url_path = context.url_paths.get(key) if key is not None else None
            if url_path is None:
                context.problems.append(Problem(context.page.shown, context.line_of(href),
                                                f"link to '{href}': no such page"))
                return
            element.set("href", context.base_path + url_path + (f"#{parts.fragment}" if parts.fragment else ""))
            return
        media = self._media(reference, href)
        if media:
            element.set("href", context.base_path + encode_path(media.output_path))

    def _image(self, element) -> None:
        src = element.get("src")
        if (":" in src or "&" in src or src.startswith("//")) and self.context.raw_html != TRUSTED:
            check_markdown_url(element, "src", self.context)  # another host's picture, or a script's address
            if element.get("src") is None:
                return
        if _is_external(src):
            return
        media = self._media(unquote(urlsplit(src).path), src)
        if media is None:
            return
        element.set("src", self.context.base_path + encode_path(media.output_path))
        if media.width and media.height and not element.get("width"):
            element.set("width", str(media.width))
            element.set("height", str(media.height))
        element.set("loading", "lazy")
        element.set("decoding", "async")

    def _media(self, reference: str, written: str) -> MediaFile | None:
        context = self.context
        path, problem = resolve_local(reference, self._folder, self._root, context.page.shown, None)
        if problem:  # its line found only now: finding it reads the whole page
            context.problems.append(replace(problem, line=context.line_of(written)))
            context.file_lookups.append((reference, None))
            return None
        media = context.read_media(path)
        context.media.append(media)
        context.file_lookups.append((reference, media.output_path))
        return media


@lru_cache(maxsize=4096)  # the same few links, from the same folders, on every page of a language
def page_key(reference: str, folder: str | Path, content_root: str | Path) -> str | None:
    """The key of the page a link to a Markdown file means: 'henry-pearce.md', '../x/index.ko.md',
    '/about.md' (from the content root). The language in the file name, if any, is ignored:
    links always lead to the same language as the page they are in. (Strings, not pathlib: this runs for
    every link of every page.)"""
    root = os.path.normpath(content_root)
    if reference.startswith("/"):
        target = os.path.normpath(os.path.join(root, reference.lstrip("/")))
    else:
        target = os.path.normpath(os.path.join(folder, reference))
    if not target.startswith(root + os.sep):
        return None
    # Keys are NFC (content.find_sources): a link finds its page whichever form it or the file is in.
    relative = nfc(target[len(root) + 1:].replace(os.sep, "/"))
    match = SOURCE_NAME.match(relative.rpartition("/")[2])
    stem = relative[: -len(f".{match['lang']}.md")] if match else relative[:-3]
    if stem == "index":
        return ""
    return stem[: -len("/index")] if stem.endswith("/index") else stem


def _is_external(url: str) -> bool:
    # Without a colon there is no scheme: urlsplit is not needed to say so (it is slow).
    return url.startswith("//") or (":" in url and bool(urlsplit(url).scheme))
