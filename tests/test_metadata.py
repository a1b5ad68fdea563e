"""Loading and validating variant metadata (PEP 825 "Variant metadata", providers draft)."""

from __future__ import annotations

import copy
import json
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.strategies import documents
from reference.errors import InvalidVariantMetadata, UnsupportedSchemaVersion
from reference.format import metadata
from reference.format.documents import load_path
from reference.format.indexfile import check_index_filename
from reference.format.metadata import MetadataWarning, check_version, load_metadata, parse_json_bytes

S011 = "https://variants-schema.wheelnext.dev/peps/825/v0.1.1.json"
S020 = "https://variants-schema.wheelnext.dev/peps/850/v0.2.0.json"

# PEP 825 "Variant metadata", "Example" (comments removed).
PEP_VARIANT_JSON: dict[str, Any] = {
    "$schema": S011,
    "default-priorities": {"namespace": ["x86_64", "aarch64", "blas_lapack"]},
    "variants": {
        "x86_64_v3_openblas": {
            "blas_lapack": {"library": ["openblas"]},
            "x86_64": {"level": ["v3"]},
        }
    },
}

# PEP 825 "Index-level metadata": foo-1.2.3-variants.json ("identical to above"
# filled in with the default-priorities of the previous example).
PEP_INDEX_JSON: dict[str, Any] = {
    "$schema": S011,
    "default-priorities": {"namespace": ["x86_64", "aarch64", "blas_lapack"]},
    "variants": {
        "null": {},
        "x86_64_v3_openblas": {"blas_lapack": {"library": ["openblas"]}, "x86_64": {"level": ["v3"]}},
        "x86_64_v4_mkl": {"blas_lapack": {"library": ["mkl"]}, "x86_64": {"level": ["v4"]}},
    },
}

# Providers draft "Example", adapted to format 0.2.0 as implemented (NOTES.md):
# the uv schema URL, default-priorities without feature/property.
PROVIDERS_EXAMPLE: dict[str, Any] = {
    "$schema": S020,
    "default-priorities": {"namespace": ["x86_64", "aarch64", "blas_lapack"]},
    "providers": {
        "aarch64": {"requires": ["provider-variant-aarch64 >=0.0.1"]},
        "blas_lapack": {"static-properties": {"library": ["accelerate", "openblas", "mkl"]}},
        "x86_64": {
            "requires": [
                "provider-variant-x86-64 >=0.0.1; python_version >= '3.12'",
                "legacy-provider-variant-x86-64 >=0.0.1; python_version < '3.12'",
            ],
            "plugin-api": "provider_variant_x86_64.plugin:X8664Plugin",
        },
    },
    "variants": copy.deepcopy(PEP_INDEX_JSON["variants"]),
}


def clauses_of(data: Any, **kwargs: Any) -> list[str]:
    kwargs.setdefault("kind", "index")
    with pytest.raises(InvalidVariantMetadata) as info:
        load_metadata(data, **kwargs)
    return info.value.clauses


def mutated(base: dict[str, Any], path: list[str], value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(base)
    target = doc
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return doc


# -- PEP examples -----------------------------------------------------------


def test_pep_variant_json_example_is_valid() -> None:
    md = load_metadata(PEP_VARIANT_JSON, kind="wheel", label="x86_64_v3_openblas")
    assert md.namespace_priorities == ("x86_64", "aarch64", "blas_lapack")
    assert [str(p) for p in md.properties("x86_64_v3_openblas")] == [
        "blas_lapack :: library :: openblas",
        "x86_64 :: level :: v3",
    ]
    assert md.version == (0, 1, 1)
    assert md.providers is None


def test_pep_index_example_is_valid() -> None:
    md = load_metadata(PEP_INDEX_JSON, kind="index")
    assert set(md.variants) == {"null", "x86_64_v3_openblas", "x86_64_v4_mkl"}
    assert md.properties("null") == []


def test_providers_example_is_valid() -> None:
    md = load_metadata(PROVIDERS_EXAMPLE, kind="index")
    assert md.providers is not None
    assert md.providers["blas_lapack"].static_properties == {"library": ("accelerate", "openblas", "mkl")}
    assert md.providers["x86_64"].plugin_api == "provider_variant_x86_64.plugin:X8664Plugin"
    # static value lists keep their order: they are preference orders
    assert md.to_json()["providers"]["blas_lapack"]["static-properties"]["library"][0] == "accelerate"


def test_variantlib_schema_url_is_known() -> None:
    # NOTES.md: variantlib 0.2.2 writes https://variants-schema.wheelnext.dev/v0.2.0.json
    doc = mutated(PROVIDERS_EXAMPLE, ["$schema"], "https://variants-schema.wheelnext.dev/v0.2.0.json")
    assert load_metadata(doc, kind="index").version == (0, 2, 0)


# -- variants ----------------------------------------------------------------


def test_wheel_needs_exactly_one_entry() -> None:
    # PEP 825 "Variants": "it MUST contain exactly one entry"
    assert "pep825:variants-single-entry" in clauses_of(PEP_INDEX_JSON, kind="wheel")
    assert "pep825:variants-single-entry" in clauses_of(
        mutated(PEP_VARIANT_JSON, ["variants"], {}), kind="wheel"
    )


def test_wheel_entry_matches_label() -> None:
    # "... whose key is the variant label present in that wheel's filename"
    with pytest.raises(InvalidVariantMetadata) as info:
        load_metadata(PEP_VARIANT_JSON, kind="wheel", label="x86_64_v4_mkl", source="w.whl")
    (violation,) = info.value.violations
    assert violation.clause == "pep825:variants-single-entry"
    assert violation.location == "/variants/x86_64_v3_openblas"
    assert violation.source == "w.whl"


def test_index_may_hold_many_entries() -> None:
    load_metadata(PEP_INDEX_JSON, kind="index")


def test_namespace_must_be_listed() -> None:
    # "This list MUST contain all namespaces used in variant properties"
    doc = mutated(PEP_VARIANT_JSON, ["default-priorities", "namespace"], ["x86_64"])
    with pytest.raises(InvalidVariantMetadata) as info:
        load_metadata(doc, kind="wheel")
    assert info.value.clauses == ["pep825:default-priorities-namespace"]
    assert info.value.violations[0].location == "/variants/x86_64_v3_openblas/blas_lapack"


def test_namespace_list_not_empty() -> None:
    # "and it MUST NOT be empty"
    doc = mutated(PEP_INDEX_JSON, ["default-priorities", "namespace"], [])
    assert "pep825:default-priorities-namespace" in clauses_of(doc)


def test_null_has_no_properties() -> None:
    # "The label null is reserved and always corresponds to the variant with zero properties"
    doc = mutated(PEP_INDEX_JSON, ["variants", "null"], {"x86_64": {"level": ["v1"]}})
    assert clauses_of(doc) == ["pep825:null-label"]


@pytest.mark.parametrize("label", ["X86", "a-b", "", "v3+"])
def test_label_charset(label: str) -> None:
    doc = mutated(PEP_INDEX_JSON, ["variants", label], {})
    assert "pep825:label-charset" in clauses_of(doc)


def test_long_label_is_fine() -> None:
    # PEP 825 sets no length limit (the April draft schema had {1,16})
    doc = mutated(PEP_INDEX_JSON, ["variants", "a" * 100], {})
    load_metadata(doc, kind="index")


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (["variants", "x86_64_v4_mkl", "X86"], {"level": ["v4"]}),
        (["variants", "x86_64_v4_mkl", "x86_64", "Level"], ["v4"]),
        (["variants", "x86_64_v4_mkl", "x86_64", "le.vel"], ["v4"]),
        (["default-priorities", "namespace"], ["x86_64", "aarch64", "blas_lapack", "bad-ns"]),
    ],
)
def test_name_charset(path: list[str], value: Any) -> None:
    assert "pep825:property-name-charset" in clauses_of(mutated(PEP_INDEX_JSON, path, value))


@pytest.mark.parametrize("value", ["V4", "v 4", "", "v4-1"])
def test_value_charset(value: str) -> None:
    doc = mutated(PEP_INDEX_JSON, ["variants", "x86_64_v4_mkl", "x86_64", "level"], [value])
    assert "pep825:property-value-charset" in clauses_of(doc)


def test_values_are_sets() -> None:
    # "The third level values are sets of feature values"
    doc = mutated(PEP_INDEX_JSON, ["variants", "x86_64_v4_mkl", "x86_64", "level"], ["v4", "v4"])
    assert clauses_of(doc) == ["pep825:variants-values-sorted"]


def test_unsorted_values_are_read() -> None:
    # Sorting binds writers; a reader accepts any order.
    doc = mutated(PEP_INDEX_JSON, ["variants", "x86_64_v4_mkl", "x86_64", "level"], ["v4", "v3"])
    md = load_metadata(doc, kind="index")
    assert md.dumps().index('"v3"') < md.dumps().index('"v4"')


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (["variants"], KeyError),
        (["default-priorities"], KeyError),
        (["extra"], 1),
        (["default-priorities", "property"], {}),
        (["variants", "x86_64_v4_mkl", "x86_64", "level"], []),
        (["variants", "x86_64_v4_mkl", "x86_64", "level"], "v4"),
    ],
)
def test_structure(path: list[str], value: Any) -> None:
    assert "pep825:metadata-structure" in clauses_of(mutated(PEP_INDEX_JSON, path, value))


def test_not_an_object() -> None:
    assert clauses_of([1, 2]) == ["pep825:metadata-structure"]


def test_every_violation_is_reported() -> None:
    doc = mutated(PEP_INDEX_JSON, ["variants", "null"], {"x86_64": {"level": ["v1"]}})
    doc["variants"]["BAD"] = {}
    doc["variants"]["x86_64_v4_mkl"]["gpu"] = {"arch": ["V1"]}
    found = set(clauses_of(doc))
    assert {
        "pep825:null-label",
        "pep825:label-charset",
        "pep825:property-value-charset",
        "pep825:default-priorities-namespace",
    } <= found


# -- version negotiation -----------------------------------------------------


@pytest.mark.parametrize(
    ("url", "clause"),
    [
        ("https://variants-schema.wheelnext.dev/peps/825/v1.0.0.json", "pep825:major-version"),
        ("https://variants-schema.wheelnext.dev/peps/825/v2.3.0.json", "pep825:major-version"),
        ("https://variants-schema.wheelnext.dev/peps/825/v0.1.2.json", "pep825:draft-versions"),
        ("https://variants-schema.wheelnext.dev/peps/9999/v0.2.0.json", "pep825:draft-versions"),
        ("https://variants-schema.wheelnext.dev/peps/817/v0.0.3.json", "pep825:draft-versions"),
        ("https://example.org/schema.json", "pep825:schema-url"),
        (3, "pep825:schema-url"),
    ],
)
def test_version_rejected(url: Any, clause: str) -> None:
    # "Tools MUST reject metadata with a major version number that they do not
    # support"; drafts: "Tools MUST NOT make any compatibility assumptions"
    doc = mutated(PEP_INDEX_JSON, ["$schema"], url)
    with pytest.raises(UnsupportedSchemaVersion) as info:
        load_metadata(doc, kind="index")
    assert info.value.clauses == [clause]


def test_missing_schema() -> None:
    doc = mutated(PEP_INDEX_JSON, ["$schema"], KeyError)
    with pytest.raises(UnsupportedSchemaVersion) as info:
        load_metadata(doc, kind="index")
    assert info.value.clauses == ["pep825:schema-url"]


def test_newer_minor_accepted_with_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    # "SHOULD accept metadata with a newer minor version number than the latest
    # supported, provided that the major version is supported" -- shown with a
    # pretend release 1.0.0, since no final major version exists yet.
    monkeypatch.setattr(metadata, "SUPPORTED_VERSIONS", ((0, 1, 1), (0, 2, 0), (1, 0, 0)))
    problems, notes = check_version("https://variants-schema.wheelnext.dev/peps/825/v1.2.0.json")
    assert problems == []
    assert len(notes) == 1 and "pep825:minor-version" in notes[0]
    problems, notes = check_version("https://variants-schema.wheelnext.dev/peps/825/v1.0.0.json")
    assert (problems, notes) == ([], [])
    problems, _ = check_version("https://variants-schema.wheelnext.dev/peps/825/v2.0.0.json")
    assert [p.clause for p in problems] == ["pep825:major-version"]


def test_warning_is_issued(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metadata, "SUPPORTED_VERSIONS", ((0, 1, 1), (0, 2, 0), (1, 0, 0)))
    monkeypatch.setitem(metadata._SCHEMA_FILES, (1, 0, 0), "variant-0.1.1.json")
    doc = mutated(PEP_INDEX_JSON, ["$schema"], "https://variants-schema.wheelnext.dev/peps/825/v1.1.0.json")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load_metadata(doc, kind="index")
    assert [w.category for w in caught] == [MetadataWarning]


# -- format 0.2.0 providers ----------------------------------------------------


def test_providers_required_in_020() -> None:
    # providers draft: "Variant metadata must feature a providers key"
    doc = mutated(PROVIDERS_EXAMPLE, ["providers"], KeyError)
    assert "providers:providers-key" in clauses_of(doc)


def test_providers_keys_match_namespaces() -> None:
    # "Its set of keys MUST match the set of values in the default-priorities.namespace list"
    doc = mutated(PROVIDERS_EXAMPLE, ["providers", "aarch64"], KeyError)
    assert clauses_of(doc) == ["providers:keys-match-namespaces"]
    doc = mutated(PROVIDERS_EXAMPLE, ["providers", "extra"], {"builtin": "extra"})
    assert clauses_of(doc) == ["providers:keys-match-namespaces"]


@pytest.mark.parametrize(
    "info",
    [
        {},
        {"optional": True},
        {"requires": ["a"], "static-properties": {"f": ["v"]}},
        {"requires": ["a"], "builtin": "x"},
        {"builtin": "x", "static-properties": {"f": ["v"]}},
    ],
)
def test_exactly_one_key(info: dict[str, Any]) -> None:
    # "Exactly one of the following keys MUST be present" (+ builtin, NOTES.md)
    doc = mutated(PROVIDERS_EXAMPLE, ["providers", "aarch64"], info)
    assert "providers:exactly-one-key" in clauses_of(doc)


def test_plugin_api_only_with_requires() -> None:
    # "It is invalid to specify requires or plugin-api if static-properties are present."
    doc = mutated(PROVIDERS_EXAMPLE, ["providers", "blas_lapack", "plugin-api"], "a.b:C")
    assert clauses_of(doc) == ["providers:plugin-api-only-with-requires"]


def test_plugin_api_format() -> None:
    doc = mutated(PROVIDERS_EXAMPLE, ["providers", "x86_64", "plugin-api"], "not an object ref!")
    assert clauses_of(doc) == ["providers:plugin-api-format"]


def test_feature_order_rules() -> None:
    # NOTES.md: feature-order only with static-properties; required to name
    # every feature when there is more than one.
    two = {"static-properties": {"library": ["mkl"], "threading": ["omp"]}}
    doc = mutated(PROVIDERS_EXAMPLE, ["providers", "blas_lapack"], two)
    assert clauses_of(doc) == ["providers:feature-order"]
    ordered = dict(two, **{"feature-order": ["threading", "library"]})
    md = load_metadata(mutated(PROVIDERS_EXAMPLE, ["providers", "blas_lapack"], ordered), kind="index")
    assert md.providers is not None
    assert md.providers["blas_lapack"].ordered_static_features() == ["threading", "library"]
    partial = dict(two, **{"feature-order": ["library"]})
    doc = mutated(PROVIDERS_EXAMPLE, ["providers", "blas_lapack"], partial)
    assert clauses_of(doc) == ["providers:feature-order"]
    doc = mutated(PROVIDERS_EXAMPLE, ["providers", "aarch64", "feature-order"], ["x"])
    assert "providers:feature-order" in clauses_of(doc)


def test_requires_are_dependency_specifiers() -> None:
    doc = mutated(PROVIDERS_EXAMPLE, ["providers", "aarch64", "requires"], ["not a >= requirement ]"])
    assert clauses_of(doc) == ["providers:requires-format"]


def test_default_priorities_only_namespace_in_020() -> None:
    # NOTES.md: uv 0.13.9 rejects a property key
    doc = mutated(PROVIDERS_EXAMPLE, ["default-priorities", "property"], {})
    assert clauses_of(doc) == ["pep825:metadata-structure"]


def test_unknown_provider_key() -> None:
    doc = mutated(PROVIDERS_EXAMPLE, ["providers", "aarch64", "install-time"], True)
    assert clauses_of(doc) == ["providers:metadata-structure"]


# -- abi_dependency ------------------------------------------------------------


def abi_doc(features: dict[str, list[str]]) -> dict[str, Any]:
    return mutated(PROVIDERS_EXAMPLE, ["variants", "torch_abi"], {"abi_dependency": features})


def test_abi_dependency_not_listed_is_valid() -> None:
    # "This namespace MUST NOT be listed in the provider information dictionary
    # nor in the default-priorities.namespace dictionary"
    md = load_metadata(abi_doc({"torch": ["2", "2.9", "2.8.0"]}), kind="index")
    assert md.variants["torch_abi"]["abi_dependency"]["torch"] == ("2", "2.9", "2.8.0")


def test_abi_dependency_reserved() -> None:
    doc = abi_doc({"torch": ["2.9"]})
    doc["default-priorities"]["namespace"].append("abi_dependency")
    doc["providers"]["abi_dependency"] = {"builtin": "abi"}
    assert set(clauses_of(doc)) == {"providers:abi-reserved"}


@pytest.mark.parametrize("value", ["2.8.0.1", "2.a", "2..1", ".2", "2."])
def test_abi_value(value: str) -> None:
    # "It MUST contain up to three version components"
    assert clauses_of(abi_doc({"torch": [value]})) == ["providers:abi-value"]


@pytest.mark.parametrize("feature", ["_torch", "torch_", "my__lib"])
def test_abi_feature_name(feature: str) -> None:
    # "the feature name MUST be the normalized name of the dependency"
    assert clauses_of(abi_doc({feature: ["1"]})) == ["providers:abi-feature-name"]


def test_abi_dependency_in_011_is_an_ordinary_namespace() -> None:
    # PEP 825 reserves no namespace: in 0.1.1 it must be listed like any other.
    doc = mutated(PEP_INDEX_JSON, ["variants", "t"], {"abi_dependency": {"torch": ["2"]}})
    assert clauses_of(doc) == ["pep825:default-priorities-namespace"]


# -- pyproject.toml ------------------------------------------------------------

PYPROJECT = """
[variant]
"$schema" = "https://variants-schema.wheelnext.dev/peps/850/v0.2.0.json"

[variant.default-priorities]
namespace = ["x86_64", "aarch64", "blas_lapack"]

[variant.providers.aarch64]
requires = ["provider-variant-aarch64 >=0.0.1"]
plugin-api = "provider_variant_aarch64.plugin:AArch64Plugin"

[variant.providers.blas_lapack]
build-requires = ["blas-lapack-variant-provider"]

[variant.providers.x86_64]
requires = [
  "provider-variant-x86-64 >=0.0.1; python_version >= '3.12'",
  "legacy-provider-variant-x86-64 >=0.0.1; python_version < '3.12'",
]
plugin-api = "provider_variant_x86_64.plugin:X8664Plugin"

[variant.variants.x86_64_v3_openblas]
blas_lapack.library = ["openblas"]
x86_64.level = ["v3"]
"""


def load_toml(text: str) -> dict[str, Any]:
    from reference._toml import loads

    return loads(text)


def test_pyproject_example(tmp_path: Path) -> None:
    # building draft "pyproject.toml integration" example, as implemented
    # (no default-priorities.feature/property, known $schema URL)
    path = tmp_path / "pyproject.toml"
    path.write_text(PYPROJECT, encoding="utf-8")
    md = load_path(path)
    assert md.providers is not None
    assert md.providers["blas_lapack"].build_requires == ("blas-lapack-variant-provider",)
    assert md.version == (0, 2, 0)


def test_pyproject_schema_and_variants_optional() -> None:
    table = load_toml(PYPROJECT)["variant"]
    del table["$schema"], table["variants"]
    load_metadata(table, kind="pyproject")
    load_metadata({"variant": table}, kind="pyproject")


def test_build_requires_exclusive() -> None:
    # "If build-requires is specified, both requires and static-properties MUST NOT be present."
    table = load_toml(PYPROJECT)["variant"]
    table["providers"]["blas_lapack"]["requires"] = ["x"]
    assert "building:build-requires-exclusive" in clauses_of(table, kind="pyproject")


def test_build_requires_only_in_pyproject() -> None:
    doc = mutated(PROVIDERS_EXAMPLE, ["providers", "aarch64", "build-requires"], ["x"])
    assert "providers:metadata-structure" in clauses_of(doc)


def test_pyproject_without_variant_table(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "x"\n', encoding="utf-8")
    with pytest.raises(InvalidVariantMetadata) as info:
        load_path(path)
    assert info.value.clauses == ["building:pyproject-table"]


# -- strict JSON -----------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b'{"a": 1, "a": 2}',
        b'{"a": "\xff"}',
        b'{"a": 1,}',
        b'{"a": NaN}',
        b"",
        b'\xef\xbb\xbf{"a": 1}',
    ],
)
def test_strict_json(raw: bytes) -> None:
    with pytest.raises(InvalidVariantMetadata) as info:
        parse_json_bytes(raw, "x.json")
    assert info.value.clauses == ["reference:json-syntax"]
    assert info.value.violations[0].source == "x.json"


def test_duplicate_key_is_named() -> None:
    with pytest.raises(InvalidVariantMetadata, match="'variants'"):
        parse_json_bytes(b'{"variants": {}, "variants": {}}')


# -- files -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("foo-1.2.3-variants.json", True),
        ("foo_bar-1.0-variants.json", True),
        ("foo_bar-1.0rc1-variants.json", True),
        ("Foo-1.2.3-variants.json", False),
        ("foo-bar-1.0-variants.json", False),
        ("foo.bar-1.0-variants.json", False),
        ("foo-1.02-variants.json", False),
        ("foo-1.0-rc1-variants.json", False),
        ("foo-variants.json", False),
        ("foo-one-variants.json", False),
    ],
)
def test_index_file_name(name: str, ok: bool) -> None:
    # PEP 825: name and version "normalized according to the same rules as wheel files"
    problems = check_index_filename(name)
    assert (problems == []) is ok
    assert all(p.clause == "pep825:index-file-name" for p in problems)


def test_load_path_kinds(tmp_path: Path) -> None:
    (tmp_path / "variant.json").write_text(json.dumps(PEP_VARIANT_JSON))
    assert load_path(tmp_path / "variant.json").source == str(tmp_path / "variant.json")
    (tmp_path / "foo-1.2.3-variants.json").write_text(json.dumps(PEP_INDEX_JSON))
    assert len(load_path(tmp_path / "foo-1.2.3-variants.json").variants) == 3
    (tmp_path / "Foo-1.2.3-variants.json").write_text(json.dumps(PEP_INDEX_JSON))
    with pytest.raises(InvalidVariantMetadata) as info:
        load_path(tmp_path / "Foo-1.2.3-variants.json")
    assert info.value.clauses == ["pep825:index-file-name"]
    with pytest.raises(ValueError, match="document kind"):
        load_path(tmp_path / "other.json")


def test_index_file_name_and_content_reported_together(tmp_path: Path) -> None:
    doc = mutated(PEP_INDEX_JSON, ["variants", "null"], {"x86_64": {"level": ["v1"]}})
    (tmp_path / "Foo-1.2.3-variants.json").write_text(json.dumps(doc))
    with pytest.raises(InvalidVariantMetadata) as info:
        load_path(tmp_path / "Foo-1.2.3-variants.json")
    assert info.value.clauses == ["pep825:index-file-name", "pep825:null-label"]


def test_schema_files_have_ids() -> None:
    root = Path(metadata.SCHEMA_DIR)
    ids = {json.loads((root / n).read_text())["$id"] for n in ("variant-0.1.1.json", "variant-0.2.0.json")}
    assert ids == {S011, S020}
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(metadata.pyproject_schema())


# -- robustness: any JSON value gives a verdict, never a crash ---------------------


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=10,
)


def replace_somewhere(doc: Any, path: list[int], value: Any) -> Any:
    """Replace the subtree that ``path`` picks (indices into sorted keys / items)."""
    if not path or not isinstance(doc, (dict, list)) or not doc:
        return value
    if isinstance(doc, dict):
        key = sorted(doc)[path[0] % len(doc)]
        return {**doc, key: replace_somewhere(doc[key], path[1:], value)}
    index = path[0] % len(doc)
    return [*doc[:index], replace_somewhere(doc[index], path[1:], value), *doc[index + 1 :]]


@settings(max_examples=150, deadline=None)
@given(
    documents(),
    st.lists(st.integers(0, 20), max_size=6),
    JSON,
    st.sampled_from(["wheel", "index", "pyproject"]),
)
def test_any_damage_gives_a_verdict(doc: dict[str, Any], path: list[int], value: Any, kind: Any) -> None:
    damaged = replace_somewhere(doc, path, value)
    try:
        load_metadata(damaged, kind=kind, label="x")
    except InvalidVariantMetadata as exc:
        assert exc.violations
        assert all(v.clause for v in exc.violations)


@pytest.mark.parametrize(
    ("path", "value", "clause"),
    [
        (["variants", "x86_64_v4_mkl", "x86_64", "level"], ["v4\n"], "pep825:property-value-charset"),
        (["variants", "v4\n"], {}, "pep825:label-charset"),
        (["variants", "x86_64_v4_mkl", "x86_64", "level\n"], ["v4"], "pep825:property-name-charset"),
        (
            ["default-priorities", "namespace"],
            ["x86_64\n", "aarch64", "blas_lapack"],
            "pep825:property-name-charset",
        ),
    ],
)
def test_trailing_newline_is_not_allowed(path: list[str], value: Any, clause: str) -> None:
    # ^[a-z0-9_.]+$ in JSON Schema (ECMA-262) does not match "v4\n", although
    # Python's re.search would.
    assert clause in clauses_of(mutated(PEP_INDEX_JSON, path, value))


@pytest.mark.parametrize("ref", ["mod", "pkg.mod:Class", "pkg.mod : Class.attr"])
def test_plugin_api_object_references(ref: str) -> None:
    load_metadata(mutated(PROVIDERS_EXAMPLE, ["providers", "x86_64", "plugin-api"], ref), kind="index")


@pytest.mark.parametrize("ref", ["mod:Class junk!", "!junk mod", "a:b:c"])
def test_plugin_api_anchored(ref: str) -> None:
    # "it MUST be an object reference"; the draft schema's ^(A)|(B)$ anchors
    # each alternative at one end only, variants-0.2.0.json anchors both.
    doc = mutated(PROVIDERS_EXAMPLE, ["providers", "x86_64", "plugin-api"], ref)
    assert clauses_of(doc) == ["providers:plugin-api-format"]


@settings(max_examples=150, deadline=None)
@given(
    documents(),
    st.lists(st.integers(0, 20), max_size=6),
    JSON | st.sampled_from(["v\n", "ok", ["a", "a"], [], ["V"], {"n": {"f": ["v"]}}]),
    st.sampled_from(["wheel", "index", "pyproject"]),
)
def test_fast_path_agrees_with_schema(doc: dict[str, Any], path: list[int], value: Any, kind: Any) -> None:
    damaged = dict(doc, variants=replace_somewhere(doc["variants"], path, value))
    version = (0, 2, 0) if damaged["$schema"] == S020 else (0, 1, 1)
    key = "pyproject" if kind == "pyproject" else metadata._SCHEMA_FILES[version]
    fast = list(metadata._schema_violations(damaged, key, "s", fast=True))
    full = list(metadata._schema_violations(damaged, key, "s", fast=False))
    assert fast == full
