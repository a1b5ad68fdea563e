"""The plain-Python profile check agrees with ``schemas/profile.schema.json``.

The schema is the authority on profile files (reference/providers/profiles.py); the
fast check only spares ``select`` the jsonschema import. These tests generate
profile-like data, valid and damaged, and require the same verdict from both.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
from hypothesis import given
from hypothesis import strategies as st

from reference.providers import profiles

SCHEMA = json.loads(profiles.SCHEMA_PATH.read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

# Alphabets mixing valid and invalid characters for each pattern, so that
# both verdicts occur often.
names = st.text("abz09_-A .\n", min_size=0, max_size=6)
tag_sets = st.one_of(
    st.sampled_from(
        ["py3-none-any", "cp312-cp312-manylinux_2_28_x86_64", "py3.py2-none-any", "a-b", "a-b-c-d"]
    ),
    st.text("ab1_.-X \n", max_size=10),
)
projects = st.one_of(st.sampled_from(["torch", "a", "a-b", "-a", "a-", "A", "a_b"]), names)
scalars = st.one_of(st.text(max_size=3), st.integers(), st.floats(allow_nan=False), st.booleans(), st.none())
leaf = st.one_of(scalars, st.lists(st.text("abz09_.-", max_size=3), max_size=3))
anything = st.recursive(leaf, lambda inner: st.dictionaries(names, inner, max_size=3), max_leaves=5)

environment = st.dictionaries(
    st.one_of(st.sampled_from(sorted(profiles._ENVIRONMENT_KEYS)), names),
    st.one_of(st.text(max_size=4), scalars),
    max_size=3,
)
value_lists = st.one_of(
    st.lists(st.text("abz09_.", min_size=1, max_size=4), max_size=4),
    st.lists(st.one_of(st.text("abz09_.-A", max_size=3), scalars), max_size=3),
)
namespaces = st.dictionaries(
    names, st.one_of(st.dictionaries(names, value_lists, max_size=3), scalars), max_size=3
)
profile_data = st.fixed_dictionaries(
    {"name": st.one_of(st.text(max_size=5), scalars)},
    optional={
        "description": st.one_of(st.text(max_size=5), scalars),
        "environment": st.one_of(environment, scalars),
        "tags": st.one_of(
            st.fixed_dictionaries(
                {}, optional={"supported": st.one_of(st.lists(tag_sets, max_size=3), scalars)}
            ),
            st.dictionaries(names, anything, max_size=2),
        ),
        "namespaces": st.one_of(namespaces, scalars),
        "hardware": st.one_of(st.dictionaries(names, st.one_of(scalars, anything), max_size=3), scalars),
        "installed": st.one_of(
            st.dictionaries(projects, st.one_of(st.text(max_size=3), scalars), max_size=3)
        ),
        "extra": anything,
    },
)


@given(profile_data)
def test_fast_check_agrees_with_schema(data: dict[str, Any]) -> None:
    assert profiles._fast_valid(data) == VALIDATOR.is_valid(data)


@given(st.one_of(anything, st.dictionaries(st.sampled_from(["name", "tags", "namespaces"]), anything)))
def test_fast_check_agrees_on_arbitrary_data(data: Any) -> None:
    assert profiles._fast_valid(data) == VALIDATOR.is_valid(data)


def test_fixture_profiles_take_the_fast_path() -> None:
    from reference._toml import loads

    root = Path(__file__).resolve().parent.parent / "fixtures" / "profiles"
    files = sorted(root.glob("*.toml"))
    assert files
    for path in files:
        assert profiles._fast_valid(loads(path.read_text(encoding="utf-8"))), path
