"""Errors of the reference implementation: one root, structured payloads.

Every rejection of user input is a :class:`VariantError` (a ``ValueError``)
carrying one or more :class:`Violation` objects. A violation names the rule it
breaks (a clause id from :mod:`reference.clauses`), the place (a JSON Pointer
into a document, or a filename component) and the source (a path), so callers
never parse prose.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = [
    "InconsistentMetadata",
    "IntegrityError",
    "InvalidVariantFilename",
    "InvalidVariantLabel",
    "InvalidVariantMetadata",
    "InvalidVariantProperty",
    "ProviderError",
    "UnsupportedSchemaVersion",
    "VariantError",
    "Violation",
]


@dataclass(frozen=True)
class Violation:
    """One broken rule.

    :param clause: stable clause id, for example ``pep825:label-charset``.
    :param message: what is wrong, for people.
    :param location: a JSON Pointer (``/variants/foo``) or a filename
        component (``variant label``); empty when the whole input is at fault.
    :param source: the file or input the violation was found in, if known.
    """

    clause: str
    message: str
    location: str = ""
    source: str = ""

    def to_json(self) -> dict[str, str]:
        """The violation as a JSON object (the ``--json`` output of the CLI)."""
        return {
            "clause": self.clause,
            "location": self.location,
            "source": self.source,
            "message": self.message,
        }

    def __str__(self) -> str:
        where = ", ".join(part for part in (self.source, self.location) if part)
        prefix = f"{where}: " if where else ""
        return f"{prefix}{self.message} [{self.clause}]"


class VariantError(ValueError):
    """Root of every error this package raises for bad input.

    Any other exception escaping :mod:`reference` is a bug in the reference.
    """

    def __init__(self, violations: Iterable[Violation] | Violation | str) -> None:
        if isinstance(violations, str):
            violations = Violation(clause="reference:error", message=violations)
        if isinstance(violations, Violation):
            violations = [violations]
        self.violations: list[Violation] = list(violations)
        super().__init__("\n".join(str(v) for v in self.violations))

    @property
    def clauses(self) -> list[str]:
        """The clause ids of all violations, in report order."""
        return [v.clause for v in self.violations]


class InvalidVariantFilename(VariantError):
    """A wheel filename breaks PEP 427 / PEP 825 "Variant label" rules."""


class InvalidVariantLabel(InvalidVariantFilename):
    """A variant label breaks PEP 825 "Variant label" rules."""


class InvalidVariantProperty(VariantError):
    """A ``namespace :: feature :: value`` string breaks PEP 825 "Variant properties"."""


class InvalidVariantMetadata(VariantError):
    """A variant metadata document breaks the format rules."""


class UnsupportedSchemaVersion(InvalidVariantMetadata):
    """The ``$schema`` version cannot be read (PEP 825 "Variant metadata")."""


class InconsistentMetadata(VariantError):
    """Documents of one release disagree (PEP 825 "Metadata consistency")."""


class IntegrityError(OSError):
    """Bytes that are not what their source vouched for (a hash mismatch, unverifiable hashes).

    An I/O error (the command line exits with status 2), and never degraded:
    a selection that meets one stops, instead of passing over the file.
    """


@dataclass
class ProviderError(Exception):
    """A provider could not produce supported properties (crash, hang, bad output).

    Not a ``VariantError``: callers turn it into "namespace unsupported" with a
    warning, as the providers text asks, instead of failing.
    """

    namespace: str
    reason: str
    details: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"provider for namespace {self.namespace!r}: {self.reason}"
