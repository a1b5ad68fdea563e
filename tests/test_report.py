"""The conformance report: totals per clause, per spec section and per topic; its schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conformance.report import OUTCOMES, build_report, counts, main, markdown_table, replace_block

SCHEMA = json.loads((Path(__file__).parent.parent / "schemas" / "report.schema.json").read_text())


def record(case_id: str, outcome: str, clauses: list[str]) -> dict[str, Any]:
    return {
        "id": case_id,
        "file": f"conformance/cases/{case_id.rsplit('/', 1)[0]}.json",
        "op": "select",
        "status": "final",
        "reading": None,
        "outcome": outcome,
        "reason": "" if outcome == "passed" else "why",
        "clauses": clauses,
        "requires": ["select"],
        "duration": 0.01,
    }


def test_counts_has_every_outcome() -> None:
    assert counts(["passed", "passed", "skipped"]) == {
        **dict.fromkeys(OUTCOMES, 0),
        "passed": 2,
        "skipped": 1,
        "total": 3,
    }


def test_totals_per_clause_section_and_topic() -> None:
    cases = [
        record("ordering/subset/a", "passed", ["pep825:ordering-step-7", "pep825:ordering-step-6"]),
        record("ordering/subset/b", "failed", ["pep825:ordering-step-7"]),
        record("selection/null/c", "skipped", ["pep825:label-charset"]),
        record("selection/null/d", "expected-deviation", ["pep825:no-such-clause"]),
    ]
    report = build_report(cases, {"name": "x", "version": "1", "capabilities": ["select"]}, duration=1.5)
    jsonschema.Draft202012Validator(SCHEMA).validate(report)
    assert report["totals"]["total"] == 4
    assert report["by_clause"]["pep825:ordering-step-7"]["passed"] == 1
    assert report["by_clause"]["pep825:ordering-step-7"]["failed"] == 1
    # Steps 6 and 7 are both in PEP 825 'Variant ordering': case a counts once in that section.
    ordering = report["by_section"]["pep825: Variant ordering"]
    assert (ordering["passed"], ordering["failed"], ordering["total"]) == (1, 1, 2)
    assert report["by_section"]["pep825: (unknown clause)"]["expected-deviation"] == 1
    assert report["by_topic"]["selection"]["skipped"] == 1
    assert [case["id"] for case in report["cases"]] == sorted(case["id"] for case in cases)


def test_schema_rejects_an_unknown_outcome() -> None:
    report = build_report([record("a/b/c", "passed", [])], {"name": "x", "version": "1"}, duration=0)
    report["cases"][0]["outcome"] = "sort-of"
    validator = jsonschema.Draft202012Validator(SCHEMA)
    assert not validator.is_valid(report)


def test_readings_say_which_reading_an_implementation_follows() -> None:
    def unsettled(case_id: str, reading: str, outcome: str) -> dict[str, Any]:
        return {**record(case_id, outcome, []), "status": "unsettled", "reading": reading}

    cases = [
        unsettled("metadata/order/a", "text", "expected-deviation"),
        unsettled("metadata/order/b", "schema", "passed"),
        unsettled("metadata/order/c", "schema", "passed"),
        unsettled("metadata/url/d", "uv", "skipped"),
        unsettled("metadata/url/e", "pep", "passed"),
        unsettled("metadata/url/f", "pep", "failed"),
    ]
    report = build_report(cases, {"name": "x", "version": "1"}, duration=0)
    jsonschema.Draft202012Validator(SCHEMA).validate(report)
    assert report["readings"] == {
        "metadata/order": {"schema": "follows", "text": "differs"},
        "metadata/url": {"pep": "mixed", "uv": "not-run"},
    }


def test_markdown_table_puts_adapters_side_by_side(tmp_path: Path, capsys: Any) -> None:
    one = build_report(
        [record("a/b/c", "passed", ["pep825:label-charset"])], {"name": "x", "version": "1"}, duration=0
    )
    two = build_report(
        [record("a/b/c", "skipped", ["pep825:label-charset"])], {"name": "y", "version": "2"}, duration=0
    )
    table = markdown_table([one, two])
    assert "| spec section | x 1 | y 2 |" in table
    assert "| pep825: Variant label | 1 / 0 / 0 | 0 / 0 / 1 |" in table
    path = tmp_path / "r.json"
    path.write_text(json.dumps(one))
    assert main([str(path), "--by", "topic"]) == 0
    assert "| a | 1 / 0 / 0 |" in capsys.readouterr().out


def test_projected_results_have_their_own_count_and_cell() -> None:
    # a projected pass is neither 'passed' nor hidden: it is counted and shown apart
    cases = [
        record("a/b/plain", "passed", ["pep825:label-charset"]),
        record("a/b/proj", "projected", ["pep825:label-charset"]),
    ]
    adapter = {"name": "x", "version": "1", "indirect": ["providers.user-static"]}
    report = build_report(cases, adapter, duration=0)
    assert report["totals"]["passed"] == 1 and report["totals"]["projected"] == 1
    assert report["adapter"]["indirect"] == ["providers.user-static"]
    assert "| a | 1 / 0 / 0 (1 proj) |" in markdown_table([report], "by_topic")
    # an older report without the count still renders
    old = json.loads(json.dumps(report))
    del old["by_topic"]["a"]["projected"]
    assert "| a | 1 / 0 / 0 |" in markdown_table([old], "by_topic")


def test_the_table_goes_between_the_markers_of_a_document(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    one = build_report([record("a/b/c", "passed", [])], {"name": "x", "version": "1"}, duration=0)
    report.write_text(json.dumps(one))
    doc = tmp_path / "README.md"
    doc.write_text("intro\n<!-- results:start -->\nold table\n<!-- results:end -->\noutro\n")
    assert main([str(report), "--by", "topic", "--into", f"{doc}:results"]) == 0
    text = doc.read_text()
    assert text.startswith("intro\n<!-- results:start -->\n| topic | x 1 |\n")
    assert "old table" not in text and text.endswith("<!-- results:end -->\noutro\n")
    assert main([str(report), "--into", f"{doc}:missing"]) == 2
    assert doc.read_text() == text


def test_a_block_inside_a_list_item_keeps_its_end_marker_indented() -> None:
    text = "- item\n\n  <!-- t:start -->\n  | old |\n  <!-- t:end -->\n- next\n"
    assert replace_block(text, "t", "  | new |\n") == (
        "- item\n\n  <!-- t:start -->\n  | new |\n  <!-- t:end -->\n- next\n"
    )
    with pytest.raises(ValueError, match="no '<!-- u:start -->'"):
        replace_block(text, "u", "x\n")
