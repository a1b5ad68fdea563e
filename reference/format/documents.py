"""Variant metadata documents on disk: recognised by name, loaded and validated.

A path names one of four documents: a wheel's ``variant.json``, an
index-level ``{name}-{version}-variants.json`` (whose name is checked too), a
``*.whl`` archive (its ``variant.json`` is read and checked against its
label) or a ``pyproject.toml`` (its ``[variant]`` table, building draft).
This module only dispatches: validation is :mod:`reference.format.metadata`,
reading a wheel :mod:`reference.format.wheel`, the index-level naming rule
:mod:`reference.format.indexfile`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from reference._toml import TOMLDecodeError
from reference.errors import InvalidVariantMetadata, Violation
from reference.format.indexfile import INDEX_SUFFIX, check_index_filename
from reference.format.metadata import Kind, load_metadata, parse_json_bytes
from reference.format.model import VariantMetadata
from reference.format.wheel import read_variant_json
from reference.limits import parse_toml, read_regular

__all__ = ["document_kind", "load_path"]


def document_kind(path: str | Path) -> Kind | Literal["wheel-file"] | None:
    """The kind of document a path holds, recognised from its name.

    ``wheel-file`` is a ``*.whl`` archive; ``None`` means unrecognised.
    """
    name = Path(path).name
    if name.endswith(".whl"):
        return "wheel-file"
    if name == "variant.json":
        return "wheel"
    if name.endswith(INDEX_SUFFIX):
        return "index"
    if name == "pyproject.toml":
        return "pyproject"
    return None


def load_path(path: str | Path) -> VariantMetadata:
    """Load and validate the document at ``path``; the kind comes from its name.

    ``variant.json`` (a wheel's, no label check), ``*-variants.json`` (the
    filename is checked too), ``*.whl`` (reads its ``variant.json``, checks the
    label) or ``pyproject.toml`` (its ``[variant]`` table).

    :raises ValueError: the name is none of those (not a ``VariantError``).
    :raises OSError: the file cannot be read, or is not a regular file.
    :raises reference.errors.VariantError: the document is invalid.
    :raises reference.limits.LimitExceeded: it is larger or deeper than the limits.
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
        return read_variant_json(path)
    if kind == "pyproject":
        return _load_pyproject(path, source)
    data = parse_json_bytes(read_regular(path), source)
    if kind == "index":
        return _load_index(data, path.name, source)
    return load_metadata(data, kind="wheel", source=source)


def _load_pyproject(path: Path, source: str) -> VariantMetadata:
    """The ``[variant]`` table of a ``pyproject.toml``.

    Spec: building:pyproject-table
    """
    try:
        table = parse_toml(read_regular(path).decode("utf-8"), source)
    except (TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InvalidVariantMetadata(
            Violation("reference:toml-syntax", f"invalid TOML: {exc}", "", source)
        ) from None
    if not isinstance(table.get("variant"), dict):
        raise InvalidVariantMetadata(
            Violation("building:pyproject-table", "pyproject.toml has no [variant] table", "", source)
        )
    return load_metadata(table["variant"], kind="pyproject", source=source)


def _load_index(data: Any, filename: str, source: str) -> VariantMetadata:
    """An index-level file: its content and its name, every violation of both reported together.

    Spec: pep825:index-file-name
    """
    problems = check_index_filename(filename, source)
    try:
        metadata = load_metadata(data, kind="index", source=source)
    except InvalidVariantMetadata as exc:
        raise type(exc)(problems + exc.violations) from None
    if problems:
        raise InvalidVariantMetadata(problems)
    return metadata
