"""The provider plugin interface: what a provider answers and how a plugin is found.

Providers text, "Plugin interface", "Variant feature config class" and "API
endpoint": a plugin's ``get_supported_configs()`` returns feature configs
(:class:`FeatureConfig`, checked by :func:`validate_configs`); which packages
provide it is ``requires`` filtered by markers (:func:`plugin_requirements`)
and where its API lives is ``plugin-api`` or the default derived from the
first requirement (:func:`plugin_api`). A tool runs trusted plugins through a
:class:`PluginRunner` (the real one is :mod:`reference.providers.plugins`)
and may implement namespaces itself (:data:`BuiltinProvider`). A plugin
written against another API (the older WheelNext
``get_supported_configs(self, known_properties)``, configs without
``multi_value``) gets a diagnosis naming the mismatch and the change it would
need (:func:`api_mismatch`), not a bare ``TypeError``.

This module is pure: it never imports or runs a plugin.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from packaging.markers import UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from reference.errors import ProviderError
from reference.format.model import ProviderInfo
from reference.format.properties import NAME_RE, VALUE_RE
from reference.limits import guard_recursion, quoted, shorten

__all__ = [
    "BuiltinProvider",
    "FeatureConfig",
    "PluginRunner",
    "api_mismatch",
    "plugin_api",
    "plugin_requirements",
    "validate_configs",
]


@dataclass(frozen=True)
class FeatureConfig:
    """One entry of ``get_supported_configs()``: a feature and its ordered values.

    Spec: providers:plugin-configs, providers:config-attributes
    """

    name: str
    values: tuple[str, ...]
    multi_value: bool = False


class PluginRunner(Protocol):
    """Installs a trusted provider's packages and queries the plugin (step 6).

    Called at most once per namespace and selection. Implementations run the
    plugin in a separate process with a timeout and raise
    :class:`~reference.errors.ProviderError` on a crash, hang or unreadable
    output; the caller validates the returned configs with
    :func:`validate_configs`.

    :param provider: the namespace's provider information; use
        :func:`plugin_requirements` and :func:`plugin_api` for what to
        install and call.
    :param environment: the marker environment of the target system.
    :returns: the configs in the order the plugin gave them.
    """

    def __call__(
        self, provider: ProviderInfo, environment: Mapping[str, str]
    ) -> Sequence[FeatureConfig]: ...


BuiltinProvider = Callable[[ProviderInfo | None, Mapping[str, Any]], Sequence[FeatureConfig] | None]
"""A tool's own implementation of a namespace (step 4).

Called with the provider information (``None`` for format 0.1.1) and the
profile's ``[hardware]`` facts; returns configs, or ``None`` to decline (the
lookup then proceeds to step 5).
"""


def plugin_requirements(provider: ProviderInfo, environment: Mapping[str, str]) -> list[Requirement]:
    """The ``requires`` entries whose markers are true in ``environment``.

    Spec: providers:requires-markers

    :raises ProviderError: on an unparsable requirement, a marker that cannot be
        evaluated, or none remaining.
    :raises reference.limits.LimitExceeded: a marker nested past the ``nesting`` limit.
    """
    out: list[Requirement] = []
    for text in provider.requires or ():
        try:
            with guard_recursion(provider.namespace, "requires"):
                requirement = Requirement(text)
                applies = requirement.marker is None or requirement.marker.evaluate(dict(environment))
        except InvalidRequirement as error:
            raise ProviderError(provider.namespace, f"invalid requirement {quoted(text)}: {error}") from error
        except (ValueError, UndefinedEnvironmentName) as error:  # UndefinedComparison, InvalidVersion
            message = f"cannot evaluate the marker of {quoted(text)}: {error}"
            raise ProviderError(provider.namespace, message) from error
        if applies:
            out.append(requirement)
    if not out:
        raise ProviderError(provider.namespace, "no 'requires' entry remains after evaluating markers")
    return out


def plugin_api(provider: ProviderInfo, environment: Mapping[str, str]) -> str:
    """The plugin's API endpoint: ``plugin-api``, else inferred from ``requires``.

    "If it is not specified, a default value is determined by normalizing the
    package name from the first dependency specifier in ``requires`` and then
    replacing all ``-`` characters with ``_``."

    Spec: providers:plugin-api-default
    """
    if provider.plugin_api:
        return provider.plugin_api
    first = plugin_requirements(provider, environment)[0]
    return canonicalize_name(first.name).replace("-", "_")


def validate_configs(namespace: str, configs: object) -> dict[str, tuple[str, ...]]:
    """Check a provider's ``get_supported_configs()`` output and return its features.

    Each config needs ``name`` (a feature name), ``values`` (feature values,
    most preferred first, no repeats) and a bool ``multi_value``; extra
    attributes are ignored, except that a config naming a different
    ``namespace`` is rejected. Any problem rejects the whole output: the
    caller treats the namespace as unsupported and warns.

    :returns: ``{feature: values}`` in the order given.
    :raises ProviderError: listing every problem in ``details``.

    Spec: providers:plugin-configs, providers:multi-value, pep825:property-name-charset
    """
    if not isinstance(configs, (list, tuple)):
        kind = type(configs).__name__
        raise ProviderError(namespace, f"get_supported_configs() returned {kind}, not a list")
    features: dict[str, tuple[str, ...]] = {}
    problems: list[str] = []
    for index, config in enumerate(configs):
        name = getattr(config, "name", None)
        values = getattr(config, "values", None)
        multi_value = getattr(config, "multi_value", None)
        where = f"config {index}"
        other = getattr(config, "namespace", namespace)
        if other != namespace:
            problems.append(f"{where}: namespace {quoted(other)} is not {quoted(namespace)}")
        if not isinstance(name, str) or not NAME_RE.fullmatch(name):
            problems.append(f"{where}: feature name {quoted(name)} must match ^[a-z0-9_]+$")
        elif name in features:
            problems.append(f"{where}: feature {quoted(name)} listed twice")
        if not isinstance(multi_value, bool):
            problems.append(f"{where}: multi_value {quoted(multi_value)} is not a bool")
        if not isinstance(values, (list, tuple)) or not all(isinstance(v, str) for v in values):
            problems.append(f"{where}: values {quoted(values)} is not a list of strings")
        else:
            bad = [v for v in values if not VALUE_RE.fullmatch(v)]
            if bad:
                problems.append(f"{where}: values {quoted(bad)} must match ^[a-z0-9_.]+$")
            elif len(set(values)) != len(values):
                problems.append(f"{where}: values {quoted(list(values))} repeat")
        if not problems and isinstance(name, str) and isinstance(values, (list, tuple)):
            features[name] = tuple(values)
    if problems:
        raise ProviderError(namespace, "invalid get_supported_configs() output", problems)
    return features


_CONFIG_ATTRIBUTES = ("name", "values", "multi_value")
"""The attributes the providers text's "Variant feature config class" gives every config."""

_PROTOCOL = (
    "the providers text (Plugin interface) calls {endpoint}.get_supported_configs() with no argument "
    "(\"get_supported_configs() -> list[VariantFeatureConfigType]\", a classmethod of PluginType) and "
    "reads name, values and multi_value from each config (Variant feature config class)"
)


def api_mismatch(namespace: str, endpoint: str, found: Mapping[str, Any]) -> ProviderError:
    """A diagnosis for a plugin written against another provider API (for example the
    older ``get_supported_configs(self, known_properties)`` of provider-variant-x86-64 0.0.1).

    :param found: what the runner's child process reported: ``missing`` (no
        ``get_supported_configs``), ``signature`` (one that needs arguments),
        ``attributes`` and ``legacy_missing`` (config attributes absent). It
        comes from the process that ran the plugin, so it is untrusted: only
        the three attribute names are taken from the lists, the signature is
        shortened to a bounded prefix.

    Spec: providers:plugin-configs, providers:config-attributes
    """
    details = [_PROTOCOL.format(endpoint=endpoint)]
    if found.get("missing") is True:
        details.append(f"{endpoint} has no get_supported_configs; the plugin would have to provide one")
    if "signature" in found:
        details.append(
            f"found get_supported_configs{shorten(str(found['signature']))}: it cannot be called without "
            "arguments (an instance method, or a known_properties parameter, is the older WheelNext API)"
        )
        details.append(
            "to conform, the plugin would have to make get_supported_configs callable on the endpoint with "
            "no argument (a classmethod, staticmethod or module-level function) that returns the "
            "supported features, best first"
        )
    missing = [
        name
        for key in ("attributes", "legacy_missing")
        if isinstance(found.get(key), list)
        for name in _CONFIG_ATTRIBUTES
        if name in found[key]
    ]
    if missing:
        details.append(
            f"its feature configs lack {', '.join(sorted(set(missing)))}; each would need name (str), "
            "values (list[str], best first) and multi_value (bool)"
        )
    reason = "the plugin implements another provider API than the providers text's"
    return ProviderError(namespace, reason, details)
