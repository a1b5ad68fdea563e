"""``python -m reference``: the ``variant-ref`` command line (:mod:`reference.cli.main`)."""

from __future__ import annotations

import sys

from reference.cli.main import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
