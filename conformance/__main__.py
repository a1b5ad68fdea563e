"""``python -m conformance``: the suite's command line.

Subcommands are registered in :data:`COMMANDS`; each is a pair of functions
``(add_arguments(parser), run(args) -> exit status)``. A subcommand living in
its own module (``coverage``, ``mutants``, ...) is listed in
:data:`MODULE_COMMANDS` by module name: the module defines
``add_arguments(parser)`` and ``run(args) -> int`` and is imported only if it
exists, so commands can be added without touching the others.

- ``build-fixtures OUTDIR [--only ID ...]``: build every fixture index.
- ``serve OUTDIR [--port N] [--max-requests N] [--max-seconds S]``: serve built
  fixtures on 127.0.0.1 until a limit is reached.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import sys
import time
from collections.abc import Callable
from pathlib import Path

__all__ = ["COMMANDS", "main"]

Command = tuple[Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]


def _build_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("outdir", type=Path, help="directory to write the indexes into")
    parser.add_argument("--only", nargs="+", metavar="ID", help="build only these index ids")
    parser.add_argument("--indexes", type=Path, help="index sources (default: fixtures/indexes)")
    parser.add_argument("--plugins", type=Path, help="plugin sources (default: fixtures/plugins)")


def _build(args: argparse.Namespace) -> int:
    from conformance.fixtures import DEFAULT_INDEXES, DEFAULT_PLUGINS, FixtureError, build_all

    start = time.perf_counter()
    try:
        built = build_all(
            args.outdir,
            args.indexes or DEFAULT_INDEXES,
            args.plugins or DEFAULT_PLUGINS,
            only=args.only,
        )
    except FixtureError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    files = sum(len(index.files) for index in built.values())
    elapsed = time.perf_counter() - start
    print(f"built {len(built)} indexes ({files} files) in {args.outdir} in {elapsed:.2f} s")
    return 0


def _serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("outdir", type=Path, help="a directory built by build-fixtures")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--max-requests", type=int, default=10_000)
    parser.add_argument("--max-seconds", type=float, default=600.0)


def _serve(args: argparse.Namespace) -> int:
    from conformance.server import FixtureServer

    if not args.outdir.is_dir():
        print(f"error: {args.outdir} is not a directory", file=sys.stderr)
        return 1
    server = FixtureServer(
        args.outdir, port=args.port, max_requests=args.max_requests, max_seconds=args.max_seconds
    )
    with server:
        print(server.url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            server.wait()
    return 0


COMMANDS: dict[str, Command] = {
    "build-fixtures": (_build_arguments, _build),
    "serve": (_serve_arguments, _serve),
}

MODULE_COMMANDS: dict[str, str] = {
    "ablation": "conformance.ablation",
    "coverage": "conformance.coverage",
    "mutants": "conformance.mutants",
    "mutation-test": "conformance.mutation",
}


def _commands() -> dict[str, Command]:
    """:data:`COMMANDS` plus every :data:`MODULE_COMMANDS` module that exists."""
    commands = dict(COMMANDS)
    for name, module_name in MODULE_COMMANDS.items():
        if importlib.util.find_spec(module_name) is None:
            continue
        module = importlib.import_module(module_name)
        commands[name] = (module.add_arguments, module.run)
    return commands


def main(argv: list[str] | None = None) -> int:
    """Run a subcommand; returns the exit status."""
    commands = _commands()
    parser = argparse.ArgumentParser(prog="python -m conformance")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (add_arguments, _) in commands.items():
        add_arguments(sub.add_parser(name))
    args = parser.parse_args(argv)
    return commands[args.command][1](args)


if __name__ == "__main__":
    sys.exit(main())
