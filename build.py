#!/usr/bin/env python3
"""smallsite's command line: `python build.py build | serve | check | new | i18n ...`."""
import sys

from smallsite.cli import main

if __name__ == "__main__":
    sys.exit(main())
