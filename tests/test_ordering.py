"""Tests for reference.selection.ordering: PEP 825 "Variant ordering", one test per step.

Expectations are derived from the PEP text quoted in each test.
"""

from __future__ import annotations

import functools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reference.selection.ordering import (
    VariantOrder,
    best_value_properties,
    compare_variants,
    feature_order,
    is_compatible,
    namespace_order,
    order_variants,
    property_key,
    rank_variants,
    sorted_properties,
    unsupported_features,
    value_order,
    variant_sort_key,
)

# A system: x86_64 levels and a BLAS library, features and values most preferred first.
SUPPORTED = {
    "x86_64": {"level": ["v4", "v3", "v2", "v1"]},
    "blas_lapack": {"library": ["mkl", "openblas"], "threads": ["omp", "serial"]},
}
ORDER = VariantOrder.build(["x86_64", "blas_lapack"], SUPPORTED)


def test_step_1_namespace_order_copies_default_priorities() -> None:
    # Step 1: "Construct the ordered list of namespaces by copying the value of
    # the default-priorities.namespace key from the combined variant metadata."
    assert namespace_order(["b", "a", "c"]) == ["b", "a", "c"]
    # abi_dependency is never listed there; this reference appends it last.
    assert namespace_order(["b", "a"], ["abi_dependency", "a"]) == ["b", "a", "abi_dependency"]


def test_step_2_feature_order_is_the_compatible_feature_list() -> None:
    # Step 2: "For every namespace, take the ordered list of compatible feature names."
    assert feature_order(SUPPORTED, ["x86_64", "blas_lapack"]) == {
        "x86_64": ["level"],
        "blas_lapack": ["library", "threads"],
    }
    # A feature with no compatible value is not a compatible feature.
    assert feature_order({"ns": {"a": [], "b": ["1"]}}, ["ns"]) == {"ns": ["b"]}
    assert feature_order({}, ["unknown"]) == {"unknown": []}


def test_step_3_value_order_is_the_compatible_value_list() -> None:
    # Step 3: "For every feature, take the ordered list of compatible values."
    features = feature_order(SUPPORTED, ["x86_64", "blas_lapack"])
    assert value_order(SUPPORTED, features)["blas_lapack"] == {
        "library": ["mkl", "openblas"],
        "threads": ["omp", "serial"],
    }


def test_step_4_best_value_is_the_lowest_position() -> None:
    # Step 4: "determine the most preferred value corresponding to every variant
    # feature ... the one that has the lowest position in the ordered property value list."
    properties = {"x86_64": {"level": ("v1", "v3", "v2")}, "blas_lapack": {"library": ("openblas",)}}
    assert best_value_properties(properties, ORDER) == [
        ("x86_64", "level", "v3"),
        ("blas_lapack", "library", "openblas"),
    ]
    with pytest.raises(ValueError):
        best_value_properties({"x86_64": {"level": ("v9",)}}, ORDER)


def test_step_5_property_key_is_three_positions() -> None:
    # Step 5: "a 3-tuple consisting of its namespace, feature name and best
    # feature value indices in the respective ordered lists."
    assert property_key(("x86_64", "level", "v3"), ORDER) == (0, 0, 1)
    assert property_key(("blas_lapack", "threads", "serial"), ORDER) == (1, 1, 1)


def test_step_6_sorted_properties_ascending_by_key() -> None:
    # Step 6: "sort the list constructed in step 4 using the sort keys ... in ascending order."
    properties = {"blas_lapack": {"threads": ("serial",), "library": ("mkl",)}, "x86_64": {"level": ("v2",)}}
    assert sorted_properties(properties, ORDER) == [
        ("x86_64", "level", "v2"),
        ("blas_lapack", "library", "mkl"),
        ("blas_lapack", "threads", "serial"),
    ]


def _cmp(a: tuple[str, dict], b: tuple[str, dict]) -> int:  # type: ignore[type-arg]
    return compare_variants(a, b, ORDER)


def test_step_7_first_different_key_decides() -> None:
    # Step 7: "If the sort keys at the first position are different, the group
    # with the lower key is sorted earlier."
    v4 = ("v4", {"x86_64": {"level": ("v4",)}})
    v3_mkl = ("v3mkl", {"x86_64": {"level": ("v3",)}, "blas_lapack": {"library": ("mkl",)}})
    assert _cmp(v4, v3_mkl) == -1
    assert _cmp(v3_mkl, v4) == 1


def test_step_7_later_position_decides_on_a_tie() -> None:
    # Step 7: "If they are the same, compare the keys at the second position, and so on".
    a = ("a", {"x86_64": {"level": ("v3",)}, "blas_lapack": {"library": ("mkl",)}})
    b = ("b", {"x86_64": {"level": ("v3",)}, "blas_lapack": {"library": ("openblas",)}})
    assert _cmp(a, b) == -1


def test_step_7_more_keys_wins_when_one_list_is_exhausted() -> None:
    # Step 7: "In the latter case, the group with more keys is sorted earlier."
    v3 = ("aaa", {"x86_64": {"level": ("v3",)}})
    v3_openblas = ("zzz", {"x86_64": {"level": ("v3",)}, "blas_lapack": {"library": ("openblas",)}})
    assert _cmp(v3_openblas, v3) == -1
    assert order_variants(dict([v3, v3_openblas]), ORDER) == ["zzz", "aaa"]


def test_step_7_label_breaks_a_full_tie() -> None:
    # Step 7: "if both groups have the same number of keys, they are ordered
    # lexically by the variant label, ascending."
    # The best values tie: v3 is the best of both lists.
    a = ("b_label", {"x86_64": {"level": ("v3", "v1")}})
    b = ("a_label", {"x86_64": {"level": ("v3", "v2")}})
    assert _cmp(b, a) == -1
    assert order_variants(dict([a, b]), ORDER) == ["a_label", "b_label"]


def test_null_variant_sorts_last() -> None:
    # "The algorithm sorts the group of null variant wheels last, as they
    # feature no variant properties."
    variants = {
        "null": {},
        "v1": {"x86_64": {"level": ("v1",)}},
        "serial": {"blas_lapack": {"threads": ("serial",)}},
    }
    assert order_variants(variants, ORDER)[-1] == "null"


def test_compatibility_needs_one_value_per_feature() -> None:
    # PEP 825 "Variant properties": "at least one value for every feature listed
    # in its properties MUST be compatible with the system."
    assert is_compatible({"x86_64": {"level": ("v9", "v2")}}, ORDER)
    assert unsupported_features({"x86_64": {"level": ("v9",)}, "other": {"f": ("1",)}}, ORDER) == [
        ("x86_64", "level"),
        ("other", "f"),
    ]
    assert is_compatible({}, ORDER)


# -- property: the precomputed key agrees with the PEP's pairwise comparison --------

_values = st.lists(st.sampled_from(["v4", "v3", "v2", "v1"]), min_size=1, max_size=3, unique=True)
_libs = st.lists(st.sampled_from(["mkl", "openblas"]), min_size=1, max_size=2, unique=True)
_threads = st.lists(st.sampled_from(["omp", "serial"]), min_size=1, max_size=2, unique=True)


@st.composite
def _properties(draw: st.DrawFn) -> dict[str, dict[str, tuple[str, ...]]]:
    props: dict[str, dict[str, tuple[str, ...]]] = {}
    if draw(st.booleans()):
        props["x86_64"] = {"level": tuple(draw(_values))}
    blas: dict[str, tuple[str, ...]] = {}
    if draw(st.booleans()):
        blas["library"] = tuple(draw(_libs))
    if draw(st.booleans()):
        blas["threads"] = tuple(draw(_threads))
    if blas:
        props["blas_lapack"] = blas
    return props


@given(
    st.dictionaries(st.from_regex(r"[a-z]{1,4}", fullmatch=True), _properties(), max_size=12), st.randoms()
)
def test_key_order_equals_pairwise_order_and_ignores_input_order(variants, rnd) -> None:  # type: ignore[no-untyped-def]
    by_key = order_variants(variants, ORDER)
    by_cmp = [label for label, _ in sorted(variants.items(), key=functools.cmp_to_key(_cmp))]
    assert by_key == by_cmp
    items = list(variants.items())
    rnd.shuffle(items)
    assert order_variants(dict(items), ORDER) == by_key


def test_sort_key_shape() -> None:
    keys, label = variant_sort_key("v3", {"x86_64": {"level": ("v3",)}}, ORDER)
    assert label == "v3"
    assert keys[0] == (0, 0, 1)


@given(st.dictionaries(st.from_regex(r"[a-z]{1,4}", fullmatch=True), _properties(), max_size=12))
def test_rank_variants_equals_filter_then_order(variants) -> None:  # type: ignore[no-untyped-def]
    system = VariantOrder.build(
        ["x86_64", "blas_lapack"],
        {"x86_64": {"level": ["v3", "v1"]}, "blas_lapack": {"library": ["openblas"]}},
    )
    ranked, incompatible = rank_variants(variants, system)
    compatible = {label: p for label, p in variants.items() if is_compatible(p, system)}
    assert ranked == order_variants(compatible, system)
    assert incompatible == {
        label: unsupported_features(p, system) for label, p in variants.items() if label not in compatible
    }
