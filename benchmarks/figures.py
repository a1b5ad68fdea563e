"""The figures README.md quotes from runs, produced by this command so that none can go stale.

Usage::

    python benchmarks/figures.py --check        # CI: exit 1, with a diff, if README.md is stale
    python benchmarks/figures.py --write        # rewrite README.md's figures from their sources
    python benchmarks/figures.py --bench        # run the benchmarks, record them, then --write
    python benchmarks/figures.py --record-run   # record the last 'bash .ci/run' times, then --write

README.md marks each figure: a block between ``<!-- NAME:start -->`` and
``<!-- NAME:end -->``, or an inline ``<!--fig:NAME-->VALUE<!--/fig-->``.

Two kinds of figures, checked differently:

- **counts** are the same on every run of the same commit, so ``--check``
  recomputes them and any difference fails CI: the results table (from the
  reports ``bash .ci/run`` writes, ``out/report-<adapter>.json``: the tool
  versions in its header come from there too), the number of cases, the
  clause coverage, the mutation score, the number of fixture indexes and
  files;
- **timings** differ from run to run with the machine's load, so an exact
  comparison would make CI flaky. They are recorded, with date and load
  average, in ``benchmarks/figures.json`` by ``--bench`` (the benchmarks'
  own ``--json`` output) and ``--record-run`` (durations of the conformance
  runs from the reports, and the whole CI run from ``out/ci-run.json``).
  ``--check`` requires README's performance block to be exactly what that
  record renders (so no timing is typed by hand) and every recorded figure to
  be present and a positive number; it does not compare the values with a
  new run.
"""

from __future__ import annotations

import argparse
import datetime
import difflib
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
RECORD = Path(__file__).resolve().parent / "figures.json"
OUT = ROOT / "out"
ADAPTERS = ("reference", "uv", "pip", "variantlib")

#: benchmark script -> the figures its --json output must hold
BENCHMARKS: dict[str, tuple[str, ...]] = {
    "bench_format.py": ("validate_combine_ms", "startup_ms", "bare_ms"),
    "bench_ordering.py": ("reference_ms", "variantlib_ms", "variantlib_bare_ms", "compatible", "agree"),
    "bench_select.py": ("median_s",),
    "bench_fixtures.py": ("median_s",),
}
RUNS = ("reference_s", "uv_s")
#: recorded from a complete 'bash .ci/run' (out/ci-run.json); shown as not yet recorded when absent
CI_RUN = ("ci_s", "ci_tests", "ci_load")

_BLOCK = re.compile(r"(<!-- (?P<name>[a-z0-9-]+):start -->\n)(?P<body>.*?)(<!-- (?P=name):end -->)", re.S)
_INLINE = re.compile(r"(<!--fig:(?P<name>[a-z0-9-]+)-->)(?P<body>.*?)(<!--/fig-->)", re.S)


class Stale(Exception):
    """A source of figures is missing or malformed; the message says what to run."""


# ---------------------------------------------------------------------------
# the counts (recomputed on every check)
# ---------------------------------------------------------------------------
def reports() -> list[dict[str, Any]]:
    """The four CI reports, in README order."""
    paths = [OUT / f"report-{name}.json" for name in ADAPTERS]
    missing = [str(p.relative_to(ROOT)) for p in paths if not p.is_file()]
    if missing:
        raise Stale(f"missing {', '.join(missing)}: run 'bash .ci/run' (it writes the reports) first")
    return [json.loads(p.read_text(encoding="utf-8")) for p in paths]


def fixture_counts() -> tuple[int, int]:
    """Indexes and files of a fresh fixture build."""
    from conformance.fixtures import build_all

    with tempfile.TemporaryDirectory() as tmp:
        built = build_all(Path(tmp))
        return len(built), sum(len(index.files) for index in built.values())


def counts() -> dict[str, str]:
    """Every inline count figure, formatted as README shows it."""
    from conformance.coverage import load_report
    from conformance.mutants import run_mutants

    coverage = load_report()
    goal = coverage.goal_figures()
    mutation = run_mutants(stop_at_first=True)
    killed = sum(1 for r in mutation.results if r.killed)
    indexes, files = fixture_counts()
    return {
        "cases": f"{coverage.case_count:,}",
        "clauses": f"{len(coverage.clauses):,}",
        "must-clauses": str(goal["clauses"]),
        "must-covered": str(goal["covered"]),
        "must-untestable": str(goal["untestable"]),
        "gaps": str(goal["gaps"]),
        "mutants-killed": f"{killed} / {len(mutation.results)}",
        "fixture-indexes": str(indexes),
        "fixture-files": f"{files:,}",
    }


# ---------------------------------------------------------------------------
# the blocks
# ---------------------------------------------------------------------------
def results_block() -> str:
    from conformance.report import markdown_table

    return markdown_table(reports(), "by_topic")


def _ms(value: float) -> str:
    return f"{value:,.0f} ms"


def _clock(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{seconds:.1f} s"


def check_record(record: Mapping[str, Any]) -> None:
    """Every recorded timing is present and a positive number (their values are not compared)."""
    problems = []
    for script, keys in BENCHMARKS.items():
        for key in keys:
            value = record.get(script, {}).get(key)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
                problems.append(f"{script}: {key} = {value!r}")
    runs = record.get("runs", {})
    for key in (*RUNS, *(CI_RUN if any(k in runs for k in CI_RUN) else ())):
        value = runs.get(key)
        if not isinstance(value, (int, float)) or value <= 0:
            problems.append(f"runs: {key} = {value!r}")
    if not re.fullmatch(r"\d{4}-\d\d-\d\d", str(record.get("date", ""))):
        problems.append(f"date = {record.get('date')!r}")
    if problems:
        raise Stale(f"{RECORD.name} lacks figures ({'; '.join(problems)}): run --bench and --record-run")


def load_record() -> dict[str, Any]:
    if not RECORD.is_file():
        raise Stale(f"no {RECORD.relative_to(ROOT)}: run 'python benchmarks/figures.py --bench'")
    record: dict[str, Any] = json.loads(RECORD.read_text(encoding="utf-8"))
    check_record(record)
    return record


def performance_block(record: Mapping[str, Any], fixture: tuple[int, int]) -> str:
    """The performance table: timings from the record, counts from this checkout."""
    fmt, order = record["bench_format.py"], record["bench_ordering.py"]
    select, build, runs = record["bench_select.py"], record["bench_fixtures.py"], record["runs"]
    agree = (
        f"same order for all {order['compatible']:,} compatible variants"
        if order["agree"] == order["compatible"]
        else f"same position for {order['agree']:,} of {order['compatible']:,} compatible variants"
    )
    date = datetime.date.fromisoformat(record["date"]).strftime("%-d %b %Y")
    rows = [
        ("validate + combine 1,000 `variant.json` (`benchmarks/bench_format.py`)", "< 1 s",
         _ms(fmt["validate_combine_ms"])),
        ("`python -m reference filename ...` start (same)", "< 150 ms",
         f"{_ms(fmt['startup_ms'])} median (bare interpreter {_ms(fmt['bare_ms'])})"),
        ("order 10,000 variants (`benchmarks/bench_ordering.py`)", "≤ variantlib 0.2.2",
         f"{_ms(order['reference_ms'])} vs {_ms(order['variantlib_ms'])} "
         f"({_ms(order['variantlib_bare_ms'])} without its environment scan); {agree}"),
        ("`select` on 100 versions x 50 variants, whole process (`benchmarks/bench_select.py`)", "< 0.5 s",
         f"{select['median_s']:.2f} s median"),
        ("build every fixture index (`benchmarks/bench_fixtures.py`)", "< 10 s",
         f"{build['median_s']:.2f} s median ({fixture[0]} indexes, {fixture[1]:,} files)"),
        ("`pytest conformance -n 2`, reference", "< 30 s", f"{runs['reference_s']:.1f} s"),
        ("`pytest conformance -n 2 --adapter uv`", "< 120 s", f"{runs['uv_s']:.1f} s"),
        (f"`bash .ci/run` from a fresh clone (install, lint, {runs['ci_tests']:,} tests, four adapters, "
         "the installed wheel, the browser)", "< 20 min",
         f"{_clock(runs['ci_s'])} (load average {runs['ci_load']:.1f})")
        if "ci_s" in runs else
        ("`bash .ci/run` from a fresh clone (install, lint, tests, four adapters, the installed wheel, "
         "the browser)", "< 20 min", "not recorded yet: `python benchmarks/figures.py --record-run` after a "
         "complete run"),
    ]
    lines = [
        f"Measured on {date} on this machine (2 cores, load average about {record['load']:.0f}); "
        "timings recorded by `python benchmarks/figures.py --bench` and `--record-run` "
        "(counts from this checkout):",
        "",
        "| what | target | measured |",
        "| --- | --- | --- |",
        *(f"| {what} | {target} | {measured} |" for what, target, measured in rows),
    ]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# README
# ---------------------------------------------------------------------------
def render(text: str, blocks: Mapping[str, Callable[[], str]], inline: Mapping[str, str]) -> str:
    """*text* with every marked block and inline figure replaced; unknown names are errors."""
    def block(match: re.Match[str]) -> str:
        name = match["name"]
        if name not in blocks:
            return match[0]  # another tool's block (corpus figures are written by bench_corpus.py)
        return match[1] + blocks[name]() + match[4]

    def figure(match: re.Match[str]) -> str:
        if match["name"] not in inline:
            raise Stale(f"README.md: unknown figure {match['name']!r} (known: {', '.join(sorted(inline))})")
        return match[1] + inline[match["name"]] + match[4]

    found = {m["name"] for m in _BLOCK.finditer(text)}
    missing = sorted(set(blocks) - found)
    if missing:
        markers = "<!-- NAME:start --> ... <!-- NAME:end -->"
        raise Stale(f"README.md has no block {', '.join(missing)} ({markers})")
    return _INLINE.sub(figure, _BLOCK.sub(block, text))


def expected_readme() -> str:
    fixture = fixture_counts()
    inline = counts()
    record = load_record()
    blocks = {
        "results": results_block,
        "performance": lambda: performance_block(record, fixture),
    }
    return render(README.read_text(encoding="utf-8"), blocks, inline)


# ---------------------------------------------------------------------------
# recording timings
# ---------------------------------------------------------------------------
def run_benchmarks() -> dict[str, Any]:
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for script in BENCHMARKS:
            out = Path(tmp) / f"{script}.json"
            print(f"-- {script}", flush=True)
            subprocess.run([sys.executable, str(Path(__file__).parent / script), "--json", str(out)],
                           check=False, cwd=ROOT)
            if not out.is_file():
                raise Stale(f"{script} wrote no figures")
            figures[script] = json.loads(out.read_text(encoding="utf-8"))
    return figures


def run_times() -> dict[str, Any]:
    """Durations of the last CI run: the conformance reports, out/ci-run.json and out/junit-tests.xml."""
    data = {r["adapter"]["name"]: r for r in reports()}
    runs: dict[str, Any] = {"reference_s": data["reference"]["duration"], "uv_s": data["uv"]["duration"]}
    ci_path, junit = OUT / "ci-run.json", OUT / "junit-tests.xml"
    if ci_path.is_file() and junit.is_file():  # written by a complete 'bash .ci/run' only
        ci = json.loads(ci_path.read_text(encoding="utf-8"))
        tests = sum(int(s.get("tests", 0)) for s in ET.parse(junit).getroot().iter("testsuite"))
        tests += sum(r["totals"]["total"] for r in data.values())
        runs.update(ci_s=ci["seconds"], ci_tests=tests, ci_load=ci["load"])
    return runs


def save_record(update: Mapping[str, Any]) -> None:
    record = json.loads(RECORD.read_text(encoding="utf-8")) if RECORD.is_file() else {}
    record.update(update)
    record["date"] = datetime.date.today().isoformat()
    record["load"] = round(os.getloadavg()[0], 2)
    RECORD.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--check", action="store_true", help="exit 1 if README.md's figures are stale")
    action.add_argument("--write", action="store_true", help="rewrite README.md's figures")
    action.add_argument("--bench", action="store_true", help="run the benchmarks, record them, rewrite")
    action.add_argument("--record-run", action="store_true", help="record the last CI run's times, rewrite")
    args = parser.parse_args(argv)
    try:
        if args.bench:
            save_record(run_benchmarks())
        if args.record_run:
            save_record({"runs": run_times()})
        current = README.read_text(encoding="utf-8")
        wanted = expected_readme()
    except Stale as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.check:
        if current != wanted:
            diff = difflib.unified_diff(current.splitlines(), wanted.splitlines(), "README.md (committed)",
                                        "README.md (from the run)", lineterm="", n=1)
            print("\n".join(diff))
            print("error: README.md figures are stale: run 'python benchmarks/figures.py --write' "
                  "(after 'bash .ci/run') and commit", file=sys.stderr)
            return 1
        print("README.md figures match the run")
        return 0
    if current != wanted:
        README.write_text(wanted, encoding="utf-8")
        print("README.md figures rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
