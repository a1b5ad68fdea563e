"""Tests for reference.selection.markers: PEP 825 "Environment markers" and "Evaluating variant markers"."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.markers import Marker, UndefinedEnvironmentName

from reference.selection.markers import (
    InvalidVariantMarker,
    VariantMarker,
    VariantMarkers,
    evaluate_requires,
    split_requirement,
    variant_markers,
)

FOOBAR = variant_markers("foobar", {"foo": {"bar": ("baz",)}}, {"foo": {"bar": ["baz"]}})
NULL = variant_markers("null", {}, {})
NON_VARIANT = variant_markers(None)
OTHER = variant_markers("other", {"qux": {"f": ("1",)}}, {"qux": {"f": ["1"]}})

# PEP 825 "Environment markers", "Example": each specifier and the wheels that satisfy it.
EXAMPLES = [
    # "satisfied by the variant "foobar""
    ('variant_label == "foobar"', {"foobar"}),
    # "satisfied by any wheel other than the null variant (including the non-variant wheel)"
    ('variant_label != "null"', {"foobar", "", "other"}),
    # "satisfied by the non-variant wheel"
    ('variant_label == ""', {""}),
    # "satisfied by any "foo :: * :: *" property"
    ('"foo" in variant_namespaces', {"foobar"}),
    # "satisfied by any "foo :: bar :: *" property"
    ('"foo :: bar" in variant_features', {"foobar"}),
    # "satisfied only by "foo :: bar :: baz" property"
    ('"foo :: bar :: baz" in variant_properties', {"foobar"}),
    # "equivalent"
    ('"foo::bar::baz" in variant_properties', {"foobar"}),
]


@pytest.mark.parametrize(("marker", "satisfied_by"), EXAMPLES)
def test_pep_825_marker_examples(marker: str, satisfied_by: set[str]) -> None:
    parsed = VariantMarker(marker)
    for markers in (FOOBAR, NULL, NON_VARIANT, OTHER):
        assert parsed.evaluate(markers.environment()) is (markers.label in satisfied_by), markers.label


@pytest.mark.parametrize(
    "text",
    [
        '"foo::bar" in variant_features',
        '"foo  ::bar" in variant_features',
        "'foo :: bar' in variant_features",
    ],
)
def test_whitespace_around_separators_is_ignored(text: str) -> None:
    # "Implementations MUST ignore differences in whitespace around the :: separators".
    assert VariantMarker(text).evaluate(FOOBAR.environment())


def test_narrowing_sm_arch_example() -> None:
    # "Evaluating variant markers", the sm_arch example: a wheel lists 120_real
    # and 110_real; "On a system that provides only the former, it contains
    # nvidia :: sm_arch :: 120_real alone".
    properties = {"nvidia": {"sm_arch": ("110_real", "120_real")}}
    both = variant_markers("cu", properties, {"nvidia": {"sm_arch": ["120_real", "110_real"]}})
    assert both.properties == {"nvidia :: sm_arch :: 120_real", "nvidia :: sm_arch :: 110_real"}
    only = variant_markers("cu", properties, {"nvidia": {"sm_arch": ["120_real"]}})
    assert only.properties == {"nvidia :: sm_arch :: 120_real"}
    marker = VariantMarker('"nvidia :: sm_arch :: 110_real" in variant_properties')
    assert marker.evaluate(both.environment())
    assert not marker.evaluate(only.environment())
    # Step 4: features and namespaces are derived from the narrowed properties.
    assert only.features == {"nvidia :: sm_arch"} and only.namespaces == {"nvidia"}


def test_non_variant_and_null_values() -> None:
    # "For non-variant wheels, variant_label is an empty string and the three
    # set-valued markers are empty sets."; the null variant has zero properties.
    assert NON_VARIANT.to_json() == {
        "variant_label": "",
        "variant_properties": [],
        "variant_features": [],
        "variant_namespaces": [],
    }
    assert NULL.to_json()["variant_label"] == "null" and NULL.properties == frozenset()


def test_not_in_on_sets() -> None:
    assert VariantMarker('"foo" not in variant_namespaces').evaluate(OTHER.environment())
    assert not VariantMarker('"foo" not in variant_namespaces').evaluate(FOOBAR.environment())


def test_variant_label_string_operators_follow_packaging() -> None:
    env = FOOBAR.environment()
    assert VariantMarker('"oba" in variant_label').evaluate(env)
    assert VariantMarker('variant_label not in "xyz"').evaluate(env)
    assert VariantMarker('"foobar" == variant_label').evaluate(env)
    assert not VariantMarker('variant_label < "zzz"').evaluate(env)


def test_variant_marker_compared_with_another_variable() -> None:
    """depspec:marker-grammar: marker_expr = marker_var marker_op marker_var; a variable's
    value stands where a literal may."""
    env = {**FOOBAR.environment(), "platform_machine": "foobar", "os_name": "foo"}
    assert VariantMarker("variant_label == platform_machine").evaluate(env)
    assert VariantMarker("platform_machine == variant_label").evaluate(env)
    assert not VariantMarker("variant_label != platform_machine").evaluate(env)
    assert VariantMarker("os_name in variant_namespaces").evaluate(env)
    assert not VariantMarker("platform_machine in variant_namespaces").evaluate(env)
    assert VariantMarker("variant_label not in variant_namespaces").evaluate(env)
    assert VariantMarker("os_name in variant_label").evaluate(env)


@pytest.mark.parametrize(
    "text",
    [
        'variant_properties == "foo :: bar :: baz"',  # a Set of String admits only membership
        'variant_namespaces in "foo"',
        "variant_namespaces in variant_label",  # a set on the left of 'in'
        "variant_features == variant_namespaces",
        'variant_label ~= "1.0"',
        'variant_label === "foobar"',
        'unknown_variable == "x"',
        '"foo" in variant_features and',
        '("foo" in variant_features',
        'variant_label = "x"',
    ],
)
def test_invalid_markers_are_rejected(text: str) -> None:
    with pytest.raises(InvalidVariantMarker):
        VariantMarker(text)


def test_standard_markers_delegate_to_packaging() -> None:
    env = {"python_version": "3.12", "sys_platform": "linux", **FOOBAR.environment()}
    assert VariantMarker('python_version >= "3.10" and "foo" in variant_namespaces').evaluate(env)
    assert not VariantMarker('python_version < "3.9" or sys_platform == "win32"').evaluate(env)
    assert VariantMarker('(os.name == "posix" or os_name == "nt") and variant_label == "foobar"').evaluate(
        {**env, "os_name": "posix"}
    )


def test_missing_variant_values_raise() -> None:
    with pytest.raises(UndefinedEnvironmentName):
        VariantMarker('variant_label == ""').evaluate({})


_STANDARD = st.sampled_from(
    [
        'python_version >= "3.8"',
        'python_version < "3"',
        'sys_platform == "linux"',
        'os_name != "nt"',
        'platform_machine in "x86_64 aarch64"',
        '"3.1" in python_full_version',
        'extra == "test"',
    ]
)


@given(st.lists(st.tuples(_STANDARD, st.sampled_from(["and", "or"])), min_size=1, max_size=5), st.booleans())
def test_standard_markers_agree_with_packaging(parts, parenthesize) -> None:  # type: ignore[no-untyped-def]
    text = " ".join(f"{atom} {op}" for atom, op in parts)[: -len(parts[-1][1]) - 1]
    if parenthesize:
        text = f"({text}) and os_name == 'posix'"
    env = {
        "python_version": "3.12",
        "python_full_version": "3.12.1",
        "sys_platform": "linux",
        "os_name": "posix",
        "platform_machine": "x86_64",
        "extra": "test",
    }
    assert VariantMarker(text).evaluate(env) == Marker(text).evaluate(env)


def test_split_requirement() -> None:
    assert split_requirement("dep1; variant_label == 'x'") == ("dep1", "variant_label == 'x'")
    assert split_requirement("dep1 >=1") == ("dep1 >=1", None)
    assert split_requirement("pkg @ https://h/p;v=1.whl ; os_name == 'nt'") == (
        "pkg @ https://h/p;v=1.whl",
        "os_name == 'nt'",
    )
    assert split_requirement("pkg @ https://h/p;v=1.whl") == ("pkg @ https://h/p;v=1.whl", None)


def test_evaluate_requires_keeps_entries_as_written() -> None:
    # PEP 825 "Environment markers" example as Requires-Dist of the foobar wheel.
    requires = [f"dep{i}; {marker}" for i, (marker, _) in enumerate(EXAMPLES, 1)] + ["always"]
    kept = evaluate_requires(requires, FOOBAR, {"python_version": "3.12"})
    assert kept == [requires[0], requires[1], requires[3], requires[4], requires[5], requires[6], "always"]
    assert evaluate_requires(requires, NON_VARIANT) == [requires[1], requires[2], "always"]


def test_evaluate_requires_extras() -> None:
    requires = ['pytest; extra == "test"', 'cuda-extra; extra == "gpu" and "nvidia" in variant_namespaces']
    gpu = variant_markers("cu", {"nvidia": {"a": ("1",)}}, {"nvidia": {"a": ["1"]}})
    assert evaluate_requires(requires, gpu) == []
    assert evaluate_requires(requires, gpu, extras=["gpu", "test"]) == requires
    assert evaluate_requires(requires, NON_VARIANT, extras=["gpu"]) == []


def test_variant_markers_json_sorted() -> None:
    markers = VariantMarkers("x", frozenset({"b :: f :: 1", "a :: g :: 2"}))
    assert markers.to_json()["variant_properties"] == ["a :: g :: 2", "b :: f :: 1"]
    assert markers.to_json()["variant_namespaces"] == ["a", "b"]


def test_uses_variant_markers() -> None:
    assert VariantMarker('python_version > "3" or "x" in variant_namespaces').uses_variant_markers()
    assert not VariantMarker('os_name == "variant_label"').uses_variant_markers()
