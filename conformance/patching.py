"""Replacing a named rule of the reference for the duration of a ``with`` block.

The one mechanism behind the mutants (:mod:`conformance.mutant_table`), and
meant for any experiment that changes one rule and watches which cases flip
(ablation: remove a rule, or reverse it).  A :class:`Patch` names its target as
a plain ``"module:attr"`` string (``"reference.selection.ordering:rank_variants"``) and
says what replaces it with one of a few *kinds*:

- :func:`value` — a non-callable attribute (a regular expression, a table)
  becomes another value;
- :func:`instead` — the function is replaced outright: ``fn(args)`` answers
  and the original never runs (``returns`` a constant is ``instead(lambda
  args: constant)``: the rule removed);
- :func:`arguments` — ``fn(args)`` returns the arguments to change, then the
  original runs with them;
- :func:`result` — the original runs, then ``fn(result, args)`` changes its
  answer;
- :func:`around` — ``fn(call, args)`` decides everything: ``call(**changes)``
  runs the original with some arguments changed.

``args`` is a read-only mapping of the call's arguments *by parameter name*
(defaults filled in), taken from the original's signature, so a replacement
never restates a signature and keeps working when parameters are added.

:func:`applied` rebinds the target in the module defining it *and* in every
``reference`` module (and ``conformance.adapters.reference``) that imported it
by name, and restores all of them on exit.  Nothing here is thread-safe;
nothing is written to disk.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import inspect
import pkgutil
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

__all__ = [
    "Kind",
    "Patch",
    "PatchBroken",
    "applied",
    "arguments",
    "around",
    "instead",
    "replace",
    "result",
    "value",
]

#: Modules whose globals are rebound along with the target's home module.
_SITE_PACKAGES = ("reference",)
_SITE_MODULES = ("conformance.adapters.reference",)
_SITE_PREFIXES = tuple(f"{package}." for package in _SITE_PACKAGES)

Args = Mapping[str, Any]


class PatchBroken(RuntimeError):
    """A patch's target no longer exists (the reference changed): update its ``module:attr``."""


@dataclass(frozen=True)
class Kind:
    """How a target is replaced: ``make(original)`` builds the replacement.

    :param name: the kind (``value``, ``instead``, ``arguments``, ``result``, ``around``).
    """

    name: str
    make: Callable[[Any], Any]


@dataclass(frozen=True)
class Patch:
    """One replacement: *target* (``"module:attr"``) by *kind*."""

    target: str
    kind: Kind

    def apply(self) -> contextlib.AbstractContextManager[Any]:
        """Replace the target for the duration of a ``with`` block (yields the replacement)."""
        module, sep, attr = self.target.partition(":")
        if not sep or not module or not attr:
            raise PatchBroken(f"target {self.target!r} is not 'module:attr'")
        return replace(module, attr, self.kind.make)


@contextlib.contextmanager
def applied(patches: Sequence[Patch]) -> Iterator[None]:
    """Apply every patch of *patches* for the duration of a ``with`` block."""
    with contextlib.ExitStack() as stack:
        for patch in patches:
            stack.enter_context(patch.apply())
        yield


# ---------------------------------------------------------------------------
# the kinds
# ---------------------------------------------------------------------------
def value(new: Any) -> Kind:
    """The attribute becomes *new*."""
    return Kind("value", lambda original: new)


def instead(fn: Callable[[Args], Any]) -> Kind:
    """The function answers ``fn(args)``; the original is never called."""
    return Kind("instead", lambda original: _wrapper(original, lambda call, args: fn(args)))


def arguments(fn: Callable[[Args], Mapping[str, Any]]) -> Kind:
    """The original is called with the arguments ``fn(args)`` returns changed."""
    return Kind("arguments", lambda original: _wrapper(original, lambda call, args: call(**fn(args))))


def result(fn: Callable[[Any, Args], Any]) -> Kind:
    """The original's result becomes ``fn(result, args)``."""
    return Kind("result", lambda original: _wrapper(original, lambda call, args: fn(call(), args)))


def around(fn: Callable[[Callable[..., Any], Args], Any]) -> Kind:
    """``fn(call, args)`` answers; ``call(**changes)`` runs the original with *changes*."""
    return Kind("around", lambda original: _wrapper(original, fn))


def _wrapper(original: Callable[..., Any], body: Callable[[Callable[..., Any], Args], Any]) -> Any:
    signature = inspect.signature(original)

    @functools.wraps(original)
    def replacement(*a: Any, **kw: Any) -> Any:
        bound = signature.bind(*a, **kw)
        bound.apply_defaults()

        def call(**changes: Any) -> Any:
            if not changes:
                return original(*bound.args, **bound.kwargs)
            again = signature.bind(*bound.args, **bound.kwargs)
            again.arguments.update(changes)
            return original(*again.args, **again.kwargs)

        return body(call, MappingProxyType(bound.arguments))

    return replacement


# ---------------------------------------------------------------------------
# rebinding
# ---------------------------------------------------------------------------
@functools.cache
def _preload() -> None:
    """Import every reference module (once), so each one binding a target by name is found.

    (A module imported after the patch would bind the patched object and keep it.)
    """
    for package_name in _SITE_PACKAGES:
        package = importlib.import_module(package_name)
        for info in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            if not info.name.rsplit(".", 1)[-1].startswith("__"):
                importlib.import_module(info.name)


@contextlib.contextmanager
def replace(module: str, attr: str, make: Callable[[Any], Any]) -> Iterator[Any]:
    """Rebind ``module.attr`` to ``make(original)`` wherever the reference bound it.

    Every loaded ``reference.*`` (and ``conformance.adapters.reference``) module
    whose global ``attr`` *is* the original object is patched too, so that a
    function imported with ``from reference.x import f`` is replaced at its
    call sites. Everything is restored on exit.

    :raises PatchBroken: ``module.attr`` does not exist.
    :yields: the replacement.
    """
    _preload()
    try:
        home = importlib.import_module(module)
    except ImportError:
        raise PatchBroken(f"module {module} no longer exists; the patch of {attr} needs updating") from None
    if attr not in vars(home):
        raise PatchBroken(f"{module}.{attr} no longer exists; the patch needs updating")
    original = vars(home)[attr]
    replacement = make(original)
    sites = [
        mod
        for name, mod in list(sys.modules.items())
        if _is_site(name) and vars(mod).get(attr) is original
    ]
    sites = sites if home in sites else [home, *sites]
    for mod in sites:
        setattr(mod, attr, replacement)
    try:
        yield replacement
    finally:
        for mod in sites:
            setattr(mod, attr, original)


def _is_site(name: str) -> bool:
    return name in _SITE_MODULES or name in _SITE_PACKAGES or name.startswith(_SITE_PREFIXES)
