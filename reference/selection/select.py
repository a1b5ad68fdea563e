"""Choosing a wheel: PEP 825 "Variant ordering" and the suggested installer steps.

Given the wheel filenames of one package version, the combined variant
metadata, a system and the user's options, :func:`select_wheel` decides which
wheel to install, ranks every compatible wheel and records, for every
candidate, why it is or is not compatible. It does no I/O: variant metadata
read from wheels, provider plugins and the system's facts come in through
arguments (:class:`System`, ``read_wheel_metadata``).

The steps (PEP 825 "Installing a package from an index", 3-9):

1. filter by platform compatibility tags;
2. if variant wheels remain, obtain the combined metadata: the index-level
   file where given, else one wheel per label, combined;
3. labels missing from it are incompatible;
4. obtain the supported properties per namespace (:mod:`reference.providers.support`);
5. a variant wheel is compatible when every feature has a supported value;
6. order the label groups by the seven steps (:mod:`reference.selection.ordering`);
   the null variant sorts after the others, non-variant wheels after all;
7. within a group, order by platform tags, then build number.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from packaging.specifiers import SpecifierSet
from packaging.tags import Tag
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from reference.errors import VariantError
from reference.format.filename import NULL_LABEL, WheelFilename, parse_wheel_filename
from reference.format.model import Properties, VariantMetadata
from reference.providers.profiles import Profile
from reference.providers.support import (
    BuiltinProvider,
    NamespaceSupport,
    PluginRunner,
    SupportContext,
    supported_properties,
)
from reference.selection.markers import VariantMarkers, evaluate_requires, variant_markers
from reference.selection.ordering import (
    PropertyKey,
    VariantOrder,
    rank_variants,
    unsupported_features,
    variant_sort_key,
)

__all__ = [
    "Candidate",
    "Reason",
    "SelectOptions",
    "Selection",
    "System",
    "select_version",
    "select_wheel",
]

ReadWheelMetadata = Callable[[str], VariantMetadata]
_BLOCKING_STEPS = {"disabled", "untrusted", "no-provider", "plugin-failed"}


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


@dataclass(frozen=True)
class Reason:
    """Why a candidate is not compatible: a clause id and a message."""

    clause: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"clause": self.clause, "message": self.message}

    def __str__(self) -> str:
        return f"{self.message} [{self.clause}]"


@dataclass
class Candidate:
    """One wheel and the verdict on it.

    :param tag_rank: position of its most preferred supported tag (lower is
        better), ``None`` when no tag is supported.
    :param sort_key: for a compatible variant wheel, the step-6 property keys.
    :param rank: position in :attr:`Selection.ranked`, ``None`` if not ranked.
    """

    filename: str
    wheel: WheelFilename | None
    reasons: list[Reason] = field(default_factory=list)
    tag_rank: int | None = None
    sort_key: tuple[PropertyKey, ...] | None = None
    rank: int | None = None

    @property
    def compatible(self) -> bool:
        """True when nothing rules the wheel out."""
        return not self.reasons

    @property
    def label(self) -> str | None:
        """The variant label, ``None`` for a non-variant wheel."""
        return self.wheel.variant_label if self.wheel else None

    def to_json(self) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "label": self.label,
            "compatible": self.compatible,
            "reasons": [r.to_json() for r in self.reasons],
            "clauses": sorted({r.clause for r in self.reasons}),
            "tag_rank": self.tag_rank,
            "sort_key": [list(k) for k in self.sort_key[:-1]] if self.sort_key else None,
            "rank": self.rank,
        }


@dataclass
class Selection:
    """The outcome of :func:`select_wheel`."""

    candidates: list[Candidate]
    ranked: list[str]
    metadata: VariantMetadata | None
    support: dict[str, NamespaceSupport]
    order: VariantOrder | None
    options: SelectOptions
    markers: VariantMarkers | None = None
    warnings: list[str] = field(default_factory=list)
    profile_name: str = ""

    @property
    def selected(self) -> str | None:
        """The chosen wheel's filename, or ``None``."""
        return self.ranked[0] if self.ranked else None

    @property
    def version(self) -> str | None:
        """The version of the wheels considered (from the first parsable filename)."""
        for candidate in self.candidates:
            if candidate.wheel is not None:
                return candidate.wheel.version
        return None

    def requires(
        self, requires_dist: Iterable[str], environment: Mapping[str, str] | None = None
    ) -> list[str]:
        """The selected wheel's ``Requires-Dist`` entries whose markers are true.

        Spec: pep825:markers-after-selection
        """
        if self.markers is None:
            return []
        return evaluate_requires(requires_dist, self.markers, environment)

    def to_json(self, requires: Sequence[str] | None = None) -> dict[str, Any]:
        """The ``--json`` document: ``selected``, ``ranked``, ``requires``, ``markers``, ``candidates``.

        Also ``support`` (per namespace, how its properties were obtained) and ``warnings``.
        """
        return {
            "selected": self.selected,
            "ranked": list(self.ranked),
            "requires": list(requires or []),
            "markers": self.markers.to_json() if self.markers else None,
            "candidates": [c.to_json() for c in self.candidates],
            "support": {ns: s.to_json() for ns, s in self.support.items()},
            "warnings": list(self.warnings),
        }

    def explain(self) -> str:
        """A readable account: supported properties, candidates, sort keys, the decision, the rules.

        Rendered by :func:`reference.selection.explain.explain_selection`.
        """
        from reference.selection.explain import explain_selection

        return explain_selection(self)


def _tag_rank(wheel: WheelFilename, tag_index: Mapping[Tag, int]) -> int | None:
    ranks = [tag_index[t] for t in (Tag(*text.split("-")) for text in wheel.tags()) if t in tag_index]
    return min(ranks) if ranks else None


def _obtain_metadata(
    labels: dict[str, list[Candidate]],
    metadata: VariantMetadata | None,
    read_wheel_metadata: ReadWheelMetadata | None,
    warnings: list[str],
) -> VariantMetadata | None:
    """Step 5 of the installer logic: the index-level file, else one wheel per label, combined."""
    if metadata is not None:
        return metadata
    if read_wheel_metadata is None:
        reason = Reason("pep825:ordering-combined-metadata", "no variant metadata available for ordering")
        for label, group in labels.items():
            # The null variant needs none: it "always corresponds to the
            # variant with zero properties" (pep825:null-label).
            if label != NULL_LABEL:
                for candidate in group:
                    candidate.reasons.append(reason)
        return None
    from reference.format.combine import combine

    documents = []
    for group in labels.values():
        first = min(group, key=lambda c: c.filename)
        try:
            documents.append(read_wheel_metadata(first.filename))
        except (VariantError, OSError) as error:
            # Degrade gracefully: the wheels of this label cannot be used.
            clause = error.clauses[0] if isinstance(error, VariantError) and error.clauses else (
                "pep825:degrade-gracefully"
            )
            reason = Reason(clause, f"variant metadata of {first.filename} unusable: {error}")
            warnings.append(str(reason))
            for candidate in group:
                candidate.reasons.append(reason)
    if not documents:
        return None
    try:
        return combine(documents)
    except VariantError as error:
        clause = error.clauses[0] if error.clauses else "pep825:consistency-variants"
        reason = Reason(clause, f"the wheels' variant metadata cannot be combined: {error}")
        warnings.append(str(reason) + "; variant wheels are ignored")
        for group in labels.values():
            for candidate in group:
                if not candidate.reasons:
                    candidate.reasons.append(reason)
        return None


def _unsupported_reasons(
    label: str, metadata: VariantMetadata, order: VariantOrder, support: Mapping[str, NamespaceSupport]
) -> list[Reason]:
    reasons = []
    blocked = []
    for namespace, feature in unsupported_features(metadata.variants[label], order):
        values = metadata.variants[label][namespace][feature]
        listed = ", ".join(f"{namespace} :: {feature} :: {v}" for v in values)
        reasons.append(Reason("pep825:property-compatibility", f"unsupported property: {listed}"))
        ns_support = support.get(namespace)
        if ns_support is not None and ns_support.step in _BLOCKING_STEPS:
            blocked.append(Reason(ns_support.clause, f"namespace {namespace}: {ns_support.detail}"))
    # One provider reason per namespace is enough.
    return reasons + list(dict.fromkeys(blocked))


def select_wheel(
    filenames: Sequence[str],
    metadata: VariantMetadata | None,
    system: System,
    options: SelectOptions | None = None,
    read_wheel_metadata: ReadWheelMetadata | None = None,
) -> Selection:
    """Select among the wheels of one package version.

    :param filenames: the wheel filenames (other files are reported as
        incompatible candidates).
    :param metadata: the combined metadata (the index-level file, or a lock's
        ``variants-json``); ``None`` when the source has none.
    :param system: the target system and provider machinery.
    :param options: the user's choices.
    :param read_wheel_metadata: reads ``variant.json`` from a wheel, by
        filename; used, once per label, only when ``metadata`` is ``None``.

    Spec: pep825:ordering-grouping, pep825:ordering-null-last,
    pep825:ordering-non-variant-last, pep825:ordering-platform-tags,
    pep825:missing-label-incompatible, pep825:ordering-overrides
    """
    options = options or SelectOptions()
    tag_index: dict[Tag, int] = {}
    for position, tag in enumerate(system.tags):
        tag_index.setdefault(tag, position)
    warnings: list[str] = []
    candidates: list[Candidate] = []
    for name in filenames:
        try:
            wheel = parse_wheel_filename(name)
        except VariantError as error:
            clause = error.clauses[0] if error.clauses else "reference:invalid-filename"
            candidates.append(Candidate(name, None, [Reason(clause, f"not a valid wheel filename: {error}")]))
            continue
        candidate = Candidate(name, wheel)
        candidate.tag_rank = _tag_rank(wheel, tag_index)
        if candidate.tag_rank is None:
            tags = ", ".join(wheel.tags())
            candidate.reasons.append(Reason("reference:platform-tags", f"no supported tag among {tags}"))
        if options.no_variants and wheel.is_variant:
            candidate.reasons.append(Reason("reference:option-no-variants", "variant wheels are excluded"))
        if options.variant is not None and wheel.variant_label != options.variant:
            candidate.reasons.append(
                Reason("reference:option-variant", f"only variant {options.variant!r} was requested")
            )
        candidates.append(candidate)

    # Variant wheels still in the running, by label.
    labels: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        if candidate.compatible and candidate.label is not None:
            labels.setdefault(candidate.label, []).append(candidate)

    combined: VariantMetadata | None = None
    support: dict[str, NamespaceSupport] = {}
    order: VariantOrder | None = None
    ordered: list[str] = []
    if labels:
        combined = _obtain_metadata(labels, metadata, read_wheel_metadata, warnings)
    variants: dict[str, Properties] = dict(combined.variants) if combined is not None else {}
    if NULL_LABEL in labels and NULL_LABEL not in variants:
        # pep825:null-label: "The label null is reserved and always corresponds
        # to the variant with zero properties ... always compatible". This
        # normative sentence is read as taking precedence over the
        # non-normative "labels missing from it ... are incompatible".
        variants[NULL_LABEL] = {}
        if combined is not None:
            warnings.append("the combined metadata does not list the null variant; it has zero properties")
    known: dict[str, list[Candidate]] = {}
    for label, group in labels.items():
        if not all(c.compatible for c in group):
            continue
        if label not in variants:
            reason = Reason(
                "pep825:missing-label-incompatible",
                f"label {label!r} is missing from the combined variant metadata",
            )
            for candidate in group:
                candidate.reasons.append(reason)
        else:
            known[label] = group
    if known:
        namespaces = list(dict.fromkeys(ns for label in known for ns in variants[label]))
        if combined is not None and namespaces:
            support = supported_properties(combined, system.support_context(options), namespaces)
        for ns_support in support.values():
            warnings.extend(f"namespace {ns_support.namespace}: {w}" for w in ns_support.warnings)
        priorities = combined.namespace_priorities if combined is not None else ()
        order = VariantOrder.build(priorities, {ns: s.features for ns, s in support.items()})
        ordered, unsupported = rank_variants({label: variants[label] for label in known}, order)
        for label in unsupported:
            assert combined is not None  # only the null variant gets here without metadata
            reasons = _unsupported_reasons(label, combined, order, support)
            for candidate in known[label]:
                candidate.reasons.extend(reasons)
        for label in ordered:
            key = variant_sort_key(label, variants[label], order)[0]
            for candidate in known[label]:
                candidate.sort_key = key

    # Groups: variant labels by steps 1-7 (null last by construction), then non-variant.
    groups: list[list[Candidate]] = [[c for c in labels[label] if c.compatible] for label in ordered]
    groups.append([c for c in candidates if c.compatible and c.label is None])
    ranked: list[Candidate] = []
    for group in groups:
        by_name = sorted(group, key=lambda c: c.filename)
        by_build = sorted(by_name, key=lambda c: c.wheel.build_number if c.wheel else (), reverse=True)
        ranked += sorted(by_build, key=lambda c: c.tag_rank if c.tag_rank is not None else 0)
    for position, candidate in enumerate(ranked):
        candidate.rank = position

    markers = None
    if ranked:
        best = ranked[0]
        supported = {ns: s.features for ns, s in support.items()}
        markers = variant_markers(best.label, variants.get(best.label or "", {}), supported)
    return Selection(
        candidates=candidates,
        ranked=[c.filename for c in ranked],
        metadata=combined,
        support=support,
        order=order,
        options=options,
        markers=markers,
        warnings=warnings,
        profile_name=system.profile.name,
    )


def select_version(
    filenames: Iterable[str],
    specifier: SpecifierSet | str,
    metadata_for: Callable[[str], VariantMetadata | None],
    system: System,
    options: SelectOptions | None = None,
    read_wheel_metadata: ReadWheelMetadata | None = None,
    prereleases: bool | None = None,
) -> Selection | None:
    """Pick the highest version allowed by ``specifier`` with a compatible wheel.

    :param filenames: wheel filenames of several versions of one package.
    :param metadata_for: the combined metadata of a version (as written in the
        filenames), or ``None`` when the source has no index-level file.
    :returns: the selection for that version, or ``None`` when no version has
        a compatible wheel.

    PEP 825 leaves version choice as it is ("Initially select a package
    version meeting the version constraints"); an installer then moves to an
    older version when no wheel of the newest is installable.
    """
    specifiers = SpecifierSet(specifier) if isinstance(specifier, str) else specifier
    by_version: dict[Version, list[str]] = {}
    written: dict[Version, str] = {}
    for name in filenames:
        try:
            wheel = parse_wheel_filename(name)
            version = Version(wheel.version)
        except (VariantError, InvalidVersion):
            continue
        by_version.setdefault(version, []).append(name)
        written.setdefault(version, wheel.version)
    allowed = list(specifiers.filter(by_version, prereleases=prereleases))
    for version in sorted(allowed, reverse=True):
        selection = select_wheel(
            by_version[version], metadata_for(written[version]), system, options, read_wheel_metadata
        )
        if selection.selected is not None:
            return selection
    return None
