"""Generated documents: valid ones are accepted, each single-rule mutation is rejected with that rule."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings

from conformance.strategies import documents, property_strings
from reference.errors import InvalidVariantMetadata
from reference.format.metadata import load_metadata
from reference.format.properties import VariantProperty

Doc = dict[str, Any]


def fresh(existing: Any, base: str) -> str:
    name = base
    while name in existing:
        name += "x"
    return name


def first_ns(doc: Doc) -> str:
    return str(doc["default-priorities"]["namespace"][0])


def add_label(doc: Doc, properties: Any, base: str = "mut") -> None:
    doc["variants"][fresh(doc["variants"], base)] = properties


# Each mutation breaks exactly one rule (PEP 825 / providers draft as implemented).
MUTATIONS: dict[str, Callable[[Doc], None]] = {
    "pep825:label-charset": lambda d: d["variants"].__setitem__("Bad-Label", {}),
    "pep825:property-name-charset": lambda d: add_label(d, {first_ns(d): {"Feature": ["v"]}}),
    "pep825:property-value-charset": lambda d: add_label(d, {first_ns(d): {"f": ["V"]}}),
    "pep825:variants-values-sorted": lambda d: add_label(d, {first_ns(d): {"f": ["v", "v"]}}),
    "pep825:default-priorities-namespace": lambda d: add_label(
        d, {fresh(d["default-priorities"]["namespace"], "unlisted"): {"f": ["v"]}}
    ),
    "pep825:null-label": lambda d: d["variants"].__setitem__("null", {first_ns(d): {"f": ["v"]}}),
    "pep825:metadata-structure": lambda d: d.__setitem__("extra", True),
    "pep825:major-version": lambda d: d.__setitem__(
        "$schema", "https://variants-schema.wheelnext.dev/peps/825/v1.0.0.json"
    ),
    "pep825:draft-versions": lambda d: d.__setitem__(
        "$schema", "https://variants-schema.wheelnext.dev/peps/825/v0.9.0.json"
    ),
}

MUTATIONS_020: dict[str, Callable[[Doc], None]] = {
    "providers:keys-match-namespaces": lambda d: d["providers"].pop(first_ns(d)),
    "providers:exactly-one-key": lambda d: d["providers"][first_ns(d)].update(
        {"builtin": "x", "requires": ["x"]}
    ),
    "providers:abi-reserved": lambda d: (
        d["default-priorities"]["namespace"].append("abi_dependency")
        or d["providers"].__setitem__("abi_dependency", {"builtin": "abi"})
    ),
    "providers:abi-value": lambda d: add_label(d, {"abi_dependency": {"torch": ["1.2.3.4"]}}),
}


def rejected_with(doc: Doc, clause: str, kind: str = "index") -> None:
    with pytest.raises(InvalidVariantMetadata) as info:
        load_metadata(doc, kind=kind)
    assert clause in info.value.clauses


@settings(max_examples=40, deadline=None)
@given(documents())
def test_generated_index_document_is_valid(doc: Doc) -> None:
    md = load_metadata(doc, kind="index")
    assert set(md.variants) == set(doc["variants"])


@settings(max_examples=40, deadline=None)
@given(documents(kind="wheel"))
def test_generated_wheel_document_is_valid(doc: Doc) -> None:
    (label,) = doc["variants"]
    load_metadata(doc, kind="wheel", label=label)


@pytest.mark.parametrize("clause", sorted(MUTATIONS))
@settings(max_examples=20, deadline=None)
@given(doc=documents())
def test_single_rule_mutation(clause: str, doc: Doc) -> None:
    broken = copy.deepcopy(doc)
    MUTATIONS[clause](broken)
    rejected_with(broken, clause)


@pytest.mark.parametrize("clause", sorted(MUTATIONS_020))
@settings(max_examples=20, deadline=None)
@given(doc=documents(version="0.2.0"))
def test_single_rule_mutation_020(clause: str, doc: Doc) -> None:
    broken = copy.deepcopy(doc)
    MUTATIONS_020[clause](broken)
    rejected_with(broken, clause)


@settings(max_examples=40, deadline=None)
@given(documents(kind="wheel"))
def test_wheel_with_second_entry(doc: Doc) -> None:
    add_label(doc, {})
    rejected_with(doc, "pep825:variants-single-entry", kind="wheel")


@settings(max_examples=40, deadline=None)
@given(property_strings())
def test_property_strings_parse(case: tuple[str, tuple[str, str, str]]) -> None:
    text, parts = case
    prop = VariantProperty.parse(text)
    assert (prop.namespace, prop.feature, prop.value) == parts


@settings(max_examples=40, deadline=None)
@given(documents())
def test_canonical_output_round_trips(doc: Doc) -> None:
    # canonical JSON written by the reference reads back to the same bytes
    md = load_metadata(doc, kind="index")
    again = load_metadata(json.loads(md.dumps()), kind="index")
    assert again.dumps() == md.dumps()
    assert again.namespace_priorities == md.namespace_priorities
