"""The figures README.md (and docs/tools.md) quote from runs: one command drives and checks them all.

Usage::

    python benchmarks/figures.py --check        # CI: exit 1, with a diff, if a figure is stale
    python benchmarks/figures.py --write        # rewrite the figures from their sources
    python benchmarks/figures.py --bench        # run the benchmarks, record them, then --write
    python benchmarks/figures.py --record-run   # record the last 'bash .ci/run''s run times, then --write

Each figure is marked: a block between ``<!-- NAME:start -->`` and
``<!-- NAME:end -->`` (written by :func:`conformance.report.write_block`, the
one block writer, which ``python -m conformance.report --into FILE:BLOCK`` and
the commands below use too), or an inline ``<!--fig:NAME-->VALUE<!--/fig-->``.
Every block of README.md is one this command knows; an unknown one is an error.

- **counts**, the same on every run of the same commit, are recomputed and
  any difference fails ``--check``: the results tables (README ``results``,
  ``corpus-results``: the corpus cases of the same reports, docs/tools.md
  ``tool-results``; from the reports ``bash .ci/run`` writes,
  ``out/report-<adapter>.json``, tool versions included), the mutation-testing
  table (``mutation``, from ``docs/mutation-summary.json``, what
  ``python -m conformance mutation-test --table`` prints), the number of
  cases, credited and context citations, the clause coverage, the mutants
  killed, and the fixture indexes and files;
- **timings** differ from run to run with the machine's load, so an exact
  comparison would make CI flaky. They are recorded, with date and load
  average, in ``benchmarks/figures.json`` by ``--bench`` (the benchmarks'
  own ``--json`` output), ``--record-run`` (durations of the conformance
  runs from the reports, the whole CI run from ``out/ci-run.json``) and
  ``benchmarks/bench_suite.py --readme``. ``--check`` requires the
  ``performance`` block to be exactly what that record renders (so no timing
  is typed by hand) and every recorded figure to be present and a positive
  number; it does not compare the values with a new run;
- **long runs**, too long for CI, write their own block with the same writer,
  and ``--check`` checks its form and the counts it can: ``decisive``
  (``python -m conformance ablation --readme README.md``: one row per rule of
  the rule table, in order, with the number of cases it lists),
  ``corpus-bench`` (``python benchmarks/bench_corpus.py --readme``: timings
  and a date) and ``fuzz-figures`` (``python -m fuzz --examples N --readme``:
  every target, its inputs adding up to the total, none failing).
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
TOOLS = ROOT / "docs" / "tools.md"
SUMMARY = ROOT / "docs" / "mutation-summary.json"
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

_BLOCK = re.compile(r"(<!-- (?P<name>[a-z0-9-]+):start -->\n)(?P<body>.*?)(^[ ]*<!-- (?P=name):end -->)",
                    re.S | re.M)
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
    from conformance.cases import load_cases
    from conformance.coverage import load_report
    from conformance.mutants import run_mutants

    cases = load_cases()
    coverage = load_report()
    goal = coverage.goal_figures()
    mutation = run_mutants(stop_at_first=True)
    killed = sum(1 for r in mutation.results if r.killed)
    indexes, files = fixture_counts()
    return {
        "cases": f"{coverage.case_count:,}",
        "credited": f"{sum(len(c.clauses) for c in cases):,}",
        "context": f"{sum(len(c.context) for c in cases):,}",
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

    return markdown_table(reports(), "by_section")


def corpus_results_block() -> str:
    """The corpus cases (``conformance/cases/corpus``) of the same reports, per spec section."""
    from conformance.report import build_report, markdown_table

    corpus = [
        build_report([c for c in r["cases"] if c["id"].startswith("corpus/")], r["adapter"], duration=0,
                     suite={}, environment={})
        for r in reports()
    ]
    return markdown_table(corpus, "by_section")


def mutation_block() -> str:
    """What ``python -m conformance mutation-test --table docs/mutation-summary.json`` prints, indented."""
    from conformance.mutation_report import markdown_table

    summary = json.loads(SUMMARY.read_text(encoding="utf-8"))
    lines = markdown_table(summary).rstrip("\n").split("\n")
    return "\n".join(f"  {line}" if line else "" for line in lines) + "\n"


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


def _suite_run(ci_seconds: float, bench: Mapping[str, Any] | None) -> str:
    """The suite's time in the last CI run and, when recorded, ``benchmarks/bench_suite.py``'s figures."""
    text = f"{ci_seconds:.1f} s in the last `bash .ci/run`"
    if not bench:
        return text
    date = datetime.date.fromisoformat(bench["date"]).strftime("%-d %b %Y")
    runs = f"median of {bench['runs']}, " if bench["runs"] > 1 else ""
    return (
        f"{text}; {bench['median_s']:.1f} s ({runs}{bench['executed']} of {bench['total']} cases executed; "
        f"CPU {bench['cpu_s']:.1f} s; the {bench['corpus_cases']} corpus cases took "
        f"{bench['corpus_s']:.1f} s of worker time; {date}, load average {bench['load'][0]:.1f} to "
        f"{bench['load'][1]:.1f}; `benchmarks/bench_suite.py`)"
    )


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
        ("build every fixture index, the WheelNext corpus included (`benchmarks/bench_fixtures.py`)",
         "< 10 s",
         f"{build['median_s']:.2f} s median ({fixture[0]} indexes, {fixture[1]:,} files)"),
        ("`pytest conformance -n 2`, reference", "< 30 s",
         _suite_run(runs["reference_s"], record.get("bench_suite.py", {}).get("reference"))),
        ("`pytest conformance -n 2 --adapter uv`", "< 120 s",
         _suite_run(runs["uv_s"], record.get("bench_suite.py", {}).get("uv"))),
        (f"`bash .ci/run` (a new .venv-ci: install, lint, {runs['ci_tests']:,} tests, four adapters, "
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
# the blocks of long runs: their form, and the counts that can be checked
# ---------------------------------------------------------------------------
def _rows(body: str) -> list[list[str]]:
    return [[cell.strip() for cell in line.strip().split("|")[1:-1]]
            for line in body.splitlines() if line.strip().startswith("|")][2:]


def check_decisive(body: str) -> list[str]:
    """``python -m conformance ablation --readme README.md``: every rule, in order, its listed count."""
    from conformance.rule_table import RULES

    rows = _rows(body)
    problems = []
    if [row[0].strip("`") for row in rows] != [rule.id for rule in RULES]:
        problems.append("its rules are not the rule table's, in order")
    for row, rule in zip(rows, RULES, strict=False):
        listed = "n/a" if rule.inapplicable else str(len(rule.decisive))
        if len(row) != 5 or row[4] != listed or not row[2].isdigit() or not re.fullmatch(r"\d+|-", row[3]):
            problems.append(f"row {rule.id}: {' | '.join(row)} (listed: {listed})")
    return problems


_TIMING = re.compile(r"\d[\d,]*(\.\d+)? (ms|s)\b")


def check_corpus_bench(body: str) -> list[str]:
    """``python benchmarks/bench_corpus.py --readme``: a timing in every row, the date and load."""
    rows = _rows(body)
    problems = [f"row {row[0]!r} has no timing" for row in rows if not _TIMING.search(row[1])]
    if not rows:
        problems.append("no rows")
    if not re.search(r"Measured \d\d \w{3} \d{4} on this machine \(\d+ cores, load average [\d.]+\)", body):
        problems.append("no 'Measured DD Mon YYYY on this machine (N cores, load average X)' line")
    return problems


def check_fuzz(body: str) -> list[str]:
    """``python -m fuzz --examples N --readme``: every target, inputs adding up, nothing failing."""
    from fuzz.__main__ import TARGETS

    rows = {row[0].strip("`"): row for row in _rows(body)}
    problems = []
    if sorted(rows) != sorted(TARGETS):
        problems.append(f"targets {sorted(rows)} are not {sorted(TARGETS)}")
    tried = sum(int(row[2].replace(",", "")) for row in rows.values() if row[2].replace(",", "").isdigit())
    failing = sum(int(row[3]) for row in rows.values() if row[3].isdigit())
    summary = re.search(r"`python -m fuzz --examples \d+[^`]* --readme` on \d{4}-\d\d-\d\d: ([\d,]+) inputs, "
                        r"(\d+) failing\.", body)
    if not summary:
        problems.append("no '`python -m fuzz --examples N --readme` on DATE: N inputs, N failing.' line")
    elif (int(summary[1].replace(",", "")), int(summary[2])) != (tried, failing):
        problems.append(f"the total line says {summary[1]} inputs, {summary[2]} failing; the rows {tried:,}, "
                        f"{failing}")
    if failing:
        problems.append(f"{failing} failing inputs")
    return problems


#: blocks of long runs (their own commands write them) -> their form check
FORM_CHECKS: dict[str, Callable[[str], list[str]]] = {
    "decisive": check_decisive,
    "corpus-bench": check_corpus_bench,
    "fuzz-figures": check_fuzz,
}


# ---------------------------------------------------------------------------
# README
# ---------------------------------------------------------------------------
def render(text: str, blocks: Mapping[str, Callable[[], str]], inline: Mapping[str, str]) -> str:
    """*text* with every marked block and inline figure replaced; unknown names are errors."""
    def block(match: re.Match[str]) -> str:
        name = match["name"]
        if name in FORM_CHECKS:
            problems = FORM_CHECKS[name](match["body"])
            if problems:
                raise Stale(f"block {name}: {'; '.join(problems)} (rerun the command that writes it)")
            return match[0]
        if name not in blocks:
            raise Stale(f"unknown block {name!r} (known: {', '.join(sorted({*blocks, *FORM_CHECKS}))})")
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


def expected_documents() -> dict[Path, str]:
    """Each document with its figures as the sources give them."""
    fixture = fixture_counts()
    inline = counts()
    record = load_record()
    readme_blocks = {
        "results": results_block,
        "corpus-results": corpus_results_block,
        "mutation": mutation_block,
        "performance": lambda: performance_block(record, fixture),
    }
    return {
        README: render(README.read_text(encoding="utf-8"), readme_blocks, inline),
        TOOLS: render(TOOLS.read_text(encoding="utf-8"), {"tool-results": results_block}, {}),
    }


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


def record_and_write_performance(update: Mapping[str, Any]) -> None:
    """Merge *update* into the record and rewrite README's performance block (for bench_suite.py)."""
    from conformance.report import write_block

    record = json.loads(RECORD.read_text(encoding="utf-8")) if RECORD.is_file() else {}
    for key, value in update.items():
        record[key] = {**record.get(key, {}), **value} if isinstance(value, Mapping) else value
    RECORD.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    write_block(README, "performance", performance_block(load_record(), fixture_counts()))


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
        wanted = expected_documents()
    except Stale as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    stale = {path: text for path, text in wanted.items() if path.read_text(encoding="utf-8") != text}
    if args.check:
        for path, text in stale.items():
            name = path.relative_to(ROOT).as_posix()
            diff = difflib.unified_diff(path.read_text(encoding="utf-8").splitlines(), text.splitlines(),
                                        f"{name} (committed)", f"{name} (from the run)", lineterm="", n=1)
            print("\n".join(diff))
        if stale:
            names = ", ".join(p.relative_to(ROOT).as_posix() for p in stale)
            print(f"error: {names} figures are stale: run 'python benchmarks/figures.py --write' "
                  "(after 'bash .ci/run') and commit", file=sys.stderr)
            return 1
        print("README.md and docs/tools.md figures match the run")
        return 0
    for path, text in stale.items():
        partial = path.with_name(f".{path.name}.partial")
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
        print(f"{path.relative_to(ROOT).as_posix()} figures rewritten")
    return 0

if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))  # the fuzz package's targets, for its block's check
    sys.exit(main())
