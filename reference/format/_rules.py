"""The third layer of variant metadata validation: rules a JSON Schema cannot express.

:mod:`reference.format.metadata` runs these after the schema (:mod:`reference.format._schema`);
each function checks one rule of PEP 825 "Variant metadata" or of the
providers text, and yields a :class:`~reference.errors.Violation` citing its
clause for every breach, so that all problems are reported at once. They read
the parsed document defensively: a value of the wrong type has already been
reported by the schema and is skipped here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from reference.errors import Violation
from reference.format._schema import json_pointer
from reference.format.model import ABI_DEPENDENCY, ABI_VALUE_RE
from reference.limits import quoted

# The checks keep the private names they had in reference.format.metadata, which
# imports them under those names (so patching reference.format.metadata._null_label,
# as the mutation catalogue does, still takes effect).
__all__: list[str] = []

# A normalized project name (PEP 503 / name normalization), with the "-" a
# feature name cannot hold written as "_".
_NORMALIZED_NAME_RE = re.compile(r"[a-z0-9]+(?:_[a-z0-9]+)*")


def _single_entry(variants: Mapping[str, Any], label: str | None, source: str) -> Iterator[Violation]:
    """Spec: pep825:variants-single-entry"""
    if len(variants) != 1:
        yield Violation(
            "pep825:variants-single-entry",
            f"a wheel's variants must hold exactly one entry, found {len(variants)}",  # pragma: no mutate
            json_pointer("variants"),  # pragma: no mutate
            source,
        )
    if label is not None:
        for key in variants:
            if key != label:
                yield Violation(
                    "pep825:variants-single-entry",
                    f"variants entry {quoted(key)} does not "  # pragma: no mutate
                    "match the filename's variant label "  # pragma: no mutate
                    f"{quoted(label)}",  # pragma: no mutate
                    json_pointer("variants", key),  # pragma: no mutate
                    source,
                )


def _null_label(variants: Mapping[str, Any], source: str) -> Iterator[Violation]:
    """Spec: pep825:null-label"""
    if isinstance(variants.get("null"), dict) and variants["null"]:
        yield Violation(
            "pep825:null-label",
            "the reserved label 'null' is the variant with zero properties",  # pragma: no mutate
            json_pointer("variants", "null"),  # pragma: no mutate
            source,
        )


def _namespaces_listed(
    variants: Mapping[str, Any], namespaces: list[str], version: tuple[int, int, int], source: str
) -> Iterator[Violation]:
    """Spec: pep825:default-priorities-namespace"""
    listed = set(namespaces)
    for label, properties in variants.items():
        if not isinstance(properties, dict):
            continue
        for namespace in properties:
            if namespace in listed:
                continue
            if namespace == ABI_DEPENDENCY and version >= (0, 2, 0):
                continue  # providers text: reserved, listed in neither place
            yield Violation(
                "pep825:default-priorities-namespace",
                f"namespace {quoted(namespace)} is used but "  # pragma: no mutate
                "not listed in default-priorities.namespace",  # pragma: no mutate
                json_pointer("variants", label, namespace),  # pragma: no mutate
                source,
            )


def _provider_rules(data: Mapping[str, Any], namespaces: list[str], source: str) -> Iterator[Violation]:
    """Spec: providers:keys-match-namespaces, providers:abi-reserved, providers:feature-order"""
    providers = data.get("providers")
    if not isinstance(providers, dict):
        return
    for index, namespace in enumerate(namespaces):
        if namespace == ABI_DEPENDENCY:
            yield Violation(
                "providers:abi-reserved",
                "the abi_dependency namespace must not be "  # pragma: no mutate
                "listed in default-priorities.namespace",  # pragma: no mutate
                json_pointer("default-priorities", "namespace", index),  # pragma: no mutate
                source,
            )
        elif namespace not in providers:
            yield Violation(
                "providers:keys-match-namespaces",
                f"namespace {quoted(namespace)} has no providers entry",  # pragma: no mutate
                json_pointer("default-priorities", "namespace", index),  # pragma: no mutate
                source,
            )
    for namespace, info in providers.items():
        if namespace == ABI_DEPENDENCY:
            yield Violation(
                "providers:abi-reserved",
                "the abi_dependency namespace must not be listed in providers",  # pragma: no mutate
                json_pointer("providers", namespace),  # pragma: no mutate
                source,
            )
        elif namespace not in namespaces:
            yield Violation(
                "providers:keys-match-namespaces",
                f"providers entry {quoted(namespace)} is "  # pragma: no mutate
                "not listed in default-priorities.namespace",  # pragma: no mutate
                json_pointer("providers", namespace),  # pragma: no mutate
                source,
            )
        if not isinstance(info, dict):
            continue
        static = info.get("static-properties")
        order = info.get("feature-order")
        if isinstance(static, dict) and (len(static) > 1 or isinstance(order, list)):
            named = {f for f in order if isinstance(f, str)} if isinstance(order, list) else set()
            if named != set(static):
                yield Violation(
                    "providers:feature-order",
                    "feature-order must name exactly the features of static-properties "  # pragma: no mutate
                    f"(has {sorted(named)}, needs {sorted(static)})",
                    json_pointer("providers", namespace, "feature-order"),  # pragma: no mutate
                    source,
                )
        for key in ("requires", "build-requires"):
            specs = info.get(key)
            if isinstance(specs, list):
                yield from _requirements(specs, namespace, key, source)


def _requirements(specs: list[Any], namespace: str, key: str, source: str) -> Iterator[Violation]:
    """Spec: providers:requires-format"""
    from packaging.requirements import InvalidRequirement, Requirement

    from reference.limits import guard_recursion, quoted

    for index, spec in enumerate(specs):
        if not isinstance(spec, str):
            continue
        try:
            with guard_recursion(source, json_pointer("providers", namespace, key, index)):
                Requirement(spec)
        except InvalidRequirement as exc:
            yield Violation(
                "providers:requires-format",
                f"{quoted(spec)} is not a dependency specifier: {quoted(str(exc))}",  # pragma: no mutate
                json_pointer("providers", namespace, key, index),  # pragma: no mutate
                source,
            )


def _abi_dependency(variants: Mapping[str, Any], source: str) -> Iterator[Violation]:
    """Spec: providers:abi-feature-name, providers:abi-value"""
    for label, properties in variants.items():
        if not isinstance(properties, dict):
            continue
        features = properties.get(ABI_DEPENDENCY)
        if not isinstance(features, dict):
            continue
        for feature, values in features.items():
            if not _NORMALIZED_NAME_RE.fullmatch(feature):
                yield Violation(
                    "providers:abi-feature-name",
                    f"abi_dependency feature {quoted(feature)} "  # pragma: no mutate
                    "must be a normalized project name",  # pragma: no mutate
                    json_pointer("variants", label, ABI_DEPENDENCY, feature),  # pragma: no mutate
                    source,
                )
            if not isinstance(values, list):
                continue
            for index, value in enumerate(values):
                if isinstance(value, str) and not ABI_VALUE_RE.fullmatch(value):
                    yield Violation(
                        "providers:abi-value",
                        f"abi_dependency value {quoted(value)} must "  # pragma: no mutate
                        "be a release segment of up to three "  # pragma: no mutate
                        "components (such as 2, 2.9 or 2.8.0)",  # pragma: no mutate
                        json_pointer("variants", label, ABI_DEPENDENCY, feature, index),  # pragma: no mutate
                        source,
                    )
