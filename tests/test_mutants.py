"""Tests of the mutant catalogue, the mutant adapter and the mutation score.

The last test is the issue's requirement: the suite runs against every mutant
and each must be caught by at least one case (mutants listed in
``KNOWN_SURVIVORS`` are findings waiting for a case, and must still survive).
"""

from __future__ import annotations

import json
import time

import pytest

import reference.selection.ordering
import reference.selection.select
from conformance.adapters.base import OPS
from conformance.adapters.mutant import MutantAdapter
from conformance.adapters.registry import load_adapter
from conformance.mutant_table import SELECTING
from conformance.mutant_table import mutant as table_row
from conformance.mutants import KNOWN_SURVIVORS, MUTANTS, replace, run_mutants
from conformance.patching import Patch, result
from reference.clauses import all_clauses


def test_catalogue_has_at_least_forty_mutants_each_breaking_a_known_clause() -> None:
    assert len(MUTANTS) >= 40
    catalogue = all_clauses()
    for mutant in MUTANTS.values():
        assert mutant.clause in catalogue, mutant.id
        assert mutant.description
        assert mutant.ops and mutant.ops <= OPS, mutant.id
    assert set(KNOWN_SURVIVORS) <= set(MUTANTS)


def test_issue_list_of_mistakes_is_in_the_catalogue() -> None:
    # issue 6 "Mutation score": the minimum list, by the clause each breaks.
    required = {
        "null-after-non-variant": "pep825:ordering-null-last",
        "multi-value-and": "pep825:property-compatibility",
        "features-or": "pep825:property-compatibility",
        "namespace-priority-ignored": "pep825:ordering-step-1",
        "value-order-from-wheel": "pep825:ordering-step-3",
        "more-properties-reversed": "pep825:ordering-step-7",
        "missing-label-accepted": "pep825:missing-label-incompatible",
        "label-uppercase-accepted": "pep825:label-charset",
        "python-tag-digit-accepted": "pep825:python-tag-digit",
        "unknown-major-accepted": "pep825:major-version",
        "combine-first-priorities": "pep825:consistency-order-independent",
        "markers-not-narrowed": "pep825:markers-properties-narrowed",
        "markers-from-system": "pep825:markers-values",
        "optional-enabled-by-default": "providers:step-1-disabled",
        "static-not-exclusive": "providers:step-2-static",
        "untrusted-plugins-run": "providers:step-5-trust",
        "tags-before-variants": "pep825:ordering-platform-tags",
        "marker-whitespace-significant": "pep825:markers-whitespace",
        "null-with-properties-accepted": "pep825:null-label",
        "non-prefix-priorities-accepted": "pep825:consistency-default-priorities",
        "combine-keeps-shorter": "pep825:default-priorities-extension",
        "build-number-ignored": "pep825:ordering-grouping",
        "variant-option-unsupported": "pep825:ordering-overrides",
        "abi-exact-match": "providers:abi-matching",
    }
    assert {mid: MUTANTS[mid].clause for mid in required} == required


def test_replace_patches_every_binding_and_restores_them() -> None:
    original = reference.selection.ordering.rank_variants
    assert vars(reference.selection.select)["rank_variants"] is original
    with replace("reference.selection.ordering", "rank_variants", lambda orig: lambda *a: ([], {})) as new:
        assert reference.selection.ordering.rank_variants is new
        assert vars(reference.selection.select)["rank_variants"] is new  # imported by name there
    assert reference.selection.ordering.rank_variants is original
    assert vars(reference.selection.select)["rank_variants"] is original


def _reference_globals() -> dict[tuple[str, str], object]:
    import sys

    return {
        (name, attr): value
        for name, module in list(sys.modules.items())
        if name == "reference" or name.startswith("reference.")
        for attr, value in vars(module).items()
    }


@pytest.mark.parametrize("mutant_id", sorted(MUTANTS))
def test_every_patch_applies_and_is_undone(mutant_id: str) -> None:
    # A patch that no longer applies must not be mistaken for a killed mutant.
    before = _reference_globals()
    with MUTANTS[mutant_id].apply():
        during = _reference_globals()
    after = _reference_globals()
    assert {k: v for k, v in during.items() if before.get(k) is not v}, "the patch changed nothing"
    assert all(after[k] is v for k, v in before.items())


def test_namespace_priority_mutant_changes_step_1_only_while_applied() -> None:
    # PEP 825 step 1: the namespace order is default-priorities.namespace as written.
    supported = {"x86_64": {"level": ["v3"]}, "blas_lapack": {"library": ["mkl"]}}
    build = reference.selection.ordering.VariantOrder.build
    assert build(["x86_64", "blas_lapack"], supported).namespace_order == ["x86_64", "blas_lapack"]
    with MUTANTS["namespace-priority-ignored"].apply():
        assert build(["x86_64", "blas_lapack"], supported).namespace_order == ["blas_lapack", "x86_64"]
    assert build(["x86_64", "blas_lapack"], supported).namespace_order == ["x86_64", "blas_lapack"]


def test_more_properties_mutant_reverses_step_7_prefix_rule() -> None:
    # PEP 825 step 7: "the group with more keys is sorted earlier".
    order = reference.selection.ordering.VariantOrder.build(
        ["x86_64", "blas_lapack"], {"x86_64": {"level": ["v3"]}, "blas_lapack": {"library": ["openblas"]}}
    )
    variants = {
        "v3": {"x86_64": {"level": ("v3",)}},
        "v3_openblas": {"x86_64": {"level": ("v3",)}, "blas_lapack": {"library": ("openblas",)}},
    }
    assert vars(reference.selection.select)["rank_variants"](variants, order)[0] == ["v3_openblas", "v3"]
    with MUTANTS["more-properties-reversed"].apply():
        assert vars(reference.selection.select)["rank_variants"](variants, order)[0] == ["v3", "v3_openblas"]


def test_mutant_adapter_loads_through_the_adapter_registry() -> None:
    adapter = load_adapter("conformance.adapters.mutant:null-first")
    try:
        info = adapter.info()
        assert info.name == "mutant:null-first"
        assert "select" in info.capabilities
    finally:
        adapter.close()  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="unknown mutant"):
        MutantAdapter("no-such-mutant")


def test_mutants_cli_lists_and_rejects_unknown_ids(capsys: pytest.CaptureFixture[str]) -> None:
    from conformance.__main__ import main

    assert main(["mutants", "--list"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == len(MUTANTS)
    assert main(["mutants", "--only", "no-such-mutant"]) == 2
    assert "unknown mutant" in capsys.readouterr().err


def test_cli_reports_killers_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    from conformance.__main__ import main

    assert main(["mutants", "--json", "--only", "label-uppercase-accepted"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["killed"], data["total"]) == (1, 1)
    # PEP 825 "the label MUST contain only 0-9, a-z, _ and .": the uppercase case kills it.
    assert "filename/label-charset/uppercase" in data["mutants"][0]["killed_by"]


def test_a_row_outside_the_table_runs_like_a_mutant() -> None:
    # Issue 11's ablation reuses the mechanism: one rule of the reference
    # reversed (PEP 825 step 1: "copying the value of the default-priorities.
    # namespace key"), run against the cases that decide it; some must flip.
    from conformance.cases import load_cases

    reversed_step_1 = table_row(
        "ablation:ordering-step-1-reversed", "pep825:ordering-step-1", SELECTING,
        "namespaces are ordered in reverse",
        Patch("reference.selection.ordering:namespace_order", result(lambda order, args: order[::-1])),
    )
    cases = [c for c in load_cases() if c.id.startswith("ordering/step-1-namespace-priority/")]
    assert cases
    outcome = run_mutants([reversed_step_1], cases)
    assert outcome.results[0].killed_by
    assert all(case_id.startswith("ordering/step-1-") for case_id in outcome.results[0].killed_by)


def test_every_mutant_is_caught_by_at_least_one_case() -> None:
    start = time.perf_counter()
    outcome = run_mutants(stop_at_first=True)
    elapsed = time.perf_counter() - start
    survivors = {r.mutant.id for r in outcome.results if not r.killed}
    unexpected = sorted(survivors - set(KNOWN_SURVIVORS))
    now_killed = sorted(set(KNOWN_SURVIVORS) - survivors)
    assert not unexpected, f"mutants no case catches: {unexpected}"
    assert not now_killed, f"caught now, remove from KNOWN_SURVIVORS: {now_killed}"
    assert elapsed < 240, f"the mutation run took {elapsed:.0f} s"
