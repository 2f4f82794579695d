"""The gettext PO grammar, checked line by line before Babel reads a catalogue.

Babel's read_po is lenient: it reads a string with no closing quote as if the last character were one,
keeps the last of two entries with the same msgid, skips unknown escapes, takes msgstr[0] for a plain
msgstr, and stops at other defects with no line number (or one counted from 0). So every line is checked
here first, each defect an error with its line, and Babel reads only a catalogue that passed: what it
reads is then what the translator wrote. The checks follow GNU msgfmt --check, and refuse a few things it
accepts that Babel would misread (octal and hex escapes, two strings on one line, a tab after a keyword,
flags not separated by commas). The header is checked in po_header.py.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

from .po_header import check_header
from ..model.problems import Problem

# Babel's reader turns exactly these escapes back into characters (babel.messages.pofile.unescape).
_ESCAPES = {"\\": "\\", '"': '"', "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_PLAIN_STRING = re.compile(r'"(?:[^"\\]|\\[\\"abfnrtv])*"')
_KEYWORD = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr)(?:(?<=msgstr)\[(\d+)\])?")
_WORD = re.compile(r"[^\s\"]+")
_PREVIOUS = re.compile(r'(?:(?:msgctxt|msgid_plural|msgid)\s+)?"(?:[^"\\]|\\[\\"abfnrtv])*"\s*')
_FLAG = re.compile(r"[\w-]+(?::\s*\d+\.\.\d+)?")  # fuzzy, python-format, range: 1..10
MAX_ERRORS = 20  # a file that is not a catalogue at all would otherwise give one error a line


@dataclass
class _Entry:
    """One entry as read so far: its strings and the lines they start on."""

    line: int  # of its first keyword (msgctxt or msgid)
    obsolete: bool
    context: str | None = None
    msgid: str | None = None
    msgid_line: int = 0
    plural: str | None = None
    forms: list[tuple[int | None, str, int]] = field(default_factory=list)  # (msgstr index, text, line)
    pieces: list[tuple[str, int]] = field(default_factory=list)  # the first msgstr's strings and their lines
    open: str = ""  # the keyword a continuation line adds to


@dataclass(frozen=True)
class CheckedCatalogue:
    """A .po file's defects, and its lines as Babel should read them (when there are none)."""

    problems: list[Problem]
    lines: list[bytes]


def check_po(data: bytes, shown: str, locale: str) -> CheckedCatalogue:
    """Every defect of the .po file `data` (shown as `shown`) of the language `locale`, and its lines as
    Babel should read them."""
    checker = _Checker(shown)
    text = checker.decode(data)
    if text is None:
        return CheckedCatalogue(checker.problems, [])
    checker.read(text)
    if not checker.stopped:
        checker.check_header(locale)
    return CheckedCatalogue(checker.problems, babel_lines(data))


def babel_lines(data: bytes) -> list[bytes]:
    """A .po file's lines for Babel's read_po, with the previous msgid of obsolete entries (#~| msgid),
    which msgmerge --previous writes and Babel cannot read, blanked (so the numbering stays)."""
    return [b"" if line.lstrip().startswith(b"#~|") else line for line in data.split(b"\n")]


class _Checker:
    def __init__(self, shown: str):
        self.shown = shown
        self.problems: list[Problem] = []
        self.entry: _Entry | None = None
        self.seen: dict[tuple[str | None, str], int] = {}  # (msgctxt, msgid) -> the line of its msgid
        self.header: _Entry | None = None
        self.plural_lines: list[tuple[int, int]] = []  # (msgstr index, line) of every msgstr[N]
        self.stopped = False

    def error(self, line: int, message: str) -> None:
        if len(self.problems) == MAX_ERRORS:
            self.problems.append(Problem(self.shown, line, f"stopped after {MAX_ERRORS} errors: is this a "
                                         ".po file? (a catalogue is text: comments, msgid and msgstr)"))
            self.stopped = True
        elif not self.stopped:
            self.problems.append(Problem(self.shown, line, message))

    def decode(self, data: bytes) -> str | None:
        """The file as text, or None (with the error) when it is not UTF-8 text."""
        if data.startswith(codecs.BOM_UTF8):
            # msgfmt, msgmerge and Babel all refuse it, so a catalogue with one works nowhere else.
            self.error(1, "the file starts with a byte-order mark (BOM), which gettext tools (msgfmt, "
                       "msgmerge) and Babel refuse: save it as UTF-8 without BOM")
            return None
        if b"\0" in data:
            self.error(data[:data.index(b"\0")].count(b"\n") + 1, "this is not a text file (it has a NUL "
                       "byte; a compiled .mo file?): a catalogue is a .po text file")
            return None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.error(data[:exc.start].count(b"\n") + 1, f"this line is not UTF-8 (byte 0x{data[exc.start]:02x}"
                       "): save the file as UTF-8, as every .po editor can")
            return None
        if not text.strip():
            self.error(1, "the catalogue is empty: restore it from git, or delete it and run python "
                       "build.py i18n init LANG (the language's code in site.toml)")
            return None
        return text

    def read(self, text: str) -> None:
        # Lines split at \n only, as Babel reads them (str.splitlines would also split at \x85, \u2028...).
        for number, raw in enumerate(text.split("\n"), start=1):
            if self.stopped:
                return
            line = raw.strip()  # as Babel strips each line
            if not line:
                continue
            if line.startswith("#") and line.endswith("\\"):
                self.error(number, "a comment that ends in a backslash: gettext tools read the next line "
                           "as part of it; delete the backslash")
            if line.startswith("#~"):
                rest = line[2:].lstrip()
                if rest.startswith("|"):  # the previous msgid of an obsolete entry: a comment
                    self.finish()
                    self.previous(number, rest[1:].strip())
                elif rest:
                    self.statement(number, rest, obsolete=True)
            elif line.startswith("#-"):
                self.error(number, "a line starting with #- (a conflict marker left by msgcat?) cannot be "
                           "read: keep the right translation and delete the marker lines")
            elif line.startswith("#"):
                self.finish()
                if line.startswith("#|"):
                    self.previous(number, line[2:].strip())
                elif line.startswith("#,"):
                    self.flags(number, line[2:])
            else:
                self.statement(number, line, obsolete=False)
        self.finish()

    def flags(self, number: int, line: str) -> None:
        """A #, line: flags such as fuzzy, separated by commas."""
        flags = [flag.strip() for flag in line.split(",")]
        if not all(_FLAG.fullmatch(flag) for flag in flags if flag):
            # Babel splits flags at commas only: "#, fuzzy python-format" would not be fuzzy to it.
            self.error(number, "a #, line lists flags separated by commas: #, fuzzy, python-format")

    def previous(self, number: int, line: str) -> None:
        """A #| line: the source string a fuzzy translation was made for, written as gettext tools read it."""
        if _PREVIOUS.fullmatch(line) is None:
            self.error(number, "a #| line holds the previous source of a fuzzy entry, as #| msgid \"...\": "
                       "write other notes as # comments")

    def statement(self, number: int, line: str, obsolete: bool) -> None:
        """A keyword line (msgid "...") or a continuation line ("...")."""
        entry = self.entry
        if line.startswith('"'):
            value = self.string(number, line)
            if entry is None or not entry.open:
                self.error(number, "a string with no msgid or msgstr above it: a string continues the "
                           "msgid or msgstr before it, and a comment line ends an entry")
            elif entry.obsolete != obsolete:
                self.error(number, "an entry must be all obsolete (#~ on every line) or not at all")
            else:
                self.add_to(entry, value, number)
            return
        keyword = _KEYWORD.match(line)
        rest = line[keyword.end():] if keyword else ""
        if keyword is None or (rest and not rest.startswith((" ", '"', "\t"))):
            word = _WORD.match(line)
            self.error(number, f"'{word.group() if word else line[:20]}' is not part of a .po entry: a line is "
                       "a comment (#...), a keyword (msgid, msgstr, ...) with a string in double quotes, or a "
                       "string continuing the one above (a translation on two lines needs quotes on each)")
            return
        # The entry goes on after either error below, so that one mistake is reported once.
        if not rest.strip():
            self.error(number, f"{keyword.group()} with no string after it: write {keyword.group()} \"\" "
                       "(empty until it is translated)")
            value = ""
        elif not rest.startswith(" "):
            # Babel splits a keyword from its string at a space: msgstr"..." or a tab it cannot read.
            self.error(number, f"put a space between {keyword.group()} and its string")
            value = ""
        else:
            value = self.string(number, rest.strip())
        name, index = keyword.group(1), keyword.group(2)
        if name == "msgctxt" or (name == "msgid" and not (entry and entry.msgid is None)):
            self.finish()
            entry = self.entry = _Entry(number, obsolete)
        elif entry is None:
            self.error(number, f"{keyword.group()} with no msgid above it (a comment line cannot come "
                       "inside an entry)")
            return
        if entry.obsolete != obsolete:
            self.error(number, "an entry must be all obsolete (#~ on every line) or not at all")
        if name == "msgctxt":
            entry.context, entry.open = value, "msgctxt"
        elif name == "msgid":
            entry.msgid, entry.msgid_line, entry.open = value, number, "msgid"
        elif entry.msgid is None:
            self.error(number, f"{keyword.group()} with no msgid before it: an entry is [msgctxt] msgid "
                       "[msgid_plural] msgstr")
        elif name == "msgid_plural":
            if entry.plural is not None or entry.forms:
                self.error(number, "msgid_plural must come once, right after the msgid")
            entry.plural, entry.open = value, "msgid_plural"
        else:
            self.translation(entry, number, None if index is None else int(index), value)

    def translation(self, entry: _Entry, number: int, index: int | None, value: str) -> None:
        if entry.plural is None and index is not None:
            self.error(number, f"msgstr[{index}] in an entry without msgid_plural: write msgstr \"...\"")
        elif entry.plural is not None and index is None:
            self.error(number, "an entry with msgid_plural needs msgstr[0], msgstr[1], ... (one per plural "
                       "form), not msgstr")
        elif index is None and entry.forms:
            self.error(number, "a second msgstr in one entry: keep one")
        elif index is not None and index != len(entry.forms):
            self.error(number, f"msgstr[{index}] comes where msgstr[{len(entry.forms)}] should: number the "
                       "plural forms 0, 1, 2, ... in order, each once")
        elif index is not None:
            self.plural_lines.append((index, number))
        if not entry.forms:
            entry.pieces.append((value, number))
        entry.forms.append((index, value, number))
        entry.open = "msgstr"

    def add_to(self, entry: _Entry, value: str, line: int) -> None:
        if entry.open == "msgctxt":
            entry.context += value
        elif entry.open == "msgid":
            entry.msgid += value
        elif entry.open == "msgid_plural":
            entry.plural += value
        else:
            index, text, number = entry.forms[-1]
            entry.forms[-1] = (index, text + value, number)
            if len(entry.forms) == 1:
                entry.pieces.append((value, line))

    def string(self, number: int, token: str) -> str:
        """A quoted string's text; an error for one that Babel would misread."""
        if _PLAIN_STRING.fullmatch(token):
            return _unescape(token[1:-1])
        if not token.startswith('"'):
            self.error(number, "a string must be in double quotes: \"...\"")
            return token
        position = 1
        while position < len(token):
            char = token[position]
            if char == "\\":
                escape = token[position + 1:position + 2]
                if escape not in _ESCAPES:
                    self.error(number, (f"\\{escape} is not an escape a catalogue can use" if escape else
                                        "the line ends in a backslash") + ": write \\\\ for a backslash; "
                               "the escapes are \\n \\t \\\" \\\\ (and \\a \\b \\f \\r \\v)")
                    return _unescape(token[1:])
                position += 2
            elif char == '"':
                self.error(number, "text after the string's closing quote: write a quote inside a "
                           "translation as \\\", and a string that goes on, on the next line in its own quotes")
                return _unescape(token[1:position])
            else:
                position += 1
        self.error(number, "this string has no closing quote (\"): end it on the same line; a string that "
                   "goes on continues on the next line in its own quotes")
        return _unescape(token[1:])

    def finish(self) -> None:
        """The entry being read ends (a comment, the next entry, or the end of the file)."""
        entry, self.entry = self.entry, None
        if entry is None:
            return
        if entry.msgid is None:
            self.error(entry.line, "msgctxt with no msgid after it")
            return
        if not entry.forms:
            form = "msgstr[0] \"\"" if entry.plural is not None else "msgstr \"\""
            self.error(entry.msgid_line, f"msgid \"{_short(entry.msgid)}\" has no msgstr: add {form} under it "
                       "(empty until it is translated)")
            return
        if entry.obsolete:  # gettext ignores obsolete entries: they may repeat
            return
        key = (entry.context, entry.msgid)
        first = self.seen.setdefault(key, entry.msgid_line)
        if first != entry.msgid_line:
            what = "a second header (msgid \"\")" if entry.msgid == "" and entry.context is None else \
                f"msgid \"{_short(entry.msgid)}\" is here a second time"
            self.error(entry.msgid_line, f"{what}: the first is on line {first}; keep one of the two entries")
        elif entry.msgid == "" and entry.context is None:
            self.header = entry

    def check_header(self, locale: str) -> None:
        """The header entry (msgid ""), and each msgstr[N] against the plural forms it declares."""
        if self.header is None:
            self.error(1, "the catalogue has no header (the entry msgid \"\" with Language, Content-Type and "
                       "Plural-Forms): restore it from git, or copy it from messages.pot and fill in "
                       "Language and Plural-Forms")
            return
        found, plurals = check_header(self.header.pieces, self.header.msgid_line, locale, bool(self.plural_lines))
        for line, message in found:
            self.error(line, message)
        for index, number in self.plural_lines:
            if plurals is not None and index >= plurals:
                # The words of the test that pinned this message (test_languages), kept.
                self.error(number, "cannot read this catalogue: this entry has more msgstr[N] plural forms "
                           f"than the Plural-Forms header allows (nplurals={plurals}); keep one msgstr per "
                           "form the language has")


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    return re.sub(r"\\(.)", lambda match: _ESCAPES.get(match.group(1), match.group(1)), text)


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."
