"""The clause catalogue: every rule the reference cites, with its sentence.

The data lives in ``reference/clauses/*.toml``, one file per document. Error
messages and explanations quote from here, so that a user sees the rule, not
just its id.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from reference._toml import loads

__all__ = ["Clause", "all_clauses", "get", "quote"]

_DIR = Path(__file__).parent / "clauses"


@dataclass(frozen=True)
class Clause:
    """One normative statement.

    :param id: stable id ``{document}:{rule}``.
    :param document: ``pep825``, ``providers``, ``building`` or ``reference``.
    :param section: the section title in the document.
    :param level: ``MUST``, ``MUST NOT``, ``SHOULD``, ``SHOULD NOT`` or ``MAY``.
    :param roles: who the statement binds.
    :param quote: the sentence, verbatim apart from markup.
    """

    id: str
    document: str
    section: str
    level: str
    roles: tuple[str, ...]
    quote: str
    note: str = ""
    untestable: str = ""


@functools.cache
def all_clauses() -> dict[str, Clause]:
    """Every clause of every catalogue file, by id."""
    result: dict[str, Clause] = {}
    for path in sorted(_DIR.glob("*.toml")):
        data = loads(path.read_text(encoding="utf-8"))
        for entry in data.get("clause", []):
            clause = Clause(
                id=entry["id"],
                document=data["document"],
                section=entry["section"],
                level=entry["level"],
                roles=tuple(entry.get("roles", ())),
                quote=entry["quote"],
                note=entry.get("note", ""),
                untestable=entry.get("untestable", ""),
            )
            if clause.id in result:
                raise RuntimeError(f"duplicate clause id {clause.id} in {path}")
            result[clause.id] = clause
    return result


def get(clause_id: str) -> Clause:
    """The clause with this id; ``KeyError`` if the catalogue lacks it (a bug)."""
    return all_clauses()[clause_id]


def quote(clause_id: str) -> str:
    """The quoted sentence of a clause, or ``""`` for an unknown id."""
    clause = all_clauses().get(clause_id)
    return clause.quote if clause else ""
