"""Profile projection: a user static list published as ``static-properties``.

The providers text gives an installer six steps to learn, per namespace, which
properties the system supports.  A profile is step 3, *the user-provided
static list*.  A tool without that step (uv 0.13.9) still has step 2: "If the
provider has static properties, the tools MUST use these properties".  So the
same supported lists reach such a tool when the metadata itself carries them:
for every namespace whose lookup reaches step 3, the namespace's provider
becomes ``static-properties`` holding the profile's lists in the profile's
order, and ``feature-order`` its feature order (format 0.2.0 as NOTES.md
describes it).  The ordering rules of PEP 825 ("Variant ordering") then see
exactly the lists the case describes, only obtained through another step.

What is rewritten, per release (one ``{name}-{version}``):

- the index-level ``{name}-{version}-variants.json`` *and* every wheel's
  ``*.dist-info/variant.json`` (uv re-reads each downloaded wheel's own
  document), consistently: one providers table per release;
- only documents the reference reads as valid; any other document is
  published byte for byte, so a case about bad metadata keeps its subject;
- only namespaces that reach step 3: a disabled optional provider (step 1)
  and a provider with its own ``static-properties`` (step 2) are kept, as are
  ``abi_dependency`` and the namespaces the caller simulates another way
  (*keep*, for example uv's NVIDIA provider steered by ``[hardware]``);
- format 0.1.1 documents become 0.2.0: namespaces the profile does not name
  get a provider nobody implements, which supports nothing, as a 0.1.1
  namespace without a provider does (``reference:no-provider-0.1.1``).

Cases whose *subject* is the provider lookup itself (they cite a step clause
of the providers text) are not projected: answering them through step 2 would
test something else.  See :func:`provider_step_subject`.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import shutil
import warnings
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from packaging.utils import canonicalize_name

from conformance.fixtures import rewrite_wheel
from reference.errors import VariantError
from reference.format.filename import parse_wheel_filename
from reference.format.metadata import load_metadata
from reference.format.model import SCHEMA_0_2_0

__all__ = [
    "UNIMPLEMENTED_PROVIDER",
    "Plan",
    "plan_release",
    "project_directory",
    "project_document",
    "project_lock",
    "provider_step_subject",
    "user_static_lists",
]

#: The provider given to a namespace that nothing supports (format 0.1.1 without
#: a provider, or a user static list that lists no value): a plugin no tool
#: implements, which no case ever trusts.
UNIMPLEMENTED_PROVIDER: dict[str, Any] = {"requires": ["conformance-unimplemented-provider"]}

_ABI = "abi_dependency"
_INDEX_SUFFIX = "-variants.json"

#: Clauses naming a step of the providers text's lookup, or the lookup itself.
_STEP_CLAUSES = ("providers:follow-algorithm", "reference:no-provider-0.1.1")


def provider_step_subject(clauses: Iterable[str]) -> str | None:
    """The clause that makes a case *about* the provider lookup, or ``None``.

    Such a case (``providers:step-3-user-static``, ``providers:step-2-static``,
    ...) checks which step decides; projecting its user static list into step 2
    would answer a different question, so it is not projected.
    """
    for clause in clauses:
        document, _, name = clause.partition(":")
        if (document == "providers" and name.startswith("step-")) or clause in _STEP_CLAUSES:
            return clause
    return None


def user_static_lists(profile: Mapping[str, Any]) -> dict[str, dict[str, list[str]]]:
    """The profile's ``[namespaces]``: its user static list, in its own order."""
    namespaces = profile.get("namespaces", {})
    if not isinstance(namespaces, Mapping):
        return {}
    return {
        str(ns): {str(f): [str(v) for v in values] for f, values in features.items() if values}
        for ns, features in namespaces.items()
        if isinstance(features, Mapping)
    }


@dataclass(frozen=True)
class Plan:
    """The providers table of one release after projection.

    :param tables: ``{namespace: providers table}`` for the namespaces step 3 decides.
    :param projected: the namespaces used by the variants whose user static list
        is published (what makes the case *projected*).
    """

    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    projected: tuple[str, ...] = ()

    def describe(self, user: Mapping[str, Mapping[str, Sequence[str]]]) -> str:
        """One line per projected namespace, for reports."""
        parts = []
        for ns in self.projected:
            lists = "; ".join(f"{f} = [{', '.join(v)}]" for f, v in user.get(ns, {}).items()) or "nothing"
            parts.append(f"{ns}: {lists}")
        return "user static list published as static-properties (" + " | ".join(parts) + ")"


def _readable(document: Any, kind: str, label: str | None) -> bool:
    """Whether the reference reads *document* as valid metadata of *kind*."""
    if not isinstance(document, dict):
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            load_metadata(document, kind=kind, label=label)  # type: ignore[arg-type]
        except VariantError:
            return False
    return True


def plan_release(
    documents: Iterable[Mapping[str, Any]],
    user: Mapping[str, Mapping[str, Sequence[str]]],
    keep: Collection[str] = (),
) -> Plan | None:
    """What to publish for one release, or ``None`` when nothing reaches step 3.

    :param documents: the release's valid metadata documents (index-level and wheels).
    :param user: the profile's user static lists (:func:`user_static_lists`).
    :param keep: namespaces simulated another way, left as they are.
    """
    provider_of: dict[str, Any] = {}
    listed: list[str] = []
    used: set[str] = set()
    for document in documents:
        providers = document.get("providers") or {}
        for ns in document["default-priorities"]["namespace"]:
            if ns not in listed:
                listed.append(ns)
            if provider_of.get(ns) is None:
                provider_of[ns] = providers.get(ns)
        for properties in document["variants"].values():
            used.update(properties)
    tables: dict[str, dict[str, Any]] = {}
    projected: list[str] = []
    for ns in listed:
        table = provider_of.get(ns)
        if ns == _ABI or ns in keep or ns not in user:
            continue
        if table is not None and (table.get("optional") or "static-properties" in table):
            continue  # providers steps 1 and 2 decide before the user's list
        features = user[ns]
        if features:
            tables[ns] = {"static-properties": copy.deepcopy(dict(features)), "feature-order": list(features)}
        else:
            tables[ns] = dict(UNIMPLEMENTED_PROVIDER)
        if ns in used and (features or table is not None):
            projected.append(ns)
    if not projected:
        return None
    return Plan(tables, tuple(projected))


def project_document(document: Mapping[str, Any], plan: Plan) -> dict[str, Any]:
    """*document* (valid) as format 0.2.0 with the plan's providers."""
    namespaces = list(document["default-priorities"]["namespace"])
    own = document.get("providers") or {}
    providers = {
        ns: copy.deepcopy(plan.tables.get(ns) or own.get(ns) or UNIMPLEMENTED_PROVIDER) for ns in namespaces
    }
    return {
        "$schema": SCHEMA_0_2_0,
        "default-priorities": copy.deepcopy(dict(document["default-priorities"])),
        "providers": providers,
        "variants": copy.deepcopy(dict(document["variants"])),
    }


def _encode(document: Mapping[str, Any]) -> bytes:
    return (json.dumps(document, indent=2, sort_keys=False) + "\n").encode("utf-8")


# -- wheels ----------------------------------------------------------------------------------


def _variant_member(data: bytes) -> tuple[str, Any] | None:
    """The wheel's ``*.dist-info/variant.json`` path and parsed content, if any."""
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                if name.count("/") == 1 and name.endswith(".dist-info/variant.json"):
                    try:
                        return name, json.loads(archive.read(name))
                    except ValueError:
                        return name, None
    except zipfile.BadZipFile:
        return None
    return None


@dataclass
class _Release:
    """One ``{name}-{version}``: its index-level file and wheels, with their documents."""

    index_file: tuple[str, Any] | None = None  # (filename, document)
    wheels: dict[str, tuple[str | None, str, Any] | None] = field(default_factory=dict)
    #: filename -> (label, member, document) or None (no variant.json)

    def valid_documents(self) -> list[dict[str, Any]]:
        found = []
        if self.index_file is not None and _readable(self.index_file[1], "index", None):
            found.append(self.index_file[1])
        for entry in self.wheels.values():
            if entry is not None and _readable(entry[2], "wheel", entry[0]):
                found.append(entry[2])
        return found


def _release_key(filename: str) -> tuple[str, str] | None:
    if filename.endswith(_INDEX_SUFFIX):
        name, _, version = filename[: -len(_INDEX_SUFFIX)].rpartition("-")
        return (canonicalize_name(name), version) if name else None
    if filename.endswith(".whl"):
        try:
            parsed = parse_wheel_filename(filename)
        except VariantError:
            return None
        return canonicalize_name(parsed.distribution), parsed.version
    return None


def project_directory(
    flat: Path,
    out: Path,
    user: Mapping[str, Mapping[str, Sequence[str]]],
    keep: Collection[str] = (),
    projects: Collection[str] | None = None,
) -> list[str]:
    """Copy the find-links directory *flat* to *out*, projecting each release.

    :param projects: normalized project names to copy (all when ``None``).
    :returns: one description per projected release (empty: nothing projected;
        *out* then holds a plain copy).
    """
    out.mkdir(parents=True, exist_ok=True)
    releases: dict[tuple[str, str], _Release] = {}
    for path in sorted(flat.iterdir()):
        if projects is not None and canonicalize_name(path.name.split("-", 1)[0]) not in projects:
            continue
        shutil.copyfile(path, out / path.name)
        key = _release_key(path.name)
        if key is None:
            continue
        release = releases.setdefault(key, _Release())
        if path.name.endswith(_INDEX_SUFFIX):
            try:
                release.index_file = (path.name, json.loads(path.read_bytes()))
            except ValueError:
                continue
        else:
            member = _variant_member(path.read_bytes())
            label = parse_wheel_filename(path.name).variant_label
            release.wheels[path.name] = None if member is None else (label, member[0], member[1])
    described = []
    for (name, version), release in sorted(releases.items()):
        plan = plan_release(release.valid_documents(), user, keep)
        if plan is None:
            continue
        if release.index_file is not None and _readable(release.index_file[1], "index", None):
            filename, document = release.index_file
            (out / filename).write_bytes(_encode(project_document(document, plan)))
        for filename, entry in release.wheels.items():
            if entry is not None and _readable(entry[2], "wheel", entry[0]):
                target = out / filename
                replaced = {entry[1]: _encode(project_document(entry[2], plan))}
                target.write_bytes(rewrite_wheel(target.read_bytes(), replaced))
        described.append(f"{name} {version}: {plan.describe(user)}")
    return described


# -- pylock.toml -----------------------------------------------------------------------------


def _file_path(url: str) -> Path | None:
    parts = urlsplit(url)
    if parts.scheme != "file":
        return None
    return Path(url2pathname(unquote(parts.path)))


def _wheel_path(wheel: Mapping[str, Any], base: Path | None) -> Path | None:
    """The local file of a lock's wheel entry: its ``path`` (relative to *base*), or a ``file://`` ``url``."""
    relative = wheel.get("path")
    if isinstance(relative, str):
        return Path(relative) if base is None or os.path.isabs(relative) else base / relative
    return _file_path(str(wheel.get("url", "")))


def project_lock(
    lock: Mapping[str, Any],
    out: Path,
    user: Mapping[str, Mapping[str, Sequence[str]]],
    keep: Collection[str] = (),
    base: Path | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """A ``pylock.toml`` (parsed) with each package's ``variants-json`` and wheels projected.

    Rewritten wheels are written to *out*; their entries get the new
    ``file://`` URL (or, for a ``path`` relative to the lock's directory *base*,
    the new file's path relative to *base*) and sha256.  Only ``file://`` and
    ``path`` wheels are read.

    :returns: the new lock, and one description per projected package.
    """
    new = copy.deepcopy(dict(lock))
    described = []
    for package in new.get("packages", []):
        inline = package.get("variants-json")
        documents = [inline] if _readable(inline, "index", None) else []
        wheels: list[tuple[dict[str, Any], Path, str | None, str, Any]] = []
        for wheel in package.get("wheels", []):
            path = _wheel_path(wheel, base)
            if path is None or not path.is_file():
                continue
            member = _variant_member(path.read_bytes())
            try:
                label = parse_wheel_filename(str(wheel.get("name") or path.name)).variant_label
            except VariantError:
                continue
            if member is not None and _readable(member[1], "wheel", label):
                documents.append(member[1])
                wheels.append((wheel, path, label, member[0], member[1]))
        plan = plan_release(documents, user, keep)
        if plan is None:
            continue
        if documents and documents[0] is inline:
            package["variants-json"] = project_document(inline, plan)
        out.mkdir(parents=True, exist_ok=True)
        for wheel, path, _label, name, document in wheels:
            data = rewrite_wheel(path.read_bytes(), {name: _encode(project_document(document, plan))})
            (out / path.name).write_bytes(data)
            if "path" in wheel and base is not None:
                wheel["path"] = os.path.relpath((out / path.name).resolve(), base)
            else:
                wheel["url"] = (out / path.name).resolve().as_uri()
            wheel["hashes"] = {"sha256": hashlib.sha256(data).hexdigest()}
            if "size" in wheel:  # the projected wheel's own size, as its hash
                wheel["size"] = len(data)
        described.append(f"{package.get('name')} {package.get('version')}: {plan.describe(user)}")
    return new, described
