"""PEP 825 "Variant ordering": the seven steps, one function each, with the PEP's names.

The PEP's pseudocode compares groups pairwise (``VariantWheel.__lt__``). This
module offers that comparison (:func:`compare_variants`) and an equivalent
precomputed key per group (:func:`variant_sort_key`), which the selection uses
because sorting by a key is much faster than sorting by comparisons.

Inputs are plain data: ``properties`` is ``{namespace: {feature: values}}`` as
in ``variant.json``; the supported lists come from :mod:`reference.providers.support`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from reference.format.model import Properties

__all__ = [
    "PropertyKey",
    "VariantOrder",
    "best_value_properties",
    "compare_variants",
    "feature_order",
    "is_compatible",
    "namespace_order",
    "order_variants",
    "property_key",
    "rank_variants",
    "sorted_properties",
    "unsupported_features",
    "value_order",
    "variant_sort_key",
]

PropertyKey = tuple[int, int, int]
"""Step 5's sort key: positions of namespace, feature and best value."""

# Sorts after every real PropertyKey, so that a group whose sorted keys are a
# prefix of another's sorts later: step 7's "the group with more keys is
# sorted earlier" expressed as a plain tuple comparison.
_EXHAUSTED: PropertyKey = (sys.maxsize, 0, 0)


def namespace_order(default_priorities: Sequence[str], used: Iterable[str] = ()) -> list[str]:
    """Step 1: copy ``default-priorities.namespace`` from the combined metadata.

    Namespaces in ``used`` that the list lacks are appended in alphabetical
    order. Valid metadata lists every namespace it uses, except the reserved
    ``abi_dependency``, which "MUST NOT be listed" there; placing it last is
    this reference's choice (``reference:abi-dependency-order``), the same as
    variantlib's.

    Spec: pep825:ordering-step-1
    """
    order = list(default_priorities)
    listed = set(order)
    order += sorted({namespace for namespace in used if namespace not in listed})
    return order


def feature_order(
    supported: Mapping[str, Mapping[str, Sequence[str]]], namespaces: Iterable[str]
) -> dict[str, list[str]]:
    """Step 2: for every namespace, the ordered list of compatible feature names.

    A feature with no compatible value is not compatible and is left out.

    Spec: pep825:ordering-step-2
    """
    return {
        namespace: [f for f, values in supported.get(namespace, {}).items() if values]
        for namespace in namespaces
    }


def value_order(
    supported: Mapping[str, Mapping[str, Sequence[str]]], features: Mapping[str, Sequence[str]]
) -> dict[str, dict[str, list[str]]]:
    """Step 3: for every feature, the ordered list of compatible values.

    Spec: pep825:ordering-step-3
    """
    return {
        namespace: {feature: list(supported[namespace][feature]) for feature in names}
        for namespace, names in features.items()
    }


@dataclass(frozen=True)
class VariantOrder:
    """The three ordered lists of steps 1-3, with position lookups precomputed."""

    namespace_order: list[str]
    feature_order: dict[str, list[str]]
    value_order: dict[str, dict[str, list[str]]]
    _namespace_index: dict[str, int] = field(init=False, repr=False, compare=False)
    _feature_index: dict[str, dict[str, int]] = field(init=False, repr=False, compare=False)
    _value_index: dict[str, dict[str, dict[str, int]]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_namespace_index", {n: i for i, n in enumerate(self.namespace_order)})
        object.__setattr__(
            self,
            "_feature_index",
            {n: {f: i for i, f in enumerate(fs)} for n, fs in self.feature_order.items()},
        )
        object.__setattr__(
            self,
            "_value_index",
            {
                n: {f: {v: i for i, v in enumerate(vs)} for f, vs in features.items()}
                for n, features in self.value_order.items()
            },
        )

    @classmethod
    def build(
        cls,
        default_priorities: Sequence[str],
        supported: Mapping[str, Mapping[str, Sequence[str]]],
    ) -> VariantOrder:
        """Steps 1-3 from ``default-priorities.namespace`` and the supported lists.

        :param supported: ``{namespace: {feature: values}}``, most preferred first.
        """
        namespaces = namespace_order(default_priorities, supported)
        features = feature_order(supported, namespaces)
        return cls(namespaces, features, value_order(supported, features))

    def supported_values(self, namespace: str, feature: str) -> dict[str, int]:
        """``{value: position}`` of the compatible values of a feature (empty if none)."""
        return self._value_index.get(namespace, {}).get(feature, {})


def unsupported_features(properties: Properties, order: VariantOrder) -> list[tuple[str, str]]:
    """The ``(namespace, feature)`` pairs of which no listed value is compatible.

    Spec: pep825:property-compatibility
    """
    return [
        (namespace, feature)
        for namespace, features in properties.items()
        for feature, values in features.items()
        if not any(v in order.supported_values(namespace, feature) for v in values)
    ]


def is_compatible(properties: Properties, order: VariantOrder) -> bool:
    """"At least one value for every feature listed in its properties MUST be compatible".

    Spec: pep825:property-compatibility
    """
    return not unsupported_features(properties, order)


def best_value_properties(properties: Properties, order: VariantOrder) -> list[tuple[str, str, str]]:
    """Step 4: every feature of the group with its most preferred compatible value.

    :raises ValueError: when a feature has no compatible value (the wheel
        should have been filtered out first).

    Spec: pep825:ordering-step-4
    """
    out = []
    for namespace, features in properties.items():
        for feature, values in features.items():
            positions = order.supported_values(namespace, feature)
            ranked = [positions[v] for v in values if v in positions]
            if not ranked:
                raise ValueError(f"no value of {namespace} :: {feature} is supported")
            out.append((namespace, feature, order.value_order[namespace][feature][min(ranked)]))
    return out


def property_key(prop: tuple[str, str, str], order: VariantOrder) -> PropertyKey:
    """Step 5: ``(namespace, feature, value)`` positions in the ordered lists.

    Spec: pep825:ordering-step-5
    """
    namespace, feature, value = prop
    return (
        order._namespace_index[namespace],
        order._feature_index[namespace][feature],
        order._value_index[namespace][feature][value],
    )


def sorted_properties(properties: Properties, order: VariantOrder) -> list[tuple[str, str, str]]:
    """Step 6: the best-value properties sorted by their keys, ascending.

    Spec: pep825:ordering-step-6
    """
    return sorted(best_value_properties(properties, order), key=lambda p: property_key(p, order))


def compare_variants(
    a: tuple[str, Properties], b: tuple[str, Properties], order: VariantOrder
) -> int:
    """Step 7: ``-1`` if group ``a`` sorts before ``b``, ``1`` if after, ``0`` if the same.

    The first differing key decides (lower first); if one list is exhausted,
    "the group with more keys is sorted earlier"; then the label, ascending.
    Usable with :func:`functools.cmp_to_key` on ``(label, properties)`` pairs.

    Spec: pep825:ordering-step-7
    """
    a_keys = [property_key(p, order) for p in sorted_properties(a[1], order)]
    b_keys = [property_key(p, order) for p in sorted_properties(b[1], order)]
    for a_key, b_key in zip(a_keys, b_keys, strict=False):
        if a_key != b_key:
            return -1 if a_key < b_key else 1
    if len(a_keys) != len(b_keys):
        return -1 if len(a_keys) > len(b_keys) else 1
    return (a[0] > b[0]) - (a[0] < b[0])


def variant_sort_key(
    label: str, properties: Properties, order: VariantOrder
) -> tuple[tuple[PropertyKey, ...], str]:
    """Steps 4-7 as one key: sorting by it orders groups as :func:`compare_variants` does.

    The key is the step-6 list of property keys followed by a marker that
    sorts after every real key (so a longer list that shares a prefix wins),
    then the label as the tie-break.
    """
    namespace_index = order._namespace_index
    feature_index = order._feature_index
    value_index = order._value_index
    keys: list[PropertyKey] = []
    for namespace, features in properties.items():
        ns_position = namespace_index[namespace]
        ns_features = feature_index[namespace]
        ns_values = value_index[namespace]
        for feature, values in features.items():
            positions = ns_values[feature]
            best = min(positions[v] for v in values if v in positions)
            keys.append((ns_position, ns_features[feature], best))
    keys.sort()
    keys.append(_EXHAUSTED)
    return tuple(keys), label


def order_variants(variants: Mapping[str, Properties], order: VariantOrder) -> list[str]:
    """Order compatible variant labels, most preferred first (the null variant last).

    Every label must be compatible (see :func:`is_compatible`).

    Spec: pep825:ordering-step-7, pep825:ordering-null-last
    """
    return sorted(variants, key=lambda label: variant_sort_key(label, variants[label], order))


# rank_variants packs a PropertyKey into one int (20 bits per position), so
# that sorting compares flat tuples of ints; the order is the same.
_SHIFT = 20
_PACKED_EXHAUSTED = 1 << (3 * _SHIFT)


def rank_variants(
    variants: Mapping[str, Properties], order: VariantOrder
) -> tuple[list[str], dict[str, list[tuple[str, str]]]]:
    """Filter and order in one pass: steps 4-7 for every compatible label.

    :returns: the compatible labels, most preferred first, and for every
        incompatible label its features without a compatible value.

    Equivalent to :func:`unsupported_features` followed by
    :func:`order_variants`, written for speed (the benchmark in
    ``benchmarks/bench_ordering.py`` orders 10,000 variants with it).

    Spec: pep825:property-compatibility, pep825:ordering-step-4,
    pep825:ordering-step-7
    """
    namespace_index = order._namespace_index
    feature_index = order._feature_index
    value_index = order._value_index
    keys: dict[str, tuple[tuple[int, ...], str]] = {}
    incompatible: dict[str, list[tuple[str, str]]] = {}
    empty: dict[str, dict[str, int]] = {}
    for label, properties in variants.items():
        packed: list[int] = []
        missing: list[tuple[str, str]] = []
        for namespace, features in properties.items():
            ns_values = value_index.get(namespace, empty)
            for feature, values in features.items():
                positions = ns_values.get(feature)
                best = -1
                if positions:
                    for value in values:
                        position = positions.get(value)
                        if position is not None and (best < 0 or position < best):
                            best = position
                if best < 0:
                    missing.append((namespace, feature))
                else:
                    packed.append(
                        (namespace_index[namespace] << (2 * _SHIFT))
                        | (feature_index[namespace][feature] << _SHIFT)
                        | best
                    )
        if missing:
            incompatible[label] = missing
            continue
        packed.sort()
        packed.append(_PACKED_EXHAUSTED)
        keys[label] = (tuple(packed), label)
    return sorted(keys, key=keys.__getitem__), incompatible
