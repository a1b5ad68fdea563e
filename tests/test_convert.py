"""variant-ref convert: WheelNext draft metadata -> PEP 825 format (reference.format.convert)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.corpus import CORPUS
from reference import clauses
from reference.cli.main import main
from reference.errors import InvalidVariantMetadata
from reference.format.convert import convert_bytes, convert_document
from reference.format.metadata import load_metadata
from reference.format.model import SCHEMA_0_1_1, SCHEMA_0_2_0
from reference.limits import LimitExceeded

V3 = "https://variants-schema.wheelnext.dev/v0.0.3.json"
V2 = "https://variants-schema.wheelnext.dev/v0.0.2.json"
DOCUMENTS = sorted(CORPUS.glob("*/*-variants.json"))


def draft(**changes: Any) -> dict[str, Any]:
    """A v0.0.3 document like numpy's: one plugin namespace, one static (AoT) one."""
    doc: dict[str, Any] = {
        "$schema": V3,
        "default-priorities": {
            "namespace": ["x86_64", "blas_lapack"],
            "feature": {"blas_lapack": ["provider"]},
            "property": {"blas_lapack": {"provider": ["mkl"]}},
        },
        "providers": {
            "x86_64": {
                "enable-if": "platform_machine == 'x86_64'",
                "plugin-api": "provider_variant_x86_64.plugin:X8664Plugin",
                "requires": ["provider-variant-x86-64"],
            },
            "blas_lapack": {"install-time": False, "requires": ["blas-lapack-variant-provider"]},
        },
        "static-properties": {"blas_lapack": {"provider": ["accelerate", "openblas", "mkl"]}},
        "variants": {
            "openblas": {"blas_lapack": {"provider": ["openblas"]}},
            "x8664v4_mkl": {"blas_lapack": {"provider": ["mkl"]}, "x86_64": {"level": ["v4"]}},
        },
    }
    doc.update(changes)
    return doc


def rules(conversion: Any) -> list[str]:
    return sorted({w.clause for w in conversion.warnings})


def test_corpus_has_96_documents() -> None:
    assert len(DOCUMENTS) == 96


@pytest.mark.parametrize("target", ["0.2.0", "0.1.1"])
def test_every_corpus_document_converts_to_valid_metadata(target: str) -> None:
    for path in DOCUMENTS:
        original = json.loads(path.read_bytes())
        result = convert_bytes(path.read_bytes(), str(path), target)  # type: ignore[arg-type]
        metadata = load_metadata(json.loads(result.dumps()), kind="index", source=str(path))
        # labels, properties and the namespace order are carried over unchanged
        assert result.document["variants"] == original["variants"], path
        assert list(metadata.namespace_priorities) == original["default-priorities"]["namespace"]
        assert result.warnings, path  # every corpus document has keys with no place in the target


def test_plugin_and_static_namespaces_map_to_their_0_2_0_forms() -> None:
    result = convert_document(draft(), "numpy.json")
    assert result.document["$schema"] == SCHEMA_0_2_0
    assert result.document["default-priorities"] == {"namespace": ["x86_64", "blas_lapack"]}
    assert result.document["providers"] == {
        "x86_64": {
            "plugin-api": "provider_variant_x86_64.plugin:X8664Plugin",
            "requires": ["provider-variant-x86-64"],
        },
        # the property override first, then the static order (PEP 817 ordering step 3)
        "blas_lapack": {"static-properties": {"provider": ["mkl", "accelerate", "openblas"]},
                        "feature-order": ["provider"]},
    }
    assert rules(result) == [
        "convert:enable-if", "convert:feature-order", "convert:install-time", "convert:property-order"
    ]
    where = {w.location for w in result.warnings}
    assert {"/providers/x86_64/enable-if", "/providers/blas_lapack/requires"} <= where


def test_every_warning_rule_is_in_the_catalogue_with_a_quote() -> None:
    result = convert_document(draft(**{"unknown": 1}), "x", "0.1.1")
    assert "convert:unknown-key" in rules(result)
    assert "convert:no-providers-0.1.1" in rules(result)
    for warning in result.warnings:
        assert clauses.quote(warning.clause), warning.clause


def test_to_0_1_1_drops_providers() -> None:
    result = convert_document(draft(), "x", "0.1.1")
    assert result.document == {
        "$schema": SCHEMA_0_1_1,
        "default-priorities": {"namespace": ["x86_64", "blas_lapack"]},
        "variants": draft()["variants"],
    }
    dropped = {w.location for w in result.warnings if w.clause == "convert:no-providers-0.1.1"}
    assert dropped == {"/providers/x86_64", "/providers/blas_lapack", "/static-properties/blas_lapack"}


def test_property_override_of_a_plugin_namespace_is_dropped_with_a_warning() -> None:
    doc = draft()
    doc["default-priorities"]["property"]["x86_64"] = {"level": ["v4"]}
    result = convert_document(doc)
    assert [w.location for w in result.warnings if w.clause == "convert:default-priorities"] == [
        "/default-priorities/property/x86_64"
    ]


def test_several_static_features_need_an_order() -> None:
    doc = draft()
    doc["static-properties"]["blas_lapack"]["threads"] = ["omp", "seq"]
    doc["default-priorities"]["feature"]["blas_lapack"] = ["threads"]
    entry = convert_document(doc).document["providers"]["blas_lapack"]
    assert entry["feature-order"] == ["threads", "provider"]  # unnamed features appended (step 2)


def test_ahead_of_time_without_static_properties_becomes_optional() -> None:
    doc = draft()
    del doc["static-properties"]
    result = convert_document(doc)
    assert result.document["providers"]["blas_lapack"] == {
        "requires": ["blas-lapack-variant-provider"], "optional": True
    }
    assert "convert:aot-without-static" in rules(result)


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        (
            {"providers": {"x86_64": {"requires": []}, "blas_lapack": {"install-time": False}}},
            "requires-present",
        ),
        ({"static-properties": {}}, "aot-without-static"),
    ],
)
def test_unconvertible_input_is_an_error(change: dict[str, Any], rule: str) -> None:
    doc = draft(**change)
    if rule == "aot-without-static":
        doc["providers"]["blas_lapack"] = {"install-time": False}
    with pytest.raises(InvalidVariantMetadata) as info:
        convert_document(doc)
    assert f"convert:{rule}" in info.value.clauses


def test_v0_0_2_plugin_use() -> None:
    doc = draft(**{"$schema": V2})
    del doc["static-properties"]
    doc["providers"]["blas_lapack"] = {"plugin-use": "build", "requires": ["blas-lapack-variant-provider"]}
    doc["providers"]["x86_64"]["plugin-use"] = "all"
    result = convert_document(doc)
    assert result.draft == "0.0.2"
    assert result.document["providers"]["blas_lapack"]["optional"] is True
    assert "requires" in result.document["providers"]["x86_64"]
    assert "convert:plugin-use" in rules(result)


def test_result_that_would_not_validate_is_refused() -> None:
    doc = draft()
    doc["variants"]["odd"] = {"x86_64": {"level.x": ["v4"]}}  # a dot: draft allows it, PEP 825 does not
    with pytest.raises(InvalidVariantMetadata) as info:
        convert_document(doc)
    assert "would be invalid" in str(info.value)


@pytest.mark.parametrize(
    ("raw", "clause"),
    [
        (b"\xff", "reference:json-syntax"),
        (b"[]", "convert:draft-schema"),
        (json.dumps({"$schema": SCHEMA_0_2_0}).encode(), "convert:draft-versions"),
        (json.dumps(draft(providers=[])).encode(), "convert:draft-schema"),
    ],
    ids=["not-utf8", "not-object", "already-pep825", "wrong-type"],
)
def test_hostile_input_is_a_clear_error(raw: bytes, clause: str) -> None:
    with pytest.raises(InvalidVariantMetadata) as info:
        convert_bytes(raw, "in.json")
    assert clause in info.value.clauses


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        (b"[" * 100_000, "nesting"),
        (b'{"a":' * 70 + b"1" + b"}" * 70, "nesting"),
        (b"[" + b"1" * 40 + b"]", "digits"),
        (b" " * (16 * 1024 * 1024 + 1), "document-bytes"),
    ],
    ids=["deep-array", "deep-object", "long-number", "huge"],
)
def test_input_beyond_a_limit_is_refused(raw: bytes, name: str) -> None:
    # the limits every document is read with (variant-ref limits, SECURITY.md), not a verdict
    with pytest.raises(LimitExceeded) as info:
        convert_bytes(raw, "in.json")
    assert info.value.name == name and info.value.source == "in.json"


def test_parsed_input_beyond_a_limit_is_refused() -> None:
    deep: Any = "v4"
    for _ in range(100):
        deep = [deep]
    with pytest.raises(LimitExceeded) as info:
        convert_document(draft(variants={"x": {"x86_64": {"level": deep}}}))
    assert info.value.name == "nesting"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(["default-priorities", "providers", "static-properties", "variants"]), JSON)
def test_any_value_anywhere_gives_a_verdict(key: str, value: Any) -> None:
    doc = draft(**{key: value})
    try:
        result = convert_document(doc)
    except InvalidVariantMetadata as exc:
        assert exc.violations
    except LimitExceeded as exc:  # a number longer than the digits limit: refused, not judged
        assert exc.name == "digits"
    else:
        load_metadata(result.document, kind="index")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(["convert", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_cli_writes_canonical_json_and_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = CORPUS / "torch" / "torch-2.9.0-variants.json"
    status, out, err = run(capsys, str(source))
    assert status == 0
    assert json.loads(out)["providers"]["priority"] == {"static-properties": {"order": ["1", "2", "3"]}}
    assert "warning:" in err and "[convert:enable-if]" in err
    target = tmp_path / "torch-2.9.0-variants.json"
    status, out, _ = run(capsys, str(source), "--output", str(target), "--json")
    report = json.loads(out)
    assert status == 0 and report["ok"] and report["document"] is None
    assert load_metadata(json.loads(target.read_text()), kind="index").variants.keys() >= {"cuda13.0", "xpu"}
    assert all(w["clause"].startswith("convert:") for w in report["warnings"])


def test_cli_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad-variants.json"
    bad.write_text(json.dumps(draft(providers=[])))
    out_file = tmp_path / "out.json"
    status, out, err = run(capsys, str(bad), "--output", str(out_file))
    assert status == 1 and "convert:draft-schema" in err and "Traceback" not in err
    assert not out_file.exists()  # nothing half-written
    status, out, _ = run(capsys, str(bad), "--json")
    assert status == 1 and json.loads(out)["errors"][0]["location"] == "/providers"
    assert run(capsys, str(tmp_path / "missing.json"))[0] == 2
    assert run(capsys, str(bad), "--to", "9.9.9")[0] == 2
    assert run(capsys, str(tmp_path))[0] == 2  # a directory: I/O error
    deep = tmp_path / "deep-variants.json"
    deep.write_bytes(b"[" * 1000 + b"]" * 1000)
    status, out, err = run(capsys, str(deep), "--output", str(out_file), "--json")
    assert status == 2 and "limit nesting exceeded" in err and not out_file.exists()


def test_cli_missing_output_folder_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = CORPUS / "torch" / "torch-2.9.0-variants.json"
    target = tmp_path / "absent" / "out.json"
    status, _, err = run(capsys, str(source), "--output", str(target))
    assert status == 2 and str(target) in err and ".convert-" not in err
    assert not (tmp_path / "absent").exists()
