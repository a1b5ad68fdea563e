"""Install and lock output does not depend on ``PYTHONHASHSEED``.

resolvelib keeps the children of a node of its result graph in a set, whose
order changes with the hash seed; the order of sibling dependencies in
``install`` and ``lock`` output followed it. ``reference.install.resolve``
now visits children sorted by name, so two processes with different seeds
print the same bytes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_index import build_wheel

SIBLINGS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]


@pytest.fixture(scope="module")
def links(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("links")
    build_wheel(directory, "top-1.0-py3-none-any.whl", {"top/__init__.py": ""}, SIBLINGS)
    for name in SIBLINGS:
        build_wheel(directory, f"{name}-1.0-py3-none-any.whl", {f"{name}/__init__.py": ""}, ["leaf"])
    build_wheel(directory, "leaf-1.0-py3-none-any.whl", {"leaf/__init__.py": ""})
    return directory


def _variant_ref(seed: str, *argv: str) -> str:
    environment = {**os.environ, "PYTHONHASHSEED": seed}
    result = subprocess.run([sys.executable, "-m", "reference", *argv], capture_output=True, text=True,
                            env=environment, timeout=120, check=True)
    return result.stdout


@pytest.mark.parametrize("command", ["install", "lock"])
def test_output_is_the_same_for_two_hash_seeds(links: Path, tmp_path: Path, command: str) -> None:
    outputs = []
    for seed in ("1", "2", "3"):
        argv = ["top", "--find-links", str(links), "--json"] if command == "install" else [
            "top", "--find-links", str(links)]
        if command == "install":
            argv += ["--target", str(tmp_path / f"target-{seed}")]
        outputs.append(_variant_ref(seed, command, *argv))
    assert outputs[0] == outputs[1] == outputs[2]
    # dependencies before dependents, siblings by name
    if command == "install":
        assert outputs[0].index('"leaf"') < outputs[0].index('"alpha"') < outputs[0].index('"hotel"')
        assert outputs[0].index('"hotel"') < outputs[0].index('"top"')
