"""``python -m conformance coverage``: how much of the specification the cases check.

Every conformance case names the clause ids it checks (``spec`` in the case
file); every clause of the catalogue (``reference/clauses/*.toml``) has a
document, a level and the roles it binds. This module joins the two:

- per document and level, how many clauses are covered (named by at least one
  case) and by how many cases in total;
- every uncovered MUST-level clause (``MUST``, ``MUST NOT``, ``REQUIRED``,
  ``SHALL``, ``SHALL NOT``) that binds an installer or a metadata consumer,
  either with the catalogue's ``untestable`` reason (for example a rule for
  plugins, run by no installer under test) or flagged as a *gap*: a clause
  this suite could check and does not yet.

The figures are counts of what the case files say, not of what passes: a
case counts for its clauses whether or not a given implementation passes it.
``docs/strength.md`` explains how to read them.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "BINDING_ROLES",
    "MUST_LEVELS",
    "PROJECT_DOCUMENTS",
    "ClauseCoverage",
    "CoverageReport",
    "add_arguments",
    "coverage_report",
    "format_report",
    "format_rules",
    "rules_json",
    "run",
]

#: Levels treated as absolute requirements (RFC 2119: REQUIRED and SHALL mean MUST).
MUST_LEVELS: frozenset[str] = frozenset({"MUST", "MUST NOT", "REQUIRED", "SHALL", "SHALL NOT"})

#: Roles this suite measures: installers and other consumers of variant metadata.
BINDING_ROLES: frozenset[str] = frozenset({"installer", "consumer"})

#: Documents that are not the specification: this project's own rules (``reference:``).
#: They are reported, but left out of the goal figures and the gap list.
PROJECT_DOCUMENTS: frozenset[str] = frozenset({"reference"})

#: Levels in the order the report lists them.
_LEVEL_ORDER = ("MUST", "MUST NOT", "REQUIRED", "SHALL", "SHALL NOT", "SHOULD", "SHOULD NOT",
                "RECOMMENDED", "MAY", "OPTIONAL")


@dataclass(frozen=True)
class ClauseCoverage:
    """One clause and the cases that name it.

    :param id: the clause id.
    :param document: ``pep825``, ``providers``, ``building``, ``reference``, ``wheel``.
    :param level: the clause's level (``MUST``, ``SHOULD``...).
    :param roles: who the clause binds.
    :param cases: ids of the cases naming the clause, sorted.
    :param untestable: the catalogue's reason the suite cannot check it, or ``""``.
    """

    id: str
    document: str
    level: str
    roles: tuple[str, ...]
    section: str
    cases: tuple[str, ...]
    untestable: str = ""

    @property
    def covered(self) -> bool:
        """Named by at least one case."""
        return bool(self.cases)

    @property
    def must(self) -> bool:
        """An absolute requirement (see :data:`MUST_LEVELS`)."""
        return self.level in MUST_LEVELS

    @property
    def binds_consumer(self) -> bool:
        """Binds an installer or a metadata consumer (see :data:`BINDING_ROLES`)."""
        return bool(BINDING_ROLES & set(self.roles))


@dataclass(frozen=True)
class CoverageReport:
    """The joined catalogue and cases.

    :param clauses: every catalogue clause, by id, in catalogue order.
    :param case_count: number of cases loaded.
    :param unknown: clause ids named by cases but missing from the catalogue,
        with the cases naming them (the suite's own tests reject these).
    """

    clauses: Mapping[str, ClauseCoverage]
    case_count: int
    unknown: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def table(self) -> dict[str, dict[str, dict[str, int]]]:
        """``{document: {level: {"clauses", "covered", "cases"}}}``.

        ``cases`` counts (case, clause) pairs: a case naming two clauses of the
        same row counts twice, so the figure says how thickly the row is checked.
        """
        out: dict[str, dict[str, dict[str, int]]] = {}
        for clause in self.clauses.values():
            row = out.setdefault(clause.document, {}).setdefault(
                clause.level, {"clauses": 0, "covered": 0, "cases": 0}
            )
            row["clauses"] += 1
            row["covered"] += clause.covered
            row["cases"] += len(clause.cases)
        return {
            document: dict(sorted(levels.items(), key=lambda item: _level_rank(item[0])))
            for document, levels in sorted(out.items())
        }

    def uncovered_must(self, *, project: bool = False) -> list[ClauseCoverage]:
        """Uncovered MUST-level specification clauses binding an installer or consumer.

        :param project: list this project's own rules (:data:`PROJECT_DOCUMENTS`) instead.
        """
        return [
            c
            for c in self.clauses.values()
            if c.must and c.binds_consumer and not c.covered
            and (c.document in PROJECT_DOCUMENTS) == project
        ]

    def gaps(self) -> list[ClauseCoverage]:
        """:meth:`uncovered_must` without an ``untestable`` reason: work left for the suite."""
        return [c for c in self.uncovered_must() if not c.untestable]

    def goal_figures(self) -> dict[str, int]:
        """The issue's goal: MUST-level clauses binding installers/consumers, and how many are covered."""
        relevant = [
            c
            for c in self.clauses.values()
            if c.must and c.binds_consumer and c.document not in PROJECT_DOCUMENTS
        ]
        untestable = [c for c in relevant if not c.covered and c.untestable]
        return {
            "clauses": len(relevant),
            "covered": sum(c.covered for c in relevant),
            "untestable": len(untestable),
            "gaps": len(relevant) - sum(c.covered for c in relevant) - len(untestable),
        }

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` document."""
        return {
            "cases": self.case_count,
            "table": self.table(),
            "goal": self.goal_figures(),
            "uncovered_must": [
                {
                    "id": c.id,
                    "level": c.level,
                    "roles": list(c.roles),
                    "section": c.section,
                    "untestable": c.untestable or None,
                    "gap": not c.untestable,
                }
                for c in self.uncovered_must()
            ],
            "uncovered_project_rules": [c.id for c in self.uncovered_must(project=True)],
            "clauses": {
                c.id: {
                    "document": c.document,
                    "level": c.level,
                    "roles": list(c.roles),
                    "cases": list(c.cases),
                    "untestable": c.untestable or None,
                }
                for c in self.clauses.values()
            },
            "unknown_clauses": {k: list(v) for k, v in self.unknown.items()},
        }


def _level_rank(level: str) -> int:
    return _LEVEL_ORDER.index(level) if level in _LEVEL_ORDER else len(_LEVEL_ORDER)


def coverage_report(clauses: Iterable[Any], cases: Iterable[Any]) -> CoverageReport:
    """Join catalogue clauses (``reference.clauses.Clause``) and cases (``conformance.cases.Case``).

    Only the ``id``, ``document``, ``section``, ``level``, ``roles`` and
    ``untestable`` of a clause and the ``id`` and ``clauses`` of a case are read.
    """
    by_clause: dict[str, set[str]] = {}
    count = 0
    for case in cases:
        count += 1
        for clause_id in case.clauses:
            by_clause.setdefault(clause_id, set()).add(case.id)
    result: dict[str, ClauseCoverage] = {}
    for clause in clauses:
        result[clause.id] = ClauseCoverage(
            id=clause.id,
            document=clause.document,
            level=clause.level,
            roles=tuple(clause.roles),
            section=clause.section,
            cases=tuple(sorted(by_clause.get(clause.id, ()))),
            untestable=clause.untestable,
        )
    unknown = {k: tuple(sorted(v)) for k, v in sorted(by_clause.items()) if k not in result}
    return CoverageReport(result, count, unknown)


def load_report() -> CoverageReport:
    """The report for the shipped catalogue and cases."""
    from conformance.cases import load_cases
    from reference.clauses import all_clauses

    return coverage_report(all_clauses().values(), load_cases())


def rules_json() -> list[dict[str, Any]]:
    """Every rule of the rule table with the cases it alone decides (``--json``: ``rules``)."""
    from conformance.rule_table import RULES

    return [
        {
            "id": r.id,
            "group": r.group,
            "clause": r.clause,
            "text": r.text,
            "decisive": list(r.decisive),
            "inapplicable": r.inapplicable or None,
        }
        for r in RULES
    ]


def format_rules() -> str:
    """Decisive cases per rule: the cases each rule alone decides (proven by tests/test_ablation.py)."""
    from conformance.rule_table import RULES

    lines = [
        "Decisive cases per rule (conformance/rule_table.py): removing the rule from the reference",
        "flips each listed case (tests/test_ablation.py; python -m conformance ablation --all-cases",
        "lists every case that flips)",
    ]
    group = ""
    for r in RULES:
        if r.group != group:
            group = r.group
            lines += ["", f"  {group}"]
        lines.append(f"    {r.id} [{r.clause}]: {len(r.decisive)} - {r.text}")
        if r.inapplicable:
            lines.append(f"      none: {r.inapplicable}")
        lines += [f"      {case_id}" for case_id in r.decisive]
    return "\n".join(lines) + "\n"


def format_report(report: CoverageReport) -> str:
    """The human-readable report."""
    lines = [f"Clause coverage: {report.case_count} cases, {len(report.clauses)} clauses", ""]
    rows: list[Sequence[str]] = [("document", "level", "clauses", "covered", "%", "cases")]
    for document, levels in report.table().items():
        for level, row in levels.items():
            share = f"{100 * row['covered'] / row['clauses']:.0f}" if row["clauses"] else "-"
            rows.append((document, level, str(row["clauses"]), str(row["covered"]), share,
                         str(row["cases"])))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for cols in rows:
        cells = [cols[0].ljust(widths[0]), cols[1].ljust(widths[1])]
        cells += [cell.rjust(width) for cell, width in zip(cols[2:], widths[2:], strict=True)]
        lines.append("  " + "  ".join(cells))
    goal = report.goal_figures()
    lines += [
        "",
        f"MUST-level specification clauses binding an installer or consumer: {goal['clauses']}, "
        f"covered {goal['covered']}, untestable by this suite {goal['untestable']}, "
        f"gaps {goal['gaps']}",
    ]
    uncovered = report.uncovered_must()
    if uncovered:
        lines += ["", "Uncovered MUST-level specification clauses binding an installer or consumer:"]
        for clause in uncovered:
            verdict = f"untestable: {clause.untestable}" if clause.untestable else "GAP: no case checks it"
            lines.append(f"  {clause.id} [{clause.level}; {', '.join(clause.roles)}] {verdict}")
    project = report.uncovered_must(project=True)
    if project:
        lines += [
            "",
            f"Uncovered MUST rules of this project (reference:, not in the specification): {len(project)}",
            "  " + ", ".join(c.id for c in project),
        ]
    if report.unknown:
        lines += ["", "Clause ids named by cases but missing from the catalogue:"]
        for clause_id, case_ids in report.unknown.items():
            lines.append(f"  {clause_id}: {', '.join(case_ids)}")
    return "\n".join(lines) + "\n\n" + format_rules()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``coverage`` subcommand's options."""
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--rules", action="store_true",
                        help="print only the decisive cases per rule (conformance/rule_table.py)")
    parser.add_argument(
        "--fail-on-gap",
        action="store_true",
        help="exit 1 if an installer/consumer MUST clause is neither covered nor marked untestable",
    )


def run(args: argparse.Namespace) -> int:
    """Print the report; exit 1 on a case loading error (or a gap with --fail-on-gap)."""
    from conformance.cases import CaseFileError

    try:
        report = load_report()
    except CaseFileError as exc:
        print(f"error: the case files do not load:\n{exc}", file=sys.stderr)
        return 1
    if args.json:
        document = report.to_json()
        document["rules"] = rules_json()
        print(json.dumps(document, indent=2, sort_keys=False))
    elif args.rules:
        sys.stdout.write(format_rules())
    else:
        sys.stdout.write(format_report(report))
    return 1 if args.fail_on_gap and report.gaps() else 0
