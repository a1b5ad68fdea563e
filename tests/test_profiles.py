"""Tests for reference.providers.profiles: the profile TOML format and its schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.tags import Tag, sys_tags

from reference.providers.profiles import InvalidProfile, Profile, load_profile

EXAMPLE = """
name = "x86-64-v3 with an NVIDIA sm_90 GPU, CUDA driver 13.0"
description = "longer text"
[environment]
platform_machine = "x86_64"
[tags]
supported = ["cp312-cp312-manylinux_2_28_x86_64", "py3-none-any"]
[namespaces.nvidia]
cuda_version_lower_bound = ["13.0", "12.9", "12.8"]
sm_arch = ["90_real"]
[hardware]
cuda_driver_version = "13.0"
sm_arch = "9.0"
[installed]
torch = "2.9.1"
"""


def test_example_profile_loads(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(EXAMPLE, encoding="utf-8")
    profile = load_profile(path)
    assert profile.name.startswith("x86-64-v3")
    assert profile.environment["platform_machine"] == "x86_64"
    # Keys left out come from the running interpreter.
    assert profile.environment["python_version"] == default_environment()["python_version"]
    assert profile.tags == (Tag("cp312", "cp312", "manylinux_2_28_x86_64"), Tag("py3", "none", "any"))
    # Features and values keep the written (preference) order.
    assert list(profile.namespaces["nvidia"]) == ["cuda_version_lower_bound", "sm_arch"]
    assert profile.namespaces["nvidia"]["cuda_version_lower_bound"] == ("13.0", "12.9", "12.8")
    assert profile.hardware == {"cuda_driver_version": "13.0", "sm_arch": "9.0"}
    assert profile.installed == {"torch": "2.9.1"}


def test_tags_default_to_the_interpreter() -> None:
    profile = Profile.from_dict({"name": "n"})
    assert profile.tags == tuple(sys_tags())
    assert profile.namespaces == {}


def test_compressed_tag_sets_expand_in_written_order() -> None:
    profile = Profile.from_dict({"name": "n", "tags": {"supported": ["py2.py3-none-any", "py3-none-any"]}})
    assert profile.tags == (Tag("py2", "none", "any"), Tag("py3", "none", "any"))


@pytest.mark.parametrize(
    ("data", "location"),
    [
        ({}, "(top level)"),
        ({"name": "n", "namespaces": {"nvidia": {"sm_arch": ["90-real"]}}}, "namespaces.nvidia.sm_arch[0]"),
        ({"name": "n", "namespaces": {"NV": {"a": ["1"]}}}, "namespaces"),
        ({"name": "n", "environment": {"python_version": 3}}, "environment.python_version"),
        ({"name": "n", "environment": {"not_a_marker": "x"}}, "environment"),
        ({"name": "n", "tags": {"supported": ["py3-none"]}}, "tags.supported[0]"),
        ({"name": "n", "installed": {"torch": 2}}, "installed.torch"),
        ({"name": "n", "colour": "red"}, "(top level)"),
    ],
)
def test_invalid_profiles_name_the_key_path(data: dict, location: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(InvalidProfile) as info:
        Profile.from_dict(data, source="p.toml")
    assert location in [v.location for v in info.value.violations]
    assert info.value.clauses[0] == "reference:profile-schema"


def test_invalid_toml_is_an_invalid_profile(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("name = ", encoding="utf-8")
    with pytest.raises(InvalidProfile):
        load_profile(path)
