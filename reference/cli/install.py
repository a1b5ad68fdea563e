"""Subcommands ``select``, ``install`` and ``lock``: choose wheels from a source, install or lock them.

Only :mod:`argparse` is imported at module level; handlers import the work.

Exit status: 0 a wheel was selected / everything installed; 1 no compatible
wheel, resolution impossible or invalid data; 2 usage or I/O error (unreadable
source, hash mismatch, install failure).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reference.install.sources import Source
    from reference.providers.plugins import PluginRunner
    from reference.selection.system import SelectOptions, System

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
specific local wheel").

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
    system.add_argument("--profile", metavar="FILE", help="the simulated system (TOML)")
    system.add_argument("--variant", metavar="LABEL", help="consider only wheels with this variant label")
    system.add_argument("--no-variants", action="store_true", help="consider only non-variant wheels")
    system.add_argument(
        "--enable-provider", metavar="NS", action="append", default=[], help="enable an optional provider"
    )
    system.add_argument(
        "--trust", metavar="PACKAGE", action="append", default=[], help="trust a provider plugin package"
    )
    system.add_argument(
        "--plugin-timeout", metavar="SECONDS", type=float, default=30.0, help="limit for one plugin query"
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")


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


def _setup(args: argparse.Namespace) -> tuple[System, SelectOptions, PluginRunner]:
    from packaging.utils import canonicalize_name

    from reference.providers.plugins import PluginRunner
    from reference.providers.profiles import Profile, load_profile
    from reference.selection.system import SelectOptions, System

    if args.find_links and args.index_url:
        raise _Usage("give only one of --find-links and --index-url")
    if not (args.find_links or args.index_url or args.lock):
        raise _Usage("give a source: --find-links DIR, --index-url URL or --lock FILE")
    if args.variant is not None and args.no_variants:
        raise _Usage("--variant and --no-variants exclude each other")
    profile = load_profile(args.profile) if args.profile else Profile.current()
    trust = frozenset(canonicalize_name(name) for name in args.trust)
    options = SelectOptions(
        variant=args.variant,
        no_variants=args.no_variants,
        enable_providers=frozenset(args.enable_provider),
        trust=trust,
    )
    runner = PluginRunner(
        find_links=[args.find_links] if args.find_links else [],
        index_url=args.index_url,
        timeout=args.plugin_timeout,
        trust=trust,
    )
    return System(profile, plugin_runner=runner), options, runner


def _source(args: argparse.Namespace) -> Source:
    from reference.install.sources import open_source

    return open_source(find_links=args.find_links, index_url=args.index_url)


def _run(args: argparse.Namespace, body: Any) -> int:
    """Run ``body`` and map user errors to exit statuses, without tracebacks."""
    from packaging.requirements import InvalidRequirement

    from reference.errors import VariantError

    try:
        status: int = body(args)
        return status
    except _Usage as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except InvalidRequirement as exc:
        print(f"error: invalid requirement: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except VariantError as exc:
        for violation in exc.violations:
            print(f"error: {violation}", file=sys.stderr)
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
    from packaging.requirements import Requirement

    system, options, runner = _setup(args)
    with runner:
        if args.lock:
            result = _select_lock(args, system, options)
        elif args.requirement.endswith(".whl") and Path(args.requirement).is_file():
            result = _select_local(Path(args.requirement), system, options)
        else:
            result = _select_source(Requirement(args.requirement), _source(args), system, options)
    selection, requires, extra, warnings = result
    if args.json:
        out = selection.to_json(requires or []) if selection is not None else {
            "selected": None, "ranked": [], "requires": [], "markers": None, "candidates": [],
        }
        out.update(extra)
        out["warnings"] = list(dict.fromkeys([*out.get("warnings", []), *warnings]))
        print(json.dumps(out, indent=2, sort_keys=True))
    else:
        _print_warnings(warnings)
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


def _select_source(requirement: Any, source: Source, system: System, options: SelectOptions) -> Any:
    """Newest version allowed by the requirement with a compatible wheel; else the newest's verdict."""
    from reference.install.resolve import Finder

    finder = Finder(source, system, options, top_level=[requirement.name])
    try:
        page = finder.page(requirement.name)
        selection, candidate = finder.select_requirement(requirement)
        extra: dict[str, Any] = {
            "project": page.project,
            "version": selection.version if selection is not None else None,
            "url": candidate.link.url if candidate is not None else None,
        }
        if page.missing:
            finder.warnings.append(f"{source.description} has no project {page.project}")
        elif not page.wheels:
            finder.warnings.append(f"{source.description} has no wheels of {page.project}")
        return selection, candidate.requires if candidate is not None else None, extra, finder.warnings
    finally:
        finder.close()


def _select_local(path: Path, system: System, options: SelectOptions) -> Any:
    """PEP 825 "Installing a specific local wheel": tags, its own variant.json, properties."""
    from reference.format.wheel import read_variant_json
    from reference.install.resolve import wheel_requires_dist
    from reference.selection.select import select_wheel

    selection = select_wheel([path.name], None, system, options, lambda _name: read_variant_json(path))
    requires = None
    if selection.selected:
        requires = selection.requires(wheel_requires_dist(path), system.environment)
    return selection, requires, {"url": path.absolute().as_uri()}, selection.warnings


def _lock_fetcher(directory: Path) -> Any:
    from reference.install.sources import Source

    plain = Source()
    cache: dict[str, Path] = {}

    def fetch(wheel: Any) -> Path:
        if wheel.url not in cache:
            cache[wheel.url] = plain.fetch_to(wheel.link(), directory)
        return cache[wheel.url]

    return fetch


def _select_lock(args: argparse.Namespace, system: System, options: SelectOptions) -> Any:
    import tempfile

    from packaging.requirements import Requirement

    from reference.install.pylock import Lock, load_lock, package_for, select_locked

    lock = load_lock(args.lock)
    name = Requirement(args.requirement).name
    package = package_for(lock, name)
    if package is None:
        raise _Usage(f"{args.lock} has no package {name!r}")
    single = Lock((package,), lock.data, lock.source)
    with tempfile.TemporaryDirectory(prefix="variant-lock-") as tmp:
        results = select_locked(single, system, options, _reachable_fetch(single, Path(tmp)))
    if package.name not in results:
        raise _Usage(f"the marker of {package.name} excludes this system")
    result = results[package.name]
    extra = {"project": package.name, "version": package.version}
    return result.selection, result.requires, extra, result.selection.warnings


def _reachable_fetch(lock: Any, directory: Path) -> Any:
    """A fetcher if every listed wheel is local or on loopback; else ``None`` (nothing is read)."""
    import urllib.parse

    for package in lock.packages:
        for wheel in package.wheels:
            parsed = urllib.parse.urlsplit(wheel.url)
            if parsed.scheme != "file" and parsed.hostname not in ("127.0.0.1", "localhost", "::1"):
                return None
    return _lock_fetcher(directory)


# ---------------------------------------------------------------------------- install


def _install(args: argparse.Namespace) -> int:
    return _run(args, _install_body)


def _install_body(args: argparse.Namespace) -> int:
    import tempfile

    from reference.install.installing import install_wheel, interpreter_scheme, target_scheme

    system, options, runner = _setup(args)
    if not args.requirements and not args.lock:
        raise _Usage("give at least one REQUIREMENT (or --lock FILE)")
    scheme = target_scheme(args.target) if args.target else interpreter_scheme(args.python)
    plan: list[tuple[str, Path, dict[str, str]]] = []
    warnings: list[str] = []
    with runner, tempfile.TemporaryDirectory(prefix="variant-install-") as tmp:
        if args.lock:
            plan = _plan_lock(args, system, options, Path(tmp), warnings)
        else:
            plan = _plan_source(args, system, options, Path(tmp), warnings)
        installed: dict[str, str] = {}
        for name, path, hashes in plan:
            install_wheel(path, scheme, hashes)
            installed[name] = path.name
    if args.json:
        print(json.dumps({"installed": installed, "warnings": list(dict.fromkeys(warnings))}, indent=2))
    else:
        _print_warnings(warnings)
        for name, filename in installed.items():
            print(f"installed {name}: {filename}")
    return EXIT_OK


def _plan_source(
    args: argparse.Namespace, system: System, options: SelectOptions, tmp: Path, warnings: list[str]
) -> list[tuple[str, Path, dict[str, str]]]:
    from packaging.requirements import Requirement

    from reference.errors import VariantError, Violation
    from reference.install.resolve import Finder, resolve
    from reference.selection.markers import split_requirement

    requirements = list(args.requirements)
    local = [r for r in requirements if r.endswith(".whl") and Path(r).is_file()]
    plan: list[tuple[str, Path, dict[str, str]]] = []
    for path_text in local:
        requirements.remove(path_text)
        selection, requires, _extra, found = _select_local(Path(path_text), system, options)
        warnings.extend(found)
        if not selection.selected:
            message = f"{path_text} is not compatible with this system"
            raise VariantError(Violation("reference:resolution", message))
        plan.append((selection.candidates[0].wheel.distribution, Path(path_text), {}))
        if not args.no_deps:
            # markers (variant markers included) were evaluated for this wheel already
            requirements.extend(split_requirement(entry)[0] for entry in requires or [])
    if requirements and not (args.find_links or args.index_url):
        raise _Usage("dependencies need --find-links or --index-url")
    if requirements:
        top = [Requirement(r).name for r in args.requirements if r not in local]
        finder = Finder(_source(args), system, options, download_dir=tmp, top_level=top)
        if args.no_deps:
            chosen: dict[str, Any] = {}
            for text in requirements:
                requirement = Requirement(text)
                found_candidate = next(iter(finder.candidates(requirement.name, [requirement])), None)
                if found_candidate is None:
                    raise VariantError(
                        Violation("reference:resolution", f"no compatible wheel satisfies {text}")
                    )
                chosen[found_candidate.name] = found_candidate
        else:
            chosen = resolve(requirements, finder)
        warnings.extend(finder.warnings)
        for name, candidate in chosen.items():
            plan.append((name, finder.local_path(candidate.link), dict(candidate.link.hashes)))
    return plan


def _plan_lock(
    args: argparse.Namespace, system: System, options: SelectOptions, tmp: Path, warnings: list[str]
) -> list[tuple[str, Path, dict[str, str]]]:
    from packaging.requirements import Requirement

    from reference.errors import VariantError, Violation
    from reference.install.pylock import load_lock, package_for, select_locked

    lock = load_lock(args.lock)
    for text in args.requirements:
        if package_for(lock, Requirement(text).name) is None:
            raise _Usage(f"{args.lock} has no package {Requirement(text).name!r}")
    fetch = _lock_fetcher(tmp)
    results = select_locked(lock, system, options, fetch)
    plan = []
    for name, result in results.items():
        warnings.extend(result.selection.warnings)
        if result.wheel is None:
            raise VariantError(
                Violation("pep825:pylock-resolve", f"no compatible wheel among the locked wheels of {name}")
            )
        plan.append((name, fetch(result.wheel), dict(result.wheel.hashes)))
    return plan


# ---------------------------------------------------------------------------- lock


def _lock(args: argparse.Namespace) -> int:
    return _run(args, _lock_body)


def _lock_body(args: argparse.Namespace) -> int:
    import tempfile

    from packaging.requirements import Requirement

    from reference.install.pages import FileLink
    from reference.install.pylock import dumps_lock, package_entry
    from reference.install.resolve import Finder, resolve

    if args.lock:
        raise _Usage("lock reads --find-links or --index-url, not --lock")
    system, options, runner = _setup(args)
    with runner, tempfile.TemporaryDirectory(prefix="variant-lock-") as tmp:
        top = [Requirement(r).name for r in args.requirements]
        finder = Finder(_source(args), system, options, download_dir=Path(tmp), top_level=top)
        chosen = resolve(args.requirements, finder)
        _print_warnings(finder.warnings)
        packages = []
        for name, candidate in chosen.items():
            if args.selected_only:
                links = [candidate.link]
            else:
                links = finder.page(name).wheels_for(str(candidate.selection.version))
            metadata = candidate.selection.metadata
            if metadata is None and any(finder.page(name).parse(link.filename).is_variant for link in links):
                # variant wheels without metadata cannot be listed usefully
                links = [candidate.link]
            # pylock.toml lists a hash for every wheel: compute it where the source gave none
            links = [
                link if link.hashes else FileLink(link.filename, link.url, {"sha256": _sha256(finder, link)})
                for link in links
            ]
            entry = package_entry(
                name, candidate.selection.version or str(candidate.version), links, metadata,
                prune=not args.no_prune,
            )
            packages.append(entry)
    document = {"lock-version": "1.0", "created-by": "variant-ref", "packages": packages}
    text = dumps_lock(document)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        print(text, end="")
    return EXIT_OK


def _sha256(finder: Any, link: Any) -> str:
    import hashlib

    return hashlib.sha256(finder.local_path(link).read_bytes()).hexdigest()


def main() -> None:  # pragma: no cover - convenience for `python -m reference.cli.install`
    from reference.cli.main import main as real_main

    sys.exit(real_main())
