"""Interface strings on disk: extract the template, merge it into each .po, start a new language.

Each step calls Babel's own library functions with the options of one `pybabel` command (written
beside each function), so `pybabel` and `python build.py i18n ...` give the same files. The one
difference: when nothing but a creation date would change, we leave the file as it was, so running
the commands twice shows no change in git.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po
from babel.util import LOCALTZ

from .catalogues import DOMAIN
from .po_grammar import babel_lines
from ..model.problems import BuildFailed, Problem
from ..model.project import LOCALES_DIR

MAPPING_FILE = "babel.cfg"
TEMPLATE = f"{LOCALES_DIR}/{DOMAIN}.pot"
PROJECT = "smallsite"
COMMENT_TAG = "TRANSLATORS:"  # {# TRANSLATORS: ... #} in a template reaches the translator
WIDTH = 76  # pybabel's default line width
# Header lines that change on every run even when no string did.
_DATE_LINES = re.compile(rb'^"(POT-Creation-Date|PO-Revision-Date): [^"]*\\n"\n', re.MULTILINE)

# The pybabel commands our three commands match (run in the project folder); the docs quote them.
PYBABEL_EXTRACT = (f"pybabel extract -F {MAPPING_FILE} -o {TEMPLATE} --project={PROJECT} "
                   f"--copyright-holder={PROJECT} --sort-output --add-comments={COMMENT_TAG} .")
PYBABEL_UPDATE = f"pybabel update -i {TEMPLATE} -d {LOCALES_DIR} --previous"
PYBABEL_INIT = f"pybabel init -i {TEMPLATE} -d {LOCALES_DIR} -l LOCALE"


@dataclass(frozen=True)
class Written:
    """What one command did to one file."""

    path: Path
    changed: bool


def extract_template(root: Path) -> Catalog:
    """The interface strings of the templates (and Python) as a catalogue template, in memory."""
    if not (root / MAPPING_FILE).is_file():
        raise BuildFailed([Problem(MAPPING_FILE, None, "missing: it says where the interface strings are "
                                   "(templates/**.html); copy it from the smallsite project")])
    with (root / MAPPING_FILE).open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle, filename=MAPPING_FILE)
    catalog = Catalog(project=PROJECT, copyright_holder=PROJECT, charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
            str(root), method_map, options_map, keywords=DEFAULT_KEYWORDS, comment_tags=[COMMENT_TAG]):
        # pybabel, run in the project folder with input '.', records paths like this.
        catalog.add(message, None, [(os.path.normpath(filename), lineno)], auto_comments=comments,
                    context=context)
    return catalog


def write_template(root: Path) -> Written:
    """`i18n extract`: locales/messages.pot from the templates (same as PYBABEL_EXTRACT)."""
    buffer = io.BytesIO()
    write_po(buffer, extract_template(root), sort_output=True, width=WIDTH)
    return _replace(root / TEMPLATE, buffer.getvalue())


def update_catalogue(template_path: Path, po_file: Path, locale: str) -> Written:
    """Merge the template into one .po: translations kept, changed strings fuzzy with their previous
    source shown, vanished ones kept as obsolete (#~) so no work is lost (same as PYBABEL_UPDATE)."""
    with template_path.open("rb") as handle:
        template = read_po(handle)
    # Lines with the previous msgid of obsolete entries (#~|) blanked: Babel cannot read them. The
    # caller checks the catalogue first (check_po): Babel would read a broken one without a word.
    catalog = read_po(babel_lines(po_file.read_bytes()), locale=locale, domain=DOMAIN)
    catalog.update(template, no_fuzzy_matching=False, update_header_comment=False, update_creation_date=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, ignore_obsolete=False, include_previous=True, width=WIDTH)
    return _replace(po_file, buffer.getvalue())


def init_catalogue(template_path: Path, po_file: Path, locale: str) -> Written:
    """A new language's .po from the template, with its plural rule from CLDR (same as PYBABEL_INIT)."""
    parsed = Locale.parse(locale)
    with template_path.open("rb") as handle:
        catalog = read_po(handle, locale=parsed)
    catalog.locale = parsed
    catalog.revision_date = dt.datetime.now(LOCALTZ)
    catalog.fuzzy = False
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=WIDTH)
    po_file.parent.mkdir(parents=True, exist_ok=True)
    po_file.write_bytes(buffer.getvalue())
    return Written(po_file, True)


def _replace(path: Path, data: bytes) -> Written:
    """Write unless only the dates in the header would change."""
    if path.exists() and _DATE_LINES.sub(b"", path.read_bytes()) == _DATE_LINES.sub(b"", data):
        return Written(path, False)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return Written(path, True)
