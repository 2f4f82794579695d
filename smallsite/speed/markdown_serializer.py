"""The accelerator's HTML serializer (speed/markdown_accelerator.py): Python-Markdown's bytes, with less
work per element. Built from its serializer module's private escaping functions, so only when those are
the ones it was written against."""

from __future__ import annotations

from typing import Callable


def html_serializer() -> Callable | None:
    """A serializer that writes what Python-Markdown's own HTML one writes, faster; None when that one is
    not the one this was written against (then Python-Markdown's own is used).

    Its own walks the tree with a queue of pending pieces and escapes every text through a function
    call, and a page's tree is written out more than once (its body, its table of contents, each
    heading for the toc). This one recurses, and escapes only text that has & < or >, with
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
