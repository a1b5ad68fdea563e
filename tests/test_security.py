"""SECURITY.md says what the code does: its limits table, clause ids and test files are the real ones."""

from __future__ import annotations

import re
from pathlib import Path

from reference import clauses
from reference.limits import LIMITS, limits_table

ROOT = Path(__file__).resolve().parent.parent
SECURITY = (ROOT / "SECURITY.md").read_text(encoding="utf-8")


def test_limits_table_is_the_output_of_variant_ref_limits() -> None:
    block = SECURITY.split("<!-- limits:start -->\n")[1].split("<!-- limits:end -->")[0]
    assert block == limits_table(markdown=True)
    for name in LIMITS:
        assert f"| `{name}` |" in block


def test_clause_ids_exist() -> None:
    cited = set(re.findall(r"`((?:reference|pep825|providers):[a-z0-9-]+)`", SECURITY))
    assert cited and cited <= set(clauses.all_clauses())


def test_files_named_exist() -> None:
    named = set(re.findall(r"`((?:tests|reference|conformance|fuzz)/[\w/]+\.py)", SECURITY))
    assert named and [n for n in named if not (ROOT / n).exists()] == []
