"""The mutant table: the reference with one plausible spec mistake per row.

A conformance suite is as strong as the wrong implementations it catches. Each
row of :data:`TABLE` is one mistake a real installer could make: its id, the
clause it breaks, the ops whose outcome it can change, a description, and what
is replaced by what — one or more :class:`~conformance.patching.Patch`, each
naming a rule of the reference as a plain ``"module:attr"`` string and a
replacement *kind* (:mod:`conformance.patching`).  One mechanism applies every
row (:meth:`Mutant.apply`); there is no code per mutant beyond the few lines
that say what its mistake computes.

The table is at the end of this file.  The building blocks above it are the
mistakes several rows share (reordering the ranked wheels, a different
compatibility rule, rewriting one field of an argument, ...) and the few
lines a single row's mistake computes.  A row built the same way but kept out
of the table (an ablation of one rule) runs through the same
:func:`conformance.mutants.run_mutants`.  When the reference moves a rule, update the
``"module:attr"`` strings of the table; ``tests/test_mutants.py`` fails on a
target that no longer exists.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from conformance.patching import Args, Kind, Patch, applied, arguments, around, instead, result, value

__all__ = ["KNOWN_SURVIVORS", "METADATA", "MUTANTS", "SELECTING", "TABLE", "Mutant", "mutant"]

#: ops that go through wheel selection (``select_wheel``).
SELECTING = frozenset({"select", "install", "pylock"})
#: ops that read variant metadata documents.
METADATA = frozenset({"validate", "combine", "select", "install", "pylock"})
_MARKERS = SELECTING | {"markers"}
_FILENAMES = SELECTING | {"filename"}
_COMBINING = SELECTING | {"combine"}


@dataclass(frozen=True)
class Mutant:
    """The reference with one plausible spec mistake.

    :param id: stable id (``null-after-non-variant``).
    :param description: the mistake, as an installer maintainer would phrase it.
    :param clause: the clause id it breaks.
    :param ops: the case ops whose outcome the patches can change; only cases
        of these ops are run against the mutant.
    :param patches: what is replaced, by what.
    :param plugins: whether cases that run provider plugins are relevant (they
        are slow: a plugin is installed into a fresh environment).
    """

    id: str
    description: str
    clause: str
    ops: frozenset[str]
    patches: tuple[Patch, ...] = dataclasses.field(repr=False, compare=False)
    plugins: bool = False

    def apply(self) -> Any:
        """Apply the mistake for the duration of a ``with`` block."""
        return applied(self.patches)


def mutant(
    id: str, clause: str, ops: Iterable[str], description: str, *patches: Patch, plugins: bool = False
) -> Mutant:
    """One row of the table."""
    return Mutant(id, description, clause, frozenset(ops), patches, plugins)


# ---------------------------------------------------------------------------
# building blocks: the ranked wheels of select_wheel
# ---------------------------------------------------------------------------
Reorder = Callable[[Any, list[Any]], list[Any]]


def reranked(reorder: Reorder) -> Kind:
    """``select_wheel`` answers with its ranked candidates reordered (or refilled).

    ``reorder(selection, ranked_candidates)`` returns the new ranked list; the
    selection's ``ranked``, ranks and markers are recomputed from it.
    """

    def change(selection: Any, args: Args) -> Any:
        by_name = {c.filename: c for c in selection.candidates}
        return _reranked(selection, reorder(selection, [by_name[name] for name in selection.ranked]))

    return result(change)


def _reranked(selection: Any, ranked: list[Any]) -> Any:
    from reference.selection.markers import variant_markers

    for candidate in selection.candidates:
        candidate.rank = None
    for position, candidate in enumerate(ranked):
        candidate.rank = position
    selection.ranked = [c.filename for c in ranked]
    selection.markers = None
    if ranked:
        best = ranked[0]
        variants = dict(selection.metadata.variants) if selection.metadata is not None else {}
        supported = {ns: s.features for ns, s in selection.support.items()}
        selection.markers = variant_markers(best.label, variants.get(best.label or "", {}), supported)
    return selection


def _groups(ranked: list[Any]) -> list[list[Any]]:
    """Consecutive runs of candidates with the same label (``None``: non-variant)."""
    groups: list[list[Any]] = []
    for candidate in ranked:
        if groups and groups[-1][0].label == candidate.label:
            groups[-1].append(candidate)
        else:
            groups.append([candidate])
    return groups


def within_groups(key: Callable[[Any], Any]) -> Reorder:
    """The wheels inside every label group sorted by ``key``."""
    return lambda selection, ranked: [c for group in _groups(ranked) for c in sorted(group, key=key)]


def groups_moved(
    first: Callable[[str | None], bool] | None = None, last: Callable[[str | None], bool] | None = None
) -> Reorder:
    """Whole label groups moved to the front (``first``) or the back (``last``)."""

    def reorder(selection: Any, ranked: list[Any]) -> list[Any]:
        front = [c for c in ranked if first is not None and first(c.label)]
        back = [c for c in ranked if last is not None and last(c.label) and c not in front]
        middle = [c for c in ranked if c not in front and c not in back]
        return front + middle + back

    return reorder


def _tag(candidate: Any) -> int:
    return candidate.tag_rank if candidate.tag_rank is not None else 0


def _is_null(label: str | None) -> bool:
    return label == "null"


def _is_non_variant(label: str | None) -> bool:
    return label is None


def _requested_variant_forced(selection: Any, ranked: list[Any]) -> list[Any]:
    """Nothing ranked but ``--variant LABEL`` given: that label's wheels with a supported tag."""
    wanted = selection.options.variant
    if ranked or wanted is None:
        return ranked
    forced = [c for c in selection.candidates if c.label == wanted and c.tag_rank is not None]
    return sorted(forced, key=lambda c: c.tag_rank)


def _missing_labels_from_wheels(args: Args) -> Mapping[str, Any]:
    """Labels missing from the index-level file are added, with their wheel's own properties."""
    from reference.errors import VariantError
    from reference.format.filename import parse_wheel_filename

    metadata, read_wheel_metadata = args["metadata"], args["read_wheel_metadata"]
    if metadata is None:
        return {}
    extra: dict[str, Any] = {}
    for name in args["filenames"]:
        try:
            label = parse_wheel_filename(name).variant_label
        except VariantError:
            continue
        if label is None or label in metadata.variants or label in extra:
            continue
        extra[label] = {}
        if read_wheel_metadata is not None:
            with contextlib.suppress(Exception):
                extra[label] = dict(read_wheel_metadata(name).variants.get(label, {}))
    if not extra:
        return {}
    return {"metadata": dataclasses.replace(metadata, variants={**metadata.variants, **extra})}


def field_set(parameter: str, when: Callable[[Args], bool] | None = None, **fields: Any) -> Kind:
    """The dataclass argument *parameter* gets *fields* (when it is not ``None`` and ``when(args)``)."""

    def change(args: Args) -> Mapping[str, Any]:
        current = args[parameter]
        if current is None or (when is not None and not when(args)):
            return {}
        return {parameter: dataclasses.replace(current, **fields)}

    return arguments(change)


# ---------------------------------------------------------------------------
# building blocks: compatibility and the ordering steps
# ---------------------------------------------------------------------------
View = Callable[[Mapping[str, Any], Any], "Mapping[str, Any] | None"]


def judged_on(view: View) -> Kind:
    """``rank_variants`` judges ``view(properties, order)`` instead of the properties.

    ``None`` makes the label incompatible outright.
    """

    def rank(call: Callable[..., Any], args: Args) -> Any:
        views: dict[str, Any] = {}
        forced: dict[str, Any] = {}
        for label, properties in args["variants"].items():
            seen = view(properties, args["order"])
            if seen is None:
                forced[label] = [(ns, f) for ns, fs in properties.items() for f in fs]
            else:
                views[label] = seen
        ordered, incompatible = call(variants=views)
        return ordered, {**incompatible, **forced}

    return around(rank)


def keyed_on(view: View) -> Kind:
    """``variant_sort_key`` keys ``view(properties, order)`` (the real one needs every feature supported)."""
    return arguments(lambda args: {"properties": view(args["properties"], args["order"]) or {}})


def _supported(order: Any, namespace: str, feature: str) -> dict[str, int]:
    return dict(order.supported_values(namespace, feature))


def _every_value_supported(properties: Mapping[str, Any], order: Any) -> Mapping[str, Any] | None:
    for namespace, features in properties.items():
        for feature, values in features.items():
            if any(v not in _supported(order, namespace, feature) for v in values):
                return None
    return properties


def _any_feature_supported(properties: Mapping[str, Any], order: Any) -> Mapping[str, Any] | None:
    kept: dict[str, dict[str, Any]] = {}
    for namespace, features in properties.items():
        for feature, values in features.items():
            if any(v in _supported(order, namespace, feature) for v in values):
                kept.setdefault(namespace, {})[feature] = values
    return kept if kept or not properties else properties


def _known_features_only(properties: Mapping[str, Any], order: Any) -> Mapping[str, Any] | None:
    kept: dict[str, dict[str, Any]] = {}
    for namespace, features in properties.items():
        for feature, values in features.items():
            if _supported(order, namespace, feature):
                kept.setdefault(namespace, {})[feature] = values
    return kept


def _keys(properties: Mapping[str, Mapping[str, Sequence[str]]], order: Any,
          choose: Callable[[list[int]], int] = min, sort: bool = True) -> list[tuple[int, int, int]]:
    """Steps 4-6 written out: one property key per feature (``choose`` picks the value)."""
    from reference.selection.ordering import property_key

    keys = []
    for namespace, features in properties.items():
        for feature, values in features.items():
            positions = order.supported_values(namespace, feature)
            ranked = [positions[v] for v in values if v in positions]
            if not ranked:
                continue
            value = order.value_order[namespace][feature][choose(ranked)]
            keys.append(property_key((namespace, feature, value), order))
    return sorted(keys) if sort else keys


#: A key after every real one: "the list in one of the groups is exhausted".
_LAST = (sys.maxsize, 0, 0)


def labels_sorted_by(
    key: Callable[[Mapping[str, Any], Any], Any], *, labels_descending: bool = False
) -> Kind:
    """``rank_variants`` ranks the same compatible labels by ``key(properties, order)``.

    Ties go to the label, ascending (or descending).
    """

    def change(ranked: Any, args: Args) -> Any:
        ordered, incompatible = ranked
        variants, order = args["variants"], args["order"]
        if labels_descending:
            by_label = sorted(ordered, reverse=True)
            return sorted(by_label, key=lambda label: key(variants[label], order)), incompatible
        return sorted(ordered, key=lambda label: (key(variants[label], order), label)), incompatible

    return result(change)


def _first_listed_values(properties: Mapping[str, Any], order: Any) -> Mapping[str, Any]:
    return {
        ns: {f: [v for v in values if v in _supported(order, ns, f)][:1] for f, values in fs.items()}
        for ns, fs in properties.items()
    }


# ---------------------------------------------------------------------------
# building blocks: providers
# ---------------------------------------------------------------------------
def support_changed(step: str, change: Callable[[dict[str, Any]], dict[str, Any]]) -> Kind:
    """``namespace_support``'s answer gets ``change(features)`` when *step* decided it."""

    def adjust(support: Any, args: Args) -> Any:
        if support.step != step:
            return support
        return dataclasses.replace(support, features=change(support.features))

    return result(adjust)


def _disabled_but_listed(args: Args) -> bool:
    provider, context, namespace = args["provider"], args["context"], args["namespace"]
    return bool(
        provider.optional and namespace not in context.enable_providers and namespace in context.user_static
    )


def _static_and_listed(args: Args) -> bool:
    return args["provider"].static_properties is not None and args["namespace"] in args["context"].user_static


def _static_merged_with_user_list(support: Any, args: Args) -> Any:
    namespace, context = args["namespace"], args["context"]
    if support.step != "static-properties" or namespace not in context.user_static:
        return support
    merged = {f: tuple(v) for f, v in support.features.items()}
    for feature, values in context.user_static[namespace].items():
        merged[feature] = tuple(dict.fromkeys([*merged.get(feature, ()), *values]))
    return dataclasses.replace(support, features=merged)


def _user_list_without(context: Any, namespace: str) -> Any:
    rest = {ns: fs for ns, fs in context.user_static.items() if ns != namespace}
    return dataclasses.replace(context, user_static=rest)


def _empty_user_entry_dropped(args: Args) -> Mapping[str, Any]:
    listed = args["context"].user_static.get(args["namespace"])
    if listed is not None and not any(listed.values()):
        return {"context": _user_list_without(args["context"], args["namespace"])}
    return {}


def _user_list_last(call: Callable[..., Any], args: Args) -> Any:
    namespace, provider, context = args["namespace"], args["provider"], args["context"]
    if namespace not in context.user_static or provider is None:
        return call()
    first = call(context=_user_list_without(context, namespace))
    if first.features or first.step in ("static-properties", "disabled"):
        return first
    return call()


def _plugins_trusted(args: Args) -> Mapping[str, Any]:
    """Trust every plugin the provider requires.

    The mutant runs the suite's own fixture plugins (fixtures/plugins), in the
    reference's isolated environment and child process, with its timeout.
    """
    from packaging.utils import canonicalize_name

    from reference.providers.interface import plugin_requirements

    provider, context = args["provider"], args["context"]
    if provider is None or not provider.requires:
        return {}
    try:
        names = {canonicalize_name(r.name) for r in plugin_requirements(provider, context.environment)}
    except Exception:
        return {}
    runner = context.plugin_runner
    if runner is not None and hasattr(runner, "trust"):
        runner.trust = frozenset(runner.trust) | names
    return {"context": dataclasses.replace(context, trust=frozenset(context.trust) | names)}


def _exact_version_match(call: Callable[..., Any], args: Args) -> bool:
    from packaging.version import InvalidVersion, Version

    try:
        return bool(call()) and Version(args["version"]) == Version(args["value"])
    except InvalidVersion:
        return False


def _release_segment_only(call: Callable[..., Any], args: Args) -> bool:
    from packaging.version import InvalidVersion, Version

    try:
        parsed = Version(args["version"])
    except InvalidVersion:
        return False
    return bool(call(version=".".join(map(str, parsed.release))))


# ---------------------------------------------------------------------------
# building blocks: markers, filenames, metadata, combining
# ---------------------------------------------------------------------------
def _every_wheel_property_supported(args: Args) -> Mapping[str, Any]:
    if args["label"] is None:
        return {}
    properties = args["properties"] or {}
    return {"supported": {ns: {f: tuple(vs) for f, vs in fs.items()} for ns, fs in properties.items()}}


def _system_properties(args: Args) -> Mapping[str, Any]:
    if args["label"] is None:
        return {}
    supported = args["supported"] or {}
    return {"properties": {ns: {f: list(values) for f, values in fs.items()} for ns, fs in supported.items()}}


def _not_in_as_in(call: Callable[..., Any], args: Args) -> bool:
    from reference.selection.markers import SET_VARIABLES

    node = args["node"]
    outcome = bool(call())
    if node.op == "not in" and getattr(node.rhs, "name", None) in SET_VARIABLES:
        return not outcome
    return outcome


def _label_in_as_equality(call: Callable[..., Any], args: Args) -> bool:
    node, environment = args["node"], args["environment"]
    names = {getattr(node.lhs, "name", None), getattr(node.rhs, "name", None)}
    if "variant_label" in names and node.op in ("in", "not in"):
        lhs = environment["variant_label"] if getattr(node.lhs, "name", None) else node.lhs.value
        rhs = environment["variant_label"] if getattr(node.rhs, "name", None) else node.rhs.value
        return bool((lhs == rhs) == (node.op == "in"))
    return bool(call())


def _labels_over_16_rejected(call: Callable[..., Any], args: Args) -> Any:
    from reference.errors import Violation

    label = args["label"]
    if len(label) > 16:
        return Violation("pep825:label-charset", f"variant label {label!r} is too long", args["location"])
    return call()


def _digit_python_tag_read_as_label(call: Callable[..., Any], args: Args) -> Any:
    name = args["filename"].replace("\\", "/").rsplit("/", 1)[-1]
    parts = name[: -len(".whl")].split("-") if name.endswith(".whl") else []
    if len(parts) == 6 and parts[2][:1].isdigit():
        parsed = call(filename="-".join([*parts[:2], "py3", *parts[3:]]) + ".whl")
        return dataclasses.replace(parsed, python_tags=tuple(parts[2].split(".")))
    return call()


def violations_dropped(clause: str) -> Kind:
    """``check_version`` reports no violation of *clause*."""
    return result(lambda checked, args: ([v for v in checked[0] if v.clause != clause], checked[1]))


def read_anyway(fallback: Callable[[Args], Any]) -> Kind:
    """``_effective_version`` answers ``fallback(args)`` where it would refuse the version."""

    def body(call: Callable[..., Any], args: Args) -> Any:
        try:
            return call()
        except ValueError:
            return fallback(args)

    return around(body)


def _latest_known(args: Args) -> Any:
    from reference.format.versions import SUPPORTED_VERSIONS

    return max(SUPPORTED_VERSIONS)


def _nearest_older_draft(args: Args) -> Any:
    from reference.format.versions import SUPPORTED_VERSIONS, schema_version

    wanted = schema_version(args["schema_url"])
    older = [v for v in SUPPORTED_VERSIONS if v <= wanted]
    return max(older) if older else min(SUPPORTED_VERSIONS)


#: A rule check that reports nothing: the rule removed.
NO_VIOLATIONS = instead(lambda args: iter(()))


def combined_changed(change: Callable[[list[Any], Any], Any]) -> Kind:
    """``combine``'s result becomes ``change(documents, combined)``."""

    def body(call: Callable[..., Any], args: Args) -> Any:
        documents = list(args["documents"])
        return change(documents, call(documents=documents))

    return around(body)


def inputs_changed(change: Callable[[list[Any]], list[Any]]) -> Kind:
    """``combine`` sees ``change(documents)``."""
    return arguments(lambda args: {"documents": change(list(args["documents"]))})


def _shortest_priorities(documents: list[Any], combined: Any) -> Any:
    shortest = min((d.namespace_priorities for d in documents), key=len)
    return dataclasses.replace(combined, namespace_priorities=shortest)


def _longest_priorities_everywhere(documents: list[Any]) -> list[Any]:
    longest = max((d.namespace_priorities for d in documents), key=len)
    return [dataclasses.replace(d, namespace_priorities=longest) for d in documents]


def _first_label_wins(documents: list[Any]) -> list[Any]:
    seen: dict[str, Any] = {}
    out = []
    for document in documents:
        variants = {label: seen.setdefault(label, props) for label, props in document.variants.items()}
        out.append(dataclasses.replace(document, variants=variants))
    return out


# ---------------------------------------------------------------------------
# the table: id, clause, ops, description, then what is replaced by what
# ---------------------------------------------------------------------------
TABLE: tuple[Mutant, ...] = (
    # -- ordering of groups -------------------------------------------------
    mutant("null-after-non-variant", "pep825:ordering-null-last", SELECTING,
           "the null variant is ordered after the non-variant wheels",
           Patch("reference.selection.select:select_wheel", reranked(groups_moved(last=_is_null)))),
    mutant("null-first", "pep825:ordering-null-last", SELECTING,
           "the null variant (the baseline build) is preferred over the other compatible variants",
           Patch("reference.selection.select:select_wheel", reranked(groups_moved(first=_is_null)))),
    mutant("non-variant-first", "pep825:ordering-non-variant-last", SELECTING,
           "non-variant wheels are preferred over compatible variant wheels",
           Patch("reference.selection.select:select_wheel", reranked(groups_moved(first=_is_non_variant)))),
    mutant("tags-before-variants", "pep825:ordering-platform-tags", SELECTING,
           "wheels are ordered by platform tag first, variant order only breaks ties between tags",
           Patch("reference.selection.select:select_wheel",
                 reranked(lambda sel, ranked: sorted(ranked, key=_tag)))),
    mutant("ties-by-filename", "pep825:ordering-platform-tags", SELECTING,
           "wheels within a label group are ordered by filename, not by platform tag preference",
           Patch("reference.selection.select:select_wheel", reranked(within_groups(lambda c: c.filename)))),
    mutant("build-number-ignored", "pep825:ordering-grouping", SELECTING,
           "the build number is ignored: wheels of a group are ordered by tag, then filename",
           Patch("reference.selection.select:select_wheel", reranked(within_groups(
               lambda c: (_tag(c), c.filename))))),
    mutant("lowest-build-first", "pep825:ordering-grouping", SELECTING,
           "the lowest build number is preferred within a group",
           Patch("reference.selection.select:select_wheel", reranked(within_groups(
               lambda c: (_tag(c), c.wheel.build_number if c.wheel else ()))))),
    mutant("platform-tags-not-filtered", "pep825:ordering-platform-tags", SELECTING,
           "variant wheels are not filtered by platform tags; unsupported tags only sort last in a group",
           Patch("reference.selection.select:_tag_rank", result(
               lambda rank, a: len(a["tag_index"]) if rank is None and a["wheel"].variant_label is not None
               else rank))),
    # -- compatibility of variant wheels ------------------------------------
    mutant("multi-value-and", "pep825:property-compatibility", SELECTING,
           "a feature with several values needs every value supported (AND instead of OR)",
           Patch("reference.selection.ordering:rank_variants", judged_on(_every_value_supported)),
           Patch("reference.selection.ordering:variant_sort_key", keyed_on(_every_value_supported))),
    mutant("features-or", "pep825:property-compatibility", SELECTING,
           "a variant is compatible when any one of its features is supported (OR instead of AND)",
           Patch("reference.selection.ordering:rank_variants", judged_on(_any_feature_supported)),
           Patch("reference.selection.ordering:variant_sort_key", keyed_on(_any_feature_supported))),
    mutant("unknown-features-ignored", "pep825:property-compatibility", SELECTING,
           "features the system knows nothing about (no provider answer) are ignored, not incompatible",
           Patch("reference.selection.ordering:rank_variants", judged_on(_known_features_only)),
           Patch("reference.selection.ordering:variant_sort_key", keyed_on(_known_features_only))),
    mutant("missing-label-accepted", "pep825:missing-label-incompatible", SELECTING,
           "a wheel whose label is missing from the index-level file is used, with its own variant.json",
           Patch("reference.selection.select:select_wheel", arguments(_missing_labels_from_wheels))),
    # -- the seven ordering steps -------------------------------------------
    mutant("namespace-priority-ignored", "pep825:ordering-step-1", SELECTING,
           "default-priorities.namespace is ignored: namespaces are ordered alphabetically",
           Patch("reference.selection.ordering:namespace_order", arguments(
               lambda a: {"default_priorities": (), "used": [*a["default_priorities"], *a["used"]]}))),
    mutant("feature-order-alphabetical", "pep825:ordering-step-2", SELECTING,
           "features are ordered alphabetically instead of by the provider's feature order",
           Patch("reference.selection.ordering:feature_order", result(
               lambda order, a: {ns: sorted(fs) for ns, fs in order.items()}))),
    mutant("value-order-from-wheel", "pep825:ordering-step-3", SELECTING,
           "value preference is taken from the wheel's (sorted) metadata, not from the system's order",
           Patch("reference.selection.ordering:value_order", result(
               lambda order, a: {ns: {f: sorted(v) for f, v in fs.items()} for ns, fs in order.items()}))),
    mutant("worst-value", "pep825:ordering-step-4", SELECTING,
           "a multi-value feature is ranked by its least preferred compatible value",
           Patch("reference.selection.ordering:rank_variants", labels_sorted_by(
               lambda props, order: [*_keys(props, order, max), _LAST]))),
    mutant("first-listed-value", "pep825:ordering-step-4", SELECTING,
           "a multi-value feature is ranked by the first compatible value listed in the wheel",
           Patch("reference.selection.ordering:rank_variants", labels_sorted_by(
               lambda props, order: [*_keys(_first_listed_values(props, order), order), _LAST]))),
    mutant("value-before-feature", "pep825:ordering-step-5", SELECTING,
           "the property sort key compares the value position before the feature position",
           Patch("reference.selection.ordering:rank_variants", labels_sorted_by(
               lambda props, order: [*sorted((n, v, f) for n, f, v in _keys(props, order)), _LAST]))),
    mutant("keys-unsorted", "pep825:ordering-step-6", SELECTING,
           "step 6 is skipped: groups are compared on their properties in metadata order, unsorted",
           Patch("reference.selection.ordering:rank_variants", labels_sorted_by(
               lambda props, order: [*_keys(props, order, sort=False), _LAST]))),
    mutant("more-properties-reversed", "pep825:ordering-step-7", SELECTING,
           "when one group's keys are a prefix of the other's, the group with fewer keys wins",
           Patch("reference.selection.ordering:rank_variants", labels_sorted_by(
               lambda props, order: [*_keys(props, order), (-1, 0, 0)]))),
    mutant("label-tiebreak-descending", "pep825:ordering-step-7", SELECTING,
           "groups with equal keys are ordered by variant label descending",
           Patch("reference.selection.ordering:rank_variants", labels_sorted_by(
               lambda props, order: [*_keys(props, order), _LAST], labels_descending=True))),
    mutant("property-count-first", "pep825:ordering-step-7", SELECTING,
           "the group with more properties always wins, whatever their keys",
           Patch("reference.selection.ordering:rank_variants", labels_sorted_by(
               lambda props, order: (-len(_keys(props, order)), _keys(props, order))))),
    # -- user options -------------------------------------------------------
    mutant("variant-option-unsupported", "pep825:ordering-overrides", SELECTING,
           "--variant LABEL installs that variant even when the system does not support it",
           Patch("reference.selection.select:select_wheel", reranked(_requested_variant_forced))),
    mutant("variant-option-ignored", "reference:option-variant", SELECTING,
           "--variant LABEL is ignored",
           Patch("reference.selection.select:select_wheel", field_set("options", variant=None))),
    mutant("no-variants-ignored", "reference:option-no-variants", SELECTING,
           "--no-variants is ignored",
           Patch("reference.selection.select:select_wheel", field_set("options", no_variants=False))),
    mutant("index-file-ignored", "pep825:ordering-prefer-index-file", SELECTING,
           "the index-level -variants.json is never read: the wheels' variant.json are combined instead",
           Patch("reference.selection.select:select_wheel", arguments(
               lambda a: {"metadata": None} if a["read_wheel_metadata"] is not None else {}))),
    # -- providers ----------------------------------------------------------
    mutant("optional-enabled-by-default", "providers:step-1-disabled", SELECTING,
           "optional providers are used without being enabled",
           Patch("reference.providers.support:namespace_support", field_set(
               "provider", lambda a: a["provider"].optional, optional=False))),
    mutant("disabled-uses-user-list", "providers:step-1-disabled", SELECTING,
           "a disabled optional provider still takes the user's static list for its namespace",
           Patch("reference.providers.support:namespace_support", field_set(
               "provider", _disabled_but_listed, optional=False, static_properties=None))),
    mutant("enable-provider-ignored", "providers:step-1-enable-option", SELECTING,
           "the option enabling an optional provider has no effect",
           Patch("reference.providers.support:namespace_support", field_set(
               "context", enable_providers=frozenset()))),
    mutant("static-not-exclusive", "providers:step-2-static", SELECTING,
           "the user's static list overrides static-properties from the variant metadata",
           Patch("reference.providers.support:namespace_support", field_set(
               "provider", _static_and_listed, static_properties=None))),
    mutant("static-merged-with-system", "providers:step-2-static", SELECTING,
           "static-properties are merged with what the system's user list supports (union)",
           Patch("reference.providers.support:namespace_support", result(_static_merged_with_user_list))),
    mutant("empty-user-list-ignored", "providers:step-3-user-static", SELECTING,
           "a namespace the user's static list names with no features falls through to other providers",
           Patch("reference.providers.support:namespace_support", arguments(_empty_user_entry_dropped)),
           plugins=True),
    mutant("user-list-after-plugins", "providers:step-3-user-static", SELECTING,
           "the user's static list is consulted only after the tool's built-in and plugin providers",
           Patch("reference.providers.support:namespace_support", around(_user_list_last)),
           plugins=True),
    mutant("untrusted-plugins-run", "providers:step-5-trust", SELECTING,
           "provider plugins run without the user trusting their packages",
           Patch("reference.providers.support:namespace_support", arguments(_plugins_trusted)),
           plugins=True),
    mutant("static-feature-order-ignored", "providers:feature-order", SELECTING,
           "the features of static-properties are ranked alphabetically, ignoring feature-order",
           Patch("reference.providers.support:namespace_support", support_changed(
               "static-properties", lambda features: dict(sorted(features.items()))))),
    mutant("plugin-value-order-ignored", "providers:plugin-configs", SELECTING,
           "the values a plugin returns are sorted alphabetically instead of kept in preference order",
           Patch("reference.providers.support:namespace_support", support_changed(
               "plugin", lambda features: {f: tuple(sorted(v)) for f, v in sorted(features.items())})),
           plugins=True),
    mutant("abi-exact-match", "providers:abi-matching", SELECTING,
           "abi_dependency values are matched as =={value} instead of =={value}.*",
           Patch("reference.providers.abi:abi_matches", around(_exact_version_match))),
    mutant("abi-string-prefix", "providers:abi-matching", SELECTING,
           "abi_dependency values are matched as a string prefix of the installed version",
           Patch("reference.providers.abi:abi_matches",
                 instead(lambda a: a["version"].startswith(a["value"])))),
    mutant("abi-epoch-ignored", "providers:abi-epoch", SELECTING,
           "an installed version with a nonzero epoch matches on its release segment",
           Patch("reference.providers.abi:abi_matches", around(_release_segment_only))),
    # -- variant markers ----------------------------------------------------
    mutant("markers-not-narrowed", "pep825:markers-properties-narrowed", SELECTING,
           "variant_properties holds every property of the wheel, not only the supported ones",
           Patch("reference.selection.markers:variant_markers", arguments(_every_wheel_property_supported))),
    mutant("markers-from-system", "pep825:markers-values", SELECTING,
           "variant markers are evaluated against every property the system supports, not the wheel's",
           Patch("reference.selection.markers:variant_markers", arguments(_system_properties))),
    mutant("non-variant-label-null", "pep825:markers-non-variant", SELECTING,
           "a non-variant wheel gets variant_label 'null' instead of ''",
           Patch("reference.selection.markers:variant_markers", arguments(
               lambda a: {"label": "null"} if a["label"] is None else {}))),
    mutant("null-label-empty", "pep825:markers-label", SELECTING,
           "the null variant gets variant_label '' like a non-variant wheel",
           Patch("reference.selection.markers:variant_markers", arguments(
               lambda a: {"label": None} if a["label"] == "null" else {}))),
    mutant("marker-whitespace-significant", "pep825:markers-whitespace", _MARKERS,
           "whitespace around '::' in marker literals is not ignored",
           Patch("reference.selection.markers:normalize_property_text",
                 instead(lambda a: a["text"].strip()))),
    mutant("marker-not-in-as-in", "pep825:markers-operators", _MARKERS,
           "'not in' on variant_properties/features/namespaces is evaluated like 'in'",
           Patch("reference.selection.markers:_evaluate_variant", around(_not_in_as_in))),
    mutant("marker-label-in-is-equality", "pep825:markers-operators", _MARKERS,
           "'x' in variant_label tests equality instead of substring (label treated as a set)",
           Patch("reference.selection.markers:_evaluate_variant", around(_label_in_as_equality))),
    # -- filenames ----------------------------------------------------------
    mutant("label-uppercase-accepted", "pep825:label-charset", _FILENAMES,
           "variant labels may contain uppercase letters",
           Patch("reference.format.filename:LABEL_RE", value(re.compile(r"[0-9A-Za-z_.]+")))),
    mutant("label-any-character", "pep825:label-charset", _FILENAMES,
           "any non-empty text without '-' is accepted as a variant label",
           Patch("reference.format.filename:LABEL_RE", value(re.compile(r"[^-]+")))),
    mutant("label-length-limited", "pep825:label-charset", _FILENAMES,
           "variant labels longer than 16 characters are rejected (an early draft's limit)",
           Patch("reference.format.filename:check_label", around(_labels_over_16_rejected))),
    mutant("python-tag-digit-accepted", "pep825:python-tag-digit", _FILENAMES,
           "a six-component filename is always read as having a variant label (Python tag may start "
           "with a digit)",
           Patch("reference.format.filename:parse_wheel_filename", around(_digit_python_tag_read_as_label))),
    # -- metadata documents -------------------------------------------------
    mutant("unknown-major-accepted", "pep825:major-version", METADATA,
           "a document with an unknown major format version is read as the latest known version",
           Patch("reference.format.metadata:check_version", violations_dropped("pep825:major-version")),
           Patch("reference.format.metadata:_effective_version", read_anyway(_latest_known))),
    mutant("unknown-draft-accepted", "pep825:draft-versions", METADATA,
           "an unknown 0.x draft format version is assumed compatible with a known draft",
           Patch("reference.format.metadata:check_version", violations_dropped("pep825:draft-versions")),
           Patch("reference.format.metadata:_effective_version", read_anyway(_nearest_older_draft))),
    mutant("null-with-properties-accepted", "pep825:null-label", METADATA,
           "the reserved label null may map to properties",
           Patch("reference.format.metadata:_null_label", NO_VIOLATIONS)),
    mutant("single-entry-unchecked", "pep825:variants-single-entry", METADATA,
           "a wheel's variant.json may hold several labels, or another label than the filename's",
           Patch("reference.format.metadata:_single_entry", NO_VIOLATIONS)),
    mutant("unlisted-namespace-accepted", "pep825:default-priorities-namespace", METADATA,
           "a namespace used in variants need not be listed in default-priorities.namespace",
           Patch("reference.format.metadata:_namespaces_listed", NO_VIOLATIONS)),
    mutant("abi-values-unchecked", "providers:abi-value", METADATA,
           "abi_dependency feature names and values are not checked",
           Patch("reference.format.metadata:_abi_dependency", NO_VIOLATIONS)),
    # -- combining metadata -------------------------------------------------
    mutant("combine-first-priorities", "pep825:consistency-order-independent", _COMBINING,
           "the combined default-priorities.namespace is the first document's list (input order matters)",
           Patch("reference.format.combine:combine", combined_changed(
               lambda docs, combined: dataclasses.replace(
                   combined, namespace_priorities=docs[0].namespace_priorities)))),
    mutant("combine-keeps-shorter", "pep825:default-priorities-extension", _COMBINING,
           "the combined default-priorities.namespace is the shortest list, not the longest",
           Patch("reference.format.combine:combine", combined_changed(_shortest_priorities))),
    mutant("non-prefix-priorities-accepted", "pep825:consistency-default-priorities", _COMBINING,
           "default-priorities lists need not be prefixes of each other; the longest wins",
           Patch("reference.format.combine:combine", inputs_changed(_longest_priorities_everywhere))),
    mutant("conflicting-label-first-wins", "pep825:consistency-variants", _COMBINING,
           "a label mapped to different properties in two documents takes the first document's",
           Patch("reference.format.combine:combine", inputs_changed(_first_label_wins))),
)


def _by_id(table: Sequence[Mutant]) -> dict[str, Mutant]:
    mutants: dict[str, Mutant] = {}
    for row in table:
        if row.id in mutants:
            raise RuntimeError(f"duplicate mutant id {row.id}")
        mutants[row.id] = row
    return mutants


#: Every mutant, by id, in table order.
MUTANTS: dict[str, Mutant] = _by_id(TABLE)

#: Mutants no case kills yet, each with the case that would kill it. These are
#: findings for the case authors; ``tests/test_mutants.py`` fails when one of
#: them starts being killed (remove it here then) or another mutant survives.
KNOWN_SURVIVORS: dict[str, str] = {}
