"""The ``validate`` op's ``text`` input (capability ``validate.text``).

The file's bytes, for the JSON format's own rules.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conformance.adapters.base import document_bytes

SCHEMA = json.loads((Path(__file__).parents[1] / "schemas" / "case.schema.json").read_text())
URL = "https://variants-schema.wheelnext.dev/peps/825/v0.1.1.json"
TEXT = (
    '{"$schema": "' + URL + '", "default-priorities": {"namespace": ["x86_64"]}, '
    '"variants": {"null": {}, "v3": {"x86_64": {"level": ["v3"]}}}}'
)


def _case(input: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": "d",
        "spec": [{"clause": "pep825:metadata-file"}],
        "source": "s",
        "status": "final",
        "requires": ["validate", "validate.text"],
        "tests": [
            {"id": "t", "description": "d", "op": "validate", "input": input, "expect": {"valid": True}}
        ],
    }


def _valid(input: dict[str, Any]) -> bool:
    return jsonschema.Draft202012Validator(SCHEMA).is_valid(_case(input))


def test_document_bytes_writes_utf8_by_default_and_utf16_with_its_byte_order_mark() -> None:
    assert document_bytes({"text": "{\"é\": 1}"}) == "{\"é\": 1}".encode()
    assert document_bytes({"text": "{}", "encoding": "utf-16"}) == b"\xff\xfe{\x00}\x00"


@pytest.mark.parametrize(
    ("input", "ok"),
    [
        ({"kind": "index", "text": TEXT}, True),
        ({"kind": "index", "text": TEXT, "encoding": "utf-16"}, True),
        ({"kind": "index", "document": {}}, True),
        ({"kind": "index", "document": {}, "text": TEXT}, False),  # one or the other
        ({"kind": "index"}, False),
        ({"kind": "pyproject", "text": TEXT}, False),  # a [variant] table is TOML, not a JSON file
        ({"kind": "index", "document": {}, "encoding": "utf-16"}, False),  # an encoding needs text
        ({"kind": "index", "text": TEXT, "encoding": "latin-1"}, False),
    ],
)
def test_the_case_schema_takes_a_document_or_the_files_text(input: dict[str, Any], ok: bool) -> None:
    assert _valid(input) is ok


def test_the_reference_adapter_reads_text_as_a_file() -> None:
    from conformance.adapters.reference import ReferenceAdapter

    adapter = ReferenceAdapter()
    good = adapter.run("validate", {"kind": "index", "text": TEXT}, None)  # type: ignore[arg-type]
    assert good.value == {"valid": True, "warnings": []}  # type: ignore[union-attr]
    nan = adapter.run("validate", {"kind": "index", "text": TEXT.replace('["v3"]', "[NaN]")}, None)  # type: ignore[arg-type]
    assert nan.value["valid"] is False and nan.value["clauses"] == ["reference:json-syntax"]  # type: ignore[union-attr]
    utf16 = adapter.run("validate", {"kind": "index", "text": TEXT, "encoding": "utf-16"}, None)  # type: ignore[arg-type]
    assert utf16.value["valid"] is False and utf16.value["clauses"] == ["reference:json-syntax"]  # type: ignore[union-attr]
