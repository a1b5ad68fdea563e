"""The conformance report: every case's outcome, with totals per clause and section.

Written by ``--conformance-report PATH`` as one JSON document (shape:
``schemas/report.schema.json``): :func:`build_report` assembles it from the
per-case records that :class:`conformance.reporting.ReportCollector` gathers
during the run.  :func:`markdown_table` and ``python -m conformance.report``
render several reports side by side; ``--into FILE:BLOCK`` writes the table
between two marker lines of a document (the README's and ``docs/tools.md``'s
results tables come from there).

Outcomes: ``passed``; ``projected`` (passed on a projected form of the case:
the adapter expressed the case's system in a form the tool has, see
:class:`~conformance.adapters.base.Result`; counted apart from ``passed``);
``failed`` (observed differs from expected, or a listed deviation passes);
``skipped`` (missing capability or the adapter's own ``Skipped``, with the
reason); ``expected-deviation`` (listed in ``expectations/<adapter>.toml``);
``adapter-error`` (the adapter broke); ``error`` (the suite could not prepare
the case).
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

__all__ = [
    "OUTCOMES",
    "REPORT_VERSION",
    "build_report",
    "counts",
    "environment_info",
    "main",
    "markdown_table",
    "replace_block",
    "suite_info",
    "write_block",
]

#: Version of the report format (bumped when its shape changes).
REPORT_VERSION = 2

OUTCOMES = ("passed", "projected", "failed", "skipped", "expected-deviation", "adapter-error", "error")


def counts(outcomes: Iterable[str]) -> dict[str, int]:
    """``{outcome: number}`` with every outcome present, plus ``total``."""
    result = dict.fromkeys(OUTCOMES, 0)
    total = 0
    for outcome in outcomes:
        result[outcome] += 1
        total += 1
    result["total"] = total
    return result


def suite_info() -> dict[str, Any]:
    """The suite that ran: distribution name, version and git commit (``None`` outside a checkout)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        own = version("wheel-variant-conformance")
    except PackageNotFoundError:
        own = "unknown"
    commit = None
    root = Path(__file__).resolve().parent.parent
    if (root / ".git").exists():
        try:
            done = subprocess.run(
                ["git", "-C", str(root), "rev-parse", "HEAD"],
                capture_output=True, text=True, timeout=10, check=False,
            )
            commit = done.stdout.strip() or None
        except (OSError, subprocess.SubprocessError):
            commit = None
    return {"name": "wheel-variant-conformance", "version": own, "commit": commit}


def environment_info() -> dict[str, str]:
    """Where the suite ran: Python, platform and pytest versions."""
    import pytest

    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "pytest": pytest.__version__,
    }


def build_report(
    cases: list[dict[str, Any]],
    adapter: Mapping[str, Any],
    *,
    duration: float,
    stale_deviations: Iterable[str] = (),
    suite: Mapping[str, Any] | None = None,
    environment: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Assemble the report document from per-case records.

    :param cases: one record per case: ``id``, ``outcome``, ``reason``,
        ``clauses``, ``duration`` and the case's ``file``, ``op``, ``status``,
        ``reading``, ``requires``; optionally ``description``, ``source``,
        ``input``, ``expect`` and ``observed`` (what the adapter answered for
        the compared keys).
    :param adapter: ``name``, ``version``, ``capabilities`` and ``indirect`` of the adapter.
    :param suite: default :func:`suite_info`; *environment*: default :func:`environment_info`.
    """
    from reference import clauses as catalogue

    known = catalogue.all_clauses()
    by_clause: dict[str, list[str]] = {}
    by_section: dict[str, list[str]] = {}
    section_of: dict[str, dict[str, str]] = {}
    by_topic: dict[str, list[str]] = {}
    readings: dict[str, dict[str, list[str]]] = {}
    for case in cases:
        if case.get("status") == "unsettled" and case.get("reading"):
            behaviour = case["id"].rsplit("/", 1)[0]
            readings.setdefault(behaviour, {}).setdefault(case["reading"], []).append(case["outcome"])
        by_topic.setdefault(case["id"].split("/", 1)[0], []).append(case["outcome"])
        sections = set()
        for clause_id in case["clauses"]:
            by_clause.setdefault(clause_id, []).append(case["outcome"])
            entry = known.get(clause_id)
            document = entry.document if entry else clause_id.split(":", 1)[0]
            section = entry.section if entry else "(unknown clause)"
            key = f"{document}: {section}"
            section_of[key] = {"document": document, "section": section}
            sections.add(key)
        for key in sections:  # a case counts once per section
            by_section.setdefault(key, []).append(case["outcome"])
    return {
        "report_version": REPORT_VERSION,
        "adapter": {
            "name": str(adapter.get("name", "unknown")),
            "version": str(adapter.get("version", "unknown")),
            "capabilities": sorted(adapter.get("capabilities", [])),
            "indirect": sorted(adapter.get("indirect", [])),
        },
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "suite": dict(suite) if suite is not None else suite_info(),
        "environment": dict(environment) if environment is not None else environment_info(),
        "duration": round(duration, 3),
        "totals": counts(case["outcome"] for case in cases),
        "by_section": {
            key: {**section_of[key], **counts(outcomes)} for key, outcomes in sorted(by_section.items())
        },
        "by_clause": {key: counts(outcomes) for key, outcomes in sorted(by_clause.items())},
        "by_topic": {key: counts(outcomes) for key, outcomes in sorted(by_topic.items())},
        "readings": {
            behaviour: {reading: _verdict(outcomes) for reading, outcomes in sorted(per.items())}
            for behaviour, per in sorted(readings.items())
        },
        "stale_deviations": sorted(stale_deviations),
        "cases": sorted(cases, key=lambda case: case["id"]),
    }


def _verdict(outcomes: list[str]) -> str:
    """Whether an implementation follows one reading of an unsettled behaviour.

    ``follows`` (every case of the reading passed, projected ones included),
    ``differs`` (none passed, at least one failed or is a recorded deviation),
    ``mixed``, or ``not-run`` (skipped or errored).
    """
    ran = [o for o in outcomes if o in ("passed", "projected", "failed", "expected-deviation")]
    if not ran:
        return "not-run"
    passed = sum(o in ("passed", "projected") for o in ran)
    if passed == len(ran):
        return "follows"
    return "differs" if passed == 0 else "mixed"


def _cell(row: Mapping[str, int]) -> str:
    text = f"{row['passed']} / {row['failed']} / {row['skipped']}"
    extra = [
        f"{row[key]} {label}"
        for key, label in (
            ("projected", "proj"),
            ("expected-deviation", "dev"),
            ("adapter-error", "err"),
            ("error", "err"),
        )
        if row.get(key)
    ]
    return text + (f" ({', '.join(extra)})" if extra else "")


def markdown_table(reports: list[Mapping[str, Any]], key: str = "by_section") -> str:
    """A Markdown table of several reports side by side: passed / failed / skipped per row.

    :param reports: report documents (one per adapter).
    :param key: ``by_section`` (per spec section), ``by_topic`` or ``by_clause``.
    """
    names = [f"{r['adapter']['name']} {r['adapter']['version']}" for r in reports]
    rows = sorted({row for r in reports for row in r[key]})
    label = {"by_section": "spec section", "by_topic": "topic", "by_clause": "clause"}[key]
    lines = [
        f"| {label} | " + " | ".join(names) + " |",
        "| --- |" + " --- |" * len(names),
    ]
    empty = counts([])
    for row in rows:
        lines.append(f"| {row} | " + " | ".join(_cell(r[key].get(row, empty)) for r in reports) + " |")
    lines.append("| **total** | " + " | ".join(_cell(r["totals"]) for r in reports) + " |")
    lines.append("")
    lines.append(
        "Cells: passed / failed / skipped; proj = passed on a projected form of the case (not a test "
        "of the capability the tool lacks, see docs/tools.md), dev = recorded deviations, err = errors."
    )
    return "\n".join(lines) + "\n"


def replace_block(text: str, block: str, body: str) -> str:
    """*text* with what stands between ``<!-- BLOCK:start -->`` and ``<!-- BLOCK:end -->`` replaced by *body*.

    The start marker ends its line; the end marker's line keeps its indentation
    (a block may sit inside a list item). *body* ends with a newline.

    :raises ValueError: *text* lacks the markers.
    """
    start, end = f"<!-- {block}:start -->\n", f"<!-- {block}:end -->"
    first = text.find(start)
    last = text.find(end, first + len(start)) if first >= 0 else -1
    if last < 0:
        raise ValueError(f"no '{start.strip()}' ... '{end}' markers")
    line = text.rfind("\n", 0, last) + 1
    if text[line:last].strip():  # the end marker is not at the start of its line
        line = last
    return text[: first + len(start)] + body + text[line:]


def write_block(path: Path, block: str, text: str) -> None:
    """Replace what stands between ``<!-- BLOCK:start -->`` and ``<!-- BLOCK:end -->`` in *path*.

    The one writer of every generated block of the README and the docs (this
    command's ``--into``, the benchmarks', the fuzzer's, the ablation's and
    ``benchmarks/figures.py``); the file is replaced whole, never half-written.

    :raises ValueError: the file lacks the markers (nothing is written).
    """
    content = path.read_text(encoding="utf-8")
    try:
        updated = replace_block(content, block, text)
    except ValueError as exc:
        raise ValueError(f"{path} has {exc}") from None
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(updated, encoding="utf-8")
    partial.replace(path)


def main(argv: list[str] | None = None) -> int:
    """``python -m conformance.report REPORT.json ...``: print the results table for the README.

    With ``--into FILE:BLOCK``: write the table between the block's markers in FILE
    instead; with ``--html OUT.html``: write the compliance page (one self-contained
    file, :mod:`conformance.report_html`).  Exit status 0, or 2 for a file that is
    not a conformance report or a target that cannot be written (nothing is written then).
    """
    parser = argparse.ArgumentParser(
        prog="python -m conformance.report",
        description="Render conformance reports (--conformance-report PATH) side by side: a Markdown table "
        "(default; --into writes it into a file's marked block) or a static HTML compliance page (--html).",
    )
    parser.add_argument(
        "reports", nargs="+", metavar="REPORT.json", type=argparse.FileType("r", encoding="utf-8")
    )
    parser.add_argument("--by", choices=("section", "topic", "clause"), default="section",
                        help="rows of the Markdown table (default: section)")
    parser.add_argument(
        "--into",
        metavar="FILE:BLOCK",
        help="write the table between the <!-- BLOCK:start --> and <!-- BLOCK:end --> lines of FILE",
    )
    parser.add_argument("--html", metavar="OUT.html", help="write the HTML compliance page to OUT.html")
    args = parser.parse_args(argv)
    try:
        reports = [json.load(handle) for handle in args.reports]
        if args.html:
            from conformance.report_html import render_html

            page = render_html(reports)
        else:
            table = markdown_table(reports, f"by_{args.by}")
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError, StopIteration) as exc:
        print(f"error: not a conformance report: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    if args.html:
        out = Path(args.html)
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            partial = out.with_name(f".{out.name}.partial")
            partial.write_text(page, encoding="utf-8")
            partial.replace(out)
        except OSError as exc:
            print(f"error: cannot write {out}: {exc.strerror or exc}", file=sys.stderr)
            return 2
        print(f"wrote {out} ({len(reports)} reports, {len(page) // 1024} KiB)")
        return 0
    if not args.into:
        sys.stdout.write(table)
        return 0
    path, _, block = args.into.rpartition(":")
    try:
        write_block(Path(path), block, table)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
