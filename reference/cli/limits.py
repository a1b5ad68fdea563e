"""Subcommand ``limits``: the limits on untrusted input in force (:mod:`reference.limits`)."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["register"]

_LIMITS_HELP = """\
Print the limits the reference applies to what it reads: sizes, the deadline
of an HTTP request, nesting, the length of numbers. Input beyond a limit is
refused as such (exit status 2, clause reference:limit), never judged.

Each limit can be raised (or lowered) for one run with the environment
variable VARIANT_REF_LIMITS, a comma-separated list of name=value:

  VARIANT_REF_LIMITS=wheel-bytes=17179869184,http-deadline=900 variant-ref install ...

SECURITY.md lists the defaults (the output of `variant-ref limits --markdown`).
"""


def register(subparsers: Any) -> None:
    """Add ``limits`` to ``subparsers``."""
    p = subparsers.add_parser(
        "limits", help="print the limits on untrusted input", description=_LIMITS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--markdown", action="store_true", help="the defaults, as the table of SECURITY.md")
    p.set_defaults(handler=_limits)


def _limits(args: argparse.Namespace) -> int:
    from reference.limits import limits_table

    print(limits_table(markdown=args.markdown), end="")
    return 0
