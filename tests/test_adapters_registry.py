"""Resolving ``--adapter`` values: built-ins, entry points, module:attr, file:attr, command:."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.adapters.base import CAPABILITIES, AdapterInfo, Workspace, is_known_capability
from conformance.adapters.command import CommandAdapter
from conformance.adapters.reference import ReferenceAdapter
from conformance.adapters.registry import BUILTIN, ENTRY_POINT_GROUP, AdapterNotFound, load_adapter

ADAPTER_SOURCE = """
from conformance.adapters.base import AdapterInfo, Result

class Mine:
    def __init__(self, options=None):
        self.options = options or {}

    def info(self):
        return AdapterInfo("mine", self.options.get("version", "1"), frozenset({"filename"}))

    def run(self, op, input, workspace):
        return Result({"valid": True})

instance = Mine()
not_an_adapter = 42
"""


def test_default_builtin_is_the_reference() -> None:
    adapter = load_adapter("reference")
    assert isinstance(adapter, ReferenceAdapter)
    info = adapter.info()
    assert info.name == "reference"
    # The reference declares every capability but that of tools predating variants.
    assert info.capabilities == CAPABILITIES - {"variant-unaware"}


def test_builtin_names() -> None:
    assert set(BUILTIN) == {"reference", "uv", "pip", "variantlib"}


def test_file_attr_class_gets_the_options(tmp_path: Path) -> None:
    path = tmp_path / "my_adapter.py"
    path.write_text(ADAPTER_SOURCE)
    adapter = load_adapter(f"{path}:Mine", {"version": "7"})
    assert adapter.info() == AdapterInfo("mine", "7", frozenset({"filename"}))
    assert load_adapter(f"{path}:instance").info().name == "mine"
    with pytest.raises(AdapterNotFound, match="not an adapter"):
        load_adapter(f"{path}:not_an_adapter")
    with pytest.raises(AdapterNotFound, match="no attribute"):
        load_adapter(f"{path}:Missing")
    with pytest.raises(AdapterNotFound, match="no such file"):
        load_adapter(f"{tmp_path / 'nope.py'}:Mine")


def test_module_attr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "e1_registry_mod.py").write_text(ADAPTER_SOURCE)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert load_adapter("e1_registry_mod:Mine").info().name == "mine"
    with pytest.raises(AdapterNotFound, match="cannot import"):
        load_adapter("no_such_module_e1:Mine")


def test_entry_point(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "e1_ep_mod.py").write_text(ADAPTER_SOURCE)
    dist = tmp_path / "e1_ep_dist-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: e1-ep-dist\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\nmine = e1_ep_mod:Mine\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert load_adapter("mine").info().name == "mine"


def test_command_and_unknown() -> None:
    adapter = load_adapter(f"command:{sys.executable} -m conformance.harness_example", {"timeout": "5"})
    assert isinstance(adapter, CommandAdapter)
    assert adapter.argv == [sys.executable, "-m", "conformance.harness_example"]
    assert adapter.timeout == 5.0
    with pytest.raises(AdapterNotFound, match="needs a program"):
        load_adapter("command:")
    with pytest.raises(AdapterNotFound, match="unknown adapter 'nosuch'"):
        load_adapter("nosuch")


def test_capability_vocabulary() -> None:
    assert is_known_capability("hardware.nvidia")
    assert is_known_capability("clause-ids")
    assert not is_known_capability("hardware.")
    assert not is_known_capability("teleport")


def test_workspace_index_kind(tmp_path: Path) -> None:
    def ws(*requires: str) -> Workspace:
        return Workspace(tmp_path, None, tmp_path, tmp_path, tmp_path, requires=frozenset(requires))

    assert ws("select").index_kind() is None
    assert ws("select", "index.pep691").index_kind() == "pep691"
    assert ws("index.flat").index_kind() == "flat"


def test_variantlib_missing_is_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.metadata

    real = importlib.metadata.version

    def version(name: str) -> str:
        if name == "variantlib":
            raise importlib.metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(importlib.metadata, "version", version)
    adapter = load_adapter("variantlib")
    expected = r"variantlib is not installed.*wheel-variant-conformance\[tools\]"
    with pytest.raises(RuntimeError, match=expected):
        adapter.info()


def test_the_documented_example_harness_runs_clean(tmp_path: Path) -> None:
    """docs/adapters.md's command for conformance/harness_example.py, on the unsettled cases:
    the harness wraps the reference, so the reference's bundled expectations hold for it."""
    docs = (Path(__file__).parent.parent / "docs" / "adapters.md").read_text(encoding="utf-8")
    command = (
        'pytest --pyargs conformance --adapter "command:python -m conformance.harness_example" '
        "--expectations reference"
    )
    assert command in docs
    report = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--pyargs", "conformance", "--adapter",
         f"command:{sys.executable} -m conformance.harness_example", "--expectations", "reference",
         "-m", "status_unsettled", "-p", "no:cacheprovider", "-q", "--conformance-report", str(report)],
        cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    totals = json.loads(report.read_text(encoding="utf-8"))["totals"]
    assert totals["passed"] > 10 and totals["expected-deviation"] > 10
    assert totals["failed"] == totals["error"] == totals["adapter-error"] == 0
