"""Index-level file generation (PEP 825 "Index-level metadata")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reference.errors import VariantError
from reference.format.documents import load_path
from reference.format.indexfile import build_index_files, index_filename, write_index_files
from tests.test_wheel import make_wheel, variant_json


@pytest.mark.parametrize(
    ("name", "version", "expected"),
    [
        # PEP 825: "foo-1.2.3-variants.json"
        ("foo", "1.2.3", "foo-1.2.3-variants.json"),
        # normalized "according to the same rules as wheel files"
        ("Foo.Bar", "1.02", "foo_bar-1.2-variants.json"),
        ("foo--bar_._baz", "1.0-rc1", "foo_bar_baz-1.0rc1-variants.json"),
        ("foo", "1.0+local.1", "foo-1.0+local.1-variants.json"),
    ],
)
def test_index_filename(name: str, version: str, expected: str) -> None:
    assert index_filename(name, version) == expected


def test_index_filename_bad_version() -> None:
    with pytest.raises(ValueError, match="invalid version"):
        index_filename("foo", "not a version")


def pep_wheels(directory: Path) -> None:
    """The wheels of PEP 825's foo-1.2.3 example, plus a non-variant wheel and another release."""
    ns = ["x86_64", "aarch64", "blas_lapack"]
    make_wheel(
        directory,
        "foo-1.2.3-py3-none-any-x86_64_v3_openblas.whl",
        variant_json(
            "x86_64_v3_openblas", {"blas_lapack": {"library": ["openblas"]}, "x86_64": {"level": ["v3"]}}, ns
        ),
    )
    make_wheel(
        directory,
        "foo-1.2.3-py3-none-any-x86_64_v4_mkl.whl",
        variant_json("x86_64_v4_mkl", {"blas_lapack": {"library": ["mkl"]}, "x86_64": {"level": ["v4"]}}, ns),
    )
    make_wheel(directory, "foo-1.2.3-py3-none-any-null.whl", variant_json("null", {}, ns))
    make_wheel(directory, "foo-1.2.3-py3-none-any.whl")
    make_wheel(
        directory, "Bar_Baz-2.0-1-py3-none-any-v2.whl", variant_json("v2", {"x86_64": {"level": ["v2"]}})
    )
    make_wheel(directory, "plain-1.0-py3-none-any.whl")


def test_build_index_files(tmp_path: Path) -> None:
    pep_wheels(tmp_path)
    files = build_index_files(tmp_path)
    # a file for every release with variant wheels, none for plain-1.0
    assert list(files) == ["bar_baz-2.0-variants.json", "foo-1.2.3-variants.json"]
    foo = files["foo-1.2.3-variants.json"]
    assert set(foo.variants) == {"null", "x86_64_v3_openblas", "x86_64_v4_mkl"}
    assert foo.namespace_priorities == ("x86_64", "aarch64", "blas_lapack")


def test_written_files_are_canonical_and_valid(tmp_path: Path) -> None:
    pep_wheels(tmp_path)
    out = tmp_path / "out"
    written = write_index_files(tmp_path, out)
    assert [p.name for p in written] == ["bar_baz-2.0-variants.json", "foo-1.2.3-variants.json"]
    for path in written:
        load_path(path)  # valid, filename included
    text = (out / "foo-1.2.3-variants.json").read_text(encoding="utf-8")
    data = json.loads(text)
    assert data["variants"]["null"] == {}
    assert text == json.dumps(data, sort_keys=True, indent=2) + "\n"
    first = [p.read_bytes() for p in written]
    assert [p.read_bytes() for p in write_index_files(tmp_path, out)] == first


def test_inconsistent_release(tmp_path: Path) -> None:
    make_wheel(tmp_path, "foo-1.0-py3-none-any-v3.whl", variant_json("v3", {"x86_64": {"level": ["v3"]}}))
    make_wheel(tmp_path, "foo-1.0-cp312-none-any-v3.whl", variant_json("v3", {"x86_64": {"level": ["v4"]}}))
    with pytest.raises(VariantError) as info:
        write_index_files(tmp_path)
    assert info.value.clauses == ["pep825:consistency-variants"]
    assert not list(tmp_path.glob("*-variants.json"))


def test_invalid_wheels_all_reported(tmp_path: Path) -> None:
    make_wheel(tmp_path, "foo-1.0-py3-none-any-v3.whl", variant_json("v4"))
    make_wheel(tmp_path, "bar-1.0-py3-none-any-v3.whl")
    with pytest.raises(VariantError) as info:
        build_index_files(tmp_path)
    assert sorted(info.value.clauses) == ["pep825:variant-wheel-metadata", "pep825:variants-single-entry"]


def test_empty_directory(tmp_path: Path) -> None:
    assert write_index_files(tmp_path) == []
