#!/usr/bin/env python3
"""smallsite's command line: `python build.py build | serve | check | new | i18n ...`."""
from smallsite.cli import run

if __name__ == "__main__":
    run()
