"""The one mechanism behind the mutant table: a named rule of the reference replaced, then restored."""

from __future__ import annotations

import re

import pytest

import reference.format.filename
import reference.providers.abi
import reference.selection.ordering
import reference.selection.select
from conformance.mutant_table import TABLE
from conformance.patching import (
    Patch,
    PatchBroken,
    applied,
    arguments,
    around,
    instead,
    result,
    value,
)


def test_value_replaces_a_constant_and_restores_it() -> None:
    original = reference.format.filename.LABEL_RE
    with Patch("reference.format.filename:LABEL_RE", value(re.compile("[A-Z]+"))).apply():
        assert reference.format.filename.check_label("ABC") is None
        assert reference.format.filename.check_label("abc") is not None
    assert reference.format.filename.LABEL_RE is original
    assert reference.format.filename.check_label("abc") is None


def test_instead_never_calls_the_original() -> None:
    kind = instead(lambda args: (args["value"], args["version"]))
    with Patch("reference.providers.abi:abi_matches", kind).apply():
        assert reference.providers.abi.abi_matches("2", "2.1") == ("2", "2.1")
    assert reference.providers.abi.abi_matches("2", "2.1") is True


def test_arguments_are_named_and_changed_before_the_original_runs() -> None:
    # namespace_order(default_priorities, used=()): the default is filled in by name.
    seen = []

    def change(args: object) -> dict[str, object]:
        seen.append(dict(args))  # type: ignore[call-overload]
        return {"default_priorities": ["b", "a"]}

    with Patch("reference.selection.ordering:namespace_order", arguments(change)).apply():
        assert reference.selection.ordering.namespace_order(["a", "b"]) == ["b", "a"]
    assert seen == [{"default_priorities": ["a", "b"], "used": ()}]
    assert reference.selection.ordering.namespace_order(["a", "b"]) == ["a", "b"]


def test_result_sees_the_answer_and_the_arguments() -> None:
    kind = result(lambda matched, args: (matched, args["version"]))
    with Patch("reference.providers.abi:abi_matches", kind).apply():
        assert reference.providers.abi.abi_matches("2.0", "2.1") == (False, "2.1")


def test_around_calls_the_original_with_changed_arguments() -> None:
    kind = around(lambda call, args: (call(), call(version="2.0.5")))
    with Patch("reference.providers.abi:abi_matches", kind).apply():
        assert reference.providers.abi.abi_matches("2.0", "2.1") == (False, True)


def test_a_binding_imported_by_name_is_patched_too() -> None:
    original = reference.selection.ordering.rank_variants
    assert vars(reference.selection.select)["rank_variants"] is original
    with applied([Patch("reference.selection.ordering:rank_variants", instead(lambda args: ([], {})))]):
        assert vars(reference.selection.select)["rank_variants"] is not original
        assert reference.selection.select.rank_variants({}, None) == ([], {})  # type: ignore[arg-type]
    assert vars(reference.selection.select)["rank_variants"] is original


@pytest.mark.parametrize(
    "target",
    [
        "reference.selection.ordering:no_such_rule",
        "reference.no_such_module:rule",
        "reference.selection.ordering",
    ],
)
def test_a_target_that_does_not_exist_is_a_broken_patch(target: str) -> None:
    with pytest.raises(PatchBroken), Patch(target, value(None)).apply():
        pass


def test_a_failed_patch_restores_the_ones_applied_before_it() -> None:
    original = reference.providers.abi.abi_matches
    patches = [
        Patch("reference.providers.abi:abi_matches", instead(lambda args: True)),
        Patch("reference.selection.ordering:no_such_rule", value(None)),
    ]
    with pytest.raises(PatchBroken), applied(patches):
        pass
    assert reference.providers.abi.abi_matches is original


def test_every_row_targets_a_rule_by_module_and_attribute() -> None:
    for row in TABLE:
        assert row.patches, row.id
        for patch in row.patches:
            module, _, attr = patch.target.partition(":")
            assert module.startswith("reference.") and attr, (row.id, patch.target)
