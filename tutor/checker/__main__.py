"""Entry point for ``python -m tutor.checker``."""

from __future__ import annotations

import sys

from tutor.checker.cli import main

if __name__ == "__main__":
    sys.exit(main())
