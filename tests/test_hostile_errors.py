"""Issue 10, class 3: tracebacks instead of errors; each input now gets exit 1 or 2 with a clause or reason.

Where PEP 825's "degrade gracefully rather than fail outright" applies
(invalid *variant metadata* of one wheel), only that wheel's label is passed
over; everything else wrong with the selected wheel, the page or the lock
fails the request (``SECURITY.md``, "Degrade or fail").
"""

from __future__ import annotations

import json
import struct
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.hostile import VARIANTS, doc, profile, raw_wheel, run, world, write_lock
from tests.test_index import build_wheel

V3 = "demo-1.0-py3-none-any-x86_64_v3.whl"
V4 = "demo-1.0-py3-none-any-x86_64_v4.whl"


def _corrupt_deflate(path: Path, member: str) -> None:
    """Overwrite the compressed bytes of ``member`` with garbage (the sizes stay plausible)."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    data = bytearray(path.read_bytes())
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26 : info.header_offset + 30])
    start = info.header_offset + 30 + name_len + extra_len
    data[start : start + info.compress_size] = b"\xff" * info.compress_size
    path.write_bytes(bytes(data))


def _bad_version(path: Path) -> None:
    """Mark every member as needing zip version 9.9 to extract (central directory field)."""
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        data[at + 6 : at + 8] = struct.pack("<H", 99)
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))


def _bad_utf8_name(path: Path) -> None:
    """A member whose name is flagged UTF-8 (bit 11) but is not."""
    with zipfile.ZipFile(path, "a") as archive:
        info = zipfile.ZipInfo("demo/placeholder-name.py")
        archive.writestr(info, b"")
    data = path.read_bytes().replace(b"placeholder-name", b"\xff\xfeplaceholder-nm")
    flagged = bytearray(data)
    at = flagged.rfind(b"PK\x01\x02")
    flagged[at + 8 : at + 10] = struct.pack("<H", 0x800)
    path.write_bytes(bytes(flagged))


@pytest.mark.parametrize("damage", ["deflate", "version", "utf8-name"])
def test_corrupt_zip_is_an_error_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: str
) -> None:
    wheel = build_wheel(tmp_path, V3, {"demo/__init__.py": "x = 1\n" * 50}, variant_json=doc(
        {"x86_64_v3": VARIANTS["x86_64_v3"]}))
    if damage == "deflate":
        _corrupt_deflate(wheel, "demo-1.0.dist-info/variant.json")
    elif damage == "version":
        _bad_version(wheel)
    else:
        _bad_utf8_name(wheel)
    code, _, err = run(capsys, "validate", str(wheel))
    assert code == 1 and "reference:wheel-layout" in err and "Traceback" not in err


def test_corrupt_variant_json_of_one_wheel_degrades(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # invalid variant metadata of one wheel: that label is passed over (pep825:degrade-gracefully)
    links = world(tmp_path / "links", index_file=False)
    _corrupt_deflate(links / V4, "demo-1.0.dist-info/variant.json")
    code, out, err = run(capsys, "select", "demo", "--find-links", str(links), "--profile", profile(tmp_path))
    assert code == 0 and out.strip() == V3 and "reference:wheel-layout" in err


def test_corrupt_metadata_of_the_selected_wheel_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    links = world(tmp_path / "links")
    _corrupt_deflate(links / V4, "demo-1.0.dist-info/METADATA")
    code, _, err = run(capsys, "select", "demo", "--find-links", str(links), "--profile", profile(tmp_path))
    assert code == 1 and "reference:wheel-layout" in err and "METADATA" in err


@pytest.mark.parametrize(
    ("entry", "status", "expected"),
    [
        ('dep; variant_label >>> "x"', 1, "reference:core-metadata"),
        ('dep; python_version ~= "abc"', 1, "reference:core-metadata"),
        ("dep; " + "(" * 3000 + 'os_name == "posix"' + ")" * 3000, 2, "limit nesting exceeded"),
        ("dep @ https://example.org/x.whl ; " + "(" * 3000 + 'os_name == "posix"' + ")" * 3000, 2, "nesting"),
        ("dep >>> 1", 1, "reference:core-metadata"),
    ],
)
def test_malformed_requires_dist_of_the_selected_wheel(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], entry: str, status: int, expected: str
) -> None:
    links = world(tmp_path / "links", requires=[entry])
    code, _, err = run(capsys, "select", "demo", "--find-links", str(links), "--profile", profile(tmp_path))
    assert code == status and expected in err and "Traceback" not in err


def test_malformed_index_url(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "select", "demo", "--index-url", "http://[::1", "--profile", profile(tmp_path))
    assert code == 2 and "malformed URL" in err


def test_malformed_href(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "simple" / "demo"
    page.mkdir(parents=True)
    (page / "index.html").write_text('<a href="http://[::1/demo-1.0-py3-none-any.whl">x</a>')
    code, _, err = run(capsys, "select", "demo", "--index-url", (tmp_path / "simple").as_uri(),
                       "--profile", profile(tmp_path))
    assert code == 2 and "malformed URL" in err


def test_malformed_lock_url(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lock = write_lock(tmp_path / "pylock.toml", [{"url": "http://[::1/demo-1.0-py3-none-any.whl"}])
    code, _, err = run(capsys, "select", "demo", "--lock", str(lock), "--profile", profile(tmp_path))
    assert code == 1 and "packages[0].wheels[0].url" in err


@pytest.mark.parametrize(
    ("page", "field"),
    [
        ({"meta": {"api-version": "1.0"}, "files": 5}, "/files"),
        ({"meta": {"api-version": 1}, "files": []}, "/meta/api-version"),
        ({"meta": {"api-version": "1.0"}, "files": [5]}, "/files/0"),
        ({"meta": {"api-version": "1.0"}, "files": [{"filename": 5}]}, "/files/0/filename"),
        ({"meta": {"api-version": "1.0"}, "files": [{"filename": "d-1.0-py3-none-any.whl", "hashes": "abc"}]},
         "/files/0/hashes"),
        ({"meta": {"api-version": "1.0"}, "files": [{"filename": "demo-1.0-py3-none-any.whl", "url": 7}]},
         "/files/0/url"),
        ([], "/files"),
    ],
)
def test_wrong_types_in_pep691_pages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], page: Any, field: str
) -> None:
    directory = tmp_path / "simple" / "demo"
    directory.mkdir(parents=True)
    (directory / "index.json").write_text(json.dumps(page))
    code, _, err = run(capsys, "select", "demo", "--index-url", (tmp_path / "simple").as_uri(),
                       "--profile", profile(tmp_path))
    assert code == 2 and field in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("package", "field"),
    [
        ({"wheels": 5}, "packages[0].wheels"),
        ({"wheels": [{"name": "demo-1.0-py3-none-any.whl", "path": "x.whl", "hashes": "abc"}]},
         "packages[0].wheels[0].hashes"),
        ({"wheels": [{"name": 5, "path": "x.whl"}]}, "packages[0].wheels[0].name"),
        ({"wheels": [], "marker": 5}, "packages[0].marker"),
        ({"wheels": [], "version": 1.0}, "packages[0].version"),
    ],
)
def test_wrong_types_in_locks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], package: dict[str, Any], field: str
) -> None:
    import tomli_w

    lock = tmp_path / "pylock.toml"
    entry = {"name": "demo", **package}
    lock.write_text(tomli_w.dumps({"lock-version": "1.0", "created-by": "t", "packages": [entry]}))
    code, _, err = run(capsys, "select", "demo", "--lock", str(lock), "--profile", profile(tmp_path))
    assert code == 1 and field in err and "reference:pylock-format" in err


def test_non_utf8_name_in_find_links_is_passed_over(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a file system allows any bytes; such a name cannot be a wheel filename (ASCII): it is not a candidate
    links = world(tmp_path / "links")
    (links / "demo-1.0-py3-none-any-\udcff.whl").write_bytes(b"")
    code, out, _ = run(capsys, "select", "demo", "--find-links", str(links), "--profile", profile(tmp_path))
    assert code == 0 and out.strip() == V4


def test_non_utf8_name_in_index_json_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build_wheel(tmp_path, V3, variant_json=doc({"x86_64_v3": VARIANTS["x86_64_v3"]}))
    (tmp_path / "demo-1.0-py3-none-any-\udcff.whl").write_bytes(b"")
    code, _, err = run(capsys, "index-json", str(tmp_path))
    assert code == 1 and "\\udcff" in err and "pep825:label-charset" in err


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e300", "0", "-1", "x"])
def test_plugin_timeout_must_be_a_finite_number_of_seconds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    code, _, err = run(capsys, "select", "demo", "--find-links", str(tmp_path), f"--plugin-timeout={value}")
    assert code == 2 and "--plugin-timeout" in err


@pytest.mark.parametrize("option", ["--profile", "--lock"])
def test_invalid_utf8_in_profile_and_lock(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_bytes(b'name = "\xff\xfe"\n')
    args = ["select", "demo", option, str(path)]
    args += ["--profile", profile(tmp_path)] if option == "--lock" else ["--find-links", str(tmp_path)]
    code, _, err = run(capsys, *args)
    assert code == 1 and "not valid TOML" in err


def test_invalid_utf8_in_pyproject(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_bytes(b'[variant]\nx = "\xff"\n')
    code, _, err = run(capsys, "validate", str(path))
    assert code == 1 and "reference:toml-syntax" in err


def test_unparsable_provider_requires_marker(tmp_path: Path) -> None:
    # a requires marker that packaging parses but cannot evaluate is a provider failure, not a crash
    from reference.errors import ProviderError
    from reference.format.model import ProviderInfo
    from reference.providers.interface import plugin_requirements

    info = ProviderInfo(namespace="x86_64", requires=('plugin; python_version ~= "abc"',))
    with pytest.raises(ProviderError, match="cannot evaluate"):
        plugin_requirements(info, {"python_version": "3.12"})
    assert raw_wheel  # the shared builder is used by the other hostile tests
