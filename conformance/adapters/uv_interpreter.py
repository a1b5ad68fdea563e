"""uv's description of the interpreter it installs for: asked once, handed to every run.

Before it resolves anything, ``uv pip install --python PY`` runs PY to describe
it (its markers, tags and paths, and the ``/proc/cpuinfo`` flags uv 0.13.9's
x86-64 provider reads) and keeps the answer in its cache, in the
``interpreter-v*`` bucket. Under ``--no-cache`` every run asks again, and on
this machine the question is most of a run (about 0.15 s of 0.18 s); the suite
makes several hundred runs.

:class:`InterpreterCache` asks once per interpreter and simulated CPU, with
``uv python find`` run the way the installs are run (the same scrubbed
environment, under the same simulated ``/proc/cpuinfo``), and gives each run a
fresh cache directory holding a copy of that bucket and nothing else. No
wheel, page or build of one run is ever seen by another, so a run sees what
``--no-cache`` would show it, without the repeated question. Where the query
fails, runs fall back to ``--no-cache``.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from conformance.adapters import simulated_cpu
from conformance.adapters._tools import clean_env, run_tool

__all__ = ["InterpreterCache"]

#: uv's environment for the query, as for the installs (``conformance.adapters.uv``).
_UV_ENV = {"UV_NO_CONFIG": "1", "UV_PYTHON_DOWNLOADS": "never"}


class InterpreterCache:
    """uv's interpreter description for one interpreter, per simulated CPU.

    :param uv: the uv binary.
    :param python: the interpreter the runs install for (``--python``).
    :param timeout: seconds for the query.
    """

    def __init__(self, uv: str, python: str, timeout: float) -> None:
        self._uv = uv
        self._python = python
        self._timeout = timeout
        self._root: Path | None = None
        self._seeds: dict[str | None, Path | None] = {}

    def cache_args(self, tmp: Path, cpuinfo: str | None) -> tuple[list[str], Path | None]:
        """uv's cache option for one run: ``--cache-dir`` of a fresh directory under *tmp*
        seeded with the description, or ``--no-cache`` when there is none.

        :param cpuinfo: the simulated ``/proc/cpuinfo`` the run sees (``None``: the real one).
        :returns: the options and the directory (the caller removes it after the run).
        """
        seed = self._seed(cpuinfo)
        if seed is None:
            return ["--no-cache"], None
        cache = Path(tempfile.mkdtemp(prefix="uv-cache-", dir=tmp))
        for bucket in sorted(seed.glob("interpreter-v*")):
            shutil.copytree(bucket, cache / bucket.name)
        return ["--cache-dir", str(cache)], cache

    def _seed(self, cpuinfo: str | None) -> Path | None:
        if cpuinfo not in self._seeds:
            self._seeds[cpuinfo] = self._query(cpuinfo)
        return self._seeds[cpuinfo]

    def _query(self, cpuinfo: str | None) -> Path | None:
        """Have uv describe the interpreter into a cache directory of its own."""
        if self._root is None:
            self._root = Path(tempfile.mkdtemp(prefix="uv-interpreter-"))
        work = Path(tempfile.mkdtemp(prefix="query-", dir=self._root))
        cache = work / "cache"
        argv = [self._uv, "python", "find", "--no-config", "--cache-dir", str(cache), self._python]
        if cpuinfo is not None:
            (work / "cpuinfo").write_text(cpuinfo, encoding="utf-8")
            argv = simulated_cpu.wrap(argv, work / "cpuinfo")
        (work / "home").mkdir()
        try:
            done = run_tool(argv, clean_env(work / "home", _UV_ENV), work, timeout=self._timeout)
        except (OSError, subprocess.TimeoutExpired):
            return None
        if done.returncode != 0 or not any(cache.glob("interpreter-v*")):
            return None
        return cache

    def close(self) -> None:
        """Remove the descriptions (a later run asks again)."""
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
        self._root = None
        self._seeds.clear()
