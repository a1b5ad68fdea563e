"""Input shapes: every dimension of what the suite feeds an installer, and its boundary shapes.

A conformance suite catches the mistakes its inputs can reveal. A tool that
mishandles an empty list, a name spelled with another case, a second release
or a tie broken the wrong way passes every case unless some case has that
shape. This module lists the shapes (``docs/strength.md``, "Input shapes",
is the same list for people) and detects each one in a conformance case
(:func:`shapes_of_case`, reading the case's fixtures: index sources, profiles,
locks) and in a generated world of :mod:`conformance.strategies`
(:func:`shapes_of_world`). ``tests/test_shapes.py`` checks that the catalogue
has every shape in every topic where it applies and that the strategies
generate every shape of the dimensions they model.

A detector is a small predicate over plain data; it never runs the reference.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from reference.providers.profiles import BUNDLED_PROFILES

__all__ = ["SHAPES", "CaseView", "Shape", "case_view", "shapes_of_case", "shapes_of_world"]

#: the fixture sources (``fixtures/`` in a checkout, a copy in an installed suite)
_FIXTURES = Path(__file__).resolve().parent / "fixture_sources"


@dataclass
class CaseView:
    """What one case feeds an implementation, read from the case and its fixtures.

    :param releases: the index packages (one per version) the requirement names;
        for a lock case, the packages the lock lists.
    :param index: every package of the case's fixture index.
    """

    case: Any
    releases: list[dict[str, Any]] = field(default_factory=list)
    index: list[dict[str, Any]] = field(default_factory=list)
    profile: dict[str, Any] = field(default_factory=dict)
    lock: dict[str, Any] = field(default_factory=dict)
    documents: list[Any] = field(default_factory=list)
    filenames: list[str] = field(default_factory=list)
    markers: list[str] = field(default_factory=list)

    @property
    def variants(self) -> list[tuple[str, Mapping[str, Any]]]:
        """Every ``(label, properties)`` the case's metadata holds."""
        out: list[tuple[str, Mapping[str, Any]]] = []
        for doc in [*self.documents, *(p for p in self.releases)]:
            if isinstance(doc, Mapping) and isinstance(doc.get("variants"), Mapping):
                out += [(str(k), v) for k, v in doc["variants"].items() if isinstance(v, Mapping)]
        for package in self.lock.get("packages", []):
            table = package.get("variants-json") if isinstance(package, Mapping) else None
            if isinstance(table, Mapping) and isinstance(table.get("variants"), Mapping):
                out += [(str(k), v) for k, v in table["variants"].items() if isinstance(v, Mapping)]
        return out

    @property
    def providers(self) -> list[Mapping[str, Any]]:
        """Every provider information table of the case's metadata."""
        out: list[Mapping[str, Any]] = []
        for doc in [*self.documents, *self.releases]:
            if isinstance(doc, Mapping) and isinstance(doc.get("providers"), Mapping):
                out.append(doc["providers"])
        return out


@dataclass(frozen=True)
class Shape:
    """One boundary shape of one input dimension.

    :param topics: the case topics that must have it (where the dimension is an
        input and the shape can change an outcome).
    :param in_case: detects it in a case (:class:`CaseView`).
    :param in_world: detects it in a generated world, or ``None`` when the
        strategies generate it elsewhere (``generated_by`` names the strategy).
    """

    id: str
    dimension: str
    text: str
    topics: tuple[str, ...]
    in_case: Callable[[CaseView], bool]
    in_world: Callable[[Mapping[str, Any]], bool] | None = None
    generated_by: str = "worlds"


# -- reading fixtures --------------------------------------------------------------------------


@functools.cache
def _toml(path: Path) -> dict[str, Any]:
    from reference._toml import loads

    try:
        data: dict[str, Any] = loads(path.read_text(encoding="utf-8"))
    except OSError:
        return {}
    return data


def _requirement_name(text: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", text)
    return match.group(1) if match else text



def _text_document(text: str) -> list[Any]:
    """The document of a ``validate`` case given as the file's text (``validate.text``), if it is JSON."""
    try:
        return [json.loads(text)]
    except ValueError:
        return []

def case_view(case: Any) -> CaseView:
    """The inputs of *case*, with its fixtures read."""
    view = CaseView(case)
    data = case.input if isinstance(case.input, Mapping) else {}
    if "index" in data:
        view.index = list(_toml(_FIXTURES / "indexes" / f"{data['index']}.toml").get("package", []))
    if "profile" in data:
        view.profile = _toml(BUNDLED_PROFILES / f"{data['profile']}.toml")
    if "lock" in data:
        view.lock = _toml(_FIXTURES / "locks" / f"{data['lock']}.toml")
        index = view.lock.get("tool", {}).get("conformance", {}).get("index")
        if index:
            view.index = list(_toml(_FIXTURES / "indexes" / f"{index}.toml").get("package", []))
        names = {canonicalize_name(p.get("name", "")) for p in view.lock.get("packages", [])}
        view.releases = [p for p in view.index if canonicalize_name(p["name"]) in names]
    if "requirement" in data:
        wanted = canonicalize_name(_requirement_name(data["requirement"]))
        view.releases = [p for p in view.index if canonicalize_name(p["name"]) == wanted]
    if case.op == "validate":
        view.documents = [data["document"]] if "document" in data else _text_document(data.get("text", ""))
    if case.op == "combine":
        view.documents = list(data.get("documents", []))
    if case.op == "filename":
        view.filenames = [data["filename"]]
    else:
        view.filenames = [_wheel_name(p, w) for p in view.releases for w in _wheels(p)]
    if case.op == "markers":
        view.markers = [data["marker"]]
    for package in view.releases:
        view.markers += [entry.split(";", 1)[1] for entry in package.get("requires-dist", []) if ";" in entry]
    return view


def _wheels(package: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [w for w in package.get("wheel", []) if isinstance(w, Mapping)]


def _wheel_name(package: Mapping[str, Any], wheel: Mapping[str, Any]) -> str:
    if "filename" in wheel:
        return str(wheel["filename"])
    parts = [str(package["name"]), str(package["version"])]
    if "build" in wheel:
        parts.append(str(wheel["build"]))
    parts.append(str(wheel["tags"]))
    if "label" in wheel:
        parts.append(str(wheel["label"]))
    return "-".join(parts) + ".whl"


# -- small predicates ----------------------------------------------------------------------------


def _components(name: str) -> list[str]:
    return name[: -len(".whl")].split("-") if name.endswith(".whl") else name.split("-")


def _label_of(name: str) -> str | None:
    parts = _components(name)
    if len(parts) == 7 or (len(parts) == 6 and not parts[2][:1].isdigit()):
        return parts[-1]
    return None


def _tag_components(name: str) -> list[str]:
    """The python, abi and platform tag components of a wheel filename."""
    parts = _components(name)
    return parts[-4:-1] if _label_of(name) is not None else parts[-3:]


def _feature_sets(view: CaseView) -> Iterator[Mapping[str, Any]]:
    for _, properties in view.variants:
        yield properties


def _namespaces_sharing_a_feature(properties_sets: Iterable[Mapping[str, Any]]) -> bool:
    seen: dict[str, set[str]] = {}
    for properties in properties_sets:
        for namespace, features in properties.items():
            if isinstance(features, Mapping):
                for feature in features:
                    seen.setdefault(str(feature), set()).add(str(namespace))
    return any(len(spaces) > 1 for spaces in seen.values())


def _features_sharing_a_value(properties_sets: Iterable[Mapping[str, Any]]) -> bool:
    seen: dict[str, set[tuple[str, str]]] = {}
    for properties in properties_sets:
        for namespace, features in properties.items():
            if isinstance(features, Mapping):
                for feature, values in features.items():
                    for value in values if isinstance(values, list) else []:
                        seen.setdefault(str(value), set()).add((str(namespace), str(feature)))
    return any(len(owners) > 1 for owners in seen.values())


def _label_in_two_scopes(view: CaseView) -> bool:
    """The same label mapped (possibly differently) in two packages or releases of one index."""
    owners: dict[str, set[tuple[str, str]]] = {}
    for package in view.index:
        for label in package.get("variants", {}):
            owners.setdefault(label, set()).add((package.get("name"), package.get("version")))
    wanted = {label for label, _ in view.variants}
    return any(len(owners.get(label, ())) > 1 for label in wanted)


def _profile_empty_entry(profile: Mapping[str, Any]) -> bool:
    namespaces = profile.get("namespaces", {})
    return isinstance(namespaces, Mapping) and any(
        isinstance(fs, Mapping) and (not fs or any(v == [] for v in fs.values()))
        for fs in namespaces.values()
    )


def _versions(view: CaseView) -> list[str]:
    return [str(p.get("version", "")) for p in view.releases]


_SPACED = re.compile(r"[^\s]::[^\s]|\s{2,}::|::\s{2,}|\t")


def _has(pattern: str) -> Callable[[CaseView], bool]:
    return lambda view: any(re.search(pattern, m) for m in view.markers)


def _options(view: CaseView) -> Mapping[str, Any]:
    data = view.case.input if isinstance(view.case.input, Mapping) else {}
    options = data.get("options") or {}
    return options if isinstance(options, Mapping) else {}


def _ranked_pairs(view: CaseView) -> list[tuple[Mapping[str, Any], Mapping[str, Any]]]:
    """Pairs of wheels of one release sharing a label."""
    pairs = []
    for package in view.releases:
        wheels = _wheels(package)
        for i, a in enumerate(wheels):
            for b in wheels[i + 1 :]:
                if a.get("label") == b.get("label"):
                    pairs.append((a, b))
    return pairs


def _tags_and_build_disagree(view: CaseView) -> bool:
    tags = list(view.profile.get("tags", {}).get("supported", []))

    def rank(tag: str) -> int:
        return tags.index(tag) if tag in tags else len(tags)

    for a, b in _ranked_pairs(view):
        if "build" in a and "build" in b and a["build"] != b["build"] and a["tags"] != b["tags"]:
            better_tag = a if rank(a["tags"]) < rank(b["tags"]) else b
            higher_build = a if int(str(a["build"])[:1]) > int(str(b["build"])[:1]) else b
            if better_tag is not higher_build:
                return True
    return False


def _equal_key_labels(view: CaseView) -> bool:
    """Two labels of a release whose properties differ but could tie (same features, shared value)."""
    for package in view.releases:
        props = list(package.get("variants", {}).items())
        for i, (_, a) in enumerate(props):
            for _, b in props[i + 1 :]:
                if a != b and a and b and _same_features(a, b) and _share_values(a, b):
                    return True
    return False


def _same_features(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return {(n, f) for n, fs in a.items() for f in fs} == {(n, f) for n, fs in b.items() for f in fs}


def _share_values(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return all(set(a[n][f]) & set(b[n][f]) for n, fs in a.items() for f in fs)


def _lock_packages(view: CaseView) -> list[Mapping[str, Any]]:
    return [p for p in view.lock.get("packages", []) if isinstance(p, Mapping)]


def _installed(view: CaseView) -> Mapping[str, str]:
    installed = view.profile.get("installed", {})
    return installed if isinstance(installed, Mapping) else {}


def _abi_values(view: CaseView) -> list[str]:
    return [v for _, props in view.variants for v in
            [x for values in props.get("abi_dependency", {}).values() for x in values]]


# -- worlds --------------------------------------------------------------------------------------


def _world_releases(world: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list(world["index"]["package"])


def _world_variants(world: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    return [(label, props) for p in _world_releases(world) for label, props in p.get("variants", {}).items()]


def _world_view(world: Mapping[str, Any]) -> CaseView:
    """A world seen as a case on it (so the case detectors apply to worlds too)."""

    class _Case:
        op = "select"

        def __init__(self) -> None:
            self.input = {"requirement": world.get("requirement", "demo"), "options": {}}

    view = CaseView(_Case())
    view.index = [dict(p) for p in _world_releases(world)]
    view.releases = view.index
    view.profile = dict(world["profile"])
    view.filenames = [_wheel_name(p, w) for p in view.releases for w in _wheels(p)]
    for package in view.releases:
        view.markers += [e.split(";", 1)[1] for e in package.get("requires-dist", []) if ";" in e]
    return view


def _both(detect: Callable[[CaseView], bool]) -> Callable[[Mapping[str, Any]], bool]:
    """A world detector from a case detector."""
    return lambda world: detect(_world_view(world))


# -- the list ------------------------------------------------------------------------------------

ORDERING = ("ordering",)
SELECTING = ("ordering", "selection")


def _shape(id: str, dimension: str, text: str, topics: Sequence[str], detect: Callable[[CaseView], bool],
           world: bool | Callable[[Mapping[str, Any]], bool] = True, generated_by: str = "worlds") -> Shape:
    in_world = _both(detect) if world is True else (world or None)
    return Shape(id, dimension, text, tuple(topics), detect, in_world, generated_by)


SHAPES: tuple[Shape, ...] = (
    # -- wheel filenames -----------------------------------------------------------------------
    _shape("filename-build-tag", "wheel filenames", "a build tag", ("filename", "ordering"),
           lambda v: any(len(_components(n)) >= 6 and _components(n)[2][:1].isdigit() for n in v.filenames)),
    _shape("filename-compressed-tags", "wheel filenames", "a compressed tag set (py2.py3)",
           ("filename", "ordering"),
           lambda v: any("." in c for n in v.filenames for c in _tag_components(n))),
    _shape("filename-no-label", "wheel filenames", "a non-variant wheel (no label)", ("filename", "ordering"),
           lambda v: any(_label_of(n) is None for n in v.filenames)),
    _shape("filename-null-label", "wheel filenames", "the null label", ("filename", "ordering"),
           lambda v: any(_label_of(n) == "null" for n in v.filenames)),
    _shape("name-spelling", "wheel filenames",
           "the requirement spells the name other than the files do (case, '-', '_', '.')",
           ("selection",),
           lambda v: "requirement" in v.case.input and any(
               _requirement_name(str(v.case.input["requirement"])) != str(p.get("name", ""))
               for p in v.releases)),
    _shape("version-local", "wheel filenames", "a local version (1.0+local)", ("filename", "selection"),
           lambda v: any("+" in _components(n)[1] for n in v.filenames if len(_components(n)) > 1)),
    _shape("version-prerelease", "wheel filenames", "a pre-release version (2.0rc1)", ("filename",),
           lambda v: any(re.search(r"\d(a|b|rc)\d", _components(n)[1] or "") for n in v.filenames
                         if len(_components(n)) > 1),
           world=False, generated_by="wheel_names"),
    # -- labels ----------------------------------------------------------------------------------
    _shape("label-zero-properties", "labels", "a label other than null with zero properties",
           ("ordering", "metadata"),
           lambda v: any(label != "null" and not props for label, props in v.variants)),
    _shape("label-charset-edges", "labels", "a label with digits, '.' and '_'", ("filename", "metadata"),
           lambda v: any(re.fullmatch(r"(?=.*\d)(?=.*\.)(?=.*_)[0-9a-z_.]+", label or "")
                         for label in [*(_label_of(n) for n in v.filenames), *(lb for lb, _ in v.variants)])),
    _shape("label-case", "labels", "a label, or a marker's label, in another case", ("filename", "markers"),
           lambda v: any(re.search(r"[A-Z]", _label_of(n) or "") for n in v.filenames)
           or any(re.search(r"variant_label\s*[=!]=\s*['\"][^'\"]*[A-Z]", m) for m in v.markers),
           world=False, generated_by="wheel_names, requirement_lines"),
    _shape("label-two-scopes", "labels", "the same label in two releases or packages of one index",
           ("selection", "pylock"), _label_in_two_scopes),
    # -- property sets ---------------------------------------------------------------------------
    _shape("props-empty", "property sets", "a label with zero properties (null)", SELECTING,
           lambda v: any(not props for _, props in v.variants)),
    _shape("props-multi-value", "property sets", "a feature listing several values",
           ("ordering", "metadata", "markers"),
           lambda v: any(len(vals) > 1 for p in _feature_sets(v) for fs in p.values()
                         if isinstance(fs, Mapping) for vals in fs.values() if isinstance(vals, list))
           or any(m.count("::") >= 2 and m.count(" and ") >= 1 for m in v.markers)),
    _shape("props-multi-feature", "property sets", "a namespace with several features",
           ("ordering", "metadata"),
           lambda v: any(len(fs) > 1 for p in _feature_sets(v) for fs in p.values()
                         if isinstance(fs, Mapping))),
    _shape("props-multi-namespace", "property sets", "a label with properties in several namespaces",
           ("ordering", "metadata", "combine"),
           lambda v: any(len(p) > 1 for p in _feature_sets(v))),
    _shape("feature-in-two-namespaces", "property sets", "one feature name in two namespaces",
           ("ordering", "metadata"), lambda v: _namespaces_sharing_a_feature(_feature_sets(v))),
    _shape("value-in-two-features", "property sets", "one value under two features", ("ordering",),
           lambda v: _features_sharing_a_value(_feature_sets(v))),
    _shape("unsupported-value-listed", "property sets",
           "a feature listing a supported and an unsupported value", ("ordering",),
           lambda v: any(_partly_supported(v, p) for p in _feature_sets(v))),
    # -- metadata documents ------------------------------------------------------------------------
    _shape("format-0.1.1", "metadata documents", "format 0.1.1 (no providers)", ("metadata", "selection"),
           lambda v: any("0.1.1" in str(d.get("$schema", "")) for d in v.documents if isinstance(d, Mapping))
           or any(p.get("schema", "0.1.1") == "0.1.1" and p.get("variants") for p in v.releases)),
    _shape("format-0.2.0", "metadata documents", "format 0.2.0 (providers)", ("metadata", "selection"),
           lambda v: any("0.2.0" in str(d.get("$schema", "")) for d in v.documents if isinstance(d, Mapping))
           or any(p.get("schema") == "0.2.0" for p in v.releases)),
    _shape("no-index-file", "releases", "a release without an index-level file (metadata from wheels)",
           ("selection",), lambda v: any(p.get("index-file") == "missing" for p in v.releases)),
    _shape("empty-variants", "metadata documents", "an empty variants table", ("metadata",),
           lambda v: any(isinstance(d, Mapping) and d.get("variants") == {}
                         for d in [*v.documents, *v.releases] if "variants" in d)),
    _shape("several-documents", "metadata documents", "three or more documents combined", ("combine",),
           lambda v: len(v.documents) >= 3, world=False, generated_by="releases"),
    # -- releases -----------------------------------------------------------------------------------
    _shape("several-versions", "releases", "several versions of the package", ("selection",),
           lambda v: len(set(_versions(v))) > 1),
    _shape("only-variant-wheels", "releases", "a release with variant wheels only", ("ordering", "selection"),
           lambda v: any(_wheels(p) and all("label" in w for w in _wheels(p)) for p in v.releases)),
    _shape("only-non-variant-wheels", "releases", "a release with non-variant wheels only",
           ("selection", "backcompat"),
           lambda v: any(_wheels(p) and not any("label" in w for w in _wheels(p)) for p in v.releases)),
    # -- profiles -----------------------------------------------------------------------------------
    _shape("profile-no-namespaces", "profiles", "a profile naming no namespace", ("selection", "providers"),
           lambda v: bool(v.profile) and not v.profile.get("namespaces")),
    _shape("profile-empty-entry", "profiles", "a namespace (or feature) named with nothing supported",
           ("providers",), lambda v: _profile_empty_entry(v.profile)),
    # -- provider tables ----------------------------------------------------------------------------
    _shape("provider-static", "provider tables", "static-properties", ("providers", "ordering"),
           lambda v: any("static-properties" in t for ps in v.providers for t in ps.values())
           or any("static-properties" in t for p in v.releases for t in p.get("providers", {}).values())),
    _shape("provider-optional", "provider tables", "an optional provider", ("providers",),
           lambda v: any(t.get("optional") for p in v.releases for t in p.get("providers", {}).values())),
    _shape("several-optional-providers", "provider tables", "two optional providers in one release",
           ("providers",),
           lambda v: any(sum(bool(t.get("optional")) for t in p.get("providers", {}).values()) > 1
                         for p in v.releases)),
    _shape("provider-plugin", "provider tables", "a plugin package (requires)", ("providers",),
           lambda v: any("requires" in t for p in v.releases for t in p.get("providers", {}).values())),
    _shape("several-plugins", "provider tables", "two plugin-served namespaces in one release",
           ("providers",),
           lambda v: any(sum("requires" in t for t in p.get("providers", {}).values()) > 1
                         for p in v.releases)),
    _shape("requires-marker", "provider tables", "a marker on a provider's requires", ("providers",),
           lambda v: any(";" in r for p in v.releases for t in p.get("providers", {}).values()
                         for r in t.get("requires", []))),
    # -- locks ---------------------------------------------------------------------------------------
    *(
        _shape(sid, "locks", text, ("pylock",), detect, world=False,
               generated_by="(fixtures only)" if sid == "lock-several-packages" else "lock_for")
        for sid, text, detect in (
            ("lock-several-packages", "several locked packages", lambda v: len(_lock_packages(v)) > 1),
            ("lock-package-marker", "a marker on a locked package",
             lambda v: any("marker" in p for p in _lock_packages(v))),
            ("lock-environments", "top-level environments", lambda v: "environments" in v.lock),
            ("lock-subset", "a subset of the release's wheels", lambda v: any(
                len(p.get("wheels", [])) < sum(
                    len(_wheels(r)) for r in v.releases
                    if canonicalize_name(r["name"]) == canonicalize_name(p["name"]))
                for p in _lock_packages(v))),
        )
    ),
    # -- Requires-Dist with markers -------------------------------------------------------------------
    _shape("marker-variant", "Requires-Dist with markers", "a dependency gated by a variant marker",
           ("install", "pylock", "markers"), _has(r"variant_(label|properties|features|namespaces)"),
           world=False, generated_by="requirement_lines"),
    _shape("marker-with-standard", "Requires-Dist with markers", "a variant marker joined to a standard one",
           ("markers",), _has(r"(python_version|sys_platform|platform_machine|os_name)"),
           world=False, generated_by="requirement_lines"),
    _shape("marker-or", "Requires-Dist with markers", "markers joined by 'or'", ("markers", "pylock"),
           _has(r"\bor\b"), world=False, generated_by="requirement_lines"),
    _shape("marker-whitespace", "Requires-Dist with markers", "other whitespace around '::'",
           ("markers", "properties"), lambda v: any(_SPACED.search(m) for m in v.markers), world=False,
           generated_by="requirement_lines"),
    _shape("marker-not-in", "Requires-Dist with markers", "'not in' on a variant marker", ("markers",),
           _has(r"not in variant_"), world=False, generated_by="requirement_lines"),
    # -- installed versions ---------------------------------------------------------------------------
    _shape("installed-none", "installed versions", "the dependency is not installed", ("abi",),
           lambda v: bool(_abi_values(v)) and not _installed(v), world=False,
           generated_by="installed_versions"),
    _shape("installed-longer", "installed versions", "an installed version longer than the value",
           ("abi",), lambda v: any(str(i).count(".") > a.count(".") for a in _abi_values(v)
                                   for i in _installed(v).values()),
           world=False, generated_by="installed_versions"),
    _shape("installed-epoch", "installed versions", "an installed version with an epoch", ("abi",),
           lambda v: any("!" in str(i) for i in _installed(v).values()), world=False,
           generated_by="installed_versions"),
    # -- ties ---------------------------------------------------------------------------------------------
    _shape("tie-label", "ties", "two labels whose keys tie (the label decides)", ORDERING, _equal_key_labels),
    _shape("tie-tags-vs-build", "ties", "tags and build numbers that disagree within a group", ORDERING,
           _tags_and_build_disagree),
    _shape("tie-same-tags", "ties", "wheels of a group with the same tags (build number decides)", ORDERING,
           lambda v: any(a["tags"] == b["tags"] for a, b in _ranked_pairs(v))),
    # -- case and whitespace variants of string comparisons ----------------------------------------------
    _shape("trust-spelling", "selection options", "--trust naming a package in another spelling",
           ("providers",), lambda v: any(t != canonicalize_name(t) for t in _options(v).get("trust", [])),
           world=False, generated_by="name_spellings"),
)


def _partly_supported(view: CaseView, properties: Mapping[str, Any]) -> bool:
    namespaces = view.profile.get("namespaces", {})
    for namespace, features in properties.items():
        if not isinstance(features, Mapping):
            continue
        for feature, values in features.items():
            supported = set(namespaces.get(namespace, {}).get(feature, [])) if isinstance(
                namespaces.get(namespace), Mapping) else set()
            listed = set(values) if isinstance(values, list) else set()
            if len(listed) > 1 and supported & listed and listed - supported:
                return True
    return False


def shapes_of_case(case: Any) -> set[str]:
    """The ids of the shapes *case* has."""
    view = case_view(case)
    return {shape.id for shape in SHAPES if shape.in_case(view)}


def shapes_of_world(world: Mapping[str, Any]) -> set[str]:
    """The ids of the shapes a generated world has."""
    return {shape.id for shape in SHAPES if shape.in_world is not None and shape.in_world(world)}
