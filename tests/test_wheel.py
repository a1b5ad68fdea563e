"""Reading variant.json from a wheel, safely (PEP 825 "Variant metadata")."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from reference.errors import InvalidVariantFilename, InvalidVariantMetadata
from reference.format.wheel import read_variant_json, read_variant_json_bytes
from reference.limits import LimitExceeded

SCHEMA = "https://variants-schema.wheelnext.dev/peps/825/v0.1.1.json"


def variant_json(
    label: str, properties: dict[str, Any] | None = None, namespaces: list[str] | None = None
) -> dict[str, Any]:
    properties = {"x86_64": {"level": ["v3"]}} if properties is None else properties
    return {
        "$schema": SCHEMA,
        "default-priorities": {"namespace": namespaces or ["x86_64"]},
        "variants": {label: properties},
    }


def make_wheel(
    directory: Path,
    filename: str,
    document: Any = None,
    *,
    raw: bytes | None = None,
    dist_infos: list[str] | None = None,
    extra: dict[str, bytes] | None = None,
) -> Path:
    """Write a minimal wheel; ``document`` (JSON data) or ``raw`` becomes variant.json."""
    name, version = filename.split("-")[:2]
    path = directory / filename
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{name}/__init__.py", b"")
        for dist_info in dist_infos or [f"{name}-{version}.dist-info"]:
            archive.writestr(f"{dist_info}/METADATA", f"Metadata-Version: 2.1\nName: {name}\n")
        if raw is None and document is not None:
            raw = json.dumps(document).encode()
        if raw is not None:
            archive.writestr(f"{(dist_infos or [f'{name}-{version}.dist-info'])[0]}/variant.json", raw)
        for member, data in (extra or {}).items():
            archive.writestr(member, data)
    return path


def clauses(path: Path, **kwargs: Any) -> list[str]:
    with pytest.raises(InvalidVariantMetadata) as info:
        read_variant_json(path, **kwargs)
    return info.value.clauses


def test_reads_matching_label(tmp_path: Path) -> None:
    path = make_wheel(tmp_path, "foo-1.0-py3-none-any-x86_64_v3.whl", variant_json("x86_64_v3"))
    md = read_variant_json(path)
    assert list(md.variants) == ["x86_64_v3"]
    assert md.source == "foo-1.0-py3-none-any-x86_64_v3.whl:variant.json"


def test_null_variant_wheel(tmp_path: Path) -> None:
    path = make_wheel(tmp_path, "foo-1.0-py3-none-any-null.whl", variant_json("null", {}))
    assert read_variant_json(path).properties("null") == []


def test_label_mismatch(tmp_path: Path) -> None:
    # PEP 825: the single entry's key "is the variant label present in that wheel's filename"
    path = make_wheel(tmp_path, "foo-1.0-py3-none-any-x86_64_v4.whl", variant_json("x86_64_v3"))
    assert clauses(path) == ["pep825:variants-single-entry"]


def test_missing_variant_json(tmp_path: Path) -> None:
    # PEP 825 "Variant wheel": "It MUST include a variant metadata file"
    path = make_wheel(tmp_path, "foo-1.0-py3-none-any-v3.whl")
    assert clauses(path) == ["pep825:variant-wheel-metadata"]


def test_several_dist_info(tmp_path: Path) -> None:
    path = make_wheel(
        tmp_path,
        "foo-1.0-py3-none-any-v3.whl",
        variant_json("v3"),
        dist_infos=["foo-1.0.dist-info", "bar-2.0.dist-info"],
    )
    assert clauses(path) == ["reference:wheel-layout"]


def test_variant_json_elsewhere_is_not_read(tmp_path: Path) -> None:
    path = make_wheel(
        tmp_path,
        "foo-1.0-py3-none-any-v3.whl",
        extra={"foo/variant.json": json.dumps(variant_json("v3")).encode()},
    )
    assert clauses(path) == ["pep825:variant-wheel-metadata"]


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "foo-1.0-py3-none-any-v3.whl"
    path.write_bytes(b"not a zip")
    assert clauses(path) == ["reference:wheel-layout"]


def test_invalid_utf8(tmp_path: Path) -> None:
    path = make_wheel(tmp_path, "foo-1.0-py3-none-any-v3.whl", raw=b'{"$schema": "\xff"}')
    assert clauses(path) == ["reference:json-syntax"]


def test_invalid_json(tmp_path: Path) -> None:
    path = make_wheel(tmp_path, "foo-1.0-py3-none-any-v3.whl", raw=b'{"$schema": ')
    assert clauses(path) == ["reference:json-syntax"]


def test_duplicate_keys(tmp_path: Path) -> None:
    raw = b'{"$schema": "x", "$schema": "y", "default-priorities": {}, "variants": {}}'
    path = make_wheel(tmp_path, "foo-1.0-py3-none-any-v3.whl", raw=raw)
    assert clauses(path) == ["reference:json-syntax"]


def test_oversize_refused_by_declared_size(tmp_path: Path) -> None:
    doc = variant_json("v3")
    path = make_wheel(tmp_path, "foo-1.0-py3-none-any-v3.whl", doc)
    # a limit hit is refused as such (reference:limit), not judged invalid
    with pytest.raises(LimitExceeded) as info:
        read_variant_json_bytes(path, max_bytes=50)
    assert info.value.name == "variant-json-bytes" and "limit is 50 bytes" in str(info.value)


def test_zip_bomb_refused(tmp_path: Path) -> None:
    # 900 kB of spaces deflate to about 1 kB: a ratio far beyond real JSON
    raw = b"{" + b" " * 900_000 + b"}"
    path = make_wheel(tmp_path, "foo-1.0-py3-none-any-v3.whl", raw=raw)
    with pytest.raises(LimitExceeded, match="zip bomb") as info:
        read_variant_json_bytes(path)
    assert info.value.name == "compression-ratio"


def test_lying_declared_size_is_capped(tmp_path: Path) -> None:
    # A member whose local/central size fields understate its content is cut
    # off at the cap instead of being inflated in full.
    path = make_wheel(tmp_path, "foo-1.0-py3-none-any-v3.whl", raw=b"[" + b"1," * 3000 + b"1]")
    data = bytearray(path.read_bytes())
    info = next(i for i in zipfile.ZipFile(path).infolist() if i.filename.endswith("variant.json"))
    real = info.file_size.to_bytes(4, "little")
    fake = (100).to_bytes(4, "little")
    assert data.count(real) >= 2
    data = data.replace(real, fake)
    path.write_bytes(bytes(data))
    with pytest.raises((InvalidVariantMetadata, LimitExceeded)) as exc:
        read_variant_json_bytes(path, max_bytes=1000)
    assert getattr(exc.value, "name", None) == "variant-json-bytes" or exc.value.clauses == [
        "reference:wheel-layout"
    ]


def test_non_variant_wheel(tmp_path: Path) -> None:
    path = make_wheel(tmp_path, "foo-1.0-py3-none-any.whl", variant_json("v3"))
    assert clauses(path) == ["pep825:variant-wheel-label"]


def test_invalid_filename(tmp_path: Path) -> None:
    path = make_wheel(tmp_path, "foo-1.0-py3-none-any-V3.whl", variant_json("v3"))
    with pytest.raises(InvalidVariantFilename):
        read_variant_json(path)


def test_only_the_member_is_read(tmp_path: Path) -> None:
    # A huge unrelated member does not matter.
    path = make_wheel(
        tmp_path, "foo-1.0-py3-none-any-v3.whl", variant_json("v3"), extra={"foo/big.bin": b"\0" * 3_000_000}
    )
    assert list(read_variant_json(path).variants) == ["v3"]
