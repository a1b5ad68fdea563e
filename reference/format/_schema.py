"""The JSON Schema layer of variant metadata validation (PEP 825 "Variant metadata").

:mod:`reference.format.metadata` validates a document in three layers; this module is
the second: it runs the Draft 2020-12 schema of the document's format version
(``schemas/variant-*.json``, or the ``[variant]`` table schema derived from
0.2.0 for ``pyproject.toml``) and turns each jsonschema error into
:class:`~reference.errors.Violation` objects carrying clause ids and JSON
Pointers.

``jsonschema`` is imported only when a validator is first needed, and the
``variants`` table, by far the largest part of a document, is checked first
by a plain-Python transcription of its schema (:func:`_variants_ok`): when it
passes, the schema validator skips it; when it fails, the full schema runs and
reports, so the schema stays the authority.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from reference.errors import Violation
from reference.limits import quoted, shorten

__all__ = ["SCHEMA_DIR", "json_pointer", "pyproject_schema"]

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
"""Where the JSON Schema files are read from: ``reference/schemas``, beside the layers.

In a checkout this is a symbolic link to ``schemas/`` at the top of the tree,
the single source; an installed wheel holds a copy (``package-data`` in
``pyproject.toml``), so the reference validates outside a checkout too.
"""

_SCHEMA_FILES: dict[tuple[int, int, int], str] = {
    (0, 1, 1): "variant-0.1.1.json",
    (0, 2, 0): "variant-0.2.0.json",
}


def json_pointer(*parts: str | int) -> str:
    """An RFC 6901 JSON Pointer to ``parts`` (``""`` for the whole document)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


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
    message = shorten(error.message)
    if not path and keyword == "required" and "'providers'" in error.message:
        clause = "providers:providers-key"
    elif top == "$schema":
        clause = "pep825:schema-url"
    elif top == "default-priorities":
        if keyword == "pattern":
            clause = "pep825:property-name-charset"
            message = f"namespace {quoted(error.instance)} must use only 0-9, a-z and _"
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
            message = f"feature value {quoted(error.instance)} must use only 0-9, a-z, _ and ."
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
        return f"variant label {quoted(key)} must be non-empty and use only 0-9, a-z, _ and ."
    if len(path) == 2 and path[0] == "variants":
        return f"namespace {quoted(key)} must be non-empty and use only 0-9, a-z and _"
    if len(path) == 3 and path[0] == "variants":
        return f"feature name {quoted(key)} must be non-empty and use only 0-9, a-z and _"
    if path == ["providers"]:
        return f"namespace {quoted(key)} must be non-empty and use only 0-9, a-z and _"
    if len(path) == 3 and path[0] == "providers":
        return f"feature name {quoted(key)} must be non-empty and use only 0-9, a-z and _"
    where = "/".join(str(p) for p in path) or "the top level"
    return f"unknown key {quoted(key)} in {where}"


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
            f"plugin-api {quoted(error.instance)} must be an object reference 'module:attr' or 'module'",
        )
    if len(path) >= 3 and path[2] == "feature-order":
        if keyword == "pattern":
            message = f"feature name {quoted(error.instance)} must use 0-9, a-z, _"
            return ("pep825:property-name-charset", message)
        return ("providers:feature-order", f"feature-order: {shorten(error.message)}")
    if len(path) >= 3 and path[2] == "static-properties":
        if keyword == "pattern":
            message = f"feature value {quoted(error.instance)} must use 0-9, a-z, _ and ."
            return ("pep825:property-value-charset", message)
        return ("providers:metadata-structure", f"static-properties: {shorten(error.message)}")
    return ("providers:metadata-structure", shorten(error.message))
