"""Record the file events each editor's save makes, under watchdog's real observer (inotify on Linux).

Run `python tests/record_editor_saves.py` to refresh tests/data/editor_saves.json; test_watch.py replays
those recordings through the watcher. vim is run for real when installed; VS Code and JetBrains saves are
replayed from their documented write strategies (VS Code: truncate then write by default, and
`<name>.vsctmp` + rename for atomic writes; JetBrains "safe write": `<name>___jb_tmp___`, rename the
original to `<name>___jb_old___`, rename the new file in, delete the old), and so is vim's rename save.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from watchdog.events import FileSystemEventHandler  # noqa: E402
from watchdog.observers import Observer  # noqa: E402

OUT = Path(__file__).resolve().parent / "data" / "editor_saves.json"
PAGE = "content/stories/ducks.en.md"
OLD = "---\ntitle: Ducks\nsummary: About ducks\n---\nOld text.\n"
NEW = "---\ntitle: Ducks\nsummary: About ducks\n---\nNew text.\n"


def vim(root: Path, target: Path) -> None:
    # Default settings (swap file, writebackup, backupcopy=auto), as an editor has them.
    script = root / "edit.vim"
    script.write_text("%d\ncall setline(1, split(\"" + NEW.replace("\n", "\\n") + "\", \"\\n\"))\nwq\n")
    subprocess.run(["vim", "-u", "DEFAULTS", "-i", "NONE", "-N", "-n", "-es", "-S", str(script), str(target)],
                   check=True, timeout=30, cwd=root / "content" / "stories")
    script.unlink()


def vim_rename(root: Path, target: Path) -> None:
    # vim with backupcopy=no (`:help backupcopy`), replayed: probe the folder with a file named 4913,
    # rename the original to name~, write a new file, delete the backup. (Debian's vim 9.0 writes in
    # place under both -es and a terminal here, so this one is replayed rather than run.)
    probe = target.with_name("4913")
    probe.write_bytes(b"")
    probe.unlink()
    backup = target.with_name(target.name + "~")
    os.replace(target, backup)
    target.write_text(NEW)
    backup.unlink()


def vim_with_swap(root: Path, target: Path) -> None:
    # An editing session: vim opens a .swp beside the file, saves, then removes the swap file.
    script = root / "edit.vim"
    script.write_text("%d\ncall setline(1, split(\"" + NEW.replace("\n", "\\n") + "\", \"\\n\"))\nwq\n")
    subprocess.run(["vim", "-u", "DEFAULTS", "-i", "NONE", "-N", "-es", "-S", str(script), str(target)],
                   check=True, timeout=30, cwd=root / "content" / "stories")
    script.unlink()


def vscode_truncate_then_write(root: Path, target: Path) -> None:
    # VS Code's default (and most editors'): open with O_TRUNC, then write in chunks.
    with open(target, "r+b") as handle:
        handle.truncate(0)
        handle.flush()
        os.fsync(handle.fileno())
        data = NEW.encode()
        handle.write(data[:20])
        handle.flush()
        handle.write(data[20:])


def vscode_atomic(root: Path, target: Path) -> None:
    temporary = target.with_name(target.name + ".vsctmp")
    temporary.write_text(NEW)
    os.replace(temporary, target)


def jetbrains(root: Path, target: Path) -> None:
    temporary = target.with_name(target.name + "___jb_tmp___")
    old = target.with_name(target.name + "___jb_old___")
    temporary.write_text(NEW)
    os.replace(target, old)
    os.replace(temporary, target)
    old.unlink()


def emacs(root: Path, target: Path) -> None:
    # Emacs: a lock symlink .#name, an autosave #name#, a backup name~ made by renaming, a new file.
    lock = target.with_name(".#" + target.name)
    lock.symlink_to("user@host.1234:1700000000")
    autosave = target.with_name("#" + target.name + "#")
    autosave.write_text(NEW)
    os.replace(target, target.with_name(target.name + "~"))
    target.write_text(NEW)
    autosave.unlink()
    lock.unlink()


SAVES = {"vim": vim, "vim-rename": vim_rename, "vim-swap": vim_with_swap, "vscode-truncate-then-write": vscode_truncate_then_write,
         "vscode-atomic": vscode_atomic, "jetbrains": jetbrains, "emacs": emacs}


class Recorder(FileSystemEventHandler):
    def __init__(self, root: Path):
        self.root = root
        self.events: list[dict] = []
        self.started: float | None = None

    def on_any_event(self, event):
        def rel(path):
            return Path(os.fsdecode(path)).relative_to(self.root).as_posix() if path else ""
        now = time.monotonic()
        self.started = now if self.started is None else self.started
        self.events.append({"t": round(now - self.started, 4), "kind": event.event_type, "path": rel(event.src_path),
                            "dest": rel(getattr(event, "dest_path", "")), "is_directory": event.is_directory})


def record(name: str) -> dict:
    root = Path(tempfile.mkdtemp(prefix="smallsite-record-")).resolve()
    try:
        target = root / PAGE
        target.parent.mkdir(parents=True)
        target.write_text(OLD)
        recorder = Recorder(root)
        observer = Observer()
        observer.schedule(recorder, str(root / "content"), recursive=True)
        observer.start()
        time.sleep(0.3)
        SAVES[name](root, target)
        time.sleep(0.5)
        observer.stop()
        observer.join()
        assert target.read_text() == NEW, f"{name}: the save did not write the new text"
        return {"final_text": NEW, "events": recorder.events}
    finally:
        shutil.rmtree(root)


def main() -> None:
    recordings = {"page": PAGE}
    for name in SAVES:
        if name.startswith("vim") and not shutil.which("vim"):
            print(f"skipping {name}: vim is not installed")
            continue
        recordings[name] = record(name)
        print(f"{name}: {len(recordings[name]['events'])} events")
    OUT.parent.mkdir(exist_ok=True)
    # One event a line: a reviewer reads a recording like a log.
    lines = ["{", f' "page": {json.dumps(recordings.pop("page"))},']
    for index, (name, recording) in enumerate(recordings.items()):
        events = ",\n".join("   " + json.dumps(event, ensure_ascii=False) for event in recording["events"])
        comma = "," if index < len(recordings) - 1 else ""
        lines.append(f' {json.dumps(name)}: {{"final_text": {json.dumps(recording["final_text"])}, "events": [\n'
                     f"{events}\n  ]}}{comma}")
    OUT.write_text("\n".join(lines + ["}", ""]))


if __name__ == "__main__":
    main()
