"""Wheel filenames with variant labels (PEP 825 "Variant label").

Expected results are read from the PEP text, cited per test.
"""

from __future__ import annotations

import pytest

from reference.errors import InvalidVariantFilename, InvalidVariantLabel
from reference.format.filename import NULL_LABEL, parse_wheel_filename


# PEP 825 "Variant label", Examples.
@pytest.mark.parametrize(
    ("filename", "label"),
    [
        ("numpy-2.3.2-cp313-cp313t-musllinux_1_2_x86_64.whl", None),
        ("numpy-2.3.2-cp313-cp313t-musllinux_1_2_x86_64-x86_64_v3.whl", "x86_64_v3"),
        ("numpy-2.3.2-cp313-cp313t-musllinux_1_2_x86_64-null.whl", NULL_LABEL),
    ],
)
def test_pep825_examples(filename: str, label: str | None) -> None:
    parsed = parse_wheel_filename(filename)
    assert parsed.distribution == "numpy"
    assert parsed.version == "2.3.2"
    assert parsed.python_tags == ("cp313",)
    assert parsed.abi_tags == ("cp313t",)
    assert parsed.platform_tags == ("musllinux_1_2_x86_64",)
    assert parsed.variant_label == label
    assert parsed.build_tag is None
    assert parsed.format() == filename


def test_python_tag_starting_with_digit_means_build_tag() -> None:
    # "The Python tag component MUST NOT start with a digit." so the third of
    # six components, starting with a digit, is a build tag.
    parsed = parse_wheel_filename("pkg-1.0-3py-none-any-v3.whl")
    assert parsed.build_tag == "3py"
    assert parsed.python_tags == ("none",)
    assert parsed.abi_tags == ("any",)
    assert parsed.platform_tags == ("v3",)
    assert parsed.variant_label is None
    assert not parsed.is_variant


def test_build_tag_and_label() -> None:
    parsed = parse_wheel_filename("pkg-1.0-12abc-py3-none-any-cu12_8.whl")
    assert parsed.build_tag == "12abc"
    assert parsed.build_number == (12, "abc")
    assert parsed.variant_label == "cu12_8"


def test_label_has_no_length_limit() -> None:
    label = "a" * 200
    assert parse_wheel_filename(f"pkg-1.0-py3-none-any-{label}.whl").variant_label == label


@pytest.mark.parametrize("label", ["X86", "cu@12", "a+b", "é"])
def test_label_charset(label: str) -> None:
    with pytest.raises(InvalidVariantLabel) as info:
        parse_wheel_filename(f"pkg-1.0-py3-none-any-{label}.whl")
    assert "pep825:label-charset" in info.value.clauses
    assert info.value.violations[0].location == "variant label"


def test_seven_components_with_digit_python_tag() -> None:
    with pytest.raises(InvalidVariantFilename) as info:
        parse_wheel_filename("pkg-1.0-1-3py-none-any-v3.whl")
    assert info.value.clauses == ["pep825:python-tag-digit"]
    assert info.value.violations[0].location == "python tag"


@pytest.mark.parametrize(
    ("filename", "location"),
    [
        ("pkg-1.0-py3-none.whl", "filename"),
        ("pkg-1.0-1-py3-none-any-v3-extra.whl", "filename"),
        ("pkg-1.0-py3-none-any.zip", "extension"),
        ("pkg-not.a.version!-py3-none-any.whl", "version"),
        ("pkg-1.0-x1-py3-none-any-v3.whl", "build tag"),
    ],
)
def test_malformed(filename: str, location: str) -> None:
    with pytest.raises(InvalidVariantFilename) as info:
        parse_wheel_filename(filename)
    assert info.value.violations[0].location == location
