"""The release/profile strategies (the appended section of conformance.strategies).

Generated worlds must be valid by construction (the builder, the metadata
loader and the profile loader accept them), honour their parameters, avoid
ties the specifications leave to the tool, and reach the interesting shapes
(several compatible variants competing) often enough to be worth running.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, find, given, settings
from packaging.tags import Tag, sys_tags

from conformance.differential import compatible, filenames, materialize
from conformance.strategies import (
    COMPRESSED_TAG,
    WORLD_LABELS,
    WORLD_NAMESPACES,
    WORLD_TAGS,
    WORLD_UNSUPPORTED_TAG,
    supported_lists,
    worlds,
)
from reference.format.filename import parse_wheel_filename
from reference.format.metadata import load_metadata
from reference.format.wheel import read_variant_json
from reference.providers.profiles import Profile

_SETTINGS: dict[str, Any] = dict(
    deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


def _package(world: dict[str, Any]) -> dict[str, Any]:
    package: dict[str, Any] = world["index"]["package"][0]
    return package


@settings(max_examples=40, **_SETTINGS)
@given(worlds())
def test_worlds_build_and_load(world: dict[str, Any]) -> None:
    """The builder accepts the source; every published document and the profile are valid."""
    with tempfile.TemporaryDirectory() as scratch:
        built = materialize(world, Path(scratch))
        names = sorted(p.name for p in built.flat.glob("*.whl"))
        assert names == sorted(filenames(world))
        for index_file in built.flat.glob("*-variants.json"):
            load_metadata(json.loads(index_file.read_text(encoding="utf-8")), kind="index")
        for name in names:
            if parse_wheel_filename(name).is_variant:
                read_variant_json(built.flat / name)
    Profile.from_dict(world["profile"])


@settings(max_examples=60, **_SETTINGS)
@given(worlds())
def test_world_shape(world: dict[str, Any]) -> None:
    """Names from the pools; every label has a wheel; within a group, no two wheels share a
    tag (PEP 825 orders a group by platform tags, so equal tags would tie); one build tag."""
    package = _package(world)
    assert set(package["namespaces"]) <= set(WORLD_NAMESPACES)
    assert set(package["variants"]) - {"null"} <= set(WORLD_LABELS)
    wheels = package["wheel"]
    assert {w.get("label") for w in wheels} - {None} == set(package["variants"])
    groups: dict[Any, list[str]] = {}
    for wheel in wheels:
        groups.setdefault(wheel.get("label"), []).append(wheel["tags"])
    for tags in groups.values():
        assert len(tags) == len(set(tags))
        assert set(tags) <= {*WORLD_TAGS, WORLD_UNSUPPORTED_TAG, COMPRESSED_TAG}
    assert len({w.get("build") for w in wheels}) <= 1
    # PEP 825: variant values "are sets of feature values, converted to lists and sorted lexically".
    for properties in package["variants"].values():
        for features in properties.values():
            for values in features.values():
                assert values == sorted(set(values))


@settings(max_examples=40, **_SETTINGS)
@given(worlds(schemas=("0.2.0",), sources=("static", "none"), tag_order="fixed", index_files=("generate",)))
def test_parameters_are_honoured(world: dict[str, Any]) -> None:
    """What a tool without user static lists (uv) can be given: no profile namespaces,
    the fixed tag list, format 0.2.0 with a providers table naming every namespace."""
    package = _package(world)
    assert "namespaces" not in world["profile"]
    assert world["profile"]["tags"]["supported"] == list(WORLD_TAGS)
    assert package["schema"] == "0.2.0"
    assert package["index-file"] == "generate"
    # Providers draft / NOTES.md: the providers keys equal default-priorities.namespace.
    assert set(package["providers"]) == set(package["namespaces"])
    for provider in package["providers"].values():
        kinds = {"requires", "static-properties"} & set(provider)
        assert len(kinds) == 1
        if "static-properties" in provider:
            assert provider["feature-order"] == list(provider["static-properties"])


@settings(max_examples=30, **_SETTINGS)
@given(worlds(schemas=("0.1.1",)))
def test_format_0_1_1_has_no_providers(world: dict[str, Any]) -> None:
    """PEP 825 format 0.1.1 has no providers table; properties come from the profile or nowhere."""
    assert "providers" not in _package(world)
    assert set(supported_lists(world)) == set(_package(world)["namespaces"])


def test_world_tags_follow_interpreter_order() -> None:
    """WORLD_TAGS are ranked by this interpreter exactly in their listed order, and the
    unsupported tag is not supported at all, so a tool that uses its interpreter's tags
    (uv) sees the same tag list as a profile listing WORLD_TAGS."""
    order = list(sys_tags())
    positions = [order.index(Tag(*t.split("-"))) for t in WORLD_TAGS]
    assert positions == sorted(positions)
    assert Tag(*WORLD_UNSUPPORTED_TAG.split("-")) not in order


def test_supported_lists_by_source() -> None:
    """Providers draft: the profile's list for the namespaces it names (step 3, used
    exclusively), else the metadata's static-properties (step 2), else nothing."""
    world = {
        "index": {
            "package": [
                {
                    "name": "demo",
                    "version": "1.0",
                    "schema": "0.2.0",
                    "namespaces": ["alpha", "beta", "gamma"],
                    "providers": {
                        "alpha": {"static-properties": {"fa": ["v2", "v1"]}, "feature-order": ["fa"]},
                        "beta": {"requires": ["beta-variant-provider"]},
                        "gamma": {"requires": ["gamma-variant-provider"]},
                    },
                    "variants": {},
                    "wheel": [],
                }
            ]
        },
        "profile": {
            "name": "p",
            "tags": {"supported": ["py3-none-any"]},
            "namespaces": {"beta": {"fb": ["v3"]}},
        },
    }
    assert supported_lists(world) == {"alpha": {"fa": ["v2", "v1"]}, "beta": {"fb": ["v3"]}, "gamma": {}}


def test_competing_variants_are_reachable() -> None:
    """Worlds where three compatible variant labels compete, next to a compatible null
    variant and non-variant wheel, are generated (the shape the ordering rules matter for)."""

    def competing(world: dict[str, Any]) -> bool:
        usable = [parse_wheel_filename(n) for n in filenames(world) if compatible(world, n) is None]
        labels = {w.variant_label for w in usable}
        return len(labels - {"null", None}) >= 3 and "null" in labels and None in labels

    # Generation only: the point is that such a world turns up, not its smallest form.
    quick = settings(max_examples=500, database=None, phases=[Phase.generate], **_SETTINGS)
    world = find(worlds(), competing, settings=quick)
    assert competing(world)


@settings(max_examples=40, **_SETTINGS)
@given(worlds(schemas=("0.2.0",), sources=("static",)), worlds(schemas=("0.2.0",), optional=True))
def test_optional_providers_only_when_asked(plain: dict[str, Any], optional: dict[str, Any]) -> None:
    """``optional`` marks only static providers, only on request, and an optional
    provider's namespace has no supported properties (providers draft step 1:
    "If a provider is disabled, the tools MUST assume that the list of compatible
    features is empty"; no world enables one)."""
    assert not any(p.get("optional") for p in _package(plain)["providers"].values())
    lists = supported_lists(optional)
    for namespace, provider in _package(optional)["providers"].items():
        if provider.get("optional"):
            assert "static-properties" in provider
            assert lists[namespace] == {}
