"""File names as the build keeps them (NFC), and the URLs made of them (percent-encoded UTF-8)."""

from __future__ import annotations

import os
import re
import unicodedata
from typing import Iterable
from urllib.parse import quote

# RFC 3986's unreserved characters, and the '/' between segments: what a URL path carries as it is.
_AS_IT_IS = re.compile(r"[A-Za-z0-9/._~-]*")

# The longest name a file or folder of the site may have, in UTF-8 bytes: file systems take 255; the rest
# is left for what tools add to a name (a deploy tool's temporary copy, a .gz beside a file).
MAX_NAME_BYTES = 200


def encode_path(path: str) -> str:
    """An output path as every URL the build writes spells it: 'en/stories/with space/' ->
    'en/stories/with%20space/'. Sitemaps and feeds need RFC 3986 URIs (a raw space or 'é' is invalid
    there); encoding the same way in pages too keeps canonical, hreflang, og:url and the sitemap's <loc>
    one string for one page. Every character but '/' and the unreserved ones is encoded, '%' included:
    a name is never taken as already encoded."""
    return path if _AS_IT_IS.fullmatch(path) else quote(path, safe="/")


def nfc(name: str) -> str:
    """A file or folder name as the build keeps it: composed (NFC). macOS writes names decomposed (NFD:
    'é' as 'e' and an accent, Hangul as its letters), other systems keep the form they are given, and
    people type links composed: pages, links and output folders must not depend on which it was."""
    return name if name.isascii() else unicodedata.normalize("NFC", name)


def form_clash(name: str, first: str, first_shown: str) -> str:
    """What is wrong with `name`, equal to `first` (shown as `first_shown`) but for its Unicode form: the
    two look the same in any message, so it says how each is written."""
    return (f"same URL as {first_shown}: the two names differ only in how their letters are written, this one "
            f"{_form_of(name)}, the other {_form_of(first)}: keep one of them")


def _form_of(name: str) -> str:
    if unicodedata.is_normalized("NFC", name):
        return "composed (NFC)"
    if unicodedata.is_normalized("NFD", name):
        return "decomposed (NFD, as macOS writes names)"
    return "partly decomposed"


def form_clashes(names: Iterable[str]) -> list[tuple[str, str]]:
    """(name, the earlier name it clashes with) for names equal to an earlier one but for their Unicode
    form: one file system can hold both, but they make one page, one URL, one output file."""
    seen: dict[str, str] = {}
    clashes = []
    for name in names:
        if name.isascii():  # an ASCII name is in every form already: the common case costs nothing
            seen.setdefault(name, name)
            continue
        first = seen.setdefault(nfc(name), name)
        if first != name:
            clashes.append((name, first))
    return clashes


def find_in_other_form(target: str, top: str) -> str | None:
    """The file `target` (a path below the folder `top`) where the file system holds its name, or a
    folder's on the way, in another Unicode form than written: a link typed composed, to a file macOS
    saved decomposed. None when there is no such file, or more than one (a clash, reported elsewhere)."""
    found = top
    for part in target[len(top):].split(os.sep):
        if not part:
            continue
        candidate = os.path.join(found, part)
        if os.path.lexists(candidate):
            found = candidate
            continue
        wanted = nfc(part)
        try:
            matches = [entry.name for entry in os.scandir(found) if nfc(entry.name) == wanted]
        except OSError:
            return None
        if len(matches) != 1:
            return None
        found = os.path.join(found, matches[0])
    return found if os.path.isfile(found) else None
