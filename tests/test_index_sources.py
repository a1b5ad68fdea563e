"""The fixture index sources, pylock fixtures and the scenario cases that use them agree.

Checks made on the data only (no implementation is run): every index source
parses and matches ``schemas/fixture-index.schema.json``; every wheel filename
it describes is a valid (variant) wheel filename; every case names an index,
profile and lock that exist; and every filename a case expects exists in the
index it names. Filenames are computed here from the sources, independently
of the builder, and compared once with the builder's output.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from packaging.utils import canonicalize_name

from conformance.cases import CASES_DIR, Case, load_cases
from reference._toml import loads
from reference.format.filename import parse_wheel_filename

ROOT = Path(__file__).resolve().parent.parent
INDEXES = ROOT / "fixtures" / "indexes"
PROFILES = ROOT / "fixtures" / "profiles"
LOCKS = ROOT / "fixtures" / "locks"
SCHEMA = ROOT / "schemas" / "fixture-index.schema.json"
PROFILE_SCHEMA = ROOT / "schemas" / "profile.schema.json"

INDEX_IDS = sorted(path.stem for path in INDEXES.glob("*.toml"))
LOCK_IDS = sorted(path.stem for path in LOCKS.glob("*.toml"))
CASE_PROFILE_IDS = sorted(path.stem for path in PROFILES.glob("case-*.toml"))
PLUGIN_DIRS = ROOT / "fixtures" / "plugins"


def _load(path: Path) -> dict[str, Any]:
    return dict(loads(path.read_text(encoding="utf-8")))


@cache
def _validator(path: Path) -> jsonschema.Draft202012Validator:
    schema = json.loads(path.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


@cache
def source(index_id: str) -> dict[str, Any]:
    """The parsed source ``fixtures/indexes/<index_id>.toml``."""
    return _load(INDEXES / f"{index_id}.toml")


def expected_filename(name: str, version: str, wheel: dict[str, Any]) -> str:
    """Binary distribution format + PEP 825 'Variant label': the wheel's filename.

    A wheel given an exact ``filename`` (a malformed name, on purpose) is published under it.
    """
    if "filename" in wheel:
        return str(wheel["filename"])
    parts = [canonicalize_name(name).replace("-", "_"), version]
    if "build" in wheel:
        parts.append(wheel["build"])
    parts.append(wheel["tags"])
    if "label" in wheel:
        parts.append(wheel["label"])
    return "-".join(parts) + ".whl"


def wheels(index_id: str) -> Iterator[tuple[dict[str, Any], dict[str, Any], str]]:
    """(package, wheel, filename) for every wheel of an index source."""
    for package in source(index_id)["package"]:
        for wheel in package.get("wheel", []):
            yield package, wheel, expected_filename(package["name"], package["version"], wheel)


@cache
def filenames(index_id: str) -> frozenset[str]:
    """Every wheel filename the index publishes (plugin wheels excluded)."""
    return frozenset(name for _, _, name in wheels(index_id))


@cache
def requires_of(index_id: str) -> dict[str, list[str]]:
    """Filename -> the Requires-Dist entries its METADATA carries."""
    return {
        name: list(wheel.get("requires-dist", package.get("requires-dist", [])))
        for package, wheel, name in wheels(index_id)
    }


#: The scenario topics whose cases use fixture indexes, profiles and locks.
TOPICS = ("examples", "ordering", "selection", "providers", "abi", "backcompat", "install", "pylock")


def _cases() -> list[Case]:
    cases = []
    for topic in TOPICS:
        if (CASES_DIR / topic).is_dir():
            cases += [c for c in load_cases(CASES_DIR / topic) if c.op in {"select", "install", "pylock"}]
    return cases


CASES = _cases()


def lock_index(lock_id: str) -> str:
    """The fixture index a lock's wheel URLs are relative to (``[tool.conformance] index``)."""
    return str(_load(LOCKS / f"{lock_id}.toml")["tool"]["conformance"]["index"])


# -- the index sources ---------------------------------------------------------------------


@pytest.mark.parametrize("index_id", INDEX_IDS)
def test_source_matches_schema(index_id: str) -> None:
    _validator(SCHEMA).validate(source(index_id))


@pytest.mark.parametrize("index_id", INDEX_IDS)
def test_source_has_description(index_id: str) -> None:
    assert source(index_id).get("description", "").strip()


@pytest.mark.parametrize("index_id", INDEX_IDS)
def test_every_wheel_filename_is_valid(index_id: str) -> None:
    # PEP 825 'Variant label': {distribution}-{version}(-{build tag})?-{python tag}-{abi tag}
    # -{platform tag}(-{variant label})?.whl
    for _, wheel, name in wheels(index_id):
        if "filename" in wheel:
            continue  # published under this exact name on purpose (selection/invalid-filename-skipped)
        parsed = parse_wheel_filename(name)
        assert parsed.variant_label == wheel.get("label"), name


@pytest.mark.parametrize("index_id", INDEX_IDS)
def test_filenames_unique(index_id: str) -> None:
    names = [name for _, _, name in wheels(index_id)]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("index_id", INDEX_IDS)
def test_labels_have_properties(index_id: str) -> None:
    # PEP 825 'Variant wheel': a variant wheel 'MUST include a variant metadata file, which maps
    # the variant label to zero or more variant properties'; the builder takes it from [variants].
    for package, wheel, name in wheels(index_id):
        label = wheel.get("label")
        if label is None or "variant-json" in wheel:
            continue
        assert label in package.get("variants", {}), f"{name}: label {label!r} not in [package.variants]"
        if label == "null":
            # PEP 825: 'The label null is reserved and always corresponds to the variant with zero properties'
            assert package["variants"]["null"] == {}


@pytest.mark.parametrize("index_id", INDEX_IDS)
def test_namespaces_listed(index_id: str) -> None:
    # PEP 825 'Default priorities': 'This list MUST contain all namespaces used in variant
    # properties' (abi_dependency excepted: providers draft, it 'MUST NOT be listed').
    for package in source(index_id)["package"]:
        used = {ns for props in package.get("variants", {}).values() for ns in props}
        assert used - {"abi_dependency"} <= set(package.get("namespaces", [])), package["name"]


@pytest.mark.parametrize("index_id", INDEX_IDS)
def test_values_sorted(index_id: str) -> None:
    # PEP 825 'Variants': 'The third level values are sets of feature values, converted to
    # lists and sorted lexically.'
    for package in source(index_id)["package"]:
        for label, props in package.get("variants", {}).items():
            for features in props.values():
                for values in features.values():
                    assert values == sorted(set(values)), f"{package['name']} {label}"


@pytest.mark.parametrize("index_id", INDEX_IDS)
def test_providers_match_namespaces(index_id: str) -> None:
    # Providers draft 'Provider information': 'Its set of keys MUST match the set of values in
    # the default-priorities.namespace list'; format 0.1.1 has no providers key.
    for package in source(index_id)["package"]:
        if package.get("schema", "0.1.1") == "0.2.0":
            assert set(package.get("providers", {})) == set(package.get("namespaces", [])), package["name"]
        else:
            assert "providers" not in package, package["name"]


@pytest.mark.parametrize("index_id", INDEX_IDS)
def test_plugins_exist(index_id: str) -> None:
    for plugin in source(index_id).get("plugins", []):
        assert (PLUGIN_DIRS / plugin).is_dir(), plugin


def test_builder_agrees_on_filenames(tmp_path: Path) -> None:
    from conformance.fixtures import build_index

    for index_id in INDEX_IDS:
        built = build_index(INDEXES / f"{index_id}.toml", tmp_path / index_id)
        published = {path.name for path in built.flat.glob("*.whl")}
        assert filenames(index_id) <= published, index_id


# -- the profiles this helper added ---------------------------------------------------------------


@pytest.mark.parametrize("profile_id", CASE_PROFILE_IDS)
def test_case_profile_matches_schema(profile_id: str) -> None:
    _validator(PROFILE_SCHEMA).validate(_load(PROFILES / f"{profile_id}.toml"))


# -- the pylock fixtures ------------------------------------------------------------------------


@pytest.mark.parametrize("lock_id", LOCK_IDS)
def test_lock_wheels_exist(lock_id: str) -> None:
    # A wheel is listed by a url relative to the built index, or by a path relative to the
    # lock that [tool.conformance.files] fills from the index (fixtures/locks/README.md);
    # the entries made malformed on purpose (url or path not a string, neither given) name
    # an index file by their name.
    lock = _load(LOCKS / f"{lock_id}.toml")
    index_id = lock_index(lock_id)
    assert index_id in INDEX_IDS
    files = lock["tool"]["conformance"].get("files", {})
    for origin in files.values():
        assert origin.startswith("flat/") and origin.removeprefix("flat/") in filenames(index_id), origin
    for package in lock.get("packages", []):
        for wheel in package.get("wheels", []):
            url, path = wheel.get("url"), wheel.get("path")
            if isinstance(path, str):
                assert path in files, path
            elif isinstance(url, str) and "://" not in url:
                assert url.startswith("flat/"), url
                assert url.removeprefix("flat/") in filenames(index_id), url
            else:
                assert wheel["name"] in filenames(index_id), wheel


def _wheel_name(wheel: dict[str, object]) -> str:
    name = wheel.get("name")
    return name if isinstance(name, str) else str(wheel.get("url") or wheel.get("path")).rsplit("/", 1)[-1]


@pytest.mark.parametrize("lock_id", LOCK_IDS)
def test_lock_variants_json_shape(lock_id: str) -> None:
    # PEP 825 'Integration with pylock.toml': 'The $schema key MUST be preserved'
    lock = _load(LOCKS / f"{lock_id}.toml")
    for package in lock.get("packages", []):
        names = [_wheel_name(wheel) for wheel in package.get("wheels", [])]
        if any(parse_wheel_filename(name).is_variant for name in names):
            assert "$schema" in package["variants-json"]


# -- the cases ------------------------------------------------------------------------------------


def _case_id(case: Case) -> str:
    return f"{case.file.parent.name}/{case.id}"


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_case_references_exist(case: Case) -> None:
    inputs = case.input
    if case.op == "pylock":
        assert (LOCKS / f"{inputs['lock']}.toml").is_file(), inputs["lock"]
    else:
        assert inputs["index"] in INDEX_IDS, inputs["index"]
    assert (PROFILES / f"{inputs['profile']}.toml").is_file(), inputs["profile"]


def _index_of(case: Case) -> str:
    return lock_index(case.input["lock"]) if case.op == "pylock" else str(case.input["index"])


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_expected_filenames_exist(case: Case) -> None:
    index_id = _index_of(case)
    if index_id not in INDEX_IDS:
        pytest.skip(f"index {index_id} is not one of fixtures/indexes")
    known = filenames(index_id)
    expect = case.expect
    named: list[str] = []
    if case.op == "select":
        named += [expect["selected"]] if expect["selected"] else []
        named += list(expect.get("ranked", []))
    elif case.op == "install":
        named += list(expect.get("installed", {}).values())
    else:
        named += [name for name in expect.get("selected", {}).values() if name]
    for name in named:
        assert name in known, f"{name} is not published by {index_id}"


@pytest.mark.parametrize("case", [c for c in CASES if "ranked" in c.expect], ids=_case_id)
def test_ranked_starts_with_selected(case: Case) -> None:
    ranked = case.expect["ranked"]
    assert ranked[:1] == ([case.expect["selected"]] if case.expect["selected"] else [])
    assert len(ranked) == len(set(ranked))


@pytest.mark.parametrize("case", [c for c in CASES if "requires" in c.expect], ids=_case_id)
def test_expected_requires_come_from_the_selected_wheel(case: Case) -> None:
    index_id = _index_of(case)
    if index_id not in INDEX_IDS:
        pytest.skip(f"index {index_id} is not one of fixtures/indexes")
    metadata = requires_of(index_id)
    if case.op == "select":
        pairs = [(case.expect["selected"], case.expect.get("requires"))]
    else:
        chosen = case.expect["selected"]
        pairs = [(chosen.get(name), reqs) for name, reqs in case.expect.get("requires", {}).items()]
    for selected, requires in pairs:
        if requires is None:
            continue
        if selected is None:
            assert requires == []
            continue
        declared = metadata[selected]
        assert [req for req in declared if req in requires] == requires, selected


@pytest.mark.parametrize("case", [c for c in CASES if "markers" in c.expect], ids=_case_id)
def test_expected_markers_match_selected_label(case: Case) -> None:
    markers = case.expect["markers"]
    selected = case.expect["selected"]
    label = parse_wheel_filename(selected).variant_label if selected else None
    assert markers["variant_label"] == (label or "")
    # PEP 825 'Evaluating variant markers', step 4: features and namespaces derive from the properties
    props = markers["variant_properties"]
    split = [re.split(r"\s*::\s*", prop) for prop in props]
    assert markers["variant_features"] == sorted({f"{ns} :: {feature}" for ns, feature, _ in split})
    assert markers["variant_namespaces"] == sorted({ns for ns, _, _ in split})
