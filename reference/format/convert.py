"""Convert WheelNext draft variant metadata (v0.0.2, v0.0.3) into PEP 825 format.

Real indexes published before PEP 825 use WheelNext's draft formats (PEP 817's
``v0.0.3``, and ``v0.0.2`` before it). PEP 825 forbids reading them as the
final format ("Tools MUST NOT make any compatibility assumptions over these
versions"), so a producer converts them: :func:`convert_document` maps one
document to format ``0.2.0`` (PEP 825 + the providers text, as uv 0.13.9 and
variantlib 0.2.2 implement it) or ``0.1.1`` (PEP 825 alone).

Labels and properties (``variants``) and ``default-priorities.namespace`` are
carried over unchanged. Everything else is mapped by one rule each, and every
key that has no place in the target gives a :class:`~reference.errors.Violation`
warning saying what was done instead; the rules and the sentences they rest on
are in ``reference/clauses/convert.toml`` and ``docs/convert.md``. The result
is validated as the target format before it is returned.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from reference.errors import InvalidVariantMetadata, Violation
from reference.format._schema import SCHEMA_DIR, json_pointer
from reference.format.metadata import load_metadata, parse_json_bytes
from reference.format.model import SCHEMA_0_1_1, SCHEMA_0_2_0, canonical_json
from reference.limits import LimitExceeded, check_document, int_limit, quoted, shorten

__all__ = [
    "DRAFT_SCHEMAS",
    "TARGETS",
    "Conversion",
    "convert_bytes",
    "convert_document",
]

DRAFT_SCHEMAS: dict[str, str] = {
    "https://variants-schema.wheelnext.dev/v0.0.2.json": "0.0.2",
    "https://variants-schema.wheelnext.dev/v0.0.3.json": "0.0.3",
}
"""The ``$schema`` URLs of the drafts this converter reads, and their versions."""

TARGETS: dict[str, str] = {"0.1.1": SCHEMA_0_1_1, "0.2.0": SCHEMA_0_2_0}
"""Target format -> the ``$schema`` URL written."""

Target = Literal["0.1.1", "0.2.0"]

_TOP_KEYS = ("$schema", "default-priorities", "providers", "static-properties", "variants")
_PRIORITY_KEYS = ("namespace", "feature", "property")
_PROVIDER_KEYS = {
    "0.0.2": ("enable-if", "optional", "plugin-api", "plugin-use", "requires"),
    "0.0.3": ("enable-if", "install-time", "optional", "plugin-api", "requires"),
}


@dataclass
class Conversion:
    """The converted document and what was done on the way.

    :param document: the target-format document (JSON data).
    :param draft: the input's draft version (``0.0.2`` or ``0.0.3``).
    :param target: the target format version.
    :param warnings: one per thing with no place in the target, naming what was done.
    """

    document: dict[str, Any]
    draft: str
    target: str
    warnings: list[Violation] = field(default_factory=list)

    def dumps(self) -> str:
        """The document as canonical JSON (``reference.format.model.canonical_json``)."""
        return canonical_json(self.document)


class _Notes:
    """Collects warnings (and errors) for one document, each naming its rule and place."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.warnings: list[Violation] = []
        self.errors: list[Violation] = []

    def warn(self, rule: str, message: str, *where: str | int) -> None:
        self.warnings.append(Violation(f"convert:{rule}", message, json_pointer(*where), self.source))

    def error(self, rule: str, message: str, *where: str | int) -> None:
        self.errors.append(Violation(f"convert:{rule}", message, json_pointer(*where), self.source))


# -- reading ------------------------------------------------------------------------------------


def convert_bytes(
    raw: bytes, source: str = "", target: Target = "0.2.0", kind: str = "index"
) -> Conversion:
    """Parse (bounded) and convert one draft document.

    :param raw: the file's bytes; at most the ``document-bytes`` limit (``variant-ref limits``).
    :param kind: ``index`` (``*-variants.json``) or ``wheel`` (``variant.json``):
        how the result is validated.
    :raises InvalidVariantMetadata: not JSON, not a known draft, invalid
        against its draft schema, or not expressible in the target.
    :raises reference.limits.LimitExceeded: larger, deeper or with longer
        numbers than the limits (refused, not judged).
    """
    most = int_limit("document-bytes")
    if len(raw) > most:
        raise LimitExceeded("document-bytes", f"{len(raw)} bytes", source)
    return convert_document(parse_json_bytes(raw, source), source, target, kind)


def _draft_of(data: Any, source: str) -> str:
    """The draft version named by ``$schema``; raises if it is not one this converter reads."""
    if not isinstance(data, dict):
        raise InvalidVariantMetadata(
            Violation("convert:draft-schema", "variant metadata must be a JSON object", "", source)
        )
    url = data.get("$schema")
    if isinstance(url, str) and url in DRAFT_SCHEMAS:
        return DRAFT_SCHEMAS[url]
    known = " or ".join(DRAFT_SCHEMAS)
    hint = " (it is already in PEP 825 format)" if url in TARGETS.values() else ""
    raise InvalidVariantMetadata(
        Violation(
            "convert:draft-versions",
            f"$schema {quoted(url)} is not a draft this converter reads{hint}; expected {known}",
            json_pointer("$schema"),
            source,
        )
    )


@functools.cache
def _draft_validator(draft: str) -> Any:
    import jsonschema

    schema = json.loads((SCHEMA_DIR / f"wheelnext-draft-{draft}.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _schema_errors(data: Mapping[str, Any], draft: str, notes: _Notes) -> None:
    """Violations of the draft's own schema, at most 20, messages shortened."""
    errors = sorted(_draft_validator(draft).iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    for error in errors[:20]:
        message = shorten(error.message)
        notes.error("draft-schema", f"invalid {draft} document: {message}", *error.absolute_path)


def _drop_unknown(data: dict[str, Any], draft: str, notes: _Notes) -> dict[str, Any]:
    """A copy without the keys the draft does not define (PEP 817: tools MUST ignore them)."""
    out = {k: v for k, v in data.items() if k in _TOP_KEYS}
    for key in data.keys() - out.keys():
        notes.warn("unknown-key", f"unknown key {quoted(key)} ignored", key)
    priorities = out.get("default-priorities")
    if isinstance(priorities, dict):
        out["default-priorities"] = {k: v for k, v in priorities.items() if k in _PRIORITY_KEYS}
        for key in priorities.keys() - _PRIORITY_KEYS:
            notes.warn("unknown-key", f"unknown key {quoted(key)} ignored", "default-priorities", key)
    providers = out.get("providers")
    if isinstance(providers, dict):
        out["providers"] = {
            ns: _known_provider_keys(ns, info, draft, notes) for ns, info in providers.items()
        }
    return out


def _known_provider_keys(namespace: str, info: Any, draft: str, notes: _Notes) -> Any:
    if not isinstance(info, dict):
        return info
    known = _PROVIDER_KEYS[draft]
    for key in info.keys() - set(known):
        notes.warn("unknown-key", f"unknown key {quoted(key)} ignored", "providers", namespace, key)
    return {k: v for k, v in info.items() if k in known}


# -- mapping ------------------------------------------------------------------------------------


def convert_document(
    data: Any, source: str = "", target: Target = "0.2.0", kind: str = "index"
) -> Conversion:
    """Convert one parsed draft document to ``target`` (see the module docstring).

    :raises InvalidVariantMetadata: as :func:`convert_bytes`, every error at once.
    :raises reference.limits.LimitExceeded: ``data`` nests deeper, or holds a
        longer number, than the limits.
    """
    if target not in TARGETS:
        raise ValueError(f"unknown target format {target!r}; expected one of {', '.join(TARGETS)}")
    check_document(data, source)
    draft = _draft_of(data, source)
    notes = _Notes(source)
    data = _drop_unknown(data, draft, notes)
    _schema_errors(data, draft, notes)
    if notes.errors:
        raise InvalidVariantMetadata(notes.errors)
    priorities = data["default-priorities"]
    out: dict[str, Any] = {
        "$schema": TARGETS[target],
        "default-priorities": {"namespace": list(priorities["namespace"])},
    }
    if target == "0.2.0":
        out["providers"] = dict(_providers(data, draft, notes))
    else:
        _drop_all_providers(data, notes)
    out["variants"] = data["variants"]
    _note_unused_priorities(data, out.get("providers", {}), notes)
    if notes.errors:
        raise InvalidVariantMetadata(notes.errors)
    _validate_result(out, source, target, kind)
    return Conversion(out, draft, target, notes.warnings)


def _validate_result(document: dict[str, Any], source: str, target: str, kind: str) -> None:
    """The result must validate as the target format; otherwise nothing is returned."""
    try:
        load_metadata(document, kind="wheel" if kind == "wheel" else "index", source=source)
    except InvalidVariantMetadata as exc:
        raise InvalidVariantMetadata(
            [Violation(v.clause, f"the {target} result would be invalid: {v.message}", v.location, v.source)
             for v in exc.violations]
        ) from None


def _is_ahead_of_time(info: Mapping[str, Any], draft: str) -> bool:
    """PEP 817 ``install-time`` (default true); v0.0.2 ``plugin-use`` (default ``all``)."""
    if draft == "0.0.2":
        return info.get("plugin-use", "all") in ("none", "build")
    return info.get("install-time", True) is False


def _providers(data: Mapping[str, Any], draft: str, notes: _Notes) -> Iterator[tuple[str, dict[str, Any]]]:
    static_all = data.get("static-properties", {})
    if static_all == {} and "static-properties" in data:
        notes.warn("install-time", "empty top-level static-properties dropped", "static-properties")
    for namespace, info in data["providers"].items():
        _note_dropped_keys(namespace, info, draft, notes)
        static = static_all.get(namespace)
        if _is_ahead_of_time(info, draft):
            entry = _ahead_of_time(namespace, info, static, data["default-priorities"], notes)
        else:
            entry = _install_time(namespace, info, notes)
            if static is not None:
                notes.warn(
                    "static-properties",
                    f"static-properties of {quoted(namespace)} dropped: its provider is queried at install "
                    "time (requires kept), and 0.2.0 allows only one of the two",
                    "static-properties",
                    namespace,
                )
        if entry is not None:
            if info.get("optional") is True:
                entry["optional"] = True
            yield namespace, entry
    for namespace in static_all.keys() - data["providers"].keys():
        notes.warn(
            "static-properties",
            f"static-properties of {quoted(namespace)} dropped: no provider entry for that namespace",
            "static-properties",
            namespace,
        )


def _note_dropped_keys(namespace: str, info: Mapping[str, Any], draft: str, notes: _Notes) -> None:
    if "enable-if" in info:
        notes.warn(
            "enable-if",
            f"enable-if {quoted(info['enable-if'])} dropped: 0.2.0 has no provider condition; the "
            "provider is considered on every platform and must report nothing where it does not apply",
            "providers",
            namespace,
            "enable-if",
        )
    key = "plugin-use" if draft == "0.0.2" else "install-time"
    if key in info:
        aot = _is_ahead_of_time(info, draft)
        mode = "ahead-of-time (static-properties)" if aot else "install-time (requires)"
        notes.warn(
            "plugin-use" if draft == "0.0.2" else "install-time",
            f"{key} {json.dumps(info[key])} dropped: written as an {mode} provider",
            "providers",
            namespace,
            key,
        )


def _install_time(namespace: str, info: Mapping[str, Any], notes: _Notes) -> dict[str, Any] | None:
    requires = list(info.get("requires", []))
    if not requires:
        notes.error(
            "requires-present",
            f"provider {quoted(namespace)} is queried at install time but names no plugin package "
            "(requires is empty); 0.2.0 needs one or more",
            "providers",
            namespace,
        )
        return None
    entry: dict[str, Any] = {"requires": requires}
    if "plugin-api" in info:
        entry["plugin-api"] = info["plugin-api"]
    return entry


def _ahead_of_time(
    namespace: str, info: Mapping[str, Any], static: Any, priorities: Mapping[str, Any], notes: _Notes
) -> dict[str, Any] | None:
    values = _static_values(namespace, static or {}, priorities, notes)
    requires = list(info.get("requires", []))
    if not values:
        return _without_static(namespace, info, requires, notes)
    for key in ("requires", "plugin-api"):
        if info.get(key):
            notes.warn(
                "install-time",
                f"{key} of ahead-of-time provider {quoted(namespace)} dropped (a build-time plugin): 0.2.0 "
                "forbids it next to static-properties",
                "providers",
                namespace,
                key,
            )
    entry: dict[str, Any] = {"static-properties": values}
    order = _feature_order(namespace, values, priorities, notes)
    if order is not None:
        entry["feature-order"] = order
    return entry


def _without_static(
    namespace: str, info: Mapping[str, Any], requires: list[str], notes: _Notes
) -> dict[str, Any] | None:
    if not requires:
        notes.error(
            "aot-without-static",
            f"ahead-of-time provider {quoted(namespace)} has neither static properties nor a plugin package: "
            "0.2.0 cannot express it",
            "providers",
            namespace,
        )
        return None
    notes.warn(
        "aot-without-static",
        f"ahead-of-time provider {quoted(namespace)} has no static properties, so none of its properties was "
        "supported at install time; written as an optional plugin provider (disabled unless enabled)",
        "providers",
        namespace,
    )
    entry: dict[str, Any] = {"requires": requires, "optional": True}
    if "plugin-api" in info:
        entry["plugin-api"] = info["plugin-api"]
    return entry


def _static_values(
    namespace: str, static: Mapping[str, list[str]], priorities: Mapping[str, Any], notes: _Notes
) -> dict[str, list[str]]:
    """Per feature: the override of ``default-priorities.property`` first, then the static order."""
    overrides = priorities.get("property", {}).get(namespace, {})
    out: dict[str, list[str]] = {}
    for feature, values in static.items():
        first = [v for v in overrides.get(feature, []) if v in values]
        ordered = first + [v for v in values if v not in first]
        if ordered:
            out[feature] = ordered
        else:
            notes.warn(
                "empty-values",
                f"static feature {namespace}.{feature} has no value (supports nothing); left out",
                "static-properties",
                namespace,
                feature,
            )
    for feature, listed in overrides.items():
        _note_override(namespace, feature, listed, out.get(feature), notes)
    return out


def _note_override(namespace: str, feature: str, listed: list[str], values: Any, notes: _Notes) -> None:
    where = ("default-priorities", "property", namespace, feature)
    if values is None:
        message = f"property order of unknown static feature {quoted(feature)} dropped"
        notes.warn("default-priorities", message, *where)
        return
    unsupported = [v for v in listed if v not in values]
    done = "merged into the order of providers." + f"{namespace}.static-properties.{feature}"
    if unsupported:
        done += f"; {', '.join(unsupported)} dropped (not in the static list, so never supported)"
    notes.warn("property-order", f"default-priorities.property {namespace}.{feature} {done}", *where)


def _feature_order(
    namespace: str, values: Mapping[str, list[str]], priorities: Mapping[str, Any], notes: _Notes
) -> list[str] | None:
    listed = priorities.get("feature", {}).get(namespace)
    if listed is None and len(values) < 2:
        return None
    where = ("default-priorities", "feature", namespace)
    listed = listed or []
    order = [f for f in listed if f in values] + [f for f in values if f not in listed]
    if not listed:
        notes.warn(
            "feature-order",
            f"{quoted(namespace)} has several static features but no feature order (its draft requires one); "
            "document order written as feature-order",
            *where,
        )
    else:
        notes.warn("feature-order", f"default-priorities.feature.{namespace} moved to feature-order", *where)
    return order


def _note_unused_priorities(data: Mapping[str, Any], providers: Mapping[str, Any], notes: _Notes) -> None:
    """``feature``/``property`` entries of namespaces that are not static in the result."""
    priorities = data["default-priorities"]
    for key in ("feature", "property"):
        if priorities.get(key) == {}:
            message = f"empty default-priorities.{key} dropped"
            notes.warn("default-priorities", message, "default-priorities", key)
        for namespace, listed in priorities.get(key, {}).items():
            if "static-properties" in providers.get(namespace, {}) or not listed:
                continue
            notes.warn(
                "default-priorities",
                f"default-priorities.{key}.{namespace} dropped: format 0.1.1 and later have no such "
                "table; the provider's own order applies",
                "default-priorities",
                key,
                namespace,
            )


def _drop_all_providers(data: Mapping[str, Any], notes: _Notes) -> None:
    for key in ("providers", "static-properties"):
        for namespace in data.get(key, {}):
            notes.warn(
                "no-providers-0.1.1",
                f"{key}.{namespace} dropped: format 0.1.1 has no {key}; installers get this "
                "namespace's properties only from the user or a built-in provider",
                key,
                namespace,
            )
