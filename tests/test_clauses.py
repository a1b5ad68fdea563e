"""The clause catalogue: schema-valid, ids stable and complete for the code that cites them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from reference import clauses
from reference._toml import loads

ROOT = Path(__file__).parent.parent
CATALOGUE = sorted((ROOT / "reference" / "clauses").glob("*.toml"))
SCHEMA = json.loads((ROOT / "schemas" / "clauses.schema.json").read_text(encoding="utf-8"))
SPEC_DOCUMENTS = {"pep825", "providers", "building"}
CLAUSE_LITERAL = re.compile(
    r"""["']((?:pep825|providers|building|reference|wheel|convert):[a-z0-9][a-z0-9_.-]*)["']"""
)


def test_schema_is_valid() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("path", CATALOGUE, ids=lambda p: p.name)
def test_catalogue_file_matches_schema(path: Path) -> None:
    data = loads(path.read_text(encoding="utf-8"))
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in jsonschema.Draft202012Validator(SCHEMA).iter_errors(data)
    ]
    assert errors == []


@pytest.mark.parametrize("document", sorted(SPEC_DOCUMENTS))
def test_spec_clause_ids_carry_their_document(document: str) -> None:
    data = loads((ROOT / "reference" / "clauses" / f"{document}.toml").read_text(encoding="utf-8"))
    assert data["document"] == document
    wrong = [c["id"] for c in data["clause"] if not c["id"].startswith(document + ":")]
    assert wrong == []


def test_ids_unique_across_files() -> None:
    seen: dict[str, str] = {}
    duplicates = []
    for path in CATALOGUE:
        for entry in loads(path.read_text(encoding="utf-8"))["clause"]:
            if entry["id"] in seen:
                duplicates.append((entry["id"], seen[entry["id"]], path.name))
            seen[entry["id"]] = path.name
    assert duplicates == []


def test_every_spec_document_is_catalogued() -> None:
    documents = {c.document for c in clauses.all_clauses().values()}
    assert documents >= SPEC_DOCUMENTS


def test_untestable_clauses_are_not_cited_by_cases() -> None:
    # A clause marked untestable must not also claim coverage from a case.
    from conformance.cases import load_cases

    untestable = {c.id for c in clauses.all_clauses().values() if c.untestable}
    cited = {cid for case in load_cases() for cid in case.clauses}
    assert sorted(untestable & cited) == []


def test_decided_ids_exist() -> None:
    # Ids agreed in the team's shared interface (others cite them in code and cases).
    decided = [
        "pep825:ordering-combined-metadata",
        "pep825:ordering-prefer-index-file",
        "pep825:ordering-compatible-lists",
        "pep825:ordering-grouping",
        "pep825:ordering-null-last",
        "pep825:ordering-non-variant-last",
        "pep825:ordering-platform-tags",
        "pep825:ordering-overrides",
        "pep825:missing-label-incompatible",
        "pep825:degrade-gracefully",
        "pep825:markers-values",
        "pep825:markers-whitespace",
        "pep825:markers-dependencies-only",
        "pep825:markers-after-selection",
        "pep825:markers-label",
        "pep825:markers-properties-narrowed",
        "pep825:markers-derived",
        "pep825:markers-non-variant",
        "pep825:markers-operators",
        "pep825:pylock-variants-json",
        "pep825:pylock-retain-labels",
        "pep825:pylock-resolve",
        "pep825:pylock-validate",
        "pep825:pylock-markers",
        "pep825:backward-compat-ignore",
        "providers:namespace-provider",
        "providers:namespaces-defined",
        "providers:step-1-disabled",
        "providers:step-1-enable-option",
        "providers:step-2-static",
        "providers:step-3-user-static",
        "providers:step-4-vendored",
        "providers:step-5-trust",
        "providers:step-6-install-query",
        "providers:isolated-env",
        "providers:keys-match-namespaces",
        "providers:exactly-one-key",
        "providers:feature-order",
        "providers:requires-markers",
        "providers:plugin-api-default",
        "providers:plugin-api-only-with-requires",
        "providers:optional",
        "providers:plugin-api-format",
        "providers:plugin-configs",
        "providers:multi-value",
        "providers:ignore-extra-attributes",
        "providers:abi-optional",
        "providers:abi-reserved",
        "providers:abi-feature-name",
        "providers:abi-value",
        "providers:abi-matching",
        "providers:abi-epoch",
    ]
    decided += [f"pep825:ordering-step-{n}" for n in range(1, 8)]
    known = clauses.all_clauses()
    assert [i for i in decided if i not in known] == []


def _cited_ids() -> dict[str, list[str]]:
    cited: dict[str, list[str]] = {}
    for folder in ("reference", "conformance"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for match in CLAUSE_LITERAL.finditer(path.read_text(encoding="utf-8")):
                cited.setdefault(match.group(1), []).append(str(path.relative_to(ROOT)))
    return cited


def test_every_clause_id_cited_in_code_exists() -> None:
    known = clauses.all_clauses()
    unknown = {cid: files for cid, files in _cited_ids().items() if cid not in known}
    assert unknown == {}


def test_a_must_without_its_keyword_says_where_the_level_comes_from() -> None:
    # Issue 11: a clause labelled MUST (MUST NOT, REQUIRED) whose sentence has no
    # such keyword gets a note saying where its force comes from (or the right level).
    # This project's own rules (reference:) are phrased by the project, not quoted.
    import re

    from reference.clauses import all_clauses

    keyword = {"MUST": r"\bMUST\b", "MUST NOT": r"\bMUST NOT\b", "REQUIRED": r"\bREQUIRED\b"}
    unexplained = [
        c.id
        for c in all_clauses().values()
        if c.level in keyword and not c.id.startswith("reference:")
        and not re.search(keyword[c.level], c.quote) and not c.note
    ]
    assert unexplained == []
    for clause_id in ("pep825:property-format", "pep825:null-label", "pep825:metadata-file",
                      "pep825:metadata-structure", "pep825:consistency-order-independent"):
        assert "No RFC 2119 keyword" in all_clauses()[clause_id].note
