"""Hypothesis strategies for variant properties and variant metadata documents.

Everything generated here is valid by construction (PEP 825 format 0.1.1, and
format 0.2.0 as implemented per NOTES.md), so tests can assert acceptance and
then break one rule at a time. Documents are plain JSON data (``dict``), as
they would be read from a file.

- :func:`names`, :func:`values`, :func:`labels`: the charsets of PEP 825;
- :func:`property_strings`: ``ns :: feature :: value`` with random spacing;
- :func:`documents`: one document (``kind="wheel"`` or ``"index"``);
- :func:`releases`: several consistent documents of one release.
"""

from __future__ import annotations

import re
from typing import Any

from hypothesis import strategies as st

__all__ = [
    "SCHEMAS",
    "documents",
    "labels",
    "names",
    "property_strings",
    "providers_for",
    "releases",
    "values",
    "variant_properties",
]

SCHEMAS = {
    "0.1.1": "https://variants-schema.wheelnext.dev/peps/825/v0.1.1.json",
    "0.2.0": "https://variants-schema.wheelnext.dev/peps/850/v0.2.0.json",
}

_NAME_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789_"


def names(max_size: int = 12) -> st.SearchStrategy[str]:
    """Namespace or feature names: ``^[a-z0-9_]+$``."""
    return st.text(_NAME_ALPHABET, min_size=1, max_size=max_size)


def values(max_size: int = 10) -> st.SearchStrategy[str]:
    """Feature values: ``^[a-z0-9_.]+$``."""
    return st.text(_NAME_ALPHABET + ".", min_size=1, max_size=max_size)


def labels(max_size: int = 16) -> st.SearchStrategy[str]:
    """Variant labels other than ``null``: ``^[0-9a-z_.]+$`` (no length limit in PEP 825)."""
    return st.text(_NAME_ALPHABET + ".", min_size=1, max_size=max_size).filter(lambda s: s != "null")


@st.composite
def property_strings(draw: st.DrawFn) -> tuple[str, tuple[str, str, str]]:
    """A ``namespace :: feature :: value`` string with random whitespace, and its parts."""
    parts = (draw(names()), draw(names()), draw(values()))
    space = st.sampled_from(["", " ", "  ", "\t"])
    text = f"{parts[0]}{draw(space)}::{draw(space)}{parts[1]}{draw(space)}::{draw(space)}{parts[2]}"
    return text, parts


@st.composite
def variant_properties(draw: st.DrawFn, namespaces: list[str]) -> dict[str, dict[str, list[str]]]:
    """``{namespace: {feature: sorted unique values}}`` over some of ``namespaces`` (maybe none)."""
    chosen = draw(st.lists(st.sampled_from(namespaces), unique=True, max_size=min(3, len(namespaces))))
    out: dict[str, dict[str, list[str]]] = {}
    for namespace in chosen:
        features = draw(
            st.dictionaries(
                names(), st.lists(values(), min_size=1, max_size=3, unique=True), min_size=1, max_size=3
            )
        )
        out[namespace] = {feature: sorted(vals) for feature, vals in features.items()}
    return out


@st.composite
def providers_for(draw: st.DrawFn, namespaces: list[str]) -> dict[str, dict[str, Any]]:
    """A valid 0.2.0 ``providers`` object for exactly ``namespaces``."""
    out: dict[str, dict[str, Any]] = {}
    for namespace in namespaces:
        kind = draw(st.sampled_from(["requires", "static-properties", "builtin"]))
        info: dict[str, Any]
        if kind == "requires":
            info = {"requires": [f"{namespace.replace('_', '-').strip('-') or 'p'}-provider>=1"]}
            if draw(st.booleans()):
                info["plugin-api"] = f"{namespace}_provider.plugin:Plugin"
        elif kind == "builtin":
            info = {"builtin": namespace}
        else:
            static = draw(
                st.dictionaries(
                    names(), st.lists(values(), min_size=1, max_size=3, unique=True), min_size=1, max_size=3
                )
            )
            info = {"static-properties": static}
            if len(static) > 1 or draw(st.booleans()):
                info["feature-order"] = draw(st.permutations(sorted(static)))
        if draw(st.booleans()):
            info["optional"] = draw(st.booleans())
        out[namespace] = info
    return out


@st.composite
def _release(draw: st.DrawFn, version: str) -> dict[str, Any]:
    namespaces = draw(st.lists(names(), min_size=1, max_size=4, unique=True))
    variants: dict[str, Any] = {}
    for label in draw(st.lists(labels(), min_size=1, max_size=4, unique=True)):
        variants[label] = draw(variant_properties(namespaces))
    if draw(st.booleans()):
        variants["null"] = {}
    doc: dict[str, Any] = {"$schema": SCHEMAS[version], "default-priorities": {"namespace": namespaces}}
    if version == "0.2.0":
        doc["providers"] = draw(providers_for(namespaces))
    doc["variants"] = variants
    return doc


def _restrict(release: dict[str, Any], chosen: list[str], length: int) -> dict[str, Any]:
    namespaces = release["default-priorities"]["namespace"][:length]
    doc: dict[str, Any] = {"$schema": release["$schema"], "default-priorities": {"namespace": namespaces}}
    if "providers" in release:
        doc["providers"] = {ns: release["providers"][ns] for ns in namespaces}
    doc["variants"] = {label: release["variants"][label] for label in chosen}
    return doc


def _needed_length(release: dict[str, Any], chosen: list[str]) -> int:
    namespaces = release["default-priorities"]["namespace"]
    used = {ns for label in chosen for ns in release["variants"][label]}
    return max((namespaces.index(ns) + 1 for ns in used), default=1)


@st.composite
def documents(draw: st.DrawFn, version: str | None = None, kind: str = "index") -> dict[str, Any]:
    """One valid document; ``kind="wheel"`` has exactly one ``variants`` entry."""
    version = version or draw(st.sampled_from(sorted(SCHEMAS)))
    release = draw(_release(version))
    if kind == "wheel":
        label = draw(st.sampled_from(sorted(release["variants"])))
        return _restrict(release, [label], len(release["default-priorities"]["namespace"]))
    return release


@st.composite
def releases(draw: st.DrawFn, version: str | None = None, max_documents: int = 5) -> list[dict[str, Any]]:
    """Consistent documents of one release: each holds some of its labels, and a
    ``default-priorities.namespace`` that is a prefix of the full list covering
    the namespaces those labels use (PEP 825 "Metadata consistency")."""
    version = version or draw(st.sampled_from(sorted(SCHEMAS)))
    release = draw(_release(version))
    all_labels = sorted(release["variants"])
    docs = []
    for _ in range(draw(st.integers(1, max_documents))):
        chosen = draw(st.lists(st.sampled_from(all_labels), unique=True, max_size=len(all_labels)))
        low = _needed_length(release, chosen)
        length = draw(st.integers(low, len(release["default-priorities"]["namespace"])))
        docs.append(_restrict(release, chosen, length))
    return docs


# ---------------------------------------------------------------------------------------------
# Releases of wheels and profiles (Helper G; used by conformance.differential)
#
# A *world* is one package release as a fixture index source (the
# ``fixtures/indexes/<id>.toml`` shape built by :mod:`conformance.fixtures`) and
# one simulated system in the profile TOML shape (``fixtures/profiles/*.toml``),
# both plain data, so a failing example can be written out as files verbatim.
#
# Names come from small fixed pools so shrunk examples stay readable and never
# collide with namespaces real installers implement themselves (uv's ``nvidia``,
# ``x86_64`` ...). How each namespace's supported properties are obtained is
# its *source*:
#
# - ``static``: format 0.2.0 ``providers.{ns}.static-properties`` (providers
#   draft, step 2), with ``feature-order`` naming every listed feature;
# - ``user``: the profile lists the namespace (the user-provided static list,
#   step 3); in format 0.2.0 its provider is a plugin package nobody trusts;
# - ``none``: nothing supplies properties, so every property of it is unsupported.
# ---------------------------------------------------------------------------------------------

WORLD_PACKAGE = "demo"
WORLD_VERSION = "1.0"
#: Spellings of one project name (they normalize alike: case, '-', '_', '.'); a world may
#: publish the package under one and require it under another.
NAME_SPELLINGS = ("demo-pkg", "Demo_Pkg", "demo.pkg", "DEMO-PKG")
#: Versions of an older release a world may add: a public and a local version.
OLDER_VERSIONS = ("0.9", "0.9+local")
#: A compressed tag set of two world tags (``py31-none-any`` and ``py30-none-any``).
COMPRESSED_TAG = "py31.py30-none-any"
WORLD_NAMESPACES = ("alpha", "beta", "gamma")
WORLD_FEATURES = ("fa", "fb", "fc")
#: Values a variant may use; ``v9`` is never supported by any source.
WORLD_VALUES = ("v1", "v2", "v3", "v9")
WORLD_LABELS = ("l1", "l2", "l3", "l4", "l5")
#: Supported tags a profile may list, in the order every CPython 3 interpreter's
#: ``packaging.tags.sys_tags()`` ranks them (``py3``, then ``py3{minor}`` down to ``py30``).
WORLD_TAGS = ("py3-none-any", "py31-none-any", "py30-none-any")
#: A tag no profile lists and no Python 3 interpreter supports.
WORLD_UNSUPPORTED_TAG = "py2-none-any"
SOURCES = ("static", "user", "none")

__all__ += [
    "COMPRESSED_TAG",
    "NAME_SPELLINGS",
    "OLDER_VERSIONS",
    "SOURCES",
    "WORLD_FEATURES",
    "WORLD_LABELS",
    "WORLD_NAMESPACES",
    "WORLD_PACKAGE",
    "WORLD_TAGS",
    "WORLD_UNSUPPORTED_TAG",
    "WORLD_VALUES",
    "WORLD_VERSION",
    "profiles_for",
    "supported_lists",
    "wheels_for",
    "worlds",
]


def _ordered_subset(
    draw: st.DrawFn, items: tuple[str, ...] | list[str], min_size: int = 1
) -> list[str]:
    """A non-repeating selection of *items* in a drawn order (a preference order)."""
    return draw(st.lists(st.sampled_from(list(items)), unique=True, min_size=min_size, max_size=len(items)))


@st.composite
def _variant_values(draw: st.DrawFn) -> list[str]:
    """A feature's values in a variant: sorted (pep825:variants-values-sorted); the
    never-supported ``v9`` only now and then, so most variants stay compatible."""
    chosen = _ordered_subset(draw, WORLD_VALUES[:-1])
    if draw(st.integers(0, 3)) == 0:
        chosen.append(WORLD_VALUES[-1])
    return sorted(chosen)


@st.composite
def _listed_features(draw: st.DrawFn, features: list[str], min_size: int) -> list[str]:
    """What a supported list names (features, or tags), in preference order: usually
    all of *features*, now and then only some (the others are unsupported)."""
    if draw(st.integers(0, 3)) == 0:
        return _ordered_subset(draw, features, min_size=min_size)
    return draw(st.permutations(features))


@st.composite
def wheels_for(
    draw: st.DrawFn,
    labels: list[str],
    tags: tuple[str, ...] = WORLD_TAGS,
    non_variant: bool = True,
    build: str | None = None,
    compressed: bool = False,
    mixed_builds: bool = False,
) -> list[dict[str, Any]]:
    """``[[package.wheel]]`` entries: one to two wheels per label, each with its own
    single tag from *tags* (so no two wheels of a group tie on platform tags), and
    up to two non-variant wheels; now and then a group also gets a wheel tagged
    :data:`WORLD_UNSUPPORTED_TAG`.
    A *build* tag, when given, is shared by every wheel (PEP 825 groups wheels per
    name, version and build number; one build number keeps one grouping).

    :param compressed: now and then the only wheel of a group gets
        :data:`COMPRESSED_TAG` (a compressed tag set) instead of a single tag.
    :param mixed_builds: each wheel draws its own build number (none, 1 or 2)
        and a group may repeat a tag, so tags and build numbers tie or disagree
        within a group (the binary distribution format: the build number is "a
        tie-breaker if two wheel file names are the same in all other respects").
    """
    wheels: list[dict[str, Any]] = []
    groups: list[str | None] = list(labels)
    if non_variant:
        groups.append(None)
    for label in groups:
        low = 0 if label is None else 1
        chosen = draw(st.lists(st.sampled_from(tags), unique=not mixed_builds, min_size=low, max_size=2))
        if compressed and len(chosen) == 1 and draw(st.integers(0, 3)) == 0:
            # Alone in its group: its best tag ties with no other wheel's.
            chosen[0] = COMPRESSED_TAG
        if draw(st.integers(0, 4)) == 0:
            chosen.append(WORLD_UNSUPPORTED_TAG)
        seen: set[tuple[str, str | None]] = set()
        for tag in chosen:
            wheel: dict[str, Any] = {"tags": tag}
            if label is not None:
                wheel["label"] = label
            own = draw(st.sampled_from([None, "1", "2"])) if mixed_builds else build
            if (tag, own) in seen:
                continue  # the same filename twice
            seen.add((tag, own))
            if own is not None:
                wheel["build"] = own
            wheels.append(wheel)
    return wheels


@st.composite
def profiles_for(
    draw: st.DrawFn,
    user: dict[str, list[str]],
    tag_order: str = "any",
    tags: tuple[str, ...] = WORLD_TAGS,
) -> dict[str, Any]:
    """A profile (TOML shape) listing preferences for the namespaces in *user*
    (``{namespace: features in use}``) and supported tags.

    :param tag_order: ``"fixed"``: all of *tags* in the given order (what a tool
        that only knows its interpreter's tags can act as); ``"any"``: a drawn
        order, now and then of only some of them.
    """
    # "any": usually every tag, in a drawn order; now and then only some.
    supported = list(tags) if tag_order == "fixed" else draw(_listed_features(list(tags), min_size=1))
    profile: dict[str, Any] = {"name": "generated system", "tags": {"supported": supported}}
    namespaces: dict[str, dict[str, list[str]]] = {}
    for namespace, features in user.items():
        listed = draw(_listed_features(features, min_size=0))
        namespaces[namespace] = {f: _ordered_subset(draw, WORLD_VALUES[:-1]) for f in listed}
    if namespaces:
        profile["namespaces"] = namespaces
    return profile


@st.composite
def worlds(
    draw: st.DrawFn,
    schemas: tuple[str, ...] = ("0.1.1", "0.2.0"),
    sources: tuple[str, ...] = SOURCES,
    tag_order: str = "any",
    builds: bool = True,
    index_files: tuple[str, ...] = ("generate", "missing"),
    max_labels: int = 4,
    optional: bool = False,
    spellings: bool = True,
    versions: bool = True,
    compressed: bool = True,
    zero_labels: bool = False,
    mixed_builds: bool = False,
) -> dict[str, Any]:
    """One release of one package and one profile: ``{"index": source, "profile": profile}``.

    ``index`` is a fixture index source (one ``[[package]]``) with variant wheels
    of 1 to *max_labels* labels, maybe a null variant and non-variant wheels;
    ``profile`` the simulated system. Everything is valid by construction.

    :param schemas: format versions to draw from (``static`` needs ``0.2.0``).
    :param sources: the allowed sources of supported properties (module notes).
    :param tag_order: see :func:`profiles_for`.
    :param builds: whether a (shared) build tag may be drawn.
    :param index_files: ``generate`` (publish ``-variants.json``) and/or
        ``missing`` (the metadata must come from the wheels).
    :param optional: now and then mark a ``static`` provider ``optional``; no
        world enables it, so it is disabled (providers draft, step 1).
    :param spellings: the package is published under one of :data:`NAME_SPELLINGS`
        and required (``world["requirement"]``) under another.
    :param versions: now and then an older release (one of :data:`OLDER_VERSIONS`)
        with a non-variant wheel, which an installer falls back to when the newest
        release has no compatible wheel.
    :param compressed: now and then a compressed tag set (:func:`wheels_for`).
    :param zero_labels: now and then a label ``l0`` other than ``null`` with zero
        properties (an unsettled reading: ``ordering/zero-property-label``).
    :param mixed_builds: build numbers per wheel, tags that may repeat in a group.

    Now and then a release has no variant label at all (an empty ``variants``
    table, or the null variant only).
    """
    schema = draw(st.sampled_from(list(schemas)))
    allowed = [s for s in sources if s != "static" or schema != "0.1.1"] or ["none"]
    namespaces = _ordered_subset(draw, WORLD_NAMESPACES)
    features = {ns: _ordered_subset(draw, WORLD_FEATURES, min_size=1)[:2] for ns in namespaces}
    # "none" makes every variant using the namespace incompatible: draw it less often.
    weighted = [s for s in allowed for _ in range(1 if s == "none" and len(allowed) > 1 else 3)]
    source_of = {ns: draw(st.sampled_from(weighted)) for ns in namespaces}

    variants: dict[str, Any] = {}
    count = 0 if draw(st.integers(0, 9)) == 0 else draw(st.integers(1, max_labels))
    for label in draw(st.permutations(WORLD_LABELS))[:count]:
        properties: dict[str, dict[str, list[str]]] = {}
        for ns in _ordered_subset(draw, namespaces):
            chosen = _ordered_subset(draw, features[ns])
            properties[ns] = {f: draw(_variant_values()) for f in chosen}
        variants[label] = properties
    if zero_labels and draw(st.integers(0, 3)) == 0:
        variants["l0"] = {}
    labels = sorted(variants)
    if draw(st.booleans()):
        variants["null"] = {}
        labels.append("null")

    name = draw(st.sampled_from(NAME_SPELLINGS)) if spellings else WORLD_PACKAGE
    package: dict[str, Any] = {
        "name": name,
        "version": WORLD_VERSION,
        "schema": schema,
        "namespaces": namespaces,
        "index-file": draw(st.sampled_from(list(index_files))),
    }
    if schema != "0.1.1":
        providers: dict[str, Any] = {}
        for ns in namespaces:
            if source_of[ns] == "static":
                listed = draw(_listed_features(features[ns], min_size=1))
                providers[ns] = {
                    "static-properties": {f: _ordered_subset(draw, WORLD_VALUES[:-1]) for f in listed},
                    "feature-order": listed,
                }
                if optional and draw(st.integers(0, 3)) == 0:
                    providers[ns]["optional"] = True
            else:
                marker = draw(st.sampled_from(["", "; python_version >= '3'"]))
                providers[ns] = {"requires": [f"{ns}-variant-provider{marker}"]}
        package["providers"] = providers
    package["variants"] = variants
    build = draw(st.sampled_from([None, "1", "7"])) if builds and not mixed_builds else None
    package["wheel"] = draw(wheels_for(labels, build=build, compressed=compressed, mixed_builds=mixed_builds))
    packages = [package]
    if versions and draw(st.integers(0, 2)) == 0:
        older: dict[str, Any] = {"name": name, "version": draw(st.sampled_from(OLDER_VERSIONS)),
                                 "wheel": [{"tags": draw(st.sampled_from(WORLD_TAGS))}]}
        if draw(st.booleans()):
            # The label null in two releases (one identifier, two scopes): a null variant.
            older.update(namespaces=namespaces, variants={"null": {}})
            older["wheel"].append({"tags": draw(st.sampled_from(WORLD_TAGS)), "label": "null"})
        packages.append(older)

    user = {ns: features[ns] for ns in namespaces if source_of[ns] == "user"}
    profile = draw(profiles_for(user, tag_order=tag_order))
    world: dict[str, Any] = {
        "index": {"description": "generated by conformance.strategies.worlds", "package": packages},
        "profile": profile,
    }
    if spellings:
        world["requirement"] = draw(st.sampled_from(NAME_SPELLINGS))
    return world


def supported_lists(world: dict[str, Any]) -> dict[str, dict[str, list[str]]]:
    """The supported properties of *world*'s system, per namespace and feature, in
    preference order, read straight from the world (not from any implementation):
    the profile's list where it names the namespace, else the metadata's
    ``static-properties`` unless the provider is optional (no world enables one),
    else nothing (a plugin nobody trusts, or no provider).

    Spec: providers:step-1-disabled, providers:step-2-static, providers:step-3-user-static
    """
    package = world["index"]["package"][0]
    user = world["profile"].get("namespaces", {})
    providers = package.get("providers", {})
    out: dict[str, dict[str, list[str]]] = {}
    for ns in package.get("namespaces", []):
        if ns in user:
            out[ns] = {f: list(v) for f, v in user[ns].items()}
        elif "static-properties" in providers.get(ns, {}) and not providers[ns].get("optional"):
            out[ns] = {f: list(v) for f, v in providers[ns]["static-properties"].items()}
        else:
            out[ns] = {}
    return out


# ---------------------------------------------------------------------------------------------
# The other input dimensions: Requires-Dist with variant markers, wheel filenames, installed
# versions (abi_dependency), package-name spellings (--trust), locks built from a world.
# Each returns the input and what PEP 825 (or the standard it cites) says of it, computed
# here from the text, so a property can compare an implementation with it.
# ---------------------------------------------------------------------------------------------

#: Properties a marker environment draws from (two namespaces, one feature name in both).
MARKER_PROPERTIES = ("foo :: bar :: baz", "foo :: bar :: qux", "foo :: level :: v3", "x86_64 :: level :: v3")
#: Labels a marker environment draws from ('' is a non-variant wheel).
MARKER_LABELS = ("", "null", "foobar", "cu12.6_sm90")

__all__ += [
    "MARKER_LABELS",
    "MARKER_PROPERTIES",
    "installed_versions",
    "lock_for",
    "marker_environments",
    "name_spellings",
    "requirement_lines",
    "wheel_names",
]


def _spaced(draw: st.DrawFn, text: str) -> str:
    """*text* with other whitespace around each ``::`` (PEP 825: it MUST be ignored)."""
    space = st.sampled_from(["", " ", "  ", "\t"])
    parts = [p.strip() for p in text.split("::")]
    out = parts[0]
    for part in parts[1:]:
        out += f"{draw(space)}::{draw(space)}{part}"
    return out


@st.composite
def marker_environments(draw: st.DrawFn) -> tuple[str, frozenset[str]]:
    """``(variant_label, variant_properties)`` of a selected wheel."""
    label = draw(st.sampled_from(MARKER_LABELS))
    if label in ("", "null"):
        return label, frozenset()
    return label, frozenset(draw(st.lists(st.sampled_from(MARKER_PROPERTIES), unique=True, min_size=1)))


@st.composite
def _marker_atom(draw: st.DrawFn, label: str, properties: frozenset[str]) -> tuple[str, bool]:
    features = {p.rsplit(" :: ", 1)[0] for p in properties}
    namespaces = {p.split(" :: ", 1)[0] for p in properties}
    kind = draw(st.sampled_from(["label", "substring", "property", "feature", "namespace", "standard"]))
    negate = draw(st.booleans())
    if kind == "label":
        other = draw(st.sampled_from([label, label.upper(), *MARKER_LABELS]))
        return f'variant_label {"!=" if negate else "=="} "{other}"', (other == label) != negate
    if kind == "substring":
        part = draw(st.sampled_from(["cu", "null", "o", "x"]))
        return f'"{part}" {"not in" if negate else "in"} variant_label', (part in label) != negate
    if kind == "standard":
        holds = draw(st.booleans())
        text = 'python_version >= "3"' if holds else 'sys_platform == "no-such-platform"'
        return text, holds
    pool, members, variable = {
        "property": (MARKER_PROPERTIES, properties, "variant_properties"),
        "feature": (("foo :: bar", "foo :: level", "x86_64 :: level", "bar :: baz"), features,
                    "variant_features"),
        "namespace": (("foo", "x86_64", "bar", "level"), namespaces, "variant_namespaces"),
    }[kind]
    # Half the time a member: the shape where whitespace or exact matching decides.
    item = draw(st.sampled_from(sorted(members) if members and draw(st.booleans()) else pool))
    found = item in members
    return f'"{_spaced(draw, item)}" {"not in" if negate else "in"} {variable}', found != negate


@st.composite
def requirement_lines(draw: st.DrawFn, label: str, properties: frozenset[str]) -> tuple[str, bool]:
    """A ``Requires-Dist`` entry gated by a marker using the variant markers, and whether the
    marker holds for a wheel with *label* and *properties* ("Evaluating variant markers":
    sets of strings, whitespace around ``::`` ignored; PEP 508 ``and``/``or``)."""
    atoms = draw(st.lists(_marker_atom(label, properties), min_size=1, max_size=3))
    text, value = atoms[0]
    for atom, holds in atoms[1:]:
        if draw(st.booleans()):
            text, value = f"({text}) and {atom}", value and holds
        else:
            text, value = f"({text}) or {atom}", value or holds
    return f"dep; {text}", value


@st.composite
def wheel_names(draw: st.DrawFn) -> tuple[str, dict[str, Any] | None]:
    """A wheel filename and its parsed components (``None``: the name is invalid).

    Build tags, compressed tag sets, local and pre-release versions, the null label,
    labels of digits, dots and underscores; now and then an uppercase label, which
    breaks the label charset.
    """
    version = draw(st.sampled_from(["1.0", "2.0rc1", "1.0+cu130", "0.9.post1"]))
    build = draw(st.sampled_from([None, "1", "2b"]))
    python = draw(st.sampled_from(["py3", "cp312", "py2.py3"]))
    platform = draw(st.sampled_from(["any", "manylinux_2_28_x86_64.linux_x86_64"]))
    label = draw(st.sampled_from([None, "null", "x86_64_v3", "cu12.6_sm90", "12.6_0", "X86_64_V3"]))
    parts = ["pkg", version, *([build] if build else []), python, "none", platform]
    parts += [label] if label else []
    name = "-".join(parts) + ".whl"
    if label is not None and label != label.lower():
        return name, None
    return name, {
        "distribution": "pkg", "version": version, "build_tag": build,
        "python_tags": python.split("."), "abi_tags": ["none"], "platform_tags": platform.split("."),
        "variant_label": label,
    }


@st.composite
def installed_versions(draw: st.DrawFn) -> tuple[str, str | None, bool]:
    """``(value, installed version or None, whether it matches)`` for ``abi_dependency``.

    Providers text: values "are matched against the installed version same as the
    =={value}.* specifier"; "Versions with nonzero epoch are not supported".
    """
    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

    value = draw(st.sampled_from(["2", "2.9", "2.9.1", "2.0"]))
    installed = draw(st.sampled_from([None, "2", "2.9", "2.9.1", "2.9.1.post1", "2.9.0rc1", "2.10",
                                      "2.9.1+cu130", "1!2.9.1", "3.0"]))
    if installed is None:
        return value, None, False
    parsed = Version(installed)
    matches = parsed.epoch == 0 and parsed in SpecifierSet(f"=={value}.*", prereleases=True)
    return value, installed, matches


@st.composite
def name_spellings(draw: st.DrawFn, name: str) -> str:
    """*name* spelled another way: case and the separators ``-``, ``_``, ``.`` (PEP 503 normalization)."""
    parts = re.split(r"[-_.]+", name)
    out = parts[0]
    for part in parts[1:]:
        out += draw(st.sampled_from(["-", "_", ".", "--", "_."])) + part
    return "".join(c.upper() if draw(st.booleans()) else c for c in out)


@st.composite
def lock_for(draw: st.DrawFn, world: dict[str, Any]) -> dict[str, Any]:
    """A ``pylock.toml`` (data) for *world*'s newest release: all its wheels or a subset, its
    metadata inlined whole or pruned to the listed labels, maybe a ``packages.marker`` and
    top-level ``environments`` that hold on every world's system (a Linux-free marker
    would not). Wheel entries carry only ``name``; :func:`conformance.differential.lock_file`
    adds their URLs. ``lock["tool"]["conformance"]["listed"]`` names the listed wheels."""
    from conformance.fixtures import wheel_filename

    package = world["index"]["package"][0]
    wheels = list(package.get("wheel", []))
    listed = draw(st.lists(st.sampled_from(wheels), unique_by=id, min_size=1)) if wheels and draw(
        st.booleans()) else wheels
    names = [wheel_filename(package["name"], package["version"], w["tags"], w.get("build"), w.get("label"))
             for w in listed]
    entry: dict[str, Any] = {"name": package["name"], "version": package["version"],
                             "wheels": [{"name": n} for n in names]}
    if draw(st.booleans()):
        entry["marker"] = 'python_version >= "3"'
    variants = package.get("variants", {})
    if variants:
        keep = set(variants) if draw(st.booleans()) else {w["label"] for w in listed if "label" in w}
        doc: dict[str, Any] = {"$schema": SCHEMAS[package.get("schema", "0.1.1")],
                               "default-priorities": {"namespace": list(package.get("namespaces", []))}}
        if "providers" in package:
            doc["providers"] = package["providers"]
        doc["variants"] = {label: props for label, props in variants.items() if label in keep}
        entry["variants-json"] = doc
    lock: dict[str, Any] = {"lock-version": "1.0", "created-by": "conformance.strategies"}
    lock["packages"] = [entry]
    if draw(st.booleans()):
        lock["environments"] = ['sys_platform == "no-such-platform"', 'python_version >= "3"']
    lock["tool"] = {"conformance": {"listed": names}}
    return lock
