"""Format versions: which ``$schema`` URLs the reference reads, and how.

PEP 825 "Variant metadata": the version is part of the schema URL and follows
semantic versioning; 0.x versions are drafts over which "Tools MUST NOT make
any compatibility assumptions"; "Tools MUST reject metadata with a major
version number that they do not support"; consumers "SHOULD accept metadata
with a newer minor version number than the latest supported".
"""

from __future__ import annotations

import re

from reference.limits import check_digits

__all__ = ["KNOWN_SCHEMAS", "SUPPORTED_VERSIONS", "schema_version"]

SUPPORTED_VERSIONS: tuple[tuple[int, int, int], ...] = ((0, 1, 1), (0, 2, 0))
"""Format versions this reference implements exactly."""

KNOWN_SCHEMAS: dict[str, tuple[int, int, int]] = {
    # PEP 825 appendix
    "https://variants-schema.wheelnext.dev/peps/825/v0.1.1.json": (0, 1, 1),
    # format 0.2.0 as uv 0.13.9 accepts it (NOTES.md)
    "https://variants-schema.wheelnext.dev/peps/850/v0.2.0.json": (0, 2, 0),
    # format 0.2.0 as variantlib 0.2.2 writes it (NOTES.md)
    "https://variants-schema.wheelnext.dev/v0.2.0.json": (0, 2, 0),
}

_VERSION_IN_URL = re.compile(r"/v(\d+)\.(\d+)\.(\d+)\.json$")


def schema_version(url: str) -> tuple[int, int, int]:
    """The ``(major, minor, patch)`` in a schema URL, or ``(-1, -1, -1)`` if none.

    Spec: pep825:schema-url ("The schema URL MUST include a version number").

    :raises reference.limits.LimitExceeded: a version number longer than the ``digits`` limit.
    """
    if url in KNOWN_SCHEMAS:
        return KNOWN_SCHEMAS[url]
    match = _VERSION_IN_URL.search(url)
    if match is None:
        return (-1, -1, -1)
    major, minor, patch = (int(check_digits(g, url[:200], "$schema")) for g in match.groups())
    return (major, minor, patch)
