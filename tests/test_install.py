"""Tests for reference.install.installing: installing wheels with the PyPA installer library."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from reference.install.installing import InstallError, install_wheel, interpreter_scheme, target_scheme
from reference.install.pages import HashMismatch
from tests.test_index import VARIANT_DOC, build_wheel

WHEEL = "demo-1.0-py3-none-any-x86_64_v3.whl"


@pytest.fixture
def variant_wheel(tmp_path: Path) -> Path:
    return build_wheel(
        tmp_path / "links",
        WHEEL,
        files={"demo/__init__.py": "LABEL = 'x86_64_v3'\n"},
        variant_json=VARIANT_DOC,
    )


def test_install_into_target_keeps_variant_json(tmp_path: Path, variant_wheel: Path) -> None:
    target = tmp_path / "target"
    installed = install_wheel(variant_wheel, target_scheme(target))
    assert installed.dist_info == target / "demo-1.0.dist-info"
    # PEP 825 "Variant metadata": variant.json lives in *.dist-info; it is kept.
    assert json.loads((installed.dist_info / "variant.json").read_text()) == VARIANT_DOC
    assert (target / "demo" / "__init__.py").read_text() == "LABEL = 'x86_64_v3'\n"
    record = (installed.dist_info / "RECORD").read_text()
    assert "demo-1.0.dist-info/variant.json," in record
    assert (installed.dist_info / "INSTALLER").read_text() == "variant-ref\n"


def test_hash_verified_before_install(tmp_path: Path, variant_wheel: Path) -> None:
    target = tmp_path / "target"
    with pytest.raises(HashMismatch):
        install_wheel(variant_wheel, target_scheme(target), {"sha256": "0" * 64})
    assert not target.exists()
    good = hashlib.sha256(variant_wheel.read_bytes()).hexdigest()
    install_wheel(variant_wheel, target_scheme(target), {"sha256": good})
    assert (target / "demo").is_dir()


def test_existing_files_are_an_install_error(tmp_path: Path, variant_wheel: Path) -> None:
    target = tmp_path / "target"
    install_wheel(variant_wheel, target_scheme(target))
    with pytest.raises(InstallError):
        install_wheel(variant_wheel, target_scheme(target))
    install_wheel(variant_wheel, target_scheme(target), overwrite=True)


def test_corrupt_wheel(tmp_path: Path) -> None:
    bad = tmp_path / "demo-1.0-py3-none-any.whl"
    bad.write_bytes(b"not a zip")
    with pytest.raises(InstallError):
        install_wheel(bad, target_scheme(tmp_path / "t"))


def test_install_into_fresh_venv_and_import(tmp_path: Path, variant_wheel: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    scheme = interpreter_scheme(python)
    assert scheme.paths["purelib"].startswith(str(venv))
    installed = install_wheel(variant_wheel, scheme)
    assert (installed.dist_info / "variant.json").is_file()
    out = subprocess.run(
        [str(python), "-c", "import demo; print(demo.LABEL)"], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "x86_64_v3"


def test_unusable_interpreter(tmp_path: Path) -> None:
    with pytest.raises(InstallError):
        interpreter_scheme(tmp_path / "no-python")
