"""What a selection is asked: the target :class:`System` and the user's :class:`SelectOptions`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from packaging.tags import Tag
from packaging.utils import canonicalize_name

from reference.providers.interface import BuiltinProvider, PluginRunner
from reference.providers.profiles import Profile
from reference.providers.support import SupportContext

__all__ = ["SelectOptions", "System"]


@dataclass(frozen=True)
class SelectOptions:
    """The user's choices; none of them can select an unsupported wheel.

    :param variant: consider only wheels with this label (``--variant``).
    :param no_variants: consider only non-variant wheels (``--no-variants``).
    :param enable_providers: namespaces whose optional provider is enabled.
    :param trust: provider packages the user trusts (``--trust``).

    Spec: pep825:ordering-overrides
    """

    variant: str | None = None
    no_variants: bool = False
    enable_providers: frozenset[str] = frozenset()
    trust: frozenset[str] = frozenset()

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> SelectOptions:
        """From a conformance case's ``options`` object."""
        data = data or {}
        return cls(
            variant=data.get("variant"),
            no_variants=bool(data.get("no_variants", False)),
            enable_providers=frozenset(data.get("enable_providers", ())),
            trust=frozenset(data.get("trust", ())),
        )


@dataclass(frozen=True)
class System:
    """The target system and the tool's provider machinery.

    :param profile: marker environment, supported tags, user static lists,
        hardware facts and installed packages.
    :param plugin_runner: runs trusted plugins (:mod:`reference.providers.plugins`).
    :param builtins: built-in providers by namespace.
    :param trusted: packages the tool trusts by default.
    :param resolution: ``{name: version}`` chosen so far by the resolver; with
        the profile's ``installed`` it feeds ``abi_dependency``.
    """

    profile: Profile
    plugin_runner: PluginRunner | None = None
    builtins: Mapping[str, BuiltinProvider] = field(default_factory=dict)
    trusted: frozenset[str] = frozenset()
    resolution: Mapping[str, str] = field(default_factory=dict)

    @property
    def tags(self) -> Sequence[Tag]:
        """Supported tags, most preferred first."""
        return self.profile.tags

    @property
    def environment(self) -> Mapping[str, str]:
        """The PEP 508 marker environment."""
        return self.profile.environment

    def support_context(self, options: SelectOptions) -> SupportContext:
        """The provider lookup's inputs for these options."""
        return SupportContext(
            environment=self.profile.environment,
            user_static=self.profile.namespaces,
            hardware=self.profile.hardware,
            installed={**self.profile.installed, **self.resolution},
            enable_providers=options.enable_providers,
            trust=frozenset(canonicalize_name(n) for n in self.trusted | options.trust),
            builtins=self.builtins,
            plugin_runner=self.plugin_runner,
        )
