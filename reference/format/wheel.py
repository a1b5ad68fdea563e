"""Read ``*.dist-info/variant.json`` out of a wheel, safely.

Only that one member is read. Its declared size and compression ratio are
checked before reading, and the read itself is capped, so an oversize member
or a zip bomb is refused, never inflated.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from reference.errors import InvalidVariantMetadata, Violation
from reference.format.filename import parse_wheel_filename
from reference.format.metadata import load_metadata, parse_json_bytes
from reference.format.model import VariantMetadata

__all__ = [
    "MAX_COMPRESSION_RATIO",
    "MAX_VARIANT_JSON_BYTES",
    "read_variant_json",
    "read_variant_json_bytes",
]

MAX_VARIANT_JSON_BYTES = 1024 * 1024
"""Largest ``variant.json`` read (1 MiB; real ones are a few hundred bytes)."""

MAX_COMPRESSION_RATIO = 200
"""Largest uncompressed/compressed size ratio accepted for a member over 4 KiB."""

_RATIO_FLOOR = 4096
_DIST_INFO_RE = re.compile(r"([^/]+\.dist-info)/")


def _error(clause: str, message: str, source: str, location: str = "") -> InvalidVariantMetadata:
    return InvalidVariantMetadata(Violation(clause, message, location, source))


def read_variant_json_bytes(path: str | Path, *, max_bytes: int = MAX_VARIANT_JSON_BYTES) -> bytes:
    """The raw bytes of the wheel's ``*.dist-info/variant.json``.

    :param path: the wheel file.
    :param max_bytes: refuse a member larger than this.
    :raises InvalidVariantMetadata: not a zip (``reference:wheel-layout``),
        zero or several ``.dist-info`` directories (``reference:wheel-layout``),
        no ``variant.json`` (``pep825:variant-wheel-metadata``), or a member
        too large or too compressed (``reference:size-limit``).
    :raises OSError: the file cannot be read.

    Spec: pep825:metadata-file
    """
    path = Path(path)
    source = path.name
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise _error("reference:wheel-layout", f"not a zip archive: {exc}", source) from None
    with archive:
        info = _variant_json_member(archive, source)
        _check_declared_size(info, max_bytes, source)
        return _read_capped(archive, info, max_bytes, source)


def _variant_json_member(archive: zipfile.ZipFile, source: str) -> zipfile.ZipInfo:
    """The one ``*.dist-info/variant.json`` member of the one top-level ``.dist-info`` directory.

    Spec: pep825:variant-wheel-metadata, reference:wheel-layout
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
    member = f"{dist_infos[0]}/variant.json"
    matches = [info for info in infos if info.filename == member]
    if not matches:
        raise _error(
            "pep825:variant-wheel-metadata",
            f"variant wheel has no {member}: a variant wheel MUST include a variant metadata file",
            source,
            member,
        )
    if len(matches) > 1:
        raise _error("reference:wheel-layout", f"{member} appears {len(matches)} times", source, member)
    return matches[0]


def _check_declared_size(info: zipfile.ZipInfo, max_bytes: int, source: str) -> None:
    """Refuse, before inflating anything, a member declared too large or too compressed.

    Spec: reference:size-limit
    """
    member = info.filename
    if info.file_size > max_bytes:
        raise _error(
            "reference:size-limit",
            f"{member} declares {info.file_size} bytes; the limit is {max_bytes}",
            source,
            member,
        )
    if info.file_size > _RATIO_FLOOR and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
        raise _error(
            "reference:size-limit",
            f"{member} compresses {info.file_size} bytes into {info.compress_size}: "
            "refused as a likely zip bomb",
            source,
            member,
        )


def _read_capped(archive: zipfile.ZipFile, info: zipfile.ZipInfo, max_bytes: int, source: str) -> bytes:
    """The member's bytes, reading at most one byte past ``max_bytes`` whatever its header claims.

    Spec: reference:size-limit
    """
    member = info.filename
    try:
        with archive.open(info) as stream:
            raw = stream.read(max_bytes + 1)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError) as exc:
        raise _error("reference:wheel-layout", f"cannot read {member}: {exc}", source, member) from None
    if len(raw) > max_bytes:
        raise _error(
            "reference:size-limit",
            f"{member} holds more than {max_bytes} bytes (its declared size is wrong)",
            source,
            member,
        )
    return raw


def read_variant_json(path: str | Path, *, max_bytes: int = MAX_VARIANT_JSON_BYTES) -> VariantMetadata:
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
