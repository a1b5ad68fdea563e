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
from typing import Any

from reference.errors import InvalidVariantFilename, InvalidVariantLabel, Violation

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
# Binary distribution format: distribution names are escaped to [A-Za-z0-9_.].
_DISTRIBUTION_RE = re.compile(r"[A-Za-z0-9_.]+")
# Binary distribution format: "The build number must start with a digit".
_BUILD_RE = re.compile(r"(\d+)(.*)")
_TAG_RE = re.compile(r"[A-Za-z0-9_.]+")


def check_label(label: str, location: str = "variant label") -> Violation | None:
    """A violation if ``label`` breaks the variant label charset, else ``None``.

    Spec: pep825:label-charset
    """
    if LABEL_RE.fullmatch(label):
        return None
    return Violation(
        "pep825:label-charset",
        f"variant label {label!r} must be non-empty and use only 0-9, a-z, _ and .",
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


def _tag_set(text: str, component: str, problems: list[Violation]) -> tuple[str, ...]:
    tags = tuple(text.split("."))
    if not all(_TAG_RE.fullmatch(tag) for tag in tags):
        problems.append(
            Violation("wheel:filename", f"{component} {text!r} is not a valid tag set", component)
        )
    return tags


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
    """
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    if not name.endswith(".whl"):
        raise InvalidVariantFilename(
            Violation("wheel:filename", f"{name!r} does not end in .whl", "extension")
        )
    parts = name[: -len(".whl")].split("-")
    build_tag: str | None = None
    label: str | None = None
    if len(parts) == 5:
        distribution, version, python, abi, platform = parts
    elif len(parts) == 6:
        # The Python tag never starts with a digit and a build tag always
        # does, so the third component tells the two readings apart.
        if parts[2][:1].isdigit():
            distribution, version, build_tag, python, abi, platform = parts
        else:
            distribution, version, python, abi, platform, label = parts
    elif len(parts) == 7:
        distribution, version, build_tag, python, abi, platform, label = parts
    else:
        raise InvalidVariantFilename(
            Violation(
                "wheel:filename",
                f"{name!r} has {len(parts)} dash-separated components; a wheel has 5 to 7 "
                "(distribution, version, build tag?, python tag, abi tag, platform tag, "
                "variant label?)",
                "filename",
            )
        )

    problems: list[Violation] = []
    if not _DISTRIBUTION_RE.fullmatch(distribution):
        problems.append(
            Violation(
                "wheel:filename",
                f"distribution {distribution!r} must use only A-Z, a-z, 0-9, _ and .",
                "distribution",
            )
        )
    if not _version_ok(version):
        problems.append(
            Violation("wheel:filename", f"version {version!r} is not a valid version", "version")
        )
    if build_tag is not None and not _BUILD_RE.fullmatch(build_tag):
        problems.append(
            Violation(
                "wheel:filename",
                f"build tag {build_tag!r} must start with a digit",
                "build tag",
            )
        )
    if python[:1].isdigit():
        problems.append(
            Violation(
                "pep825:python-tag-digit",
                f"python tag {python!r} must not start with a digit",
                "python tag",
            )
        )
    python_tags = _tag_set(python, "python tag", problems)
    abi_tags = _tag_set(abi, "abi tag", problems)
    platform_tags = _tag_set(platform, "platform tag", problems)
    if label is not None:
        bad_label = check_label(label)
        if bad_label is not None:
            problems.append(bad_label)
    if problems:
        problems = [replace(problem, source=name) for problem in problems]
        if any(p.clause == "pep825:label-charset" for p in problems):
            raise InvalidVariantLabel(problems)
        raise InvalidVariantFilename(problems)
    return WheelFilename(
        distribution=distribution,
        version=version,
        build_tag=build_tag,
        python_tags=python_tags,
        abi_tags=abi_tags,
        platform_tags=platform_tags,
        variant_label=label,
    )


def _version_ok(text: str) -> bool:
    from packaging.version import InvalidVersion, Version

    try:
        Version(text)
    except InvalidVersion:
        return False
    return True
