"""Tests for reference.install.pylock (PEP 825 "Integration with pylock.toml")."""

from __future__ import annotations

from pathlib import Path

import pytest

from reference._toml import loads
from reference.format.model import SCHEMA_0_1_1
from reference.install.pages import FileLink
from reference.install.pylock import (
    InvalidLock,
    dumps_lock,
    load_lock,
    package_entry,
    package_for,
    parse_lock,
    prune_metadata,
    variants_json_table,
)

# PEP 825 "Integration with pylock.toml", "Example", verbatim.
NUMPY_LOCK = """\
lock-version = "1.0"
created-by = "uv"
requires-python = ">=3.14"

[[packages]]
name = "numpy"
version = "2.3.4"
index = "https://pypi.anaconda.org/mgorny/simple"
wheels = [
    { url = "https://pypi.anaconda.org/mgorny/simple/numpy/2.3.4/numpy-2.3.4-cp314-cp314-linux_x86_64-openblas.whl", hashes = {} },
    { url = "https://pypi.anaconda.org/mgorny/simple/numpy/2.3.4/numpy-2.3.4-cp314-cp314-linux_x86_64-x86_64_v4_mkl.whl", hashes = {} },
    { url = "https://pypi.anaconda.org/mgorny/simple/numpy/2.3.4/numpy-2.3.4-cp314-cp314-macosx_13_0_x86_64-accelerate.whl", hashes = {} },
    { url = "https://pypi.anaconda.org/mgorny/simple/numpy/2.3.4/numpy-2.3.4-cp314-cp314-macosx_13_0_x86_64-openblas.whl", hashes = {} },
]

[packages.variants-json]
"$schema" = "https://variants-schema.wheelnext.dev/peps/825/v0.1.1.json"

[packages.variants-json.default-priorities]
namespace = [ "x86_64", "aarch64", "blas_lapack" ]

[packages.variants-json.variants]
null = { }
x86_64_v3_openblas = { "blas_lapack" = { "library" = ["openblas"]}, "x86_64" = { "level" = ["v3"]}  }
x86_64_v4_mkl = { "blas_lapack" = { "library" = ["mkl"]}, "x86_64" = { "level" = ["v4"]}  }
"""  # noqa: E501


@pytest.fixture
def numpy_lock(tmp_path: Path) -> Path:
    path = tmp_path / "pylock.toml"
    path.write_text(NUMPY_LOCK)
    return path


def test_numpy_example_reads_and_validates(numpy_lock: Path) -> None:
    lock = load_lock(numpy_lock)
    package = package_for(lock, "NumPy")
    assert package is not None and package.version == "2.3.4"
    assert [w.filename for w in package.wheels] == [
        "numpy-2.3.4-cp314-cp314-linux_x86_64-openblas.whl",
        "numpy-2.3.4-cp314-cp314-linux_x86_64-x86_64_v4_mkl.whl",
        "numpy-2.3.4-cp314-cp314-macosx_13_0_x86_64-accelerate.whl",
        "numpy-2.3.4-cp314-cp314-macosx_13_0_x86_64-openblas.whl",
    ]
    metadata = package.metadata
    assert metadata is not None
    # "The $schema key MUST be preserved to facilitate versioning."
    assert metadata.schema == SCHEMA_0_1_1
    assert metadata.namespace_priorities == ("x86_64", "aarch64", "blas_lapack")
    assert set(metadata.variants) == {"null", "x86_64_v3_openblas", "x86_64_v4_mkl"}
    assert metadata.variants["x86_64_v4_mkl"] == {
        "blas_lapack": {"library": ("mkl",)},
        "x86_64": {"level": ("v4",)},
    }


def test_invalid_table_rejected_with_validate_clause(numpy_lock: Path) -> None:
    # "Tools that support variant-aware resolution MUST validate this table
    # against the referenced schema." Here: a property value breaks the charset.
    text = NUMPY_LOCK.replace('"library" = ["mkl"]', '"library" = ["MKL!"]')
    numpy_lock.write_text(text)
    with pytest.raises(InvalidLock) as excinfo:
        load_lock(numpy_lock)
    assert excinfo.value.clauses[0] == "pep825:pylock-validate"
    assert len(excinfo.value.clauses) > 1  # the underlying violations are kept


def test_missing_schema_rejected() -> None:
    data = loads(NUMPY_LOCK)
    del data["packages"][0]["variants-json"]["$schema"]
    with pytest.raises(InvalidLock):
        parse_lock(data)


def test_not_toml(tmp_path: Path) -> None:
    path = tmp_path / "pylock.toml"
    path.write_text("[[packages]\n")
    with pytest.raises(InvalidLock):
        load_lock(path)


def test_prune_keeps_listed_labels_in_full(numpy_lock: Path) -> None:
    # "The tools MAY remove the entries of the variants dictionary whose labels
    # do not occur among the wheels listed for the package, along with any
    # namespaces that are thereby left unused in default-priorities.namespace.
    # The entry for every label that does occur MUST be retained in full"
    package = load_lock(numpy_lock).packages[0]
    assert package.metadata is not None
    table = variants_json_table(package.metadata, package.filenames)
    # listed labels: openblas, x86_64_v4_mkl, accelerate; only x86_64_v4_mkl is in the table
    assert table["variants"] == {
        "x86_64_v4_mkl": {"blas_lapack": {"library": ["mkl"]}, "x86_64": {"level": ["v4"]}}
    }
    # aarch64 is used by no remaining label
    assert table["default-priorities"] == {"namespace": ["x86_64", "blas_lapack"]}
    assert table["$schema"] == SCHEMA_0_1_1


def test_prune_null_only() -> None:
    package = parse_lock(loads(NUMPY_LOCK)).packages[0]
    assert package.metadata is not None
    pruned = prune_metadata(package.metadata, ["null"])
    assert dict(pruned.variants) == {"null": {}}
    assert pruned.namespace_priorities == ()


def test_write_round_trip(tmp_path: Path) -> None:
    data = loads(NUMPY_LOCK)
    package = parse_lock(data).packages[0]
    assert package.metadata is not None
    data["packages"][0]["variants-json"] = variants_json_table(package.metadata)
    text = dumps_lock(data)
    # the table is a TOML table again and reads back to the same metadata
    assert '[packages.variants-json]\n"$schema" = ' in text
    again = parse_lock(loads(text)).packages[0]
    assert again.metadata == package.metadata


def test_relative_path_entries(tmp_path: Path) -> None:
    path = tmp_path / "pylock.toml"
    path.write_text(
        'lock-version = "1.0"\ncreated-by = "test"\n[[packages]]\nname = "demo"\nversion = "1.0"\n'
        'wheels = [{ path = "wheels/demo-1.0-py3-none-any.whl", hashes = { sha256 = "ab" } }]\n'
    )
    wheel = load_lock(path).packages[0].wheels[0]
    assert wheel.filename == "demo-1.0-py3-none-any.whl"
    assert wheel.url == (tmp_path / "wheels" / "demo-1.0-py3-none-any.whl").as_uri()
    assert wheel.hashes == {"sha256": "ab"}


def test_path_is_used_before_url_and_one_of_them_is_needed(tmp_path: Path) -> None:
    # pylock.toml specification, Installation: "Get the file: If path is set, use it. If url
    # is set, try to use it"; without either the source is not "specified appropriately".
    both = {"path": "w/demo-1.0-py3-none-any.whl", "url": "https://example.invalid/x.whl"}
    data = _lock()
    data["packages"][0]["wheels"] = [both]  # type: ignore[index]
    wheel = parse_lock(data, "pylock.toml", tmp_path).packages[0].wheels[0]
    assert wheel.url == (tmp_path / "w" / "demo-1.0-py3-none-any.whl").as_uri()
    data["packages"][0]["wheels"] = [{"name": "demo-1.0-py3-none-any.whl"}]  # type: ignore[index]
    with pytest.raises(InvalidLock) as caught:
        parse_lock(data, "pylock.toml", tmp_path)
    assert caught.value.clauses == ["pylock:package-source"]


@pytest.mark.parametrize("size", [-1, True, "10", 1.5])
def test_a_wheel_size_is_a_non_negative_integer(size: object) -> None:
    # packages.wheels.size: "Type: integer"; a size is a count of bytes.
    data = _lock()
    data["packages"][0]["wheels"] = [{"url": "https://example.invalid/demo-1.0-py3-none-any.whl"}]  # type: ignore[index]
    assert parse_lock(data).packages[0].wheels[0].link().size is None
    data["packages"][0]["wheels"][0]["size"] = 0  # type: ignore[index]
    assert parse_lock(data).packages[0].wheels[0].link().size == 0
    data["packages"][0]["wheels"][0]["size"] = size  # type: ignore[index]
    with pytest.raises(InvalidLock) as caught:
        parse_lock(data)
    assert caught.value.clauses == ["reference:pylock-format"]


def test_a_wrong_size_is_refused_like_a_wrong_hash(tmp_path: Path) -> None:
    # "Validate the file size and hash." (pylock:wheel-hash): the file is not kept under its name.
    from reference.install.pages import HashMismatch
    from reference.install.sources import FindLinks

    wheel = tmp_path / "demo-1.0-py3-none-any.whl"
    wheel.write_bytes(b"0123456789")
    source = FindLinks(tmp_path)
    out = tmp_path / "out"
    link = FileLink(wheel.name, wheel.as_uri(), {}, 10)
    assert source.fetch_to(link, out).read_bytes() == b"0123456789"
    (out / wheel.name).unlink()
    with pytest.raises(HashMismatch) as caught:
        source.fetch_to(FileLink(wheel.name, wheel.as_uri(), {}, 9), out)
    assert caught.value.clauses == ["pylock:wheel-hash"]
    assert not (out / wheel.name).exists() and not list(out.glob(".partial-*"))
    with pytest.raises(HashMismatch):
        source.fetch(FileLink(wheel.name, wheel.as_uri(), {}, 11))


@pytest.mark.parametrize("version", ["2.0", "0.9", 1, None])
def test_an_unsupported_lock_version_is_an_error(version: object) -> None:
    # "If a tool doesn't support a major version, it MUST raise an error."
    with pytest.raises(InvalidLock) as caught:
        parse_lock(_lock(**{"lock-version": version}))
    assert caught.value.clauses == ["pylock:lock-version-major"]
    assert parse_lock(_lock(**{"lock-version": "1.7"})).packages[0].name == "demo"


def test_package_marker() -> None:
    data = loads(NUMPY_LOCK)
    data["packages"][0]["marker"] = "sys_platform == 'darwin'"
    package = parse_lock(data).packages[0]
    assert package.applies({"sys_platform": "darwin"})
    assert not package.applies({"sys_platform": "linux"})


def test_write_lock_from_links_reads_back() -> None:
    package = parse_lock(loads(NUMPY_LOCK)).packages[0]
    assert package.metadata is not None
    links = [FileLink(w.filename, w.url, {"sha256": "ab" * 32}) for w in package.wheels[:2]]
    lock = {"lock-version": "1.0", "created-by": "variant-ref", "packages": []}
    lock["packages"].append(package_entry("numpy", "2.3.4", links, package.metadata))
    again = parse_lock(loads(dumps_lock(lock))).packages[0]
    assert again.filenames == package.filenames[:2]
    assert again.metadata is not None
    # labels openblas / x86_64_v4_mkl listed; only x86_64_v4_mkl exists in the metadata
    assert set(again.metadata.variants) == {"x86_64_v4_mkl"}
    assert again.metadata.schema == SCHEMA_0_1_1


def _lock(**top: object) -> dict[str, object]:
    data: dict[str, object] = {"lock-version": "1.0", "packages": [{"name": "demo", "wheels": []}]}
    data.update(top)
    return data


LINUX = {"sys_platform": "linux", "platform_machine": "x86_64"}


def test_environments_are_evaluated() -> None:
    # pylock.toml specification: "If environments is specified, check that at
    # least one of the environment marker expressions is satisfied; an error
    # MUST be raised if no expression is satisfied."
    from reference.install.pylock import check_environments

    check_environments(parse_lock(_lock()), LINUX)
    either = ['sys_platform == "win32"', 'sys_platform == "linux"']
    check_environments(parse_lock(_lock(environments=either)), LINUX)
    with pytest.raises(InvalidLock) as caught:
        check_environments(parse_lock(_lock(environments=['sys_platform == "win32"'])), LINUX)
    assert caught.value.clauses == ["pylock:environments"]
    assert 'sys_platform == "win32"' in str(caught.value)
    with pytest.raises(InvalidLock):
        check_environments(parse_lock(_lock(environments=[])), LINUX)


@pytest.mark.parametrize(
    ("top", "package", "where"),
    [
        ({"environments": ["variant_label == 'null'"]}, {}, "environments[0]"),
        ({}, {"marker": "'x :: y' in variant_features and python_version >= '3'"}, "packages[0].marker"),
    ],
)
def test_variant_markers_cannot_occur_in_packages_marker_or_environments(
    top: dict[str, object], package: dict[str, object], where: str
) -> None:
    # PEP 825: variant markers "cannot occur in packages.marker or in the
    # top-level environments key"; the lock is rejected with that clause and the place.
    data = _lock(**top)
    data["packages"][0].update(package)  # type: ignore[index]
    with pytest.raises(InvalidLock) as caught:
        parse_lock(data, "pylock.toml")
    assert caught.value.clauses == ["pep825:pylock-markers-scope"]
    assert where in str(caught.value) and "cannot occur" in str(caught.value)


@pytest.mark.parametrize("bad", ["python_version >=", 3, None])
def test_an_unreadable_marker_is_a_format_error(bad: object) -> None:
    with pytest.raises(InvalidLock) as caught:
        parse_lock(_lock(environments=[bad]))
    assert caught.value.clauses == ["reference:pylock-format"]
    with pytest.raises(InvalidLock):
        parse_lock(_lock(environments="sys_platform == 'linux'"))
