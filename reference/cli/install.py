"""Subcommands ``select``, ``install`` and ``lock``: choose wheels from a source, install or lock them.

Argument parsing and output only: each handler checks the options, opens a
:class:`reference.install.operations.Session` and makes one request of it.
Only :mod:`argparse` is imported at module level; handlers import the work.

Exit status: 0 a wheel was selected / everything installed; 1 no compatible
wheel, resolution impossible or invalid data; 2 usage or I/O error (unreadable
source, hash mismatch, install failure).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reference.install.operations import Session

__all__ = ["register"]

EXIT_OK, EXIT_NONE, EXIT_USAGE = 0, 1, 2

_SELECT_HELP = """\
Select the wheel an installer should choose for REQUIREMENT on a system
(PEP 825 "Variant ordering" and the suggested installer logic), and say why.

The system is a profile (--profile FILE, TOML: marker environment, supported
tags, supported properties per namespace); without one, the running
interpreter with no user static list. Supported properties per namespace
come from the providers text's steps: optional providers are disabled unless
enabled (--enable-provider NS), static-properties in the metadata, the
profile's [namespaces], then trusted plugin packages (--trust PACKAGE), which
are installed from the same source into an isolated directory and queried in a
separate process. Nothing is imported or run for an untrusted package.

REQUIREMENT may also be the path of a local wheel (PEP 825 "Installing a
specific local wheel"); then no source option is needed.

examples:
  variant-ref select torch --find-links dist/ --profile gpu.toml --explain
  variant-ref select 'numpy==2.3.4' --index-url http://127.0.0.1:8000/simple/ --json
  variant-ref select numpy --lock pylock.toml --profile x86-64-v3.toml
"""

_INSTALL_HELP = """\
Resolve REQUIREMENTs and their dependencies across the source (resolvelib),
selecting one wheel per project as `select` does, evaluating variant markers
of each selected wheel's Requires-Dist, verify hashes given by the index or
lock, and install with the PyPA installer library into --target DIR or the
environment of --python PATH. variant.json stays in the installed .dist-info.

A REQUIREMENT may be the path of a local wheel; with only local wheels and no
dependencies to resolve, no source option is needed.

With --lock, every package of the lock whose marker applies is installed,
each from its listed wheels with the inlined [packages.variants-json].

examples:
  variant-ref install torch --find-links dist/ --profile gpu.toml --target out/
  variant-ref install demo --index-url file:///srv/simple --python venv/bin/python
  variant-ref install --lock pylock.toml --profile x86-64-v3.toml --target out/
"""


_LOCK_HELP = """\
Resolve REQUIREMENTs as `install` does and write a pylock.toml (PEP 751) with
[packages.variants-json] (PEP 825 "Integration with pylock.toml"): for each
project, the wheels of the resolved version (all of them, or with
--selected-only just the one selected here) and the combined variant metadata
of that version, with "$schema" kept. Labels no listed wheel carries are
pruned, with the namespaces thereby unused (--no-prune keeps them).

Dependencies are those of the wheels selected on this system; another system
that selects another variant from the lock may need dependencies the lock
does not list (variant markers are evaluated per selected wheel at install).

example:
  variant-ref lock numpy --find-links dist/ --profile x86-64-v3.toml --output pylock.toml
  variant-ref install --lock pylock.toml --profile x86-64-v4.toml --target out/
"""


def _add_common(p: argparse.ArgumentParser) -> None:
    source = p.add_argument_group("source (exactly one of --find-links, --index-url, --lock)")
    source.add_argument("--find-links", metavar="DIR", help="a directory of wheels and -variants.json files")
    source.add_argument("--index-url", metavar="URL", help="a PEP 503 / PEP 691 simple index (http:// or file://)")
    source.add_argument("--lock", metavar="FILE", help="a pylock.toml with [packages.variants-json]")
    system = p.add_argument_group("system and options")
    system.add_argument(
        "--profile",
        metavar="FILE|NAME",
        help="the simulated system: a TOML file, or the name of a bundled profile "
        "(nvidia-cu130-sm90, x86-64-v3, ...: the files of reference/profiles)",
    )
    system.add_argument("--variant", metavar="LABEL", help="consider only wheels with this variant label")
    system.add_argument("--no-variants", action="store_true", help="consider only non-variant wheels")
    system.add_argument(
        "--enable-provider", metavar="NS", action="append", default=[], help="enable an optional provider"
    )
    system.add_argument(
        "--trust", metavar="PACKAGE", action="append", default=[], help="trust a provider plugin package"
    )
    system.add_argument(
        "--plugin-timeout", metavar="SECONDS", type=_seconds, default=30.0,
        help="limit for one plugin query (0 < SECONDS <= the plugin-timeout limit)",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")


def _seconds(text: str) -> float:
    """A ``--plugin-timeout``: a finite number of seconds above 0, at most the ``plugin-timeout`` limit."""
    import math

    from reference.limits import limit

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    most = limit("plugin-timeout")
    if not (math.isfinite(value) and 0 < value <= most):
        raise argparse.ArgumentTypeError(f"{text!r} must be above 0 and at most {most:g} seconds")
    return value


def register(subparsers: Any) -> None:
    """Add ``select``, ``install`` and ``lock`` to ``subparsers``."""
    fmt = argparse.RawDescriptionHelpFormatter
    p = subparsers.add_parser(
        "select", help="select the wheel for a requirement", description=_SELECT_HELP, formatter_class=fmt
    )
    p.add_argument("requirement", metavar="REQUIREMENT")
    _add_common(p)
    p.add_argument("--explain", action="store_true", help="print candidates, sort keys and the decision")
    p.set_defaults(handler=_select)

    p = subparsers.add_parser(
        "install", help="resolve and install requirements", description=_INSTALL_HELP, formatter_class=fmt
    )
    p.add_argument("requirements", metavar="REQUIREMENT", nargs="*")
    _add_common(p)
    dest = p.add_mutually_exclusive_group(required=True)
    dest.add_argument("--target", metavar="DIR", help="install under this directory")
    dest.add_argument("--python", metavar="PATH", help="install into this interpreter's environment (a venv)")
    p.add_argument("--no-deps", action="store_true", help="install only the requested projects")
    p.set_defaults(handler=_install)

    p = subparsers.add_parser(
        "lock", help="resolve and write a pylock.toml", description=_LOCK_HELP, formatter_class=fmt
    )
    p.add_argument("requirements", metavar="REQUIREMENT", nargs="+")
    _add_common(p)
    p.add_argument("--output", metavar="FILE", help="write here (default: standard output)")
    p.add_argument("--selected-only", action="store_true", help="list only the wheel selected here")
    p.add_argument("--no-prune", action="store_true", help="keep labels no listed wheel carries")
    p.set_defaults(handler=_lock)


# ---------------------------------------------------------------------------- shared


class _Usage(Exception):
    """A usage error detected after parsing (exit 2)."""


def _local_wheels(requirements: list[str]) -> list[str]:
    """The requirements naming a local wheel file (``*.whl``); each must exist."""
    from reference.limits import quoted

    local = [r for r in requirements if r.endswith(".whl")]
    for path in local:
        if not Path(path).is_file():
            raise _Usage(f"{quoted(path)}: no such wheel file (a requirement ending in .whl is a "
                         "local wheel)")
    return local


def _session(args: argparse.Namespace, requirements: list[str] | None = None) -> Session:
    """The session for the source, profile and options given (after checking they fit together).

    No source is needed when every requirement is a local wheel (PEP 825
    "Installing a specific local wheel"): the wheel itself carries its variant
    metadata; dependencies, if any, still need a source when installing.
    """
    from reference.install.operations import Session

    if args.find_links and args.index_url:
        raise _Usage("give only one of --find-links and --index-url")
    wanted = list(requirements or [])
    only_local = bool(wanted) and len(_local_wheels(wanted)) == len(wanted) and not args.lock
    if not (args.find_links or args.index_url or args.lock or only_local):
        raise _Usage(
            "give a source: --find-links DIR, --index-url URL or --lock FILE "
            "(or name local wheel files only)"
        )
    if args.variant is not None and args.no_variants:
        raise _Usage("--variant and --no-variants exclude each other")
    from reference.providers.profiles import find_profile

    try:
        profile = str(find_profile(args.profile)) if args.profile else None
    except FileNotFoundError as exc:
        raise _Usage(f"--profile {exc}") from None
    return Session(
        find_links=args.find_links,
        index_url=args.index_url,
        lock=args.lock,
        profile=profile,
        variant=args.variant,
        no_variants=args.no_variants,
        enable_providers=args.enable_provider,
        trust=args.trust,
        plugin_timeout=args.plugin_timeout,
    )


def _run(args: argparse.Namespace, body: Any) -> int:
    """Run ``body`` and map user errors to exit statuses, without tracebacks."""
    from packaging.requirements import InvalidRequirement

    from reference.errors import VariantError
    from reference.install.operations import RequestError
    from reference.limits import describe

    try:
        status: int = body(args)
        return status
    except (_Usage, RequestError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except InvalidRequirement as exc:
        print(f"error: invalid requirement: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except VariantError as exc:
        for violation in exc.violations:
            print(f"error: {describe(violation)}", file=sys.stderr)
        return EXIT_NONE
    except OSError as exc:
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE


def _print_warnings(warnings: list[str]) -> None:
    for warning in dict.fromkeys(warnings):
        print(f"warning: {warning}", file=sys.stderr)


# ---------------------------------------------------------------------------- select


def _select(args: argparse.Namespace) -> int:
    return _run(args, _select_body)


def _select_body(args: argparse.Namespace) -> int:
    with _session(args, [args.requirement]) as session:
        choice = session.select(args.requirement)
    selection, requires = choice.selection, choice.requires
    if args.json:
        out = selection.to_json(requires or []) if selection is not None else {
            "selected": None, "ranked": [], "requires": [], "markers": None, "candidates": [],
        }
        out.update(choice.extra)
        out["warnings"] = list(dict.fromkeys([*out.get("warnings", []), *session.warnings]))
        print(json.dumps(out, indent=2, sort_keys=True))
    else:
        _print_warnings(session.warnings)
        if args.explain and selection is not None:
            from reference.selection.explain import explain_selection

            print(explain_selection(selection), end="")
            if requires is not None:
                print("Requires-Dist of the selected wheel whose markers are true:")
                for entry in requires:
                    print(f"  {entry}")
                if not requires:
                    print("  (none)")
        elif selection is not None and selection.selected:
            print(selection.selected)
        if selection is None or not selection.selected:
            print(f"no compatible wheel for {args.requirement}", file=sys.stderr)
    return EXIT_OK if selection is not None and selection.selected else EXIT_NONE


# ---------------------------------------------------------------------------- install


def _install(args: argparse.Namespace) -> int:
    return _run(args, _install_body)


def _install_body(args: argparse.Namespace) -> int:
    session = _session(args, args.requirements)
    if not args.requirements and not args.lock:
        raise _Usage("give at least one REQUIREMENT (or --lock FILE)")
    with session, _sigterm_interrupts():
        installed = session.install(
            args.requirements, target=args.target, python=args.python, no_deps=args.no_deps
        )
    if args.json:
        warnings = list(dict.fromkeys(session.warnings))
        print(json.dumps({"installed": installed, "warnings": warnings}, indent=2))
    else:
        _print_warnings(session.warnings)
        for name, filename in installed.items():
            print(f"installed {name}: {filename}")
    return EXIT_OK


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """``SIGTERM`` raises ``KeyboardInterrupt``, as ``SIGINT`` does, so a terminated install
    unwinds its staging directory and leaves the destination as it was (exit 130)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# ---------------------------------------------------------------------------- lock


def _lock(args: argparse.Namespace) -> int:
    return _run(args, _lock_body)


def _lock_body(args: argparse.Namespace) -> int:
    if args.lock:
        raise _Usage("lock reads --find-links or --index-url, not --lock")
    with _session(args) as session:
        try:
            text = session.lock(args.requirements, selected_only=args.selected_only, prune=not args.no_prune)
        finally:
            # as soon as the resolution is done, its warnings are shown, even if writing the lock fails
            _print_warnings(session.warnings)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        print(text, end="")
    return EXIT_OK
