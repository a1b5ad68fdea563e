"""The format subcommands of ``python -m reference``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reference.cli.main import COMMAND_MODULES, main
from tests.test_indexfile import pep_wheels
from tests.test_metadata import PEP_INDEX_JSON, PEP_VARIANT_JSON
from tests.test_wheel import make_wheel, variant_json

FILENAME_KEYS = {
    "distribution",
    "version",
    "build_tag",
    "python_tags",
    "abi_tags",
    "platform_tags",
    "variant_label",
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_command_modules() -> None:
    assert COMMAND_MODULES[0] == "reference.cli.format"


def test_filename_json(capsys: pytest.CaptureFixture[str]) -> None:
    # PEP 825 "Variant label" example
    code, out, _ = run(
        capsys, "filename", "numpy-2.3.2-cp313-cp313t-musllinux_1_2_x86_64-x86_64_v3.whl", "--json"
    )
    assert code == 0
    data = json.loads(out)
    assert set(data) == FILENAME_KEYS
    assert data["variant_label"] == "x86_64_v3"
    assert data["build_tag"] is None
    assert data["platform_tags"] == ["musllinux_1_2_x86_64"]


def test_filename_build_tag_not_label(capsys: pytest.CaptureFixture[str]) -> None:
    # "The Python tag component MUST NOT start with a digit"
    code, out, _ = run(capsys, "filename", "pkg-1.0-3py-none-any-v3.whl", "--json")
    assert code == 0
    data = json.loads(out)
    assert (data["build_tag"], data["variant_label"]) == ("3py", None)


def test_filename_invalid(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "filename", "pkg-1.0-py3-none-any-V3.whl")
    assert code == 1
    assert "pep825:label-charset" in err
    assert "rule:" in err
    code, out, _ = run(capsys, "filename", "pkg-1.0-py3-none-any-V3.whl", "--json")
    assert code == 1
    (violation,) = json.loads(out)
    assert violation["clause"] == "pep825:label-charset"
    assert violation["location"] == "variant label"


def test_filename_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "filename", "numpy-2.3.2-cp313-cp313t-musllinux_1_2_x86_64-null.whl")
    assert code == 0
    assert "variant_label" in out and "null" in out


def test_validate_ok(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "variant.json"
    path.write_text(json.dumps(PEP_VARIANT_JSON))
    code, out, _ = run(capsys, "validate", str(path))
    assert code == 0 and out.startswith("ok:")
    code, out, _ = run(capsys, "validate", str(path), "--json")
    assert code == 0 and json.loads(out) == []


def test_validate_label_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "variant.json"
    path.write_text(json.dumps(PEP_VARIANT_JSON))
    code, out, _ = run(capsys, "validate", str(path), "--label", "other", "--json")
    assert code == 1
    assert [v["clause"] for v in json.loads(out)] == ["pep825:variants-single-entry"]


def test_validate_invalid_json_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = json.loads(json.dumps(PEP_INDEX_JSON))
    doc["variants"]["null"] = {"x86_64": {"level": ["v1"]}}
    doc["variants"]["BAD"] = {}
    path = tmp_path / "foo-1.2.3-variants.json"
    path.write_text(json.dumps(doc))
    code, out, _ = run(capsys, "validate", str(path), "--json")
    assert code == 1
    found = json.loads(out)
    assert {v["clause"] for v in found} == {"pep825:null-label", "pep825:label-charset"}
    assert {v["location"] for v in found} == {"/variants/null", "/variants/BAD"}
    assert all(set(v) == {"clause", "location", "source", "message"} for v in found)


def test_validate_wheel(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = make_wheel(tmp_path, "foo-1.0-py3-none-any-v3.whl", variant_json("v3"))
    assert run(capsys, "validate", str(good))[0] == 0
    bad = make_wheel(tmp_path, "foo-1.0-py3-none-any-v4.whl", variant_json("v3"))
    code, _, err = run(capsys, "validate", str(bad))
    assert code == 1 and "pep825:variants-single-entry" in err


def test_validate_pyproject(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.test_metadata import PYPROJECT

    path = tmp_path / "pyproject.toml"
    path.write_text(PYPROJECT)
    assert run(capsys, "validate", str(path))[0] == 0
    path.write_text("[variant\n")
    code, _, err = run(capsys, "validate", str(path))
    assert code == 1 and "reference:toml-syntax" in err


def test_validate_unsupported_version(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = dict(PEP_VARIANT_JSON, **{"$schema": "https://variants-schema.wheelnext.dev/peps/825/v1.0.0.json"})
    path = tmp_path / "variant.json"
    path.write_text(json.dumps(doc))
    code, _, err = run(capsys, "validate", str(path))
    assert code == 1 and "pep825:major-version" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["validate", "whatever.txt"],
        ["validate", "/nonexistent/variant.json"],
        ["merge", "/nonexistent/variant.json"],
        ["index-json", "/nonexistent"],
        ["nosuchcommand"],
        ["filename"],
        [],
    ],
)
def test_usage_and_io_errors(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert "Traceback" not in err


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("filename", "validate", "merge", "index-json"):
        code, out, _ = run(capsys, command, "--help")
        assert code == 0
        assert "example" in out and "pep825:" in out


def test_merge(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pep_wheels(tmp_path)
    wheels = sorted(str(p) for p in tmp_path.glob("foo-1.2.3-py3-none-any-*.whl"))
    code, out, _ = run(capsys, "merge", *wheels)
    assert code == 0
    assert set(json.loads(out)["variants"]) == {"null", "x86_64_v3_openblas", "x86_64_v4_mkl"}
    code, out2, _ = run(capsys, "merge", *reversed(wheels))
    assert out2 == out
    target = tmp_path / "merged.json"
    assert run(capsys, "merge", *wheels, "--output", str(target))[0] == 0
    assert target.read_text() == out


def test_merge_inconsistent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = make_wheel(tmp_path, "foo-1.0-py3-none-any-v3.whl", variant_json("v3", {"x86_64": {"level": ["v3"]}}))
    b = make_wheel(
        tmp_path, "foo-1.0-cp312-none-any-v3.whl", variant_json("v3", {"x86_64": {"level": ["v4"]}})
    )
    code, out, err = run(capsys, "merge", str(a), str(b))
    assert code == 1 and out == ""
    assert "pep825:consistency-variants" in err and a.name in err and b.name in err


def test_index_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pep_wheels(tmp_path)
    code, out, _ = run(capsys, "index-json", str(tmp_path))
    assert code == 0
    assert (tmp_path / "foo-1.2.3-variants.json").exists()
    assert len(out.splitlines()) == 2


def test_filename_does_not_import_jsonschema() -> None:
    # Start-up target < 150 ms (benchmarks/bench_format.py prints the figure):
    # the filename command must not pull in validation or zip machinery.
    code = (
        "import sys; from reference.cli.main import main; "
        "main(['filename', 'a-1-py3-none-any-x.whl']); "
        "print(sorted(m for m in ('jsonschema', 'reference.format.metadata', 'zipfile') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"
