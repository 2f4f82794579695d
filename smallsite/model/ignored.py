"""The names of files that are never part of the site: what editors' tools and file managers leave beside
the real files while saving, swapping, locking or backing up.

One list, for everything that decides what a build reads and what `serve` rebuilds for: content
discovery, the static files, the files a page shows (pictures in a page bundle), the templates, and the
watcher. A name the build ignores must not start a rebuild, and a name that starts one must be read: two
lists drifted apart (a `Thumbs.db` in static/ was published under a hashed name, and each save of it
rebuilt the preview for nothing). docs/symlinks-and-ignored-files.md lists them for editors.

vim: .x.swp/.swo/.swx/.swpx swap files, x~ backups, its 4913 write test; Emacs: .#x locks, #x# autosaves;
JetBrains: x___jb_tmp___ / x___jb_old___; VS Code: x.vsctmp; Kate: .x.kate-swp; GNOME: .goutputstream-*;
Office and LibreOffice: ~$x, .~lock.x#; Chromium's File System Access: x.crswap; `sed -i`: sedXXXXXX;
Windows Explorer: Thumbs.db, ehthumbs.db, desktop.ini; macOS Finder: .DS_Store, Icon\\r; merge tools:
x.orig, x.rej; downloads under way: x.part, x.crdownload; a file copied from Windows (WSL, a Samba share):
x:Zone.Identifier, which holds the address the file was downloaded from.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

# Compared in lower case: Windows writes Thumbs.db and Desktop.ini, and backups keep the case typed.
IGNORED_PREFIXES = (
    ".",  # dotfiles (.DS_Store, .git), hidden swap files (.x.swp), Emacs' locks (.#x), .~lock.x#
    "#",  # Emacs' autosaves (#x#)
    "~",  # Office's owner files (~$x)
)
IGNORED_SUFFIXES = (
    "~", "#",  # backups (x~), autosaves (#x#)
    ".swp", ".swo", ".swx", ".swpx", ".vsctmp", ".tmp", ".temp", ".bak", ".orig", ".part", ".crdownload",
    ".crswap", ".kate-swp", "___jb_tmp___", "___jb_old___", "___jb_bak___",
    ".rej",  # patch's rejected hunks, beside its .orig
    ":zone.identifier",  # Windows' mark of a download (WSL, Samba): it holds the address it came from
)
IGNORED_NAMES = frozenset({"4913", "thumbs.db", "ehthumbs.db", "desktop.ini", "icon\r"})
# sed -i's name is mkstemp's: "sed" and six random letters and digits, in mixed case. Six lower-case
# letters are a word (a story folder `sediments`, `sedentary`, `seductive`), which must not vanish.
SED_TEMPORARY = re.compile(r"sed[A-Za-z0-9]{6}")


def is_ignored_name(name: str) -> bool:
    """True for the name of a file (or folder) that is never part of the site."""
    # String methods, not one regular expression: discovery asks this of every file in content/.
    lower = name.lower()
    return lower.startswith(IGNORED_PREFIXES) or lower.endswith(IGNORED_SUFFIXES) or lower in IGNORED_NAMES \
        or (len(name) == 9 and name.startswith("sed") and SED_TEMPORARY.fullmatch(name) is not None
            and not (name.isalpha() and name.islower()))


def is_ignored_path(relative: str) -> bool:
    """True when any part of a path is an ignored name (a file in a hidden folder, say)."""
    return any(is_ignored_name(part) for part in PurePosixPath(relative).parts)
