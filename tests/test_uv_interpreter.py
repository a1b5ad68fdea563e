"""uv's interpreter description, asked once, copied into each run's own cache (adapters.uv_interpreter)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conformance.adapters import simulated_cpu
from conformance.adapters.uv import _find_uv
from conformance.adapters.uv_interpreter import InterpreterCache


def _bucket_text(cache: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(cache.glob("interpreter-v*/**/*")) if p.is_file())


def test_each_run_gets_a_fresh_cache_holding_only_the_description(tmp_path: Path) -> None:
    interpreters = InterpreterCache(_find_uv(), sys.executable, timeout=120)
    try:
        first, one = interpreters.cache_args(tmp_path, None)
        second, two = interpreters.cache_args(tmp_path, None)
        assert first[0] == second[0] == "--cache-dir" and one is not None and two is not None
        assert one != two and Path(first[1]) == one
        for cache in (one, two):
            assert [p.name for p in cache.iterdir()] == [p.name for p in cache.glob("interpreter-v*")] != []
        assert sys.executable.encode() in _bucket_text(one)
        assert len(interpreters._seeds) == 1  # asked once
    finally:
        interpreters.close()
    assert interpreters._root is None


def test_a_failed_query_falls_back_to_no_cache(tmp_path: Path) -> None:
    interpreters = InterpreterCache(str(tmp_path / "no-such-uv"), sys.executable, timeout=10)
    assert interpreters.cache_args(tmp_path, None) == (["--no-cache"], None)
    interpreters.close()


@pytest.mark.skipif(simulated_cpu.namespaces_unavailable() is not None, reason="no user namespaces here")
def test_the_description_is_asked_under_the_simulated_cpu(tmp_path: Path) -> None:
    # uv's x86-64 provider reads the CPU flags from this description: one per simulated CPU
    cpuinfo = "processor\t: 0\nflags\t\t: fpu cx8 sse sse2 simulatedflag\n\n"
    interpreters = InterpreterCache(_find_uv(), sys.executable, timeout=120)
    try:
        _, simulated = interpreters.cache_args(tmp_path, cpuinfo)
        _, real = interpreters.cache_args(tmp_path, None)
        assert simulated is not None and real is not None
        assert b"simulatedflag" in _bucket_text(simulated)
        assert b"simulatedflag" not in _bucket_text(real)
        assert len(interpreters._seeds) == 2
    finally:
        interpreters.close()
