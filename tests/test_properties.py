"""Variant properties: ``namespace :: feature :: value`` (PEP 825 "Variant properties")."""

from __future__ import annotations

import pytest
from hypothesis import given

from conformance.strategies import names, property_strings, values
from reference.errors import InvalidVariantProperty
from reference.format.properties import VariantFeature, VariantProperty, check_name, check_value

# PEP 825 "Variant properties", "Examples"
PEP_EXAMPLES = [
    ("x86_64 :: level :: v3", ("x86_64", "level", "v3")),
    ("x86_64 :: avx512_bf16 :: on", ("x86_64", "avx512_bf16", "on")),
    ("nvidia :: cuda_version_lower_bound :: 12.8", ("nvidia", "cuda_version_lower_bound", "12.8")),
    ("nvidia :: sm_arch :: 120_real", ("nvidia", "sm_arch", "120_real")),
    ("nvidia :: sm_arch :: 110_real", ("nvidia", "sm_arch", "110_real")),
]


@pytest.mark.parametrize(("text", "parts"), PEP_EXAMPLES)
def test_pep_examples(text: str, parts: tuple[str, str, str]) -> None:
    prop = VariantProperty.parse(text)
    assert (prop.namespace, prop.feature, prop.value) == parts
    assert str(prop) == text


@pytest.mark.parametrize("text", ["x86_64::level::v3", "x86_64  ::level::  v3", " x86_64 ::\tlevel :: v3 "])
def test_whitespace_around_separator_ignored(text: str) -> None:
    # PEP 825 "Environment markers": "Implementations MUST ignore differences in
    # whitespace around the :: separators"
    assert VariantProperty.parse(text) == VariantProperty("x86_64", "level", "v3")


@pytest.mark.parametrize(
    ("text", "clause"),
    [
        ("X86_64 :: level :: v3", "pep825:property-name-charset"),
        ("x86-64 :: level :: v3", "pep825:property-name-charset"),
        ("x86_64 :: le.vel :: v3", "pep825:property-name-charset"),
        ("x86_64 :: level :: V3", "pep825:property-value-charset"),
        ("x86_64 :: level :: v-3", "pep825:property-value-charset"),
        (" :: level :: v3", "pep825:property-name-charset"),
        ("x86_64 :: level :: ", "pep825:property-value-charset"),
        ("x86_64 :: level", "pep825:property-format"),
        ("x86_64 :: level :: v3 :: x", "pep825:property-format"),
        ("x86_64 : level : v3", "pep825:property-format"),
    ],
)
def test_invalid_properties(text: str, clause: str) -> None:
    with pytest.raises(InvalidVariantProperty) as info:
        VariantProperty.parse(text)
    assert clause in info.value.clauses


def test_value_may_hold_dots_names_may_not() -> None:
    # names: ^[a-z0-9_]+$ ; values: ^[a-z0-9_.]+$
    assert check_value("12.8") is None
    assert check_name("12.8", "feature") is not None


def test_feature() -> None:
    feature = VariantFeature.parse("nvidia::sm_arch")
    assert feature == VariantProperty.parse("nvidia :: sm_arch :: 90_real").feature_key
    assert str(feature) == "nvidia :: sm_arch"
    with pytest.raises(InvalidVariantProperty):
        VariantFeature.parse("nvidia :: sm_arch :: 90")


def test_ordering_is_by_parts() -> None:
    a = VariantProperty("a", "f", "1")
    b = VariantProperty("a", "g", "0")
    assert sorted([b, a]) == [a, b]


@given(property_strings())
def test_parse_then_format_round_trips(case: tuple[str, tuple[str, str, str]]) -> None:
    text, _ = case
    prop = VariantProperty.parse(text)
    assert VariantProperty.parse(str(prop)) == prop
    assert str(VariantProperty.parse(str(prop))) == str(prop)


@given(names(), names(), values())
def test_format_then_parse_round_trips(namespace: str, feature: str, value: str) -> None:
    prop = VariantProperty(namespace, feature, value)
    assert VariantProperty.parse(str(prop)) == prop
