"""``pylock.toml`` with ``[packages.variants-json]`` (PEP 825 "Integration with pylock.toml").

PEP 825: "A new ``[packages.variants-json]`` subtable is added to the file. It
MUST inline combined variant metadata, following the same format as the
index-level metadata file, converting the JSON structure into the respective
TOML types. The ``$schema`` key MUST be preserved to facilitate versioning."

This module reads a lock (:func:`load_lock`, :func:`parse_lock`), validating
every ``variants-json`` table against its schema (``pep825:pylock-validate``),
and writes one (:func:`variants_json_table`, :func:`dumps_lock`), optionally
pruning labels that no listed wheel carries together with the namespaces thereby
left unused (``pep825:pylock-retain-labels``). Selecting from a lock lives in
:func:`select_locked` (per package, among the listed wheels, with the inlined
metadata; ``pep825:pylock-resolve``).
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w
from packaging.markers import InvalidMarker, Marker, UndefinedEnvironmentName
from packaging.utils import canonicalize_name

from reference._toml import TOMLDecodeError
from reference.errors import InvalidVariantMetadata, VariantError, Violation
from reference.format.filename import parse_wheel_filename
from reference.format.metadata import load_metadata
from reference.format.model import ABI_DEPENDENCY, VariantMetadata
from reference.format.wheel import read_variant_json
from reference.install.pages import FileLink
from reference.limits import check_name, guard_recursion, parse_toml, quoted, read_regular
from reference.selection.markers import VariantMarkers
from reference.selection.result import Selection
from reference.selection.select import select_wheel
from reference.selection.system import SelectOptions, System

__all__ = [
    "InvalidLock",
    "Lock",
    "LockSelection",
    "LockedPackage",
    "LockedWheel",
    "check_environments",
    "check_marker_scope",
    "check_sources",
    "dumps_lock",
    "load_lock",
    "locked_requires",
    "package_applies",
    "package_entry",
    "package_for",
    "parse_lock",
    "prune_metadata",
    "read_variants_json",
    "resolve_locked",
    "select_locked",
    "variants_json_table",
]


class InvalidLock(VariantError):
    """A ``pylock.toml`` cannot be read, or its ``variants-json`` table is invalid."""


def _bad(message: str, where: str, source: str) -> InvalidLock:
    return InvalidLock(Violation("reference:pylock-format", message, where, source))


@dataclass(frozen=True)
class LockedWheel:
    """One entry of ``packages.wheels``.

    :param filename: ``name``, or the last component of ``url`` / ``path``.
    :param url: ``path`` (used first) as a ``file://`` URL against the lock's directory, else ``url``.
    :param hashes: ``{algorithm: hexdigest}``.
    :param size: ``size``, the file's size in bytes, if the lock gives it.
    """

    filename: str
    url: str
    hashes: Mapping[str, str] = field(default_factory=dict)
    size: int | None = None

    def link(self) -> FileLink:
        """The wheel as an index link (for :class:`reference.install.sources.Source` fetching)."""
        return FileLink(self.filename, self.url, dict(self.hashes), self.size)


@dataclass(frozen=True)
class LockedPackage:
    """One ``[[packages]]`` entry, as far as selection needs it.

    :param metadata: the validated ``variants-json`` table, or ``None``.
    :param marker: ``packages.marker`` (a standard PEP 508 marker), or ``None``.
    """

    name: str
    version: str | None
    wheels: tuple[LockedWheel, ...]
    metadata: VariantMetadata | None
    marker: str | None = None

    def applies(self, environment: Mapping[str, str]) -> bool:
        """Whether ``packages.marker`` holds in ``environment`` (:func:`package_applies`)."""
        return package_applies(self, environment)

    @property
    def filenames(self) -> list[str]:
        """Filenames of the listed wheels, in lock order."""
        return [w.filename for w in self.wheels]


def package_applies(package: LockedPackage, environment: Mapping[str, str]) -> bool:
    """Whether the package's ``packages.marker`` holds in *environment* (no marker: always).

    The pylock.toml specification: "If packages.marker is specified, check if it
    is satisfied; if it isn't, skip to the next package."

    :raises InvalidLock: the marker cannot be evaluated (an undefined comparison).

    Spec: pylock:package-marker
    """
    if package.marker is None:
        return True
    try:
        return Marker(package.marker).evaluate(dict(environment))
    except (ValueError, UndefinedEnvironmentName) as exc:  # UndefinedComparison, InvalidVersion
        message = f"the marker of {quoted(package.name)} cannot be evaluated: {exc}"  # pragma: no mutate
        raise _bad(message, "marker", "") from None


@dataclass(frozen=True)
class Lock:
    """A parsed ``pylock.toml``; ``data`` is the whole document as read.

    :param environments: the top-level ``environments`` markers, or ``None``
        when the key is absent (the lock then applies everywhere).
    """

    packages: tuple[LockedPackage, ...]
    data: Mapping[str, Any]
    source: str = ""
    environments: tuple[str, ...] | None = None


def check_marker_scope(text: Any, where: str, source: str) -> str:
    """A ``packages.marker`` or ``environments`` entry: a standard marker, never a variant one.

    PEP 825: "Since variant markers may only be used in dependency specifiers,
    they cannot occur in packages.marker or in the top-level environments key,
    neither of which is scoped to a selected wheel." A lock that has one
    anyway is rejected with that clause (the reading 'reject' of the unsettled
    case pair ``pylock/markers-scope``): evaluating it would need a selected
    wheel, which these keys come before. Any other marker that cannot be
    parsed is an error too, never a skip.

    :raises InvalidLock: not a string, not a marker, or a variant marker.

    Spec: pep825:pylock-markers-scope
    """
    from reference.selection.markers import VariantMarker

    if not isinstance(text, str):
        raise _bad("marker must be a string", where, source)
    try:
        with guard_recursion(source, where):
            uses_variant_markers = VariantMarker(text).uses_variant_markers()
    except InvalidMarker:
        uses_variant_markers = False
    if uses_variant_markers:
        raise InvalidLock(
            Violation(
                "pep825:pylock-markers-scope",
                f"{where} uses a variant marker ({quoted(text)}): "  # pragma: no mutate
                "variant markers cannot occur in "  # pragma: no mutate
                "packages.marker or in the top-level "  # pragma: no mutate
                "environments key, which are evaluated "  # pragma: no mutate
                "before any wheel is selected",  # pragma: no mutate
                where,
                source,
            )
        )
    _check_marker(text, where, source)
    return text


def _environments(data: Mapping[str, Any], source: str) -> tuple[str, ...] | None:
    """The top-level ``environments`` key, each entry checked by :func:`check_marker_scope`."""
    if "environments" not in data:
        return None
    entries = data["environments"]
    if not isinstance(entries, list):
        raise _bad("environments must be an array of marker strings", "environments", source)
    return tuple(check_marker_scope(text, f"environments[{i}]", source) for i, text in enumerate(entries))


def check_environments(lock: Lock, environment: Mapping[str, str]) -> None:
    """The lock applies to *environment*: one of its ``environments`` markers holds (or it has none).

    :raises InvalidLock: no marker holds (``pylock:environments``).

    Spec: pylock:environments
    """
    if lock.environments is None:
        return
    for text in lock.environments:
        try:
            if Marker(text).evaluate(dict(environment)):
                return
        except (InvalidMarker, ValueError, UndefinedEnvironmentName):
            continue  # not a standard marker (parse_lock rejects variant markers first)
    listed = "; ".join(quoted(text) for text in lock.environments) or "(an empty list)"
    raise InvalidLock(
        Violation(
            "pylock:environments",
            "the lock is for other environments: none of "  # pragma: no mutate
            f"its environments markers holds here ({listed})",  # pragma: no mutate
            "environments",  # pragma: no mutate
            lock.source,
        )
    )


def _wheel_entry(entry: Any, base: Path | None, where: str, source: str) -> LockedWheel:
    """One ``packages.wheels`` entry: its types checked, its file name safe (``reference:safe-name``)."""
    if not isinstance(entry, dict):
        raise _bad("a wheel entry must be a table", where, source)
    for key in ("url", "path", "name"):
        if key in entry and not isinstance(entry[key], str):
            raise _bad(f"{key} must be a string", f"{where}.{key}", source)
    url, path, name = entry.get("url"), entry.get("path"), entry.get("name")
    field = f"{where}.name"
    # pylock:package-source: "Get the file: If path is set, use it. If url is set, try to use it"
    if path is not None:
        resolved = Path(path) if base is None or os.path.isabs(path) else base / path
        location = resolved.absolute().as_uri()
        field = field if name is not None else f"{where}.path"
    elif url is not None:
        location = url
        field = field if name is not None else f"{where}.url"
    else:
        message = "a wheel entry needs a url or a path"  # pragma: no mutate
        raise InvalidLock(Violation("pylock:package-source", message, where, source))
    try:
        last = urllib.parse.unquote(urllib.parse.urlsplit(location).path.rsplit("/", 1)[-1])
    except ValueError as exc:  # a malformed URL, such as http://[::1
        raise _bad(f"malformed URL {quoted(location)}: {exc}", f"{where}.url", source) from None
    name = name if name is not None else last
    check_name(name, field, source)
    if not name.endswith(".whl"):
        raise _bad(f"wheel entry {quoted(name)} names no wheel file", where, source)
    hashes = entry.get("hashes", {})
    if not isinstance(hashes, dict) or not all(isinstance(v, str) for v in hashes.values()):
        raise _bad("hashes must be a table of strings", f"{where}.hashes", source)
    size = entry.get("size")
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 0):
        raise _bad("size must be a non-negative integer", f"{where}.size", source)
    return LockedWheel(name, location, {str(k): v for k, v in hashes.items()}, size)


def _package(package: Any, where: str, base: Path | None, source: str) -> LockedPackage:
    """One ``[[packages]]`` table: name, version, wheels, ``variants-json`` and ``marker``, types checked.

    Spec: pep825:pylock-validate, reference:pylock-format
    """
    if not isinstance(package, dict) or not isinstance(package.get("name"), str):
        raise _bad("a package needs a name", where, source)
    wheels = package.get("wheels", [])
    if not isinstance(wheels, list):
        raise _bad("wheels must be an array of tables", f"{where}.wheels", source)
    version, marker = package.get("version"), package.get("marker")
    if version is not None and not isinstance(version, str):
        raise _bad("version must be a string", f"{where}.version", source)
    if marker is not None:
        check_marker_scope(marker, f"{where}.marker", source)
    table = package.get("variants-json")
    return LockedPackage(
        name=package["name"],
        version=version,
        wheels=tuple(_wheel_entry(w, base, f"{where}.wheels[{i}]", source) for i, w in enumerate(wheels)),
        metadata=None if table is None else read_variants_json(table, package["name"], where, source),
        marker=marker,
    )


def _check_marker(marker: Any, where: str, source: str) -> None:
    """A ``packages.marker`` is a PEP 508 marker: one that cannot be parsed is an error, not a skip."""
    if not isinstance(marker, str):
        raise _bad("marker must be a string", where, source)
    try:
        with guard_recursion(source, where):
            Marker(marker)
    except InvalidMarker as exc:
        message = f"marker {quoted(marker)} is not a valid environment marker: {exc}"  # pragma: no mutate
        raise _bad(message, where, source) from None


def read_variants_json(table: Any, name: str, where: str, source: str) -> VariantMetadata:
    """A ``[packages.variants-json]`` table, validated as index-level metadata.

    PEP 825 (proposed pylock text): "Tools that support variant-aware resolution
    MUST validate this table against the referenced schema."

    :raises InvalidLock: the violations of :func:`reference.format.metadata.load_metadata`,
        preceded by ``pep825:pylock-validate``.

    Spec: pep825:pylock-validate
    """
    try:
        return load_metadata(table, kind="index", source=f"{source}: {where}.variants-json")
    except InvalidVariantMetadata as exc:
        lead = Violation(
            "pep825:pylock-validate",
            f"[packages.variants-json] of {quoted(name)} is not valid variant metadata",  # pragma: no mutate
            f"{where}.variants-json",  # pragma: no mutate
            source,
        )
        raise InvalidLock([lead, *exc.violations]) from exc


def parse_lock(data: Mapping[str, Any], source: str = "", base: Path | None = None) -> Lock:
    """Read the packages of a lock document and validate every ``variants-json`` table.

    PEP 825 (proposed pylock text): "Tools that support variant-aware
    resolution MUST validate this table against the referenced schema."

    :param base: directory that relative ``path`` entries are resolved against.
    :raises InvalidLock: the lock's structure is unusable (a field of the wrong
        type, an unparsable ``marker``), a table is invalid (the violations
        of :func:`reference.format.metadata.load_metadata` are kept, preceded by
        ``pep825:pylock-validate``), or a ``packages.marker`` or ``environments``
        entry uses a variant marker (:func:`check_marker_scope`).
    :raises reference.limits.UnsafeName: a wheel's file name is not one path component.

    Spec: pep825:pylock-validate, reference:safe-name, pep825:pylock-markers-scope
    """
    lock_version = data.get("lock-version")
    if not isinstance(lock_version, str) or lock_version.split(".")[0] != "1":
        # pylock:lock-version-major: only lock-version 1.x (the pylock.toml specification) is read
        message = f"lock-version {quoted(lock_version)} is not a supported version (1.x)"  # pragma: no mutate
        raise InvalidLock(Violation("pylock:lock-version-major", message, "lock-version", source))
    packages = data.get("packages", [])
    if not isinstance(packages, list):
        raise _bad("packages must be an array of tables", "packages", source)
    out = tuple(_package(package, f"packages[{i}]", base, source) for i, package in enumerate(packages))
    return Lock(out, data, source, _environments(data, source))


def load_lock(path: str | os.PathLike[str]) -> Lock:
    """Read and validate a ``pylock.toml`` file.

    :raises OSError: the file cannot be read, or is not a regular file.
    :raises InvalidLock: it is not UTF-8 TOML, or see :func:`parse_lock`.
    :raises reference.limits.LimitExceeded: it is larger or deeper than the limits.
    """
    path = Path(path)
    try:
        data = parse_toml(read_regular(path).decode("utf-8"), str(path))
    except (TOMLDecodeError, UnicodeDecodeError) as exc:
        raise _bad(f"not valid TOML: {exc}", "", str(path)) from None
    return parse_lock(data, str(path), path.parent)


def prune_metadata(metadata: VariantMetadata, labels: Iterable[str]) -> VariantMetadata:
    """Drop ``variants`` entries whose label is not in ``labels``, and namespaces left unused.

    PEP 825: "The tools MAY remove the entries of the ``variants`` dictionary
    whose labels do not occur among the wheels listed for the package, along
    with any namespaces that are thereby left unused in
    ``default-priorities.namespace``. The entry for every label that does occur
    MUST be retained in full". Entries kept are copied unchanged. For format
    0.2.0 the ``providers`` keys follow the namespace list, since "Its set of
    keys MUST match the set of values in the default-priorities.namespace
    list" (providers:keys-match-namespaces).

    Spec: pep825:pylock-retain-labels
    """
    keep = set(labels)
    variants = {label: props for label, props in metadata.variants.items() if label in keep}
    used = {namespace for props in variants.values() for namespace in props}
    namespaces = tuple(ns for ns in metadata.namespace_priorities if ns in used)
    providers = metadata.providers
    if providers is not None:
        providers = {ns: info for ns, info in providers.items() if ns in namespaces or ns == ABI_DEPENDENCY}
    return VariantMetadata(metadata.schema, namespaces, variants, providers, metadata.source)


def variants_json_table(
    metadata: VariantMetadata, wheel_filenames: Sequence[str] | None = None
) -> dict[str, Any]:
    """The ``[packages.variants-json]`` table for a package, as TOML-ready data.

    :param wheel_filenames: when given, labels not among these wheels are pruned
        (:func:`prune_metadata`); ``None`` keeps the combined metadata whole.

    Spec: pep825:pylock-variants-json
    """
    if wheel_filenames is not None:
        labels = set()
        for name in wheel_filenames:
            label = parse_wheel_filename(name).variant_label
            if label is not None:
                labels.add(label)
        metadata = prune_metadata(metadata, labels)
    # to_json() keeps "$schema" as the first key, as PEP 825 requires it preserved.
    return metadata.to_json()


def package_entry(
    name: str,
    version: str,
    wheels: Sequence[FileLink],
    metadata: VariantMetadata | None,
    *,
    prune: bool = True,
) -> dict[str, Any]:
    """A ``[[packages]]`` table listing ``wheels``, with ``[packages.variants-json]`` if given.

    PEP 825: variant wheels "can be listed in pylock.toml file in the same manner
    as wheels with different Platform compatibility tags: either all variant
    (and non-variant) wheels can be listed, or a subset of them".

    :param prune: drop labels none of ``wheels`` carries (:func:`prune_metadata`).

    Spec: pep825:pylock-variants-json
    """
    entry: dict[str, Any] = {
        "name": name,
        "version": version,
        "wheels": [
            {"name": link.filename, "url": link.url, "hashes": dict(link.hashes)} for link in wheels
        ],
    }
    if metadata is not None:
        filenames = [link.filename for link in wheels] if prune else None
        entry["variants-json"] = variants_json_table(metadata, filenames)
    return entry


def dumps_lock(data: Mapping[str, Any]) -> str:
    """TOML text of a lock document (written with ``tomli-w``)."""
    return tomli_w.dumps(dict(data))


def package_for(lock: Lock, name: str) -> LockedPackage | None:
    """The first package named ``name`` (any spelling)."""
    wanted = canonicalize_name(name)
    for package in lock.packages:
        if canonicalize_name(package.name) == wanted:
            return package
    return None


@dataclass
class LockSelection:
    """The outcome for one locked package.

    :param selection: the selection among the package's listed wheels.
    :param wheel: the selected wheel entry, or ``None``.
    :param requires: the selected wheel's ``Requires-Dist`` entries whose
        markers are true, or ``None`` when the wheel could not be read.
    """

    package: LockedPackage
    selection: Selection
    wheel: LockedWheel | None
    requires: list[str] | None = None


def select_locked(
    lock: Lock,
    system: System,
    options: SelectOptions | None = None,
    fetch: Callable[[LockedWheel], Path] | None = None,
) -> dict[str, LockSelection]:
    """Select a wheel for every package of the lock whose ``marker`` applies.

    PEP 825: "If variant wheels are listed, the tool SHOULD resolve variants to
    select the best wheel file", among the listed wheels and with the inlined
    metadata; "Variant environment markers occurring in the dependency
    specifiers of a locked package are evaluated in the context of the wheel
    selected for that package's entry".

    :param fetch: returns a local, hash-verified copy of a listed wheel; used to
        read ``variant.json`` when the package has no ``variants-json`` table,
        and ``METADATA`` of the selected wheel. ``None``: no wheel is read.
    :returns: ``{package name: LockSelection}`` in lock order.
    :raises InvalidLock: the lock's ``environments`` exclude the system (:func:`check_environments`).

    Spec: pep825:pylock-resolve, pep825:pylock-markers, pylock:environments
    """
    check_environments(lock, system.environment)
    out: dict[str, LockSelection] = {}
    for package in lock.packages:
        if not package_applies(package, system.environment):
            continue
        selection = resolve_locked(package, system, options, fetch)
        wheel = {w.filename: w for w in package.wheels}.get(selection.selected or "")
        requires = None
        if wheel is not None and fetch is not None and selection.markers is not None:
            requires = locked_requires(fetch(wheel), selection.markers, system.environment)
        out[package.name] = LockSelection(package, selection, wheel, requires)
    return out


def check_sources(results: Mapping[str, LockSelection], source: str = "") -> None:
    """Every package the lock installs has a wheel to install.

    pylock.toml specification, Installation: "Look for the appropriate wheel file
    based on name; if one is not found then move on to sdist or an error MUST be
    raised about a lack of source for the project." The reference builds no sdist.

    :raises InvalidLock: for the first package without a compatible wheel.

    Spec: pylock:wheel-name, pep825:pylock-resolve
    """
    for name, result in results.items():
        if result.wheel is None:
            raise InvalidLock(
                Violation(
                    "pylock:wheel-name",
                    f"no compatible wheel among the locked wheels of {quoted(name)}: "  # pragma: no mutate
                    "no source to install it from",  # pragma: no mutate
                    f"packages[name={name}]",  # pragma: no mutate
                    source,
                )
            )


def resolve_locked(
    package: LockedPackage,
    system: System,
    options: SelectOptions | None,
    fetch: Callable[[LockedWheel], Path] | None,
) -> Selection:
    """"If variant wheels are listed, the tool SHOULD resolve variants to select the best wheel
    file": selection among the package's listed wheels, with its inlined metadata (or, without
    a ``variants-json`` table, the listed wheels' own ``variant.json``).

    Spec: pep825:pylock-resolve
    """
    by_name = {w.filename: w for w in package.wheels}

    def read_wheel_metadata(filename: str) -> VariantMetadata:
        if fetch is None:
            raise OSError(f"{filename}: wheel not available")
        return read_variant_json(fetch(by_name[filename]))

    return select_wheel(
        package.filenames, package.metadata, system, options, read_wheel_metadata if fetch else None
    )


def locked_requires(path: Path, markers: VariantMarkers, environment: Mapping[str, str]) -> list[str]:
    """"Variant environment markers occurring in the dependency specifiers of a locked package
    are evaluated in the context of the wheel selected for that package's entry": the selected
    wheel's (at *path*) ``Requires-Dist`` whose markers hold for its *markers*.

    Spec: pep825:pylock-markers
    """
    from reference.install.resolve import selected_requires

    return selected_requires(path, markers, environment)
