"""The ``variant-ref`` command line (``python -m reference``).

One argparse parser is built from the command modules in
:data:`COMMAND_MODULES`; each has ``register(subparsers)``, which adds its
subcommands with ``set_defaults(handler=...)``. A handler takes the parsed
arguments and returns the exit status. Command modules import only what
parsing needs; the work is imported inside handlers, so that
``python -m reference filename X`` starts fast.

Exit status: 0 valid / done, 1 invalid input or inconsistency, 2 usage or
I/O error, or a limit hit (``reference.limits``). User errors never end in a
traceback; everything printed is escaped for the terminal
(:func:`reference.limits.escape_controls`).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TextIO

__all__ = ["COMMAND_MODULES", "EXIT_INVALID", "EXIT_OK", "EXIT_USAGE", "build_parser", "main"]

COMMAND_MODULES: tuple[str, ...] = (
    "reference.cli.format",
    "reference.cli.convert",
    "reference.cli.install",
    "reference.cli.limits",
)
"""Modules contributing subcommands, in help order."""

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2

_EPILOG = """\
exit status: 0 valid / done, 1 invalid input or inconsistent metadata,
2 usage or I/O error, or a limit hit (input larger, deeper or slower than
`variant-ref limits` allows; VARIANT_REF_LIMITS=name=value raises one).
Every violation names its clause id (for example pep825:label-charset) and
where it is (a JSON Pointer or a filename component).
"""


def build_parser() -> argparse.ArgumentParser:
    """The full parser, with the subcommands of every module in :data:`COMMAND_MODULES`."""
    parser = argparse.ArgumentParser(
        prog="variant-ref",
        description="Reference implementation of wheel variants (PEP 825 and the providers draft).",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    with _escaped_output():
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
    from reference.limits import limit

    try:
        limit("nesting")  # VARIANT_REF_LIMITS is read here first, so a typo is a usage error
    except ValueError as exc:
        _error(str(exc))
        return EXIT_USAGE
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    return _handle(handler, args)


def _handle(handler: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run the handler, mapping what it raises to exit statuses without tracebacks."""
    from reference.errors import VariantError
    from reference.limits import LimitExceeded, describe

    try:
        return handler(args)
    except LimitExceeded as exc:
        _error(str(exc))
        return EXIT_USAGE
    except VariantError as exc:
        for violation in exc.violations:
            _error(describe(violation))
        return EXIT_INVALID
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        _error(f"{where}{exc.strerror or exc}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


class _Escaping(io.TextIOBase):
    """A text stream writing through to another with :func:`reference.limits.escape_controls` applied."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        from reference.limits import escape_controls

        self.stream.write(escape_controls(text))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()


@contextlib.contextmanager
def _escaped_output() -> Iterator[None]:
    """Everything a command prints is escaped: file names, keys and labels from outside may hold
    terminal escape sequences, bidirectional overrides or undecodable bytes."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Escaping(saved[0]), _Escaping(saved[1])
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def _error(text: str) -> None:
    """``error: text`` on standard error, escaped for the terminal."""
    from reference.limits import escape_controls

    print(f"error: {escape_controls(text)}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
