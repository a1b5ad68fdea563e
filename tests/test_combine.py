"""Metadata consistency and combination (PEP 825 "Metadata consistency")."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.strategies import releases
from reference.errors import InconsistentMetadata
from reference.format.combine import combine
from reference.format.metadata import load_metadata
from reference.format.model import VariantMetadata
from tests.test_metadata import PEP_INDEX_JSON, PEP_VARIANT_JSON, PROVIDERS_EXAMPLE

S011 = "https://variants-schema.wheelnext.dev/peps/825/v0.1.1.json"


def doc(
    namespaces: list[str], variants: dict[str, Any], source: str = "", schema: str = S011
) -> VariantMetadata:
    return load_metadata(
        {"$schema": schema, "default-priorities": {"namespace": namespaces}, "variants": variants},
        kind="index",
        source=source,
    )


def test_pep_example_wheels_combine_to_index_file() -> None:
    # PEP 825 "Index-level metadata": the index file lists all variants of the wheels
    wheels = [
        load_metadata(PEP_VARIANT_JSON, kind="wheel", source="a.whl"),
        doc(
            ["x86_64", "aarch64", "blas_lapack"],
            {"x86_64_v4_mkl": PEP_INDEX_JSON["variants"]["x86_64_v4_mkl"]},
            "b.whl",
        ),
        doc(["x86_64", "aarch64", "blas_lapack"], {"null": {}}, "c.whl"),
    ]
    assert combine(wheels) == load_metadata(PEP_INDEX_JSON, kind="index")


def test_longer_namespace_list_wins() -> None:
    # "the longer MUST start with the elements of the shorter one, in the same
    # order. Combining them MUST yield the longer list."
    a = doc(["x86_64"], {"v3": {"x86_64": {"level": ["v3"]}}}, "a")
    b = doc(["x86_64", "blas_lapack"], {"mkl": {"blas_lapack": {"library": ["mkl"]}}}, "b")
    assert combine([a, b]).namespace_priorities == ("x86_64", "blas_lapack")
    assert combine([b, a]).namespace_priorities == ("x86_64", "blas_lapack")


@pytest.mark.parametrize(
    ("first", "second"),
    [(["a", "b"], ["b", "a"]), (["a", "b"], ["a", "c"]), (["a"], ["b", "a"]), (["a", "b", "c"], ["a", "c"])],
)
def test_namespace_lists_must_extend(first: list[str], second: list[str]) -> None:
    with pytest.raises(InconsistentMetadata) as info:
        combine([doc(first, {}, "one.json"), doc(second, {}, "two.json")])
    (violation,) = info.value.violations
    assert violation.clause == "pep825:consistency-default-priorities"
    assert "one.json" in violation.source and "two.json" in violation.source
    assert violation.location == "/default-priorities/namespace"


def test_same_label_same_properties() -> None:
    # "the same variant label MUST always map to the same set of properties"
    a = doc(["x86_64"], {"v3": {"x86_64": {"level": ["v3"]}}}, "a.whl")
    b = doc(["x86_64"], {"v3": {"x86_64": {"level": ["v4"]}}}, "b.whl")
    with pytest.raises(InconsistentMetadata) as info:
        combine([a, b])
    (violation,) = info.value.violations
    assert violation.clause == "pep825:consistency-variants"
    assert violation.location == "/variants/v3"
    assert "'v3'" in violation.message and "a.whl" in violation.message and "b.whl" in violation.message


def test_value_order_is_not_a_difference() -> None:
    # values are sets
    a = doc(["n"], {"l": {"n": {"f": ["1", "2"]}}})
    b = doc(["n"], {"l": {"n": {"f": ["2", "1"]}}})
    assert combine([a, b]) == combine([b, a])
    assert combine([a, b]).variants["l"]["n"]["f"] == ("1", "2")


def test_subset_of_properties_is_a_difference() -> None:
    a = doc(["n"], {"l": {"n": {"f": ["1", "2"]}}})
    b = doc(["n"], {"l": {"n": {"f": ["1"]}}})
    with pytest.raises(InconsistentMetadata):
        combine([a, b])


def test_union_of_labels() -> None:
    a = doc(["n"], {"x": {"n": {"f": ["1"]}}})
    b = doc(["n"], {"y": {"n": {"f": ["2"]}}, "null": {}})
    assert set(combine([a, b]).variants) == {"x", "y", "null"}


def test_single_document() -> None:
    a = load_metadata(PEP_INDEX_JSON, kind="index")
    assert combine([a]) == a


def test_nothing_to_combine() -> None:
    with pytest.raises(ValueError, match="at least one"):
        combine([])


def test_format_versions_must_match() -> None:
    a = load_metadata(PEP_INDEX_JSON, kind="index", source="old.json")
    b = load_metadata(PROVIDERS_EXAMPLE, kind="index", source="new.json")
    with pytest.raises(InconsistentMetadata) as info:
        combine([a, b])
    assert info.value.clauses == ["reference:consistency-format-version"]


def test_schema_urls_of_one_version() -> None:
    # uv's and variantlib's URL for 0.2.0 name the same version
    other = copy.deepcopy(PROVIDERS_EXAMPLE)
    other["$schema"] = "https://variants-schema.wheelnext.dev/v0.2.0.json"
    a = load_metadata(PROVIDERS_EXAMPLE, kind="index")
    b = load_metadata(other, kind="index")
    assert combine([a, b]).schema == combine([b, a]).schema == PROVIDERS_EXAMPLE["$schema"]


def test_providers_must_agree() -> None:
    other = copy.deepcopy(PROVIDERS_EXAMPLE)
    other["providers"]["aarch64"] = {"builtin": "aarch64"}
    a = load_metadata(PROVIDERS_EXAMPLE, kind="index", source="a")
    b = load_metadata(other, kind="index", source="b")
    with pytest.raises(InconsistentMetadata) as info:
        combine([a, b])
    assert info.value.clauses == ["reference:consistency-providers"]
    assert info.value.violations[0].location == "/providers/aarch64"


def test_providers_union_follows_namespaces() -> None:
    short = copy.deepcopy(PROVIDERS_EXAMPLE)
    short["default-priorities"]["namespace"] = ["x86_64"]
    short["providers"] = {"x86_64": short["providers"]["x86_64"]}
    short["variants"] = {}
    a = load_metadata(short, kind="index")
    b = load_metadata(PROVIDERS_EXAMPLE, kind="index")
    result = combine([a, b])
    assert result.providers is not None and set(result.providers) == {"x86_64", "aarch64", "blas_lapack"}
    # the result is itself a valid document
    load_metadata(result.to_json(), kind="index")


# -- properties (hypothesis) ----------------------------------------------------


def load_all(docs: list[dict[str, Any]]) -> list[VariantMetadata]:
    return [load_metadata(d, kind="index", source=f"doc{i}") for i, d in enumerate(docs)]


@settings(max_examples=40, deadline=None)
@given(releases(), st.randoms(use_true_random=False))
def test_commutative(docs: list[dict[str, Any]], random: Any) -> None:
    # "combining metadata that satisfies them gives the same result regardless of the order"
    loaded = load_all(docs)
    shuffled = list(loaded)
    random.shuffle(shuffled)
    assert combine(loaded) == combine(shuffled)
    assert combine(loaded).dumps() == combine(shuffled).dumps()


@settings(max_examples=40, deadline=None)
@given(releases(max_documents=6), st.data())
def test_associative(docs: list[dict[str, Any]], data: st.DataObject) -> None:
    loaded = load_all(docs)
    cut = data.draw(st.integers(0, len(loaded) - 1))
    left, right = loaded[: cut + 1], loaded[cut + 1 :]
    grouped = [combine(left)] + ([combine(right)] if right else [])
    assert combine(grouped) == combine(loaded)


@settings(max_examples=40, deadline=None)
@given(releases())
def test_idempotent(docs: list[dict[str, Any]]) -> None:
    loaded = load_all(docs)
    once = combine(loaded)
    assert combine([once, once]) == once
    assert combine(loaded + loaded) == once
    assert combine([*loaded, once]) == once


@settings(max_examples=40, deadline=None)
@given(releases())
def test_result_is_a_valid_document(docs: list[dict[str, Any]]) -> None:
    result = combine(load_all(docs))
    assert load_metadata(result.to_json(), kind="index") == result
