"""The ``variantlib`` adapter: WheelNext's library, driven through its own API.

variantlib 0.2.2 is a library, not an installer, so this adapter measures the
parts it implements and supplies, openly, the installer glue around them:

- ``filename``: ``variantlib.constants.VALIDATION_WHEEL_NAME_REGEX``, the
  pattern variantlib's own commands parse wheel filenames with;
- ``validate``: ``VariantDistInfo`` (a wheel's ``variant.json``, with the
  expected label), ``VariantsJson`` (``{name}-{version}-variants.json``) and
  ``VariantPyProjectToml`` (``pyproject.toml``); anything they raise is a
  rejection.  variantlib reports messages, not clause ids;
- ``combine``: ``VariantsJson.merge``;
- ``select``: variantlib's ordering.  The combined metadata is read with
  ``VariantsJson`` (the index-level file when the index has one, else the
  wheels' ``variant.json`` merged), the supported properties come from
  variantlib's ``PluginLoader`` for ``static-properties`` providers (no plugin
  is ever loaded: the map of plugins to run is empty) and from the profile as
  the user static list for the namespaces still without a list, and
  ``variantlib.resolver.lib.sort_and_filter_supported_variants`` orders the
  variants.  The glue is the adapter's: picking the version, filtering wheels
  by the profile's tags, placing wheels of one label by tag preference and
  build number, and the non-variant wheels after the variant ones (PEP 825
  "Installing a package from an index", steps 2, 3, 8 and 9).

variantlib reads format 0.2.0 only: a document without a ``providers`` table
(format 0.1.1) fails its "same namespaces as providers" check.
"""

from __future__ import annotations

import contextlib
import json
import os
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.tags import Tag, sys_tags
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from conformance.adapters._tools import load_profile_data, profile_tags
from conformance.adapters.base import (
    AdapterInfo,
    Errored,
    Outcome,
    Result,
    Skipped,
    Workspace,
    document_bytes,
)

__all__ = ["VariantlibAdapter"]

#: What variantlib 0.2.2 does, through its API plus the glue described above.
CAPABILITIES = frozenset(
    {
        "filename",
        "validate",
        "validate.text",
        "combine",
        "select",
        "index.flat",
        "providers.static-metadata",
        "providers.user-static",
        "providers.optional",
        "abi-dependency",
    }
)


class VariantlibAdapter:
    """Runs format, combination and ordering cases through variantlib's API."""

    #: the ``--adapter-option`` keys this adapter reads: none
    OPTIONS: Mapping[str, str] = {}

    def __init__(self, options: Mapping[str, str] | None = None) -> None:
        self._options = dict(options or {})

    def info(self) -> AdapterInfo:
        """variantlib's installed version and capabilities.

        :raises RuntimeError: variantlib is not installed (the message says how to get it).
        """
        from importlib.metadata import PackageNotFoundError, version

        try:
            installed = version("variantlib")
        except PackageNotFoundError:
            raise RuntimeError(
                "variantlib is not installed in this environment: install 'variantlib==0.2.2' "
                "(or this project's 'tools' extra: pip install 'wheel-variant-conformance[tools]')"
            ) from None
        return AdapterInfo(
            name="variantlib",
            version=installed,
            capabilities=CAPABILITIES,
            schema_versions=("0.2.0",),
        )

    def run(self, op: str, input: Mapping[str, Any], workspace: Workspace) -> Outcome:
        """Dispatch one case to variantlib."""
        try:
            if op == "filename":
                return Result(_filename(str(input["filename"])))
            if op == "validate" and "text" in input:
                return Result(_validate_bytes(str(input["kind"]), document_bytes(input), input.get("label")))
            if op == "validate":
                return Result(_validate(str(input["kind"]), input["document"], input.get("label")))
            if op == "combine":
                return Result(_combine(list(input["documents"])))
            if op == "select":
                return _select(input, workspace)
        except (KeyError, TypeError, OSError) as exc:
            return Errored(f"{type(exc).__name__}: {exc}")
        return Skipped(f"variantlib has no API for a {op!r} case")


# -- filename ------------------------------------------------------------------
def _filename(filename: str) -> dict[str, Any]:
    from variantlib.constants import VALIDATION_WHEEL_NAME_REGEX

    match = VALIDATION_WHEEL_NAME_REGEX.fullmatch(filename)
    if match is None:
        return {"valid": False, "explanation": "VALIDATION_WHEEL_NAME_REGEX does not match"}
    return {
        "valid": True,
        "parsed": {
            "distribution": match["name"],
            "version": match["ver"],
            "build_tag": match["build"],
            "python_tags": match["pyver"].split("."),
            "abi_tags": match["abi"].split("."),
            "platform_tags": match["plat"].split("."),
            "variant_label": match["variant_label"],
        },
    }


# -- validate and combine ----------------------------------------------------------
def _parse(kind: str, document: Any, label: str | None = None) -> Any:
    """Parse *document* with the variantlib class for *kind*; raises what variantlib raises."""
    from variantlib.pyproject_toml import VariantPyProjectToml
    from variantlib.variant_dist_info import VariantDistInfo
    from variantlib.variants_json import VariantsJson

    if kind == "wheel":
        return VariantDistInfo(json.dumps(document), expected_label=label)
    if kind == "index":
        return VariantsJson(document)
    if kind == "pyproject":
        if isinstance(document, dict) and "variant" in document:
            return VariantPyProjectToml(document)
        return VariantPyProjectToml({"variant": document})
    raise KeyError(f"unknown document kind {kind!r}")


def _validate(kind: str, document: Any, label: Any) -> dict[str, Any]:
    try:
        _parse(kind, document, None if label is None else str(label))
    except KeyError:
        raise
    except Exception as exc:
        # ValidationError for what variantlib checks; anything else it raises on
        # malformed input (TypeError, AttributeError, ...) is a rejection too.
        return {"valid": False, "explanation": f"{type(exc).__name__}: {exc}"}
    return {"valid": True}


def _validate_bytes(kind: str, raw: bytes, label: Any) -> dict[str, Any]:
    """A document given as the file's bytes, read as variantlib reads such a file.

    ``VariantDistInfo`` takes a ``variant.json``'s contents as they are (``json.loads``
    of the bytes); an index-level file is ``json.loads``-ed by its caller, then
    handed to ``VariantsJson``.
    """
    from variantlib.variant_dist_info import VariantDistInfo
    from variantlib.variants_json import VariantsJson

    try:
        if kind == "wheel":
            VariantDistInfo(raw, expected_label=None if label is None else str(label))
        else:
            VariantsJson(json.loads(raw))
    except Exception as exc:
        return {"valid": False, "explanation": f"{type(exc).__name__}: {exc}"}
    return {"valid": True}


def _combine(documents: Sequence[Any]) -> dict[str, Any]:
    from variantlib.variants_json import VariantsJson

    try:
        combined = VariantsJson(documents[0])
        for document in documents[1:]:
            combined.merge(VariantsJson(document))
        result = json.loads(combined.to_str())
    except Exception as exc:
        return {"consistent": False, "explanation": f"{type(exc).__name__}: {exc}"}
    return {"consistent": True, "result": result}


# -- select ----------------------------------------------------------------------------
@dataclass(frozen=True)
class _Wheel:
    filename: str
    version: Version
    build: tuple[int, str] | tuple[()]
    tags: frozenset[Tag]
    label: str | None


def _wheels(flat: Path, project: str) -> list[_Wheel]:
    """The wheels of *project* in *flat*, as variantlib's filename pattern reads them."""
    from variantlib.constants import VALIDATION_WHEEL_NAME_REGEX

    found: list[_Wheel] = []
    for path in sorted(flat.glob("*.whl")):
        match = VALIDATION_WHEEL_NAME_REGEX.fullmatch(path.name)
        if match is None or canonicalize_name(match["name"]) != project:
            continue
        try:
            version = Version(match["ver"])
        except InvalidVersion:
            continue
        build: tuple[int, str] | tuple[()] = ()
        if match["build"]:
            digits = len(match["build"]) - len(match["build"].lstrip("0123456789"))
            build = (int(match["build"][:digits]), match["build"][digits:])
        tags = frozenset(
            Tag(i, a, p)
            for i in match["pyver"].split(".")
            for a in match["abi"].split(".")
            for p in match["plat"].split(".")
        )
        found.append(_Wheel(path.name, version, build, tags, match["variant_label"]))
    return found


def _read_metadata(document: Any, label: str | None = None) -> Any:
    """Read a metadata document with variantlib.

    variantlib's readers require a ``providers`` table, which format 0.1.1
    (PEP 825 alone) does not have.  So that variantlib's *ordering* can still
    be measured on such documents, one without ``providers`` is read into
    variantlib's own models directly (``VariantDescription.from_dict``); its
    rejection by the readers is what the ``validate`` cases measure.
    """
    from variantlib.models.variant import VariantDescription
    from variantlib.models.variant_info import VariantInfo
    from variantlib.variant_dist_info import VariantDistInfo
    from variantlib.variants_json import VariantsJson

    if isinstance(document, dict) and "providers" not in document:
        info = VariantsJson(
            VariantInfo(namespace_priorities=list(document["default-priorities"]["namespace"]))
        )
        info.variants = {
            str(name): VariantDescription.from_dict(properties, label=str(name))
            for name, properties in document["variants"].items()
        }
        if label is not None and list(info.variants) != [label]:
            raise ValueError(f"variant.json describes {sorted(info.variants)}, not only {label!r}")
        return info
    if label is None:
        return VariantsJson(document)
    dist_info = VariantDistInfo(json.dumps(document), expected_label=label)
    info = VariantsJson(dist_info)  # converting keeps the rest, not the variants
    info.variants = dict(dist_info.variants)
    return info


def _combined_metadata(flat: Path, project: str, version: Version, wheels: Sequence[_Wheel]) -> Any:
    """The combined metadata as variantlib reads it, or the message of what variantlib raised.

    PEP 825 "Installing a package from an index", step 5: the index-level file
    when there is one, else the ``variant.json`` of one wheel per label.
    """
    for path in sorted(flat.glob("*-variants.json")):
        stem = path.name[: -len("-variants.json")]
        name, _, ver = stem.rpartition("-")
        try:
            if canonicalize_name(name) == project and Version(ver) == version:
                return _read_metadata(json.loads(path.read_text(encoding="utf-8")))
        except InvalidVersion:
            continue
        except Exception as exc:
            return f"{path.name}: {type(exc).__name__}: {exc}"
    combined = None
    seen: set[str] = set()
    for wheel in wheels:
        if wheel.label is None or wheel.label in seen:
            continue
        seen.add(wheel.label)
        try:
            with zipfile.ZipFile(flat / wheel.filename) as archive:
                member = next(
                    n
                    for n in archive.namelist()
                    if n.endswith(".dist-info/variant.json") and n.count("/") == 1
                )
                info = _read_metadata(json.loads(archive.read(member)), wheel.label)
            if combined is None:
                combined = info
            else:
                combined.merge(info)
        except Exception as exc:
            return f"{wheel.filename}: {type(exc).__name__}: {exc}"
    return combined


@contextlib.contextmanager
def _abi_environment(installed: Mapping[str, str]) -> Iterator[None]:
    """Hand the profile's installed packages to variantlib (``VARIANT_ABI_DEPENDENCY``)."""
    old = os.environ.get("VARIANT_ABI_DEPENDENCY")
    if installed:
        os.environ["VARIANT_ABI_DEPENDENCY"] = ",".join(f"{k}=={v}" for k, v in sorted(installed.items()))
    else:
        os.environ.pop("VARIANT_ABI_DEPENDENCY", None)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("VARIANT_ABI_DEPENDENCY", None)
        else:
            os.environ["VARIANT_ABI_DEPENDENCY"] = old


def _supported_properties(combined: Any, profile: Mapping[str, Any], enabled: Sequence[str]) -> list[Any]:
    """Supported properties: variantlib's static lists, then the profile as user static list."""
    from variantlib.models.variant import VariantProperty
    from variantlib.plugins.loader import PluginLoader

    # filter_plugins=[]: variantlib loads no plugin at all (none is trusted here);
    # static-properties providers are answered from the metadata by variantlib itself.
    with PluginLoader(
        variant_info=combined, enable_optional_plugins=list(enabled), filter_plugins=[]
    ) as loader:
        configs = loader.get_supported_configs()
    supported: list[Any] = [prop for config in configs.values() for prop in config.to_list_of_properties()]
    for namespace in combined.namespace_priorities:
        if namespace in configs:
            continue
        provider = combined.providers.get(namespace)
        if provider is not None and provider.static_properties:
            continue  # step 2 applies even when variantlib returned nothing for it
        if provider is not None and provider.optional and namespace not in enabled:
            continue  # step 1: disabled
        for feature, values in profile.get("namespaces", {}).get(namespace, {}).items():
            supported += [VariantProperty(namespace, feature, value) for value in values]
    return supported


def _select(input: Mapping[str, Any], workspace: Workspace) -> Outcome:
    from variantlib.api import get_variant_environment_dict
    from variantlib.errors import ValidationError
    from variantlib.resolver.lib import sort_and_filter_supported_variants

    try:
        requirement = Requirement(str(input["requirement"]))
    except InvalidRequirement as exc:
        return Errored(f"cannot parse the requirement: {exc}")
    options = input.get("options") or {}
    if options.get("variant") or options.get("no_variants"):
        return Skipped("variantlib has no option to request a variant label or to disable variants")
    if options.get("trust"):
        return Skipped("this adapter runs no provider plugin, trusted or not")
    enabled = [str(ns) for ns in options.get("enable_providers") or []]
    profile = load_profile_data(workspace.profiles, str(input["profile"]))
    supported_tags = profile_tags(profile) or list(sys_tags())
    tag_rank = {tag: i for i, tag in enumerate(supported_tags)}
    flat = workspace.fixtures / str(input["index"]) / "flat"
    project = canonicalize_name(requirement.name)
    wheels = _wheels(flat, project)
    versions = sorted(set(requirement.specifier.filter({w.version for w in wheels})), reverse=True)

    notes: list[str] = []
    for version in versions:
        compatible = [w for w in wheels if w.version == version and w.tags & tag_rank.keys()]
        if not compatible:
            continue

        def by_preference(group: Sequence[_Wheel]) -> list[str]:
            """Step 9: by platform tag preference, then the higher build number."""
            by_build = sorted(group, key=lambda w: w.build, reverse=True)
            ordered = sorted(by_build, key=lambda w: min(tag_rank[t] for t in w.tags if t in tag_rank))
            return [w.filename for w in ordered]

        ranked: list[str] = []
        variant_wheels = [w for w in compatible if w.label is not None]
        combined = _combined_metadata(flat, project, version, variant_wheels) if variant_wheels else None
        narrowed: dict[str, Any] = {}
        if isinstance(combined, str):
            # PEP 825 'Installing a package from an index', step 5: metadata the
            # tool cannot read leaves the variant wheels out; non-variant wheels remain.
            notes.append(f"variantlib could not read the variant metadata: {combined}")
        elif combined is not None:
            labels = sorted({w.label for w in variant_wheels if w.label is not None})
            vdescs = [combined.get_variant_desc(label) for label in labels]
            try:
                with _abi_environment(profile.get("installed", {})):
                    order = sort_and_filter_supported_variants(
                        [v for v in vdescs if v is not None],
                        _supported_properties(combined, profile, enabled),
                        namespace_priorities=list(combined.namespace_priorities),
                        feature_priorities={
                            ns: list(p.feature_order)
                            for ns, p in combined.providers.items()
                            if p.feature_order
                        },
                        filter_values=True,
                    )
            except ValidationError as exc:  # variantlib refusing its input is an observation
                notes.append(f"variantlib's resolver raised ValidationError: {exc}")
                order = []
            for vdesc in order:
                narrowed.setdefault(vdesc.label, vdesc)
                ranked += by_preference([w for w in variant_wheels if w.label == vdesc.label])
        ranked += by_preference([w for w in compatible if w.label is None])
        if not ranked:
            continue
        selected = ranked[0]
        label = next(w.label for w in compatible if w.filename == selected)
        if label is None:  # PEP 825: the marker values of a non-variant wheel
            markers: dict[str, Any] = {"variant_label": "", "variant_properties": []}
            markers.update(variant_features=[], variant_namespaces=[])
        else:
            env = get_variant_environment_dict(narrowed[label])
            markers = {k: sorted(v) if isinstance(v, set) else v for k, v in env.items()}
        return Result({"selected": selected, "ranked": ranked, "markers": markers, "explanation": notes})
    return Result({"selected": None, "ranked": [], "explanation": notes})
