"""Differential and metamorphic properties of adapters on generated worlds.

Every property of :mod:`conformance.differential` runs against the
``reference`` adapter always, and against ``variantlib`` and ``uv`` when they
are installed, on worlds kept inside what each adapter declares it can
simulate (:func:`conformance.differential.strategy_options`).  A failing
example is shrunk by hypothesis and its message is a draft conformance
case (case JSON, index source TOML, profile TOML).

Run longer: ``VARIANT_DIFFERENTIAL_EXAMPLES=200 pytest tests/test_differential.py``
(examples per property and adapter). Leave the tools out:
``VARIANT_DIFFERENTIAL_TOOLS=0``.
"""

from __future__ import annotations

import json
import os
import random
import sys
import tempfile
from collections.abc import Iterator
from itertools import permutations
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, reject, settings
from hypothesis import strategies as st

from conformance.adapters import registry
from conformance.differential import (
    PROPERTIES,
    Divergence,
    NotApplicable,
    check,
    compatible,
    filenames,
    materialize,
    ready_case,
    reference_selection,
    strategy_options,
)
from conformance.fixtures import wheel_filename
from conformance.strategies import supported_lists, worlds
from reference.format.filename import parse_wheel_filename

#: Examples per property in CI, per adapter, sized so the file stays well under two minutes.
EXAMPLES = {"reference": 30, "variantlib": 25, "uv": 12}
#: What an adapter's capabilities do not say but its simulation needs.
LIMITS: dict[str, dict[str, Any]] = {
    # uv installs for an interpreter: it cannot be handed a profile's tag list,
    # so profiles list the tags in the order every CPython 3 ranks them.
    # With no -variants.json uv treats every variant wheel as unsupported: the
    # unsettled reading 'variants-incompatible' of PEP 825 'Installing a
    # package from an index' step 5 (expectations/uv.toml), so worlds always
    # publish the index-level file.
    # uv observes its ranking by re-running itself without the chosen wheel:
    # worth it for the differential property only.
    # uv has no user static list: its adapter projects a 'user' namespace's list
    # into static-properties (indirect capability providers.user-static), so
    # user-list worlds reach uv's ordering through providers step 2.
    "uv": {
        "fixed_tags": True,
        "index_files": ("generate",),
        "options": {"rank": "0"},
        "options-differential": {"rank": "1"},
    },
    # Known deviation (expectations/variantlib.toml,
    # providers/optional-provider/disabled-without-option): variantlib 0.2.2
    # answers an optional static-properties provider that is not enabled.
    "variantlib": {"optional": False},
}
_SETTINGS: dict[str, Any] = dict(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)


def _examples(name: str) -> int:
    override = os.environ.get("VARIANT_DIFFERENTIAL_EXAMPLES")
    return int(override) if override else EXAMPLES[name]


@pytest.fixture(scope="module")
def adapters() -> Iterator[dict[Any, Any]]:
    loaded: dict[Any, Any] = {}
    yield loaded
    for adapter, _ in loaded.values():
        if hasattr(adapter, "close"):
            adapter.close()


#: The distribution each tool adapter needs; a tool is skipped only when it is not installed.
TOOLS = {"uv": "uv", "variantlib": "variantlib"}


def _missing_tool(name: str) -> str | None:
    """Why *name*'s tool cannot run here (it is not installed), or ``None``."""
    from importlib.metadata import PackageNotFoundError, version

    if name not in TOOLS:
        return None
    try:
        version(TOOLS[name])
    except PackageNotFoundError:
        return f"{TOOLS[name]} is not installed"
    return None


def _setup(name: str, prop: str, cache: dict[Any, Any]) -> tuple[Any, st.SearchStrategy[dict[str, Any]]]:
    if name != "reference" and os.environ.get("VARIANT_DIFFERENTIAL_TOOLS") == "0":
        pytest.skip("VARIANT_DIFFERENTIAL_TOOLS=0")
    missing = _missing_tool(name)
    if missing:
        pytest.skip(missing)
    limits = LIMITS.get(name, {})
    options = {**limits.get("options", {}), **limits.get(f"options-{prop}", {})}
    key = (name, tuple(sorted(options.items())))
    if key not in cache:
        # Installed, so any error loading the adapter or asking its version is a
        # failure of the adapter, never a skip.
        adapter = registry.load_adapter(name, options)
        cache[key] = (adapter, adapter.info())
    adapter, info = cache[key]
    arguments = strategy_options(info, fixed_tags=limits.get("fixed_tags", False))
    if isinstance(arguments, str):
        pytest.skip(arguments)
    for knob in ("index_files", "optional"):
        if knob in limits:
            arguments[knob] = limits[knob]
    return adapter, worlds(**arguments)


@pytest.mark.parametrize("prop", PROPERTIES)
@pytest.mark.parametrize("name", list(EXAMPLES))
def test_property(name: str, prop: str, adapters: dict[Any, Any]) -> None:
    """The property holds for the adapter on every generated world (see the module docstring
    of :mod:`conformance.differential` for the clause each rests on)."""
    adapter, strategy = _setup(name, prop, adapters)

    @settings(max_examples=_examples(name), **_SETTINGS)
    @given(world=strategy, rnd=st.randoms(use_true_random=False))
    def run(world: dict[str, Any], rnd: random.Random) -> None:
        with tempfile.TemporaryDirectory() as scratch:
            try:
                check(prop, adapter, world, Path(scratch), rnd)
            except NotApplicable as exc:
                note(f"{name} skipped: {exc}")
                reject()

    run()


# -- the reference on its own API -----------------------------------------------------------------


@settings(max_examples=30, **_SETTINGS)
@given(world=worlds(optional=True), rnd=st.randoms(use_true_random=False))
def test_reference_api_ignores_wheel_order(world: dict[str, Any], rnd: random.Random) -> None:
    """Handing ``select_wheel`` the wheels (hence, without an index-level file, the
    wheels' documents to combine) in another order changes nothing.

    PEP 825 "Variant ordering": the combined metadata "can be sourced either from
    the index-level metadata file, or from the individual wheels, combined"; the
    order is defined by ``default-priorities`` and the supported lists only.
    """
    with tempfile.TemporaryDirectory() as scratch:
        built = materialize(world, Path(scratch))
        baseline = reference_selection(built)
        order = list(range(len(filenames(world))))
        rnd.shuffle(order)
        shuffled = reference_selection(built, order)
    assert shuffled.ranked == baseline.ranked


def _pep825_ranking(world: dict[str, Any]) -> list[str]:
    """The ranking PEP 825 'Variant ordering' prescribes, written from its text and pseudocode.

    Compatible wheels only (oracle :func:`conformance.differential.compatible`);
    groups by label; steps 1-7 with the label as the final tie-breaker; the null
    variant after the others, non-variant wheels last; within a group by the
    position of the wheel's best tag in the supported list. The newest release
    with a compatible wheel is the one ranked ("Initially select a package
    version meeting the version constraints"; an installer moves to an older one
    when the newest has no compatible wheel).
    """
    for release in world["index"]["package"]:  # newest first
        ranking = _release_ranking(world, release)
        if ranking:
            return ranking
    return []


def _release_ranking(world: dict[str, Any], package: dict[str, Any]) -> list[str]:
    lists = supported_lists({"index": {"package": [package]}, "profile": world["profile"]})
    tags = world["profile"]["tags"]["supported"]
    names = [wheel_filename(package["name"], package["version"], w["tags"], w.get("build"), w.get("label"))
             for w in package.get("wheel", [])]
    tag_of = dict(zip(names, (w["tags"] for w in package.get("wheel", [])), strict=True))
    usable = [n for n in names if compatible(world, n) is None]
    namespace_order = list(package.get("namespaces", []))  # step 1

    def tag_rank(name: str) -> int:
        python, abi, platform = tag_of[name].split("-")
        expanded = [
            f"{p}-{a}-{pl}" for p in python.split(".") for a in abi.split(".") for pl in platform.split(".")
        ]
        return min(tags.index(t) for t in expanded if t in tags)

    def group_key(label: str) -> tuple[Any, ...]:
        keys = []
        for namespace, features in package["variants"][label].items():
            feature_order = list(lists[namespace])  # step 2
            for feature, values in features.items():
                value_order = lists[namespace][feature]  # step 3
                best = min(value_order.index(v) for v in values if v in value_order)  # step 4
                keys.append((namespace_order.index(namespace), feature_order.index(feature), best))  # step 5
        keys.sort()  # step 6
        # Step 7: compare key by key; when one list is a prefix of the other the
        # longer sorts first (a sentinel larger than any key); then the label.
        return (*keys, (len(namespace_order),), label)

    parsed = [parse_wheel_filename(n) for n in usable]
    labels = {str(w.variant_label) for w in parsed if w.is_variant}
    ordered = sorted((label for label in labels if label != "null"), key=group_key)
    if "null" in labels:
        ordered.append("null")
    ranking: list[str] = []
    for label in [*ordered, None]:
        group = [n for n in usable if parse_wheel_filename(n).variant_label == label]
        ranking += sorted(group, key=lambda n: (tag_rank(n), n))
    return ranking


@settings(max_examples=40, **_SETTINGS)
@given(world=worlds(builds=False, optional=True))
def test_reference_ranking_is_pep825_ordering(world: dict[str, Any]) -> None:
    """The reference ranks exactly as PEP 825's ordering algorithm, re-derived here from the text."""
    with tempfile.TemporaryDirectory() as scratch:
        ranked = list(reference_selection(materialize(world, Path(scratch))).ranked)
    assert ranked == _pep825_ranking(world)


def test_prefix_rule_of_step_7() -> None:
    """PEP 825 step 7: "until ... the list in one of the groups is exhausted. In the latter
    case, the group with more keys is sorted earlier" (hand-made, not generated)."""
    world = {
        "index": {
            "package": [
                {
                    "name": "demo",
                    "version": "1.0",
                    "schema": "0.1.1",
                    "namespaces": ["alpha"],
                    "variants": {
                        "l1": {"alpha": {"fa": ["v1"]}},
                        "l2": {"alpha": {"fa": ["v1"], "fb": ["v2"]}},
                    },
                    "wheel": [
                        {"tags": "py3-none-any", "label": "l1"},
                        {"tags": "py3-none-any", "label": "l2"},
                    ],
                }
            ]
        },
        "profile": {
            "name": "p",
            "tags": {"supported": ["py3-none-any"]},
            "namespaces": {"alpha": {"fa": ["v1"], "fb": ["v2"]}},
        },
    }
    assert _pep825_ranking(world) == ["demo-1.0-py3-none-any-l2.whl", "demo-1.0-py3-none-any-l1.whl"]
    for order in permutations(range(2)):
        with tempfile.TemporaryDirectory() as scratch:
            assert list(reference_selection(materialize(world, Path(scratch)), list(order)).ranked) == [
                "demo-1.0-py3-none-any-l2.whl",
                "demo-1.0-py3-none-any-l1.whl",
            ]


def test_divergence_prints_a_draft_case() -> None:
    """A broken adapter is caught, and its message holds a draft case the suite refuses
    until its expectation is confirmed."""
    from conformance import cases
    from conformance.adapters.base import AdapterInfo, Result
    from conformance.fixtures import build_index

    class PicksFirst:
        """Selects the first wheel by name, compatible or not."""

        def info(self) -> AdapterInfo:
            return AdapterInfo("picks-first", "0", frozenset({"select", "index.flat"}))

        def run(self, op: str, input: Any, workspace: Any) -> Any:
            names = sorted(p.name for p in (workspace.fixtures / input["index"] / "flat").glob("*.whl"))
            return Result({"selected": names[0]})

    # py2-none-any sorts before py3-none-any by name and is not a supported tag.
    world = {
        "index": {
            "package": [
                {
                    "name": "demo",
                    "version": "1.0",
                    "wheel": [{"tags": "py3-none-any"}, {"tags": "py2-none-any"}],
                }
            ]
        },
        "profile": {"name": "p", "tags": {"supported": ["py3-none-any"]}},
    }
    with tempfile.TemporaryDirectory() as scratch:
        with pytest.raises(Divergence) as caught:
            check("selected-compatible", PicksFirst(), world, Path(scratch) / "run")
        message = str(caught.value)
        assert "demo-1.0-py2-none-any.whl, which is not compatible" in message
        files = ready_case(world, {"selected": "demo-1.0-py3-none-any.whl"}, "selected-compatible")
        for path, text in files.items():
            assert text.rstrip("\n") in message
            (Path(scratch) / path).parent.mkdir(parents=True, exist_ok=True)
            (Path(scratch) / path).write_text(text, encoding="utf-8")
        root = Path(scratch) / "conformance" / "cases"
        # The reference's answer is a suggestion: the suite refuses the draft ...
        (problem,) = cases.check(root)
        assert "unconfirmed draft" in problem
        with pytest.raises(cases.CaseFileError, match="unconfirmed draft"):
            cases.load_cases(root)
        # ... until a person has confirmed it from the text and set the status.
        case_path = root / "differential" / "selected-compatible.json"
        data = json.loads(case_path.read_text(encoding="utf-8"))
        assert data["status"] == "draft" and "DRAFT" in data["comment"]
        data["status"] = "final"
        case_path.write_text(json.dumps(data), encoding="utf-8")
        assert cases.check(root) == []
        built = build_index(Path(scratch) / "fixtures" / "indexes" / "generated.toml", Path(scratch) / "out")
        assert sorted(built.files) == ["demo-1.0-py2-none-any.whl", "demo-1.0-py3-none-any.whl"]


def test_an_installed_tool_whose_adapter_breaks_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only a tool that is not installed is skipped; a broken adapter is a failure."""
    from conformance.adapters import registry

    def broken(name: str, options: Any = None) -> Any:
        raise RuntimeError("the adapter is broken")

    monkeypatch.setattr(registry, "load_adapter", broken)
    monkeypatch.delenv("VARIANT_DIFFERENTIAL_TOOLS", raising=False)
    monkeypatch.setattr(sys.modules[__name__], "_missing_tool", lambda name: None)
    with pytest.raises(RuntimeError, match="the adapter is broken"):
        _setup("variantlib", "differential", {})


def test_a_tool_that_is_not_installed_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(TOOLS, "uv", "no-such-distribution-for-this-test")
    assert _missing_tool("uv") == "no-such-distribution-for-this-test is not installed"
    assert _missing_tool("reference") is None


# -- the other input dimensions (conformance.strategies; shapes in tests/test_shapes.py) ----------------


@settings(max_examples=200, **_SETTINGS)
@given(data=st.data())
def test_variant_markers_hold_as_the_text_says(data: st.DataObject) -> None:
    """The reference keeps a Requires-Dist entry exactly when its marker holds, computed by the
    strategy from PEP 825 "Evaluating variant markers" (sets of strings, whitespace around
    '::' ignored) and PEP 508 and/or; re-spacing around '::' changes nothing."""
    from conformance.strategies import marker_environments, requirement_lines
    from reference.selection.markers import VariantMarkers, evaluate_requires

    label, properties = data.draw(marker_environments())
    entry, holds = data.draw(requirement_lines(label, properties))
    markers = VariantMarkers(label, properties)
    assert (evaluate_requires([entry], markers) == [entry]) == holds, entry
    respaced = entry.replace(" :: ", "::")
    assert (evaluate_requires([respaced], markers) == [respaced]) == holds, respaced


@settings(max_examples=80, **_SETTINGS)
@given(st.data())
def test_wheel_filenames_parse_as_generated(data: st.DataObject) -> None:
    """PEP 825's filename template: build tags, compressed tags, local and pre-release versions,
    null and edge labels parse into the generated components; an uppercase label is invalid."""
    from conformance.strategies import wheel_names
    from reference.errors import VariantError

    name, parts = data.draw(wheel_names())
    if parts is None:
        with pytest.raises(VariantError) as caught:
            parse_wheel_filename(name)
        assert "pep825:label-charset" in caught.value.clauses
    else:
        assert parse_wheel_filename(name).to_json() == parts


@settings(max_examples=80, **_SETTINGS)
@given(st.data())
def test_abi_dependency_matches_as_the_specifier(data: st.DataObject) -> None:
    """Providers text: values "are matched against the installed version same as the
    =={value}.* specifier"; "Versions with nonzero epoch are not supported"."""
    from conformance.strategies import installed_versions
    from reference.providers.abi import abi_matches

    value, installed, matches = data.draw(installed_versions())
    assert (installed is not None and abi_matches(value, installed)) == matches


@settings(max_examples=40, **_SETTINGS)
@given(st.data())
def test_trust_ignores_the_spelling_of_a_name(data: st.DataObject) -> None:
    """A package trusted in any spelling (case, '-', '_', '.') is trusted (PEP 503 names)."""
    from conformance.strategies import name_spellings
    from reference.providers.support import SupportContext, trusted_by_user

    spelled = data.draw(name_spellings("variant-marker-provider"))
    assert trusted_by_user("Variant_Marker-Provider", SupportContext({}, trust=frozenset({spelled})))
    assert not trusted_by_user("variant-marker", SupportContext({}, trust=frozenset({spelled})))


@settings(max_examples=25, **_SETTINGS)
@given(st.data())
def test_reference_selects_from_a_lock_as_from_its_listed_wheels(data: st.DataObject) -> None:
    """PEP 825 "Integration with pylock.toml": "If variant wheels are listed, the tool SHOULD
    resolve variants to select the best wheel file" among the listed wheels with the inlined
    metadata (whole, or pruned of labels no listed wheel has); a packages.marker and an
    environments entry that hold change nothing. Expected: the PEP 825 ordering re-derived
    here (:func:`_release_ranking`) on the listed wheels only."""
    from conformance.adapters.base import Result
    from conformance.adapters.reference import ReferenceAdapter
    from conformance.differential import lock_file, remove_wheel
    from conformance.strategies import lock_for

    world = data.draw(worlds(optional=True))
    lock = data.draw(lock_for(world))
    listed = set(lock["tool"]["conformance"]["listed"])
    restricted = world
    for name in filenames(world):
        if name not in listed and name in {
            n for n in filenames({"index": {"package": world["index"]["package"][:1]}, "profile": {}})
        }:
            restricted = remove_wheel(restricted, name)
    newest = restricted["index"]["package"][0]
    expected = (_release_ranking(restricted, newest) or [None])[0]
    with tempfile.TemporaryDirectory() as scratch:
        built = materialize(world, Path(scratch))
        adapter = ReferenceAdapter()
        try:
            outcome = adapter.run("pylock", lock_file(built, lock), built.workspace)
        finally:
            adapter.close()
    assert isinstance(outcome, Result), outcome
    note(f"lock: {lock}")
    if expected is None:  # no listed wheel fits: "an error MUST be raised about a lack of source"
        assert outcome.value.get("error") and outcome.value["clauses"] == ["pylock:wheel-name"], outcome.value
    else:
        assert outcome.value["selected"] == {newest["name"]: expected}
