"""The outcome of a selection: every candidate wheel with its verdict, the ranking, the markers.

:func:`reference.selection.select.select_wheel` fills these in;
:func:`reference.selection.explain.explain_selection` renders them for people
and :meth:`Selection.to_json` for ``--json``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reference.format.filename import WheelFilename
from reference.format.model import VariantMetadata
from reference.providers.support import NamespaceSupport
from reference.selection.markers import VariantMarkers, evaluate_requires
from reference.selection.ordering import PropertyKey, VariantOrder
from reference.selection.system import SelectOptions

__all__ = ["Candidate", "Reason", "Selection"]


@dataclass(frozen=True)
class Reason:
    """Why a candidate is not compatible: a clause id and a message."""

    clause: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"clause": self.clause, "message": self.message}

    def __str__(self) -> str:
        return f"{self.message} [{self.clause}]"


@dataclass
class Candidate:
    """One wheel and the verdict on it.

    :param tag_rank: position of its most preferred supported tag (lower is
        better), ``None`` when no tag is supported.
    :param sort_key: for a compatible variant wheel, the step-6 property keys.
    :param rank: position in :attr:`Selection.ranked`, ``None`` if not ranked.
    """

    filename: str
    wheel: WheelFilename | None
    reasons: list[Reason] = field(default_factory=list)
    tag_rank: int | None = None
    sort_key: tuple[PropertyKey, ...] | None = None
    rank: int | None = None

    @property
    def compatible(self) -> bool:
        """True when nothing rules the wheel out."""
        return not self.reasons

    @property
    def label(self) -> str | None:
        """The variant label, ``None`` for a non-variant wheel."""
        return self.wheel.variant_label if self.wheel else None

    def to_json(self) -> dict[str, Any]:
        """``rank`` as ``--explain`` numbers it: 1 for the selected wheel (``None``: not ranked)."""
        return {
            "filename": self.filename,
            "label": self.label,
            "compatible": self.compatible,
            "reasons": [r.to_json() for r in self.reasons],
            "clauses": sorted({r.clause for r in self.reasons}),
            "tag_rank": self.tag_rank,
            "sort_key": [list(k) for k in self.sort_key[:-1]] if self.sort_key else None,
            "rank": self.rank + 1 if self.rank is not None else None,
        }


@dataclass
class Selection:
    """The outcome of :func:`select_wheel`."""

    candidates: list[Candidate]
    ranked: list[str]
    metadata: VariantMetadata | None
    support: dict[str, NamespaceSupport]
    order: VariantOrder | None
    options: SelectOptions
    markers: VariantMarkers | None = None
    warnings: list[str] = field(default_factory=list)
    profile_name: str = ""

    @property
    def selected(self) -> str | None:
        """The chosen wheel's filename, or ``None``."""
        return self.ranked[0] if self.ranked else None

    def in_rank_order(self) -> list[Candidate]:
        """The candidates as people read them: ranked ones first (the selected wheel first),
        then the others by filename."""
        return sorted(self.candidates, key=lambda c: (c.rank is None, c.rank or 0, c.filename))

    @property
    def version(self) -> str | None:
        """The version of the wheels considered (from the first parsable filename)."""
        for candidate in self.candidates:
            if candidate.wheel is not None:
                return candidate.wheel.version
        return None

    def requires(
        self, requires_dist: Iterable[str], environment: Mapping[str, str] | None = None
    ) -> list[str]:
        """The selected wheel's ``Requires-Dist`` entries whose markers are true.

        Spec: pep825:markers-after-selection
        """
        if self.markers is None:
            return []
        return evaluate_requires(requires_dist, self.markers, environment)

    def to_json(self, requires: Sequence[str] | None = None) -> dict[str, Any]:
        """The ``--json`` document: ``selected``, ``ranked``, ``requires``, ``markers``, ``candidates``
        (in rank order, each ``rank`` numbered from 1 as ``--explain`` shows it).

        Also ``support`` (per namespace, how its properties were obtained) and ``warnings``.
        """
        return {
            "selected": self.selected,
            "ranked": list(self.ranked),
            "requires": list(requires or []),
            "markers": self.markers.to_json() if self.markers else None,
            "candidates": [c.to_json() for c in self.in_rank_order()],
            "support": {ns: s.to_json() for ns, s in self.support.items()},
            "warnings": list(self.warnings),
        }
