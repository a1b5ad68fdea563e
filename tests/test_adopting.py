"""docs/adopting.md: its tox environment parses with tox, and every suite option it uses exists."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "adopting.md").read_text(encoding="utf-8")


def _block(language: str) -> str:
    match = re.search(rf"```{language}\n(.*?)```", DOC, re.S)
    assert match, f"docs/adopting.md has no {language} block"
    return match.group(1)


def test_the_tox_environment_parses_and_runs_the_suite_with_the_checkout_build(tmp_path: Path) -> None:
    (tmp_path / "tox.ini").write_text("[tox]\nskipsdist = true\n" + _block("ini"), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "tox", "config", "-c", str(tmp_path / "tox.ini"), "-e", "conformance",
         "-k", "commands", "deps"],
        capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    shown = done.stdout
    assert "--pyargs conformance" in shown
    # the environment's own interpreter: the development build tox installed there
    assert re.search(r"--adapter-option python=\S*\.tox/conformance/bin/python", shown), shown
    assert "wheel-variant-conformance" in shown


def _suite_options() -> set[str]:
    done = subprocess.run([sys.executable, "-m", "pytest", "--help"], capture_output=True, text=True,
                          timeout=120, check=True)
    return set(re.findall(r"(--[a-z][a-z-]*)", done.stdout))


@pytest.mark.parametrize("language", ["yaml", "ini", "sh"])
def test_every_option_the_page_uses_exists(language: str) -> None:
    known = _suite_options()
    text = _block(language)
    commands = [line for line in text.splitlines() if "pytest" in line or line.strip().startswith("--")]
    pytest_lines = "\n".join(commands) + "\n" + text[text.find("pytest"):] if "pytest" in text else ""
    used = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", pytest_lines)) - {"--html", "--release", "--bin"}
    assert used, language
    assert used <= known, sorted(used - known)
