"""Tests for reference.providers.abi: providers text, "ABI Dependency Variant Provider (Optional)"."""

from __future__ import annotations

import pytest

from reference.providers.abi import abi_matches, supported_abi_features, supported_abi_values


@pytest.mark.parametrize(
    ("value", "version", "expected"),
    [
        # The section's table: "abi_dependency :: torch :: 2" -> torch==2.*, etc.
        ("2", "2.9.1", True),
        ("2", "3.0", False),
        ("2.9", "2.9.0", True),
        ("2.9", "2.10", False),
        ("2.8.0", "2.8.0", True),
        ("2.8.0", "2.8.0.post1", True),
        ("2.8.0", "2.8.1", False),
        # "trailing zeroes match versions with fewer components (e.g. 2.0
        # matches release 2 but not 2.1)"
        ("2.0", "2", True),
        ("2.0", "2.1", False),
        # "2, 2.0 and 2.0.0 represent different ranges"
        ("2.0.0", "2.0.1", False),
        ("2", "2.0.1", True),
        # "Versions with nonzero epoch are not supported."
        ("2.9", "1!2.9", False),
        # Not a release segment of up to three components: never matches.
        ("2.9.0.1", "2.9.0.1", False),
        ("2.x", "2.1", False),
    ],
)
def test_matching_rule(value: str, version: str, expected: bool) -> None:
    assert abi_matches(value, version) is expected


def test_multiple_values_express_several_compatible_versions() -> None:
    # "abi_dependency :: torch :: 2.8.0 / 2.9.0 ... compatible with both PyTorch 2.8.0 and 2.9.0."
    assert supported_abi_values("torch", ["2.8.0", "2.9.0"], {"torch": "2.9.0"}) == ["2.9.0"]
    assert supported_abi_values("torch", ["2.8.0", "2.9.0"], {"torch": "2.8.0"}) == ["2.8.0"]


def test_values_ordered_most_specific_first_and_names_normalized() -> None:
    assert supported_abi_values("torch", ["2", "2.9", "2.9.1"], {"Torch": "2.9.1"}) == ["2.9.1", "2.9", "2"]
    assert supported_abi_values("torch", ["2.9"], {}) == []


def test_features_alphabetical_and_unsupported_left_out() -> None:
    features = supported_abi_features(
        {"torch": ["2.9"], "jax": ["0.4"], "numpy": ["1"]}, {"torch": "2.9", "jax": "0.4.1"}
    )
    assert list(features.items()) == [("jax", ("0.4",)), ("torch", ("2.9",))]
