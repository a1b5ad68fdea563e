"""Read the metadata members of a wheel, safely: ``variant.json`` and ``METADATA``.

Only the member asked for is read. The wheel must be a regular file within
the ``wheel-bytes`` limit; a member's declared size and compression ratio are
checked before reading and the read itself is capped
(:mod:`reference.limits`), so an oversize member or a zip bomb is refused,
never inflated. A corrupt archive (bad deflate data, an unsupported zip
version, a name flagged UTF-8 that is not) is ``reference:wheel-layout``.
"""

from __future__ import annotations

import os
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from reference.errors import InvalidVariantMetadata, VariantError, Violation
from reference.format.filename import parse_wheel_filename
from reference.format.metadata import load_metadata, parse_json_bytes
from reference.format.model import VariantMetadata
from reference.limits import LIMITS, LimitExceeded, int_limit, open_regular, quoted

__all__ = [
    "MAX_COMPRESSION_RATIO",
    "MAX_VARIANT_JSON_BYTES",
    "CoreMetadata",
    "read_core_metadata",
    "read_variant_json",
    "read_variant_json_bytes",
]

MAX_VARIANT_JSON_BYTES = int(LIMITS["variant-json-bytes"].default)
"""Largest ``variant.json`` read by default (the ``variant-json-bytes`` limit, 1 MiB)."""

MAX_COMPRESSION_RATIO = int(LIMITS["compression-ratio"].default)
"""Largest uncompressed/compressed size ratio accepted for a member over 4 KiB (``compression-ratio``)."""

_RATIO_FLOOR = 4096
_DIST_INFO_RE = re.compile(r"([^/]+\.dist-info)/")
# What a damaged archive raises from zipfile: a bad directory, bad deflate data
# (zlib.error), an unsupported version or method (NotImplementedError), an
# encrypted member (RuntimeError), a truncated one (EOFError, OSError), a name
# flagged UTF-8 that is not (UnicodeDecodeError, a ValueError).
_ZIP_ERRORS = (
    zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError, ValueError, OSError
)


def _error(clause: str, message: str, source: str, location: str = "") -> InvalidVariantMetadata:
    return InvalidVariantMetadata(Violation(clause, message, location, source))


def open_wheel(path: str | os.PathLike[str]) -> zipfile.ZipFile:
    """The wheel at ``path`` as an archive: a regular file within ``wheel-bytes``, readable as zip.

    :raises InvalidVariantMetadata: not a zip archive (``reference:wheel-layout``).
    :raises LimitExceeded: larger than ``wheel-bytes``.
    :raises OSError: not a regular file, or unreadable.
    """
    source = Path(path).name
    stream: IO[bytes] = open_regular(path)
    size = os.fstat(stream.fileno()).st_size
    if size > int_limit("wheel-bytes"):
        stream.close()
        raise LimitExceeded("wheel-bytes", LIMITS["wheel-bytes"].shown(size), source)
    try:
        return zipfile.ZipFile(stream)
    except _ZIP_ERRORS as exc:
        stream.close()
        raise _error("reference:wheel-layout", f"not a readable zip archive: {exc}", source) from None


def _dist_info_member(archive: zipfile.ZipFile, name: str, source: str) -> zipfile.ZipInfo | None:
    """The ``{dist-info}/{name}`` member of the one top-level ``.dist-info`` directory, if present.

    Spec: reference:wheel-layout
    """
    infos = archive.infolist()
    dist_infos = sorted({m.group(1) for info in infos if (m := _DIST_INFO_RE.match(info.filename))})
    if len(dist_infos) != 1:
        found = ", ".join(dist_infos) or "none"
        raise _error(
            "reference:wheel-layout",
            f"a wheel has exactly one top-level *.dist-info directory; found {found}",
            source,
        )
    member = f"{dist_infos[0]}/{name}"
    matches = [info for info in infos if info.filename == member]
    if len(matches) > 1:
        raise _error("reference:wheel-layout", f"{member} appears {len(matches)} times", source, member)
    return matches[0] if matches else None


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit_name: str, source: str,
                max_bytes: int | None = None) -> bytes:
    """A member's bytes: declared size and compression ratio checked first, the read capped.

    :param limit_name: the size limit (``variant-json-bytes``, ``metadata-bytes``).
    :param max_bytes: a smaller cap than the limit's, if given.
    :raises LimitExceeded: too large (declared or actual) or too compressed.
    :raises InvalidVariantMetadata: the member cannot be inflated (``reference:wheel-layout``).

    Spec: reference:size-limit, reference:limit
    """
    member = info.filename
    most = max_bytes if max_bytes is not None else int_limit(limit_name)
    if info.file_size > most:
        raise LimitExceeded(limit_name, f"{info.file_size} bytes (declared)", source, member, most)
    ratio = int_limit("compression-ratio")
    if info.file_size > _RATIO_FLOOR and info.file_size > ratio * max(info.compress_size, 1):
        found = f"{info.file_size} bytes from {info.compress_size} (a likely zip bomb)"
        raise LimitExceeded("compression-ratio", found, source, member)
    try:
        with archive.open(info) as stream:
            raw = stream.read(most + 1)
    except _ZIP_ERRORS as exc:
        raise _error("reference:wheel-layout", f"cannot read {member}: {exc}", source, member) from None
    if len(raw) > most:
        raise LimitExceeded(limit_name, "more than its declared size", source, member, most)
    return raw


def read_variant_json_bytes(path: str | Path, *, max_bytes: int | None = None) -> bytes:
    """The raw bytes of the wheel's ``*.dist-info/variant.json``.

    :param path: the wheel file.
    :param max_bytes: refuse a member larger than this (default: the ``variant-json-bytes`` limit).
    :raises InvalidVariantMetadata: not a zip (``reference:wheel-layout``),
        zero or several ``.dist-info`` directories (``reference:wheel-layout``),
        no ``variant.json`` (``pep825:variant-wheel-metadata``).
    :raises LimitExceeded: the wheel or the member is too large, or too compressed.
    :raises OSError: the file cannot be read, or is not a regular file.

    Spec: pep825:metadata-file
    """
    path = Path(path)
    source = path.name
    with open_wheel(path) as archive:
        info = _dist_info_member(archive, "variant.json", source)
        if info is None:
            raise _error(
                "pep825:variant-wheel-metadata",
                "variant wheel has no *.dist-info/variant.json: a variant wheel MUST include a "
                "variant metadata file",
                source,
                "variant.json",
            )
        return read_member(archive, info, "variant-json-bytes", source, max_bytes)


def read_variant_json(path: str | Path, *, max_bytes: int | None = None) -> VariantMetadata:
    """Read and validate a wheel's ``variant.json``, checking its label against the filename.

    :raises InvalidVariantFilename: the filename is not a valid wheel filename.
    :raises InvalidVariantMetadata: see :func:`read_variant_json_bytes` and
        :func:`reference.format.metadata.load_metadata` (with ``kind="wheel"``); a
        filename without a label gives ``pep825:variant-wheel-label``.

    Spec: pep825:variants-single-entry
    """
    path = Path(path)
    wheel = parse_wheel_filename(path.name)
    if wheel.variant_label is None:
        raise _error(
            "pep825:variant-wheel-label",
            "not a variant wheel: the filename has no variant label",
            path.name,
            "variant label",
        )
    raw = read_variant_json_bytes(path, max_bytes=max_bytes)
    source = f"{path.name}:variant.json"
    data = parse_json_bytes(raw, source)
    return load_metadata(data, kind="wheel", source=source, label=wheel.variant_label)


@dataclass(frozen=True)
class CoreMetadata:
    """What the reference reads of a wheel's ``METADATA``: ``Name``, ``Version``, ``Requires-Dist``."""

    name: str
    version: str
    requires_dist: tuple[str, ...]


def read_core_metadata(path: str | Path) -> CoreMetadata:
    """The ``Name``, ``Version`` and ``Requires-Dist`` of a wheel, ``Name`` checked against the filename.

    :raises VariantError: no single ``METADATA`` or a damaged archive
        (``reference:wheel-layout``); a ``Name`` that is not the filename's
        distribution (``reference:metadata-name``).
    :raises LimitExceeded: ``METADATA`` is too large or too compressed.

    Spec: reference:metadata-name, reference:core-metadata
    """
    from packaging.utils import canonicalize_name

    path = Path(path)
    source = path.name
    with open_wheel(path) as archive:
        info = _dist_info_member(archive, "METADATA", source)
        if info is None:
            raise VariantError(Violation("reference:wheel-layout", "no *.dist-info/METADATA", "", source))
        text = read_member(archive, info, "metadata-bytes", source).decode("utf-8", errors="replace")
    names = _header_values(text, "Name")
    expected = parse_wheel_filename(path.name).distribution
    if len(names) != 1 or canonicalize_name(names[0]) != canonicalize_name(expected):
        found = quoted(names[0]) if len(names) == 1 else f"{len(names)} Name fields"
        message = f"METADATA names the distribution {found}, the filename {quoted(expected)}"
        raise VariantError(Violation("reference:metadata-name", message, "Name", source))
    versions = _header_values(text, "Version")
    requires = tuple(_header_values(text, "Requires-Dist"))
    return CoreMetadata(names[0], versions[0] if versions else "", requires)


def _header_values(text: str, field_name: str) -> list[str]:
    """Values of one field of a core metadata header block (RFC 822 style, folded lines joined).

    A small reader instead of :mod:`email.parser`, whose import alone costs
    more than the rest of a ``select``.
    """
    values: list[list[str]] = []
    taking = False
    wanted = field_name.lower()
    for line in text.splitlines():
        if not line.strip():
            break  # the body (description) starts after the first empty line
        if line[0] in " \t":
            if taking:
                values[-1].append(line.strip())
            continue
        name, _, value = line.partition(":")
        taking = name.strip().lower() == wanted
        if taking:
            values.append([value.strip()])
    return [" ".join(parts) for parts in values]
