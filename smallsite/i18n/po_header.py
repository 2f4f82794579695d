"""A catalogue's header (the entry msgid ""), read as Babel reads it: in UTF-8, of this folder's language,
with Plural-Forms the language has. Babel takes the header for an e-mail header, so a line it would read
otherwise than written (no "Name:", a leading space, an empty line, a carriage return) is refused too."""

from __future__ import annotations

import codecs
import gettext
import re

_FIELD = re.compile(r"([!-9;-~]+):")  # an e-mail header's field name: printable ASCII but ':'
# The numbers a plural expression is tried on: each must give a form the header declares.
_PLURAL_TRIES = range(1001)


def check_header(pieces: list[tuple[str, int]], header_line: int, locale: str,
                 has_plurals: bool) -> tuple[list[tuple[int, str]], int | None]:
    """What is wrong with the header whose msgstr is the strings `pieces` (text, line) of the entry on
    `header_line`, in the catalogue of `locale` (`has_plurals`: with msgid_plural entries), each
    (line, message); and the number of plural forms it declares, if it does."""
    from babel import Locale, UnknownLocaleError
    from babel.messages.catalog import parse_separated_header

    fields, problems = _fields(pieces)
    if problems:  # what Babel reads of it would not be what is written
        return problems, None
    content_type, line = fields.get("content-type", ("", header_line))
    charset = parse_separated_header(content_type).get("charset")  # as Babel reads it
    try:
        utf8 = charset is not None and codecs.lookup(charset).name == "utf-8"
    except LookupError:
        utf8 = False
    if not utf8:
        # Without a charset, msgfmt and other tools take the file as ASCII and garble the translations.
        said = f"Content-Type says charset={charset}" if charset else "the header has no charset"
        problems.append((line, f"{said}; catalogues are read as UTF-8: save the file as UTF-8 and write "
                         "\"Content-Type: text/plain; charset=UTF-8\\n\""))
    written, line = fields.get("language", ("", header_line))
    if written.strip():
        # Babel takes the header's Language for the catalogue's: another language's file would pass for
        # this one (a Korean catalogue copied into the Japanese folder).
        written = written.strip()
        try:
            same = Locale.parse(written.replace("-", "_")).language == Locale.parse(locale).language
        except (UnknownLocaleError, ValueError):
            same = False
        if not same:
            problems.append((line, f"Language says {written}, but this is the catalogue of {locale}: write "
                             f"\"Language: {locale}\\n\" (or move the file to its own folder)"))
    found, plurals = _check_plural_forms(fields.get("plural-forms"), header_line, locale, has_plurals)
    return problems + found, plurals


def _check_plural_forms(plural_forms: tuple[str, int] | None, header_line: int, locale: str,
                        has_plurals: bool) -> tuple[list[tuple[int, str]], int | None]:
    """Plural-Forms, with CLDR's number of forms for the language (as Babel knows them): a wrong one
    makes gettext pick the wrong sentence for a number."""
    from babel.messages.catalog import parse_separated_header
    from babel.messages.plurals import get_plural

    expected = get_plural(locale)
    wanted = f"\"Plural-Forms: {expected.plural_forms}\\n\""
    if plural_forms is None:
        if has_plurals:  # gettext would take the English rule
            return [(header_line, f"the header has no Plural-Forms, and the catalogue has plural entries: "
                     f"add {wanted}")], None
        return [], None
    value, line = plural_forms
    params = parse_separated_header(f" ;{value}")  # as Babel reads it
    if not (params.get("nplurals", "").isdigit() and params.get("plural")):
        return [(line, f"Plural-Forms should be nplurals=N; plural=EXPRESSION; for {locale}: write {wanted}")], None
    count = int(params["nplurals"])
    problems = []
    if count != expected.num_plurals:
        problems.append((line, f"Plural-Forms says nplurals={count}, but {locale} has {expected.num_plurals} "
                         f"plural form{'s' if expected.num_plurals != 1 else ''}: write {wanted}"))
    try:
        choose = gettext.c2py(params["plural"])
        wrong = next(((n, choose(n)) for n in _PLURAL_TRIES if not 0 <= choose(n) < count), None)
    except (ValueError, TypeError, ZeroDivisionError, RecursionError):
        return problems + [(line, f"the plural expression in Plural-Forms cannot be read: write {wanted}")], count
    if wrong:
        problems.append((line, f"the plural expression gives form {wrong[1]} for n={wrong[0]}, but "
                         f"nplurals={count} (forms 0 to {count - 1}): write {wanted}"))
    return problems, count


def _fields(pieces: list[tuple[str, int]]) -> tuple[dict[str, tuple[str, int]], list[tuple[int, str]]]:
    """The header's fields as Babel reads them: lower-case name -> (value, the line of the string it is
    in); and what keeps Babel from reading them as written (line, message)."""
    from email import message_from_string

    text, starts = "", []  # the joined text; where each string starts in it, and its line
    for piece, number in pieces:
        starts.append((len(text), number))
        text += piece

    def line_at(offset: int) -> int:
        return next(number for start, number in reversed(starts) if start <= offset)

    if not text.strip():
        return {}, []
    if "\r" in text:  # an e-mail parser ends a line there
        return {}, [(line_at(text.index("\r")), "a carriage return (\\r) in the header: delete it")]
    written, offset = [], 0  # (name or None, line) of each line of the header
    for field_text in text.rstrip().split("\n"):
        found = _FIELD.match(field_text)
        written.append((found.group(1) if found else None, line_at(offset)))
        offset += len(field_text) + 1
    read = [(name.lower(), value) for name, value in message_from_string(text).items()]
    for index, (name, line) in enumerate(written):
        # A line with no "Name:", one starting with a space (read as part of the field above) or an empty
        # line (the header ends there) would make Babel read other fields than the ones written.
        if index >= len(read) or name is None or read[index][0] != name.lower():
            return {}, [(line, "this header line is not a field as Babel reads them: each line is "
                         "Name: value\\n, none is empty or starts with a space")]
    fields: dict[str, tuple[str, int]] = {}
    problems = []
    for (name, line), (key, value) in zip(written, read):
        if key in fields:
            problems.append((line, f"{name} is in the header twice (also on line {fields[key][1]}): keep one"))
        fields.setdefault(key, (value, line))
    return fields, problems
