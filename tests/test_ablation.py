"""Ablation: every rule the suite claims to check has a case that rule alone decides.

Issue 11, "A decisive case for every rule": for each rule (ordering steps 1-7,
null and non-variant placement, tags and build number within a group, the
label tie-break, each provider step, each option, each marker variable and
operator, each combination and lock rule) the rule is removed from the
reference, then reversed where that makes sense, and the cases the rule
table lists must flip each time. Only the listed cases run, so this stays
fast; ``python -m conformance ablation --all-cases`` lists every case that
flips.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from conformance.ablation import README_BEGIN, README_END, run_ablation
from conformance.cases import load_cases
from conformance.rule_table import RULES, Rule
from reference.clauses import all_clauses

ROOT = Path(__file__).resolve().parent.parent

#: The issue's list of rules, by the id each has in the table.
ISSUE_LIST = {
    **{f"ordering-step-{n}": "ordering" for n in range(1, 7)},
    "ordering-step-7-lower-key": "ordering",
    "ordering-step-7-more-keys": "ordering",
    "label-tiebreak": "ordering",
    "null-last": "placement",
    "non-variant-last": "placement",
    "tags-within-group": "placement",
    "build-within-group": "placement",
    **{f"provider-step-{n}": "providers" for n in range(1, 7)},
    "option-variant": "options",
    "option-no-variants": "options",
    "option-enable-provider": "options",
    "option-trust": "options",
    "marker-variant-label": "markers",
    "marker-variant-properties": "markers",
    "marker-variant-features": "markers",
    "marker-variant-namespaces": "markers",
    "marker-label-equal": "markers",
    "marker-label-not-equal": "markers",
    "marker-label-in": "markers",
    "marker-label-not-in": "markers",
    "marker-set-in": "markers",
    "marker-set-not-in": "markers",
    "combine-priorities-prefix": "combination",
    "combine-longer-priorities": "combination",
    "combine-same-properties": "combination",
    "combine-union": "combination",
    "lock-resolve": "lock",
    "lock-markers": "lock",
    "lock-validate": "lock",
    "lock-environments": "lock",
    "lock-markers-scope": "lock",
    "lock-package-marker": "lock",
}


def test_the_table_holds_every_rule_of_the_issue_list() -> None:
    table = {r.id: r.group for r in RULES}
    assert {rid: table.get(rid) for rid in ISSUE_LIST} == ISSUE_LIST
    assert len(table) == len(RULES), "duplicate rule id"


@pytest.fixture(scope="module")
def known() -> set[str]:
    return {c.id for c in load_cases()}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_each_rule_is_well_formed(rule: Rule, known: set[str]) -> None:
    assert rule.clause in all_clauses(), rule.clause
    assert set(rule.decisive) <= known and set(rule.reversal) <= known
    if rule.inapplicable:
        assert not rule.decisive, "a rule the reference cannot decide lists no case"
    else:
        assert rule.decisive, "every rule the reference implements lists a decisive case"


def test_each_ablation_replaces_a_named_rule_and_restores_it() -> None:
    # The rule lives in a named function (or value) of the reference: each patch
    # replaces it while applied and puts the original back afterwards.
    import importlib

    for rule in RULES:
        for row in rule.rows:
            targets = [patch.target.partition(":") for patch in row.patches]
            before = [getattr(importlib.import_module(m), a) for m, _, a in targets]
            with row.apply():
                during = [getattr(importlib.import_module(m), a) for m, _, a in targets]
            after = [getattr(importlib.import_module(m), a) for m, _, a in targets]
            assert all(d is not b for d, b in zip(during, before, strict=True)), row.id
            assert all(a is b for a, b in zip(after, before, strict=True)), row.id


def test_every_rule_is_decisive_for_its_cases() -> None:
    # Remove the rule: every case it lists flips; reverse it: every case listed
    # for the reversal flips (by default the same ones).
    start = time.perf_counter()
    results = run_ablation()
    elapsed = time.perf_counter() - start
    unproven = {
        r.rule.id: {row: cases for row, cases in r.missing.items() if cases} or r.broken or "no flip"
        for r in results
        if not r.proven and not r.rule.inapplicable
    }
    assert not unproven
    crashes = {r.rule.id: r.crashed for r in results if any(r.crashed.values())}
    assert not crashes, "a row crashed where its rule should flip the outcome"
    assert elapsed < 180, f"the ablation took {elapsed:.0f} s"


def test_readme_shows_the_decisive_case_count_of_every_rule() -> None:
    # Written by `python -m conformance ablation --readme README.md`, never typed:
    # one row per rule, in table order, listing the number the table holds.
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text[text.index(README_BEGIN) + len(README_BEGIN) : text.index(README_END)]
    rows = [line.split("|") for line in block.strip().splitlines()[2:]]
    assert [cells[1].strip().strip("`") for cells in rows] == [r.id for r in RULES]
    for cells, rule in zip(rows, RULES, strict=True):
        decisive, listed = cells[3].strip(), cells[5].strip()
        if rule.inapplicable:
            assert (decisive, listed) == ("0", "n/a")
        else:
            assert listed == str(len(rule.decisive)) and int(decisive) >= len(rule.decisive), rule.id


def test_a_case_the_rule_does_not_decide_is_reported() -> None:
    # The check can fail: namespace priority (step 1) decides this case, the label
    # tie-break does not, so listing it under the tie-break leaves the rule unproven.
    import dataclasses

    by_id = {r.id: r for r in RULES}
    wrong = dataclasses.replace(
        by_id["label-tiebreak"], decisive=("ordering/step-1-namespace-priority/x86-64-first",)
    )
    (result,) = run_ablation([wrong])
    assert not result.proven
    assert result.missing[wrong.removed.id] == ["ordering/step-1-namespace-priority/x86-64-first"]
    (right,) = run_ablation([by_id["ordering-step-1"]])
    assert right.proven


def test_every_credited_rule_clause_can_decide_its_cases() -> None:
    # Issue 11, "Clause credit only where the clause can decide the outcome": a
    # case credited with the clause of a rule of the table must flip when that
    # rule is removed or reversed (or under a mutant breaking the clause);
    # otherwise the case cites the clause as context, which coverage does not count.
    from conformance.ablation import credit_gaps

    start = time.perf_counter()
    assert credit_gaps() == {}
    assert time.perf_counter() - start < 120


def test_no_behaviour_is_satisfied_by_a_tool_that_does_nothing() -> None:
    # Issue 11, "Negative cases that a do-nothing implementation also passes":
    # tools that select nothing, always the null variant, only non-variant
    # wheels, accept every document or combine without checks run through the
    # mutation machinery; every behaviour (case file, with its declared twins)
    # must catch each of them.
    from conformance.ablation import lazy_passes

    start = time.perf_counter()
    assert lazy_passes() == {}
    assert time.perf_counter() - start < 120


def test_cli_lists_rules_and_rejects_unknown_ids(capsys: pytest.CaptureFixture[str]) -> None:
    from conformance.__main__ import main

    assert main(["ablation", "--list"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == len(RULES)
    assert main(["ablation", "--rule", "no-such-rule"]) == 2
    assert "unknown rule" in capsys.readouterr().err
    assert main(["ablation", "--rule", "lock-environments", "--json"]) == 0
    import json

    (entry,) = json.loads(capsys.readouterr().out)
    assert entry["proven"] and entry["decisive"] == ["pylock/environments/win32-lock-on-linux"]
    assert main(["coverage", "--rules"]) == 0
    assert "lock-environments [pylock:environments]: 1" in capsys.readouterr().out
