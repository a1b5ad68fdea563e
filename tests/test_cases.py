"""The conformance case files: loadable, schema-valid and lint clean; the loader and lint themselves."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from conformance import cases as cases_mod
from conformance.cases import CAPABILITIES, Case, CaseFileError, check, lint, load_cases

CASES_DIR = cases_mod.CASES_DIR
MY_TOPICS = ("filename", "properties", "metadata", "combine", "markers")


@pytest.fixture(scope="module")
def all_cases() -> list[Case]:
    return load_cases()


def test_case_schema_is_valid() -> None:
    schema = json.loads(cases_mod.SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)


def test_every_case_file_is_valid_and_lint_clean() -> None:
    assert check() == []


def test_case_ids_follow_topic_behaviour_test(all_cases: list[Case]) -> None:
    for case in all_cases:
        relative = case.file.relative_to(CASES_DIR).with_suffix("").as_posix()
        assert case.id.startswith(relative + "/")
        assert case.topic == relative.split("/")[0]


@pytest.mark.parametrize("topic", MY_TOPICS)
def test_format_topics_have_cases(topic: str, all_cases: list[Case]) -> None:
    assert any(c.topic == topic for c in all_cases)


def test_format_topics_hold_over_a_hundred_tests(all_cases: list[Case]) -> None:
    assert sum(1 for c in all_cases if c.topic in MY_TOPICS) >= 100


def _write(root: Path, name: str, data: object) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _file(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "description": "labels are lower case",
        "spec": [{"clause": "pep825:label-charset"}],
        "source": "PEP 825 'Variant label'",
        "status": "final",
        "requires": ["filename"],
        "tests": [
            {
                "id": "upper",
                "description": "an uppercase label is invalid",
                "op": "filename",
                "input": {"filename": "a-1-py3-none-any-X.whl"},
                "expect": {"valid": False, "clauses": ["pep825:label-charset"]},
            }
        ],
    }
    data.update(overrides)
    return data


def test_load_inherits_file_fields(tmp_path: Path) -> None:
    _write(tmp_path, "filename/label.json", _file())
    [case] = load_cases(tmp_path)
    assert isinstance(case, Case)
    assert case.id == "filename/label/upper"
    assert case.clauses == ("pep825:label-charset",)
    assert case.status == "final"
    assert case.reading is None
    assert case.requires == frozenset({"filename"})
    assert case.op == "filename"
    assert case.expected_clauses == ("pep825:label-charset",)
    assert lint([case]) == []


def test_test_fields_override_file_fields(tmp_path: Path) -> None:
    data = _file()
    test = data["tests"][0]  # type: ignore[index]
    test.update({"status": "unsettled", "reading": "uv", "spec": [{"clause": "pep825:null-label"}]})
    _write(tmp_path, "filename/label.json", data)
    [case] = load_cases(tmp_path)
    assert (case.status, case.reading, case.clauses) == ("unsettled", "uv", ("pep825:null-label",))


def test_schema_rejects_unknown_keys_and_bad_expectations(tmp_path: Path) -> None:
    _write(tmp_path, "filename/extra.json", _file(extra=1))
    bad = _file()
    bad["tests"][0]["expect"] = {"valid": False}  # type: ignore[index]
    _write(tmp_path, "filename/noclauses.json", bad)
    with pytest.raises(CaseFileError) as info:
        load_cases(tmp_path)
    text = str(info.value)
    assert "extra.json" in text
    assert "noclauses.json" in text


def test_schema_rejects_invalid_json(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    with pytest.raises(CaseFileError):
        load_cases(tmp_path)


def test_lint_catches_each_problem(tmp_path: Path) -> None:
    data = _file(requires=["select", "teleport"])
    test = data["tests"][0]  # type: ignore[index]
    test["description"] = "test that the label should be rejected"
    test["expect"] = {"valid": False, "clauses": ["pep825:no-such-rule"]}
    data["tests"].append(dict(test, status="unsettled"))  # type: ignore[attr-defined]
    _write(tmp_path, "filename/label.json", data)
    problems = "\n".join(lint(load_cases(tmp_path)))
    assert "duplicate case id" in problems
    assert "duplicate description" in problems
    assert "should" in problems or "test that" in problems
    assert "unknown clause id 'pep825:no-such-rule'" in problems
    assert "unknown capability 'teleport'" in problems
    assert "needs capability 'filename'" in problems
    assert "'reading' is required" in problems


def test_lint_length_limit(tmp_path: Path) -> None:
    data = _file()
    data["tests"][0]["description"] = "x" * 151  # type: ignore[index]
    _write(tmp_path, "filename/long.json", data)
    # the schema already caps descriptions at 150 characters
    with pytest.raises(CaseFileError):
        load_cases(tmp_path)


def test_capabilities_vocabulary() -> None:
    assert {"filename", "validate", "combine", "select", "install", "markers", "pylock"} <= set(CAPABILITIES)
    assert lint([]) == []


def test_main_reports_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path, "filename/x.json", _file(requires=[]))
    assert cases_mod.main([str(tmp_path)]) == 1
    assert "needs capability" in capsys.readouterr().out


def test_context_clauses_are_cited_but_not_credited(tmp_path: Path) -> None:
    spec = [{"clause": "pep825:label-charset"}, {"clause": "pep825:null-label", "context": True}]
    _write(tmp_path, "filename/label.json", _file(spec=spec))
    [case] = load_cases(tmp_path)
    assert case.clauses == ("pep825:label-charset",)
    assert case.context == ("pep825:null-label",)
    assert lint([case]) == []
    only_context = [{"clause": "pep825:label-charset", "context": True}]
    _write(tmp_path, "filename/label.json", _file(spec=only_context))
    [case] = load_cases(tmp_path)
    assert any("every clause in 'spec' is context" in p for p in lint([case]))


def test_a_draft_is_refused_until_confirmed(tmp_path: Path) -> None:
    # conformance.differential.ready_case writes drafts: the reference's answer
    # is not an expectation until a person confirms it from the text.
    _write(tmp_path, "filename/label.json", _file(status="draft"))
    with pytest.raises(CaseFileError, match="unconfirmed draft"):
        load_cases(tmp_path)
    assert any("unconfirmed draft" in p for p in check(tmp_path))
    _write(tmp_path, "filename/label.json", _file(status="reference"))
    [case] = load_cases(tmp_path)
    assert case.status == "reference"


def _markers_file(expect: object) -> dict[str, object]:
    return _file(
        spec=[{"clause": "depspec:string-legacy"}],
        requires=["markers"],
        tests=[{
            "id": "less", "description": "< on the label", "op": "markers",
            "input": {"marker": 'variant_label < "a"', "variant_label": "a", "variant_properties": []},
            "expect": expect,
        }],
    )


def test_markers_any_of_lists_allowed_outcomes(tmp_path: Path) -> None:
    # depspec:string-legacy lets a tool answer False or fail: expect.any_of admits both.
    error = {"error": True, "clauses": ["depspec:string-legacy"]}
    _write(tmp_path, "ok/markers/less.json", _markers_file({"any_of": [{"result": False}, error]}))
    [case] = load_cases(tmp_path / "ok")
    assert case.expected_clauses == ("depspec:string-legacy",)
    assert lint([case]) == []
    for name, expect in {
        "one": {"any_of": [{"result": False}]},  # one outcome is no choice: write it plainly
        "nested": {"any_of": [{"result": False}, {"any_of": [error, {"result": True}]}]},
        "mixed": {"any_of": [{"result": False}, error], "result": True},
        "noclauses": {"any_of": [{"result": False}, {"error": True}]},
    }.items():
        _write(tmp_path, f"bad-{name}/markers/less.json", _markers_file(expect))
        with pytest.raises(CaseFileError):
            load_cases(tmp_path / f"bad-{name}")
