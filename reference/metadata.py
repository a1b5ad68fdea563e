"""Load and validate variant metadata documents (PEP 825 "Variant metadata").

Three kinds of document share one structure:

- ``wheel``: ``*.dist-info/variant.json`` inside a variant wheel;
- ``index``: the index-level ``{name}-{version}-variants.json``;
- ``pyproject``: the ``[variant]`` table of ``pyproject.toml`` (building draft).

Validation runs in three layers and reports every problem it finds at once:
the format version (``$schema``), the JSON Schema of that version
(``schemas/variant-*.json``, Draft 2020-12), then the rules a schema cannot
express, each in its own function citing its clause.
"""

from __future__ import annotations

import copy
import functools
import json
import re
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

from reference.errors import InvalidVariantMetadata, UnsupportedSchemaVersion, Violation
from reference.model import ABI_DEPENDENCY, SCHEMA_0_2_0, ProviderInfo, VariantMetadata
from reference.versions import KNOWN_SCHEMAS, SUPPORTED_VERSIONS, schema_version

__all__ = [
    "Kind",
    "MetadataWarning",
    "check_version",
    "document_kind",
    "json_pointer",
    "load_metadata",
    "load_path",
    "parse_json_bytes",
]

Kind = Literal["wheel", "index", "pyproject"]

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
"""Where the project's JSON Schema files live (``schemas/`` at the top of the tree)."""

_SCHEMA_FILES: dict[tuple[int, int, int], str] = {
    (0, 1, 1): "variant-0.1.1.json",
    (0, 2, 0): "variant-0.2.0.json",
}

# Providers text, "ABI Dependency Variant Provider": the value "MUST be a valid
# release segment of a public version identifier ... It MUST contain up to
# three version components".
_ABI_VALUE_RE = re.compile(r"[0-9]+(?:\.[0-9]+){0,2}")
# A normalized project name (PEP 503 / name normalization), with the "-" a
# feature name cannot hold written as "_".
_NORMALIZED_NAME_RE = re.compile(r"[a-z0-9]+(?:_[a-z0-9]+)*")
_INDEX_SUFFIX = "-variants.json"


class MetadataWarning(UserWarning):
    """A document was accepted, with a caveat (for example a newer minor version).

    Spec: pep825:minor-version
    """


# --------------------------------------------------------------------------
# JSON input


def json_pointer(*parts: str | int) -> str:
    """An RFC 6901 JSON Pointer to ``parts`` (``""`` for the whole document)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


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

    Spec: reference:json-syntax
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidVariantMetadata(
            Violation(
                "reference:json-syntax",
                f"not valid UTF-8 (byte {exc.start}: {exc.reason})",
                "",
                source,
            )
        ) from None
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except _DuplicateKey as exc:
        raise InvalidVariantMetadata(
            Violation(
                "reference:json-syntax",
                f"duplicate object key {exc.key!r}: JSON object keys must be unique",
                "",
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

    :returns: ``(violations, warnings)``; the URL is acceptable when there are
        no violations.
    """
    where = json_pointer("$schema")
    if not isinstance(schema_url, str):
        return [Violation("pep825:schema-url", "$schema must be a string URL", where, source)], []
    major, minor, patch = schema_version(schema_url)
    if major < 0:
        return [
            Violation(
                "pep825:schema-url",
                f"$schema {schema_url!r} does not name a format version (…/vX.Y.Z.json)",
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
                f"$schema {schema_url!r} names draft version {major}.{minor}.{patch}, which this "
                "reference does not know exactly; drafts carry no compatibility promise",
                where,
                source,
            )
        ], []
    same_major = [v for v in SUPPORTED_VERSIONS if v[0] == major]
    if not same_major:
        return [
            Violation(
                "pep825:major-version",
                f"$schema {schema_url!r} has major version {major}, which this reference does not support",
                where,
                source,
            )
        ], []
    latest = max(same_major)
    if (minor, patch) > latest[1:]:
        return [], [
            f"{source or 'document'}: format {major}.{minor}.{patch} is newer than the latest "
            f"supported {'.'.join(map(str, latest))}; reading it as that version [pep825:minor-version]"
        ]
    return [], []


def _effective_version(schema_url: str) -> tuple[int, int, int]:
    version = schema_version(schema_url)
    if version in _SCHEMA_FILES:
        return version
    # A newer minor of a supported major: read it as the latest of that major.
    return max(v for v in SUPPORTED_VERSIONS if v[0] == version[0])


# --------------------------------------------------------------------------
# JSON Schema layer


@functools.cache
def _schema(version: tuple[int, int, int]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SCHEMA_DIR / _SCHEMA_FILES[version]).read_text(encoding="utf-8"))
    return data


def pyproject_schema() -> dict[str, Any]:
    """The schema of the ``[variant]`` table: format 0.2.0 plus the building draft.

    Differences from ``variant-0.2.0.json`` (building draft, "pyproject.toml
    integration"): ``$schema`` and ``variants`` are optional ("the variants
    dictionary MAY be used"); a provider may hold ``build-requires`` in place of
    the other keys, and ``plugin-api`` may accompany it.
    """
    schema = copy.deepcopy(_schema((0, 2, 0)))
    schema["$id"] = "https://variants-schema.wheelnext.dev/reference/pyproject-variant-0.2.0.json"
    schema["required"] = ["default-priorities", "providers"]
    provider = schema["properties"]["providers"]["patternProperties"]["^[a-z0-9_]+$"]
    provider["properties"]["build-requires"] = copy.deepcopy(provider["properties"]["requires"])
    provider["oneOf"].append({"required": ["build-requires"]})
    del provider["dependentRequired"]["plugin-api"]
    provider["dependentSchemas"] = {
        "plugin-api": {"anyOf": [{"required": ["requires"]}, {"required": ["build-requires"]}]}
    }
    return schema


def _python_patterns(node: Any) -> Any:
    """The schema with every ``$`` anchor written ``\\Z``.

    JSON Schema patterns are ECMA-262 regular expressions, where ``$`` matches
    only at the end of the string; jsonschema runs them with Python's ``re``,
    where ``$`` also matches before a final newline, so ``"v3\\n"`` would pass
    ``^[a-z0-9_.]+$``. ``\\Z`` restores the specified meaning.
    """
    if isinstance(node, list):
        return [_python_patterns(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "pattern" and isinstance(value, str):
            out[key] = _anchor(value)
        elif key == "patternProperties" and isinstance(value, dict):
            out[key] = {_anchor(k): _python_patterns(v) for k, v in value.items()}
        else:
            out[key] = _python_patterns(value)
    return out


def _anchor(pattern: str) -> str:
    return pattern[:-1] + "\\Z" if pattern.endswith("$") and not pattern.endswith("\\$") else pattern


@functools.cache
def _validator(key: str, fast: bool = False) -> Any:
    """A cached Draft 2020-12 validator; ``fast`` leaves ``variants`` to :func:`_variants_ok`."""
    from jsonschema import Draft202012Validator

    schema = pyproject_schema() if key == "pyproject" else _schema(_SCHEMA_FILES_BY_NAME[key])
    schema = _python_patterns(schema)
    if fast:
        schema["properties"]["variants"] = {"type": "object"}
    return Draft202012Validator(schema)


_SCHEMA_FILES_BY_NAME = {name: version for version, name in _SCHEMA_FILES.items()}
_LABEL_RE = re.compile(r"[a-z0-9_.]+")
_NAME_RE = re.compile(r"[a-z0-9_]+")
_VALUE_RE = _LABEL_RE


def _variants_ok(variants: Any) -> bool:
    """True if ``variants`` certainly satisfies the ``variants`` schema of every version.

    A fast path only: when it says ``False`` the full schema runs and reports.
    ``tests/test_metadata.py`` checks that both paths agree.
    """
    if not isinstance(variants, dict):
        return False
    for label, namespaces in variants.items():
        if not (_LABEL_RE.fullmatch(label) and isinstance(namespaces, dict)):
            return False
        for namespace, features in namespaces.items():
            if not (_NAME_RE.fullmatch(namespace) and isinstance(features, dict)):
                return False
            for feature, values in features.items():
                if not (_NAME_RE.fullmatch(feature) and isinstance(values, list) and values):
                    return False
                for value in values:
                    if not (isinstance(value, str) and _VALUE_RE.fullmatch(value)):
                        return False
                if len(set(values)) != len(values):
                    return False
    return True


def _schema_violations(data: Any, validator_key: str, source: str, fast: bool = True) -> Iterator[Violation]:
    fast = fast and "variants" in data and _variants_ok(data["variants"])
    validator = _validator(validator_key, fast)
    for error in validator.iter_errors(data):
        yield from _map_error(error, source)


def _unexpected_keys(error: Any) -> list[str]:
    """Keys of ``error.instance`` that no ``properties``/``patternProperties`` allow."""
    schema = error.schema
    allowed = set(schema.get("properties", {}))
    patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
    return [key for key in error.instance if key not in allowed and not any(p.search(key) for p in patterns)]


def _map_error(error: Any, source: str) -> Iterator[Violation]:
    """Turn one jsonschema error into violations with clause ids and pointers."""
    path = list(error.absolute_path)
    keyword = error.validator
    top = path[0] if path else None
    depth = len(path)

    if keyword == "additionalProperties":
        for key in _unexpected_keys(error):
            where = json_pointer(*path, key)
            yield Violation(_unexpected_key_clause(path), _unexpected_key_message(path, key), where, source)
        return
    where = json_pointer(*path)
    clause = "pep825:metadata-structure"
    message = error.message
    if not path and keyword == "required" and "'providers'" in error.message:
        clause = "providers:providers-key"
    elif top == "$schema":
        clause = "pep825:schema-url"
    elif top == "default-priorities":
        if keyword == "pattern":
            clause = "pep825:property-name-charset"
            message = f"namespace {error.instance!r} must use only 0-9, a-z and _"
        elif keyword in ("minItems", "required"):
            clause = "pep825:default-priorities-namespace"
            message = "default-priorities.namespace must list at least one namespace"
        elif keyword == "uniqueItems":
            message = "default-priorities.namespace lists a namespace twice"
    elif top == "variants":
        if depth == 4 and keyword == "uniqueItems":
            clause = "pep825:variants-values-sorted"
            message = "feature values are a set: a value is listed twice"
        elif depth == 5 and keyword == "pattern":
            clause = "pep825:property-value-charset"
            message = f"feature value {error.instance!r} must use only 0-9, a-z, _ and ."
        elif depth == 4 and keyword == "minItems":
            message = "a feature must list at least one value"
    elif top == "providers":
        clause, message = _provider_clause(path, keyword, error)
    yield Violation(clause, message, where, source)


def _unexpected_key_clause(path: list[str | int]) -> str:
    if path == ["variants"]:
        return "pep825:label-charset"
    if len(path) in (2, 3) and path[0] == "variants":
        return "pep825:property-name-charset"
    if path == ["providers"]:
        return "pep825:property-name-charset"
    if len(path) == 3 and path[0] == "providers" and path[2] == "static-properties":
        return "pep825:property-name-charset"
    if len(path) == 2 and path[0] == "providers":
        return "providers:metadata-structure"
    return "pep825:metadata-structure"


def _unexpected_key_message(path: list[str | int], key: str) -> str:
    if path == ["variants"]:
        return f"variant label {key!r} must be non-empty and use only 0-9, a-z, _ and ."
    if len(path) == 2 and path[0] == "variants":
        return f"namespace {key!r} must be non-empty and use only 0-9, a-z and _"
    if len(path) == 3 and path[0] == "variants":
        return f"feature name {key!r} must be non-empty and use only 0-9, a-z and _"
    if path == ["providers"]:
        return f"namespace {key!r} must be non-empty and use only 0-9, a-z and _"
    if len(path) == 3 and path[0] == "providers":
        return f"feature name {key!r} must be non-empty and use only 0-9, a-z and _"
    where = "/".join(str(p) for p in path) or "the top level"
    return f"unknown key {key!r} in {where}"


def _provider_clause(path: list[str | int], keyword: str, error: Any) -> tuple[str, str]:
    if len(path) == 2 and not isinstance(error.instance, dict):
        return ("providers:metadata-structure", "provider information must be an object")
    if len(path) == 2 and keyword == "oneOf":
        candidates = ("requires", "static-properties", "builtin", "build-requires")
        keys = [k for k in candidates if k in error.instance]
        if "build-requires" in keys:
            return (
                "building:build-requires-exclusive",
                "with build-requires, neither requires nor static-properties may be present",
            )
        return (
            "providers:exactly-one-key",
            "provider information must hold exactly one of requires, static-properties, builtin"
            + (f" (found {', '.join(keys)})" if keys else " (found none)"),
        )
    if len(path) == 2 and keyword == "dependentRequired" and "'feature-order'" in error.message:
        return ("providers:feature-order", "feature-order is only allowed with static-properties")
    if len(path) == 2 and keyword in ("dependentRequired", "dependentSchemas", "anyOf"):
        # dependentRequired (0.2.0) or the anyOf of dependentSchemas (pyproject)
        return ("providers:plugin-api-only-with-requires", "plugin-api is only allowed with requires")
    if len(path) >= 3 and path[2] == "plugin-api":
        return (
            "providers:plugin-api-format",
            f"plugin-api {error.instance!r} must be an object reference 'module:attr' or 'module'",
        )
    if len(path) >= 3 and path[2] == "feature-order":
        if keyword == "pattern":
            return ("pep825:property-name-charset", f"feature name {error.instance!r} must use 0-9, a-z, _")
        return ("providers:feature-order", f"feature-order: {error.message}")
    if len(path) >= 3 and path[2] == "static-properties":
        if keyword == "pattern":
            message = f"feature value {error.instance!r} must use 0-9, a-z, _ and ."
            return ("pep825:property-value-charset", message)
        return ("providers:metadata-structure", f"static-properties: {error.message}")
    return ("providers:metadata-structure", error.message)


# --------------------------------------------------------------------------
# Rules a schema cannot express


def _single_entry(variants: Mapping[str, Any], label: str | None, source: str) -> Iterator[Violation]:
    """Spec: pep825:variants-single-entry"""
    if len(variants) != 1:
        yield Violation(
            "pep825:variants-single-entry",
            f"a wheel's variants must hold exactly one entry, found {len(variants)}",
            json_pointer("variants"),
            source,
        )
    if label is not None:
        for key in variants:
            if key != label:
                yield Violation(
                    "pep825:variants-single-entry",
                    f"variants entry {key!r} does not match the filename's variant label {label!r}",
                    json_pointer("variants", key),
                    source,
                )


def _null_label(variants: Mapping[str, Any], source: str) -> Iterator[Violation]:
    """Spec: pep825:null-label"""
    if isinstance(variants.get("null"), dict) and variants["null"]:
        yield Violation(
            "pep825:null-label",
            "the reserved label 'null' is the variant with zero properties",
            json_pointer("variants", "null"),
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
                f"namespace {namespace!r} is used but not listed in default-priorities.namespace",
                json_pointer("variants", label, namespace),
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
                "the abi_dependency namespace must not be listed in default-priorities.namespace",
                json_pointer("default-priorities", "namespace", index),
                source,
            )
        elif namespace not in providers:
            yield Violation(
                "providers:keys-match-namespaces",
                f"namespace {namespace!r} has no providers entry",
                json_pointer("default-priorities", "namespace", index),
                source,
            )
    for namespace, info in providers.items():
        if namespace == ABI_DEPENDENCY:
            yield Violation(
                "providers:abi-reserved",
                "the abi_dependency namespace must not be listed in providers",
                json_pointer("providers", namespace),
                source,
            )
        elif namespace not in namespaces:
            yield Violation(
                "providers:keys-match-namespaces",
                f"providers entry {namespace!r} is not listed in default-priorities.namespace",
                json_pointer("providers", namespace),
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
                    "feature-order must name exactly the features of static-properties "
                    f"(has {sorted(named)}, needs {sorted(static)})",
                    json_pointer("providers", namespace, "feature-order"),
                    source,
                )
        for key in ("requires", "build-requires"):
            specs = info.get(key)
            if isinstance(specs, list):
                yield from _requirements(specs, namespace, key, source)


def _requirements(specs: list[Any], namespace: str, key: str, source: str) -> Iterator[Violation]:
    """Spec: providers:requires-format"""
    from packaging.requirements import InvalidRequirement, Requirement

    for index, spec in enumerate(specs):
        if not isinstance(spec, str):
            continue
        try:
            Requirement(spec)
        except InvalidRequirement as exc:
            yield Violation(
                "providers:requires-format",
                f"{spec!r} is not a dependency specifier: {exc}",
                json_pointer("providers", namespace, key, index),
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
                    f"abi_dependency feature {feature!r} must be a normalized project name",
                    json_pointer("variants", label, ABI_DEPENDENCY, feature),
                    source,
                )
            if not isinstance(values, list):
                continue
            for index, value in enumerate(values):
                if isinstance(value, str) and not _ABI_VALUE_RE.fullmatch(value):
                    yield Violation(
                        "providers:abi-value",
                        f"abi_dependency value {value!r} must be a release segment of up to three "
                        "components (such as 2, 2.9 or 2.8.0)",
                        json_pointer("variants", label, ABI_DEPENDENCY, feature, index),
                        source,
                    )


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
    raw: Any = data  # callers may pass any parsed JSON value
    if (
        kind == "pyproject"
        and isinstance(raw, Mapping)
        and "variant" in raw
        and "default-priorities" not in raw
    ):
        raw = raw["variant"]
    if not isinstance(raw, Mapping):
        raise InvalidVariantMetadata(
            Violation("pep825:metadata-structure", "variant metadata must be a JSON object", "", source)
        )
    data = raw
    if kind == "pyproject" and "$schema" not in data:
        schema_url: Any = SCHEMA_0_2_0
    else:
        schema_url = data.get("$schema")
    problems, notes = check_version(schema_url, source)
    if problems:
        raise UnsupportedSchemaVersion(problems)
    for note in notes:
        warnings.warn(note, MetadataWarning, stacklevel=2)
    version = _effective_version(schema_url)
    if kind == "pyproject":
        if version < (0, 2, 0):
            raise UnsupportedSchemaVersion(
                Violation(
                    "building:pyproject-table",
                    "the [variant] table uses format 0.2.0 or later (it holds providers)",
                    json_pointer("$schema"),
                    source,
                )
            )
        validator_key = "pyproject"
    else:
        validator_key = _SCHEMA_FILES[version]

    violations = list(_schema_violations(data, validator_key, source))
    variants = data.get("variants")
    variants = variants if isinstance(variants, dict) else {}
    priorities = data.get("default-priorities")
    namespaces = priorities.get("namespace") if isinstance(priorities, dict) else None
    namespaces = [n for n in namespaces if isinstance(n, str)] if isinstance(namespaces, list) else []

    if kind == "wheel":
        violations += _single_entry(variants, label, source)
    violations += _null_label(variants, source)
    violations += _namespaces_listed(variants, namespaces, version, source)
    if version >= (0, 2, 0):
        violations += _provider_rules(data, namespaces, source)
        violations += _abi_dependency(variants, source)
    if violations:
        raise InvalidVariantMetadata(_dedupe(violations))
    return _to_model(data, str(schema_url), source)


def _dedupe(violations: list[Violation]) -> list[Violation]:
    seen: set[Violation] = set()
    out: list[Violation] = []
    for violation in violations:
        if violation not in seen:
            seen.add(violation)
            out.append(violation)
    return out


# --------------------------------------------------------------------------
# Files


def document_kind(path: str | Path) -> Kind | Literal["wheel-file"] | None:
    """The kind of document a path holds, recognised from its name.

    ``wheel-file`` is a ``*.whl`` archive; ``None`` means unrecognised.
    """
    name = Path(path).name
    if name.endswith(".whl"):
        return "wheel-file"
    if name == "variant.json":
        return "wheel"
    if name.endswith(_INDEX_SUFFIX):
        return "index"
    if name == "pyproject.toml":
        return "pyproject"
    return None


def check_index_filename(filename: str, source: str = "") -> list[Violation]:
    """Violations of the ``{name}-{version}-variants.json`` naming rule.

    Name and version are normalized "according to the same rules as wheel
    files": the name as ``re.sub("[-_.]+", "_", name).lower()``, the version
    in its PEP 440 normal form.

    Spec: pep825:index-file-name
    """
    from reference.indexfile import normalize_name, normalize_version

    stem = filename[: -len(_INDEX_SUFFIX)] if filename.endswith(_INDEX_SUFFIX) else filename
    parts = stem.split("-")
    if len(parts) != 2 or not all(parts):
        return [
            Violation(
                "pep825:index-file-name",
                f"{filename!r} is not of the form {{name}}-{{version}}-variants.json",
                "filename",
                source,
            )
        ]
    name, version = parts
    problems = []
    if normalize_name(name) != name:
        problems.append(
            Violation(
                "pep825:index-file-name",
                f"name {name!r} is not normalized as in wheel filenames ({normalize_name(name)!r})",
                "name",
                source,
            )
        )
    normal = normalize_version(version)
    if normal != version:
        problems.append(
            Violation(
                "pep825:index-file-name",
                f"version {version!r} is not normalized"
                + (f" ({normal!r})" if normal else " (not a valid version)"),
                "version",
                source,
            )
        )
    return problems


def load_path(path: str | Path) -> VariantMetadata:
    """Load and validate the document at ``path``; the kind comes from its name.

    ``variant.json`` (a wheel's, no label check), ``*-variants.json`` (the
    filename is checked too), ``*.whl`` (reads its ``variant.json``, checks the
    label) or ``pyproject.toml`` (its ``[variant]`` table).

    :raises ValueError: the name is none of those (not a ``VariantError``).
    :raises OSError: the file cannot be read.
    :raises reference.errors.VariantError: the document is invalid.
    """
    path = Path(path)
    kind = document_kind(path)
    source = str(path)
    if kind is None:
        raise ValueError(
            f"{path.name}: cannot tell the document kind; expected variant.json, "
            "*-variants.json, *.whl or pyproject.toml"
        )
    if kind == "wheel-file":
        from reference.wheel import read_variant_json

        return read_variant_json(path)
    if kind == "pyproject":
        from reference._toml import TOMLDecodeError, loads

        try:
            table = loads(path.read_text(encoding="utf-8"))
        except (TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InvalidVariantMetadata(
                Violation("reference:toml-syntax", f"invalid TOML: {exc}", "", source)
            ) from None
        if not isinstance(table.get("variant"), dict):
            raise InvalidVariantMetadata(
                Violation("building:pyproject-table", "pyproject.toml has no [variant] table", "", source)
            )
        return load_metadata(table["variant"], kind="pyproject", source=source)
    data = parse_json_bytes(path.read_bytes(), source)
    if kind == "index":
        problems = check_index_filename(path.name, source)
        try:
            metadata = load_metadata(data, kind="index", source=source)
        except InvalidVariantMetadata as exc:
            raise type(exc)(problems + exc.violations) from None
        if problems:
            raise InvalidVariantMetadata(problems)
        return metadata
    return load_metadata(data, kind="wheel", source=source)
