"""``--write-expectations FILE``: a first expectations file for a new adapter, from its run.

A new adapter fails every ``unsettled`` case whose reading it does not follow
(the sources disagree, the suite holds one case per reading, and no tool can
pass them all). :func:`expectations_stub` turns a report into the file that
records those readings, so its author starts from a run that says what it
follows instead of a wall of failures:

- an unsettled case that failed is **recorded**, its reason naming the
  reading the adapter follows instead (from the report's ``readings``);
- every deviation already listed stays recorded, with its reason;
- any other failure is written **commented out**, with its mismatch: whether
  it is a bug to fix or a deviation to record (with a reason and an issue) is
  the author's decision, never the stub's.

Adapter errors and suite errors are listed as comments too: they are harness
bugs, never deviations.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from typing import Any

import tomli_w

__all__ = ["expectations_stub"]


def _unsettled_reason(case: Mapping[str, Any], readings: Mapping[str, Mapping[str, str]], name: str) -> str:
    behaviour = case["id"].rsplit("/", 1)[0]
    followed = [r for r, verdict in readings.get(behaviour, {}).items() if verdict == "follows"]
    instead = f"{name} follows reading {', '.join(repr(r) for r in followed)}" if followed else (
        f"{name} follows none of the other readings either"
    )
    return f"unsettled (reading {case['reading']!r}): {instead}"


def _mismatch(reason: str) -> list[str]:
    lines = reason.splitlines()
    if "mismatch:" in lines:
        start = lines.index("mismatch:") + 1
        end = lines.index("clauses:", start) if "clauses:" in lines[start:] else len(lines)
        return [line.strip() for line in lines[start:end]][:6]
    return [line.strip() for line in lines[:3]]


def expectations_stub(report: Mapping[str, Any]) -> str:
    """The expectations file (TOML) for the adapter of *report* (a report document)."""
    adapter = report["adapter"]
    name = adapter["name"]
    readings = report.get("readings", {})
    recorded: dict[str, dict[str, str]] = {}
    undecided, broken = [], []
    for case in report["cases"]:
        outcome = case["outcome"]
        if outcome == "expected-deviation":
            recorded[case["id"]] = {"reason": case["reason"].removeprefix("known deviation: ")}
        elif outcome == "failed" and case.get("status") == "unsettled" and case.get("reading"):
            recorded[case["id"]] = {"reason": _unsettled_reason(case, readings, name)}
        elif outcome == "failed":
            undecided.append(case)
        elif outcome in ("adapter-error", "error"):
            broken.append(case)
    today = datetime.date.today().isoformat()
    lines = [
        f"# Known deviations of {name} {adapter['version']}: a stub written by --write-expectations",
        f"# on {today} from a run of {report['totals']['total']} cases. Use it with --expectations FILE.",
        "# A recorded case that starts passing fails the run (remove it then); so does an id that",
        "# names no case.",
        "",
    ]
    if recorded:
        lines += [
            "# Recorded: the unsettled readings this tool does not follow (with the one it follows),",
            "# and the deviations already listed.",
            tomli_w.dumps({"deviations": recorded}).rstrip(),
            "",
        ]
    if undecided:
        lines += [
            "# Failures to decide: fix the tool, or record the deviation",
            "# (uncomment it, say why, link an issue).",
        ]
        for case in undecided:
            lines.append(f"# [deviations.{json.dumps(case['id'])}]")
            lines.append('# reason = "TODO: why this tool differs"')
            lines.append('# issue = "https://..."')
            lines += [f"#   {line}" for line in _mismatch(case.get("reason", ""))]
            lines.append("")
    if broken:
        lines.append("# Errors, not deviations (a harness bug, or the suite could not prepare the case):")
        lines += [f"#   {case['id']}: {case['outcome']}" for case in broken]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
