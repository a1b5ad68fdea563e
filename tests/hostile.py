"""Shared builders for the hostile-input tests (issue 10): worlds, locks, pages, raw wheels.

Each ``tests/test_hostile_*.py`` file reproduces one class of problems of
issue 10 and checks the fix; these helpers keep them short.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest

from reference.cli.main import main
from tests.test_index import build_wheel

SCHEMA = "https://variants-schema.wheelnext.dev/peps/825/v0.1.1.json"
VARIANTS = {"x86_64_v3": {"x86_64": {"level": ["v3"]}}, "x86_64_v4": {"x86_64": {"level": ["v4"]}}}


def doc(variants: dict[str, Any]) -> dict[str, Any]:
    """A format 0.1.1 document listing ``variants``."""
    return {"$schema": SCHEMA, "default-priorities": {"namespace": ["x86_64"]}, "variants": variants}


def world(directory: Path, *, index_file: bool = True, requires: list[str] | None = None) -> Path:
    """demo 1.0 as v3 and v4 variants and a non-variant wheel (each knows its label), plus dep 1.0."""
    for label, props in VARIANTS.items():
        build_wheel(directory, f"demo-1.0-py3-none-any-{label}.whl",
                    {"demo/__init__.py": f"LABEL = {label!r}\n"}, requires, doc({label: props}))
    build_wheel(directory, "demo-1.0-py3-none-any.whl", {"demo/__init__.py": "LABEL = ''\n"}, requires)
    build_wheel(directory, "dep-1.0-py3-none-any.whl", {"dep/__init__.py": ""})
    if index_file:
        (directory / "demo-1.0-variants.json").write_text(json.dumps(doc(VARIANTS)))
    return directory


def profile(directory: Path, levels: list[str] | None = ("v4", "v3")) -> str:  # type: ignore[assignment]
    """A profile supporting ``x86_64 :: level`` values (best first) and py3-none-any."""
    text = 'name = "p"\n[tags]\nsupported = ["py3-none-any"]\n'
    if levels is not None:
        text += "[namespaces.x86_64]\nlevel = " + json.dumps(list(levels)) + "\n"
    path = directory / "profile.toml"
    path.write_text(text)
    return str(path)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_lock(path: Path, wheels: list[dict[str, Any]], variants: bool = True, **package: Any) -> Path:
    """A pylock.toml with one package ``demo`` 1.0 listing ``wheels``, more keys from ``package``."""
    import tomli_w

    entry: dict[str, Any] = {"name": "demo", "version": "1.0", **package, "wheels": wheels}
    if variants:
        entry["variants-json"] = doc(VARIANTS)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(tomli_w.dumps({"lock-version": "1.0", "created-by": "test", "packages": [entry]}))
    return path


def raw_wheel(path: Path, members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """A zip with exactly these members (no RECORD is added)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``variant-ref ARGV`` in process: (exit status, stdout, stderr)."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def snapshot(root: Path) -> set[str]:
    """Every path under ``root`` (files and directories), relative."""
    walk = os.walk(root)
    return {os.path.relpath(os.path.join(d, n), root) for d, dirs, files in walk for n in dirs + files}
