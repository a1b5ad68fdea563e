"""Supported variant properties per namespace: the providers text's algorithm.

For every namespace, the providers text ("Providers") gives the steps a tool
MUST follow to obtain the ordered lists of compatible features and values:

1. a disabled provider (``optional`` and not enabled) supports nothing;
2. ``static-properties`` in the metadata are used exclusively;
3. the user's static list (a profile's ``[namespaces.X]``) is used exclusively;
4. a built-in (vendored or reimplemented) provider, if the tool has one;
5. a ``requires`` package that is not trusted: nothing is supported, nothing runs;
6. a trusted plugin package is installed and queried (``get_supported_configs``).

This module is pure: it never imports or runs a plugin. Step 6 calls an
injected :class:`PluginRunner` (the real one, which installs the packages into
an isolated environment and queries them in a subprocess, is
:mod:`reference.providers.plugins`). Every namespace gets a :class:`NamespaceSupport`
recording which step decided and why, for explanations.

Format 0.1.1 metadata has no ``providers`` key, so only the user static list
and built-ins can supply properties; ``abi_dependency`` is handled by
:mod:`reference.providers.abi`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from reference.errors import ProviderError
from reference.format.model import ABI_DEPENDENCY, ProviderInfo, VariantMetadata
from reference.format.properties import NAME_RE, VALUE_RE
from reference.providers.abi import supported_abi_features

__all__ = [
    "BuiltinProvider",
    "FeatureConfig",
    "NamespaceSupport",
    "PluginRunner",
    "Step",
    "SupportContext",
    "namespace_support",
    "plugin_api",
    "plugin_requirements",
    "supported_properties",
    "validate_configs",
]

Step = Literal[
    "disabled",
    "static-properties",
    "user-static",
    "builtin",
    "untrusted",
    "plugin",
    "plugin-failed",
    "no-provider",
    "abi-dependency",
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


@dataclass(frozen=True)
class NamespaceSupport:
    """The supported features of one namespace and how they were obtained.

    :param features: ``{feature: values}``, features and values most preferred
        first; empty when nothing is supported.
    :param step: which step of the providers text decided.
    :param clause: the clause id of that step.
    :param detail: why, for people.
    :param warnings: problems met on the way (a failing plugin, invalid output).
    """

    namespace: str
    features: Mapping[str, tuple[str, ...]]
    step: Step
    clause: str
    detail: str = ""
    warnings: tuple[str, ...] = ()

    def supports(self, feature: str, value: str) -> bool:
        """Whether ``namespace :: feature :: value`` is supported."""
        return value in self.features.get(feature, ())

    def to_json(self) -> dict[str, Any]:
        """JSON form for ``--json`` output."""
        return {
            "namespace": self.namespace,
            "features": {f: list(v) for f, v in self.features.items()},
            "step": self.step,
            "clause": self.clause,
            "detail": self.detail,
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class SupportContext:
    """What the lookup needs to know about the system and the user's choices.

    :param environment: the target's PEP 508 marker environment.
    :param user_static: the user-provided static lists (a profile's namespaces).
    :param hardware: raw facts for built-in providers.
    :param installed: ``{name: version}`` in the target environment or resolution.
    :param enable_providers: namespaces whose optional provider is enabled.
    :param trust: names of trusted provider packages (compared normalized).
    :param builtins: built-in providers by namespace (none are required).
    :param plugin_runner: runs trusted plugins; ``None``: plugins unavailable.
    """

    environment: Mapping[str, str]
    user_static: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    hardware: Mapping[str, Any] = field(default_factory=dict)
    installed: Mapping[str, str] = field(default_factory=dict)
    enable_providers: frozenset[str] = frozenset()
    trust: frozenset[str] = frozenset()
    builtins: Mapping[str, BuiltinProvider] = field(default_factory=dict)
    plugin_runner: PluginRunner | None = None


def plugin_requirements(provider: ProviderInfo, environment: Mapping[str, str]) -> list[Requirement]:
    """The ``requires`` entries whose markers are true in ``environment``.

    Spec: providers:requires-markers

    :raises ProviderError: on an unparsable requirement or none remaining.
    """
    out: list[Requirement] = []
    for text in provider.requires or ():
        try:
            requirement = Requirement(text)
        except InvalidRequirement as error:
            raise ProviderError(provider.namespace, f"invalid requirement {text!r}: {error}") from error
        if requirement.marker is None or requirement.marker.evaluate(dict(environment)):
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
            problems.append(f"{where}: namespace {other!r} is not {namespace!r}")
        if not isinstance(name, str) or not NAME_RE.fullmatch(name):
            problems.append(f"{where}: feature name {name!r} must match ^[a-z0-9_]+$")
        elif name in features:
            problems.append(f"{where}: feature {name!r} listed twice")
        if not isinstance(multi_value, bool):
            problems.append(f"{where}: multi_value {multi_value!r} is not a bool")
        if not isinstance(values, (list, tuple)) or not all(isinstance(v, str) for v in values):
            problems.append(f"{where}: values {values!r} is not a list of strings")
        else:
            bad = [v for v in values if not VALUE_RE.fullmatch(v)]
            if bad:
                problems.append(f"{where}: values {bad!r} must match ^[a-z0-9_.]+$")
            elif len(set(values)) != len(values):
                problems.append(f"{where}: values {list(values)!r} repeat")
        if not problems and isinstance(name, str) and isinstance(values, (list, tuple)):
            features[name] = tuple(values)
    if problems:
        raise ProviderError(namespace, "invalid get_supported_configs() output", problems)
    return features


def namespace_support(
    namespace: str,
    provider: ProviderInfo | None,
    context: SupportContext,
    declared: Mapping[str, Sequence[str]] | None = None,
    *,
    has_providers: bool = True,
) -> NamespaceSupport:
    """Run the providers text's steps for one namespace.

    :param provider: ``providers.{namespace}`` (``None`` for format 0.1.1 or a
        namespace the metadata does not define).
    :param declared: ``{feature: values}`` used in the metadata for this
        namespace; needed only for ``abi_dependency``.
    :param has_providers: ``False`` for format 0.1.1 metadata, which has no
        ``providers`` key (only the user static list and built-ins apply).

    Spec: providers:follow-algorithm
    """
    # Step 1: "If a provider is disabled, the tools MUST assume that the list
    # of compatible features is empty and they MUST NOT use the provider."
    if provider is not None and provider.optional and namespace not in context.enable_providers:
        return NamespaceSupport(
            namespace, {}, "disabled", "providers:step-1-disabled",
            f"the provider is optional; enable it with --enable-provider {namespace}",
        )
    # Step 2: static lists in the metadata are used exclusively.
    if provider is not None and provider.static_properties is not None:
        static = provider.static_properties
        features = {f: tuple(static[f]) for f in provider.ordered_static_features() if f in static}
        return NamespaceSupport(
            namespace, features, "static-properties", "providers:step-2-static",
            "static-properties in the variant metadata",
        )
    # Step 3: the user's static list, exclusively.
    if namespace in context.user_static:
        return NamespaceSupport(
            namespace, dict(context.user_static[namespace]), "user-static",
            "providers:step-3-user-static", "the user-provided static list (profile)",
        )
    if namespace == ABI_DEPENDENCY:
        features = supported_abi_features(declared or {}, context.installed)
        return NamespaceSupport(
            namespace, features, "abi-dependency", "providers:abi-matching",
            "installed versions matched as =={value}.*",
        )
    # Step 4: a built-in implementation.
    builtin = context.builtins.get(namespace)
    if builtin is not None:
        try:
            configs = builtin(provider, context.hardware)
            if configs is not None:
                return NamespaceSupport(
                    namespace, validate_configs(namespace, configs), "builtin",
                    "providers:step-4-vendored", "the tool's built-in provider",
                )
        except ProviderError as error:
            return _failed(namespace, error, "providers:step-4-vendored")
    if provider is None and not has_providers:
        return NamespaceSupport(
            namespace, {}, "no-provider", "reference:no-provider-0.1.1",
            "format 0.1.1 metadata names no provider; no user static list or built-in covers it",
        )
    if provider is None:
        return NamespaceSupport(
            namespace, {}, "no-provider", "providers:namespaces-defined",
            "the metadata defines no provider for this namespace",
        )
    if not provider.requires:
        return NamespaceSupport(
            namespace, {}, "no-provider", "providers:step-4-vendored",
            f"no built-in implementation of {provider.builtin or 'this provider'}",
        )
    # Step 5: every required package must be trusted.
    try:
        requirements = plugin_requirements(provider, context.environment)
    except ProviderError as error:
        return _failed(namespace, error, "providers:requires-markers")
    trusted = {canonicalize_name(name) for name in context.trust}
    untrusted = [r.name for r in requirements if canonicalize_name(r.name) not in trusted]
    if untrusted:
        names = ", ".join(untrusted)
        return NamespaceSupport(
            namespace, {}, "untrusted", "providers:step-5-trust",
            f"provider package {names} is not trusted (trust it with --trust {untrusted[0]})",
        )
    # Step 6: install and query the trusted plugin.
    if context.plugin_runner is None:
        return NamespaceSupport(
            namespace, {}, "plugin-failed", "providers:step-6-install-query",
            "plugins cannot be run here", ("no plugin runner available",),
        )
    try:
        configs = context.plugin_runner(provider, context.environment)
        features = validate_configs(namespace, configs)
    except ProviderError as error:
        return _failed(namespace, error, "providers:step-6-install-query")
    return NamespaceSupport(
        namespace, features, "plugin", "providers:step-6-install-query",
        f"plugin {plugin_api(provider, context.environment)}",
    )


def _failed(namespace: str, error: ProviderError, clause: str) -> NamespaceSupport:
    warning = "; ".join([str(error), *error.details])
    return NamespaceSupport(namespace, {}, "plugin-failed", clause, str(error), (warning,))


def supported_properties(
    metadata: VariantMetadata,
    context: SupportContext,
    namespaces: Sequence[str] | None = None,
) -> dict[str, NamespaceSupport]:
    """Supported features and values for each namespace of ``metadata``.

    :param namespaces: the namespaces to look up (default: every namespace used
        in ``variants``); PEP 825 asks for "all namespaces that are used in the
        ``variants`` dictionary", and looking up fewer avoids running plugins
        for wheels already ruled out.

    Spec: pep825:ordering-compatible-lists
    """
    declared: dict[str, dict[str, list[str]]] = {}
    for properties in metadata.variants.values():
        for namespace, features in properties.items():
            for feature, values in features.items():
                declared.setdefault(namespace, {}).setdefault(feature, []).extend(values)
    wanted = list(namespaces) if namespaces is not None else list(declared)
    providers = metadata.providers or {}
    return {
        namespace: namespace_support(
            namespace,
            providers.get(namespace),
            context,
            declared.get(namespace),
            has_providers=metadata.providers is not None,
        )
        for namespace in wanted
    }
