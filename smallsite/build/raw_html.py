"""Raw HTML written in Markdown, under the site's policy (site.toml `raw_html`; docs/raw-html.md).

Python-Markdown passes raw HTML through as written, so a `<script>`, an `onerror=` or an `<iframe>` from
another host would reach the page. It keeps each piece it takes as raw HTML in its htmlStash: a block, a
single inline tag or comment, or an element whose content is Markdown (`markdown="1"`). Only those
pieces are treated here, never the HTML made from Markdown (ours), so a page without raw HTML converts
as before. nh3 (the Ammonia sanitizer, which parses HTML as browsers do) decides what stays; what it
left out is found by comparing the tags and attributes written with those kept, and named with the
page's file and line (a warning: `--strict` fails on it).

- safe: tags for text and structure; attributes that can neither run nor load anything; links with a
  safe scheme; pictures from this site only (relative, this site's host, or data:image/);
- escape: every piece shown as text;
- trusted: as written.
Links and pictures written as Markdown, and attributes set with `{: ...}` (attr_list), can carry the
same attacks: outside `trusted` they are held to the same rules (`refused_url`, `RawHtmlGuard`)."""

from __future__ import annotations

import html
from functools import lru_cache
from html.parser import HTMLParser
from typing import Callable
from urllib.parse import urlsplit

import nh3

from ..model.config import RAW_HTML_MODES
from ..model.problems import WARNING, Problem

SAFE, ESCAPE, TRUSTED = RAW_HTML_MODES

KEPT_TAGS = frozenset(nh3.ALLOWED_TAGS | {"section"})
# Removed with their content, not only their tags: code, a frame's or a plug-in's fallback, or markup
# that would read as garbage once its tags are gone.
DROPPED_WITH_CONTENT = frozenset({
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "noscript", "noembed",
    "noframes", "template", "textarea", "select", "title", "head", "svg", "math", "audio", "video", "xmp"})
# Attributes that can neither run nor load anything; on every tag, then per tag (nh3's own list, and a few
# more of the same kind). No style (it can load from anywhere), no data-* (the site's scripts read some).
_GENERIC_ATTRIBUTES = {"id", "class", "lang", "dir", "title", "translate", "hidden", "role"}
_MORE_ATTRIBUTES = {"a": {"rel", "target"}, "img": {"loading", "decoding"}, "ol": {"reversed", "type"},
                    "li": {"value"}, "time": {"datetime"}, "data": {"value"}, "details": {"open"}}
KEPT_ATTRIBUTES = {tag: set(nh3.ALLOWED_ATTRIBUTES.get(tag, ())) | _MORE_ATTRIBUTES.get(tag, set())
                   for tag in set(nh3.ALLOWED_ATTRIBUTES) | set(_MORE_ATTRIBUTES)}
KEPT_ATTRIBUTES["*"] = _GENERIC_ATTRIBUTES
URL_SCHEMES = frozenset(nh3.ALLOWED_URL_SCHEMES)
# Attributes holding an address; those a browser fetches as the page opens, before the reader asks.
URL_ATTRIBUTES = frozenset({"href", "src", "cite", "action", "formaction", "poster", "data", "background",
                            "srcset", "longdesc", "ping", "xlink:href", "manifest", "codebase", "icon"})
LOADED_ATTRIBUTES = frozenset({"src", "srcset", "poster", "data", "background", "codebase", "icon"})
# A start tag alone is parsed where it may stand (a table cell only in a table's row).
_WHERE_ALLOWED = {"td": "<table><tr>", "th": "<table><tr>", "tr": "<table>", "tbody": "<table>",
                  "thead": "<table>", "tfoot": "<table>", "caption": "<table>", "colgroup": "<table>",
                  "col": "<table><colgroup>"}
_FILM = ("a film is written as 'video: ID' in the front matter (docs/content-format.md), "
         "and its player loads only when the reader presses play")
_WHY_TAG = {"iframe": _FILM, "embed": _FILM, "object": _FILM, "video": _FILM,
            "script": "scripts are not allowed", "base": "it would change where every link leads",
            "meta": "it could redirect the page", "form": "forms are not allowed"}


def refused_url(tag: str, attribute: str, value: str, host: str) -> str | None:
    """Why an address (entities already decoded) may not stand in this attribute, or None when it may:
    a scheme other than the safe ones, data: anywhere but a picture, or a picture from another host."""
    if attribute not in URL_ATTRIBUTES:
        return None
    # As browsers read it: tabs and line breaks inside, and control characters and spaces around, ignored.
    address = value.translate(_IGNORED_IN_URLS).strip(_AROUND_URLS)
    try:
        parts = urlsplit(address)
        scheme, other_host = parts.scheme.lower(), parts.hostname
    except ValueError:  # a malformed host: no address a browser would fetch either, but say so
        return "it is not a valid address"
    if scheme == "data":
        if tag == "img" and attribute == "src" and address[5:].lstrip().lower().startswith("image/"):
            return None
        return "'data:' addresses are allowed only as an <img>'s picture (data:image/...)"
    if scheme and scheme not in URL_SCHEMES:
        return f"'{scheme}:' addresses are not allowed"
    if attribute in LOADED_ATTRIBUTES and (scheme or address.startswith("//")) \
            and not (scheme in ("", "http", "https") and other_host == host):
        return (f"it would load from another host ({other_host or scheme + ':'}) as the page opens, before the "
                f"reader asks; put the file beside the page and write its name instead")
    return None


_IGNORED_IN_URLS = {9: None, 10: None, 13: None}
_AROUND_URLS = "".join(map(chr, range(0x21)))


@lru_cache(maxsize=8)  # one a site (its host decides which pictures are its own)
def _cleaner(host: str) -> nh3.Cleaner:
    def kept_value(tag: str, attribute: str, value: str) -> str | None:
        return None if refused_url(tag, attribute, value, host) else value

    return nh3.Cleaner(tags=set(KEPT_TAGS), clean_content_tags=set(DROPPED_WITH_CONTENT),
                       attributes=KEPT_ATTRIBUTES, generic_attribute_prefixes={"aria-"},
                       attribute_filter=kept_value, url_schemes=set(URL_SCHEMES) | {"data"},
                       strip_comments=False, link_rel=None)


class _Tags(HTMLParser):
    """The start tags of some HTML, in order: (name, attributes, line), and whether each is inside an
    element removed with its content (what is inside is not named again)."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]], int, bool]] = []
        self._dropping: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs, self.getpos()[0], bool(self._dropping)))
        if tag in DROPPED_WITH_CONTENT:
            self._dropping.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.found.append((tag, attrs, self.getpos()[0], bool(self._dropping)))

    def handle_endtag(self, tag):
        if self._dropping and self._dropping[-1] == tag:
            self._dropping.pop()


def start_tag(name: str, attributes) -> str:
    """A start tag written out: `<name a="v" b>`."""
    written = "".join(f" {key}" if value is None else f' {key}="{html.escape(value)}"' for key, value in attributes)
    return f"<{name}{written}>"


def kept_attributes(name: str, attributes, host: str) -> list[tuple[str, str]] | None:
    """The attributes nh3 keeps of a start tag, or None when it removes the tag."""
    if name not in KEPT_TAGS:
        return None
    cleaned = _cleaner(host).clean(_WHERE_ALLOWED.get(name, "") + start_tag(name, attributes))
    return next((attrs for tag, attrs, _, _ in _Tags(cleaned).found if tag == name), None)


# What was removed from a piece: (its line in the piece, counted from 1; the message).
Removals = list[tuple[int, str]]


def clean_piece(piece: str, host: str, note: str) -> tuple[str, Removals]:
    """A stashed piece of raw HTML as the safe policy keeps it, and what was removed. A tag alone (inline
    HTML: `<span class="x">` ... `</span>`) stays open or closing as written; anything else is a fragment."""
    if piece.startswith("</") and piece.count("<") == 1 and piece.endswith(">"):
        name = piece[2:-1].split()[0].lower() if piece[2:-1].split() else ""
        return (f"</{name}>" if name in KEPT_TAGS else ""), []
    if piece[1:2].isalpha() and piece.count("<") == 1 and piece.endswith(">"):
        found = _Tags(piece).found
        if len(found) == 1:
            name, attributes, line, _ = found[0]
            kept = kept_attributes(name, attributes, host)
            removals = _removed(name, attributes, kept, line, host, note)
            return ("" if kept is None else start_tag(name, kept)), removals
    cleaned = _cleaner(host).clean(piece)
    if cleaned == piece:
        return piece, []
    kept: dict[str, list] = {}
    for name, attributes, _, _ in _Tags(cleaned).found:
        kept.setdefault(name, []).append(attributes)
    removals: Removals = []
    seen: dict[str, int] = {}
    for name, attributes, line, inside in _Tags(piece).found:
        if inside:
            continue
        index = seen[name] = seen.get(name, -1) + 1  # the n-th <name> written is the n-th kept, if kept
        same = kept.get(name, [])
        removals += _removed(name, attributes, same[index] if index < len(same) else None, line, host, note)
    return cleaned, removals


def _removed(name: str, attributes, kept, line: int, host: str, note: str) -> Removals:
    if kept is None:
        if name in KEPT_TAGS:
            return [(line, f"raw HTML <{name}> removed: HTML does not allow it where it stands")]
        why = _WHY_TAG.get(name)
        return [(line, f"raw HTML <{name}> removed{note}" + (f": {why}" if why else ""))]
    names = {key for key, _ in kept}
    return [(line, f"raw HTML {_shown(key, value)} removed from <{name}>{note}: {_why_attribute(name, key, value, host)}")
            for key, value in attributes if key not in names]


def _why_attribute(tag: str, attribute: str, value: str | None, host: str) -> str:
    refused = refused_url(tag, attribute, value, host) if value is not None else None
    if refused:
        return refused
    if attribute.startswith("on"):
        return "event handlers run scripts"
    return f"not an attribute <{tag}> may have in raw HTML"


def _shown(attribute: str, value: str | None) -> str:
    return attribute if value is None else f'{attribute}="{_short(value)}"'


def _short(value: str) -> str:
    """A value as a message shows it: on one line, and not too long."""
    value = value.translate(_VISIBLE)
    return value if len(value) <= 60 else value[:57] + "..."


_VISIBLE = {9: "\\t", 10: "\\n", 13: "\\r"}


def mode_note(mode: str) -> str:
    return f' (site.toml raw_html = "{mode}")'


class RawHtmlGuard:
    """Applies a page's policy to the raw HTML Python-Markdown stashes while that page converts, and to
    the attributes attr_list sets. `page` gives the page's LinkContext (None: no page is converting, and
    Python-Markdown works as it comes). The hooks are required: without them raw HTML would pass."""

    def __init__(self, md, page: Callable[[], object]):
        self.md = md
        self.page = page
        self._places: dict[str, int] = {}  # a piece's text -> just after where it was last found
        self._places_of: object = None  # the page they were found in
        self._after_block = 0  # where the last block found ends
        blocks = md.preprocessors["html_block"]
        blocks.run = self._blocks(blocks.run)
        inline = md.inlinePatterns["html"]
        inline.handleMatch = self._inline(inline.handleMatch)
        if "attr_list" in md.treeprocessors:
            attr_list = md.treeprocessors["attr_list"]
            attr_list.assign_attrs = self._attributes(attr_list.assign_attrs)

    def _mode(self):
        context = self.page()
        return (context, context.raw_html) if context is not None else (None, TRUSTED)

    def _blocks(self, run):
        def run_under_policy(lines: list[str]) -> list[str]:
            context, mode = self._mode()
            if mode == ESCAPE:  # left as text: the inline pattern shows each tag as text
                return lines
            stash = self.md.htmlStash.rawHtmlBlocks
            first = len(stash)
            lines = run(lines)
            if mode == SAFE:
                for index in range(first, len(stash)):
                    written = stash[index]
                    kept = stash[index] = self._safe(context, written, block=True)
                    if kept != written and isinstance(kept, str) and not kept.strip():
                        # Else Python-Markdown writes an empty paragraph where the block was (Hugo leaves
                        # the same mark where it omits raw HTML).
                        stash[index] = REMOVED_BLOCK
            return lines

        return run_under_policy

    def _inline(self, handle_match):
        def handle_under_policy(match, data):
            found = handle_match(match, data)
            context, mode = self._mode()
            if mode != TRUSTED:
                stash = self.md.htmlStash.rawHtmlBlocks  # the tag just stashed is the last piece
                stash[-1] = html.escape(stash[-1], quote=False) if mode == ESCAPE else self._safe(context, stash[-1])
            return found

        return handle_under_policy

    def _attributes(self, assign_attrs):
        def assign_under_policy(element, text: str, *args, **kwargs):
            before = dict(element.attrib)
            remainder = assign_attrs(element, text, *args, **kwargs)
            context, mode = self._mode()
            if mode == TRUSTED or not isinstance(element.tag, str):
                return remainder
            assigned = [(key, value) for key, value in element.attrib.items() if before.get(key, _NONE) != value]
            if assigned:
                kept = kept_attributes(element.tag, assigned, context.site_host) or []
                names = {key for key, _ in kept}
                note = mode_note(mode)
                removals = []
                for key, value in assigned:
                    if key not in names:
                        removals.append((1, f"attribute {_shown(key, value)} set with {{: ...}} removed from "
                                            f"<{element.tag}>{note}: {_why_attribute(element.tag, key, value, context.site_host)}"))
                        if key in before:
                            element.set(key, before[key])
                        else:
                            del element.attrib[key]
                self._report(context, text, removals)
            return remainder

        return assign_under_policy

    def _safe(self, context, piece, block: bool = False):
        note = mode_note(SAFE)
        if isinstance(piece, str):
            if "<" not in piece:
                return piece
            cleaned, removals = clean_piece(piece, context.site_host, note)
            self._report(context, piece, removals, block)
            return cleaned
        removals: Removals = []
        written = f"<{piece.tag}"  # before a removed tag is renamed
        kept = _clean_element(piece, context.site_host, note, removals)
        self._report(context, written, removals, block=True)
        return piece if kept else REMOVED_BLOCK

    def _report(self, context, piece: str, removals: Removals, block: bool = False) -> None:
        if not removals:
            return
        page = context.page
        start = self._line_of(context, piece, block)
        for line, message in dict.fromkeys(removals):
            context.problems.append(Problem(page.shown, start + line - 1, message, WARNING))

    def _line_of(self, context, piece: str, block: bool) -> int:
        """The body line a piece starts on (Python-Markdown keeps no positions). The same piece written
        twice is found at its next place; blocks come in the page's order, so one is looked for after
        the last (md_in_html names its tags in lower case: <ScRiPt> is its <script>)."""
        if self._places_of is not context:
            self._places_of, self._places, self._after_block = context, {}, 0
        body, first = context.page.body, piece.split("\n", 1)[0]
        since = max(self._places.get(first, 0), self._after_block if block else 0)
        at = body.find(first, since)
        if at < 0:
            body, first = body.lower(), first.lower()
            at = body.find(first, since)
            if at < 0:
                at = body.find(first)
        if at < 0:
            return context.page.body_line
        self._places[first] = at + 1
        if block:
            self._after_block = at + len(first)
        return context.page.body_line + body.count("\n", 0, at)


def _clean_element(element, host: str, note: str, removals: Removals) -> bool:
    """An element md_in_html made of raw HTML (its content is Markdown, or raw HTML itself), checked tag
    by tag in place. False: remove it, with its content. A tag removed whose content stays becomes a
    <div> (Python-Markdown's tree has no tag-less elements)."""
    if not isinstance(element.tag, str):
        return True
    markdown_state = element.attrib.pop("markdown", None)
    attributes = list(element.attrib.items())
    kept = kept_attributes(element.tag, attributes, host)
    removals += _removed(element.tag, attributes, kept, 1, host, note)
    if kept is None and element.tag in DROPPED_WITH_CONTENT:
        return False
    element.attrib.clear()
    element.attrib.update(kept or ())
    if markdown_state is not None:
        element.set("markdown", markdown_state)
    if kept is None:
        element.tag = "div"
    before = None
    for child in list(element):
        if _clean_element(child, host, note, removals):
            before = child
            continue
        tail = child.tail or ""  # the text after it stays where it was
        if before is not None:
            before.tail = (before.tail or "") + tail
        else:
            element.text = (element.text or "") + tail
        element.remove(child)
    return True


_NONE = object()
REMOVED_BLOCK = "<!-- raw HTML removed -->"


def check_markdown_url(element, attribute: str, context) -> None:
    """A link's or a picture's address written in Markdown, held to the raw HTML rules unless the site
    trusts its editors: refused, it is removed (the link's text, or the picture's alt text, stays)."""
    value = element.get(attribute)
    reason = refused_url(element.tag, attribute, html.unescape(value), context.site_host)
    if reason:
        del element.attrib[attribute]
        kind = "link to" if element.tag == "a" else "picture"
        context.problems.append(Problem(context.page.shown, context.line_of(value),
                                        f"{kind} '{_short(value)}' removed{mode_note(context.raw_html)}: {reason}", WARNING))
