"""Comparing a case's expectation with what an implementation observed.

One rule for every consumer: the pytest plugin (:mod:`conformance.running`),
the mutation run (:mod:`conformance.mutants`) and anyone checking an adapter by
hand.  It imports nothing from the suite, so both sides import it downward.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = ["compare", "compared_keys", "dumps"]

#: keys of ``expect`` that are informative only and never compared.
_INFORMATIVE = {
    "validate": {"warnings"},
    "select": {"clauses"},
    "install": {"clauses"},
}


def _invalid(expect: Mapping[str, Any]) -> bool:
    """Whether *expect* says the input is rejected: its ``clauses`` name the broken rule.

    ``valid: false`` (filename, validate), ``consistent: false`` (combine) and
    ``error: true`` (markers, pylock; ``select`` and ``install`` keep their
    clauses informative, see :data:`_INFORMATIVE`).
    """
    return expect.get("valid") is False or expect.get("consistent") is False or expect.get("error") is True


def compared_keys(op: str, expect: Mapping[str, Any], *, clause_ids: bool) -> set[str]:
    """The keys of *expect* that :func:`compare` compares (informative ones left out).

    An adapter whose result can show only some keys (``Result.observes``) is
    judged only on cases comparing no other key.
    """
    if "any_of" in expect:  # the keys any of the allowed outcomes compares
        return set().union(*(compared_keys(op, alt, clause_ids=clause_ids) for alt in expect["any_of"]))
    invalid = _invalid(expect)
    return {
        key
        for key in expect
        if key not in _INFORMATIVE.get(op, ()) and not (key == "clauses" and invalid and not clause_ids)
    }


def compare(
    op: str, expect: Mapping[str, Any], observed: Mapping[str, Any], *, clause_ids: bool
) -> list[str]:
    """The differences between an expectation and an observed value (empty: pass).

    Only keys present in *expect* are compared.  For an invalid input
    (``valid: false`` / ``consistent: false`` / ``error: true``) the observed ``clauses`` must
    share at least one id with the expected ones — unless the adapter cannot
    report clause ids (*clause_ids* false), when only validity is compared.
    Marker value sets are compared as sets; everything else exactly, as JSON.
    ``{"any_of": [...]}`` lists the outcomes a text allows (for example "false, or an
    error, as the tool chooses"): the observed value passes if it matches any one.
    """
    if not isinstance(observed, Mapping):
        return [f"the adapter returned {type(observed).__name__}, not an object"]
    if "any_of" in expect:
        tried = [compare(op, alt, observed, clause_ids=clause_ids) for alt in expect["any_of"]]
        if any(not problems for problems in tried):
            return []
        return [f"none of the allowed outcomes matched: {'; or '.join(', '.join(p) for p in tried)}"]
    problems: list[str] = []
    invalid = _invalid(expect)
    compared = compared_keys(op, expect, clause_ids=clause_ids)
    for key, want in expect.items():
        if key not in compared:
            continue
        if key == "clauses" and invalid:
            got = observed.get("clauses")
            if not isinstance(got, list) or not set(map(str, got)) & set(want):
                problems.append(f"clauses: expected at least one of {sorted(want)}, observed {dumps(got)}")
            continue
        if key not in observed:
            problems.append(f"{key}: expected {dumps(want)}, observed nothing (key missing)")
            continue
        got = observed[key]
        if not _equal(key, _normalize(want), _normalize(got)):
            problems.append(f"{key}: expected {dumps(want)}, observed {dumps(got)}")
    return problems


def dumps(value: Any) -> str:
    """*value* as compact, key-sorted JSON (sets as sorted lists, anything else as text)."""
    return json.dumps(value, sort_keys=True, default=_jsonable)


def _normalize(value: Any) -> Any:
    """JSON round-trip: tuples become lists, sets sorted lists, keys strings."""
    return json.loads(json.dumps(value, default=_jsonable))


def _jsonable(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    return str(value)


def _equal(key: str, want: Any, got: Any) -> bool:
    if isinstance(want, dict) and isinstance(got, dict):
        if key == "markers":
            return all(k in got and _same_set_or_value(v, got[k]) for k, v in want.items())
        if key in ("installed", "selected"):
            return _canonical_keys(want) == _canonical_keys(got)
        if key == "requires":  # pylock: {package: [requirements]}
            want, got = _canonical_keys(want), _canonical_keys(got)
            return want.keys() == got.keys() and all(_same_set_or_value(want[k], got[k]) for k in want)
    if key == "requires" and isinstance(want, list) and isinstance(got, list):
        return _same_set_or_value(want, got)
    return bool(want == got)


def _same_set_or_value(want: Any, got: Any) -> bool:
    if isinstance(want, list) and isinstance(got, list):
        return sorted(map(str, want)) == sorted(map(str, got))
    return bool(want == got)


def _canonical_keys(mapping: dict[str, Any]) -> dict[str, Any]:
    from packaging.utils import canonicalize_name

    return {canonicalize_name(k): v for k, v in mapping.items()}
