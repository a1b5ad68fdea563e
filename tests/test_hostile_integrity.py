"""Issue 10, class 4: integrity. A hash mismatch is an error and nothing is installed.

Also: hashes only in algorithms nobody can verify are refused, a ``METADATA``
``Name`` that is not the filename's is refused, build tags start with an
ASCII digit, and a lock ``marker`` that cannot be parsed is an error.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from reference.errors import InvalidVariantFilename
from reference.format.filename import parse_wheel_filename
from reference.install.pages import HashMismatch, verify_hashes
from tests import test_index
from tests.hostile import profile, run, sha256, snapshot, world, write_lock
from tests.test_index import build_wheel, make_simple_index

serve = test_index.serve

V3 = "demo-1.0-py3-none-any-x86_64_v3.whl"
V4 = "demo-1.0-py3-none-any-x86_64_v4.whl"


def _index_with_bad_hash(tmp_path: Path, *, index_file: bool, fragment: str | None = None) -> Path:
    links = world(tmp_path / "links", index_file=index_file)
    simple = make_simple_index(tmp_path / "idx", links)
    page = simple / "demo" / "index.html"
    text = page.read_text()
    good = f"{V4}#sha256={sha256(links / V4)}"
    page.write_text(text.replace(good, f"{V4}#{fragment or 'sha256=' + '0' * 64}"))
    return simple


@pytest.mark.parametrize("index_file", [False, True], ids=["hash-at-step-5", "hash-at-install"])
def test_hash_mismatch_on_the_best_variant_installs_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], serve: Any, index_file: bool
) -> None:
    # was: another variant installed, exit 0 and a warning, where docs/install.md promised exit 2
    base = serve(_index_with_bad_hash(tmp_path, index_file=index_file))
    target = tmp_path / "target"
    code, out, err = run(capsys, "install", "demo", "--index-url", base, "--profile", profile(tmp_path),
                         "--target", str(target))
    assert code == 2 and "hash mismatch" in err and V4 in err
    assert not target.exists() or list(target.iterdir()) == []
    code, out, err = run(capsys, "select", "demo", "--index-url", base, "--profile", profile(tmp_path))
    assert code == 2 and "hash mismatch" in err and out == ""


def test_unverifiable_only_hashes_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], serve: Any
) -> None:
    # was: hashes in an algorithm hashlib does not know counted as verified
    base = serve(_index_with_bad_hash(tmp_path, index_file=True, fragment="sha999=abc"))
    code, _, err = run(capsys, "install", "demo", "--index-url", base, "--profile", profile(tmp_path),
                       "--target", str(tmp_path / "target"))
    assert code == 2 and "reference:hash-algorithm" in err and "'sha999'" in err


def test_unverifiable_only_hashes_in_a_lock(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    links = world(tmp_path / "links")
    lock = write_lock(tmp_path / "pylock.toml", [{"path": str(links / V4), "hashes": {"blake9": "00"}}])
    before = snapshot(tmp_path)
    code, _, err = run(capsys, "install", "--lock", str(lock), "--profile", profile(tmp_path),
                       "--target", str(tmp_path / "target"))
    assert code == 2 and "reference:hash-algorithm" in err
    assert snapshot(tmp_path) - before <= {"profile.toml"}


def test_verify_hashes_rules() -> None:
    import hashlib

    data = b"wheel"
    good = {"sha256": hashlib.sha256(data).hexdigest()}
    verify_hashes(data, good, "w")  # matches
    verify_hashes(data, {**good, "unknown": "x"}, "w")  # a known one suffices
    verify_hashes(data, {"SHA256": good["sha256"].upper()}, "w")  # names and digits in any case
    verify_hashes(data, {}, "w")  # nothing given, nothing to check
    for bad in ({"sha256": "0" * 64}, {"unknown": "x"}, {"shake_128": "00"}, {**good, "md5": "0" * 32}):
        with pytest.raises(HashMismatch):
            verify_hashes(data, bad, "w")


def test_metadata_name_must_match_the_filename(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # was: installed silently
    links = world(tmp_path / "links")
    build_wheel(tmp_path / "evil", "evil-1.0-py3-none-any-x86_64_v4.whl",
                {"evil/__init__.py": ""}, variant_json={"$schema": "x"})
    evil = (tmp_path / "evil" / "evil-1.0-py3-none-any-x86_64_v4.whl").read_bytes()
    (links / V4).write_bytes(evil)  # a wheel of evil under demo's name
    target = tmp_path / "target"
    code, _, err = run(capsys, "install", "demo", "--find-links", str(links), "--profile", profile(tmp_path),
                       "--target", str(target))
    assert code == 1 and "reference:metadata-name" in err and "'evil'" in err
    assert not target.exists() or list(target.iterdir()) == []


def test_metadata_name_is_compared_normalized(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # the control: Name: Demo_Pkg for demo_pkg-1.0-...whl is the same distribution
    build_wheel(tmp_path, "demo_pkg-1.0-py3-none-any.whl", {"demo_pkg/__init__.py": ""})
    wheel = tmp_path / "demo_pkg-1.0-py3-none-any.whl"
    import zipfile

    with zipfile.ZipFile(wheel) as archive:
        assert "Name: demo_pkg" in archive.read("demo_pkg-1.0.dist-info/METADATA").decode()
    code, out, _ = run(capsys, "select", "Demo.Pkg", "--find-links", str(tmp_path),
                       "--profile", profile(tmp_path))
    assert code == 0 and out.strip() == "demo_pkg-1.0-py3-none-any.whl"


@pytest.mark.parametrize("digits", ["\u0661", "\u0661\u0662py", "\u0967", "\uff11"])
def test_build_tags_start_with_an_ascii_digit(digits: str) -> None:
    # was: a build tag of Arabic-Indic digits was accepted
    with pytest.raises(InvalidVariantFilename):
        parse_wheel_filename(f"demo-1.0-{digits}-py3-none-any-x86_64_v3.whl")
    assert parse_wheel_filename("demo-1.0-12py-py3-none-any-x86_64_v3.whl").build_number == (12, "py")


@pytest.mark.parametrize(
    ("marker", "message", "clause"),
    [("python_version >>> '3'", "is not a valid environment marker", "reference:pylock-format"),
     # PEP 825: variant markers "cannot occur in packages.marker": diagnosed with that clause
     ("variant_label == 'x86_64_v3'", "cannot occur in packages.marker", "pep825:pylock-markers-scope"),
     ("python_version ~= 'abc'", "cannot be evaluated", "reference:pylock-format")],
)
def test_unparsable_lock_marker_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], marker: str, message: str, clause: str
) -> None:
    # was: the package was skipped silently
    links = world(tmp_path / "links")
    wheels = [{"path": str(links / V3), "hashes": {"sha256": sha256(links / V3)}}]
    lock = write_lock(tmp_path / "pylock.toml", wheels, marker=marker)
    code, _, err = run(capsys, "select", "demo", "--lock", str(lock), "--profile", profile(tmp_path))
    assert code == 1 and message in err and "marker" in err
    assert re.search(re.escape(clause), err)
