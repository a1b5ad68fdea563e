"""Issue 10, class 7: output hygiene: control characters escaped, huge values quoted by a bounded prefix.

Was: escape sequences in filenames and JSON keys reached the terminal raw; a
10 MB ``$schema`` or a 1 MB label was echoed whole into stderr.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reference.limits import escape_controls, quoted
from tests.hostile import VARIANTS, doc, profile, run, world

ESC = "\x1b[2J\x1b[31m"
RAW = ("\x1b", "\x07", "\x9b", "\u202e")


def clean(text: str) -> bool:
    return not any(char in text for char in RAW)


def test_escape_sequence_in_a_filename(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "filename", f"demo-1.0-py3-none-any-{ESC}x.whl")
    assert code == 1 and clean(out + err) and "\\x1b[2J" in err


def test_escape_sequences_in_find_links_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    links = world(tmp_path / "links")
    (links / f"demo-1.0-py3-none-any-{ESC}\u202e.whl").write_bytes(b"")
    code, out, err = run(capsys, "select", "demo", "--find-links", str(links), "--profile", profile(tmp_path),
                         "--explain")
    assert code == 0 and clean(out + err) and "\\x1b" in out and "\\u202e" in out


def test_escape_sequence_in_a_json_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "variant.json"
    path.write_text(json.dumps(doc({f"v3{ESC}": VARIANTS["x86_64_v3"]})))
    code, out, err = run(capsys, "validate", str(path))
    assert code == 1 and clean(out + err) and "\\x1b" in err
    code, out, _ = run(capsys, "validate", str(path), "--json")
    assert code == 1 and clean(out) and json.loads(out)  # JSON escapes them itself


def test_huge_schema_value_is_quoted_by_a_prefix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "variant.json"
    path.write_text(json.dumps({**doc(VARIANTS), "$schema": "https://example.org/" + "s" * 10_000_000}))
    code, _, err = run(capsys, "validate", str(path))
    assert code == 1 and "pep825:schema-url" in err
    assert len(err) < 5_000 and "(10000020 characters)" in err


@pytest.mark.parametrize("label", ["A" * 1_000_000, "a" * 1_000_000])
def test_huge_label_is_quoted_by_a_prefix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], label: str
) -> None:
    # an invalid 1 MB label, and a valid one that does not match the expected label
    path = tmp_path / "variant.json"
    path.write_text(json.dumps(doc({label: VARIANTS["x86_64_v3"]})))
    code, _, err = run(capsys, "validate", str(path), "--label", "x86_64_v3")
    assert code == 1 and len(err) < 10_000 and "characters)" in err


def test_quoted_and_escape_controls() -> None:
    assert quoted("abc") == "'abc'"
    assert quoted("x" * 201).endswith("... (201 characters)")
    assert escape_controls("a\tb\nc") == "a\tb\nc"
    assert escape_controls("\x1b[31m\u202e\udcff\x00") == "\\x1b[31m\\u202e\\udcff\\x00"
    assert escape_controls("naïve 名前 ✓") == "naïve 名前 ✓"
