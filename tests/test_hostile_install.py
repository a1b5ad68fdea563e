"""Issue 10, class 6: atomic install: a refused or interrupted install leaves the target as it was.

Was: an install refused or interrupted halfway (SIGINT) left a half-written
target with no RECORD, and a rerun failed with "already exists".
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

from reference.install import installing, staging
from reference.install.installing import target_scheme
from reference.install.staging import STAGE_PREFIX, Staging
from tests.hostile import profile, raw_wheel, run, snapshot, world
from tests.test_index import build_wheel

REQUIRES = ["dep"]


def _world(tmp_path: Path) -> Path:
    return world(tmp_path / "links", requires=REQUIRES)


def _install(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, links: Path, target: Path
) -> tuple[int, str]:
    code, _, err = run(capsys, "install", "demo", "--find-links", str(links), "--profile", profile(tmp_path),
                       "--target", str(target))
    return code, err


def _installed(target: Path) -> set[str]:
    return {p for p in snapshot(target) if not p.startswith(STAGE_PREFIX)}


def test_interrupt_between_wheels_leaves_the_target_as_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    links = _world(tmp_path)
    target = tmp_path / "target"
    target.mkdir()
    (target / "mine.txt").write_text("kept")
    before = snapshot(target)
    real = installing.install_wheel
    calls: list[str] = []

    def interrupted(wheel: Path, *args: Any, **kwargs: Any) -> Any:
        calls.append(Path(wheel).name)
        if len(calls) == 2:
            raise KeyboardInterrupt  # SIGINT while the second wheel is installed
        return real(wheel, *args, **kwargs)

    monkeypatch.setattr(staging, "install_wheel", interrupted)
    code, _ = _install(capsys, tmp_path, links, target)
    assert code == 130 and len(calls) == 2
    assert snapshot(target) == before  # no half-written target, no stage left
    monkeypatch.setattr(staging, "install_wheel", real)
    code, err = _install(capsys, tmp_path, links, target)  # rerunning works
    assert code == 0, err
    assert (target / "demo" / "__init__.py").read_text() == "LABEL = 'x86_64_v4'\n"
    assert any(p.endswith(".dist-info/RECORD") and p.startswith("demo-") for p in snapshot(target))


def test_interrupt_while_moving_into_place_is_undone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    links = _world(tmp_path)
    target = tmp_path / "target"
    real = os.rename
    moved: list[str] = []

    def failing(source: Any, destination: Any) -> None:
        if str(source).count(STAGE_PREFIX) and len(moved) == 3:
            raise OSError(28, "No space left on device")
        moved.append(str(destination))
        real(source, destination)

    monkeypatch.setattr(staging.os, "rename", failing)
    code, err = _install(capsys, tmp_path, links, target)
    assert code == 2 and "No space left" in err
    assert not target.exists()  # created by the request, removed with it
    monkeypatch.setattr(staging.os, "rename", real)
    assert _install(capsys, tmp_path, links, target)[0] == 0


def test_refused_second_wheel_installs_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    links = _world(tmp_path)
    raw_wheel(links / "dep-1.0-py3-none-any.whl", {  # its RECORD does not match: refused at install
        "dep/__init__.py": b"changed after RECORD was written\n",
        "dep-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: dep\nVersion: 1.0\n",
        "dep-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        "dep-1.0.dist-info/RECORD": b"dep/__init__.py,sha256=AAAA,3\ndep-1.0.dist-info/RECORD,,\n",
    })
    target = tmp_path / "target"
    target.mkdir()
    code, err = _install(capsys, tmp_path, links, target)
    assert code == 2 and "dep-1.0-py3-none-any.whl" in err
    assert _installed(target) == set() and snapshot(target) == set()


def test_existing_file_refuses_the_whole_install(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    links = _world(tmp_path)
    target = tmp_path / "target"
    (target / "dep").mkdir(parents=True)
    (target / "dep" / "__init__.py").write_text("mine")
    before = snapshot(target)
    code, err = _install(capsys, tmp_path, links, target)
    assert code == 2 and "already exists; nothing was installed" in err
    assert snapshot(target) == before and (target / "dep" / "__init__.py").read_text() == "mine"


@pytest.mark.skipif(os.name != "posix", reason="signals")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_real_signal_during_install(tmp_path: Path, signum: int) -> None:
    # a whole process, signalled while it installs a wheel of a few thousand files
    files = {f"big/m{i}.py": "x = 1\n" for i in range(3000)}
    build_wheel(tmp_path / "links", "big-1.0-py3-none-any.whl", files)
    target = tmp_path / "target"
    target.mkdir()
    command = [sys.executable, "-m", "reference", "install", "big", "--find-links", str(tmp_path / "links"),
               "--target", str(target)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any(p.name.startswith(STAGE_PREFIX) for p in target.iterdir()):
        time.sleep(0.01)
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    if process.returncode == 0:  # the signal came after the last rename: everything is there
        assert (target / "big" / "m2999.py").exists()
    else:
        assert process.returncode == 130, err
        assert list(target.iterdir()) == []
    assert b"Traceback" not in err
    rerun = subprocess.run(command, capture_output=True, timeout=120, check=False)
    assert rerun.returncode == (0 if process.returncode == 130 else 2)


@pytest.mark.skipif(os.name != "posix", reason="signals")
@pytest.mark.parametrize("moment", ["stage created", "stage held back"])
def test_signal_as_the_stage_appears_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    moment: str) -> None:
    # the moments test_real_signal_during_install aims at, made certain: SIGINT
    # arrives right after the stage directory is created (the signals held), or
    # right after they are released, before the request holds the stage
    module: Any = tempfile if moment == "stage created" else os.path
    name = "mkdtemp" if moment == "stage created" else "relpath"
    real = getattr(module, name)

    def then_signal(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGINT)
        return result

    monkeypatch.setattr(module, name, then_signal)
    target = tmp_path / "target"
    with pytest.raises(KeyboardInterrupt), Staging(target_scheme(target)):
        pytest.fail("the signal must stop the request before it uses the stage")
    assert not target.exists()


def test_stale_stage_of_a_killed_process_is_removed(tmp_path: Path) -> None:
    target = tmp_path / "target"
    stale = target / f"{STAGE_PREFIX}999999999-abc"
    stale.mkdir(parents=True)
    (stale / "half.py").write_text("")
    with Staging(target_scheme(target)) as stage:
        assert not stale.exists() and stage.stage.parent == target


def test_staged_record_paths_hold_after_the_move(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # scripts and data land outside purelib: RECORD's relative paths must stay true
    build_wheel(tmp_path / "links", "tool-1.0-py3-none-any.whl",
                {"tool/__init__.py": "", "tool-1.0.data/scripts/tool-run": "#!python\nprint(1)\n"})
    target = tmp_path / "target"
    links = str(tmp_path / "links")
    code, _, err = run(capsys, "install", "tool", "--find-links", links, "--target", str(target))
    assert code == 0, err
    record = (target / "tool-1.0.dist-info" / "RECORD").read_text()
    for line in record.splitlines():
        assert (target / line.split(",")[0]).exists(), line
    assert "bin/tool-run" in record
