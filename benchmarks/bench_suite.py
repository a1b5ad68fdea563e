"""How long the conformance suite takes per adapter (issue 12: "within 120 s on 2 cores" for uv).

Usage::

    python benchmarks/bench_suite.py [--adapter uv] [--adapter reference] [--runs 1] [--readme]

Each run is the whole process CI runs, ``pytest conformance -q -p no:cacheprovider
-n 2 --adapter NAME``, fixture build included. Printed per adapter: the wall
time (median of ``--runs``), the CPU time of the process tree (user + system:
what the run costs the machine, less sensitive than the wall time to other
jobs on a shared machine), the load average around the runs, how many cases
were executed, and the share of the corpus cases (``conformance/cases/corpus``,
the sum of their durations in the JSON report, both workers together).

``--readme`` records these figures in ``benchmarks/figures.json`` and rewrites
README.md's performance block from that record (``benchmarks/figures.py``,
which renders them beside the time of the last CI run). The exit status is 1
if a median is over its budget.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Wall-time budget per adapter (README "Performance"; issue 12 for uv).
BUDGETS = {"reference": 30.0, "uv": 120.0}


@dataclass
class Figures:
    adapter: str
    wall: list[float]
    cpu: list[float]
    load: tuple[float, float]
    executed: int
    total: int
    corpus_cases: int
    corpus_seconds: float

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    def as_record(self) -> dict[str, object]:
        """The figures as ``benchmarks/figures.json`` keeps them (``benchmarks/figures.py`` renders them)."""
        return {
            "median_s": round(self.median, 2), "runs": len(self.wall),
            "cpu_s": round(statistics.median(self.cpu), 2), "executed": self.executed, "total": self.total,
            "corpus_cases": self.corpus_cases, "corpus_s": round(self.corpus_seconds, 2),
            "load": [round(self.load[0], 2), round(self.load[1], 2)], "date": time.strftime("%Y-%m-%d"),
        }

    def row_label(self) -> str:
        if self.adapter == "reference":
            return "`pytest conformance -n 2`, reference"
        return f"`pytest conformance -n 2 --adapter {self.adapter}`"

    def row(self) -> str:
        budget = BUDGETS.get(self.adapter)
        runs = f"median of {len(self.wall)}, " if len(self.wall) > 1 else ""
        measured = (
            f"{self.median:.1f} s ({runs}{self.executed} of {self.total} cases executed; CPU "
            f"{statistics.median(self.cpu):.1f} s; the {self.corpus_cases} corpus cases took "
            f"{self.corpus_seconds:.1f} s of worker time; "
            f"{time.strftime('%d %b %Y')}, load average {self.load[0]:.1f} to {self.load[1]:.1f}; "
            "`benchmarks/bench_suite.py`)"
        )
        target = f"< {budget:.0f} s" if budget else "-"
        return f"| {self.row_label()} | {target} | {measured} |"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_suite(adapter: str, report: Path) -> tuple[float, float]:
    """One whole suite run; its wall time and the CPU time of its process tree."""
    argv = [
        sys.executable, "-m", "pytest", "conformance", "-q", "-p", "no:cacheprovider", "-n", "2",
        "--adapter", adapter, "--conformance-report", str(report),
    ]
    cpu = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"the suite failed against {adapter} ({done.returncode}):\n{done.stdout[-3000:]}")
    return wall, _children_cpu() - cpu


def measure(adapter: str, runs: int) -> Figures:
    loads = [os.getloadavg()[0]]
    walls, cpus = [], []
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        for _ in range(runs):
            wall, cpu = run_suite(adapter, report)
            walls.append(wall)
            cpus.append(cpu)
            loads.append(os.getloadavg()[0])
        data = json.loads(report.read_text(encoding="utf-8"))
    totals = data["totals"]
    executed = totals["total"] - totals["skipped"]
    corpus = [c.get("duration") or 0.0 for c in data["cases"] if c["id"].startswith("corpus/")]
    load = (min(loads), max(loads))
    return Figures(adapter, walls, cpus, load, executed, totals["total"], len(corpus), sum(corpus))


def write_readme(measured: list[Figures]) -> None:
    """Record *measured* in benchmarks/figures.json and rewrite README's performance block from it."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from figures import record_and_write_performance

    record_and_write_performance({"bench_suite.py": {f.adapter: f.as_record() for f in measured}})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adapter", action="append", help="adapter to time (repeatable; default: uv)")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--readme", action="store_true", help="write the rows into README.md")
    args = parser.parse_args(argv)
    over = False
    measured = []
    for adapter in args.adapter or ["uv"]:
        figures = measure(adapter, args.runs)
        print(figures.row(), flush=True)
        measured.append(figures)
        over |= figures.median > BUDGETS.get(adapter, float("inf"))
    if args.readme:
        write_readme(measured)
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
