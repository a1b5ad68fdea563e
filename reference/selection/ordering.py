"""PEP 825 "Variant ordering": the seven steps, one function each, with the PEP's names.

Every rule of the algorithm lives in one named function, so that it can be
read beside its sentence and removed or reversed on its own (the ablation
test, ``tests/test_ablation.py``): step 1 :func:`namespace_order`, 2
:func:`feature_order`, 3 :func:`value_order`, 4 :func:`best_value`, 5
:func:`property_key`, 6 :func:`sort_property_keys`, 7 :func:`key_order` (the
lower key first), :func:`exhausted_marker` (more keys first) and
:func:`label_tiebreak`, and the null variant last (:func:`null_last`).

The PEP's pseudocode compares groups pairwise (``VariantWheel.__lt__``). This
module offers that comparison (:func:`compare_variants`) and an equivalent
key per group (:func:`group_sort_key`), which the selection uses because
sorting by a key is much faster than sorting by comparisons.

Inputs are plain data: ``properties`` is ``{namespace: {feature: values}}`` as
in ``variant.json``; the supported lists come from :mod:`reference.providers.support`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from reference.format.filename import NULL_LABEL
from reference.format.model import Properties

__all__ = [
    "PropertyKey",
    "VariantOrder",
    "best_value",
    "best_value_properties",
    "compare_variants",
    "exhausted_marker",
    "feature_order",
    "group_sort_key",
    "is_compatible",
    "key_order",
    "label_tiebreak",
    "namespace_order",
    "null_last",
    "order_variants",
    "property_key",
    "rank_variants",
    "sort_property_keys",
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


def best_value(values: Iterable[str], positions: Mapping[str, int]) -> str | None:
    """Step 4 for one feature: the value with "the lowest position in the ordered property value list".

    :param positions: ``{value: position}`` of the feature's compatible values.
    :returns: ``None`` when no listed value is compatible.

    Spec: pep825:ordering-step-4
    """
    best: str | None = None
    best_position = 0
    for value in values:
        position = positions.get(value)
        if position is not None and (best is None or position < best_position):
            best, best_position = value, position
    return best


def unsupported_features(properties: Properties, order: VariantOrder) -> list[tuple[str, str]]:
    """The ``(namespace, feature)`` pairs of which no listed value is compatible.

    Spec: pep825:property-compatibility
    """
    return [
        (namespace, feature)
        for namespace, features in properties.items()
        for feature, values in features.items()
        if best_value(values, order.supported_values(namespace, feature)) is None
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
            value = best_value(values, order.supported_values(namespace, feature))
            if value is None:
                raise ValueError(f"no value of {namespace} :: {feature} is supported")
            out.append((namespace, feature, value))
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


def sort_property_keys(keys: Iterable[PropertyKey]) -> list[PropertyKey]:
    """Step 6: a group's property keys "in ascending order".

    Spec: pep825:ordering-step-6
    """
    return sorted(keys)


def sorted_properties(properties: Properties, order: VariantOrder) -> list[tuple[str, str, str]]:
    """Step 6: the best-value properties sorted by their keys, ascending.

    Spec: pep825:ordering-step-6
    """
    by_key = {property_key(p, order): p for p in best_value_properties(properties, order)}
    return [by_key[key] for key in sort_property_keys(by_key)]


def key_order(key: PropertyKey) -> PropertyKey:
    """Step 7: "If the sort keys at the first position are different, the group with the
    lower key is sorted earlier" (and so on, position by position): a key as compared.

    Spec: pep825:ordering-step-7
    """
    return key


def exhausted_marker() -> tuple[PropertyKey, ...]:
    """Step 7: "until ... the list in one of the groups is exhausted. In the latter case, the
    group with more keys is sorted earlier": appended after a group's keys, it sorts after
    every real key, so a group whose keys are a prefix of another's sorts later.

    Spec: pep825:ordering-step-7
    """
    return (_EXHAUSTED,)


def label_tiebreak(label: str) -> str:
    """Step 7: "As a fallback, if both groups have the same number of keys, they are ordered
    lexically by the variant label, ascending."

    Spec: pep825:ordering-step-7
    """
    return label


def group_sort_key(label: str, keys: Sequence[PropertyKey]) -> tuple[tuple[PropertyKey, ...], str]:
    """Step 7 as a sort key: sorting groups by it orders them as the PEP's comparison does.

    :param keys: the group's step-6 list of property keys.
    """
    return tuple(map(key_order, keys)) + exhausted_marker(), label_tiebreak(label)


def null_last(labels: Sequence[str]) -> list[str]:
    """"The algorithm sorts the group of null variant wheels last, as they feature no variant
    properties": the ordered labels with ``null`` moved after every other label.

    Step 7 alone already puts ``null`` after every group that has a key. A label
    other than ``null`` with zero properties ties with it on keys, and the label
    fallback would order the two lexically; this reference reads the sentence as
    a rule, so ``null`` stays the last variant, the fallback for "no other
    variant being supported" (PEP 825 "Rationale"). The other reading is the
    unsettled case pair ``ordering/zero-property-label``.

    Spec: pep825:ordering-null-last
    """
    return [label for label in labels if label != NULL_LABEL] + [
        label for label in labels if label == NULL_LABEL
    ]


def compare_variants(
    a: tuple[str, Properties], b: tuple[str, Properties], order: VariantOrder
) -> int:
    """Step 7: ``-1`` if group ``a`` sorts before ``b``, ``1`` if after, ``0`` if the same.

    The first differing key decides (lower first); if one list is exhausted,
    "the group with more keys is sorted earlier"; then the label, ascending.
    Usable with :func:`functools.cmp_to_key` on ``(label, properties)`` pairs.

    Spec: pep825:ordering-step-7
    """
    a_key = variant_sort_key(a[0], a[1], order)
    b_key = variant_sort_key(b[0], b[1], order)
    return (a_key > b_key) - (a_key < b_key)


def variant_sort_key(
    label: str, properties: Properties, order: VariantOrder
) -> tuple[tuple[PropertyKey, ...], str]:
    """Steps 4-7 as one key: sorting by it orders groups as :func:`compare_variants` does.

    The key is the step-6 list of property keys followed by a marker that
    sorts after every real key (so a longer list that shares a prefix wins),
    then the label as the tie-break.
    """
    keys = [property_key(p, order) for p in best_value_properties(properties, order)]
    return group_sort_key(label, sort_property_keys(keys))


def order_variants(variants: Mapping[str, Properties], order: VariantOrder) -> list[str]:
    """Order compatible variant labels, most preferred first (the null variant last).

    Every label must be compatible (see :func:`is_compatible`).

    Spec: pep825:ordering-step-7, pep825:ordering-null-last
    """
    ranked = sorted(variants, key=lambda label: variant_sort_key(label, variants[label], order))
    return null_last(ranked)


def rank_variants(
    variants: Mapping[str, Properties], order: VariantOrder
) -> tuple[list[str], dict[str, list[tuple[str, str]]]]:
    """Filter and order in one pass: steps 4-7 for every compatible label, the null variant last.

    :returns: the compatible labels, most preferred first, and for every
        incompatible label its features without a compatible value.

    Equivalent to :func:`unsupported_features` followed by
    :func:`order_variants` (the benchmark in ``benchmarks/bench_ordering.py``
    orders 10,000 variants with it).

    Spec: pep825:property-compatibility, pep825:ordering-step-4,
    pep825:ordering-step-7, pep825:ordering-null-last
    """
    keys: dict[str, tuple[tuple[PropertyKey, ...], str]] = {}
    incompatible: dict[str, list[tuple[str, str]]] = {}
    # Steps 4-5 once per distinct (namespace, feature, values): many groups share them.
    seen: dict[tuple[str, str, tuple[str, ...]], PropertyKey | None] = {}
    for label, properties in variants.items():
        found: list[PropertyKey] = []
        missing: list[tuple[str, str]] = []
        for namespace, features in properties.items():
            for feature, values in features.items():
                item = (namespace, feature, tuple(values))
                if item not in seen:
                    value = best_value(values, order.supported_values(namespace, feature))
                    seen[item] = None if value is None else property_key((namespace, feature, value), order)
                key = seen[item]
                if key is None:
                    missing.append((namespace, feature))
                else:
                    found.append(key)
        if missing:
            incompatible[label] = missing
        else:
            keys[label] = group_sort_key(label, sort_property_keys(found))
    return null_last(sorted(keys, key=keys.__getitem__)), incompatible
