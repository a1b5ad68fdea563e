"""Differential and metamorphic testing of adapters on generated worlds.

A *world* (:func:`conformance.strategies.worlds`) is one package release — a
fixture index source — and one simulated system — a profile.  This module
materializes a world as a real fixture index (built by
:func:`conformance.fixtures.build_index`) and a profile file, runs an
adapter's ``select`` op on it exactly as the suite does, and checks:

- **differential**: the adapter selects what the reference's
  :func:`reference.selection.select.select_wheel` selects on the same data (and ranks
  the same way, when the adapter reports a ranking);
- **selected-compatible**: the selected wheel is compatible with the profile,
  judged by an oracle written straight from PEP 825 ("every feature listed in
  its properties MUST be compatible with the system"; platform tags) on the
  world's own supported-property lists, independent of the reference;
- **reorder**: reordering the wheels and the keys of the input documents does
  not change the outcome (JSON objects are unordered; PEP 825 orders by
  ``default-priorities`` and the providers' lists, never by document order);
- **add-incompatible**: adding an incompatible wheel does not change it;
- **remove-selected**: removing the selected wheel selects the next wheel of
  the reference's ranking (PEP 825: "the variant wheels are sorted from the
  most preferred to the least preferred").

Every check raises :class:`Divergence` on failure; its message carries a
*draft* conformance case (the case JSON, the fixture index source TOML and
the profile TOML). The draft's expectation is the reference's answer, which
is a suggestion only: the suite refuses a case of status ``draft``
(:mod:`conformance.cases`) until a person has derived the expected outcome
from the specification text, cited and quoted its clause, and set the status.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli_w

from conformance.adapters.base import Adapter, AdapterInfo, Errored, Result, Skipped, Workspace
from conformance.fixtures import build_index, wheel_filename
from conformance.strategies import WORLD_UNSUPPORTED_TAG, WORLD_VALUES, supported_lists
from reference.format.model import SCHEMA_0_1_1, SCHEMA_0_2_0

__all__ = [
    "CLAUSES",
    "DRAFT_NOTE",
    "INDEX_ID",
    "PROFILE_ID",
    "PROPERTIES",
    "Divergence",
    "Materialized",
    "NotApplicable",
    "add_incompatible",
    "check",
    "compatible",
    "filenames",
    "lock_file",
    "materialize",
    "ready_case",
    "reference_selection",
    "remove_wheel",
    "reorder",
    "strategy_options",
]

INDEX_ID = "generated"
PROFILE_ID = "generated"
REQUIREMENT = "demo"
_SCHEMA_URLS = {"0.1.1": SCHEMA_0_1_1, "0.2.0": SCHEMA_0_2_0}

#: The properties this module checks.
PROPERTIES = ("differential", "selected-compatible", "reorder", "add-incompatible", "remove-selected")

#: The clauses each property rests on (the ``spec`` of a printed case).
CLAUSES: dict[str, list[str]] = {
    "differential": [
        "pep825:ordering-step-7",
        "pep825:ordering-null-last",
        "pep825:ordering-non-variant-last",
    ],
    "selected-compatible": ["pep825:property-compatibility", "pep825:ordering-overrides"],
    "reorder": ["pep825:ordering-combined-metadata", "pep825:ordering-step-1"],
    "add-incompatible": [
        "pep825:property-compatibility",
        "pep825:ordering-grouping",
        "pep825:missing-label-incompatible",
    ],
    "remove-selected": ["pep825:ordering-grouping", "pep825:ordering-platform-tags"],
}


class Divergence(AssertionError):
    """An adapter broke a property; ``str()`` holds the explanation and a draft case."""


class NotApplicable(Exception):
    """The adapter skipped the world (outside what it can simulate); ``str()`` is its reason."""


@dataclass(frozen=True)
class Materialized:
    """A built world: the workspace an adapter runs in and the ``select`` input."""

    world: dict[str, Any]
    workspace: Workspace
    input: dict[str, Any]

    @property
    def flat(self) -> Path:
        """The find-links directory of the built index."""
        return self.workspace.fixtures / INDEX_ID / "flat"


# -- materializing ---------------------------------------------------------------------------


def filenames(world: Mapping[str, Any]) -> list[str]:
    """The wheel filenames of *world* (every release), in source order."""
    return [name for _, _, name in _entries(world)]


def _entries(world: Mapping[str, Any]) -> list[tuple[Mapping[str, Any], Mapping[str, Any], str]]:
    """``(release, wheel entry, filename)`` for every wheel of every release of *world*."""
    return [
        (package, w, wheel_filename(package["name"], package["version"], w["tags"], w.get("build"),
                                    w.get("label")))
        for package in world["index"]["package"]
        for w in package.get("wheel", [])
    ]


def materialize(world: dict[str, Any], root: Path) -> Materialized:
    """Build *world* under *root* (which must not exist yet, or be empty).

    Writes ``root/sources/generated.toml`` and ``root/profiles/generated.toml``,
    builds the index into ``root/fixtures/generated/{flat,simple,json}``.
    """
    sources = root / "sources"
    profiles = root / "profiles"
    for folder in (sources, profiles, root / "fixtures", root / "locks", root / "tmp"):
        folder.mkdir(parents=True, exist_ok=True)
    source = sources / f"{INDEX_ID}.toml"
    source.write_text(tomli_w.dumps(world["index"]), encoding="utf-8")
    (profiles / f"{PROFILE_ID}.toml").write_text(tomli_w.dumps(world["profile"]), encoding="utf-8")
    build_index(source, root / "fixtures")
    workspace = Workspace(
        fixtures=root / "fixtures",
        base_url=None,
        profiles=profiles,
        locks=root / "locks",
        tmp=root / "tmp",
        requires=frozenset(_requires(world)),
    )
    return Materialized(world, workspace, select_input(world))


def _requires(world: Mapping[str, Any]) -> set[str]:
    """The capabilities a ``select`` on *world* requires, as a case on it would declare them."""
    package = world["index"]["package"][0]
    needs = {"select", "index.flat"}
    if world["profile"].get("namespaces"):
        needs.add("providers.user-static")
    if any("static-properties" in p for p in package.get("providers", {}).values()):
        needs.add("providers.static-metadata")
    return needs


def lock_file(built: Materialized, lock: Mapping[str, Any]) -> dict[str, Any]:
    """Write *lock* (from :func:`conformance.strategies.lock_for`) next to the built world,
    its wheel entries pointing at the built files, and return the ``pylock`` op's input."""
    data = copy.deepcopy(dict(lock))
    for package in data["packages"]:
        for wheel in package["wheels"]:
            wheel["url"] = (built.flat / wheel["name"]).absolute().as_uri()
            wheel["hashes"] = {}
    (built.workspace.locks / f"{INDEX_ID}.toml").write_text(tomli_w.dumps(data), encoding="utf-8")
    return {"lock": INDEX_ID, "profile": PROFILE_ID, "options": select_input()["options"]}


def select_input(world: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The ``select`` input of a generated world (the case format of the suite): its
    ``requirement`` (a spelling of the package name), else :data:`REQUIREMENT`."""
    return {
        "index": INDEX_ID,
        "profile": PROFILE_ID,
        "requirement": (world or {}).get("requirement", REQUIREMENT),
        "options": {"variant": None, "no_variants": False, "enable_providers": [], "trust": []},
    }


def reference_selection(built: Materialized, order: Sequence[int] | None = None) -> Any:
    """The reference's :class:`~reference.selection.result.Selection` on the built world.

    Reads the published ``-variants.json`` (when there is one) and, otherwise,
    each wheel's ``variant.json``, exactly as an installer would.

    :param order: a permutation of the wheel filenames (sorted) to hand over in.

    With several releases, the newest with a compatible wheel is selected
    (:func:`reference.selection.select.select_version`); without a compatible
    wheel in any release, the newest release's verdict is returned.
    """
    from reference.format.filename import parse_wheel_filename
    from reference.format.metadata import load_metadata
    from reference.format.wheel import read_variant_json
    from reference.providers.profiles import Profile
    from reference.selection.select import select_version, select_wheel
    from reference.selection.system import SelectOptions, System

    flat = built.flat
    names = sorted(p.name for p in flat.glob("*.whl"))
    if order is not None:
        names = [names[i] for i in order]

    def metadata_for(version: str) -> Any:
        suffix = f"-{version}-variants.json"
        index_files = [f for f in flat.glob("*-variants.json") if f.name.endswith(suffix)]
        if not index_files:
            return None
        document = json.loads(index_files[0].read_text(encoding="utf-8"))
        return load_metadata(document, kind="index", source=index_files[0].name)

    system = System(Profile.from_dict(built.world["profile"], source="generated profile"))

    def read(name: str) -> Any:
        return read_variant_json(flat / name)

    chosen = select_version(names, "", metadata_for, system, SelectOptions(), read)
    if chosen is not None:
        return chosen
    versions = {parse_wheel_filename(n).version for n in names}
    newest = max(versions, key=_version_key) if versions else None
    own = [n for n in names if parse_wheel_filename(n).version == newest]
    return select_wheel(own, metadata_for(newest) if newest else None, system, SelectOptions(), read)


def _version_key(text: str) -> Any:
    from packaging.version import Version

    return Version(text)


def run_select(adapter: Adapter, built: Materialized) -> dict[str, Any]:
    """Run the adapter's ``select`` op on the built world.

    :raises NotApplicable: the adapter skipped it.
    :raises Divergence: the adapter errored (a harness problem, reported with the case).
    """
    outcome = adapter.run("select", built.input, built.workspace)
    if isinstance(outcome, Skipped):
        raise NotApplicable(outcome.reason)
    if isinstance(outcome, Errored):
        problem = "the adapter errored: " + outcome.context
        raise Divergence(_report(problem, built.world, None, "differential"))
    assert isinstance(outcome, Result)
    return dict(outcome.value)


# -- the oracle ------------------------------------------------------------------------------


def compatible(world: Mapping[str, Any], filename: str) -> str | None:
    """Why *filename* is not compatible with *world*'s system; ``None`` when it is.

    Written from PEP 825 alone: a wheel needs a supported platform tag; a variant
    wheel's label must be in the metadata, and "for a variant wheel to be
    compatible, every feature listed in its properties MUST be compatible with
    the system", a feature being compatible when one of its values is supported
    (multi-value features, pep825:property-compatibility).
    """
    found = next(((p, w) for p, w, name in _entries(world) if name == filename), None)
    if found is None:
        return f"{filename} is not in the world"
    package, entry = found
    if not set(_expand(entry["tags"])) & set(world["profile"]["tags"]["supported"]):
        return f"tag {entry['tags']} is not supported by the profile"
    label = entry.get("label")
    if label is None:
        return None
    if label not in package.get("variants", {}):
        return f"label {label} is not in the variant metadata"
    lists = supported_lists({"index": {"package": [package]}, "profile": world["profile"]})
    for namespace, features in package["variants"][label].items():
        for feature, values in features.items():
            supported = lists.get(namespace, {}).get(feature, [])
            if not set(values) & set(supported):
                return f"{namespace} :: {feature} :: {', '.join(values)} is not supported"
    return None


def _expand(tags: str) -> list[str]:
    """A (possibly compressed) tag set as its tags: ``py31.py30-none-any`` -> two tags."""
    python, abi, platform = tags.split("-")
    return [f"{p}-{a}-{pl}" for p in python.split(".") for a in abi.split(".") for pl in platform.split(".")]


# -- transformations -------------------------------------------------------------------------


def _shuffled(value: Any, rnd: random.Random) -> Any:
    """*value* with the keys of every JSON object in a random order (lists untouched)."""
    if isinstance(value, dict):
        keys = list(value)
        rnd.shuffle(keys)
        return {k: _shuffled(value[k], rnd) for k in keys}
    return value


def _document(package: Mapping[str, Any], variants: Mapping[str, Any]) -> dict[str, Any]:
    """The metadata document the fixture builder would generate (before canonical JSON)."""
    doc: dict[str, Any] = {
        "$schema": _SCHEMA_URLS[package.get("schema", "0.1.1")],
        "default-priorities": {"namespace": list(package.get("namespaces", []))},
    }
    if "providers" in package:
        doc["providers"] = copy.deepcopy(package["providers"])
    doc["variants"] = copy.deepcopy(dict(variants))
    return doc


def reorder(world: dict[str, Any], rnd: random.Random) -> dict[str, Any]:
    """The same world with wheels and every JSON object's keys in another order.

    The index-level file and each wheel's ``variant.json`` are published with
    their keys shuffled (instead of the builder's canonical JSON); the wheel
    list of the source is shuffled too.
    """
    out = copy.deepcopy(world)
    package = out["index"]["package"][0]
    variants = package.get("variants", {})
    if package.get("index-file", "generate") == "generate" and variants:
        package["index-file"] = "custom"
        package["index-file-text"] = json.dumps(_shuffled(_document(package, variants), rnd), indent=1)
    for wheel in package.get("wheel", []):
        label = wheel.get("label")
        if label is not None:
            doc = _document(package, {label: variants[label]})
            wheel["variant-json-text"] = json.dumps(_shuffled(doc, rnd))
    rnd.shuffle(package["wheel"])
    return out


def add_incompatible(world: dict[str, Any], rnd: random.Random) -> tuple[dict[str, Any], str]:
    """The world plus one wheel its system cannot use, and that wheel's filename.

    One of: an existing label (or a non-variant wheel) built for an unsupported
    platform tag; a new label whose properties include an unsupported value
    (``v9``, which no source ever supports) or an unlisted feature; or (with an
    index-level file) a wheel whose label the index-level file does not list.
    """
    out = copy.deepcopy(world)
    package = out["index"]["package"][0]
    existing = set(filenames(out))
    tags = world["profile"]["tags"]["supported"]
    build = next((w.get("build") for w in package["wheel"]), None)
    kinds = ["tag", "value", "feature"]
    donors = sorted(label for label, props in package["variants"].items() if props)
    if package.get("index-file", "generate") == "generate" and donors:
        kinds.append("missing-label")
    rnd.shuffle(kinds)
    for kind in kinds:
        wheel: dict[str, Any]
        label: str | None
        if kind == "missing-label":
            # PEP 825 'Installing a package from an index', step 6: "If any of the
            # labels present in wheel filenames are missing from it [the combined
            # metadata], assume that the respective wheels are incompatible." The
            # wheel's own variant.json names the label; the index-level file does not.
            label = "a0"  # sorts before every label of the pool: it would win a tie (step 7)
            properties = copy.deepcopy(package["variants"][rnd.choice(donors)])
            wheel = {
                "tags": rnd.choice(tags),
                "label": label,
                "variant-json": _document(package, {label: properties}),
            }
        elif kind == "tag":
            labels = sorted({str(w.get("label") or "") for w in package["wheel"]} | {""})
            label = rnd.choice(labels) or None
            wheel = {"tags": WORLD_UNSUPPORTED_TAG}
            if label is not None:
                wheel["label"] = label
        else:
            namespace = rnd.choice(package["namespaces"])
            feature = "fz" if kind == "feature" else rnd.choice(sorted(
                {f for props in package["variants"].values() for f in props.get(namespace, {})} | {"fa"}
            ))
            label = "lx"
            package["variants"][label] = {namespace: {feature: [WORLD_VALUES[-1]]}}
            wheel = {"tags": rnd.choice(tags), "label": label}
        if build is not None:
            wheel["build"] = build
        name = wheel_filename(package["name"], package["version"], wheel["tags"], build, wheel.get("label"))
        if name not in existing:
            package["wheel"].append(wheel)
            return out, name
        package["variants"].pop("lx", None)
    raise AssertionError("no incompatible wheel could be added")  # unreachable: "lx" is always new


def remove_wheel(world: dict[str, Any], filename: str) -> dict[str, Any]:
    """The world without the wheel *filename* (its label stays in the metadata)."""
    out = copy.deepcopy(world)
    for package in out["index"]["package"]:
        package["wheel"] = [
            w for w in package.get("wheel", [])
            if wheel_filename(package["name"], package["version"], w["tags"], w.get("build"), w.get("label"))
            != filename
        ]
    return out


# -- the properties --------------------------------------------------------------------------


def check(
    prop: str, adapter: Adapter, world: dict[str, Any], root: Path, rnd: random.Random | None = None
) -> None:
    """Check property *prop* (one of :data:`PROPERTIES`) of *adapter* on *world*.

    :param root: an empty scratch directory.
    :param rnd: drives the reorder / add-incompatible transformations.
    :raises Divergence: the property does not hold (message: explanation + case).
    :raises NotApplicable: the adapter skipped the world.
    """
    rnd = rnd or random.Random(0)
    built = materialize(world, root / "base")
    if prop == "differential":
        expected = reference_selection(built)
        got = run_select(adapter, built)
        _expect_same(got, expected.selected, list(expected.ranked), world, prop, "the reference selects")
    elif prop == "selected-compatible":
        got = run_select(adapter, built)
        selected = got.get("selected")
        reason = compatible(world, selected) if selected is not None else None
        if reason is not None:
            expected = reference_selection(built)
            raise Divergence(
                _report(f"selected {selected}, which is not compatible: {reason}", world,
                        {"selected": expected.selected}, prop, got)
            )
    elif prop == "reorder":
        baseline = run_select(adapter, built)
        changed = reorder(world, rnd)
        got = run_select(adapter, materialize(changed, root / "changed"))
        _expect_same(got, baseline.get("selected"), baseline.get("ranked"), changed, prop,
                     "on the same world with keys and wheels in their original order it selects")
    elif prop == "add-incompatible":
        baseline = run_select(adapter, built)
        changed, added = add_incompatible(world, rnd)
        got = run_select(adapter, materialize(changed, root / "changed"))
        _expect_same(got, baseline.get("selected"), baseline.get("ranked"), changed, prop,
                     f"without the incompatible wheel {added} it selects")
    elif prop == "remove-selected":
        ranking = list(reference_selection(built).ranked)
        if not ranking:
            return
        changed = remove_wheel(world, ranking[0])
        rebuilt = materialize(changed, root / "changed")
        got = run_select(adapter, rebuilt)
        if len(ranking) > 1:
            _expect_same(got, ranking[1], ranking[1:], changed, prop,
                         f"after removing the reference's first choice {ranking[0]}, the next in its "
                         "ranking is")
        else:
            # The release has no other compatible wheel: an older release may have one.
            fallback = reference_selection(rebuilt)
            _expect_same(got, fallback.selected, list(fallback.ranked), changed, prop,
                         f"after removing {ranking[0]}, the only compatible wheel of its release, the "
                         "reference falls back to")
    else:
        raise ValueError(f"unknown property {prop!r}; known: {', '.join(PROPERTIES)}")


def _expect_same(
    got: Mapping[str, Any],
    selected: str | None,
    ranked: Sequence[str] | None,
    world: dict[str, Any],
    prop: str,
    why: str,
) -> None:
    if got.get("selected") != selected:
        raise Divergence(
            _report(f"selected {got.get('selected')}; {why} {selected}", world, {"selected": selected}, prop,
                    got)
        )
    if ranked is not None and got.get("ranked") is not None and list(got["ranked"]) != list(ranked):
        raise Divergence(
            _report(f"ranked {got['ranked']}; {why} (ranked) {list(ranked)}", world,
                    {"selected": selected, "ranked": list(ranked)}, prop, got)
        )


# -- printing a failing example as a case ----------------------------------------------------


#: What a person does to turn a draft into a case (also the draft's ``comment``).
DRAFT_NOTE = (
    "DRAFT, refused by the suite until confirmed: 'expect' is the reference's own answer, "
    "not an expectation. Derive the outcome by hand from the specification text, cite and "
    "quote the clauses that decide it in 'spec', write 'source', give the case, the index "
    "and the profile real ids, and set 'status' to final, tentative, unsettled or reference."
)


def ready_case(
    world: Mapping[str, Any], expect: Mapping[str, Any], prop: str, requires: Sequence[str] = ()
) -> dict[str, str]:
    """The files of a draft conformance case for *world*, suggesting *expect*.

    The case has status ``draft``: the suite refuses it (see
    :data:`DRAFT_NOTE`) until a person confirms the expectation from the text.
    Expectations are never produced by the reference.

    :returns: ``{path relative to the repository: file text}``: the case JSON
        (``conformance/cases/differential/<prop>.json``), the index source and
        the profile.
    """
    needs = _requires(world) | set(requires)
    case = {
        "$schema": "../../../schemas/case.schema.json",
        "description": f"generated world (property {prop}): shrunk by hypothesis",
        "comment": DRAFT_NOTE,
        "spec": [{"clause": c} for c in CLAUSES[prop]],
        "source": "DRAFT: found by conformance.differential (property " + prop + "); "
        "the sentences that decide the outcome are still to be quoted",
        "status": "draft",
        "requires": sorted(needs),
        "tests": [
            {
                "id": prop,
                "description": f"the {prop} property on a generated world",
                "op": "select",
                "input": select_input(),
                "expect": dict(expect),
            }
        ],
    }
    return {
        f"conformance/cases/differential/{prop}.json": json.dumps(case, indent=2) + "\n",
        f"fixtures/indexes/{INDEX_ID}.toml": tomli_w.dumps(world["index"]),
        f"fixtures/profiles/{PROFILE_ID}.toml": tomli_w.dumps(world["profile"]),
    }


def _report(
    problem: str,
    world: Mapping[str, Any],
    expect: Mapping[str, Any] | None,
    prop: str,
    got: Mapping[str, Any] | None = None,
) -> str:
    lines = [f"property {prop!r} does not hold: {problem}"]
    if got is not None and got.get("explanation"):
        lines.append(f"adapter explanation: {got['explanation']}")
    if expect is not None:
        lines.append("Draft case (the suite refuses it until its expectation is confirmed from the text):")
        for path, text in ready_case(world, expect, prop).items():
            lines.append(f"--- {path}")
            lines.append(text.rstrip("\n"))
    return "\n".join(lines)


def strategy_options(info: AdapterInfo, fixed_tags: bool = False) -> dict[str, Any] | str:
    """Arguments for :func:`conformance.strategies.worlds` that keep generated worlds
    inside what the adapter declares it can do, or why it can run none.

    Needs ``select`` and ``index.flat``; namespaces are ``static`` only with
    ``providers.static-metadata``, ``user`` only with ``providers.user-static``
    (declared, or reached indirectly: uv's adapter projects the profile's
    lists into the metadata) (``none`` always: nothing is supported); optional
    (never enabled) static providers only with ``providers.optional``.

    :param fixed_tags: the tool cannot be given a tag list (uv installs for an
        interpreter): profiles list :data:`~conformance.strategies.WORLD_TAGS`
        in the order every CPython 3 interpreter ranks them.
    """
    caps = info.capabilities
    missing = sorted({"select", "index.flat"} - caps)
    if missing:
        return f"{info.name} lacks the capabilities {', '.join(missing)}"
    sources = ["none"]
    if "providers.static-metadata" in caps:
        sources.append("static")
    if "providers.user-static" in caps | info.indirect:
        sources.append("user")
    schemas = tuple(s for s in ("0.1.1", "0.2.0") if s in info.schema_versions)
    if not schemas:
        return f"{info.name} reads neither format 0.1.1 nor 0.2.0"
    return {
        "schemas": schemas,
        "sources": tuple(sources),
        "tag_order": "fixed" if fixed_tags else "any",
        "optional": "providers.optional" in caps,
    }
