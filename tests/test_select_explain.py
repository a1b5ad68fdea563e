"""``variant-ref select --explain`` for people: wrapped, with a legend, ranks as in --json;
bundled profiles by name; a find-links folder one level too high says what it expected."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conformance.fixtures import build_all
from reference.cli.main import main
from reference.selection.explain import WIDTH


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fixtures")
    build_all(out, only=["torch-nvidia", "pep825-torch"])
    return out


def _select(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(["select", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_explain_wraps_long_lines_and_explains_sort_keys(
    built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    links = str(built / "torch-nvidia" / "flat")
    argv = ["torch", "--find-links", links, "--profile", "nvidia-cu130-sm90", "--explain"]
    status, out, _ = _select(capsys, *argv)
    assert status == 0
    explanation = out.split("Requires-Dist of the selected wheel")[0]
    # the NVIDIA supported list alone was one line of about 1,000 characters
    assert "11.20, 11.19" in explanation and max(map(len, explanation.splitlines())) <= WIDTH
    assert "sort key: one (namespace, feature, value) triple per property" in explanation


def test_ranks_are_numbered_alike_in_text_and_json(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    links = str(built / "torch-nvidia" / "flat")
    argv = ["torch", "--find-links", links, "--profile", "nvidia-cu130-sm90"]
    _, text, _ = _select(capsys, *argv, "--explain")
    _, out, _ = _select(capsys, *argv, "--json")
    data = json.loads(out)
    shown = [(int(m[1]), m[2]) for m in re.finditer(r"^  (\d+)\s+(\S+\.whl)", text, re.M)]
    ranked = [(c["rank"], c["filename"]) for c in data["candidates"] if c["rank"] is not None]
    assert shown == ranked and [r for r, _ in ranked] == list(range(1, len(ranked) + 1))
    assert data["candidates"][0]["filename"] == data["selected"] == data["ranked"][0]
    assert [c["filename"] for c in data["candidates"][: len(ranked)]] == data["ranked"]


def test_profile_takes_a_bundled_name(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    links = str(built / "torch-nvidia" / "flat")
    status, out, _ = _select(capsys, "torch", "--find-links", links, "--profile", "nvidia-cu130-sm90")
    assert status == 0 and out.strip().endswith("-cu130.whl")
    status, _, err = _select(capsys, "torch", "--find-links", links, "--profile", "nvidia-cu130-sm9")
    assert status == 2
    assert "no such profile file, and no bundled profile of that name" in err
    assert "closest bundled profiles: nvidia-cu130-sm90" in err


def test_find_links_one_level_too_high_says_what_it_expected(
    built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for folder, expected in ((built / "torch-nvidia", ["torch-nvidia/flat"]),
                             (built, ["pep825-torch/flat", "torch-nvidia/flat"])):
        status, _, err = _select(capsys, "torch", "--find-links", str(folder), "--profile", "x86-64-v3")
        assert status == 1
        assert "--find-links wants the folder that holds the .whl and -variants.json files" in err
        # the folders are quoted, as every path from outside is (reference.limits.quoted)
        assert "did you mean " + ", ".join(repr(str(built / e)) for e in expected) + "?" in err
