"""The fuzz targets (issue 10, class 9): CI's short run, and checks that the runner can fail.

The short run is ``python -m fuzz --examples 60`` in its own process (so that
its address-space bound applies to it, not to pytest), derandomized so a
failure is reproducible; the long run's figures are in README "Fuzzing".
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fuzz.__main__ import Finding, fuzz_target, run_one
from fuzz.targets import TARGETS, Target

ROOT = Path(__file__).resolve().parent.parent
ISSUE_ENTRY_POINTS = ["filename", "property", "metadata", "markers", "profile", "lock", "html", "json-page",
                      "wheel", "select", "convert"]  # issue 10's entry points, then issue 13's converter


def test_one_target_per_entry_point_of_the_issue() -> None:
    assert list(TARGETS) == ISSUE_ENTRY_POINTS


def test_short_run() -> None:
    result = subprocess.run([sys.executable, "-m", "fuzz", "--examples", "60"], cwd=ROOT, capture_output=True,
                            text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    for name in TARGETS:
        assert f"`{name}`" in result.stdout


@pytest.mark.parametrize("name", ["filename", "markers", "json-page"])
def test_short_atheris_run(name: str) -> None:
    # coverage-guided, where atheris is installed (Linux x86_64, Python 3.11+: pyproject.toml)
    pytest.importorskip("atheris")
    result = subprocess.run([sys.executable, "-m", "fuzz", "--atheris", name, "-runs=1500", "-seed=1"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0 and "Done 1500 runs" in result.stderr, result.stderr[-2000:]


def _target(run: object, allowed: tuple[type[BaseException], ...] = (ValueError,)) -> Target:
    from hypothesis import strategies as st

    return Target("probe", "probe", run, allowed, st.binary(max_size=4))  # type: ignore[arg-type]


def test_runner_reports_an_undocumented_exception(tmp_path: Path) -> None:
    def crash(data: bytes, workdir: Path) -> None:
        raise KeyError(data)

    figures = fuzz_target(_target(crash), examples=5, seconds=5)
    assert figures.failures and "undocumented KeyError" in figures.failures[0]


def test_runner_reports_a_write_outside_the_directory(tmp_path: Path) -> None:
    def escape(data: bytes, workdir: Path) -> None:
        (workdir.parent.parent / "escaped").write_text("x")

    (tmp_path / "work").mkdir()
    with pytest.raises(Finding, match="outside its directory"):
        run_one(_target(escape), b"", tmp_path, 5)


def test_runner_reports_a_slow_input(tmp_path: Path) -> None:
    import time

    (tmp_path / "work").mkdir()
    with pytest.raises(Finding, match="took"):
        run_one(_target(lambda data, workdir: time.sleep(0.3)), b"", tmp_path, 0.1)


def test_runner_accepts_documented_errors(tmp_path: Path) -> None:
    def refuse(data: bytes, workdir: Path) -> None:
        raise ValueError("documented")

    figures = fuzz_target(_target(refuse), examples=5, seconds=5)
    assert figures.failures == [] and figures.tried >= 5


def test_readme_has_the_figures_of_a_long_run() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- fuzz-figures:start -->")[1].split("<!-- fuzz-figures:end -->")[0]
    for name in TARGETS:
        row = next(line for line in block.splitlines() if line.startswith(f"| `{name}` |"))
        tried, failing = row.split("|")[3].strip(), row.split("|")[4].strip()
        assert int(tried.replace(",", "")) >= 1000 and failing == "0"
    assert "python -m fuzz --examples" in block
    assert os.path.exists(ROOT / "fuzz" / "__main__.py")
