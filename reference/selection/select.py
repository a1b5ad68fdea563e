"""Selecting a wheel: PEP 825 "Installing a package from an index", one function per step.

Given the wheel filenames of one package version, the combined variant
metadata, a system and the user's options, :func:`select_wheel` decides which
wheel to install, ranks every compatible wheel and records, for every
candidate, why it is or is not compatible. It does no I/O: variant metadata
read from wheels, provider plugins and the system's facts come in through
arguments (:class:`~reference.selection.system.System`, ``read_wheel_metadata``).

The PEP's steps 1 and 2 (query the index, pick a version) belong to the
installer (:mod:`reference.install.resolve`, or :func:`select_version` here);
:func:`select_wheel` carries out steps 3 to 9 and prepares step 10:

3. :func:`filter_by_tags`: filter by platform compatibility tags (and the
   user's options, which may only narrow the set);
4. :func:`group_by_label`: are any variant wheels left? group them by label;
5. :func:`obtain_combined_metadata`: the index-level file, else one wheel per
   label, combined;
6. :func:`map_labels`: labels missing from the combined metadata are incompatible;
7. :func:`obtain_supported_properties`: the providers' ordered lists
   (:mod:`reference.providers.support`);
8. :func:`filter_and_order`: keep the variants whose every feature has a
   supported value and order them by the seven steps
   (:mod:`reference.selection.ordering`);
9. :func:`order_groups`: the variant groups in that order (the null variant
   last), then the non-variant wheels; within a group by platform tags, then
   build number;
10. :func:`marker_values`: the variant marker values of the chosen wheel, for
    its ``Requires-Dist`` (:meth:`~reference.selection.result.Selection.requires`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from packaging.specifiers import SpecifierSet
from packaging.tags import Tag
from packaging.version import InvalidVersion, Version

from reference.errors import VariantError
from reference.format.combine import combine
from reference.format.filename import NULL_LABEL, WheelFilename, parse_wheel_filename
from reference.format.model import Properties, VariantMetadata
from reference.limits import REFUSALS, quoted
from reference.providers.support import NamespaceSupport, supported_properties
from reference.selection.markers import VariantMarkers, variant_markers
from reference.selection.ordering import VariantOrder, rank_variants, unsupported_features, variant_sort_key
from reference.selection.result import Candidate, Reason, Selection
from reference.selection.system import SelectOptions, System

__all__ = [
    "ReadWheelMetadata",
    "build_preference",
    "filter_and_order",
    "filter_by_tags",
    "group_by_label",
    "map_labels",
    "marker_values",
    "non_variant_last",
    "obtain_combined_metadata",
    "obtain_supported_properties",
    "option_no_variants",
    "option_variant",
    "order_groups",
    "order_within_group",
    "select_version",
    "select_wheel",
    "tag_preference",
]

ReadWheelMetadata = Callable[[str], VariantMetadata]
"""Reads ``variant.json`` from a wheel, by filename (the installer's I/O, injected)."""

_BLOCKING_STEPS = {"disabled", "untrusted", "no-provider", "plugin-failed"}


def select_wheel(
    filenames: Sequence[str],
    metadata: VariantMetadata | None,
    system: System,
    options: SelectOptions | None = None,
    read_wheel_metadata: ReadWheelMetadata | None = None,
) -> Selection:
    """Select among the wheels of one package version: the PEP's installer steps 3 to 10.

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
    warnings: list[str] = []
    candidates = filter_by_tags(filenames, system, options)
    groups = group_by_label(candidates)
    combined = obtain_combined_metadata(groups, metadata, read_wheel_metadata, warnings)
    variants, known = map_labels(groups, combined, warnings)
    support = obtain_supported_properties(known, variants, combined, system, options, warnings)
    order, ordered = filter_and_order(known, variants, combined, support)
    ranked = order_groups(ordered, groups, candidates)
    return Selection(
        candidates=candidates,
        ranked=[c.filename for c in ranked],
        metadata=combined,
        support=support,
        order=order,
        options=options,
        markers=marker_values(ranked, variants, support),
        warnings=warnings,
        profile_name=system.profile.name,
    )


def _tag_rank(wheel: WheelFilename, tag_index: Mapping[Tag, int]) -> int | None:
    ranks = [tag_index[t] for t in (Tag(*text.split("-")) for text in wheel.tags()) if t in tag_index]
    return min(ranks) if ranks else None


def filter_by_tags(filenames: Iterable[str], system: System, options: SelectOptions) -> list[Candidate]:
    """Step 3: "Filter available wheels based on Platform Compatibility Tags".

    Every filename becomes a :class:`Candidate`; a wheel with no supported tag,
    an unparsable filename, or a wheel the user's options exclude
    (:func:`option_variant`, :func:`option_no_variants`) gets the reason it is
    out. The options only narrow the set.

    Spec: pep825:ordering-platform-tags, pep825:ordering-overrides,
    reference:platform-tags, reference:option-no-variants, reference:option-variant
    """
    tag_index: dict[Tag, int] = {}
    for position, tag in enumerate(system.tags):
        tag_index.setdefault(tag, position)
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
        for excluded in (option_no_variants(wheel, options), option_variant(wheel, options)):
            if excluded is not None:
                candidate.reasons.append(excluded)
        candidates.append(candidate)
    return candidates


def option_no_variants(wheel: WheelFilename, options: SelectOptions) -> Reason | None:
    """``--no-variants``: only non-variant wheels are considered (why *wheel* is out, or ``None``).

    Spec: reference:option-no-variants
    """
    if options.no_variants and wheel.is_variant:
        return Reason("reference:option-no-variants", "variant wheels are excluded")
    return None


def option_variant(wheel: WheelFilename, options: SelectOptions) -> Reason | None:
    """``--variant LABEL``: only wheels with that label are considered (why *wheel* is out, or ``None``).

    The option narrows the set; the wheels it keeps still go through every
    compatibility step, so it never selects an unsupported wheel.

    Spec: reference:option-variant, pep825:ordering-overrides
    """
    if options.variant is not None and wheel.variant_label != options.variant:
        return Reason("reference:option-variant", f"only variant {quoted(options.variant)} was requested")
    return None


def group_by_label(candidates: Iterable[Candidate]) -> dict[str, list[Candidate]]:
    """Step 4: "Determine if any of the remaining wheels are variant wheels": the compatible
    variant wheels, grouped by their label (empty when none are left).

    Spec: pep825:ordering-grouping
    """
    groups: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        if candidate.compatible and candidate.label is not None:
            groups.setdefault(candidate.label, []).append(candidate)
    return groups


def obtain_combined_metadata(
    groups: Mapping[str, list[Candidate]],
    metadata: VariantMetadata | None,
    read_wheel_metadata: ReadWheelMetadata | None,
    warnings: list[str],
) -> VariantMetadata | None:
    """Step 5: "obtain the combined variant metadata": the index-level file, else one wheel per label.

    Nothing is read when no variant wheel is left. A wheel whose metadata
    cannot be read, or documents that cannot be combined, rule out the wheels
    concerned with a warning instead of failing (degrading gracefully).

    Spec: pep825:ordering-combined-metadata, pep825:ordering-prefer-index-file,
    pep825:degrade-gracefully
    """
    if not groups:
        return None
    if metadata is not None:
        return metadata
    if read_wheel_metadata is None:
        reason = Reason("pep825:ordering-combined-metadata", "no variant metadata available for ordering")
        for label, group in groups.items():
            # The null variant needs none: it "always corresponds to the
            # variant with zero properties" (pep825:null-label).
            if label != NULL_LABEL:
                for candidate in group:
                    candidate.reasons.append(reason)
        return None
    documents = _read_one_wheel_per_label(groups, read_wheel_metadata, warnings)
    if not documents:
        return None
    try:
        return combine(documents)
    except VariantError as error:
        clause = error.clauses[0] if error.clauses else "pep825:consistency-variants"
        reason = Reason(clause, f"the wheels' variant metadata cannot be combined: {error}")
        warnings.append(str(reason) + "; variant wheels are ignored")
        for group in groups.values():
            for candidate in group:
                if not candidate.reasons:
                    candidate.reasons.append(reason)
        return None


def _read_one_wheel_per_label(
    groups: Mapping[str, list[Candidate]], read_wheel_metadata: ReadWheelMetadata, warnings: list[str]
) -> list[VariantMetadata]:
    """The ``variant.json`` of the first wheel (by name) of every label; unreadable ones rule out their group.

    A refusal (:data:`reference.limits.REFUSALS`: a hash mismatch, a limit
    hit, an unsafe name) is not unreadable metadata: it stops the selection.

    Spec: pep825:ordering-combined-metadata, pep825:degrade-gracefully
    """
    documents = []
    for group in groups.values():
        first = min(group, key=lambda c: c.filename)
        try:
            documents.append(read_wheel_metadata(first.filename))
        except REFUSALS:
            raise
        except (VariantError, OSError) as error:
            clause = error.clauses[0] if isinstance(error, VariantError) and error.clauses else (
                "pep825:degrade-gracefully"
            )
            reason = Reason(clause, f"variant metadata of {first.filename} unusable: {error}")
            warnings.append(str(reason))
            for candidate in group:
                candidate.reasons.append(reason)
    return documents


def map_labels(
    groups: Mapping[str, list[Candidate]], combined: VariantMetadata | None, warnings: list[str]
) -> tuple[dict[str, Properties], dict[str, list[Candidate]]]:
    """Step 6: "Map the variant labels into sets of variant properties using the combined variant metadata".

    Labels missing from it are incompatible, except ``null``, which always has
    zero properties: that normative sentence is read as taking precedence over
    the non-normative "labels missing from it ... are incompatible".

    :returns: ``{label: properties}`` of the combined metadata (plus ``null``),
        and the groups still compatible whose label it maps.

    Spec: pep825:missing-label-incompatible, pep825:null-label
    """
    variants: dict[str, Properties] = dict(combined.variants) if combined is not None else {}
    if NULL_LABEL in groups and NULL_LABEL not in variants:
        variants[NULL_LABEL] = {}
        if combined is not None:
            warnings.append("the combined metadata does not list the null variant; it has zero properties")
    known: dict[str, list[Candidate]] = {}
    for label, group in groups.items():
        if not all(c.compatible for c in group):
            continue
        if label not in variants:
            reason = Reason(
                "pep825:missing-label-incompatible",
                f"label {quoted(label)} is missing from the combined variant metadata",  # pragma: no mutate
            )
            for candidate in group:
                candidate.reasons.append(reason)
        else:
            known[label] = group
    return variants, known


def obtain_supported_properties(
    known: Mapping[str, list[Candidate]],
    variants: Mapping[str, Properties],
    combined: VariantMetadata | None,
    system: System,
    options: SelectOptions,
    warnings: list[str],
) -> dict[str, NamespaceSupport]:
    """Step 7: "Obtain the ordered lists of compatible variant properties", per namespace.

    Only the namespaces the remaining labels use are looked up, so no plugin
    runs for wheels already ruled out; the providers text decides each
    (:func:`reference.providers.support.supported_properties`).

    Spec: pep825:ordering-compatible-lists
    """
    namespaces = list(dict.fromkeys(ns for label in known for ns in variants[label]))
    if combined is None or not namespaces:
        return {}
    support = supported_properties(combined, system.support_context(options), namespaces)
    for ns_support in support.values():
        warnings.extend(f"namespace {ns_support.namespace}: {w}" for w in ns_support.warnings)
    return support


def filter_and_order(
    known: Mapping[str, list[Candidate]],
    variants: Mapping[str, Properties],
    combined: VariantMetadata | None,
    support: Mapping[str, NamespaceSupport],
) -> tuple[VariantOrder | None, list[str]]:
    """Step 8: "Filter and order variants based on the lists of compatible properties".

    A label is compatible when every feature has a supported value; the
    compatible ones are ordered by the seven steps of "Variant ordering",
    each wheel getting its sort key, the others the reasons they are out.

    :returns: the ordered lists of steps 1-3 (``None`` when no variant wheel
        is left) and the compatible labels, most preferred first.

    Spec: pep825:property-compatibility, pep825:ordering-step-1, pep825:ordering-step-7
    """
    if not known:
        return None, []
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
    return order, ordered


def _unsupported_reasons(
    label: str, metadata: VariantMetadata, order: VariantOrder, support: Mapping[str, NamespaceSupport]
) -> list[Reason]:
    """Why a label is incompatible: its unsupported properties, and the provider step that blocked them.

    Spec: pep825:property-compatibility
    """
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


def order_groups(
    ordered: Sequence[str], groups: Mapping[str, list[Candidate]], candidates: Sequence[Candidate]
) -> list[Candidate]:
    """Step 9 (with step 8's fallback): the final ranking of the compatible wheels.

    The variant groups in the order of step 8 (the null variant last), then the
    group of non-variant wheels (:func:`non_variant_last`); "If multiple wheels
    ... share the same variant label, order them by Platform compatibility
    tags and build number" (:func:`order_within_group`). Sets every
    candidate's ``rank``.

    Spec: pep825:ordering-null-last, pep825:ordering-non-variant-last,
    pep825:ordering-platform-tags, pep825:ordering-grouping
    """
    variant_groups = [[c for c in groups[label] if c.compatible] for label in ordered]
    non_variant = [c for c in candidates if c.compatible and c.label is None]
    ranked: list[Candidate] = []
    for group in non_variant_last(variant_groups, non_variant):
        ranked += order_within_group(group)
    for position, candidate in enumerate(ranked):
        candidate.rank = position
    return ranked


def non_variant_last(
    variant_groups: Sequence[list[Candidate]], non_variant: list[Candidate]
) -> list[list[Candidate]]:
    """"The group of non-variant wheels MUST be placed after all the other groups."

    Spec: pep825:ordering-non-variant-last
    """
    return [*variant_groups, non_variant]


def order_within_group(group: Sequence[Candidate]) -> list[Candidate]:
    """"Within every group, the wheels MUST then be ordered according to their platform
    compatibility tags" (:func:`tag_preference`); the build number breaks ties between
    wheels whose tags rank the same (:func:`build_preference`), then the filename.

    Spec: pep825:ordering-platform-tags, wheel:build-tag
    """
    by_name = sorted(group, key=lambda c: c.filename)
    by_build = sorted(by_name, key=build_preference, reverse=True)
    return sorted(by_build, key=tag_preference)


def tag_preference(candidate: Candidate) -> int:
    """The position of the wheel's best supported tag in the system's list (lower first).

    Spec: pep825:ordering-platform-tags
    """
    return candidate.tag_rank if candidate.tag_rank is not None else 0


def build_preference(candidate: Candidate) -> tuple[int, str] | tuple[()]:
    """The build number as a sort key, higher preferred; it decides only among wheels whose
    tags rank the same (no build number sorts after any).

    The binary distribution format: the build tag "Acts as a tie-breaker if two
    wheel file names are the same in all other respects (i.e. name, version,
    and other tags)"; PEP 825 step 9 orders "by Platform compatibility tags and
    build number".

    Spec: wheel:build-tag, pep825:ordering-grouping
    """
    return candidate.wheel.build_number if candidate.wheel else ()


def marker_values(
    ranked: Sequence[Candidate], variants: Mapping[str, Properties], support: Mapping[str, NamespaceSupport]
) -> VariantMarkers | None:
    """For step 10: the variant marker values of the selected wheel (``None`` when none is selected).

    Spec: pep825:markers-values, pep825:markers-properties-narrowed
    """
    if not ranked:
        return None
    best = ranked[0]
    supported = {ns: s.features for ns, s in support.items()}
    return variant_markers(best.label, variants.get(best.label or "", {}), supported)


def select_version(
    filenames: Iterable[str],
    specifier: SpecifierSet | str,
    metadata_for: Callable[[str], VariantMetadata | None],
    system: System,
    options: SelectOptions | None = None,
    read_wheel_metadata: ReadWheelMetadata | None = None,
    prereleases: bool | None = None,
) -> Selection | None:
    """Steps 2 to 10: pick the highest version allowed by ``specifier`` with a compatible wheel.

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
