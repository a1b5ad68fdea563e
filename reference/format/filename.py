"""Wheel filenames with an optional variant label (PEP 825 "Variant label").

The template PEP 825 gives::

    {distribution}-{version}(-{build tag})?-{python tag}-{abi tag}-{platform tag}(-{variant label})?.whl

A six-component name is ambiguous on its face: ``a-1-x-y-z-w.whl`` may carry a
build tag or a variant label. PEP 825 resolves it: "The Python tag component
MUST NOT start with a digit", while a build tag must start with one, so the
third component decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from reference.errors import InvalidVariantFilename, InvalidVariantLabel, Violation
from reference.limits import check_digits, quoted

__all__ = [
    "LABEL_RE",
    "NULL_LABEL",
    "WheelFilename",
    "check_label",
    "parse_wheel_filename",
]

NULL_LABEL = "null"
"""PEP 825: "The label ``null`` is reserved and always corresponds to the variant
with zero properties, called a null variant"."""

# PEP 825: "The variant label MUST be non-empty and consist only of 0-9, a-z, _
# and . ASCII characters (^[0-9a-z_.]+$)." There is no length limit.
LABEL_RE = re.compile(r"[0-9a-z_.]+")
# Binary distribution format: distribution names are escaped to [A-Za-z0-9_.];
# core metadata: a name "must start and end with a letter or digit".
_DISTRIBUTION_RE = re.compile(r"[A-Za-z0-9]([A-Za-z0-9_.]*[A-Za-z0-9])?")
# Binary distribution format: "The build number must start with a digit" (an
# ASCII digit: the number is compared as an int, and \d would take any Unicode digit).
_BUILD_RE = re.compile(r"([0-9]+)(.*)")
_ASCII_DIGITS = "0123456789"
_TAG_RE = re.compile(r"[A-Za-z0-9_.]+")


def check_label(label: str, location: str = "variant label") -> Violation | None:
    """A violation if ``label`` breaks the variant label charset, else ``None``.

    Spec: pep825:label-charset
    """
    if LABEL_RE.fullmatch(label):
        return None
    return Violation(
        "pep825:label-charset",
        f"variant label {quoted(label)} must be "  # pragma: no mutate
        "non-empty and use only 0-9, a-z, _ and .",  # pragma: no mutate
        location,
    )


@dataclass(frozen=True)
class WheelFilename:
    """The parts of a wheel filename.

    Tags are kept as written (compressed tag sets split on ``.``); the
    distribution and version are kept as written too, so that
    :meth:`format` round-trips.
    """

    distribution: str
    version: str
    build_tag: str | None
    python_tags: tuple[str, ...]
    abi_tags: tuple[str, ...]
    platform_tags: tuple[str, ...]
    variant_label: str | None = None

    @classmethod
    def parse(cls, filename: str) -> WheelFilename:
        """Parse a wheel filename; see :func:`parse_wheel_filename`."""
        return parse_wheel_filename(filename)

    @property
    def is_variant(self) -> bool:
        """True for a variant wheel (one with a label, ``null`` included)."""
        return self.variant_label is not None

    @property
    def is_null_variant(self) -> bool:
        """True for the null variant (label ``null``)."""
        return self.variant_label == NULL_LABEL

    @property
    def build_number(self) -> tuple[int, str] | tuple[()]:
        """The build tag as a sort key: ``(number, rest)``, or ``()`` without one."""
        if self.build_tag is None:
            return ()
        match = _BUILD_RE.fullmatch(self.build_tag)
        assert match is not None  # checked by parse
        return (int(match.group(1)), match.group(2))

    def tags(self) -> list[str]:
        """Every ``python-abi-platform`` tag this wheel expands to."""
        return [
            f"{py}-{abi}-{plat}"
            for py in self.python_tags
            for abi in self.abi_tags
            for plat in self.platform_tags
        ]

    def format(self) -> str:
        """The filename these parts make; ``format(parse(x)) == x``."""
        parts = [self.distribution, self.version]
        if self.build_tag is not None:
            parts.append(self.build_tag)
        parts += [
            ".".join(self.python_tags),
            ".".join(self.abi_tags),
            ".".join(self.platform_tags),
        ]
        if self.variant_label is not None:
            parts.append(self.variant_label)
        return "-".join(parts) + ".whl"

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of ``variant-ref filename --json``."""
        return {
            "distribution": self.distribution,
            "version": self.version,
            "build_tag": self.build_tag,
            "python_tags": list(self.python_tags),
            "abi_tags": list(self.abi_tags),
            "platform_tags": list(self.platform_tags),
            "variant_label": self.variant_label,
        }

    def __str__(self) -> str:
        return self.format()


class _Components(NamedTuple):
    """The dash-separated components of a wheel filename, as written."""

    distribution: str
    version: str
    build_tag: str | None
    python: str
    abi: str
    platform: str
    label: str | None


def parse_wheel_filename(filename: str) -> WheelFilename:
    """Parse a wheel filename, variant label included.

    >>> parse_wheel_filename("numpy-2.3.2-cp313-cp313t-musllinux_1_2_x86_64-x86_64_v3.whl").variant_label
    'x86_64_v3'
    >>> parse_wheel_filename("pkg-1.0-3py-none-any-v3.whl").build_tag
    '3py'

    :param filename: a file name (a path's directory part is ignored).
    :raises InvalidVariantLabel: when the label breaks PEP 825's charset.
    :raises InvalidVariantFilename: for any other malformed component; every
        problem found is reported, each naming its component.
    :raises reference.limits.LimitExceeded: the version or build number holds
        a number longer than the ``digits`` limit.
    """
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    parts = _split_components(name)
    check_digits(parts.version, name, "version")
    check_digits(parts.build_tag or "", name, "build tag")
    problems = _component_violations(parts)
    if problems:
        problems = [replace(problem, source=name) for problem in problems]
        if any(p.clause == "pep825:label-charset" for p in problems):
            raise InvalidVariantLabel(problems)
        raise InvalidVariantFilename(problems)
    return WheelFilename(
        distribution=parts.distribution,
        version=parts.version,
        build_tag=parts.build_tag,
        python_tags=tuple(parts.python.split(".")),
        abi_tags=tuple(parts.abi.split(".")),
        platform_tags=tuple(parts.platform.split(".")),
        variant_label=parts.label,
    )


def _split_components(name: str) -> _Components:
    """The components of ``name``: 5 to 7, the sixth read as a build tag or a label.

    The Python tag never starts with a digit and a build tag always does, so
    the third component of a six-component name tells the two readings apart.

    Spec: pep825:python-tag-digit
    """
    if not name.endswith(".whl"):
        raise InvalidVariantFilename(
            Violation("wheel:filename", f"{quoted(name)} does not end in .whl", "extension")
        )
    parts = name[: -len(".whl")].split("-")
    if len(parts) == 5:
        return _Components(parts[0], parts[1], None, parts[2], parts[3], parts[4], None)
    if len(parts) == 6 and _starts_with_digit(parts[2]):
        return _Components(parts[0], parts[1], parts[2], parts[3], parts[4], parts[5], None)
    if len(parts) == 6:
        return _Components(parts[0], parts[1], None, parts[2], parts[3], parts[4], parts[5])
    if len(parts) == 7:
        return _Components(parts[0], parts[1], parts[2], parts[3], parts[4], parts[5], parts[6])
    raise InvalidVariantFilename(
        Violation(
            "pep825:filename-template",
            f"{quoted(name)} has {len(parts)} dash-separated "  # pragma: no mutate
            "components; a wheel has 5 to 7 "  # pragma: no mutate
            "(distribution, version, build tag?, python tag, abi tag, platform tag, "  # pragma: no mutate
            "variant label?)",  # pragma: no mutate
            "filename",  # pragma: no mutate
        )
    )


def _component_violations(parts: _Components) -> list[Violation]:
    """Every component that breaks its rule, in filename order.

    Spec: wheel:filename, pep825:python-tag-digit, pep825:label-charset
    """
    problems: list[Violation] = []
    if not _DISTRIBUTION_RE.fullmatch(parts.distribution):
        problems.append(
            Violation(
                "wheel:filename",
                f"distribution {quoted(parts.distribution)} "  # pragma: no mutate
                "must use only A-Z, a-z, 0-9, _ and ., "  # pragma: no mutate
                "and start and end with a letter or digit",  # pragma: no mutate
                "distribution",  # pragma: no mutate
            )
        )
    if not _version_ok(parts.version):
        problems.append(
            Violation("wheel:filename", f"version {quoted(parts.version)} is not a valid version", "version")
        )
    if parts.build_tag is not None and not _BUILD_RE.fullmatch(parts.build_tag):
        problems.append(
            Violation(
                "wheel:filename",
                f"build tag {quoted(parts.build_tag)} must start with a digit (0-9)",  # pragma: no mutate
                "build tag",  # pragma: no mutate
            )
        )
    if _starts_with_digit(parts.python):
        problems.append(
            Violation(
                "pep825:python-tag-digit",
                f"python tag {quoted(parts.python)} must not start with a digit",  # pragma: no mutate
                "python tag",  # pragma: no mutate
            )
        )
    tag_sets = ((parts.python, "python tag"), (parts.abi, "abi tag"), (parts.platform, "platform tag"))
    for text, component in tag_sets:
        if not all(_TAG_RE.fullmatch(tag) for tag in text.split(".")):
            message = f"{component} {quoted(text)} is not a valid tag set"  # pragma: no mutate
            problems.append(Violation("wheel:filename", message, component))
    bad_label = check_label(parts.label) if parts.label is not None else None
    if bad_label is not None:
        problems.append(bad_label)
    return problems


def _starts_with_digit(text: str) -> bool:
    """Whether ``text`` starts with an ASCII digit (``str.isdigit`` takes any Unicode digit)."""
    return bool(text) and text[0] in _ASCII_DIGITS


def _version_ok(text: str) -> bool:
    from packaging.version import InvalidVersion, Version

    try:
        Version(text)
    except InvalidVersion:
        return False
    return True
