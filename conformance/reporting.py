"""Reporting a run: each case's outcome, failure texts, and the JSON report at session end.

- :func:`case_record` and :func:`adapter_record` are what an item attaches to
  its test reports (``user_properties``); they travel from pytest-xdist workers
  to the controller with the reports.
- :class:`ReportCollector` classifies every test report of a conformance case
  into one outcome: ``passed``; ``projected`` (passed on a projected form of
  the case, :attr:`~conformance.adapters.base.Result.projection`: counted
  apart from ``passed``); ``failed`` (observed differs from expected, or
  a listed deviation passes); ``skipped`` (missing capability or the adapter's
  own ``Skipped``, with the reason); ``expected-deviation`` (listed in
  ``expectations/<adapter>.toml``); ``adapter-error`` (the adapter broke);
  ``error`` (the suite could not prepare the case).  At session end the
  controller writes the report document (:func:`conformance.report.build_report`)
  and prints the table per topic.
- :func:`failure_text` is what a failing case shows: request, fixtures,
  expected versus observed, the clauses with their text and the reference's
  own explanation.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from conformance.adapters.base import AdapterInfo, Result
from conformance.compare import dumps
from conformance.report import OUTCOMES, build_report
from conformance.running import AdapterError, CaseFailed, Runner, SuiteError
from conformance.workspace import FIXTURE_OPS

__all__ = [
    "ADAPTER_PROPERTY",
    "CASE_PROPERTY",
    "ERROR_PROPERTY",
    "OBSERVED_PROPERTY",
    "PROJECTION_PROPERTY",
    "ReportCollector",
    "adapter_record",
    "case_record",
    "failure_text",
    "observed_record",
]

#: ``user_properties`` keys of a conformance item's test reports.
CASE_PROPERTY = "conformance_case"
ADAPTER_PROPERTY = "conformance_adapter"
#: how the adapter expressed the case's system (``Result.projection``), when it had to.
PROJECTION_PROPERTY = "conformance_projection"
#: what the adapter answered, for the keys the case compares
OBSERVED_PROPERTY = "conformance_observed"
#: on a failed setup: ``"adapter"`` (the adapter broke) or ``"suite"`` (the suite could
#: not prepare the case).  A property, not the report's text: under pytest-xdist the
#: text a worker sends starts with its own ``[gw1] ...`` line.
ERROR_PROPERTY = "conformance_error"


def case_record(case: Any) -> dict[str, Any]:
    """The case's part of its report record."""
    return {
        "id": case.id,
        "file": str(case.file),
        "op": case.op,
        "status": case.status,
        "reading": case.reading,
        "clauses": list(case.clauses),
        "requires": sorted(case.requires),
        "description": case.description,
        "source": case.source,
        "input": case.input,
        "expect": case.expect,
    }


def observed_record(case: Any, outcome: Any) -> dict[str, Any] | None:
    """What the adapter answered for the keys *case* compares (JSON values), ``None`` if no result."""
    if not isinstance(outcome, Result) or not isinstance(outcome.value, Mapping):
        return None
    keys = case.expect if isinstance(case.expect, Mapping) else {}
    if "any_of" in keys:  # the keys of every allowed outcome
        keys = {key: None for expect in keys["any_of"] for key in expect}
    shown = {key: outcome.value[key] for key in keys if key in outcome.value}
    data: dict[str, Any] = json.loads(json.dumps(shown, default=str))
    return data


def adapter_record(info: AdapterInfo) -> dict[str, Any]:
    """The adapter's part of the report."""
    return {
        "name": info.name,
        "version": info.version,
        "capabilities": sorted(info.capabilities),
        "indirect": sorted(info.indirect),
    }


class ReportCollector:
    """A pytest plugin object that records the outcome of every conformance case."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.records: dict[str, dict[str, Any]] = {}
        self.adapter: dict[str, Any] = {}
        self.started = time.perf_counter()
        self.stale_deviations: list[str] = []

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        props = dict(report.user_properties)
        case = props.get(CASE_PROPERTY)
        if not isinstance(case, dict):
            return
        adapter = props.get(ADAPTER_PROPERTY)
        if isinstance(adapter, dict):
            self.adapter = adapter
        record = self.records.setdefault(
            report.nodeid, {**case, "outcome": "passed", "reason": "", "projection": None, "duration": 0.0}
        )
        projection = props.get(PROJECTION_PROPERTY)
        if isinstance(projection, str):
            record["projection"] = projection
        observed = props.get(OBSERVED_PROPERTY)
        if isinstance(observed, dict):
            record["observed"] = observed
        record["duration"] = round(record["duration"] + report.duration, 6)
        if report.when == "setup":
            if report.skipped:
                record["outcome"], record["reason"] = "skipped", _skip_reason(report)
            elif report.failed:
                record["outcome"] = "adapter-error" if props.get(ERROR_PROPERTY) == "adapter" else "error"
                record["reason"] = report.longreprtext[:4000]
        elif report.when == "call":
            if hasattr(report, "wasxfail"):
                record["outcome"], record["reason"] = "expected-deviation", str(report.wasxfail)
            elif report.failed:
                record["outcome"], record["reason"] = "failed", report.longreprtext[:4000]
            elif report.skipped:
                record["outcome"], record["reason"] = "skipped", _skip_reason(report)
            elif record["projection"]:
                record["outcome"] = "projected"
        elif report.failed and record["outcome"] == "passed":
            record["outcome"], record["reason"] = "error", report.longreprtext[:4000]

    def report(self) -> dict[str, Any]:
        """The report document for the cases seen so far."""
        return build_report(
            list(self.records.values()),
            self.adapter or {"name": self.config.getoption("adapter"), "version": "unknown"},
            duration=time.perf_counter() - self.started,
            stale_deviations=self.stale_deviations,
        )

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if hasattr(self.config, "workerinput"):
            return
        path = self.config.getoption("conformance_report")
        if path:
            _write(Path(path), json.dumps(self.report(), indent=1) + "\n")
        stub = self.config.getoption("write_expectations")
        if stub and self.records:
            from conformance.expectations_stub import expectations_stub

            _write(Path(stub), expectations_stub(self.report()))

    @pytest.hookimpl
    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.records or hasattr(self.config, "workerinput"):
            return
        report = self.report()
        adapter = report["adapter"]
        write = terminalreporter.write_line
        terminalreporter.section(f"conformance: {adapter['name']} {adapter['version']}")
        width = max([len("topic"), *map(len, report["by_topic"])]) + 2
        write(f"{'topic':<{width}}" + "".join(f"{c:>{len(c) + 2}}" for c in OUTCOMES))
        rows = [*report["by_topic"].items(), ("total", report["totals"])]
        for topic, row in rows:
            write(f"{topic:<{width}}" + "".join(f"{row[c]:>{len(c) + 2}}" for c in OUTCOMES))
        for behaviour, verdicts in report["readings"].items():
            text = "; ".join(f"{verdict} {reading}" for reading, verdict in verdicts.items())
            write(f"unsettled {behaviour}: {text}")
        for case_id in report["stale_deviations"]:
            write(f"stale expectation: {case_id} is listed as a deviation but no such case exists", red=True)
        path = self.config.getoption("conformance_report")
        if path:
            write(f"report written to {path}")
        stub = self.config.getoption("write_expectations")
        if stub:
            write(f"expectations stub written to {stub}: review it, then run with --expectations {stub}")


def _write(path: Path, text: str) -> None:
    """Write *text* to *path* whole: a temporary file renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    text = str(longrepr[2]) if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
    return text.removeprefix("Skipped: ")


# ---------------------------------------------------------------------------
# what a failing case shows
# ---------------------------------------------------------------------------
def failure_text(case: Any, exc: BaseException, outcome: Any, runner: Runner) -> str | None:
    """The text pytest shows for *exc* raised by *case*; ``None``: pytest's own traceback.

    :param outcome: what the adapter answered (a :class:`Result` once it ran).
    :param runner: gives the reference's explanation a workspace.
    """
    if isinstance(exc, pytest.xfail.Exception):
        # a known deviation: its reason is the whole story (and formatting a
        # traceback for each costs ~0.3 s)
        return str(exc)
    if isinstance(exc, AdapterError):
        return f"adapter error in {case.id} (a harness bug, not a verdict):\n{exc}"
    if isinstance(exc, SuiteError):
        return f"suite error in {case.id}:\n{exc}"
    if isinstance(exc, CaseFailed):
        observed = outcome.value if isinstance(outcome, Result) else None
        return _explain_failure(case, str(exc), observed, runner)
    return None


def _explain_failure(case: Any, problems: str, observed: Any, runner: Runner) -> str:
    lines = [
        f"case {case.id}: {case.description}",
        f"  file:     {case.file}",
        f"  status:   {case.status}" + (f" (reading: {case.reading})" if case.reading else ""),
        f"  request:  op={case.op} input={dumps(case.input)}",
    ]
    inputs = case.input if isinstance(case.input, Mapping) else {}
    if "index" in inputs:
        lines.append(f"  index:    {inputs['index']} (fixtures/indexes/{inputs['index']}.toml)")
    if "lock" in inputs:
        lines.append(f"  lock:     {inputs['lock']} (fixtures/locks/{inputs['lock']}.toml)")
    if "profile" in inputs:
        lines.append(f"  profile:  {inputs['profile']} (fixtures/profiles/{inputs['profile']}.toml)")
    lines += [
        f"  expected: {dumps(case.expect)}",
        f"  observed: {dumps(observed)}",
        "mismatch:",
        *(f"  {line}" for line in problems.splitlines()),
        "clauses:",
        *(f"  {line}" for line in _clause_lines(case.clauses)),
        *(f"  (context) {line}" for line in _clause_lines(getattr(case, "context", ()))),
        f"source: {case.source}",
    ]
    explanation = _reference_explanation(case, runner)
    if explanation:
        lines += ["the reference's explanation:", *(f"  {x}" for x in explanation.splitlines())]
    return "\n".join(lines)


def _reference_explanation(case: Any, runner: Runner) -> str:
    if case.op not in FIXTURE_OPS:
        return ""
    try:
        from conformance.adapters.reference import explain

        return explain(case.op, case.input, runner.workspace(case))
    except Exception:
        return ""


def _clause_lines(clause_ids: Sequence[str]) -> list[str]:
    try:
        from reference import clauses
    except ImportError:
        return list(clause_ids)
    lines = []
    for clause_id in clause_ids:
        entry = clauses.all_clauses().get(clause_id)
        if entry is None:
            lines.append(f"{clause_id} (not in the clause catalogue)")
        else:
            lines.append(f"{clause_id} [{entry.level}, {entry.document} '{entry.section}']: {entry.quote}")
    return lines
