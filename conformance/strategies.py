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
) -> list[dict[str, Any]]:
    """``[[package.wheel]]`` entries: one to two wheels per label, each with its own
    single tag from *tags* (so no two wheels of a group tie on platform tags), and
    up to two non-variant wheels; now and then a group also gets a wheel tagged
    :data:`WORLD_UNSUPPORTED_TAG`.
    A *build* tag, when given, is shared by every wheel (PEP 825 groups wheels per
    name, version and build number; one build number keeps one grouping)."""
    wheels: list[dict[str, Any]] = []
    groups: list[str | None] = list(labels)
    if non_variant:
        groups.append(None)
    for label in groups:
        low = 0 if label is None else 1
        chosen = draw(st.lists(st.sampled_from(tags), unique=True, min_size=low, max_size=2))
        if draw(st.integers(0, 4)) == 0:
            chosen.append(WORLD_UNSUPPORTED_TAG)
        for tag in chosen:
            wheel: dict[str, Any] = {"tags": tag}
            if label is not None:
                wheel["label"] = label
            if build is not None:
                wheel["build"] = build
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
    """
    schema = draw(st.sampled_from(list(schemas)))
    allowed = [s for s in sources if s != "static" or schema != "0.1.1"] or ["none"]
    namespaces = _ordered_subset(draw, WORLD_NAMESPACES)
    features = {ns: _ordered_subset(draw, WORLD_FEATURES, min_size=1)[:2] for ns in namespaces}
    # "none" makes every variant using the namespace incompatible: draw it less often.
    weighted = [s for s in allowed for _ in range(1 if s == "none" and len(allowed) > 1 else 3)]
    source_of = {ns: draw(st.sampled_from(weighted)) for ns in namespaces}

    variants: dict[str, Any] = {}
    count = draw(st.integers(1, max_labels))
    for label in draw(st.permutations(WORLD_LABELS))[:count]:
        properties: dict[str, dict[str, list[str]]] = {}
        for ns in _ordered_subset(draw, namespaces):
            chosen = _ordered_subset(draw, features[ns])
            properties[ns] = {f: draw(_variant_values()) for f in chosen}
        variants[label] = properties
    labels = sorted(variants)
    if draw(st.booleans()):
        variants["null"] = {}
        labels.append("null")

    package: dict[str, Any] = {
        "name": WORLD_PACKAGE,
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
                providers[ns] = {"requires": [f"{ns}-variant-provider"]}
        package["providers"] = providers
    package["variants"] = variants
    build = draw(st.sampled_from([None, "1", "7"])) if builds else None
    package["wheel"] = draw(wheels_for(labels, build=build))

    user = {ns: features[ns] for ns in namespaces if source_of[ns] == "user"}
    profile = draw(profiles_for(user, tag_order=tag_order))
    return {"index": {"description": "generated by conformance.strategies.worlds", "package": [package]},
            "profile": profile}


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
