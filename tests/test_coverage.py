"""Tests of ``python -m conformance coverage`` (conformance/coverage.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from conformance.__main__ import main
from conformance.coverage import coverage_report, format_report
from reference.clauses import all_clauses


@dataclass(frozen=True)
class _Clause:
    id: str
    document: str
    level: str
    roles: tuple[str, ...]
    section: str = "s"
    untestable: str = ""


@dataclass(frozen=True)
class _Case:
    id: str
    clauses: tuple[str, ...]


CLAUSES = [
    _Clause("pep825:a", "pep825", "MUST", ("installer",)),
    _Clause("pep825:b", "pep825", "MUST", ("consumer", "producer")),
    _Clause("pep825:c", "pep825", "MUST NOT", ("installer",)),
    _Clause("pep825:d", "pep825", "MUST", ("index",)),  # binds an index only
    _Clause("pep825:e", "pep825", "SHOULD", ("installer",)),
    _Clause("providers:f", "providers", "REQUIRED", ("installer",), untestable="needs real hardware"),
    _Clause("reference:g", "reference", "MUST", ("installer",)),  # the project's own rule
]
CASES = [
    _Case("t/one/a", ("pep825:a", "pep825:e")),
    _Case("t/one/b", ("pep825:a",)),
    _Case("t/two/a", ("pep825:b", "pep825:zzz")),
]


def test_table_counts_clauses_covered_and_cases_per_document_and_level() -> None:
    report = coverage_report(CLAUSES, CASES)
    table = report.table()
    assert report.case_count == 3
    # pep825 MUST: a (2 cases), b (1 case), d (none).
    assert table["pep825"]["MUST"] == {"clauses": 3, "covered": 2, "cases": 3}
    assert table["pep825"]["MUST NOT"] == {"clauses": 1, "covered": 0, "cases": 0}
    assert table["pep825"]["SHOULD"] == {"clauses": 1, "covered": 1, "cases": 1}
    assert table["providers"]["REQUIRED"] == {"clauses": 1, "covered": 0, "cases": 0}
    assert list(table["pep825"]) == ["MUST", "MUST NOT", "SHOULD"]
    assert report.clauses["pep825:a"].cases == ("t/one/a", "t/one/b")


def test_uncovered_must_lists_installer_and_consumer_clauses_only() -> None:
    report = coverage_report(CLAUSES, CASES)
    # d binds an index only; e is a SHOULD; g is this project's rule (listed apart).
    assert [c.id for c in report.uncovered_must()] == ["pep825:c", "providers:f"]
    assert [c.id for c in report.uncovered_must(project=True)] == ["reference:g"]
    # A clause with an untestable reason is not a gap.
    assert [c.id for c in report.gaps()] == ["pep825:c"]
    assert report.goal_figures() == {"clauses": 4, "covered": 2, "untestable": 1, "gaps": 1}


def test_unknown_clause_ids_are_reported() -> None:
    report = coverage_report(CLAUSES, CASES)
    assert dict(report.unknown) == {"pep825:zzz": ("t/two/a",)}
    text = format_report(report)
    assert "pep825:zzz: t/two/a" in text
    assert "pep825:c [MUST NOT; installer] GAP" in text
    assert "providers:f [REQUIRED; installer] untestable: needs real hardware" in text


def test_json_document_matches_the_table() -> None:
    data = coverage_report(CLAUSES, CASES).to_json()
    assert data["goal"]["gaps"] == 1
    assert data["clauses"]["pep825:a"]["cases"] == ["t/one/a", "t/one/b"]
    assert [entry["id"] for entry in data["uncovered_must"]] == ["pep825:c", "providers:f"]
    assert data["uncovered_must"][1]["gap"] is False
    assert data["uncovered_project_rules"] == ["reference:g"]


def test_cli_json_covers_the_whole_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coverage", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    catalogue = all_clauses()
    assert set(data["clauses"]) == set(catalogue)
    total = sum(row["clauses"] for levels in data["table"].values() for row in levels.values())
    assert total == len(catalogue)
    for entry in data["uncovered_must"]:
        clause = catalogue[entry["id"]]
        assert clause.level in {"MUST", "MUST NOT", "REQUIRED", "SHALL", "SHALL NOT"}
        assert {"installer", "consumer"} & set(clause.roles)
        assert data["clauses"][entry["id"]]["cases"] == []


def test_cli_text_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coverage"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Clause coverage: ")
    assert "MUST-level specification clauses binding an installer or consumer:" in out


def test_a_clause_cited_as_context_is_not_covered(tmp_path: Path) -> None:
    # Issue 11: coverage counts a clause only through cases that can fail on it.
    from conformance.cases import load_cases

    case = {
        "description": "labels are lower case",
        "spec": [{"clause": "pep825:label-charset"}, {"clause": "pep825:null-label", "context": True}],
        "source": "PEP 825 'Variant label'",
        "status": "final",
        "requires": ["filename"],
        "tests": [{"id": "upper", "description": "an uppercase label is invalid", "op": "filename",
                   "input": {"filename": "a-1-py3-none-any-X.whl"},
                   "expect": {"valid": False, "clauses": ["pep825:label-charset"]}}],
    }
    (tmp_path / "filename").mkdir()
    (tmp_path / "filename" / "label.json").write_text(json.dumps(case), encoding="utf-8")
    report = coverage_report(all_clauses().values(), load_cases(tmp_path))
    assert report.clauses["pep825:label-charset"].covered
    assert not report.clauses["pep825:null-label"].covered
