"""Built fixtures shared by runs: built once per change of their sources, never removed while in use."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

import conformance.fixtures
from conformance.workspace import DIGEST_SOURCES, PRUNE_AFTER_SECONDS, built_fixtures, sources_digest


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Replace the (slow) real build by one that records where it built."""
    calls: list[Path] = []

    def build_all(out: Path) -> None:
        calls.append(out)
        (out / "index").mkdir()

    monkeypatch.setattr(conformance.fixtures, "build_all", build_all)
    return calls


def test_built_once_per_digest(tmp_path: Path, builds: list[Path]) -> None:
    first = built_fixtures(tmp_path, "fx")
    second = built_fixtures(tmp_path, "fx")
    assert first == second == tmp_path / f"fx-{sources_digest()}"
    assert len(builds) == 1
    assert (first / "index").is_dir() and (first / ".complete").is_file()


def test_a_failed_build_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(out: Path) -> None:
        (out / "half").write_text("x")
        raise RuntimeError("no space left")

    monkeypatch.setattr(conformance.fixtures, "build_all", broken)
    with pytest.raises(RuntimeError, match="no space left"):
        built_fixtures(tmp_path, "fx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fx.lock"]


def test_prune_keeps_builds_other_runs_may_still_read(tmp_path: Path, builds: list[Path]) -> None:
    recent, old, broken = tmp_path / "fx-recent", tmp_path / "fx-old", tmp_path / "fx-broken"
    for other in (recent, old):
        other.mkdir()
        (other / ".complete").write_text("ok\n")
    broken.mkdir()
    long_ago = time.time() - PRUNE_AFTER_SECONDS - 60
    os.utime(old / ".complete", (long_ago, long_ago))
    target = built_fixtures(tmp_path, "fx", prune=True)
    assert target.is_dir() and recent.is_dir()
    assert not old.exists() and not broken.exists()


def test_digest_covers_every_source_the_build_reads(tmp_path: Path) -> None:
    # a change in the corpus snapshot, its reader or the converter must rebuild the fixtures
    assert {"fixtures/corpus", "conformance/corpus.py", "reference/format/convert.py"} <= set(DIGEST_SOURCES)
    for source in DIGEST_SOURCES:
        path = tmp_path / source / "f.txt" if "." not in Path(source).name else tmp_path / source
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("a")
    seen = {sources_digest(tmp_path)}
    for source in DIGEST_SOURCES:
        path = tmp_path / source / "f.txt" if "." not in Path(source).name else tmp_path / source
        path.write_text("b")
        seen.add(sources_digest(tmp_path))
    assert len(seen) == len(DIGEST_SOURCES) + 1
    # the suite's own sources (through conformance/fixture_sources) digest as the checkout's do
    assert sources_digest() == sources_digest(Path(__file__).resolve().parent.parent)
