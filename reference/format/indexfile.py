"""Index-level metadata files: ``{name}-{version}-variants.json`` (PEP 825 "Index-level metadata").

From a folder of wheels, one file per release that has variant wheels: the
combination of the ``variant.json`` of all its variant wheels, written as
canonical JSON (sorted keys, value lists sorted) so the bytes are
deterministic.
"""

from __future__ import annotations

import re
from pathlib import Path

from reference.errors import VariantError, Violation
from reference.format.combine import combine
from reference.format.filename import parse_wheel_filename
from reference.format.model import VariantMetadata
from reference.format.wheel import read_variant_json
from reference.limits import quoted

__all__ = [
    "INDEX_SUFFIX",
    "build_index_files",
    "check_index_filename",
    "index_filename",
    "normalize_name",
    "normalize_version",
    "write_index_files",
]

INDEX_SUFFIX = "-variants.json"
"""How every index-level file name ends."""

_NAME_SEPARATORS = re.compile(r"[-_.]+")


def normalize_name(name: str) -> str:
    """A distribution name as wheel filenames write it: ``re.sub("[-_.]+", "_", name).lower()``.

    Spec: pep825:index-file-name
    """
    return _NAME_SEPARATORS.sub("_", name).lower()


def normalize_version(version: str) -> str:
    """A version in PEP 440 normal form (``""`` if it is not a valid version).

    Spec: pep825:index-file-name
    """
    from packaging.version import InvalidVersion, Version

    try:
        return str(Version(version))
    except InvalidVersion:
        return ""


def index_filename(name: str, version: str) -> str:
    """The index-level file name of a release.

    >>> index_filename("Foo.Bar", "1.02")
    'foo_bar-1.2-variants.json'

    :raises ValueError: ``version`` is not a valid version.

    Spec: pep825:index-file-name
    """
    normal = normalize_version(version)
    if not normal:
        raise ValueError(f"invalid version {quoted(version)}")
    return f"{normalize_name(name)}-{normal}-variants.json"


def check_index_filename(filename: str, source: str = "") -> list[Violation]:
    """Violations of the ``{name}-{version}-variants.json`` naming rule.

    Name and version are normalized "according to the same rules as wheel
    files": the name as ``re.sub("[-_.]+", "_", name).lower()``, the version
    in its PEP 440 normal form.

    Spec: pep825:index-file-name
    """
    stem = filename[: -len(INDEX_SUFFIX)] if filename.endswith(INDEX_SUFFIX) else filename
    parts = stem.split("-")
    if len(parts) != 2 or not all(parts):
        return [
            Violation(
                "pep825:index-file-name",
                f"{quoted(filename)} is not of the form {{name}}-{{version}}-variants.json",
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
                f"name {quoted(name)} is not normalized as in wheel filenames "
                f"({quoted(normalize_name(name))})",
                "name",
                source,
            )
        )
    normal = normalize_version(version)
    if normal != version:
        problems.append(
            Violation(
                "pep825:index-file-name",
                f"version {quoted(version)} is not normalized"
                + (f" ({quoted(normal)})" if normal else " (not a valid version)"),
                "version",
                source,
            )
        )
    return problems


def build_index_files(wheel_dir: str | Path) -> dict[str, VariantMetadata]:
    """The combined metadata of every release in ``wheel_dir`` that has variant wheels.

    Non-variant wheels are ignored. Every wheel is read (files are taken in
    sorted order); every problem found is reported together.

    :returns: index-level filename -> combined metadata, sorted by filename.
    :raises VariantError: an invalid wheel filename or ``variant.json``, or
        inconsistent metadata within a release (all violations at once).
    :raises OSError: the folder or a wheel cannot be read.

    Spec: pep825:index-file-required, pep825:index-file-all-variants
    """
    groups: dict[str, list[VariantMetadata]] = {}
    problems: list[Violation] = []
    for path in sorted(Path(wheel_dir).glob("*.whl")):
        try:
            wheel = parse_wheel_filename(path.name)
            if not wheel.is_variant:
                continue
            filename = index_filename(wheel.distribution, wheel.version)
            document = read_variant_json(path)
            groups.setdefault(filename, []).append(document)
        except VariantError as exc:
            problems += exc.violations
    result: dict[str, VariantMetadata] = {}
    for filename, documents in sorted(groups.items()):
        try:
            result[filename] = combine(documents)
        except VariantError as exc:
            problems += exc.violations
    if problems:
        raise VariantError(problems)
    return result


def write_index_files(wheel_dir: str | Path, out_dir: str | Path | None = None) -> list[Path]:
    """Write the index-level files of ``wheel_dir`` into ``out_dir`` (default: ``wheel_dir``).

    :returns: the paths written, sorted.
    :raises VariantError: see :func:`build_index_files`; nothing is written then.
    """
    files = build_index_files(wheel_dir)
    target = Path(out_dir if out_dir is not None else wheel_dir)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, metadata in files.items():
        path = target / filename
        path.write_bytes(metadata.dumps().encode("utf-8"))
        written.append(path)
    return written
