"""The HTML compliance report: ``python -m conformance.report --html OUT.html REPORT.json ...``.

One static page, self-contained: inline CSS and a few lines of inline script
(opening the case or clause a link points at); nothing is loaded from anywhere.
It shows, for several reports side by side (one per adapter):

- who ran: each tool's name and version, the suite's version and commit, the
  date of each run, Python, platform and pytest;
- the **matrix**: spec section x adapter, each cell the count of every outcome
  (a coloured bar and the numbers, equal to the report's ``by_section``);
- status x adapter: the outcomes of the cases of each status (``final``,
  ``tentative``, ``unsettled``, ``reference``, ``draft``: where their
  expectations come from);
- the unsettled behaviours and which reading each tool follows;
- per clause: its sentence (from the clause catalogue), its cases and the
  outcome of each for every adapter;
- per case: the request, fixture index, profile or lock, expected versus
  observed per adapter, the reason (failure text, skip or deviation reason)
  and, for an unsettled case, the reading it stands for.

Outcomes are rendered generically: every key of a report's ``totals`` other
than ``total`` is an outcome, so one this module does not know (a newer
report) is still counted and shown, in a neutral colour.
"""

from __future__ import annotations

import datetime
import json
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

__all__ = ["outcomes_of", "render_html", "statuses_of"]

#: Display order and colour of the outcomes this version knows.
_KNOWN: dict[str, tuple[str, str]] = {
    "passed": ("#2e7d32", "observed equals expected"),
    "projected": (
        "#7cb342", "passed on a projected form of the case (not a test of a capability the tool lacks)"
    ),
    "failed": ("#c62828", "observed differs from expected (or a recorded deviation now passes)"),
    "expected-deviation": ("#ef8f00", "a known deviation recorded in the tool's expectations file"),
    "skipped": (
        "#b0b7bf", "not run: the tool lacks a capability the case requires, or the adapter skipped it"
    ),
    "adapter-error": ("#7b1fa2", "the adapter or harness broke: never a verdict"),
    "error": ("#4e342e", "the suite could not prepare the case"),
}
#: Where a case's expectation comes from (``schemas/case.schema.json``, ``status``), in display order.
_STATUSES: dict[str, str] = {
    "final": "decided by the PEP 825 text",
    "tentative": "rests on the providers draft (or 0.2.0 as implemented)",
    "unsettled": "one reading of open text, one case per reading",
    "reference": "a rule only this project defines (other tools may define it differently)",
    "draft": "written by a tool, not yet confirmed from the text",
}
_OTHER_COLOURS = ("#00838f", "#5d4037", "#283593", "#ad1457", "#827717")
_BAD = ("failed", "adapter-error", "error")


def outcomes_of(reports: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every outcome the reports count: the known ones in display order, then any other, sorted."""
    seen: set[str] = set()
    for report in reports:
        seen.update(key for key in report.get("totals", {}) if key != "total")
        seen.update(case.get("outcome", "") for case in report.get("cases", []))
    seen.discard("")
    return [o for o in _KNOWN if o in seen] + sorted(seen - set(_KNOWN))


def statuses_of(reports: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every case status the reports hold: the known ones in display order, then any other, sorted."""
    seen = {str(case.get("status") or "(none)") for report in reports for case in report.get("cases", [])}
    return [s for s in _STATUSES if s in seen] + sorted(seen - set(_STATUSES))


def _colour(outcome: str, outcomes: Sequence[str]) -> str:
    if outcome in _KNOWN:
        return _KNOWN[outcome][0]
    others = [o for o in outcomes if o not in _KNOWN]
    return _OTHER_COLOURS[others.index(outcome) % len(_OTHER_COLOURS)] if outcome in others else "#777"


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _anchor(kind: str, name: str) -> str:
    return f"{kind}:{name}"


def _href(kind: str, name: str) -> str:
    return "#" + urllib.parse.quote(_anchor(kind, name), safe="/:")


def _json(value: Any) -> str:
    return json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False)


def _adapter_name(report: Mapping[str, Any]) -> str:
    adapter = report.get("adapter", {})
    return f"{adapter.get('name', '?')} {adapter.get('version', '?')}"


# ---------------------------------------------------------------------------
# pieces
# ---------------------------------------------------------------------------
def _counts(row: Mapping[str, Any], outcomes: Sequence[str]) -> str:
    """A stacked bar and the non-zero counts of one row of counts."""
    total = sum(int(row.get(o, 0) or 0) for o in outcomes) or 1
    bar = "".join(
        f'<i style="width:{100 * int(row.get(o, 0)) / total:.2f}%;background:{_colour(o, outcomes)}"></i>'
        for o in outcomes
        if row.get(o)
    )
    numbers = " ".join(
        f'<span class="n" data-outcome="{_e(o)}" title="{_e(o)}" '
        f'style="color:{_colour(o, outcomes)}">{int(row[o])}</span>'
        for o in outcomes
        if row.get(o)
    )
    return f'<div class="bar">{bar}</div><div class="nums">{numbers or "-"}</div>'


def _cell_class(row: Mapping[str, Any]) -> str:
    if any(row.get(o) for o in _BAD):
        return "bad"
    if row.get("expected-deviation"):
        return "dev"
    ran = sum(int(v) for k, v in row.items() if k not in ("total", "skipped") and isinstance(v, int))
    return "ok" if ran else "none"


def _chip(adapter: str, outcome: str, outcomes: Sequence[str], href: str = "") -> str:
    tag = f'a href="{_e(href)}"' if href else "span"
    end = "a" if href else "span"
    return (
        f'<{tag} class="chip" data-outcome="{_e(outcome)}" title="{_e(adapter)}: {_e(outcome)}" '
        f'style="background:{_colour(outcome, outcomes)}">{_e(adapter)}</{end}>'
    )


def _chips(names: Sequence[str], records: Sequence[Mapping[str, Any] | None], outcomes: Sequence[str]) -> str:
    """One chip per adapter that ran the case."""
    return "".join(_chip(n, r["outcome"], outcomes) for n, r in zip(names, records, strict=True) if r)


def _legend(outcomes: Sequence[str]) -> str:
    items = "".join(
        f'<li><b style="background:{_colour(o, outcomes)}"></b>{_e(o)}: '
        f"{_e(_KNOWN.get(o, ('', 'an outcome this page version does not describe'))[1])}</li>"
        for o in outcomes
    )
    return f'<ul class="legend">{items}</ul>'


def _header(reports: Sequence[Mapping[str, Any]], outcomes: Sequence[str]) -> str:
    suites = {json.dumps(r.get("suite"), sort_keys=True): r.get("suite") or {} for r in reports}
    suite_lines = []
    for suite in suites.values():
        commit = suite.get("commit") or "(not run from a git checkout)"
        suite_lines.append(
            f"{_e(suite.get('name', 'wheel-variant-conformance'))} {_e(suite.get('version', '?'))}, "
            f'commit <code>{_e(commit)}</code>'
        )
    rows = []
    for index, report in enumerate(reports):
        adapter = report.get("adapter", {})
        env = report.get("environment") or {}
        capabilities = ", ".join(adapter.get("capabilities", []))
        rows.append(
            f'<tr data-adapter="{index}"><th>{_e(adapter.get("name", "?"))}</th>'
            f'<td>{_e(adapter.get("version", "?"))}</td>'
            f'<td>{_e(report.get("created", "?"))}</td><td>{float(report.get("duration", 0)):.1f} s</td>'
            f'<td>{_e(env.get("python", "?"))} ({_e(env.get("implementation", "?"))}), '
            f'pytest {_e(env.get("pytest", "?"))}<br><small>{_e(env.get("platform", ""))}</small></td>'
            f'<td><details><summary>{len(adapter.get("capabilities", []))}</summary>'
            f"<small>{_e(capabilities)}</small></details></td>"
            f'<td class="totals">{_counts(report.get("totals", {}), outcomes)}</td></tr>'
        )
    generated = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    return (
        "<header><h1>Wheel-variant conformance</h1>"
        f"<p>PEP 825 and the providers text, measured case by case. Suite: {'; '.join(suite_lines)}. "
        f"Page generated {_e(generated)}.</p></header>"
        '<h2 id="tools">Implementations</h2><table class="tools"><thead><tr><th>tool</th><th>version</th>'
        "<th>run</th><th>took</th><th>Python, pytest, platform</th><th>capabilities</th><th>all cases</th>"
        f'</tr></thead><tbody>{"".join(rows)}</tbody></table>{_legend(outcomes)}'
    )


def _matrix(reports: Sequence[Mapping[str, Any]], outcomes: Sequence[str]) -> str:
    sections: dict[str, Mapping[str, Any]] = {}
    for report in reports:
        for key, row in report.get("by_section", {}).items():
            sections.setdefault(key, row)
    head = "".join(f'<th data-adapter="{i}">{_e(_adapter_name(r))}</th>' for i, r in enumerate(reports))
    body = []
    for key in sorted(sections):
        cells = []
        for index, report in enumerate(reports):
            row = report.get("by_section", {}).get(key, {})
            cells.append(
                f'<td class="cell {_cell_class(row)}" data-adapter="{index}" data-section="{_e(key)}">'
                f"{_counts(row, outcomes)}</td>"
            )
        body.append(f'<tr><th><a href="{_e(_href("section", key))}">{_e(key)}</a></th>{"".join(cells)}</tr>')
    totals = "".join(
        f'<td class="cell {_cell_class(r.get("totals", {}))}" data-adapter="{i}" data-section="total">'
        f'{_counts(r.get("totals", {}), outcomes)}</td>'
        for i, r in enumerate(reports)
    )
    return (
        '<h2 id="matrix">Spec section x tool</h2><p>Each cell counts the cases that check a clause of the '
        "section (a case counts once per section). Green: no failure; orange: only recorded deviations; "
        "red: failures or errors; grey: nothing ran.</p>"
        f'<table class="matrix"><thead><tr><th>spec section</th>{head}</tr></thead><tbody>{"".join(body)}'
        f'</tbody><tfoot><tr><th>all cases</th>{totals}</tr></tfoot></table>'
    )


def _statuses(reports: Sequence[Mapping[str, Any]], outcomes: Sequence[str]) -> str:
    """Status x tool: the outcomes of the cases of each status (where their expectations come from)."""
    statuses = statuses_of(reports)
    head = "".join(f'<th data-adapter="{i}">{_e(_adapter_name(r))}</th>' for i, r in enumerate(reports))
    body = []
    for status in statuses:
        cells = []
        for index, report in enumerate(reports):
            row: dict[str, int] = {}
            for case in report.get("cases", []):
                if str(case.get("status") or "(none)") == status:
                    row[case["outcome"]] = row.get(case["outcome"], 0) + 1
            cells.append(
                f'<td class="cell {_cell_class(row)}" data-adapter="{index}" data-status="{_e(status)}">'
                f"{_counts(row, outcomes)}</td>"
            )
        meaning = _STATUSES.get(status, "a status this page version does not describe")
        body.append(f"<tr><th><code>{_e(status)}</code><br><small>{_e(meaning)}</small></th>{''.join(cells)}</tr>")
    return (
        '<h2 id="statuses">Where the expectations come from</h2><p>Each case has a status saying what '
        "its expectation rests on; the outcomes of each tool per status.</p>"
        f'<table class="statuses"><thead><tr><th>status</th>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _readings(reports: Sequence[Mapping[str, Any]]) -> str:
    behaviours = sorted({b for r in reports for b in r.get("readings", {})})
    if not behaviours:
        return ""
    head = "".join(f"<th>{_e(_adapter_name(r))}</th>" for r in reports)
    rows = []
    for behaviour in behaviours:
        cells = []
        for report in reports:
            verdicts = report.get("readings", {}).get(behaviour, {})
            cells.append(
                "<td>"
                + "<br>".join(f'<span class="v-{_e(v)}">{_e(v)}</span> {_e(k)}' for k, v in verdicts.items())
                + "</td>"
            )
        rows.append(f"<tr><th>{_e(behaviour)}</th>{''.join(cells)}</tr>")
    return (
        '<h2 id="readings">Unsettled behaviours: the reading each tool follows</h2>'
        "<p>Where the sources disagree, the suite holds one case per reading; no tool can follow all.</p>"
        f'<table class="readings"><thead><tr><th>behaviour</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _case_index(reports: Sequence[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any] | None]]:
    """case id -> the record of each report (``None`` where a report lacks the case)."""
    ids = sorted({c["id"] for r in reports for c in r.get("cases", [])})
    per = [{c["id"]: c for c in r.get("cases", [])} for r in reports]
    return {case_id: [p.get(case_id) for p in per] for case_id in ids}


def _clauses(
    reports: Sequence[Mapping[str, Any]], cases: Mapping[str, list[Mapping[str, Any] | None]],
    outcomes: Sequence[str],
) -> str:
    from reference import clauses as catalogue

    known = catalogue.all_clauses()
    names = [r.get("adapter", {}).get("name", "?") for r in reports]
    by_clause: dict[str, list[str]] = {}
    for case_id, records in cases.items():
        first = next(r for r in records if r is not None)
        for clause_id in first.get("clauses", []):
            by_clause.setdefault(clause_id, []).append(case_id)
    by_section: dict[str, list[str]] = {}
    for clause_id in by_clause:
        entry = known.get(clause_id)
        document = entry.document if entry else clause_id.split(":", 1)[0]
        key = f"{document}: {entry.section if entry else '(unknown clause)'}"
        by_section.setdefault(key, []).append(clause_id)
    parts = ['<h2 id="clauses">Clauses</h2><p>Every clause the cases check, with its sentence.</p>']
    for key in sorted(by_section):
        parts.append(f'<section id="{_e(_anchor("section", key))}"><h3>{_e(key)}</h3>')
        for clause_id in sorted(by_section[key]):
            entry = known.get(clause_id)
            chips = "".join(
                _counts(r.get("by_clause", {}).get(clause_id, {}), outcomes).join(
                    (f'<span class="who">{_e(n)}</span><span class="mini">', "</span>")
                )
                for n, r in zip(names, reports, strict=True)
            )
            rows = "".join(
                f'<tr><td><a href="{_e(_href("case", cid))}">{_e(cid)}</a></td>'
                f"<td>{_chips(names, cases[cid], outcomes)}</td></tr>"
                for cid in by_clause[clause_id]
            )
            level = f" [{entry.level}]" if entry else ""
            quote = entry.quote if entry else "(not in the clause catalogue)"
            parts.append(
                f'<details class="clause" id="{_e(_anchor("clause", clause_id))}"><summary>'
                f"<code>{_e(clause_id)}</code>{_e(level)} {chips}</summary>"
                f"<blockquote>{_e(quote)}</blockquote><table class=\"cases\">{rows}</table></details>"
            )
        parts.append("</section>")
    return "".join(parts)


def _fixture_lines(request: Any) -> list[str]:
    if not isinstance(request, Mapping):
        return []
    lines = []
    for key, folder in (("index", "indexes"), ("profile", "profiles"), ("lock", "locks")):
        value = request.get(key)
        if isinstance(value, str):
            where = f"fixtures/{folder}/{value}.toml"
            lines.append(f"<dt>{key}</dt><dd><code>{_e(value)}</code> (<code>{_e(where)}</code>)</dd>")
    return lines


def _case(
    case_id: str, records: list[Mapping[str, Any] | None], reports: Sequence[Mapping[str, Any]],
    outcomes: Sequence[str],
) -> str:
    first = next(r for r in records if r is not None)
    names = [r.get("adapter", {}).get("name", "?") for r in reports]
    chips = _chips(names, records, outcomes)
    present = " ".join(sorted({rec["outcome"] for rec in records if rec}))
    status = first.get("status", "")
    reading = first.get("reading")
    meaning = _STATUSES.get(status, "")
    info = [f"<dt>status</dt><dd><code>{_e(status)}</code>{f' ({_e(meaning)})' if meaning else ''}</dd>"]
    if reading:
        behaviour = case_id.rsplit("/", 1)[0]
        verdicts = ", ".join(
            f"{_e(n)}: {_e(r.get('readings', {}).get(behaviour, {}).get(reading, 'not-run'))}"
            for n, r in zip(names, reports, strict=True)
        )
        info.append(f"<dt>reading</dt><dd><b>{_e(reading)}</b> (follows this reading: {verdicts})</dd>")
    request = first.get("input")
    info.append(
        f"<dt>request</dt><dd>op <code>{_e(first.get('op', '?'))}</code><pre>{_e(_json(request))}</pre></dd>"
        if request is not None
        else f"<dt>request</dt><dd>op <code>{_e(first.get('op', '?'))}</code></dd>"
    )
    info += _fixture_lines(request)
    clauses = " ".join(
        f'<a href="{_e(_href("clause", c))}"><code>{_e(c)}</code></a>' for c in first.get("clauses", [])
    )
    info.append(f"<dt>clauses</dt><dd>{clauses}</dd>")
    if first.get("source"):
        info.append(f"<dt>source</dt><dd>{_e(first['source'])}</dd>")
    if "expect" in first:
        info.append(f"<dt>expected</dt><dd><pre>{_e(_json(first['expect']))}</pre></dd>")
    per_tool = []
    for name, record in zip(names, records, strict=True):
        if record is None:
            continue
        observed = (
            f"<small>observed</small><pre class=\"observed\">{_e(_json(record['observed']))}</pre>"
            if "observed" in record
            else ""
        )
        reason = (
            f'<small>reason</small><pre class="reason">{_e(record["reason"])}</pre>'
            if record.get("reason")
            else ""
        )
        per_tool.append(
            f'<div class="tool" data-outcome="{_e(record["outcome"])}">'
            f"<h4>{_chip(name, record['outcome'], outcomes)} {_e(record['outcome'])}</h4>"
            f"{observed or '<p>observed: (no result)</p>'}{reason}</div>"
        )
    return (
        f'<details class="case" id="{_e(_anchor("case", case_id))}" data-outcomes="{_e(present)}">'
        f"<summary><code>{_e(case_id)}</code> {chips} "
        f"<small>{_e(first.get('description', ''))}</small></summary>"
        f'<dl>{"".join(info)}</dl><div class="tools">{"".join(per_tool)}</div></details>'
    )


def _cases(
    reports: Sequence[Mapping[str, Any]], cases: Mapping[str, list[Mapping[str, Any] | None]],
    outcomes: Sequence[str],
) -> str:
    topics: dict[str, list[str]] = {}
    for case_id in cases:
        topics.setdefault(case_id.split("/", 1)[0], []).append(case_id)
    parts = [
        '<h2 id="cases">Cases</h2><p><label><input type="checkbox" id="only-differing"> only cases some '
        "tool did not pass</label></p>"
    ]
    for topic in sorted(topics):
        parts.append(f'<section class="topic"><h3>{_e(topic)} ({len(topics[topic])})</h3>')
        parts += [_case(cid, cases[cid], reports, outcomes) for cid in topics[topic]]
        parts.append("</section>")
    return "".join(parts)


_STYLE = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0 auto;max-width:1200px;
padding:0 16px 48px;color:#1b1f23}
h1{margin:18px 0 4px}h2{margin-top:32px;border-bottom:1px solid #ddd}h3{margin:18px 0 6px}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #e1e4e8;padding:4px 6px;text-align:left;
vertical-align:top}thead th{background:#f6f8fa}
td.cell{min-width:120px}td.cell.ok{background:#e8f5e9}td.cell.bad{background:#ffebee}
td.cell.dev{background:#fff3e0}td.cell.none{background:#f5f5f5}
.bar{display:flex;height:8px;border-radius:4px;overflow:hidden;background:#eee;margin:2px 0}
.bar i{display:block;height:100%}.nums .n{font-weight:600;margin-right:6px}
.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:6px 18px}
.legend b{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:5px;vertical-align:-1px}
.chip{display:inline-block;color:#fff;border-radius:9px;padding:0 7px;margin:0 2px;font-size:12px;
text-decoration:none}
details{border:1px solid #e1e4e8;border-radius:4px;margin:4px 0;padding:2px 8px}
details[open]{background:#fafbfc}summary{cursor:pointer}
.clause .who{font-size:12px;color:#555;margin-left:10px}.clause .mini{display:inline-block;width:90px;
vertical-align:middle}.mini .nums{display:none}
blockquote{margin:6px 0;padding:4px 10px;border-left:3px solid #0366d6;background:#f1f8ff}
pre{background:#f6f8fa;padding:6px;overflow:auto;max-height:320px;white-space:pre-wrap;
word-break:break-word;margin:4px 0}
dl{display:grid;grid-template-columns:110px 1fr;gap:2px 10px}dt{font-weight:600}dd{margin:0}
.tools h4{margin:8px 0 2px}.v-follows{color:#2e7d32;font-weight:600}.v-differs{color:#c62828;
font-weight:600}.v-mixed{color:#ef8f00;font-weight:600}.v-not-run{color:#777}
body.only-differing details.case[data-outcomes="passed"]{display:none}
"""

_SCRIPT = """
function openTarget(){var id=decodeURIComponent(location.hash.slice(1));if(!id)return;
var el=document.getElementById(id);if(!el)return;
for(var n=el;n;n=n.parentElement){if(n.tagName==='DETAILS')n.open=true;}el.scrollIntoView();}
window.addEventListener('hashchange',openTarget);document.addEventListener('DOMContentLoaded',function(){
openTarget();var box=document.getElementById('only-differing');if(box)box.addEventListener('change',
function(){document.body.classList.toggle('only-differing',box.checked);});});
"""


def render_html(reports: Sequence[Mapping[str, Any]]) -> str:
    """The compliance page for *reports* (report documents, one per adapter), as one HTML string."""
    outcomes = outcomes_of(reports)
    cases = _case_index(reports)
    title = "Wheel-variant conformance: " + ", ".join(_adapter_name(r) for r in reports)
    nav = (
        '<nav><a href="#tools">implementations</a> · <a href="#matrix">matrix</a> · '
        '<a href="#statuses">statuses</a> · <a href="#readings">readings</a> · '
        '<a href="#clauses">clauses</a> · <a href="#cases">cases</a></nav>'
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">"
        f"<title>{_e(title)}</title><style>{_STYLE}</style><script>{_SCRIPT}</script></head><body>"
        f"{_header(reports, outcomes)}{nav}{_matrix(reports, outcomes)}{_statuses(reports, outcomes)}"
        f"{_readings(reports)}"
        f"{_clauses(reports, cases, outcomes)}{_cases(reports, cases, outcomes)}</body></html>\n"
    )
