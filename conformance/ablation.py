"""Ablation: every rule removed (and, where that makes sense, reversed) must flip a case.

A conformance case is *decisive* for a rule when the rule alone decides its
outcome: take the rule out of the reference and the case fails. The rule
table (:mod:`conformance.rule_table`) lists, for each rule of PEP 825 and the
providers text the suite claims to check (ordering steps 1-7, the placements,
each provider step, each option, each marker variable and operator, each
combination and lock rule), how to remove it, how to reverse it, and the cases
it decides. This module runs the rows through the mutation machinery
(:func:`conformance.mutants.run_mutants`, the reference adapter with the patch
applied, compared with the suite's own comparison):

- **verify** (the default, and ``tests/test_ablation.py``): every case a rule
  lists must flip under its removal, and the cases listed for its reversal
  under the reversal; only those cases run, so this is fast;
- **discover** (``--all-cases``): every case of the ops a row touches runs, and
  the report lists all that flip: where to look for a rule's decisive cases.

``python -m conformance ablation [--rule ID ...] [--all-cases] [--json]``.
A case "flips" when its expectation fails against the row; a row that crashes
on a case is reported apart and never counts as a flip.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from conformance.mutant_table import Mutant
from conformance.rule_table import RULES, Rule

__all__ = [
    "README_BEGIN",
    "README_BLOCK",
    "README_END",
    "RULES",
    "AblationResult",
    "Rule",
    "add_arguments",
    "credit_gaps",
    "format_results",
    "judged_clauses",
    "lazy_passes",
    "readme_table",
    "run",
    "run_ablation",
    "write_readme",
]


@dataclass
class AblationResult:
    """One rule's rows against their cases.

    :param flipped: per row id, the cases whose outcome changed.
    :param crashed: per row id, the cases on which the row raised or errored.
    :param missing: per row id, listed cases that did not flip.
    """

    rule: Rule
    flipped: dict[str, list[str]] = field(default_factory=dict)
    crashed: dict[str, list[str]] = field(default_factory=dict)
    missing: dict[str, list[str]] = field(default_factory=dict)
    broken: dict[str, str] = field(default_factory=dict)

    @property
    def proven(self) -> bool:
        """Every row flips every case listed for it, and at least one (no broken patch).

        A rule the reference cannot decide (:attr:`Rule.inapplicable`) lists no case and
        is not proven.
        """
        if self.rule.inapplicable:
            return False
        return not self.broken and all(
            not self.missing.get(row.id) and self.flipped.get(row.id) for row in self.rule.rows
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule.id,
            "group": self.rule.group,
            "clause": self.rule.clause,
            "text": self.rule.text,
            "decisive": list(self.rule.decisive),
            "inapplicable": self.rule.inapplicable or None,
            "rows": [
                {
                    "id": row.id,
                    "description": row.description,
                    "flipped": self.flipped.get(row.id, []),
                    "crashed": self.crashed.get(row.id, []),
                    "not_flipped": self.missing.get(row.id, []),
                    "broken": self.broken.get(row.id),
                }
                for row in self.rule.rows
            ],
            "proven": self.proven,
        }


def run_ablation(
    rules: Sequence[Rule] | None = None, cases: Sequence[Any] | None = None, *, all_cases: bool = False
) -> list[AblationResult]:
    """Run every row of *rules* against its listed cases (or, *all_cases*, every relevant case).

    :param cases: default: every shipped case.
    """
    from conformance.cases import load_cases
    from conformance.mutants import _relevant, run_mutants

    chosen = list(rules if rules is not None else RULES)
    available = list(cases if cases is not None else load_cases())
    owner: dict[str, Rule] = {row.id: r for r in chosen for row in r.rows}

    def listed(row: Mutant, pool: Sequence[Any]) -> list[Any]:
        if all_cases:
            return _relevant(row, pool)
        wanted = set(owner[row.id].flipped_by(row))
        return [c for c in pool if c.id in wanted]

    rows = [row for r in chosen for row in r.rows]
    outcome = run_mutants(rows, available, relevant=listed)
    results = {r.id: AblationResult(r) for r in chosen}
    known = {c.id for c in available}
    for verdict in outcome.results:
        row = verdict.mutant
        entry = results[owner[row.id].id]
        entry.flipped[row.id] = sorted(verdict.killed_by)
        entry.crashed[row.id] = sorted(verdict.crashed_by)
        if verdict.broken:
            entry.broken[row.id] = verdict.broken
        wanted = owner[row.id].flipped_by(row)
        entry.missing[row.id] = [c for c in wanted if c not in verdict.killed_by or c not in known]
    return [results[r.id] for r in chosen]


def format_results(results: Sequence[AblationResult], *, all_cases: bool = False) -> str:
    """The human-readable report."""
    lines = []
    for entry in results:
        rule = entry.rule
        mark = "proven " if entry.proven else "n/a    " if rule.inapplicable else "MISSING"
        lines.append(f"{mark} {rule.id} [{rule.clause}] {rule.text} ({len(rule.decisive)} decisive)")
        if rule.inapplicable:
            lines.append(f"    not decided by the reference: {rule.inapplicable}")
        for row in rule.rows:
            kind = row.id.rsplit(":", 1)[-1]
            flipped = entry.flipped.get(row.id, [])
            lines.append(f"    {kind}: {row.description}: {len(flipped)} flipped")
            shown = flipped if all_cases else []
            lines += [f"      flips {case_id}" for case_id in shown]
            lines += [f"      DOES NOT FLIP {case_id}" for case_id in entry.missing.get(row.id, [])]
            lines += [f"      crashed on {case_id}" for case_id in entry.crashed.get(row.id, [])]
            if row.id in entry.broken:
                lines.append(f"      the patch does not apply: {entry.broken[row.id]}")
    proven = sum(e.proven for e in results)
    applicable = sum(not e.rule.inapplicable for e in results)
    lines += ["", f"Rules proven decisive by ablation: {proven}/{applicable} "
              f"({len(results) - applicable} the reference cannot decide)"]
    return "\n".join(lines) + "\n"


#: the README block of :func:`readme_table` (written by :func:`conformance.report.write_block`)
README_BLOCK = "decisive"
README_BEGIN = f"<!-- {README_BLOCK}:start -->"
README_END = f"<!-- {README_BLOCK}:end -->"


def readme_table(results: Sequence[AblationResult]) -> str:
    """The README's table: per rule, the cases its removal flips (decisive), those its reversal
    flips, and how many the rule table lists (each proven in CI by tests/test_ablation.py).

    *results* must come from an ``all_cases`` run.
    """
    lines = [
        "| rule | clause | decisive cases | flipped by the reversal | listed, proven in CI |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for entry in results:
        rule = entry.rule
        removed = len(entry.flipped.get(rule.removed.id, []))
        reversal = "-" if rule.reversed is None else str(len(entry.flipped.get(rule.reversed.id, [])))
        listed = "n/a" if rule.inapplicable else str(len(rule.decisive))
        lines.append(f"| `{rule.id}` | `{rule.clause}` | {removed} | {reversal} | {listed} |")
    return "\n".join(lines) + "\n"


def write_readme(path: str, table: str) -> None:
    """Replace the ``decisive`` block of *path* (:data:`README_BEGIN` ... :data:`README_END`)."""
    from pathlib import Path

    from conformance.report import write_block

    try:
        write_block(Path(path), README_BLOCK, table)
    except (OSError, ValueError) as exc:
        raise SystemExit(f"error: {exc}") from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``ablation`` subcommand's options."""
    parser.add_argument("--rule", action="append", metavar="ID", help="run only this rule (repeatable)")
    parser.add_argument("--all-cases", action="store_true",
                        help="run every case of the ops a row touches and list all that flip")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--list", action="store_true", help="list the rules and exit")
    parser.add_argument("--lazy", action="store_true",
                        help="list the behaviours a tool that does nothing (or little) passes entirely")
    parser.add_argument("--credit", action="store_true",
                        help="list the cases credited with a rule's clause that no ablation of it flips")
    parser.add_argument("--readme", metavar="PATH",
                        help="run every case (as --all-cases) and write the decisive-case counts "
                        "per rule into PATH's decisive-cases block")


def run(args: argparse.Namespace) -> int:
    """Run the ablations; exit 1 if a rule is not proven decisive."""
    by_id = {r.id: r for r in RULES}
    if args.lazy or args.credit:
        found = lazy_passes() if args.lazy else credit_gaps()
        print(json.dumps(found, indent=2) if args.json or found else "none")
        return 1 if found else 0
    if args.list:
        for r in RULES:
            print(f"{r.id} [{r.group}; {r.clause}] {r.text}")
        return 0
    from conformance.mutants import pick

    chosen = pick(args.rule, by_id, "rule")
    if chosen is None:
        return 2
    results = run_ablation(chosen, all_cases=args.all_cases or bool(args.readme))
    if args.readme:
        write_readme(args.readme, readme_table(results))
    if args.json:
        print(json.dumps([r.to_json() for r in results], indent=2))
    else:
        sys.stdout.write(format_results(results, all_cases=args.all_cases))
    return 0 if all(r.proven or r.rule.inapplicable for r in results) else 1


def judged_clauses() -> frozenset[str]:
    """The clauses whose credit the ablation judges: those of the rule table's rules."""
    return frozenset(r.clause for r in RULES if not r.inapplicable)


def credit_gaps(cases: Sequence[Any] | None = None) -> dict[str, list[str]]:
    """Cases credited with a rule's clause that no removal or reversal of the rule flips.

    For every clause of the rule table (:func:`judged_clauses`), every case
    crediting it runs against the clause's rows: its rules removed and reversed,
    and the mutants breaking it. A case none of them flips cannot fail on the
    clause: cite the clause as ``"context": true`` there, or make the case
    decisive. Cases the reference cannot run or does not pass are not judged.

    :returns: ``{clause: [case ids]}``, empty when every credit is earned.
    """
    from conformance.adapters.reference import ReferenceAdapter
    from conformance.cases import load_cases
    from conformance.mutant_table import MUTANTS
    from conformance.mutants import run_mutants

    judged = judged_clauses()
    capabilities = ReferenceAdapter().info().capabilities
    available = [
        c for c in (cases if cases is not None else load_cases())
        if judged & set(c.clauses) and not set(c.requires) - capabilities
    ]
    rows = [row for r in RULES for row in r.rows if row.clause in judged]
    rows += [m for m in MUTANTS.values() if m.clause in judged]

    def crediting(row: Mutant, pool: Sequence[Any]) -> list[Any]:
        return [c for c in pool if row.clause in c.clauses and c.op in row.ops]

    plugged = [dataclasses.replace(row, plugins=True) for row in rows]
    outcome = run_mutants(plugged, available, relevant=crediting)
    flipped: dict[str, set[str]] = {}
    for verdict in outcome.results:
        flipped.setdefault(verdict.mutant.clause, set()).update(verdict.killed_by)
    unjudged = set(outcome.reference_failures)
    gaps: dict[str, list[str]] = {}
    for clause in sorted(judged):
        for case in available:
            if clause in case.clauses and case.id not in unjudged and case.id not in flipped.get(clause, ()):
                gaps.setdefault(clause, []).append(case.id)
    return gaps


def lazy_passes(cases: Sequence[Any] | None = None) -> dict[str, dict[str, list[str]]]:
    """Behaviours a lazy tool (:data:`conformance.rule_table.LAZY`) passes entirely.

    Every lazy row runs against every case of its ops the reference passes; a
    case file all of whose run cases the row passes (none flips), and whose
    declared ``twins`` (behaviours with the other outcome) do not catch it
    either, is listed with them: a tool doing nothing, or only that little,
    satisfies the behaviour.

    :returns: ``{row id: {case file: [case ids passed]}}``, empty when every
        behaviour catches every lazy tool that can run it.
    """
    from conformance.adapters.reference import ReferenceAdapter
    from conformance.cases import load_cases
    from conformance.mutants import _relevant, run_mutants
    from conformance.rule_table import LAZY

    capabilities = ReferenceAdapter().info().capabilities
    available = [
        c for c in (cases if cases is not None else load_cases()) if not set(c.requires) - capabilities
    ]
    outcome = run_mutants(list(LAZY), available)
    unjudged = set(outcome.reference_failures)
    twins = {c.id.rsplit("/", 1)[0]: c.twins for c in available}
    result: dict[str, dict[str, list[str]]] = {}
    for verdict in outcome.results:
        caught = {c.rsplit("/", 1)[0] for c in (*verdict.killed_by, *verdict.crashed_by)}
        by_file: dict[str, list[Any]] = {}
        for case in _relevant(verdict.mutant, available):
            if case.id not in unjudged:
                by_file.setdefault(case.id.rsplit("/", 1)[0], []).append(case)
        passed = {
            behaviour: [c.id for c in run]
            for behaviour, run in by_file.items()
            # a behaviour of unsettled readings only is judged through its twin readings
            if any(c.status != "unsettled" for c in run)
            and not caught & {behaviour, *twins.get(behaviour, ())}
        }
        if passed:
            result[verdict.mutant.id] = passed
    return result
