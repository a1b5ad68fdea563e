"""The installable suite: a wheel built from this checkout carries everything, and runs from anywhere.

One module-scoped build: the wheel is built with pip (the project's own build
backend, in an isolated build environment), installed into a fresh virtual
environment, and the suite runs from an empty directory with ``pytest --pyargs
conformance``: nothing of the checkout is on the path there, so every case,
fixture source, profile, plugin, lock, expectation, clause and schema it uses
comes from the installed package.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: folders of the checkout and where the wheel carries each of their files
CARRIED = {
    "fixtures": "conformance/fixture_sources",
    "fixtures/profiles": "reference/profiles",
    "conformance/cases": "conformance/cases",
    "conformance/expectations": "conformance/expectations",
    "reference/clauses": "reference/clauses",
    "schemas": "reference/schemas",
}


def _run(argv: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 600) -> str:
    done = subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    tail = f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert done.returncode == 0, f"{' '.join(argv)} exited {done.returncode}:\n{tail}"
    return done.stdout


def _clean_env() -> dict[str, str]:
    """This environment without anything pointing at the checkout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "PYTHON", "VIRTUAL_ENV"))}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built from a copy of the checkout (symbolic links kept, as git keeps them), like a fresh clone."""
    source = tmp_path_factory.mktemp("source") / "checkout"
    ignore = shutil.ignore_patterns(".git", ".venv*", ".tox", "out", "build", "dist", "*.egg-info",
                                    "__pycache__", ".*_cache", ".hypothesis")
    shutil.copytree(ROOT, source, symlinks=True, ignore=ignore)
    out = tmp_path_factory.mktemp("wheel")
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out), str(source)],
         cwd=out)
    (built,) = out.glob("wheel_variant_conformance-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel (and its dependencies) installed: its python."""
    venv = tmp_path_factory.mktemp("venv")
    _run([sys.executable, "-m", "venv", str(venv)], cwd=venv)
    python = venv / "bin" / "python"
    _run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], cwd=venv, env=_clean_env())
    return python


def _source_files(folder: str) -> set[str]:
    root = ROOT / folder
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and not p.name.startswith(".")
    }


def test_the_wheel_carries_every_file_the_suite_needs(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder, packaged in CARRIED.items():
        files = _source_files(folder)
        if folder == "fixtures":  # the profiles travel once, with the reference
            files = {f for f in files if not f.startswith("profiles/")}
        assert files, folder
        missing = sorted(f for f in files if f"{packaged}/{f}" not in names)
        assert not missing, f"the wheel lacks {len(missing)} files of {folder}/: {missing[:10]}"
    assert "conformance = conformance.plugin" in zipfile.ZipFile(wheel).read(
        next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    ).decode()


def test_pyargs_runs_the_installed_suite_from_an_empty_directory(
    installed: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    where = _run([str(installed), "-c", "import conformance, reference; print(conformance.__file__)"],
                 cwd=empty, env=_clean_env())
    assert ROOT.as_posix() not in where and "site-packages" in where
    # a subset (-k) keeps this quick; select cases build the fixture indexes from package data,
    # the corpus cases the WheelNext snapshot's index (fixtures/corpus, carried as package data)
    argv = [str(installed), "-m", "pytest", "--pyargs", "conformance", "-p", "no:cacheprovider", "-q",
            "-k", "ordering or filename or pylock or corpus", "--conformance-report", "report.json"]
    out = _run(argv, cwd=empty, env=_clean_env())
    report = json.loads((empty / "report.json").read_text(encoding="utf-8"))
    totals = report["totals"]
    assert totals["total"] > 100 and totals["passed"] > 100, out[-2000:]
    assert totals["failed"] == totals["error"] == totals["adapter-error"] == 0
    assert {"ordering", "filename", "pylock", "corpus"} <= set(report["by_topic"])
    assert f"{totals['passed']} passed" in out
    assert sorted(os.listdir(empty)) == ["report.json"]  # nothing else written where it runs


def test_the_published_plugin_pins_come_from_the_installed_metadata(installed: Path, tmp_path: Path) -> None:
    # no pyproject.toml beside an installed suite: the pins of the 'plugins' extra travel in its metadata
    from conformance.published import published_pins

    out = _run([str(installed), "-c", "from conformance.published import PYPROJECT, published_pins; "
                "print(PYPROJECT.is_file()); print(*published_pins())"], cwd=tmp_path, env=_clean_env())
    assert out.split() == ["False", *published_pins()]


def test_dash_p_loads_the_plugin_when_autoloading_is_off(installed: Path, tmp_path: Path) -> None:
    env = {**_clean_env(), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    argv = [str(installed), "-m", "pytest", "-p", "conformance", "--pyargs", "conformance",
            "-p", "no:cacheprovider", "-q", "-k", "label-charset"]
    out = _run(argv, cwd=tmp_path, env=env)
    assert " passed" in out and "conformance: reference" in out
