"""The simulated systems in fixtures/profiles/: valid, stable ids, realistic values."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from reference._toml import loads
from reference.format.properties import check_name, check_value

PROFILES = Path(__file__).resolve().parent.parent / "fixtures" / "profiles"
SCHEMA = Path(__file__).resolve().parent.parent / "schemas" / "profile.schema.json"
ALL_IDS = sorted(p.stem for p in PROFILES.glob("*.toml"))
# `case-*` profiles belong to individual conformance cases (see the README);
# the realism checks below cover the shared, general-purpose systems.
IDS = [i for i in ALL_IDS if not i.startswith("case-")]


def _profile(profile_id: str) -> dict[str, Any]:
    data: dict[str, Any] = loads((PROFILES / f"{profile_id}.toml").read_text(encoding="utf-8"))
    return data


def test_readme_lists_exactly_the_profiles() -> None:
    # Profile ids are stable and documented: cases refer to them.
    readme = (PROFILES / "README.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| `([^`]+)` \|", readme, flags=re.MULTILINE)
    assert sorted(listed) == IDS


def test_required_systems_exist() -> None:
    # Issue 4 "Profiles": x86-64 v1-v4 (v4 with and without AVX-512 extras),
    # AArch64, NVIDIA old and new drivers, AMD, TPU, no accelerator, odd ones.
    for required in [
        "x86-64-v1", "x86-64-v2", "x86-64-v3", "x86-64-v4", "x86-64-v4-avx512", "aarch64",
        "nvidia-cu130-sm90", "nvidia-cu128-sm120", "nvidia-cu126-sm75", "amd-gfx942", "tpu-host",
        "no-accelerator", "nvidia-driver-no-device", "two-gpu-vendors",
    ]:
        assert required in IDS


@pytest.mark.parametrize("profile_id", ALL_IDS)
def test_profile_is_valid(profile_id: str) -> None:
    import jsonschema

    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8"))).validate(
        _profile(profile_id)
    )
    from reference.providers.profiles import load_profile

    profile = load_profile(PROFILES / f"{profile_id}.toml")
    assert profile.tags, profile_id
    assert str(profile.tags[-1]) == "py3-none-any"


@pytest.mark.parametrize("profile_id", IDS)
def test_shared_profiles_are_cpython_3_12(profile_id: str) -> None:
    data = _profile(profile_id)
    assert data["environment"]["python_version"] == "3.12"
    assert all(t.startswith(("cp312-", "py312-", "py3-")) for t in data["tags"]["supported"])


@pytest.mark.parametrize("profile_id", ALL_IDS)
def test_names_and_values_follow_pep825(profile_id: str) -> None:
    # PEP 825: namespaces and feature names match [a-z0-9_]+, values [a-z0-9_.]+.
    for namespace, features in _profile(profile_id).get("namespaces", {}).items():
        assert check_name(namespace, "namespace") is None
        for feature, values in features.items():
            assert check_name(feature, "feature") is None
            assert values, (profile_id, namespace, feature)
            assert len(set(values)) == len(values)
            for value in values:
                assert check_value(value) is None


@pytest.mark.parametrize("profile_id", [i for i in IDS if i.startswith("nvidia-cu")])
def test_nvidia_profiles_match_their_hardware(profile_id: str) -> None:
    # The NVIDIA provider: cuda_version_lower_bound lists the driver's version and
    # every older one, most preferred (newest) first; sm_arch starts with the GPU's
    # own real architecture and ends with the major's virtual one.
    data = _profile(profile_id)
    hardware, nvidia = data["hardware"], data["namespaces"]["nvidia"]
    driver = hardware["cuda_driver_version"]
    assert profile_id.startswith(f"nvidia-cu{driver.replace('.', '')}-")
    assert nvidia["cuda_version_lower_bound"][0] == driver
    assert nvidia["cuda_version_lower_bound"][-1] == "11"
    assert driver not in nvidia["cuda_version_upper_bound"]
    major, minor = hardware["sm_arch"].split(".")
    assert f"-sm{major}{minor}" in profile_id
    assert nvidia["sm_arch"][0] == f"{major}{minor}_real"
    assert nvidia["sm_arch"][-1] == f"{major}0_virtual"


def test_driver_without_device_has_no_sm_arch() -> None:
    data = _profile("nvidia-driver-no-device")
    assert "sm_arch" not in data["namespaces"]["nvidia"]
    assert "sm_arch" not in data["hardware"]
    assert data["hardware"]["cuda_driver_version"] == "12.8"


@pytest.mark.parametrize("level", [1, 2, 3, 4])
def test_x86_64_levels_include_every_lower_level(level: int) -> None:
    # x86-64 microarchitecture levels are cumulative: a v3 CPU runs v2 and v1 code.
    data = _profile(f"x86-64-v{level}")
    assert data["namespaces"]["x86_64"]["level"] == [f"v{n}" for n in range(level, 0, -1)]
    assert data["hardware"]["x86_64_level"] == level


def test_avx512_extras_only_in_the_extras_profile() -> None:
    plain = _profile("x86-64-v4")["namespaces"]["x86_64"]
    extras = _profile("x86-64-v4-avx512")["namespaces"]["x86_64"]
    assert "avx512f" in plain and "avx512f" in extras
    assert "avx512_vnni" not in plain and extras["avx512_vnni"] == ["on"]


def test_odd_profiles() -> None:
    two = _profile("two-gpu-vendors")["namespaces"]
    assert "nvidia" in two and "amd" in two
    none = _profile("no-accelerator")["namespaces"]
    assert none["nvidia"] == {} and none["amd"] == {} and none["tpu"] == {}
    assert _profile("empty").get("namespaces", {}) == {}
    tpu = _profile("tpu-host")
    assert tpu["hardware"]["tpu_present"] is True
    assert tpu["namespaces"]["tpu"] == {"present": ["true"]}  # uv 0.13.9, observed
    amd = _profile("amd-gfx942")
    assert amd["namespaces"]["amd"]["gfx_arch"] == [amd["hardware"]["amd_gpu_architecture"]]
