"""The in-memory model of variant metadata, shared by every layer.

Loading and validating documents lives in :mod:`reference.format.metadata`; this
module only holds the validated values and turns them back into JSON.

``variants`` maps a label to ``{namespace: {feature: values}}`` as in
``variant.json``; values keep the order of the document they came from.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from reference.format.properties import VariantFeature, VariantProperty

__all__ = [
    "ABI_DEPENDENCY",
    "ABI_VALUE_RE",
    "SCHEMA_0_1_1",
    "SCHEMA_0_2_0",
    "Properties",
    "ProviderInfo",
    "VariantMetadata",
    "canonical_json",
    "iter_properties",
]

ABI_DEPENDENCY = "abi_dependency"
"""The namespace the providers text reserves for the ABI dependency provider."""

# Providers text, "ABI Dependency Variant Provider": the value "MUST be a valid
# release segment of a public version identifier ... It MUST contain up to
# three version components".
ABI_VALUE_RE = re.compile(r"[0-9]+(?:\.[0-9]+){0,2}")
"""An ``abi_dependency`` feature value: a release segment of one to three components."""

SCHEMA_0_1_1 = "https://variants-schema.wheelnext.dev/peps/825/v0.1.1.json"
SCHEMA_0_2_0 = "https://variants-schema.wheelnext.dev/peps/850/v0.2.0.json"

Properties = Mapping[str, Mapping[str, tuple[str, ...]]]
"""``{namespace: {feature: (value, ...)}}`` for one variant label."""


def iter_properties(properties: Properties) -> Iterator[VariantProperty]:
    """Expand ``{namespace: {feature: values}}`` into properties, in document order."""
    for namespace, features in properties.items():
        for feature, values in features.items():
            for value in values:
                yield VariantProperty(namespace, feature, value)


@dataclass(frozen=True)
class ProviderInfo:
    """``providers.{namespace}`` of format 0.2.0 (as implemented, see NOTES.md).

    Exactly one of ``requires``, ``static_properties``, ``builtin`` (or, in
    ``pyproject.toml``, ``build_requires``) is set.
    """

    namespace: str
    requires: tuple[str, ...] | None = None
    static_properties: Mapping[str, tuple[str, ...]] | None = None
    builtin: str | None = None
    build_requires: tuple[str, ...] | None = None
    optional: bool = False
    plugin_api: str | None = None
    feature_order: tuple[str, ...] | None = None

    def ordered_static_features(self) -> list[str]:
        """Static features in preference order (``feature-order`` if given)."""
        if self.static_properties is None:
            return []
        if self.feature_order:
            return list(self.feature_order)
        return list(self.static_properties)

    def to_json(self) -> dict[str, Any]:
        """The ``providers.{namespace}`` JSON object."""
        out: dict[str, Any] = {}
        if self.requires is not None:
            out["requires"] = list(self.requires)
        if self.build_requires is not None:
            out["build-requires"] = list(self.build_requires)
        if self.static_properties is not None:
            out["static-properties"] = {k: list(v) for k, v in self.static_properties.items()}
        if self.builtin is not None:
            out["builtin"] = self.builtin
        if self.feature_order is not None:
            out["feature-order"] = list(self.feature_order)
        if self.optional:
            out["optional"] = True
        if self.plugin_api is not None:
            out["plugin-api"] = self.plugin_api
        return out


@dataclass(frozen=True)
class VariantMetadata:
    """One validated variant metadata document (or a combination of several).

    :param schema: the ``$schema`` URL.
    :param namespace_priorities: ``default-priorities.namespace``, in order.
    :param variants: label -> properties.
    :param providers: ``providers`` (format 0.2.0), or ``None`` for 0.1.1.
    :param source: where it came from, for messages (a path, or ``a + b``).
    """

    schema: str
    namespace_priorities: tuple[str, ...]
    variants: Mapping[str, Properties]
    providers: Mapping[str, ProviderInfo] | None = None
    source: str = field(default="", compare=False)

    @property
    def version(self) -> tuple[int, int, int]:
        """The format version read from ``$schema`` (``(0, 1, 1)`` ...)."""
        from reference.format.versions import schema_version

        return schema_version(self.schema)

    def properties(self, label: str) -> list[VariantProperty]:
        """Every property the label maps to, expanded (``[]`` for ``null``)."""
        return list(iter_properties(self.variants[label]))

    def features(self, label: str) -> list[VariantFeature]:
        """The features the label declares."""
        return [
            VariantFeature(namespace, feature)
            for namespace, features in self.variants[label].items()
            for feature in features
        ]

    def to_json(self) -> dict[str, Any]:
        """The document as JSON data, keys in the format's order."""
        out: dict[str, Any] = {
            "$schema": self.schema,
            "default-priorities": {"namespace": list(self.namespace_priorities)},
        }
        if self.providers is not None:
            out["providers"] = {ns: info.to_json() for ns, info in self.providers.items()}
        out["variants"] = {
            label: {
                namespace: {feature: list(values) for feature, values in features.items()}
                for namespace, features in properties.items()
            }
            for label, properties in self.variants.items()
        }
        return out

    def dumps(self) -> str:
        """Canonical JSON text; see :func:`canonical_json`."""
        return canonical_json(self.to_json())


def canonical_json(data: Any) -> str:
    """Deterministic JSON: sorted keys, value lists sorted, two-space indent, final newline.

    Value lists are written sorted because PEP 825 says "The third level
    values are sets of feature values, converted to lists and sorted
    lexically" (pep825:variants-values-sorted). Other lists keep their order:
    ``default-priorities.namespace``, ``static-properties`` values and
    ``feature-order`` are preference orders.
    """
    if isinstance(data, dict) and isinstance(data.get("variants"), dict):
        data = dict(data)
        data["variants"] = {
            label: {
                namespace: {feature: sorted(values) for feature, values in features.items()}
                for namespace, features in properties.items()
            }
            for label, properties in data["variants"].items()
        }
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
