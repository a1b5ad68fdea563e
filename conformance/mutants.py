"""Mutants: the reference with one plausible spec mistake each, and the mutation score.

A conformance suite is as strong as the wrong implementations it catches. Each
:class:`Mutant` here is the reference implementation with one small, named
patch of one reference function — a mistake a real installer could make — and
the clause it breaks. The mutant adapter (:mod:`conformance.adapters.mutant`)
runs it through the real adapter interface; a mutant is *killed* when at least
one case's expectation fails against it (compared with the suite's own
:func:`conformance.compare.compare`).

``python -m conformance mutants [--json] [--only ID ...] [--first]`` runs, for
every mutant, the cases whose op the mutant touches (cases the reference itself
fails are set aside: they cannot tell a mutant from the reference), prints the
mutation score (killed / total) and which cases killed each mutant. A surviving
mutant is a finding: some behaviour of its clause is not checked by any case.

Patches are applied with :func:`replace`, which rebinds a function in the
module defining it *and* in every ``reference`` module that imported it by name,
and restores all of them afterwards. They are applied only around one case, in
this process; nothing here is thread-safe, and nothing is written to disk.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import functools
import importlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "KNOWN_SURVIVORS",
    "MUTANTS",
    "Mutant",
    "MutantBroken",
    "MutantResult",
    "MutationRun",
    "add_arguments",
    "fixtures_dir",
    "replace",
    "run",
    "run_mutants",
]

#: ops that go through wheel selection (``select_wheel``).
SELECTING = frozenset({"select", "install", "pylock"})
#: ops that read variant metadata documents.
METADATA = frozenset({"validate", "combine", "select", "install", "pylock"})

#: Reference modules loaded before any patch, so that every module binding a
#: patched function by name is found (and none imports the patched one later).
_PRELOAD = (
    "reference.format.model",
    "reference.format.properties",
    "reference.format.versions",
    "reference.format.filename",
    "reference.format.metadata",
    "reference.format.combine",
    "reference.providers.abi",
    "reference.providers.support",
    "reference.selection.ordering",
    "reference.selection.markers",
    "reference.selection.select",
    "reference.format.wheel",
    "reference.install.sources",
    "reference.install.resolve",
    "reference.install.pylock",
    "reference.install.installing",
    "reference.providers.plugins",
)


def _preload() -> None:
    for name in _PRELOAD:
        importlib.import_module(name)


class MutantBroken(RuntimeError):
    """A mutant's patch no longer applies (the reference changed): a catalogue bug, not a kill."""


@contextlib.contextmanager
def replace(module: str, attr: str, make: Callable[[Any], Any]) -> Iterator[Any]:
    """Rebind ``module.attr`` to ``make(original)`` wherever the reference bound it.

    Every loaded ``reference.*`` (and ``conformance.adapters.reference``) module
    whose global ``attr`` *is* the original object is patched too, so that a
    function imported with ``from reference.x import f`` is replaced at its
    call sites. Everything is restored on exit.

    :yields: the replacement.
    """
    _preload()
    home = importlib.import_module(module)
    if attr not in vars(home):
        raise MutantBroken(f"{module}.{attr} no longer exists; the mutant needs updating")
    original = vars(home)[attr]
    replacement = make(original)
    sites = [
        mod
        for name, mod in list(sys.modules.items())
        if (name == "reference" or name.startswith("reference.") or name == "conformance.adapters.reference")
        and vars(mod).get(attr) is original
    ]
    for mod in sites:
        setattr(mod, attr, replacement)
    try:
        yield replacement
    finally:
        for mod in sites:
            setattr(mod, attr, original)


@dataclass(frozen=True)
class Mutant:
    """The reference with one plausible spec mistake.

    :param id: stable id (``null-after-non-variant``).
    :param description: the mistake, as an installer maintainer would phrase it.
    :param clause: the clause id it breaks.
    :param ops: the case ops whose outcome the patch can change; only cases of
        these ops are run against the mutant.
    :param patch: a context manager factory applying the mistake.
    :param plugins: whether cases that run provider plugins are relevant (they
        are slow: a plugin is installed into a fresh environment).
    """

    id: str
    description: str
    clause: str
    ops: frozenset[str]
    patch: Callable[[], contextlib.AbstractContextManager[Any]] = field(repr=False, compare=False)
    plugins: bool = False

    def apply(self) -> contextlib.AbstractContextManager[Any]:
        """Apply the mistake for the duration of a ``with`` block."""
        return self.patch()


#: Every mutant, by id, in catalogue order.
MUTANTS: dict[str, Mutant] = {}

#: Mutants no case kills yet, each with the case that would kill it. These are
#: findings for the case authors; ``tests/test_mutants.py`` fails when one of
#: them starts being killed (remove it here then) or another mutant survives.
KNOWN_SURVIVORS: dict[str, str] = {}


def _mutant(
    id: str, clause: str, ops: Iterable[str], description: str, *, plugins: bool = False
) -> Callable[[Callable[[], Iterator[Any]]], Callable[[], Iterator[Any]]]:
    def register(fn: Callable[[], Iterator[Any]]) -> Callable[[], Iterator[Any]]:
        if id in MUTANTS:
            raise RuntimeError(f"duplicate mutant id {id}")
        MUTANTS[id] = Mutant(id, description, clause, frozenset(ops), contextlib.contextmanager(fn), plugins)
        return fn

    return register


# ---------------------------------------------------------------------------
# helpers for selection mutants
# ---------------------------------------------------------------------------
def _post_select(reorder: Callable[[Any, list[Any]], list[Any]]) -> contextlib.AbstractContextManager[Any]:
    """Patch ``select_wheel`` to reorder (or refill) its ranked candidates.

    ``reorder(selection, ranked_candidates)`` returns the new ranked list; the
    selection's ``ranked``, ranks and markers are recomputed from it.
    """

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def select_wheel(
            filenames: Sequence[str],
            metadata: Any,
            system: Any,
            options: Any = None,
            read_wheel_metadata: Any = None,
        ) -> Any:
            selection = original(filenames, metadata, system, options, read_wheel_metadata)
            by_name = {c.filename: c for c in selection.candidates}
            ranked = reorder(selection, [by_name[name] for name in selection.ranked])
            return _reranked(selection, ranked)

        return select_wheel

    return replace("reference.selection.select", "select_wheel", make)


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


def _within_groups(key: Callable[[Any], Any]) -> contextlib.AbstractContextManager[Any]:
    """Reorder the wheels inside every label group by ``key``."""

    def reorder(selection: Any, ranked: list[Any]) -> list[Any]:
        return [c for group in _groups(ranked) for c in sorted(group, key=key)]

    return _post_select(reorder)


def _move_groups(first: Callable[[str | None], bool] | None, last: Callable[[str | None], bool] | None
                 ) -> contextlib.AbstractContextManager[Any]:
    """Move whole label groups to the front (``first``) or the back (``last``)."""

    def reorder(selection: Any, ranked: list[Any]) -> list[Any]:
        front = [c for c in ranked if first is not None and first(c.label)]
        back = [c for c in ranked if last is not None and last(c.label) and c not in front]
        middle = [c for c in ranked if c not in front and c not in back]
        return front + middle + back

    return _post_select(reorder)


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


_LAST = (sys.maxsize, 0, 0)


def _reorder_variants(reorder: Callable[[list[str], Mapping[str, Any], Any], list[str]]
                      ) -> contextlib.AbstractContextManager[Any]:
    """Patch ``rank_variants``: same compatible labels, a different order."""

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def rank_variants(variants: Mapping[str, Any], order: Any) -> tuple[list[str], dict[str, Any]]:
            ordered, incompatible = original(variants, order)
            return reorder(list(ordered), variants, order), incompatible

        return rank_variants

    return replace("reference.selection.ordering", "rank_variants", make)


def _compatibility(view: Callable[[Mapping[str, Any], Any], Mapping[str, Any] | None]
                   ) -> contextlib.ExitStack:
    """Patch compatibility: ``view(properties, order)`` is what the original judges.

    ``None`` makes the label incompatible outright. Sort keys are computed from
    the view too (the real ``variant_sort_key`` needs every feature supported).
    """

    def make_rank(original: Callable[..., Any]) -> Callable[..., Any]:
        def rank_variants(variants: Mapping[str, Any], order: Any) -> tuple[list[str], dict[str, Any]]:
            views: dict[str, Any] = {}
            forced: dict[str, Any] = {}
            for label, properties in variants.items():
                seen = view(properties, order)
                if seen is None:
                    forced[label] = [(ns, f) for ns, fs in properties.items() for f in fs]
                else:
                    views[label] = seen
            ordered, incompatible = original(views, order)
            return ordered, {**incompatible, **forced}

        return rank_variants

    def make_key(original: Callable[..., Any]) -> Callable[..., Any]:
        def variant_sort_key(label: str, properties: Mapping[str, Any], order: Any) -> Any:
            return original(label, view(properties, order) or {}, order)

        return variant_sort_key

    stack = contextlib.ExitStack()
    stack.enter_context(replace("reference.selection.ordering", "rank_variants", make_rank))
    stack.enter_context(replace("reference.selection.ordering", "variant_sort_key", make_key))
    return stack


def _supported(order: Any, namespace: str, feature: str) -> dict[str, int]:
    return dict(order.supported_values(namespace, feature))


def _namespace_support(
    wrap: Callable[[Callable[..., Any], str, Any, Any, Any], Any],
) -> contextlib.AbstractContextManager[Any]:
    """Patch ``namespace_support``: ``wrap(original, namespace, provider, context, declared)``."""

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def namespace_support(namespace: str, provider: Any, context: Any, declared: Any = None,
                              **kwargs: Any) -> Any:
            def call(ns: str, prov: Any, ctx: Any, decl: Any) -> Any:
                return original(ns, prov, ctx, decl, **kwargs)

            return wrap(call, namespace, provider, context, declared)

        return namespace_support

    return replace("reference.providers.support", "namespace_support", make)


def _validator_off(attr: str) -> contextlib.AbstractContextManager[Any]:
    """Patch one of ``reference.format.metadata``'s rule checks to report nothing."""

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def silent(*args: Any, **kwargs: Any) -> Iterator[Any]:
            return iter(())

        return silent

    return replace("reference.format.metadata", attr, make)


def _combine_inputs(transform: Callable[[list[Any]], list[Any]]) -> contextlib.AbstractContextManager[Any]:
    """Patch ``combine`` to see transformed documents."""

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def combine(documents: Iterable[Any]) -> Any:
            return original(transform(list(documents)))

        return combine

    return replace("reference.format.combine", "combine", make)


def _combine_output(transform: Callable[[list[Any], Any], Any]) -> contextlib.AbstractContextManager[Any]:
    """Patch ``combine`` to alter its result (``transform(documents, combined)``)."""

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def combine(documents: Iterable[Any]) -> Any:
            docs = list(documents)
            return transform(docs, original(docs))

        return combine

    return replace("reference.format.combine", "combine", make)


def _variant_markers(wrap: Callable[[Callable[..., Any], Any, Any, Any], Any]
                     ) -> contextlib.AbstractContextManager[Any]:
    """Patch ``variant_markers``: ``wrap(original, label, properties, supported)``."""

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def variant_markers(label: Any, properties: Any = None, supported: Any = None) -> Any:
            return wrap(original, label, properties, supported)

        return variant_markers

    return replace("reference.selection.markers", "variant_markers", make)


# ---------------------------------------------------------------------------
# the catalogue: ordering of groups
# ---------------------------------------------------------------------------
@_mutant("null-after-non-variant", "pep825:ordering-null-last", SELECTING,
         "the null variant is ordered after the non-variant wheels")
def _null_after_non_variant() -> Iterator[Any]:
    with _move_groups(None, lambda label: label == "null"):
        yield


@_mutant("null-first", "pep825:ordering-null-last", SELECTING,
         "the null variant (the baseline build) is preferred over the other compatible variants")
def _null_first() -> Iterator[Any]:
    with _move_groups(lambda label: label == "null", None):
        yield


@_mutant("non-variant-first", "pep825:ordering-non-variant-last", SELECTING,
         "non-variant wheels are preferred over compatible variant wheels")
def _non_variant_first() -> Iterator[Any]:
    with _move_groups(lambda label: label is None, None):
        yield


@_mutant("tags-before-variants", "pep825:ordering-platform-tags", SELECTING,
         "wheels are ordered by platform tag first, variant order only breaks ties between tags")
def _tags_before_variants() -> Iterator[Any]:
    def reorder(selection: Any, ranked: list[Any]) -> list[Any]:
        return sorted(ranked, key=lambda c: c.tag_rank if c.tag_rank is not None else 0)

    with _post_select(reorder):
        yield


@_mutant("ties-by-filename", "pep825:ordering-platform-tags", SELECTING,
         "wheels within a label group are ordered by filename, not by platform tag preference")
def _ties_by_filename() -> Iterator[Any]:
    with _within_groups(lambda c: c.filename):
        yield


@_mutant("build-number-ignored", "pep825:ordering-grouping", SELECTING,
         "the build number is ignored: wheels of a group are ordered by tag, then filename")
def _build_number_ignored() -> Iterator[Any]:
    with _within_groups(lambda c: (c.tag_rank if c.tag_rank is not None else 0, c.filename)):
        yield


@_mutant("lowest-build-first", "pep825:ordering-grouping", SELECTING,
         "the lowest build number is preferred within a group")
def _lowest_build_first() -> Iterator[Any]:
    with _within_groups(
        lambda c: (c.tag_rank if c.tag_rank is not None else 0, c.wheel.build_number if c.wheel else ())
    ):
        yield


@_mutant("platform-tags-not-filtered", "pep825:ordering-platform-tags", SELECTING,
         "variant wheels are not filtered by platform tags; unsupported tags only sort last in a group")
def _platform_tags_not_filtered() -> Iterator[Any]:
    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def tag_rank(wheel: Any, tag_index: Mapping[Any, int]) -> int | None:
            rank = original(wheel, tag_index)
            if rank is None and wheel.variant_label is not None:
                return len(tag_index)
            return rank  # type: ignore[no-any-return]

        return tag_rank

    with replace("reference.selection.select", "_tag_rank", make):
        yield


# ---------------------------------------------------------------------------
# compatibility of variant wheels
# ---------------------------------------------------------------------------
@_mutant("multi-value-and", "pep825:property-compatibility", SELECTING,
         "a feature with several values needs every value supported (AND instead of OR)")
def _multi_value_and() -> Iterator[Any]:
    def view(properties: Mapping[str, Any], order: Any) -> Mapping[str, Any] | None:
        for namespace, features in properties.items():
            for feature, values in features.items():
                if any(v not in _supported(order, namespace, feature) for v in values):
                    return None
        return properties

    with _compatibility(view):
        yield


@_mutant("features-or", "pep825:property-compatibility", SELECTING,
         "a variant is compatible when any one of its features is supported (OR instead of AND)")
def _features_or() -> Iterator[Any]:
    def view(properties: Mapping[str, Any], order: Any) -> Mapping[str, Any] | None:
        kept: dict[str, dict[str, Any]] = {}
        for namespace, features in properties.items():
            for feature, values in features.items():
                if any(v in _supported(order, namespace, feature) for v in values):
                    kept.setdefault(namespace, {})[feature] = values
        return kept if kept or not properties else properties

    with _compatibility(view):
        yield


@_mutant("unknown-features-ignored", "pep825:property-compatibility", SELECTING,
         "features the system knows nothing about (no provider answer) are ignored, not incompatible")
def _unknown_features_ignored() -> Iterator[Any]:
    def view(properties: Mapping[str, Any], order: Any) -> Mapping[str, Any] | None:
        kept: dict[str, dict[str, Any]] = {}
        for namespace, features in properties.items():
            for feature, values in features.items():
                if _supported(order, namespace, feature):
                    kept.setdefault(namespace, {})[feature] = values
        return kept

    with _compatibility(view):
        yield


@_mutant("missing-label-accepted", "pep825:missing-label-incompatible", SELECTING,
         "a wheel whose label is missing from the index-level file is used, with its own variant.json")
def _missing_label_accepted() -> Iterator[Any]:
    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def select_wheel(filenames: Sequence[str], metadata: Any, system: Any, options: Any = None,
                         read_wheel_metadata: Any = None) -> Any:
            from reference.errors import VariantError
            from reference.format.filename import parse_wheel_filename

            if metadata is not None:
                extra: dict[str, Any] = {}
                for name in filenames:
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
                if extra:
                    metadata = dataclasses.replace(metadata, variants={**metadata.variants, **extra})
            return original(filenames, metadata, system, options, read_wheel_metadata)

        return select_wheel

    with replace("reference.selection.select", "select_wheel", make):
        yield


# ---------------------------------------------------------------------------
# the seven ordering steps
# ---------------------------------------------------------------------------
@_mutant("namespace-priority-ignored", "pep825:ordering-step-1", SELECTING,
         "default-priorities.namespace is ignored: namespaces are ordered alphabetically")
def _namespace_priority_ignored() -> Iterator[Any]:
    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def namespace_order(default_priorities: Sequence[str], used: Iterable[str] = ()) -> list[str]:
            return list(original((), [*default_priorities, *used]))

        return namespace_order

    with replace("reference.selection.ordering", "namespace_order", make):
        yield


@_mutant("feature-order-alphabetical", "pep825:ordering-step-2", SELECTING,
         "features are ordered alphabetically instead of by the provider's feature order")
def _feature_order_alphabetical() -> Iterator[Any]:
    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def feature_order(supported: Any, namespaces: Iterable[str]) -> dict[str, list[str]]:
            return {ns: sorted(fs) for ns, fs in original(supported, namespaces).items()}

        return feature_order

    with replace("reference.selection.ordering", "feature_order", make):
        yield


@_mutant("value-order-from-wheel", "pep825:ordering-step-3", SELECTING,
         "value preference is taken from the wheel's (sorted) metadata, not from the system's order")
def _value_order_from_wheel() -> Iterator[Any]:
    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def value_order(supported: Any, features: Any) -> dict[str, dict[str, list[str]]]:
            return {
                ns: {f: sorted(values) for f, values in fs.items()}
                for ns, fs in original(supported, features).items()
            }

        return value_order

    with replace("reference.selection.ordering", "value_order", make):
        yield


@_mutant("worst-value", "pep825:ordering-step-4", SELECTING,
         "a multi-value feature is ranked by its least preferred compatible value")
def _worst_value() -> Iterator[Any]:
    def reorder(ordered: list[str], variants: Mapping[str, Any], order: Any) -> list[str]:
        return sorted(ordered, key=lambda label: ([*_keys(variants[label], order, max), _LAST], label))

    with _reorder_variants(reorder):
        yield


@_mutant("first-listed-value", "pep825:ordering-step-4", SELECTING,
         "a multi-value feature is ranked by the first compatible value listed in the wheel")
def _first_listed_value() -> Iterator[Any]:
    def reorder(ordered: list[str], variants: Mapping[str, Any], order: Any) -> list[str]:
        def key(label: str) -> Any:
            properties = variants[label]
            first = {
                ns: {
                    f: [v for v in values if v in _supported(order, ns, f)][:1]
                    for f, values in fs.items()
                }
                for ns, fs in properties.items()
            }
            return ([*_keys(first, order), _LAST], label)

        return sorted(ordered, key=key)

    with _reorder_variants(reorder):
        yield


@_mutant("value-before-feature", "pep825:ordering-step-5", SELECTING,
         "the property sort key compares the value position before the feature position")
def _value_before_feature() -> Iterator[Any]:
    def reorder(ordered: list[str], variants: Mapping[str, Any], order: Any) -> list[str]:
        def key(label: str) -> Any:
            keys = sorted((n, v, f) for n, f, v in _keys(variants[label], order))
            return ([*keys, _LAST], label)

        return sorted(ordered, key=key)

    with _reorder_variants(reorder):
        yield


@_mutant("keys-unsorted", "pep825:ordering-step-6", SELECTING,
         "step 6 is skipped: groups are compared on their properties in metadata order, unsorted")
def _keys_unsorted() -> Iterator[Any]:
    def reorder(ordered: list[str], variants: Mapping[str, Any], order: Any) -> list[str]:
        return sorted(ordered, key=lambda label: ([*_keys(variants[label], order, sort=False), _LAST], label))

    with _reorder_variants(reorder):
        yield


@_mutant("more-properties-reversed", "pep825:ordering-step-7", SELECTING,
         "when one group's keys are a prefix of the other's, the group with fewer keys wins")
def _more_properties_reversed() -> Iterator[Any]:
    def reorder(ordered: list[str], variants: Mapping[str, Any], order: Any) -> list[str]:
        return sorted(ordered, key=lambda label: ([*_keys(variants[label], order), (-1, 0, 0)], label))

    with _reorder_variants(reorder):
        yield


@_mutant("label-tiebreak-descending", "pep825:ordering-step-7", SELECTING,
         "groups with equal keys are ordered by variant label descending")
def _label_tiebreak_descending() -> Iterator[Any]:
    def reorder(ordered: list[str], variants: Mapping[str, Any], order: Any) -> list[str]:
        by_label = sorted(ordered, reverse=True)
        return sorted(by_label, key=lambda label: [*_keys(variants[label], order), _LAST])

    with _reorder_variants(reorder):
        yield


@_mutant("property-count-first", "pep825:ordering-step-7", SELECTING,
         "the group with more properties always wins, whatever their keys")
def _property_count_first() -> Iterator[Any]:
    def reorder(ordered: list[str], variants: Mapping[str, Any], order: Any) -> list[str]:
        return sorted(
            ordered,
            key=lambda label: (-len(_keys(variants[label], order)), _keys(variants[label], order), label),
        )

    with _reorder_variants(reorder):
        yield


# ---------------------------------------------------------------------------
# user options
# ---------------------------------------------------------------------------
@_mutant("variant-option-unsupported", "pep825:ordering-overrides", SELECTING,
         "--variant LABEL installs that variant even when the system does not support it")
def _variant_option_unsupported() -> Iterator[Any]:
    def reorder(selection: Any, ranked: list[Any]) -> list[Any]:
        wanted = selection.options.variant
        if ranked or wanted is None:
            return ranked
        forced = [
            c for c in selection.candidates
            if c.label == wanted and c.tag_rank is not None
        ]
        return sorted(forced, key=lambda c: c.tag_rank)

    with _post_select(reorder):
        yield


@contextlib.contextmanager
def _select_inputs(transform: Callable[..., tuple[Any, Any]]) -> Iterator[None]:
    """Patch ``reference.selection.select.select_wheel`` so ``transform(metadata, options,
    read_wheel_metadata)`` rewrites its metadata and options before it runs."""

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def select_wheel(filenames: Sequence[str], metadata: Any, system: Any, options: Any = None,
                         read_wheel_metadata: Any = None) -> Any:
            metadata, options = transform(metadata, options, read_wheel_metadata)
            return original(filenames, metadata, system, options, read_wheel_metadata)

        return select_wheel

    with replace("reference.selection.select", "select_wheel", make):
        yield


@_mutant("variant-option-ignored", "reference:option-variant", SELECTING,
         "--variant LABEL is ignored")
def _variant_option_ignored() -> Iterator[Any]:
    def transform(metadata: Any, options: Any, read_wheel_metadata: Any) -> tuple[Any, Any]:
        return metadata, options and dataclasses.replace(options, variant=None)

    with _select_inputs(transform):
        yield


@_mutant("no-variants-ignored", "reference:option-no-variants", SELECTING,
         "--no-variants is ignored")
def _no_variants_ignored() -> Iterator[Any]:
    def transform(metadata: Any, options: Any, read_wheel_metadata: Any) -> tuple[Any, Any]:
        return metadata, options and dataclasses.replace(options, no_variants=False)

    with _select_inputs(transform):
        yield


@_mutant("index-file-ignored", "pep825:ordering-prefer-index-file", SELECTING,
         "the index-level -variants.json is never read: the wheels' variant.json are combined instead")
def _index_file_ignored() -> Iterator[Any]:
    def transform(metadata: Any, options: Any, read_wheel_metadata: Any) -> tuple[Any, Any]:
        return (None if read_wheel_metadata is not None else metadata), options

    with _select_inputs(transform):
        yield


# ---------------------------------------------------------------------------
# providers
# ---------------------------------------------------------------------------
@_mutant("optional-enabled-by-default", "providers:step-1-disabled", SELECTING,
         "optional providers are used without being enabled")
def _optional_enabled_by_default() -> Iterator[Any]:
    def wrap(call: Callable[..., Any], namespace: str, provider: Any, context: Any, declared: Any) -> Any:
        if provider is not None and provider.optional:
            provider = dataclasses.replace(provider, optional=False)
        return call(namespace, provider, context, declared)

    with _namespace_support(wrap):
        yield


@_mutant("disabled-uses-user-list", "providers:step-1-disabled", SELECTING,
         "a disabled optional provider still takes the user's static list for its namespace")
def _disabled_uses_user_list() -> Iterator[Any]:
    def wrap(call: Callable[..., Any], namespace: str, provider: Any, context: Any, declared: Any) -> Any:
        if (provider is not None and provider.optional and namespace not in context.enable_providers
                and namespace in context.user_static):
            provider = dataclasses.replace(provider, optional=False, static_properties=None)
        return call(namespace, provider, context, declared)

    with _namespace_support(wrap):
        yield


@_mutant("enable-provider-ignored", "providers:step-1-enable-option", SELECTING,
         "the option enabling an optional provider has no effect")
def _enable_provider_ignored() -> Iterator[Any]:
    def wrap(call: Callable[..., Any], namespace: str, provider: Any, context: Any, declared: Any) -> Any:
        return call(namespace, provider, dataclasses.replace(context, enable_providers=frozenset()), declared)

    with _namespace_support(wrap):
        yield


@_mutant("static-not-exclusive", "providers:step-2-static", SELECTING,
         "the user's static list overrides static-properties from the variant metadata")
def _static_not_exclusive() -> Iterator[Any]:
    def wrap(call: Callable[..., Any], namespace: str, provider: Any, context: Any, declared: Any) -> Any:
        static = provider is not None and provider.static_properties is not None
        if static and namespace in context.user_static:
            provider = dataclasses.replace(provider, static_properties=None)
        return call(namespace, provider, context, declared)

    with _namespace_support(wrap):
        yield


@_mutant("static-merged-with-system", "providers:step-2-static", SELECTING,
         "static-properties are merged with what the system's user list supports (union)")
def _static_merged() -> Iterator[Any]:
    def wrap(call: Callable[..., Any], namespace: str, provider: Any, context: Any, declared: Any) -> Any:
        support = call(namespace, provider, context, declared)
        if support.step != "static-properties" or namespace not in context.user_static:
            return support
        merged = {f: tuple(v) for f, v in support.features.items()}
        for feature, values in context.user_static[namespace].items():
            merged[feature] = tuple(dict.fromkeys([*merged.get(feature, ()), *values]))
        return dataclasses.replace(support, features=merged)

    with _namespace_support(wrap):
        yield


@_mutant("empty-user-list-ignored", "providers:step-3-user-static", SELECTING,
         "a namespace the user's static list names with no features falls through to other providers",
         plugins=True)
def _empty_user_list_ignored() -> Iterator[Any]:
    def wrap(call: Callable[..., Any], namespace: str, provider: Any, context: Any, declared: Any) -> Any:
        listed = context.user_static.get(namespace)
        if listed is not None and not any(listed.values()):
            rest = {ns: fs for ns, fs in context.user_static.items() if ns != namespace}
            context = dataclasses.replace(context, user_static=rest)
        return call(namespace, provider, context, declared)

    with _namespace_support(wrap):
        yield


@_mutant("user-list-after-plugins", "providers:step-3-user-static", SELECTING,
         "the user's static list is consulted only after the tool's built-in and plugin providers",
         plugins=True)
def _user_list_last() -> Iterator[Any]:
    def wrap(call: Callable[..., Any], namespace: str, provider: Any, context: Any, declared: Any) -> Any:
        if namespace not in context.user_static or provider is None:
            return call(namespace, provider, context, declared)
        rest = {ns: fs for ns, fs in context.user_static.items() if ns != namespace}
        first = call(namespace, provider, dataclasses.replace(context, user_static=rest), declared)
        if first.features or first.step in ("static-properties", "disabled"):
            return first
        return call(namespace, provider, context, declared)

    with _namespace_support(wrap):
        yield


@_mutant("untrusted-plugins-run", "providers:step-5-trust", SELECTING,
         "provider plugins run without the user trusting their packages", plugins=True)
def _untrusted_plugins_run() -> Iterator[Any]:
    # The mutant runs the suite's own fixture plugins (fixtures/plugins), in the
    # reference's isolated environment and child process, with its timeout.
    def wrap(call: Callable[..., Any], namespace: str, provider: Any, context: Any, declared: Any) -> Any:
        from packaging.utils import canonicalize_name

        from reference.providers.interface import plugin_requirements

        if provider is None or not provider.requires:
            return call(namespace, provider, context, declared)
        try:
            names = {canonicalize_name(r.name) for r in plugin_requirements(provider, context.environment)}
        except Exception:
            return call(namespace, provider, context, declared)
        trust = frozenset(context.trust) | names
        runner = context.plugin_runner
        if runner is not None and hasattr(runner, "trust"):
            runner.trust = frozenset(runner.trust) | names
        return call(namespace, provider, dataclasses.replace(context, trust=trust), declared)

    with _namespace_support(wrap):
        yield


@_mutant("static-feature-order-ignored", "providers:feature-order", SELECTING,
         "the features of static-properties are ranked alphabetically, ignoring feature-order")
def _static_feature_order_ignored() -> Iterator[Any]:
    def wrap(call: Callable[..., Any], namespace: str, provider: Any, context: Any, declared: Any) -> Any:
        support = call(namespace, provider, context, declared)
        if support.step != "static-properties":
            return support
        return dataclasses.replace(support, features=dict(sorted(support.features.items())))

    with _namespace_support(wrap):
        yield


@_mutant("plugin-value-order-ignored", "providers:plugin-configs", SELECTING,
         "the values a plugin returns are sorted alphabetically instead of kept in preference order",
         plugins=True)
def _plugin_value_order_ignored() -> Iterator[Any]:
    def wrap(call: Callable[..., Any], namespace: str, provider: Any, context: Any, declared: Any) -> Any:
        support = call(namespace, provider, context, declared)
        if support.step != "plugin":
            return support
        features = {f: tuple(sorted(values)) for f, values in sorted(support.features.items())}
        return dataclasses.replace(support, features=features)

    with _namespace_support(wrap):
        yield


@_mutant("abi-exact-match", "providers:abi-matching", SELECTING,
         "abi_dependency values are matched as =={value} instead of =={value}.*")
def _abi_exact_match() -> Iterator[Any]:
    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def abi_matches(value: str, version: str) -> bool:
            from packaging.version import InvalidVersion, Version

            try:
                return bool(original(value, version)) and Version(version) == Version(value)
            except InvalidVersion:
                return False

        return abi_matches

    with replace("reference.providers.abi", "abi_matches", make):
        yield


@_mutant("abi-string-prefix", "providers:abi-matching", SELECTING,
         "abi_dependency values are matched as a string prefix of the installed version")
def _abi_string_prefix() -> Iterator[Any]:
    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def abi_matches(value: str, version: str) -> bool:
            return version.startswith(value)

        return abi_matches

    with replace("reference.providers.abi", "abi_matches", make):
        yield


@_mutant("abi-epoch-ignored", "providers:abi-epoch", SELECTING,
         "an installed version with a nonzero epoch matches on its release segment")
def _abi_epoch_ignored() -> Iterator[Any]:
    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def abi_matches(value: str, version: str) -> bool:
            from packaging.version import InvalidVersion, Version

            try:
                parsed = Version(version)
            except InvalidVersion:
                return False
            release = ".".join(map(str, parsed.release))
            return bool(original(value, release))

        return abi_matches

    with replace("reference.providers.abi", "abi_matches", make):
        yield


# ---------------------------------------------------------------------------
# variant markers
# ---------------------------------------------------------------------------
@_mutant("markers-not-narrowed", "pep825:markers-properties-narrowed", SELECTING,
         "variant_properties holds every property of the wheel, not only the supported ones")
def _markers_not_narrowed() -> Iterator[Any]:
    def wrap(original: Callable[..., Any], label: Any, properties: Any, supported: Any) -> Any:
        if label is None:
            return original(label, properties, supported)
        everything = {
            ns: {f: tuple(values) for f, values in fs.items()} for ns, fs in (properties or {}).items()
        }
        return original(label, properties, everything)

    with _variant_markers(wrap):
        yield


@_mutant("markers-from-system", "pep825:markers-values", SELECTING,
         "variant markers are evaluated against every property the system supports, not the wheel's")
def _markers_from_system() -> Iterator[Any]:
    def wrap(original: Callable[..., Any], label: Any, properties: Any, supported: Any) -> Any:
        if label is None:
            return original(label, properties, supported)
        system = {ns: {f: list(values) for f, values in fs.items()} for ns, fs in (supported or {}).items()}
        return original(label, system, supported)

    with _variant_markers(wrap):
        yield


@_mutant("non-variant-label-null", "pep825:markers-non-variant", SELECTING,
         "a non-variant wheel gets variant_label 'null' instead of ''")
def _non_variant_label_null() -> Iterator[Any]:
    def wrap(original: Callable[..., Any], label: Any, properties: Any, supported: Any) -> Any:
        return original("null" if label is None else label, properties, supported)

    with _variant_markers(wrap):
        yield


@_mutant("null-label-empty", "pep825:markers-label", SELECTING,
         "the null variant gets variant_label '' like a non-variant wheel")
def _null_label_empty() -> Iterator[Any]:
    def wrap(original: Callable[..., Any], label: Any, properties: Any, supported: Any) -> Any:
        return original(None if label == "null" else label, properties, supported)

    with _variant_markers(wrap):
        yield


@_mutant("marker-whitespace-significant", "pep825:markers-whitespace", SELECTING | {"markers"},
         "whitespace around '::' in marker literals is not ignored")
def _marker_whitespace_significant() -> Iterator[Any]:
    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def normalize_property_text(text: str) -> str:
            return text.strip()

        return normalize_property_text

    with replace("reference.selection.markers", "normalize_property_text", make):
        yield


@_mutant("marker-not-in-as-in", "pep825:markers-operators", SELECTING | {"markers"},
         "'not in' on variant_properties/features/namespaces is evaluated like 'in'")
def _marker_not_in_as_in() -> Iterator[Any]:
    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        from reference.selection.markers import SET_VARIABLES

        def evaluate(node: Any, environment: Mapping[str, Any]) -> bool:
            result = bool(original(node, environment))
            variable = getattr(node.rhs, "name", None)
            if node.op == "not in" and variable in SET_VARIABLES:
                return not result
            return result

        return evaluate

    with replace("reference.selection.markers", "_evaluate_variant", make):
        yield


@_mutant("marker-label-in-is-equality", "pep825:markers-operators", SELECTING | {"markers"},
         "'x' in variant_label tests equality instead of substring (label treated as a set)")
def _marker_label_in_is_equality() -> Iterator[Any]:
    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def evaluate(node: Any, environment: Mapping[str, Any]) -> bool:
            names = {getattr(node.lhs, "name", None), getattr(node.rhs, "name", None)}
            if "variant_label" in names and node.op in ("in", "not in"):
                lhs = environment["variant_label"] if getattr(node.lhs, "name", None) else node.lhs.value
                rhs = environment["variant_label"] if getattr(node.rhs, "name", None) else node.rhs.value
                return bool((lhs == rhs) == (node.op == "in"))
            return bool(original(node, environment))

        return evaluate

    with replace("reference.selection.markers", "_evaluate_variant", make):
        yield


# ---------------------------------------------------------------------------
# filenames
# ---------------------------------------------------------------------------
_FILENAME_OPS = frozenset({"filename"}) | SELECTING


@_mutant("label-uppercase-accepted", "pep825:label-charset", _FILENAME_OPS,
         "variant labels may contain uppercase letters")
def _label_uppercase_accepted() -> Iterator[Any]:
    import re

    with replace("reference.format.filename", "LABEL_RE", lambda original: re.compile(r"[0-9A-Za-z_.]+")):
        yield


@_mutant("label-any-character", "pep825:label-charset", _FILENAME_OPS,
         "any non-empty text without '-' is accepted as a variant label")
def _label_any_character() -> Iterator[Any]:
    import re

    with replace("reference.format.filename", "LABEL_RE", lambda original: re.compile(r"[^-]+")):
        yield


@_mutant("label-length-limited", "pep825:label-charset", _FILENAME_OPS,
         "variant labels longer than 16 characters are rejected (an early draft's limit)")
def _label_length_limited() -> Iterator[Any]:
    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def check_label(label: str, location: str = "variant label") -> Any:
            from reference.errors import Violation

            if len(label) > 16:
                return Violation("pep825:label-charset", f"variant label {label!r} is too long", location)
            return original(label, location)

        return check_label

    with replace("reference.format.filename", "check_label", make):
        yield


@_mutant("python-tag-digit-accepted", "pep825:python-tag-digit", _FILENAME_OPS,
         "a six-component filename is always read as having a variant label (Python tag may start "
         "with a digit)")
def _python_tag_digit_accepted() -> Iterator[Any]:
    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def parse_wheel_filename(filename: str) -> Any:

            name = filename.replace("\\", "/").rsplit("/", 1)[-1]
            parts = name[: -len(".whl")].split("-") if name.endswith(".whl") else []
            if len(parts) == 6 and parts[2][:1].isdigit():
                parsed = original("-".join([*parts[:2], "py3", *parts[3:]]) + ".whl")
                return dataclasses.replace(parsed, python_tags=tuple(parts[2].split(".")))
            return original(filename)

        return parse_wheel_filename

    with replace("reference.format.filename", "parse_wheel_filename", make):
        yield


# ---------------------------------------------------------------------------
# metadata documents
# ---------------------------------------------------------------------------
@_mutant("unknown-major-accepted", "pep825:major-version", METADATA,
         "a document with an unknown major format version is read as the latest known version")
def _unknown_major_accepted() -> Iterator[Any]:
    def make_check(original: Callable[..., Any]) -> Callable[..., Any]:
        def check_version(schema_url: object, source: str = "") -> Any:
            violations, warnings = original(schema_url, source)
            return [v for v in violations if v.clause != "pep825:major-version"], warnings

        return check_version

    def make_effective(original: Callable[..., Any]) -> Callable[..., Any]:
        def effective(schema_url: str) -> Any:
            from reference.format.versions import SUPPORTED_VERSIONS

            try:
                return original(schema_url)
            except ValueError:
                return max(SUPPORTED_VERSIONS)

        return effective

    with replace("reference.format.metadata", "check_version", make_check), \
            replace("reference.format.metadata", "_effective_version", make_effective):
        yield


@_mutant("unknown-draft-accepted", "pep825:draft-versions", METADATA,
         "an unknown 0.x draft format version is assumed compatible with a known draft")
def _unknown_draft_accepted() -> Iterator[Any]:
    def make_check(original: Callable[..., Any]) -> Callable[..., Any]:
        def check_version(schema_url: object, source: str = "") -> Any:
            violations, warnings = original(schema_url, source)
            return [v for v in violations if v.clause != "pep825:draft-versions"], warnings

        return check_version

    def make_effective(original: Callable[..., Any]) -> Callable[..., Any]:
        def effective(schema_url: str) -> Any:
            from reference.format.versions import SUPPORTED_VERSIONS, schema_version

            try:
                return original(schema_url)
            except ValueError:
                wanted = schema_version(schema_url)
                older = [v for v in SUPPORTED_VERSIONS if v <= wanted]
                return max(older) if older else min(SUPPORTED_VERSIONS)

        return effective

    with replace("reference.format.metadata", "check_version", make_check), \
            replace("reference.format.metadata", "_effective_version", make_effective):
        yield


@_mutant("null-with-properties-accepted", "pep825:null-label", METADATA,
         "the reserved label null may map to properties")
def _null_with_properties_accepted() -> Iterator[Any]:
    with _validator_off("_null_label"):
        yield


@_mutant("single-entry-unchecked", "pep825:variants-single-entry", METADATA,
         "a wheel's variant.json may hold several labels, or another label than the filename's")
def _single_entry_unchecked() -> Iterator[Any]:
    with _validator_off("_single_entry"):
        yield


@_mutant("unlisted-namespace-accepted", "pep825:default-priorities-namespace", METADATA,
         "a namespace used in variants need not be listed in default-priorities.namespace")
def _unlisted_namespace_accepted() -> Iterator[Any]:
    with _validator_off("_namespaces_listed"):
        yield


@_mutant("abi-values-unchecked", "providers:abi-value", METADATA,
         "abi_dependency feature names and values are not checked")
def _abi_values_unchecked() -> Iterator[Any]:
    with _validator_off("_abi_dependency"):
        yield


# ---------------------------------------------------------------------------
# combining metadata
# ---------------------------------------------------------------------------
_COMBINING = frozenset({"combine"}) | SELECTING


@_mutant("combine-first-priorities", "pep825:consistency-order-independent", _COMBINING,
         "the combined default-priorities.namespace is the first document's list (input order matters)")
def _combine_first_priorities() -> Iterator[Any]:
    def transform(docs: list[Any], combined: Any) -> Any:
        return dataclasses.replace(combined, namespace_priorities=docs[0].namespace_priorities)

    with _combine_output(transform):
        yield


@_mutant("combine-keeps-shorter", "pep825:default-priorities-extension", _COMBINING,
         "the combined default-priorities.namespace is the shortest list, not the longest")
def _combine_keeps_shorter() -> Iterator[Any]:
    def transform(docs: list[Any], combined: Any) -> Any:
        shortest = min((d.namespace_priorities for d in docs), key=len)
        return dataclasses.replace(combined, namespace_priorities=shortest)

    with _combine_output(transform):
        yield


@_mutant("non-prefix-priorities-accepted", "pep825:consistency-default-priorities", _COMBINING,
         "default-priorities lists need not be prefixes of each other; the longest wins")
def _non_prefix_priorities_accepted() -> Iterator[Any]:
    def transform(docs: list[Any]) -> list[Any]:
        longest = max((d.namespace_priorities for d in docs), key=len)
        return [dataclasses.replace(d, namespace_priorities=longest) for d in docs]

    with _combine_inputs(transform):
        yield


@_mutant("conflicting-label-first-wins", "pep825:consistency-variants", _COMBINING,
         "a label mapped to different properties in two documents takes the first document's")
def _conflicting_label_first_wins() -> Iterator[Any]:
    def transform(docs: list[Any]) -> list[Any]:
        seen: dict[str, Any] = {}
        out = []
        for doc in docs:
            variants = {}
            for label, properties in doc.variants.items():
                variants[label] = seen.setdefault(label, properties)
            out.append(dataclasses.replace(doc, variants=variants))
        return out

    with _combine_inputs(transform):
        yield


# ---------------------------------------------------------------------------
# running
# ---------------------------------------------------------------------------
@dataclass
class MutantResult:
    """The verdict on one mutant.

    :param killed_by: ids of the cases whose expectation failed against it.
    :param crashed_by: ids of the cases on which it raised or answered ``Errored``
        (also kills: the suite reports them as errors, never as passes).
    :param cases_run: how many cases ran against it.
    """

    mutant: Mutant
    killed_by: list[str] = field(default_factory=list)
    crashed_by: list[str] = field(default_factory=list)
    cases_run: int = 0
    seconds: float = 0.0
    broken: str = ""

    @property
    def killed(self) -> bool:
        """Caught by a case; a mutant whose patch does not apply is never counted as killed."""
        return not self.broken and bool(self.killed_by or self.crashed_by)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.mutant.id,
            "description": self.mutant.description,
            "clause": self.mutant.clause,
            "killed": self.killed,
            "killed_by": self.killed_by,
            "crashed_by": self.crashed_by,
            "cases_run": self.cases_run,
            "seconds": round(self.seconds, 3),
            "broken": self.broken or None,
        }


@dataclass
class MutationRun:
    """All verdicts, the cases set aside and timings."""

    results: list[MutantResult]
    reference_failures: dict[str, str]
    setup_seconds: float
    baseline_seconds: float

    @property
    def killed(self) -> int:
        return sum(r.killed for r in self.results)

    @property
    def score(self) -> float:
        return self.killed / len(self.results) if self.results else 1.0

    def to_json(self) -> dict[str, Any]:
        return {
            "killed": self.killed,
            "total": len(self.results),
            "score": round(self.score, 4),
            "mutants": [r.to_json() for r in self.results],
            "survivors": [r.mutant.id for r in self.results if not r.killed],
            "reference_failures": self.reference_failures,
            "timing": {
                "setup_seconds": round(self.setup_seconds, 2),
                "baseline_seconds": round(self.baseline_seconds, 2),
                "mutants_seconds": round(sum(r.seconds for r in self.results), 2),
            },
        }


def fixtures_dir(cache: Path | None = None) -> Path:
    """The built fixtures, cached by the digest of their sources (built once per source change).

    :param cache: where to keep them (default: the system temporary directory).
    """
    from conformance.workspace import built_fixtures

    base = cache or Path(tempfile.gettempdir())
    return built_fixtures(base, "wheel-variant-conformance-fixtures", prune=True)


def _scratch_root() -> str | None:
    """A RAM-backed directory for per-case scratch space when there is one (much faster)."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


class _Runner:
    """Runs cases through an adapter in process, with the suite's comparison."""

    def __init__(self, fixtures: Path, scratch: Path) -> None:
        from conformance.adapters.reference import ReferenceAdapter
        from conformance.workspace import FIXTURE_SOURCES, resolve_locks

        self.fixtures = fixtures
        self.scratch = scratch
        self.profiles = FIXTURE_SOURCES / "profiles"
        self.locks = resolve_locks(FIXTURE_SOURCES / "locks", fixtures, scratch / "locks")
        # One reference adapter for every mutant: provider plugin environments
        # are created once per session, not once per mutant.
        self.reference = ReferenceAdapter()
        self.capabilities = self.reference.info().capabilities
        self._count = 0
        self._baseline: dict[str, list[str] | None] = {}

    def runnable(self, case: Any) -> bool:
        return not set(case.requires) - set(self.capabilities)

    def baseline(self, case: Any) -> list[str] | None:
        """The reference's own mismatches on ``case`` (computed once)."""
        if case.id not in self._baseline:
            self._baseline[case.id] = self.problems(self.reference, case)
        return self._baseline[case.id]

    def reference_failures(self) -> dict[str, str]:
        return {
            case_id: "the reference errored" if problems is None else "; ".join(problems)
            for case_id, problems in sorted(self._baseline.items())
            if problems != []
        }

    def problems(self, adapter: Any, case: Any) -> list[str] | None:
        """The mismatches of ``case`` against ``adapter`` (``None``: it crashed or errored)."""
        from conformance.adapters.base import Result, Workspace
        from conformance.compare import compare

        self._count += 1
        tmp = self.scratch / f"case-{self._count}"
        tmp.mkdir()
        workspace = Workspace(
            fixtures=self.fixtures,
            base_url=None,
            profiles=self.profiles,
            locks=self.locks,
            tmp=tmp,
            requires=frozenset(case.requires) - {"index.pep503", "index.pep691"},
        )
        try:
            outcome = adapter.run(case.op, case.input, workspace)
        except Exception:
            return None
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        if not isinstance(outcome, Result):
            return None
        return compare(case.op, case.expect, outcome.value, clause_ids="clause-ids" in self.capabilities)

    def close(self) -> None:
        self.reference.close()


def _cached_profiles() -> contextlib.AbstractContextManager[Any]:
    """Read each profile file once per run (profiles are immutable; validating them is slow)."""

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        return functools.lru_cache(maxsize=None)(original)

    return replace("reference.providers.profiles", "load_profile", make)


def _relevant(mutant: Mutant, cases: Sequence[Any]) -> list[Any]:
    """The cases of the ops the mutant touches, those naming its clause first."""
    chosen = [
        c for c in cases
        if c.op in mutant.ops and (mutant.plugins or "providers.plugin" not in c.requires)
    ]
    # Cases naming the mutant's clause first; slow plugin cases last.
    return sorted(chosen, key=lambda c: (mutant.clause not in c.clauses, "providers.plugin" in c.requires))


def run_mutants(
    mutants: Sequence[Mutant] | None = None,
    cases: Sequence[Any] | None = None,
    *,
    stop_at_first: bool = False,
    fixtures: Path | None = None,
    progress: Callable[[MutantResult], None] | None = None,
) -> MutationRun:
    """Run the relevant cases against every mutant.

    A case is run against a mutant only if the reference passes it (checked
    once per case, when a mutant first needs it).

    :param mutants: default: every mutant of :data:`MUTANTS`.
    :param cases: default: every shipped case (``conformance.cases.load_cases``).
    :param stop_at_first: stop at the first killing case of each mutant
        (enough for a verdict; the report then names one killer).
    :param fixtures: built fixtures (default: :func:`fixtures_dir`).
    """
    from conformance.adapters.mutant import MutantAdapter
    from conformance.cases import load_cases

    start = time.perf_counter()
    selected = list(mutants if mutants is not None else MUTANTS.values())
    all_cases = list(cases if cases is not None else load_cases())
    built = fixtures or fixtures_dir()
    scratch = Path(tempfile.mkdtemp(prefix="conformance-mutants-", dir=_scratch_root()))
    runner = _Runner(built, scratch)
    baseline = 0.0
    try:
        with _cached_profiles():
            setup = time.perf_counter() - start
            results = []
            for mutant in selected:
                began = time.perf_counter()
                spent = baseline
                result = MutantResult(mutant)
                adapter = MutantAdapter(mutant.id, reference=runner.reference)
                try:
                    with mutant.apply():
                        pass
                except Exception as exc:
                    result.broken = f"{type(exc).__name__}: {exc}"
                for case in [] if result.broken else _relevant(mutant, all_cases):
                    if not runner.runnable(case):
                        continue
                    checked = time.perf_counter()
                    usable = runner.baseline(case) == []
                    baseline += time.perf_counter() - checked
                    if not usable:
                        continue
                    result.cases_run += 1
                    problems = runner.problems(adapter, case)
                    if problems is None:
                        result.crashed_by.append(case.id)
                    elif problems:
                        result.killed_by.append(case.id)
                    if stop_at_first and result.killed:
                        break
                # A mutant's time excludes the reference baseline runs it triggered.
                result.seconds = time.perf_counter() - began - (baseline - spent)
                results.append(result)
                if progress is not None:
                    progress(result)
        return MutationRun(results, runner.reference_failures(), setup, baseline)
    finally:
        runner.close()
        shutil.rmtree(scratch, ignore_errors=True)


def format_run(run: MutationRun, *, verbose: bool = True) -> str:
    """The human-readable report."""
    lines = []
    for result in run.results:
        mark = "killed " if result.killed else "BROKEN  " if result.broken else "SURVIVED"
        lines.append(f"{mark} {result.mutant.id} [{result.mutant.clause}] "
                     f"({result.cases_run} cases, {result.seconds:.2f} s)")
        lines.append(f"    {result.mutant.description}")
        if result.broken:
            lines.append(f"    the patch does not apply: {result.broken}")
        if verbose:
            for case_id in result.killed_by:
                lines.append(f"    killed by {case_id}")
            for case_id in result.crashed_by:
                lines.append(f"    crashed on {case_id}")
    survivors = [r for r in run.results if not r.killed]
    total = len(run.results)
    lines += [
        "",
        f"Mutation score: {run.killed}/{total} killed ({100 * run.score:.1f}%)",
        f"Time: fixtures {run.setup_seconds:.1f} s, reference baseline {run.baseline_seconds:.1f} s, "
        f"mutants {sum(r.seconds for r in run.results):.1f} s",
    ]
    if survivors:
        lines.append("Surviving mutants (a behaviour of their clause no case checks):")
        for r in survivors:
            lines.append(f"  {r.mutant.id} [{r.mutant.clause}]: {r.mutant.description}")
            if r.mutant.id in KNOWN_SURVIVORS:
                lines.append(f"      missing case: {KNOWN_SURVIVORS[r.mutant.id]}")
    if run.reference_failures:
        count = len(run.reference_failures)
        lines.append(f"Cases set aside because the reference itself fails them: {count}")
        lines += [f"  {case_id}" for case_id in sorted(run.reference_failures)]
    return "\n".join(lines) + "\n"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``mutants`` subcommand's options."""
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--only", action="append", metavar="ID", help="run only this mutant (repeatable)")
    parser.add_argument("--first", action="store_true",
                        help="stop at the first killing case of each mutant (faster)")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")


def run(args: argparse.Namespace) -> int:
    """Run the mutants; exit 1 if any survives."""
    if args.list:
        for mutant in MUTANTS.values():
            print(f"{mutant.id} [{mutant.clause}] {mutant.description}")
        return 0
    unknown = sorted(set(args.only or ()) - set(MUTANTS))
    if unknown:
        print(f"error: unknown mutant id(s): {', '.join(unknown)}; see --list", file=sys.stderr)
        return 2
    chosen = [MUTANTS[i] for i in args.only] if args.only else list(MUTANTS.values())
    outcome = run_mutants(chosen, stop_at_first=args.first)
    if args.json:
        print(json.dumps(outcome.to_json(), indent=2))
    else:
        sys.stdout.write(format_run(outcome))
    return 0 if outcome.killed == len(outcome.results) else 1
