"""Split a page into YAML front matter and Markdown body, and check the front matter's fields."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

from .dates import DATE_FORMS, NoZone, read_date
from .problems import Problem


class _PyYAML:
    """PyYAML, imported when front matter is first parsed: a rebuild after a body edit parses none
    (content.read_page keeps front matter whose text is unchanged) and need not import it at all. Once
    imported, the module takes this stand-in's place."""

    def __getattr__(self, name: str) -> Any:
        global yaml
        import yaml as module

        yaml = module
        return getattr(module, name)


yaml: Any = _PyYAML()


def import_yaml() -> None:
    """Import PyYAML now: before forking the processes that read many sources, which would each import
    it for their first page otherwise."""
    getattr(yaml, "SafeLoader")


# YAML 1.1 reads these unquoted words as booleans: an editor who writes `title: No` gets `False`.
_YAML_BOOL_WORDS = {"y", "yes", "n", "no", "on", "off", "true", "false"}


@dataclass(frozen=True)
class Hero:
    """A page's illustration: file relative to the page, and its text alternative."""

    src: str
    alt: str
    line: int


@dataclass(frozen=True)
class FrontMatter:
    """The checked front matter of one page."""

    title: str
    summary: str
    date: dt.date | dt.datetime | None = None  # a datetime keeps the zone it was written in
    hero: Hero | None = None
    tags: tuple[str, ...] = ()
    weight: int = 0
    draft: bool = False
    slug: str | None = None
    video: str | None = None
    translated_from: str | None = None
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    title_line: int | None = None  # where the title is written: a share card's warning points at it


# field name -> (kind, required). Kinds are checked on the YAML node, so we see what the editor typed.
FIELDS: dict[str, tuple[str, bool]] = {
    "title": ("text", True),
    "summary": ("text", True),
    "date": ("date", False),
    "hero": ("hero", False),
    "tags": ("text list", False),
    "weight": ("whole number", False),
    "draft": ("true/false", False),
    "slug": ("text", False),
    "video": ("video id", False),
    "translated_from": ("text", False),
    "params": ("mapping", False),
}


@dataclass(frozen=True)
class SplitSource:
    """A source file's text cut in two, with the line the body starts on."""

    front: str | None
    front_line: int
    body: str
    body_line: int
    closed: bool = True  # False: the opening '---' has no closing one, and the whole file was taken as front


def split_source(text: str) -> SplitSource:
    """Cut `---` front matter from the body; a BOM and CRLF are treated like a clean file."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return SplitSource(None, 1, text, 1)
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            front = "\n".join(lines[1:index]) + "\n"
            return SplitSource(front, 2, "\n".join(lines[index + 1:]), index + 2)
    return SplitSource("\n".join(lines[1:]), 2, "", len(lines) + 1, closed=False)


def parse_front_matter(split: SplitSource, path: str) -> tuple[FrontMatter | None, list[Problem]]:
    """Read and check the front matter; problems carry the line in the source file."""
    if split.front is None:
        return None, [Problem(path, 1, "no front matter: a page starts with '---', then title and summary")]
    if not split.closed:  # else its text would all be taken as front matter, and the page left empty
        return None, [Problem(path, 1, "the front matter that starts here has no closing '---': "
                              "put a '---' line between the front matter and the page's text")]
    offset = split.front_line
    problems = []
    for number, line in enumerate(split.front.split("\n")):
        if line[: len(line) - len(line.lstrip(" \t"))].count("\t"):
            problems.append(Problem(path, offset + number, "a tab in the indentation: YAML needs spaces"))
    if problems:
        return None, problems
    try:
        node = _compose(split.front)
    except RefusedYAML as exc:
        return None, [Problem(path, offset + exc.line, exc.message)]
    except RecursionError:  # `x: [[[[...` a few thousand deep: the parser recurses per level
        return None, [Problem(path, offset, "front matter is nested too deeply (brackets inside brackets, "
                              "thousands deep): no field takes that")]
    except yaml.YAMLError as exc:
        problem_mark, context_mark = getattr(exc, "problem_mark", None), getattr(exc, "context_mark", None)
        reason = getattr(exc, "problem", None) or str(exc)
        # An unclosed quote or bracket is found only at the end; where it opened is what to fix.
        mark = context_mark if context_mark and "end of stream" in reason else problem_mark or context_mark
        if getattr(exc, "context", None):
            reason = f"{exc.context}: {reason}"
        line = offset + mark.line if mark else offset
        return None, [Problem(path, line, f"front matter is not valid YAML: {reason}")]
    if node is None:
        return None, [Problem(path, offset, "empty front matter: title and summary are required")]
    if not isinstance(node, yaml.MappingNode):
        return None, [Problem(path, offset, "front matter must be 'field: value' lines")]

    values: dict[str, Any] = {}
    seen: set[str] = set()
    for key_node, value_node in node.value:
        line = offset + key_node.start_mark.line
        if not isinstance(key_node, yaml.ScalarNode):  # `[a, b]: c` is YAML, but no field's name
            problems.append(Problem(path, line, "a field's name must be a word, like title"))
            continue
        key = key_node.value
        if key in seen:
            problems.append(Problem(path, line, f"'{key}' is set twice"))
            continue
        seen.add(key)
        if key not in FIELDS:
            known = ", ".join(FIELDS)
            problems.append(Problem(path, line, f"unknown field '{key}' (fields are: {known})"))
            continue
        kind = FIELDS[key][0]
        value, problem = _read_field(key, kind, value_node, line, offset, path)
        if problem:
            problems.append(problem)
        else:
            values[key] = value
            if key == "title":
                values["title_line"] = line
    for key, (kind, required) in FIELDS.items():
        if required and key not in seen:
            problems.append(Problem(path, offset, f"missing field '{key}' ({kind})"))
    if problems:
        return None, problems
    return FrontMatter(**values), []


_USE_LIBYAML = True  # off in the test that compares the two parsers


class RefusedYAML(Exception):
    """Valid YAML that front matter does not take: an anchor, an alias or a tag (`line` in the YAML)."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line, self.message = line, message


def _compose(text: str) -> yaml.Node | None:
    """The YAML node tree, by libyaml when it is installed (a C parser: issue 6); a text it refuses
    is parsed again by PyYAML's own parser, so error messages and lines are the same on every machine."""
    fast_loader = getattr(yaml, "CSafeLoader", None) if _USE_LIBYAML else None
    if fast_loader is not None:
        try:
            _refuse_anchors_and_tags(text, fast_loader)
            return yaml.compose(text, Loader=fast_loader)
        except yaml.YAMLError:
            pass
    _refuse_anchors_and_tags(text, yaml.SafeLoader)
    return yaml.compose(text, Loader=yaml.SafeLoader)


def _refuse_anchors_and_tags(text: str, loader: type) -> None:
    """Raise RefusedYAML at the first anchor, alias or tag, from the parser's events, before a node is made.
    Nine nested anchors of nine aliases each stand for 9^9 values ("billion laughs"): any editor's file
    could stop the build with them. Tags make values no field takes (!!binary, !!set) or that PyYAML
    cannot make at all (!!python/..., !custom). Front matter needs neither: the check costs nothing for
    the texts that cannot have them (no & * or !), the usual ones."""
    if "&" not in text and "*" not in text and "!" not in text:
        return
    for event in yaml.parse(text, Loader=loader):
        name = getattr(event, "anchor", None)
        if name is not None:
            sign = "*" if isinstance(event, yaml.AliasEvent) else "&"
            raise RefusedYAML(event.start_mark.line, f"YAML anchors and aliases ({sign}{name}) are not taken in "
                              f"front matter: write the value out in full, or quote the text if the {sign} is "
                              "part of it")
        tag = getattr(event, "tag", None)
        if tag is not None:
            shown = "!!" + tag[len(_YAML_TAG):] if tag.startswith(_YAML_TAG) else tag
            raise RefusedYAML(event.start_mark.line, f"YAML tags ({shown}) are not taken in front matter: write "
                              "the value plainly, and quote text YAML would read as something else, like \"123\"")


_YAML_TAG = "tag:yaml.org,2002:"


def _read_field(key: str, kind: str, node: yaml.Node, line: int, offset: int,
                path: str) -> tuple[Any, Problem | None]:
    """One field's value, checked on the YAML node; `line` is the line of its key."""
    raw = node.value if isinstance(node, yaml.ScalarNode) else None

    def wrong(expected: str) -> tuple[None, Problem]:
        return None, Problem(path, line, f"'{key}' must be {expected}{_trap_hint(node)}")

    if kind == "text":
        if not _is_text(node):
            return wrong("text")
        if not raw.strip():
            return wrong("text that is not empty")
        if key != "slug" and _CONTROL.search(raw):  # (a slug has its own rule) XML 1.0 has no way to write them: the feed would not parse at all
            return None, Problem(path, line, f"'{key}' holds a control character "
                                 f"({_CONTROL.search(raw).group()!r}), which no feed or page can carry: delete it")
        return raw, None
    if kind == "video id":
        if not _is_text(node):
            return wrong("a video id")
        if not re.fullmatch(r"[A-Za-z0-9_-]{6,64}", raw.strip()):
            return None, Problem(path, line, f"'video' must be the film's id alone (like dQw4w9WgXcQ), "
                                 f"not '{raw.strip()}': copy the part after 'v=' or after the last '/'")
        return raw.strip(), None
    if kind == "text list":
        if not isinstance(node, yaml.SequenceNode) or not all(_is_text(item) for item in node.value):
            bad = next((i for i in getattr(node, "value", []) if isinstance(i, yaml.Node) and not _is_text(i)),
                       node)
            hint = f" — for one, write [{raw.strip()}]" if _is_text(node) and raw.strip() else _trap_hint(bad)
            return None, Problem(path, offset + bad.start_mark.line,
                                 f"'{key}' must be a list of text, like [hockey, Kenya]{hint}")
        return tuple(item.value for item in node.value), None
    if kind == "whole number":
        return _read_whole_number(key, node, line, path)
    if kind == "true/false":
        if not (isinstance(node, yaml.ScalarNode) and raw in ("true", "false")):
            word = isinstance(node, yaml.ScalarNode) and not node.style and raw.lower() in _YAML_BOOL_WORDS
            hint = f" (not {raw}, which YAML 1.1 also reads as one)" if word else _empty_hint(node)
            return None, Problem(path, line, f"'{key}' must be true or false{hint}")
        return raw == "true", None
    if kind == "date":
        try:
            if isinstance(node, yaml.ScalarNode):
                return read_date(raw), None
        except NoZone:
            return None, Problem(path, line, f"'{key}' {raw.strip()} has a time but no zone: add it, like "
                                 f"{raw.strip()}+09:00 (or Z for UTC); the site has no zone of its own to assume")
        except ValueError:
            pass
        return None, Problem(path, line, f"'{key}' must be {DATE_FORMS}{_empty_hint(node)}")
    if kind == "hero":
        return _read_hero(node, line, offset, path)
    if kind == "mapping":
        if not isinstance(node, yaml.MappingNode):
            return None, Problem(path, line, f"'{key}' must be a mapping of 'name: value' lines{_empty_hint(node)}")
        try:
            return _freeze(yaml.SafeLoader("").construct_document(node)), None
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            # An unhashable key ({[a]: b}), a date that is no date (2018-02-30), a number of 5,000 digits.
            mark = getattr(exc, "problem_mark", None)
            reason = getattr(exc, "problem", None) or str(exc)
            return None, Problem(path, offset + mark.line if mark else line, f"'{key}' cannot be read: {reason}")
    raise AssertionError(kind)


# Weights order pages: plain digits, so that no YAML reading (octal 012, hex 0x1F, base 60 1:20) surprises.
_WHOLE_NUMBER = re.compile(r"[-+]?[0-9]+")
WEIGHT_LIMIT = 1_000_000_000


def _read_whole_number(key: str, node: yaml.Node, line: int, path: str) -> tuple[int | None, Problem | None]:
    raw = node.value.strip() if isinstance(node, yaml.ScalarNode) and not node.style else None
    if raw is None or not _WHOLE_NUMBER.fullmatch(raw):
        hint = f" — YAML reads {raw} as a number in base 60" if raw and node.tag.endswith(":int") and ":" in raw \
            else _empty_hint(node)
        return None, Problem(path, line, f"'{key}' must be a whole number in plain digits, like 10{hint}")
    digits = raw.lstrip("+-")
    if len(digits) > 1 and digits.startswith("0"):
        octal = f" (YAML 1.1 reads {raw} as the octal number {int(raw, 8)})" if node.tag.endswith(":int") else ""
        return None, Problem(path, line, f"'{key}' {raw} starts with a 0{octal}: write it without, "
                             f"like {raw[:len(raw) - len(digits)]}{digits.lstrip('0') or '0'}")
    if len(digits) > 10 or abs(int(raw)) > WEIGHT_LIMIT:
        return None, Problem(path, line, f"'{key}' must be between -{WEIGHT_LIMIT} and {WEIGHT_LIMIT}")
    return int(raw), None


def _read_hero(node: yaml.Node, line: int, offset: int, path: str) -> tuple[Hero | None, Problem | None]:
    if not isinstance(node, yaml.MappingNode) or not all(isinstance(k, yaml.ScalarNode) for k, _ in node.value):
        return None, Problem(path, line, "'hero' must be a mapping with 'src' and 'alt'")
    parts = {k.value: v for k, v in node.value}
    unknown = sorted(set(parts) - {"src", "alt"})
    if unknown:
        return None, Problem(path, line, f"unknown field 'hero.{unknown[0]}' (hero has src and alt)")
    for name in ("src", "alt"):
        if name not in parts:
            return None, Problem(path, line, f"'hero' needs '{name}'"
                                 + (": describe the picture for readers who cannot see it" if name == "alt" else ""))
        if not _is_text(parts[name]) or not parts[name].value.strip():
            return None, Problem(path, offset + parts[name].start_mark.line,
                                 f"'hero.{name}' must be text{_trap_hint(parts[name])}")
    return Hero(parts["src"].value, parts["alt"].value, line), None


# C0 control characters but tab, line feed and carriage return (as "\x1b" in YAML, or pasted).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _is_text(node: yaml.Node) -> bool:
    """Plain text, or a quoted scalar: YAML's own type guess must not have turned it into something else."""
    return isinstance(node, yaml.ScalarNode) and (node.style in ("'", '"', "|", ">")
                                                  or node.tag == "tag:yaml.org,2002:str")


def _trap_hint(node: yaml.Node) -> str:
    """Explain the YAML trap behind a wrong type, so the fix is obvious."""
    if not isinstance(node, yaml.ScalarNode) or node.style:
        return ""
    raw = node.value
    if raw.lower() in _YAML_BOOL_WORDS:
        return f" — YAML reads an unquoted {raw} as true/false; write \"{raw}\" in quotes"
    if node.tag == "tag:yaml.org,2002:int" and ":" in raw:
        return f" — YAML reads {raw} as a number (base 60); write \"{raw}\" in quotes"
    if node.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
        return f" — YAML reads {raw} as a number; write \"{raw}\" in quotes if it is text"
    if node.tag == "tag:yaml.org,2002:null":
        return " — the value is empty"
    if node.tag == "tag:yaml.org,2002:timestamp":
        return f" — YAML reads {raw} as a date; write \"{raw}\" in quotes if it is text"
    return ""


def _empty_hint(node: yaml.Node) -> str:
    """The one trap that explains a wrong value of any type (quoting would not make it a number or a date)."""
    return " — the value is empty" if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null") \
        and not node.style else ""


def _freeze(value: Any) -> Any:
    """Front matter is shared between stages: make nested params read-only."""
    if isinstance(value, dict):
        return MappingProxyType({str(k): _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value
