"""The reserved ``abi_dependency`` namespace (providers text, "ABI Dependency Variant Provider").

``abi_dependency :: {dependency} :: {value}`` says a wheel works with the
versions of ``dependency`` that ``=={value}.*`` matches. Which versions are
present comes from the target environment (a profile's ``[installed]``) or
from the resolution in progress; this module only matches.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from packaging.specifiers import InvalidSpecifier, Specifier
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from reference.format.model import ABI_VALUE_RE

__all__ = ["ABI_VALUE_RE", "abi_matches", "supported_abi_features", "supported_abi_values"]



def abi_matches(value: str, version: str) -> bool:
    """Whether the installed ``version`` satisfies ``=={value}.*``.

    >>> abi_matches("2.9", "2.9.1"), abi_matches("2.0", "2"), abi_matches("2.0", "2.1")
    (True, True, False)

    Pre-releases of a matching release match too: the value is a release
    segment, and only the release segment is compared. "Versions with nonzero
    epoch are not supported": such an installed version never matches.

    Spec: providers:abi-matching, providers:abi-epoch, providers:abi-value
    """
    if not ABI_VALUE_RE.fullmatch(value):
        return False
    try:
        installed = Version(version)
        specifier = Specifier(f"=={value}.*")
    except (InvalidVersion, InvalidSpecifier):
        return False
    if installed.epoch != 0:
        return False
    return specifier.contains(installed, prereleases=True)


def supported_abi_values(
    dependency: str, declared: Iterable[str], installed: Mapping[str, str]
) -> list[str]:
    """The declared values of ``abi_dependency :: dependency`` that the installed version matches.

    Ordered most specific first (``2.9.1`` before ``2.9`` before ``2``), then in
    the order given; see ``reference:abi-dependency-order``.

    :param dependency: the feature name, a normalized distribution name.
    :param declared: values found in the variant metadata for that feature.
    :param installed: ``{name: version}`` of the target environment or resolution
        (names are normalized here).
    """
    versions = {canonicalize_name(name): version for name, version in installed.items()}
    version = versions.get(canonicalize_name(dependency))
    if version is None:
        return []
    unique = list(dict.fromkeys(declared))
    matching = [value for value in unique if abi_matches(value, version)]
    return sorted(matching, key=lambda value: -value.count("."))


def supported_abi_features(
    declared: Mapping[str, Iterable[str]], installed: Mapping[str, str]
) -> dict[str, tuple[str, ...]]:
    """Feature order and supported values for the ``abi_dependency`` namespace.

    :param declared: ``{dependency: values}`` gathered from the variant metadata.
    :returns: ``{dependency: supported values}`` with features in alphabetical
        order; dependencies with no supported value are left out.

    Spec: providers:abi-feature-name, providers:abi-multiple
    """
    out: dict[str, tuple[str, ...]] = {}
    for dependency in sorted(declared):
        values = supported_abi_values(dependency, declared[dependency], installed)
        if values:
            out[dependency] = tuple(values)
    return out
