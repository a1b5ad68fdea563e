"""The validation cache of conformance.cases: it skips only bytes that already passed this schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance import cases as cases_mod
from conformance.cases import CACHE_ENV, CACHE_FILE, CaseFileError, load_cases
from tests.test_cases import _file, _write


@pytest.fixture
def cache_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # CONFORMANCE_CASE_CACHE names a folder (as README.md and VARIANT_REF_PLUGIN_CACHE do)
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache" / CACHE_FILE


def test_valid_file_is_remembered_and_then_skipped(tmp_path: Path, cache_file: Path) -> None:
    root = tmp_path / "cases"
    _write(root, "filename/a.json", _file())
    first = load_cases(root)
    assert len(json.loads(cache_file.read_text())["valid"]) == 1
    # Remembered bytes are not validated again: the result is the same.
    assert [c.id for c in load_cases(root)] == [c.id for c in first]


def test_invalid_file_is_never_remembered(tmp_path: Path, cache_file: Path) -> None:
    root = tmp_path / "cases"
    _write(root, "filename/a.json", _file(status="maybe"))
    for _ in range(2):
        with pytest.raises(CaseFileError):
            load_cases(root)
    assert not cache_file.exists()


def test_edited_file_is_validated_again(tmp_path: Path, cache_file: Path) -> None:
    root = tmp_path / "cases"
    path = _write(root, "filename/a.json", _file())
    load_cases(root)
    _write(root, "filename/a.json", _file(status="maybe"))
    assert path.is_file()
    with pytest.raises(CaseFileError, match="status"):
        load_cases(root)


def test_other_schema_key_ignores_the_cache(
    tmp_path: Path, cache_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "cases"
    _write(root, "filename/a.json", _file())
    load_cases(root)
    # A cache written for another schema (or jsonschema version) is not trusted.
    monkeypatch.setattr(cases_mod, "_cache_key", lambda: "another-schema")
    seen: list[object] = []
    real = cases_mod._schema_problems

    def spy(path: Path, data: object) -> list[str]:
        seen.append(path)
        return real(path, data)

    monkeypatch.setattr(cases_mod, "_schema_problems", spy)
    load_cases(root)
    assert len(seen) == 1


def test_cache_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, "off")
    root = tmp_path / "cases"
    _write(root, "filename/a.json", _file())
    assert len(load_cases(root)) == 1
