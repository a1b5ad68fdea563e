"""The ``mutant:<id>`` adapter: the reference adapter with one mutant applied.

A mutant (:mod:`conformance.mutant_table`) is the reference implementation with one
plausible spec mistake. This adapter runs every op exactly as the reference
adapter does, with the mutant's patch applied around the call, so a mutant is
measured through the same adapter interface as any installer::

    pytest conformance --adapter conformance.adapters.mutant:null-after-non-variant

(``mutant:<id>`` once the adapter registry knows the prefix). The module-level
``__getattr__`` makes every mutant id an attribute of this module, for the
``module:attr`` form of ``--adapter``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from conformance.adapters.base import AdapterInfo, Errored, Outcome, Workspace
from conformance.mutant_table import MUTANTS, Mutant

__all__ = ["MutantAdapter"]


class MutantAdapter:
    """The reference adapter under one mutant.

    :param mutant: the mutant id (or the adapter option ``mutant``), or a
        :class:`~conformance.mutant_table.Mutant` row that need not be in the
        table (an ablation: one rule of the reference removed or reversed).
    :param options: adapter options, handed to the reference adapter.
    :param reference: a reference adapter to share (its plugin environments are
        reused); one is created, and closed by :meth:`close`, when not given.
    """

    #: the ``--adapter-option`` keys: ``mutant`` and the reference adapter's
    OPTIONS: Mapping[str, str] = {
        "mutant": "the mutant id (instead of mutant:ID)",
        "plugin-timeout": "seconds one provider plugin query may take (default 5)",
    }

    def __init__(
        self,
        mutant: str | Mutant | None = None,
        options: Mapping[str, str] | None = None,
        reference: Any = None,
    ) -> None:
        from conformance.adapters.reference import ReferenceAdapter

        options = dict(options or {})
        chosen = mutant or options.pop("mutant", None)
        if not isinstance(chosen, Mutant):
            if chosen not in MUTANTS:
                known = ", ".join(MUTANTS)
                raise ValueError(f"unknown mutant {chosen!r}; known: {known}")
            chosen = MUTANTS[chosen]
        self.mutant = chosen
        self._owns = reference is None
        self._reference = reference if reference is not None else ReferenceAdapter(options)

    def info(self) -> AdapterInfo:
        """The reference's capabilities, under the name ``mutant:<id>``."""
        base = self._reference.info()
        return AdapterInfo(
            name=f"mutant:{self.mutant.id}",
            version=base.version,
            capabilities=base.capabilities,
            schema_versions=base.schema_versions,
        )

    def run(self, op: str, input: Mapping[str, Any], workspace: Workspace) -> Outcome:
        """Run the reference adapter with the mutant applied."""
        try:
            with self.mutant.apply():
                outcome: Outcome = self._reference.run(op, input, workspace)
        except Exception as exc:  # a mutant may crash where the reference would not
            return Errored(f"mutant {self.mutant.id} raised {type(exc).__name__}: {exc}")
        return outcome

    def close(self) -> None:
        """Close the reference adapter if this adapter created it."""
        if self._owns:
            self._reference.close()


def __getattr__(name: str) -> Any:
    """``conformance.adapters.mutant:<id>``: a factory for that mutant's adapter."""
    if name in MUTANTS:
        return functools.partial(MutantAdapter, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
