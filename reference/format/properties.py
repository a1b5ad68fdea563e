"""Variant properties: ``namespace :: feature :: value`` (PEP 825 "Variant properties")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from reference.errors import InvalidVariantProperty, Violation
from reference.limits import quoted

__all__ = [
    "NAME_RE",
    "VALUE_RE",
    "VariantFeature",
    "VariantProperty",
    "check_name",
    "check_value",
]

# PEP 825: "The namespace and feature name components MUST be non-empty and
# consist only of 0-9, a-z and _ ASCII characters (^[a-z0-9_]+$)."
NAME_RE = re.compile(r"[a-z0-9_]+")
# PEP 825: "The feature value MUST be non-empty and consist only of 0-9, a-z,
# _ and . ASCII Characters (^[a-z0-9_.]+$)."
VALUE_RE = re.compile(r"[a-z0-9_.]+")

# PEP 825 "Environment markers": "Implementations MUST ignore differences in
# whitespace around the :: separators when matching features and properties."
_SEPARATOR = re.compile(r"\s*::\s*")


def check_name(text: str, what: str, location: str = "") -> Violation | None:
    """A violation if ``text`` is not a valid namespace or feature name, else ``None``.

    Spec: pep825:property-name-charset
    """
    if NAME_RE.fullmatch(text):
        return None
    return Violation(
        "pep825:property-name-charset",
        f"{what} {quoted(text)} must be non-empty and use only 0-9, a-z and _",
        location,
    )


def check_value(text: str, location: str = "") -> Violation | None:
    """A violation if ``text`` is not a valid feature value, else ``None``.

    Spec: pep825:property-value-charset
    """
    if VALUE_RE.fullmatch(text):
        return None
    return Violation(
        "pep825:property-value-charset",
        f"feature value {quoted(text)} must be non-empty and use only 0-9, a-z, _ and .",
        location,
    )


def _split(text: str, parts: int, what: str) -> list[str]:
    pieces = _SEPARATOR.split(text.strip())
    if len(pieces) != parts:
        shape = " :: ".join(["namespace", "feature", "value"][:parts])
        raise InvalidVariantProperty(
            Violation(
                "pep825:property-format",
                f"{what} {quoted(text)} is not of the form '{shape}'",
            )
        )
    return pieces


@dataclass(frozen=True, order=True)
class VariantFeature:
    """A namespace and a feature name: ``namespace :: feature``."""

    namespace: str
    feature: str

    @classmethod
    def parse(cls, text: str) -> VariantFeature:
        """Parse ``"ns :: feature"``; whitespace around ``::`` is ignored.

        :raises InvalidVariantProperty: on a bad shape or charset.
        """
        namespace, feature = _split(text, 2, "variant feature")
        problems = [
            v
            for v in (check_name(namespace, "namespace"), check_name(feature, "feature name"))
            if v is not None
        ]
        if problems:
            raise InvalidVariantProperty(problems)
        return cls(namespace, feature)

    def __str__(self) -> str:
        return f"{self.namespace} :: {self.feature}"


@dataclass(frozen=True, order=True)
class VariantProperty:
    """One variant property: ``namespace :: feature :: value``.

    Spec: pep825:property-format
    """

    namespace: str
    feature: str
    value: str

    @classmethod
    def parse(cls, text: str) -> VariantProperty:
        """Parse ``"ns :: feature :: value"``; whitespace around ``::`` is ignored.

        >>> VariantProperty.parse("x86_64::level :: v3")
        VariantProperty(namespace='x86_64', feature='level', value='v3')

        :raises InvalidVariantProperty: on a bad shape or charset.
        """
        namespace, feature, value = _split(text, 3, "variant property")
        problems = [
            v
            for v in (
                check_name(namespace, "namespace"),
                check_name(feature, "feature name"),
                check_value(value),
            )
            if v is not None
        ]
        if problems:
            raise InvalidVariantProperty(problems)
        return cls(namespace, feature, value)

    @property
    def feature_key(self) -> VariantFeature:
        """The ``namespace :: feature`` this property belongs to."""
        return VariantFeature(self.namespace, self.feature)

    def __str__(self) -> str:
        return f"{self.namespace} :: {self.feature} :: {self.value}"
