"""The mutation score: every mutant of the table run against the suite's cases.

A mutant (:mod:`conformance.mutant_table`) is the reference with one plausible
spec mistake and the clause it breaks. The mutant adapter
(:mod:`conformance.adapters.mutant`) runs it through the real adapter
interface; a mutant is *killed* when at least one case's expectation fails
against it (compared with the suite's own :func:`conformance.compare.compare`).

``python -m conformance mutants [--json] [--only ID ...] [--first]`` runs, for
every mutant, the cases whose op the mutant touches (cases the reference itself
fails are set aside: they cannot tell a mutant from the reference), prints the
mutation score (killed / total) and which cases killed each mutant. A surviving
mutant is a finding: some behaviour of its clause is not checked by any case.

Patches are applied (:mod:`conformance.patching`) only around one case, in this
process; nothing is written to disk.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.adapters.mutant import MutantAdapter
from conformance.mutant_table import KNOWN_SURVIVORS, MUTANTS, Mutant
from conformance.patching import Kind, Patch, replace

__all__ = [
    "KNOWN_SURVIVORS",
    "MUTANTS",
    "Mutant",
    "MutantResult",
    "MutationRun",
    "add_arguments",
    "fixtures_dir",
    "format_run",
    "pick",
    "replace",
    "run",
    "run_mutants",
]


# ---------------------------------------------------------------------------
# running
# ---------------------------------------------------------------------------
@dataclass
class MutantResult:
    """The verdict on one mutant.

    :param killed_by: ids of the cases whose expectation failed against it.
    :param crashed_by: ids of the cases on which it raised or answered ``Errored``
        (also kills: the suite reports them as errors, never as passes).
    :param cases_run: how many cases ran against it.
    """

    mutant: Mutant
    killed_by: list[str] = field(default_factory=list)
    crashed_by: list[str] = field(default_factory=list)
    cases_run: int = 0
    seconds: float = 0.0
    broken: str = ""

    @property
    def killed(self) -> bool:
        """Caught by a case; a mutant whose patch does not apply is never counted as killed."""
        return not self.broken and bool(self.killed_by or self.crashed_by)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.mutant.id,
            "description": self.mutant.description,
            "clause": self.mutant.clause,
            "killed": self.killed,
            "killed_by": self.killed_by,
            "crashed_by": self.crashed_by,
            "cases_run": self.cases_run,
            "seconds": round(self.seconds, 3),
            "broken": self.broken or None,
        }


@dataclass
class MutationRun:
    """All verdicts, the cases set aside and timings."""

    results: list[MutantResult]
    reference_failures: dict[str, str]
    setup_seconds: float
    baseline_seconds: float

    @property
    def killed(self) -> int:
        return sum(r.killed for r in self.results)

    @property
    def score(self) -> float:
        return self.killed / len(self.results) if self.results else 1.0

    def to_json(self) -> dict[str, Any]:
        return {
            "killed": self.killed,
            "total": len(self.results),
            "score": round(self.score, 4),
            "mutants": [r.to_json() for r in self.results],
            "survivors": [r.mutant.id for r in self.results if not r.killed],
            "reference_failures": self.reference_failures,
            "timing": {
                "setup_seconds": round(self.setup_seconds, 2),
                "baseline_seconds": round(self.baseline_seconds, 2),
                "mutants_seconds": round(sum(r.seconds for r in self.results), 2),
            },
        }


def fixtures_dir(cache: Path | None = None) -> Path:
    """The built fixtures, cached by the digest of their sources (built once per source change).

    :param cache: where to keep them (default: the system temporary directory).
    """
    from conformance.workspace import built_fixtures

    base = cache or Path(tempfile.gettempdir())
    return built_fixtures(base, "wheel-variant-conformance-fixtures", prune=True)


def _scratch_root() -> str | None:
    """A RAM-backed directory for per-case scratch space when there is one (much faster)."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


class _Runner:
    """Runs cases through an adapter in process, with the suite's comparison."""

    def __init__(self, fixtures: Path, scratch: Path) -> None:
        from conformance.adapters.reference import ReferenceAdapter
        from conformance.workspace import FIXTURE_SOURCES, PROFILES, resolve_locks

        self.fixtures = fixtures
        self.scratch = scratch
        self.profiles = PROFILES
        self.locks = resolve_locks(FIXTURE_SOURCES / "locks", fixtures, scratch / "locks")
        # One reference adapter for every mutant: provider plugin environments
        # are created once per session, not once per mutant.
        self.reference = ReferenceAdapter()
        self.capabilities = self.reference.info().capabilities
        self._count = 0
        self._baseline: dict[str, list[str] | None] = {}

    def runnable(self, case: Any) -> bool:
        return not set(case.requires) - set(self.capabilities)

    def baseline(self, case: Any) -> list[str] | None:
        """The reference's own mismatches on ``case`` (computed once)."""
        if case.id not in self._baseline:
            self._baseline[case.id] = self.problems(self.reference, case)
        return self._baseline[case.id]

    def reference_failures(self) -> dict[str, str]:
        return {
            case_id: "the reference errored" if problems is None else "; ".join(problems)
            for case_id, problems in sorted(self._baseline.items())
            if problems != []
        }

    def problems(self, adapter: Any, case: Any) -> list[str] | None:
        """The mismatches of ``case`` against ``adapter`` (``None``: it crashed or errored)."""
        from conformance.adapters.base import Result, Workspace
        from conformance.compare import compare

        self._count += 1
        tmp = self.scratch / f"case-{self._count}"
        tmp.mkdir()
        workspace = Workspace(
            fixtures=self.fixtures,
            base_url=None,
            profiles=self.profiles,
            locks=self.locks,
            tmp=tmp,
            requires=frozenset(case.requires) - {"index.pep503", "index.pep691"},
        )
        try:
            outcome = adapter.run(case.op, case.input, workspace)
        except Exception:
            return None
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        if not isinstance(outcome, Result):
            return None
        return compare(case.op, case.expect, outcome.value, clause_ids="clause-ids" in self.capabilities)

    def close(self) -> None:
        self.reference.close()


def _cached_profiles() -> contextlib.AbstractContextManager[Any]:
    """Read each profile file once per run (profiles are immutable; validating them is slow)."""
    cached = Kind("cached", functools.lru_cache(maxsize=None))
    return Patch("reference.providers.profiles:load_profile", cached).apply()


def _relevant(mutant: Mutant, cases: Sequence[Any]) -> list[Any]:
    """The cases of the ops the mutant touches, those naming its clause first."""
    chosen = [
        c for c in cases
        if c.op in mutant.ops and (mutant.plugins or "providers.plugin" not in c.requires)
    ]
    # Cases naming the mutant's clause first; slow plugin cases last.
    return sorted(chosen, key=lambda c: (mutant.clause not in c.clauses, "providers.plugin" in c.requires))


def run_mutants(
    mutants: Sequence[Mutant] | None = None,
    cases: Sequence[Any] | None = None,
    *,
    stop_at_first: bool = False,
    fixtures: Path | None = None,
    progress: Callable[[MutantResult], None] | None = None,
    relevant: Callable[[Mutant, Sequence[Any]], list[Any]] | None = None,
) -> MutationRun:
    """Run the relevant cases against every mutant.

    A case is run against a mutant only if the reference passes it (checked
    once per case, when a mutant first needs it).

    :param mutants: default: every mutant of :data:`MUTANTS`.
    :param cases: default: every shipped case (``conformance.cases.load_cases``).
    :param stop_at_first: stop at the first killing case of each mutant
        (enough for a verdict; the report then names one killer).
    :param fixtures: built fixtures (default: :func:`fixtures_dir`).
    :param relevant: chooses, for a mutant, the cases to run among *cases*
        (default: every case of the ops it touches, plugin cases only when it
        touches plugins; an ablation runs only the cases a rule must flip).
    """
    from conformance.cases import load_cases

    start = time.perf_counter()
    selected = list(mutants if mutants is not None else MUTANTS.values())
    all_cases = list(cases if cases is not None else load_cases())
    built = fixtures or fixtures_dir()
    scratch = Path(tempfile.mkdtemp(prefix="conformance-mutants-", dir=_scratch_root()))
    runner = _Runner(built, scratch)
    baseline = 0.0
    try:
        with _cached_profiles():
            setup = time.perf_counter() - start
            results = []
            for mutant in selected:
                began = time.perf_counter()
                spent = baseline
                result = MutantResult(mutant)
                adapter = MutantAdapter(mutant, reference=runner.reference)
                try:
                    with mutant.apply():
                        pass
                except Exception as exc:
                    result.broken = f"{type(exc).__name__}: {exc}"
                chosen = (relevant or _relevant)(mutant, all_cases)
                for case in [] if result.broken else chosen:
                    if not runner.runnable(case):
                        continue
                    checked = time.perf_counter()
                    usable = runner.baseline(case) == []
                    baseline += time.perf_counter() - checked
                    if not usable:
                        continue
                    result.cases_run += 1
                    problems = runner.problems(adapter, case)
                    if problems is None:
                        result.crashed_by.append(case.id)
                    elif problems:
                        result.killed_by.append(case.id)
                    if stop_at_first and result.killed:
                        break
                # A mutant's time excludes the reference baseline runs it triggered.
                result.seconds = time.perf_counter() - began - (baseline - spent)
                results.append(result)
                if progress is not None:
                    progress(result)
        return MutationRun(results, runner.reference_failures(), setup, baseline)
    finally:
        runner.close()
        shutil.rmtree(scratch, ignore_errors=True)


def format_run(run: MutationRun, *, verbose: bool = True) -> str:
    """The human-readable report."""
    lines = []
    for result in run.results:
        mark = "killed " if result.killed else "BROKEN  " if result.broken else "SURVIVED"
        lines.append(f"{mark} {result.mutant.id} [{result.mutant.clause}] "
                     f"({result.cases_run} cases, {result.seconds:.2f} s)")
        lines.append(f"    {result.mutant.description}")
        if result.broken:
            lines.append(f"    the patch does not apply: {result.broken}")
        if verbose:
            for case_id in result.killed_by:
                lines.append(f"    killed by {case_id}")
            for case_id in result.crashed_by:
                lines.append(f"    crashed on {case_id}")
    survivors = [r for r in run.results if not r.killed]
    total = len(run.results)
    lines += [
        "",
        f"Mutation score: {run.killed}/{total} killed ({100 * run.score:.1f}%)",
        f"Time: fixtures {run.setup_seconds:.1f} s, reference baseline {run.baseline_seconds:.1f} s, "
        f"mutants {sum(r.seconds for r in run.results):.1f} s",
    ]
    if survivors:
        lines.append("Surviving mutants (a behaviour of their clause no case checks):")
        for r in survivors:
            lines.append(f"  {r.mutant.id} [{r.mutant.clause}]: {r.mutant.description}")
            if r.mutant.id in KNOWN_SURVIVORS:
                lines.append(f"      missing case: {KNOWN_SURVIVORS[r.mutant.id]}")
    if run.reference_failures:
        count = len(run.reference_failures)
        lines.append(f"Cases set aside because the reference itself fails them: {count}")
        lines += [f"  {case_id}" for case_id in sorted(run.reference_failures)]
    return "\n".join(lines) + "\n"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``mutants`` subcommand's options."""
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--only", action="append", metavar="ID", help="run only this mutant (repeatable)")
    parser.add_argument("--first", action="store_true",
                        help="stop at the first killing case of each mutant (faster)")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")


def pick(ids: Sequence[str] | None, table: Mapping[str, Any], noun: str) -> list[Any] | None:
    """The rows of *table* that *ids* name (every row when none), or ``None`` after
    printing the ids that name no row (the command then exits 2)."""
    unknown = sorted(set(ids or ()) - set(table))
    if unknown:
        print(f"error: unknown {noun} id(s): {', '.join(unknown)}; see --list", file=sys.stderr)
        return None
    return [table[i] for i in ids] if ids else list(table.values())


def run(args: argparse.Namespace) -> int:
    """Run the mutants; exit 1 if any survives."""
    if args.list:
        for mutant in MUTANTS.values():
            print(f"{mutant.id} [{mutant.clause}] {mutant.description}")
        return 0
    chosen = pick(args.only, MUTANTS, "mutant")
    if chosen is None:
        return 2
    outcome = run_mutants(chosen, stop_at_first=args.first)
    if args.json:
        print(json.dumps(outcome.to_json(), indent=2))
    else:
        sys.stdout.write(format_run(outcome))
    return 0 if outcome.killed == len(outcome.results) else 1
