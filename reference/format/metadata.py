"""Load and validate variant metadata documents (PEP 825 "Variant metadata").

Three kinds of document share one structure:

- ``wheel``: ``*.dist-info/variant.json`` inside a variant wheel;
- ``index``: the index-level ``{name}-{version}-variants.json``;
- ``pyproject``: the ``[variant]`` table of ``pyproject.toml`` (building draft).

Validation runs in three layers and reports every problem it finds at once:
the format version (``$schema``), the JSON Schema of that version
(``schemas/variant-*.json``, Draft 2020-12; :mod:`reference.format._schema` runs it
and maps its errors to clauses), then the rules a schema cannot express
(:mod:`reference.format._rules`, each in its own function citing its clause).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any, Literal

from reference.errors import InvalidVariantMetadata, UnsupportedSchemaVersion, Violation
from reference.format._rules import (
    _abi_dependency,
    _namespaces_listed,
    _null_label,
    _provider_rules,
    _single_entry,
)
from reference.format._schema import _SCHEMA_FILES, _schema_violations, json_pointer
from reference.format._schema import SCHEMA_DIR as SCHEMA_DIR  # re-exported: the public names stay here
from reference.format._schema import pyproject_schema as pyproject_schema
from reference.format.model import SCHEMA_0_2_0, ProviderInfo, VariantMetadata
from reference.format.versions import KNOWN_SCHEMAS, SUPPORTED_VERSIONS, schema_version
from reference.limits import parse_json, quoted

__all__ = [
    "Kind",
    "MetadataWarning",
    "check_version",
    "json_pointer",
    "load_metadata",
    "parse_json_bytes",
]

Kind = Literal["wheel", "index", "pyproject"]


class MetadataWarning(UserWarning):
    """A document was accepted, with a caveat (for example a newer minor version).

    Spec: pep825:minor-version
    """


# --------------------------------------------------------------------------
# JSON input


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def parse_json_bytes(raw: bytes, source: str = "") -> Any:
    """Parse strict JSON: UTF-8, no duplicate object keys, no NaN/Infinity.

    :param raw: the file's bytes.
    :param source: where they came from, for messages.
    :raises InvalidVariantMetadata: with clause ``reference:json-syntax``.
    :raises reference.limits.LimitExceeded: nested deeper, or a number longer, than the limits.

    Spec: reference:json-syntax
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidVariantMetadata(
            Violation(
                "reference:json-syntax",
                f"not valid UTF-8 (byte {exc.start}: {exc.reason})",  # pragma: no mutate
                "",  # pragma: no mutate
                source,
            )
        ) from None
    try:
        return parse_json(text, source, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except _DuplicateKey as exc:
        raise InvalidVariantMetadata(
            Violation(
                "reference:json-syntax",
                f"duplicate object key {quoted(exc.key)}: "  # pragma: no mutate
                "JSON object keys must be unique",  # pragma: no mutate
                "",  # pragma: no mutate
                source,
            )
        ) from None
    except ValueError as exc:  # json.JSONDecodeError is a ValueError
        raise InvalidVariantMetadata(
            Violation("reference:json-syntax", f"invalid JSON: {exc}", "", source)
        ) from None


# --------------------------------------------------------------------------
# Format version


def check_version(schema_url: object, source: str = "") -> tuple[list[Violation], list[str]]:
    """Decide whether a ``$schema`` URL names a format version the reference reads.

    - a URL without a version, or not a string: rejected (``pep825:schema-url``);
    - a ``0.x`` draft: accepted only if it is one this reference knows exactly
      (``pep825:draft-versions``: "Tools MUST NOT make any compatibility
      assumptions over these versions");
    - an unsupported major version: rejected (``pep825:major-version``);
    - a newer minor of a supported (non-draft) major: accepted with a warning
      (``pep825:minor-version``).

    :returns: ``(violations, warnings)``; the URL is acceptable without violations.
    """
    where = json_pointer("$schema")
    if not isinstance(schema_url, str):
        return [Violation("pep825:schema-url", "$schema must be a string URL", where, source)], []
    major, minor, patch = schema_version(schema_url)
    if major < 0:
        return [
            Violation(
                "pep825:schema-url",
                f"$schema {quoted(schema_url)} does not "  # pragma: no mutate
                "name a format version (…/vX.Y.Z.json)",  # pragma: no mutate
                where,
                source,
            )
        ], []
    if schema_url in KNOWN_SCHEMAS:
        return [], []
    if major == 0:
        return [
            Violation(
                "pep825:draft-versions",
                f"$schema {quoted(schema_url)} names draft "  # pragma: no mutate
                f"version {major}.{minor}.{patch}, which this "  # pragma: no mutate
                "reference does not know exactly; drafts carry no compatibility promise",  # pragma: no mutate
                where,
                source,
            )
        ], []
    same_major = [v for v in SUPPORTED_VERSIONS if v[0] == major]
    if not same_major:
        return [
            Violation(
                "pep825:major-version",
                f"$schema {quoted(schema_url)} has major version {major}, "  # pragma: no mutate
                "which this reference does not support",  # pragma: no mutate
                where,
                source,
            )
        ], []
    latest = max(same_major)
    if (minor, patch) > latest[1:]:
        return [], [
            f"{source or 'document'}: format "  # pragma: no mutate
            f"{major}.{minor}.{patch} is newer than the latest "  # pragma: no mutate
            f"supported {'.'.join(map(str, latest))}; reading "  # pragma: no mutate
            "it as that version [pep825:minor-version]"  # pragma: no mutate
        ]
    return [], []


def _effective_version(schema_url: str) -> tuple[int, int, int]:
    version = schema_version(schema_url)
    if version in _SCHEMA_FILES:
        return version
    # A newer minor of a supported major: read it as the latest of that major.
    return max(v for v in SUPPORTED_VERSIONS if v[0] == version[0])


# --------------------------------------------------------------------------
# Building the model


def _to_model(data: Mapping[str, Any], schema_url: str, source: str) -> VariantMetadata:
    variants = {
        label: {
            namespace: {feature: tuple(values) for feature, values in features.items()}
            for namespace, features in properties.items()
        }
        for label, properties in data.get("variants", {}).items()
    }
    providers: dict[str, ProviderInfo] | None = None
    raw_providers = data.get("providers")
    if isinstance(raw_providers, dict):
        providers = {}
        for namespace, info in raw_providers.items():
            static = info.get("static-properties")
            providers[namespace] = ProviderInfo(
                namespace=namespace,
                requires=tuple(info["requires"]) if "requires" in info else None,
                static_properties=(
                    {feature: tuple(values) for feature, values in static.items()}
                    if static is not None
                    else None
                ),
                builtin=info.get("builtin"),
                build_requires=tuple(info["build-requires"]) if "build-requires" in info else None,
                optional=bool(info.get("optional", False)),
                plugin_api=info.get("plugin-api"),
                feature_order=tuple(info["feature-order"]) if "feature-order" in info else None,
            )
    return VariantMetadata(
        schema=schema_url,
        namespace_priorities=tuple(data["default-priorities"]["namespace"]),
        variants=variants,
        providers=providers,
        source=source,
    )


def load_metadata(
    data: Mapping[str, Any],
    *,
    kind: Kind,
    source: str = "",
    label: str | None = None,
) -> VariantMetadata:
    """Validate one document and return its model.

    :param data: the parsed JSON (or, for ``pyproject``, the ``[variant]``
        table; a whole ``pyproject.toml`` mapping is accepted too).
    :param kind: ``wheel`` (``variant.json``), ``index``
        (``*-variants.json``) or ``pyproject``.
    :param source: where the document came from, for messages.
    :param label: for ``wheel``: the variant label of the wheel's filename.
    :raises UnsupportedSchemaVersion: the ``$schema`` version cannot be read.
    :raises InvalidVariantMetadata: listing every violation found.
    :warns MetadataWarning: for a newer minor version (``pep825:minor-version``).

    Spec: pep825:metadata-structure, pep825:variants-single-entry,
    pep825:default-priorities-namespace, pep825:null-label, providers:*
    """
    document = _document(data, kind, source)
    schema_url: Any = document.get("$schema")
    if kind == "pyproject" and "$schema" not in document:
        schema_url = SCHEMA_0_2_0
    problems, notes = check_version(schema_url, source)
    if problems:
        raise UnsupportedSchemaVersion(problems)
    for note in notes:
        warnings.warn(note, MetadataWarning, stacklevel=2)
    version = _effective_version(schema_url)
    violations = list(_schema_violations(document, _validator_key(kind, version, source), source))
    violations += _rule_violations(document, kind, label, version, source)
    if violations:
        raise InvalidVariantMetadata(_dedupe(violations))
    return _to_model(document, str(schema_url), source)


def _document(data: Any, kind: Kind, source: str) -> Mapping[str, Any]:
    """The document to validate: a JSON object (for ``pyproject``, the ``[variant]`` table).

    Spec: pep825:metadata-structure
    """
    pyproject_toml = isinstance(data, Mapping) and "variant" in data and "default-priorities" not in data
    if kind == "pyproject" and pyproject_toml:
        data = data["variant"]
    if not isinstance(data, Mapping):
        raise InvalidVariantMetadata(
            Violation("pep825:metadata-structure", "variant metadata must be a JSON object", "", source)
        )
    return data


def _validator_key(kind: Kind, version: tuple[int, int, int], source: str) -> str:
    """Which JSON Schema checks the document: its format version's, or the ``[variant]`` table's.

    Spec: building:pyproject-table
    """
    if kind != "pyproject":
        return _SCHEMA_FILES[version]
    if version < (0, 2, 0):
        raise UnsupportedSchemaVersion(
            Violation(
                "building:pyproject-table",
                "the [variant] table uses format 0.2.0 or later (it holds providers)",  # pragma: no mutate
                json_pointer("$schema"),  # pragma: no mutate
                source,
            )
        )
    return "pyproject"


def _rule_violations(
    data: Mapping[str, Any], kind: Kind, label: str | None, version: tuple[int, int, int], source: str
) -> list[Violation]:
    """The third layer: the rules of :mod:`reference.format._rules`, which a schema cannot express.

    Values of the wrong type were reported by the schema and are skipped here.
    """
    variants = data.get("variants")
    variants = variants if isinstance(variants, dict) else {}
    priorities = data.get("default-priorities")
    namespaces = priorities.get("namespace") if isinstance(priorities, dict) else None
    namespaces = [n for n in namespaces if isinstance(n, str)] if isinstance(namespaces, list) else []
    violations: list[Violation] = []
    if kind == "wheel":
        violations += _single_entry(variants, label, source)
    violations += _null_label(variants, source)
    violations += _namespaces_listed(variants, namespaces, version, source)
    if version >= (0, 2, 0):
        violations += _provider_rules(data, namespaces, source)
        violations += _abi_dependency(variants, source)
    return violations


def _dedupe(violations: list[Violation]) -> list[Violation]:
    seen: set[Violation] = set()
    out: list[Violation] = []
    for violation in violations:
        if violation not in seen:
            seen.add(violation)
            out.append(violation)
    return out
