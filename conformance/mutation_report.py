"""The report of ``python -m conformance mutation-test`` and the survivors file it checks.

A surviving mutant is either killed by a new case or listed in
``conformance/mutation-survivors.toml`` with the reason the suite cannot or
should not kill it. The file says, per mutant, what it changes, so a rerun can
tell whether the list is still accurate::

    [excluded]   # functions of the mutated files that no op of the suite executes
    "reference/selection/ordering.py:compare_variants" = "library API: ..."

    [kinds]
    message = "only the text of a message changes; the suite compares outcomes and clause ids"

    [[survivor]]
    id = "reference.format.filename.x_check_label__mutmut_7"
    now = 'return Violation("pep825:label-charset", "XXlabel ...XX", location)'
    kind = "message"
    why = "..."            # required unless the kind says it all (``message``, ``explanation``)

``id`` is mutmut's name of the mutant and ``now`` the mutated line(s) as the
report prints them (``was`` may be given too, for the reader). An entry is
*stale* when its mutant no longer exists, is now killed, or its id now names
another change (``now`` differs): the check fails until the entry is removed
or corrected. A survivor that no entry names is *unlisted*: the check fails too.

``[excluded]`` takes whole functions out of the score: a function of a mutated
file that is not on the path of any op an installer is tested through (a
library helper, the lock writer), with the reason. Their mutants are still
generated and counted apart; an exclusion is *stale* when the function no
longer exists or a case now executes it (one of its mutants was run).

The report (``report.json``) gives per module the mutants generated, those of
excluded functions, killed (a case failed, errored or timed out), survived,
run by no case, rejected by the type check (``mypy --strict`` over the mutated
tree, before any case runs: such a mutant is not a program this project could
ship) and the listed ones; the score is killed / scored, where scored is
generated - excluded - rejected by the type check. The *score on decisions*
leaves out, as well, the listed survivors of the kinds in :data:`NEUTRAL_KINDS`
(a message, an explanation, an equivalent or unreachable change: nothing a case
could observe). The *score on what the texts decide* leaves out, besides, the
``unspecified`` survivors (:data:`OPEN_KINDS`): a behaviour the specifications
leave open, which no correct case may pin, so no suite could kill them. What
stays against it is what a case could kill: ``gap`` and ``out-of-scope``.
:func:`markdown_table` renders the per-module table the README shows.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "TARGET",
    "Listed",
    "SurvivorsFileError",
    "build_report",
    "check_survivors",
    "draft_entries",
    "format_report",
    "load_survivors",
    "markdown_table",
]

#: The issue's target: at least this share of the generated mutants killed in each module.
TARGET = 0.9

#: mutmut's status of a mutant that ``mypy --strict`` rejects (``type_check_command``): it is
#: not a program this project could ship, so it is counted apart and never run.
TYPE_REJECTED = "caught by type check"

#: Kinds of listed survivors that change nothing a case could observe: left out of the
#: second score ("score on decisions"), as equivalent mutants are in mutation testing.
NEUTRAL_KINDS = frozenset({"message", "explanation", "equivalent", "unreachable"})

#: Kinds of listed survivors that change a behaviour the texts leave open: no correct case
#: may pin it. Left out of the third score ("score on what the texts decide") as well.
OPEN_KINDS = frozenset({"unspecified"})

#: Kinds whose general reason is enough; any other kind needs a ``why`` per entry.
_SELF_EXPLAINING = frozenset({"message", "explanation"})


class SurvivorsFileError(Exception):
    """The survivors file cannot be read or breaks its format."""


@dataclass(frozen=True)
class Listed:
    """One entry of the survivors file."""

    id: str
    now: str
    kind: str
    why: str


@dataclass(frozen=True)
class Survivors:
    """The survivors file: the kinds of reasons and the entries by mutant id."""

    kinds: Mapping[str, str]
    entries: Mapping[str, Listed]
    excluded: Mapping[str, str] = field(default_factory=dict)

    def is_excluded(self, record: Any) -> bool:
        return f"{record.module}:{record.function}" in self.excluded


def load_survivors(path: Path) -> Survivors:
    """Read and check the survivors file (a missing file lists nothing).

    :raises SurvivorsFileError: not TOML, or an entry without ``id``, ``now``,
        a known ``kind`` or a needed ``why``, or an id listed twice.
    """
    from reference._toml import loads

    if not path.is_file():
        return Survivors({}, {}, {})
    try:
        data = loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SurvivorsFileError(f"{path}: {exc}") from None
    excluded = data.get("excluded", {})
    if not isinstance(excluded, dict) or not all(
        isinstance(k, str) and ":" in k and isinstance(v, str) and v.strip() for k, v in excluded.items()
    ):
        raise SurvivorsFileError(f"{path}: [excluded] must map each 'file.py:function' to its reason")
    kinds = data.get("kinds", {})
    if not isinstance(kinds, dict) or not all(isinstance(v, str) and v for v in kinds.values()):
        raise SurvivorsFileError(f"{path}: [kinds] must map each kind to its reason")
    entries: dict[str, Listed] = {}
    for index, raw in enumerate(data.get("survivor", [])):
        where = f"{path}: survivor #{index + 1}"
        if not isinstance(raw, dict):
            raise SurvivorsFileError(f"{where}: not a table")
        missing = [key for key in ("id", "kind") if not isinstance(raw.get(key), str) or not raw[key]]
        if not isinstance(raw.get("now"), str):  # may be empty: the mutant drops a line
            missing.append("now")
        if missing:
            raise SurvivorsFileError(f"{where}: missing {', '.join(missing)}")
        if raw["kind"] not in kinds:
            raise SurvivorsFileError(f"{where} ({raw['id']}): kind {raw['kind']!r} is not in [kinds]")
        why = raw.get("why", "")
        if raw["kind"] not in _SELF_EXPLAINING and not (isinstance(why, str) and why.strip()):
            raise SurvivorsFileError(f"{where} ({raw['id']}): kind {raw['kind']!r} needs a 'why'")
        if raw["id"] in entries:
            raise SurvivorsFileError(f"{where}: {raw['id']} is listed twice")
        entries[raw["id"]] = Listed(raw["id"], raw["now"], raw["kind"], why)
    return Survivors(kinds, entries, excluded)


def check_survivors(records: Sequence[Any], survivors: Survivors) -> dict[str, Any]:
    """Unlisted survivors and stale entries of *survivors* against the records of a run."""
    by_id = {r.id: r for r in records}
    unlisted = [
        r.id for r in records
        if _open(r) and r.id not in survivors.entries and not survivors.is_excluded(r)
    ]
    stale = []
    for function in survivors.excluded:
        mutants = [r for r in records if f"{r.module}:{r.function}" == function]
        if not mutants:
            stale.append({"id": function, "problem": "excluded, but no such function was mutated"})
        elif any(r.status not in ("no tests", "not checked") for r in mutants):
            stale.append({"id": function, "problem": "excluded, but a case executes it now: remove it"})
    for entry in survivors.entries.values():
        record = by_id.get(entry.id)
        if record is None:
            stale.append({"id": entry.id, "problem": "no such mutant in this run"})
        elif survivors.is_excluded(record):
            stale.append({"id": entry.id, "problem": "its function is excluded: remove the entry"})
        elif not _open(record):
            stale.append({"id": entry.id, "problem": f"now {record.status}: remove the entry"})
        elif record.now != entry.now:
            stale.append({"id": entry.id, "problem": f"the id now names another change: {record.now!r}"})
    return {"ok": not unlisted and not stale, "unlisted": unlisted, "stale": stale}


def _open(record: Any) -> bool:
    """A survivor: neither killed nor rejected by the type check."""
    return not record.killed and record.status != TYPE_REJECTED


def _counts(records: Iterable[Any], survivors: Survivors) -> dict[str, Any]:
    generated = list(records)
    rows = [r for r in generated if not survivors.is_excluded(r)]
    killed = sum(r.status == "killed" for r in rows)
    timeout = sum(r.status == "timeout" for r in rows)
    no_tests = sum(r.status == "no tests" for r in rows)
    survived = sum(r.status == "survived" for r in rows)
    typed = sum(r.status == TYPE_REJECTED for r in rows)
    listed = [survivors.entries[r.id] for r in rows if _open(r) and r.id in survivors.entries]
    neutral = sum(entry.kind in NEUTRAL_KINDS for entry in listed)
    open_ = sum(entry.kind in OPEN_KINDS for entry in listed)
    total = len(rows) - typed
    decided = total - neutral - open_
    return {
        "generated": len(generated),
        "excluded": len(generated) - len(rows),
        "type_rejected": typed,
        "killed": killed + timeout,
        "timeout": timeout,
        "survived": survived,
        "no_tests": no_tests,
        "other": total - killed - timeout - survived - no_tests,
        "scored": total,
        "listed": len(listed),
        "neutral": neutral,
        "open": open_,
        "score": round((killed + timeout) / total, 4) if total else None,
        "decision_score": round((killed + timeout) / (total - neutral), 4) if total - neutral else None,
        "decided_score": round((killed + timeout) / decided, 4) if decided else None,
    }


def build_report(records: Sequence[Any], survivors: Survivors, meta: Mapping[str, Any]) -> dict[str, Any]:
    """The report document (``report.json``)."""
    modules = sorted({r.module for r in records})
    per_module = []
    for module in modules:
        row = _counts((r for r in records if r.module == module), survivors)
        per_module.append(
            {"module": module, **row, "meets_target": row["score"] is None or row["score"] >= TARGET}
        )
    listed = survivors.entries
    return {
        **meta,
        "target": TARGET,
        "modules": per_module,
        "total": _counts(records, survivors),
        "survivors": [
            {**r.to_json(), "listed": listed[r.id].kind if r.id in listed else None}
            for r in records if _open(r) and not survivors.is_excluded(r)
        ],
        "excluded": dict(survivors.excluded),
        "kinds": dict(sorted(Counter(
            survivors.entries[r.id].kind for r in records if _open(r) and r.id in survivors.entries
        ).items(), key=lambda item: -item[1])),
        "mutants": {r.id: r.status for r in records},
        "check": check_survivors(records, survivors),
    }


def markdown_table(report: Mapping[str, Any]) -> str:
    """The per-module table (Markdown) of a report."""
    lines = [
        "| module | mutants | excluded | rejected by mypy | scored | killed | survived | run by no case "
        "| listed | of which neutral | of which open | score | score on decisions "
        "| score on what the texts decide |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]

    def row(name: str, counts: Mapping[str, Any]) -> str:
        return (f"| {name} | {counts['generated']} | {counts['excluded']} | {counts['type_rejected']} | "
                f"{counts['scored']} | {counts['killed']} | "
                f"{counts['survived']} | "
                f"{counts['no_tests']} | {counts['listed']} | {counts['neutral']} | "
                f"{counts.get('open', 0)} | "
                f"{_percent(counts['score'])} | {_percent(counts['decision_score'])} | "
                f"{_percent(counts.get('decided_score'))} |")

    for module in report["modules"]:
        lines.append(row(f"`{module['module'].removeprefix('reference/')}`", module))
    lines.append(row("**total**", report["total"]))
    scored = [m for m in report["modules"] if m["score"] is not None]
    reached = {
        key: sum(m.get(key) is not None and m[key] >= report["target"] for m in scored)
        for key in ("score", "decision_score", "decided_score")
    }
    lines += [
        "",
        f"Modules at {100 * report['target']:.0f} % or more: score {reached['score']} of {len(scored)}, "
        f"score on decisions {reached['decision_score']} of {len(scored)}, "
        f"score on what the texts decide {reached['decided_score']} of {len(scored)}.",
    ]
    if report.get("kinds"):
        listed = ", ".join(f"{kind} {count}" for kind, count in report["kinds"].items())
        lines.append(f"Listed survivors by kind: {listed}.")
    lines += _timing(report)
    return "\n".join(lines) + "\n"


def _timing(report: Mapping[str, Any]) -> list[str]:
    """How long the run took, on how many CPUs, under what load (when the report says)."""
    runs = [("Full run", report.get("full_run")), ("Survivors run again (--incremental)", report)]
    if not report.get("incremental"):
        runs = [("Full run", report)]
    out = []
    for name, run in runs:
        if not run or run.get("seconds") is None:
            continue
        load = run.get("load_average") or {}
        out.append(f"{name}: {run['seconds'] / 60:.1f} min, {report.get('max_children')} mutants at a time "
                   f"on {report.get('cpus')} CPUs, load average {load.get('mean')} (max {load.get('max')}).")
    return out


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f} %"


def format_report(report: Mapping[str, Any]) -> str:
    """The human-readable summary: the table, the target, the check, the timing."""
    out = [markdown_table(report)]
    for key, name in (("score", "score"), ("decision_score", "score on decisions"),
                      ("decided_score", "score on what the texts decide")):
        below = [m["module"].removeprefix("reference/") for m in report["modules"]
                 if m.get(key) is not None and m[key] < report["target"]]
        out.append(f"Target {100 * report['target']:.0f} % killed per module, {name}: "
                   + (f"missed by {', '.join(below)}" if below else "met by every module"))
    check = report["check"]
    for mutant_id in check["unlisted"]:
        survivor = next(s for s in report["survivors"] if s["id"] == mutant_id)
        out.append(f"UNLISTED {mutant_id} ({survivor['status']}) {survivor['module']}:{survivor['line']}")
        out.append(f"    {survivor['was']}  ->  {survivor['now']}")
    for entry in check["stale"]:
        out.append(f"STALE    {entry['id']}: {entry['problem']}")
    if check["ok"]:
        out.append("Every survivor is listed in the survivors file; no stale entry.")
    else:
        out.append(f"{len(check['unlisted'])} unlisted survivor(s), {len(check['stale'])} stale entr(y/ies).")
    return "\n".join(out) + "\n"


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def draft_entries(records: Sequence[Any], survivors: Survivors) -> str:
    """Survivors-file entries for every unlisted survivor, ``kind`` and ``why`` left to a person."""
    out = []
    for record in records:
        if not _open(record) or record.id in survivors.entries or survivors.is_excluded(record):
            continue
        out += [
            "[[survivor]]",
            f"id = {_toml_string(record.id)}",
            f"# {record.module}:{record.line} ({record.status})",
            f"was = {_toml_string(record.was)}",
            f"now = {_toml_string(record.now)}",
            'kind = "TODO"',
            'why = "TODO"',
            "",
        ]
    return "\n".join(out)
