"""Finding an adapter by the name given to ``--adapter``.

A name is resolved in this order:

1. ``command:PROGRAM [ARGS...]`` — a harness speaking the JSON-lines protocol
   (:mod:`conformance.adapters.command`), for tools not written in Python;
   ``mutant:ID`` — the reference with one deliberate spec mistake
   (:mod:`conformance.mutant_table`), to measure the suite's strength;
2. ``path/to/file.py:attr`` — ``attr`` of a Python file;
3. ``package.module:attr`` — ``attr`` of an importable module;
4. a built-in name (``reference``, ``uv``, ``pip``, ``variantlib``);
5. a name registered by an installed distribution under the entry-point group
   ``wheel_variant_conformance.adapters``.

``attr`` (or the entry point's object) may be an adapter instance, a class, or
a factory; classes and factories are called with the adapter options
(``--adapter-option KEY=VALUE``) as keyword arguments when they accept them,
else with no arguments.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.util
import inspect
import shlex
import sys
from collections.abc import Iterable, Mapping
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from conformance.adapters.base import CAPABILITIES, Adapter, AdapterInfo, is_known_capability

__all__ = [
    "BUILTIN",
    "ENTRY_POINT_GROUP",
    "AdapterMisconfigured",
    "AdapterNotFound",
    "check_adapter",
    "load_adapter",
]

#: The entry-point group under which installed packages register adapters.
ENTRY_POINT_GROUP = "wheel_variant_conformance.adapters"

#: Built-in adapter names and where they live (``module:attr``).
BUILTIN: dict[str, str] = {
    "reference": "conformance.adapters.reference:ReferenceAdapter",
    "uv": "conformance.adapters.uv:UvAdapter",
    "pip": "conformance.adapters.pip:PipAdapter",
    "variantlib": "conformance.adapters.variantlib:VariantlibAdapter",
}


class AdapterNotFound(LookupError):
    """``--adapter`` names nothing that can be loaded; the message says why."""


class AdapterMisconfigured(ValueError):
    """An ``--adapter-option`` key the adapter does not read, or a capability name the suite
    does not know (a case requiring the real name would be skipped silently)."""


def _closest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    return f": did you mean {close[0]!r}?" if close else ""


def check_adapter(adapter: Any, info: AdapterInfo, options: Mapping[str, str]) -> None:
    """Every option key is one the adapter declares, and every capability is in the vocabulary.

    An adapter declares the option keys it reads in an ``OPTIONS`` mapping
    (``{key: what it does}``; a harness in its start reply's
    ``implementation.options``); one that declares none takes none.

    :raises AdapterMisconfigured: naming each unknown name and the closest valid one.
    """
    declared = getattr(adapter, "OPTIONS", None)
    known = dict(declared) if isinstance(declared, Mapping) else {}
    problems = []
    for key in sorted(options):
        if key in known:
            continue
        reads = f" (it reads: {', '.join(sorted(known))})" if known else (
            " (it declares no options: an adapter lists the keys it reads in OPTIONS)"
        )
        problems.append(f"adapter {info.name} has no option {key!r}{_closest(key, known)}{reads}")
    for name in sorted(info.capabilities | info.indirect):
        if not is_known_capability(name):
            problems.append(
                f"adapter {info.name} declares the unknown capability {name!r}{_closest(name, CAPABILITIES)} "
                "(cases requiring the real name would be skipped)"
            )
    if problems:
        raise AdapterMisconfigured("; ".join(problems))


def load_adapter(spec: str, options: Mapping[str, str] | None = None) -> Adapter:
    """Load the adapter *spec* names (see the module docstring for the forms).

    :param spec: the ``--adapter`` value.
    :param options: the ``--adapter-option`` pairs, handed to a factory.
    :raises AdapterNotFound: nothing loadable under that name.
    """
    options = dict(options or {})
    if spec.startswith("command:"):
        from conformance.adapters.command import CommandAdapter

        argv = shlex.split(spec[len("command:") :])
        if not argv:
            raise AdapterNotFound("'command:' needs a program, as in 'command:./my-harness'")
        return CommandAdapter(argv, options=options)
    if spec.startswith("mutant:"):
        from conformance.adapters.mutant import MutantAdapter

        try:
            return MutantAdapter(spec[len("mutant:") :], options=options)
        except ValueError as exc:
            raise AdapterNotFound(str(exc)) from None
    if ":" in spec:
        target, _, attr = spec.rpartition(":")
        if target.endswith(".py") or "/" in target or "\\" in target:
            obj = _from_file(Path(target), attr)
        else:
            obj = _from_module(target, attr)
        return _instantiate(obj, options, spec)
    if spec in BUILTIN:
        module, _, attr = BUILTIN[spec].partition(":")
        return _instantiate(_from_module(module, attr), options, spec)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name == spec:
            return _instantiate(ep.load(), options, spec)
    known = sorted(set(BUILTIN) | {ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)})
    raise AdapterNotFound(
        f"unknown adapter {spec!r}; known names: {', '.join(known)}; "
        "or use 'module:attr', 'path/to/file.py:attr' or 'command:./harness'"
    )


def _from_module(module: str, attr: str) -> Any:
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        raise AdapterNotFound(f"cannot import {module!r}: {exc}") from exc
    try:
        return getattr(mod, attr)
    except AttributeError:
        raise AdapterNotFound(f"module {module!r} has no attribute {attr!r}") from None


def _from_file(path: Path, attr: str) -> Any:
    if not path.is_file():
        raise AdapterNotFound(f"no such file: {path}")
    name = f"_conformance_adapter_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise AdapterNotFound(f"cannot load {path} as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[name]
        raise AdapterNotFound(f"importing {path} failed: {type(exc).__name__}: {exc}") from exc
    try:
        return getattr(module, attr)
    except AttributeError:
        raise AdapterNotFound(f"{path} has no attribute {attr!r}") from None


def _instantiate(obj: Any, options: dict[str, str], spec: str) -> Adapter:
    if callable(obj) and not _is_adapter(obj):
        try:
            params = inspect.signature(obj).parameters.values()
        except (TypeError, ValueError):
            params = []  # type: ignore[assignment]
        takes_options = any(p.kind is inspect.Parameter.VAR_KEYWORD or p.name == "options" for p in params)
        obj = obj(options=options) if takes_options else obj()
    if not _is_adapter(obj):
        raise AdapterNotFound(f"{spec!r} is not an adapter: it needs info() and run() methods")
    return obj  # type: ignore[no-any-return]


def _is_adapter(obj: Any) -> bool:
    return (
        not isinstance(obj, type)
        and callable(getattr(obj, "info", None))
        and callable(getattr(obj, "run", None))
    )
