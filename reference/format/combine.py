"""Metadata consistency and combination (PEP 825 "Metadata consistency").

Documents of one release (wheels' ``variant.json`` and the index-level file)
are combined into one:

- ``default-priorities.namespace``: identical lists, or the longer starts with
  the shorter; the longer wins (``pep825:consistency-default-priorities``);
- ``variants``: the union, where one label always maps to the same set of
  properties (``pep825:consistency-variants``);
- ``providers`` (format 0.2.0): the union, where one namespace always has the
  same provider information.

Both rules are symmetric, so the result does not depend on input order
(``pep825:consistency-order-independent``): values, labels, namespaces and
features of the result are sorted.
"""

from __future__ import annotations

from collections.abc import Iterable

from reference.errors import InconsistentMetadata, Violation
from reference.format.model import SCHEMA_0_1_1, SCHEMA_0_2_0, Properties, ProviderInfo, VariantMetadata
from reference.limits import quoted

__all__ = [
    "check_priorities_prefix",
    "check_same_properties",
    "check_same_provider",
    "combine",
    "longest_priorities",
    "normalize_properties",
]

_CANONICAL_URL = {(0, 1, 1): SCHEMA_0_1_1, (0, 2, 0): SCHEMA_0_2_0}


def normalize_properties(properties: Properties) -> dict[str, dict[str, tuple[str, ...]]]:
    """Properties with namespaces, features and values sorted (values are sets)."""
    return {
        namespace: {feature: tuple(sorted(set(values))) for feature, values in sorted(features.items())}
        for namespace, features in sorted(properties.items())
    }


def _name(document: VariantMetadata, index: int) -> str:
    return document.source or f"document #{index + 1}"


def combine(documents: Iterable[VariantMetadata]) -> VariantMetadata:
    """Combine documents of one release into one.

    :param documents: at least one validated document.
    :raises InconsistentMetadata: naming the label or key at fault and the two
        sources that disagree.
    :raises ValueError: no document was given.

    Spec: pep825:consistency-default-priorities, pep825:consistency-variants,
    pep825:consistency-order-independent
    """
    docs = list(documents)
    if not docs:
        raise ValueError("combine() needs at least one document")
    names = [_name(d, i) for i, d in enumerate(docs)]
    return VariantMetadata(
        schema=_combine_schema(docs, names),
        namespace_priorities=_combine_priorities(docs, names),
        variants=_combine_variants(docs, names),
        providers=_combine_providers(docs, names),
        source=" + ".join(sorted(set(names))),
    )


def _combine_schema(docs: list[VariantMetadata], names: list[str]) -> str:
    """One format version for all; the ``$schema`` URL they share, else the canonical one."""
    versions = {d.version for d in docs}
    if len(versions) > 1:
        first = docs[0]
        other = next(i for i, d in enumerate(docs) if d.version != first.version)
        raise InconsistentMetadata(
            Violation(
                "reference:consistency-format-version",
                f"{names[0]} uses format {_v(first.version)} but {names[other]} uses "  # pragma: no mutate
                f"{_v(docs[other].version)}",
                "/$schema",  # pragma: no mutate
                f"{names[0]} + {names[other]}",  # pragma: no mutate
            )
        )
    urls = {d.schema for d in docs}
    return urls.pop() if len(urls) == 1 else _CANONICAL_URL.get(docs[0].version, min(urls))


def _combine_priorities(docs: list[VariantMetadata], names: list[str]) -> tuple[str, ...]:
    """``default-priorities.namespace``: the longest list (:func:`longest_priorities`), every
    other a prefix of it (:func:`check_priorities_prefix`).

    Spec: pep825:consistency-default-priorities, pep825:default-priorities-extension
    """
    longest_index = longest_priorities(docs)
    check_priorities_prefix(docs, names, longest_index)
    return tuple(docs[longest_index].namespace_priorities)


def longest_priorities(docs: list[VariantMetadata]) -> int:
    """"Combining the values MUST yield the longer list": the index of the document with the
    longest ``default-priorities.namespace`` (the last of equal ones).

    Spec: pep825:default-priorities-extension
    """
    return max(range(len(docs)), key=lambda i: (len(docs[i].namespace_priorities), i))


def check_priorities_prefix(docs: list[VariantMetadata], names: list[str], longest_index: int) -> None:
    """"the lists MUST either be identical, or the longer MUST start with the elements of the
    shorter one, in the same order".

    :raises InconsistentMetadata: a list that is not a prefix of the longest.

    Spec: pep825:consistency-default-priorities
    """
    longest = docs[longest_index].namespace_priorities
    for index, doc in enumerate(docs):
        shorter = doc.namespace_priorities
        if longest[: len(shorter)] != shorter:
            raise InconsistentMetadata(
                Violation(
                    "pep825:consistency-default-priorities",
                    "default-priorities.namespace differs: "  # pragma: no mutate
                    f"{list(shorter)} in {names[index]}, "  # pragma: no mutate
                    f"{list(longest)} in {names[longest_index]}; one must start with the other",
                    "/default-priorities/namespace",  # pragma: no mutate
                    f"{names[index]} + {names[longest_index]}",  # pragma: no mutate
                )
            )


def _combine_variants(
    docs: list[VariantMetadata], names: list[str]
) -> dict[str, dict[str, dict[str, tuple[str, ...]]]]:
    """``variants``: "Combining them MUST yield the union of the dictionaries", one label
    always mapping to the same properties (:func:`check_same_properties`); sorted by label.

    Spec: pep825:consistency-variants
    """
    variants: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {}
    origin: dict[str, int] = {}
    for index, doc in enumerate(docs):
        for label, properties in doc.variants.items():
            normal = normalize_properties(properties)
            if label not in variants:
                variants[label] = normal
                origin[label] = index
            else:
                check_same_properties(label, variants[label], normal, names[origin[label]], names[index])
    return dict(sorted(variants.items()))


def check_same_properties(
    label: str, first: Properties, other: Properties, first_name: str, name: str
) -> None:
    """"the same variant label MUST always map to the same set of properties".

    :raises InconsistentMetadata: the two documents map *label* differently.

    Spec: pep825:consistency-variants
    """
    if first != other:
        raise InconsistentMetadata(
            Violation(
                "pep825:consistency-variants",
                f"variant label {quoted(label)} maps to "  # pragma: no mutate
                f"different properties in {first_name} and {name}",  # pragma: no mutate
                f"/variants/{label}",  # pragma: no mutate
                f"{first_name} + {name}",  # pragma: no mutate
            )
        )


def _combine_providers(docs: list[VariantMetadata], names: list[str]) -> dict[str, ProviderInfo] | None:
    """``providers`` (format 0.2.0): the union, one namespace always having the same provider
    information (:func:`check_same_provider`).

    Spec: reference:consistency-providers
    """
    if all(d.providers is None for d in docs):
        return None
    providers: dict[str, ProviderInfo] = {}
    origin: dict[str, int] = {}
    for index, doc in enumerate(docs):
        for namespace, info in (doc.providers or {}).items():
            if namespace not in providers:
                providers[namespace] = info
                origin[namespace] = index
            else:
                first = names[origin[namespace]]
                check_same_provider(namespace, providers[namespace], info, first, names[index])
    return dict(sorted(providers.items()))


def check_same_provider(
    namespace: str, first: ProviderInfo, other: ProviderInfo, first_name: str, name: str
) -> None:
    """The documents of one release describe a namespace's provider the same way.

    :raises InconsistentMetadata: they differ.

    Spec: reference:consistency-providers
    """
    if first.to_json() != other.to_json():
        raise InconsistentMetadata(
            Violation(
                "reference:consistency-providers",
                f"providers.{namespace} differs between {first_name} and {name}",  # pragma: no mutate
                f"/providers/{namespace}",  # pragma: no mutate
                f"{first_name} + {name}",  # pragma: no mutate
            )
        )


def _v(version: tuple[int, int, int]) -> str:
    return ".".join(map(str, version))
