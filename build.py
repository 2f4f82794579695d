#!/usr/bin/env python3
"""smallsite's command line: `python build.py build | serve | check | new | i18n ...`."""
import sys

if __name__ == "__main__":
    try:
        from smallsite.commands.cli import run
        run()
    except KeyboardInterrupt:
        # Ctrl+C before serve's own handling begins (Python's imports alone can take a second on a busy
        # machine) or during another command: a goodbye, not a traceback. A build cut short leaves the
        # site folder a whole build (the swap, docs/output-folder.md) but did not finish, so not 0;
        # serve ends with 0, as its own Ctrl+C does. The command is the first word not an option or
        # --root's value (cli.py may be the import that was cut short).
        words = sys.argv[1:]
        command = next((word for number, word in enumerate(words)
                        if not word.startswith("-") and (number == 0 or words[number - 1] != "--root")), None)
        print("\nstopped", flush=True)
        sys.exit(0 if command == "serve" else 130)
