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
injected :class:`~reference.providers.interface.PluginRunner` (the real one,
which installs the packages into an isolated environment and queries them in
a subprocess, is :mod:`reference.providers.plugins`). Every namespace gets a
:class:`NamespaceSupport` recording which step decided and why, for
explanations. :func:`namespace_support` runs the steps in order, one function
each; the first that decides wins.

Format 0.1.1 metadata has no ``providers`` key, so only the user static list
and built-ins can supply properties; ``abi_dependency`` is handled by
:mod:`reference.providers.abi`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from packaging.utils import canonicalize_name

from reference.errors import ProviderError
from reference.format.model import ABI_DEPENDENCY, ProviderInfo, VariantMetadata
from reference.providers.abi import supported_abi_features
from reference.providers.interface import (
    BuiltinProvider,
    PluginRunner,
    plugin_api,
    plugin_requirements,
    validate_configs,
)

__all__ = [
    "NamespaceSupport",
    "Step",
    "SupportContext",
    "enabled_by_user",
    "namespace_support",
    "supported_properties",
    "trusted_by_user",
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


def namespace_support(
    namespace: str,
    provider: ProviderInfo | None,
    context: SupportContext,
    declared: Mapping[str, Sequence[str]] | None = None,
    *,
    has_providers: bool = True,
) -> NamespaceSupport:
    """Run the providers text's steps for one namespace; the first step that decides wins.

    :param provider: ``providers.{namespace}`` (``None`` for format 0.1.1 or a
        namespace the metadata does not define).
    :param declared: ``{feature: values}`` used in the metadata for this
        namespace; needed only for ``abi_dependency``.
    :param has_providers: ``False`` for format 0.1.1 metadata, which has no
        ``providers`` key (only the user static list and built-ins apply).

    Spec: providers:follow-algorithm
    """
    decided = (
        _step_1_disabled(namespace, provider, context)
        or _step_2_static_properties(namespace, provider)
        or _step_3_user_static(namespace, context)
        or _abi_dependency(namespace, context, declared)
        or _step_4_builtin(namespace, provider, context)
        or _no_provider(namespace, provider, has_providers)
    )
    if decided is not None:
        return decided
    assert provider is not None  # _no_provider decided otherwise
    return _step_5_trust(namespace, provider, context) or _step_6_plugin(namespace, provider, context)


def _step_1_disabled(
    namespace: str, provider: ProviderInfo | None, context: SupportContext
) -> NamespaceSupport | None:
    """Step 1: "If a provider is disabled, the tools MUST assume that the list of compatible
    features is empty and they MUST NOT use the provider."

    Spec: providers:step-1-disabled
    """
    if provider is not None and provider.optional and not enabled_by_user(namespace, context):
        return NamespaceSupport(
            namespace, {}, "disabled", "providers:step-1-disabled",
            f"the provider is optional; enable it with --enable-provider {namespace}",  # pragma: no mutate
        )
    return None


def enabled_by_user(namespace: str, context: SupportContext) -> bool:
    """``--enable-provider NAMESPACE``: "The tools MUST provide a way to explicitly enable a provider".

    Spec: providers:step-1-enable-option
    """
    return namespace in context.enable_providers


def trusted_by_user(name: str, context: SupportContext) -> bool:
    """``--trust PACKAGE``: "They SHOULD provide a way for the user to trust additional
    packages"; names compare normalized.

    Spec: providers:step-5-trusted-list
    """
    return canonicalize_name(name) in {canonicalize_name(n) for n in context.trust}


def _step_2_static_properties(namespace: str, provider: ProviderInfo | None) -> NamespaceSupport | None:
    """Step 2: ``static-properties`` in the metadata are used exclusively, in ``feature-order``.

    Spec: providers:step-2-static
    """
    if provider is None or provider.static_properties is None:
        return None
    static = provider.static_properties
    features = {f: tuple(static[f]) for f in provider.ordered_static_features() if f in static}
    return NamespaceSupport(
        namespace, features, "static-properties", "providers:step-2-static",
        "static-properties in the variant metadata",  # pragma: no mutate
    )


def _step_3_user_static(namespace: str, context: SupportContext) -> NamespaceSupport | None:
    """Step 3: the user's static list (a profile's ``[namespaces.X]``), exclusively.

    Spec: providers:step-3-user-static
    """
    if namespace not in context.user_static:
        return None
    return NamespaceSupport(
        namespace, dict(context.user_static[namespace]), "user-static",
        "providers:step-3-user-static", "the user-provided static list (profile)",
    )


def _abi_dependency(
    namespace: str, context: SupportContext, declared: Mapping[str, Sequence[str]] | None
) -> NamespaceSupport | None:
    """The reserved ``abi_dependency`` namespace: installed versions matched as ``=={value}.*``.

    Spec: providers:abi-matching
    """
    if namespace != ABI_DEPENDENCY:
        return None
    features = supported_abi_features(declared or {}, context.installed)
    return NamespaceSupport(
        namespace, features, "abi-dependency", "providers:abi-matching",
        "installed versions matched as =={value}.*",  # pragma: no mutate
    )


def _step_4_builtin(
    namespace: str, provider: ProviderInfo | None, context: SupportContext
) -> NamespaceSupport | None:
    """Step 4: a built-in implementation of the provider, if the tool has one and it answers.

    Spec: providers:step-4-vendored
    """
    builtin = context.builtins.get(namespace)
    if builtin is None:
        return None
    try:
        configs = builtin(provider, context.hardware)
        if configs is None:
            return None
        return NamespaceSupport(
            namespace, validate_configs(namespace, configs), "builtin",
            "providers:step-4-vendored", "the tool's built-in provider",
        )
    except ProviderError as error:
        return _failed(namespace, error, "providers:step-4-vendored")


def _no_provider(
    namespace: str, provider: ProviderInfo | None, has_providers: bool
) -> NamespaceSupport | None:
    """No plugin to turn to: format 0.1.1, a namespace without provider information, or a
    provider without ``requires`` whose built-in the tool lacks.

    Spec: reference:no-provider-0.1.1, providers:namespaces-defined, providers:step-4-vendored
    """
    if provider is None and not has_providers:
        return NamespaceSupport(
            namespace, {}, "no-provider", "reference:no-provider-0.1.1",
            "format 0.1.1 metadata names no provider; "  # pragma: no mutate
            "no user static list or built-in covers it",  # pragma: no mutate
        )
    if provider is None:
        return NamespaceSupport(
            namespace, {}, "no-provider", "providers:namespaces-defined",
            "the metadata defines no provider for this namespace",  # pragma: no mutate
        )
    if not provider.requires:
        return NamespaceSupport(
            namespace, {}, "no-provider", "providers:step-4-vendored",
            f"no built-in implementation of {provider.builtin or 'this provider'}",  # pragma: no mutate
        )
    return None


def _step_5_trust(namespace: str, provider: ProviderInfo, context: SupportContext) -> NamespaceSupport | None:
    """Step 5: every required package must be trusted, or nothing is installed or run.

    Spec: providers:step-5-trust, providers:requires-markers
    """
    try:
        requirements = plugin_requirements(provider, context.environment)
    except ProviderError as error:
        return _failed(namespace, error, "providers:requires-markers")
    untrusted = [r.name for r in requirements if not trusted_by_user(r.name, context)]
    if not untrusted:
        return None
    names = ", ".join(untrusted)
    return NamespaceSupport(
        namespace, {}, "untrusted", "providers:step-5-trust",
        f"provider package {names} is not trusted "  # pragma: no mutate
        f"(trust it with --trust {untrusted[0]})",  # pragma: no mutate
    )


def _step_6_plugin(namespace: str, provider: ProviderInfo, context: SupportContext) -> NamespaceSupport:
    """Step 6: install and query the trusted plugin (through the injected runner).

    Spec: providers:step-6-install-query
    """
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
        f"plugin {plugin_api(provider, context.environment)}",  # pragma: no mutate
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
