"""The Markdown accelerator: the same HTML as Python-Markdown as it comes, with less work per page.

Handed to MarkdownConverters (build/markdown.py) as its `accelerate` hook, it puts faster parts in place
of some of a Markdown instance's own. Those parts reach into Python-Markdown's private parts (the inline
processor's name-mangled text handler, Registry's fields, its serializer's escaping functions), which
change between minor releases without notice (abbr's did in 3.7; making an instance crashed on 3.5 and
3.6). So it runs only on the releases in ACCELERATED_RELEASES, which tests/test_markdown_patterns.py was
run with; on any other, the instance stays as it comes. Even on those, each part whose private parts
are not as expected is left out, and Python-Markdown's own is used. Either way the HTML is the same:
tests/test_markdown_patterns.py converts the same documents with and without the accelerator."""

from __future__ import annotations

from typing import Callable

import markdown
from markdown import util
from markdown.preprocessors import Preprocessor

from ..build.markdown import MarkdownConverters
from .markdown_patterns import BlockChoice, TextPatterns, placeholder_characters
from .markdown_serializer import html_serializer

# The Python-Markdown releases the accelerator was checked against (tests/test_markdown_patterns.py
# with each of them); any other is used as it comes.
ACCELERATED_RELEASES = ((3, 8, 1), (3, 12))  # from, up to (not included)

# What the parts below need of Python-Markdown's private parts, found (or not) once: a part whose
# needs are missing is left out, and Python-Markdown's own is used.
_REGISTRY_AS_KNOWN = all(hasattr(util.Registry(), name) for name in ("_data", "_priority", "_sort"))
_HTML_SERIALIZER = html_serializer()
_PLACEHOLDER_CHARACTERS = placeholder_characters()


def accelerated_converters() -> MarkdownConverters:
    """Markdown instances with our extensions, accelerated on the releases that is known for."""
    return MarkdownConverters(accelerate=accelerate)


def accelerates(version_info: tuple) -> bool:
    """Whether the accelerator knows this Python-Markdown release (markdown.__version_info__)."""
    first, beyond = ACCELERATED_RELEASES
    return first <= tuple(version_info[:3]) < beyond and version_info[3:4] in ((), ("final",))


def accelerate(converter: markdown.Markdown) -> None:
    """Put the faster parts in the converter's own (on a release the accelerator knows; else nothing)."""
    if not accelerates(markdown.__version_info__):
        return
    inline = converter.treeprocessors["inline"] if "inline" in converter.treeprocessors else None
    if _PLACEHOLDER_CHARACTERS is not None and callable(getattr(inline, "_InlineProcessor__handleInline", None)):
        TextPatterns(inline, _PLACEHOLDER_CHARACTERS).install()
    BlockChoice(converter.parser).install()
    # Just after normalize_whitespace (30), which can make the toc's marker (it drops STX and ETX).
    converter.preprocessors.register(_PageSwitches(converter), "smallsite_page_switches", 29)
    # Every extension is registered by now: the processors' order and the block-level tags are final.
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
    - the toc looks for its marker ('[TOC]') only in a page that has it (looking means joining the text
      of every element, for each element, whether or not the page has one). The marker is replaced
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


class _SortedRegistry(util.Registry):
    """A Python-Markdown registry that keeps its items in order as a list between changes.

    Python-Markdown's own one builds a new list each time it is iterated (for every block of a page)
    and re-checks its order on every item looked up by position (the inline processor does that for each
    pattern on each piece of text). This one answers the same."""

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


def _skip_needless_preprocessing(converter: markdown.Markdown) -> None:
    """Spares a page the preprocessors that would hand its lines back as they are.

    Three preprocessors each join a page's lines, work over the whole text and split it again, mostly
    to find nothing in prose. For a text without what they look for, their result is known:
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
