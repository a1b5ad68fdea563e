"""Dependency resolution across a source, with variant-aware wheel selection.

PEP 825 "Installing a package from an index" (non-normative) is followed per
package version: select a version meeting the constraints, filter by tags,
obtain the combined metadata (the ``{name}-{version}-variants.json`` file, else
the ``variant.json`` of one wheel per label), order the variants and select the
best wheel (:func:`reference.selection.select.select_wheel`); then "Read the
dependencies of the selected wheel, and evaluate the environment markers
occurring in them, using the label of the selected wheel and those of its
variant properties that the target system supports" (step 10).

The search over versions is done by ``resolvelib``: :class:`VariantProvider`
offers, for each project, only versions that have a compatible wheel (newest
first, lazily, so older versions are only examined when needed); the
dependencies of a candidate are its selected wheel's ``Requires-Dist`` entries
whose markers, variant markers included, are true.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.markers import UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version
from resolvelib import AbstractProvider, BaseReporter, Resolver
from resolvelib.resolvers import ResolutionImpossible, ResolutionTooDeep

from reference.errors import VariantError, Violation
from reference.format.metadata import load_metadata, parse_json_bytes
from reference.format.model import ABI_DEPENDENCY, VariantMetadata
from reference.format.wheel import read_core_metadata, read_variant_json
from reference.install.pages import FileLink, ProjectPage
from reference.install.sources import Source
from reference.limits import REFUSALS, guard_recursion, quoted
from reference.selection.markers import VariantMarkers, evaluate_requires, split_requirement
from reference.selection.result import Selection
from reference.selection.select import select_wheel
from reference.selection.system import SelectOptions, System

__all__ = [
    "Candidate",
    "Finder",
    "NoCompatibleWheel",
    "ResolutionFailed",
    "VariantProvider",
    "resolve",
    "selected_requires",
    "wheel_requires_dist",
]


class ResolutionFailed(VariantError):
    """No set of compatible wheels satisfies the requirements."""


class NoCompatibleWheel(ResolutionFailed):
    """A requested project has no version with a compatible wheel."""


def wheel_requires_dist(path: str | Path) -> list[str]:
    """The ``Requires-Dist`` entries of a wheel's ``METADATA``, as written (its ``Name`` checked).

    :raises VariantError: the file is not a readable wheel (``reference:wheel-layout``) or its
        ``METADATA`` names another distribution (``reference:metadata-name``).
    :raises reference.limits.LimitExceeded: ``METADATA`` is too large.
    """
    return list(read_core_metadata(path).requires_dist)


def selected_requires(
    path: str | Path,
    markers: VariantMarkers,
    environment: Mapping[str, str],
    extras: Iterable[str] = (),
) -> list[str]:
    """Installer step 10 for the selected wheel at ``path``: its ``Requires-Dist`` whose markers are true.

    A dependency that cannot be parsed or evaluated (a malformed marker, an
    undefined comparison, markers nested past the ``nesting`` limit) fails the
    request, naming the entry: it belongs to the wheel selected for install,
    which is not passed over for a worse one (see ``SECURITY.md``).

    :raises VariantError: ``reference:core-metadata``, ``reference:metadata-name``,
        ``reference:wheel-layout``.

    Spec: pep825:markers-after-selection, reference:core-metadata
    """
    source = Path(path).name
    requires_dist = wheel_requires_dist(path)
    try:
        with guard_recursion(source, "Requires-Dist"):
            return evaluate_requires(requires_dist, markers, environment, extras)
    except ValueError as exc:  # InvalidMarker, InvalidRequirement, UndefinedComparison, InvalidVersion
        message = f"a Requires-Dist entry cannot be used: {quoted(str(exc))}"
        raise VariantError(Violation("reference:core-metadata", message, "Requires-Dist", source)) from None
    except UndefinedEnvironmentName as exc:
        message = f"a Requires-Dist marker uses an undefined name: {quoted(str(exc))}"
        raise VariantError(Violation("reference:core-metadata", message, "Requires-Dist", source)) from None


@dataclass
class Candidate:
    """One version of a project whose wheel selection succeeded.

    :param selection: the selection among the version's wheels.
    :param link: the selected wheel's link (URL and hashes).
    :param requires: ``Requires-Dist`` entries of the selected wheel whose markers are true.
    """

    name: NormalizedName
    version: Version
    selection: Selection
    link: FileLink
    requires: list[str] = field(default_factory=list)
    extras: frozenset[str] = frozenset()

    @property
    def filename(self) -> str:
        """The selected wheel's filename."""
        return self.link.filename


class Finder:
    """Reads a source and selects wheels for the resolver; caches pages and downloads.

    :param source: where the release files are.
    :param system: the target system (profile, provider machinery).
    :param options: the user's selection options; ``variant`` applies to the
        requested projects only (see :meth:`options_for`).
    :param download_dir: where remote wheels are stored (a temporary directory by default).
    """

    def __init__(
        self,
        source: Source,
        system: System,
        options: SelectOptions | None = None,
        download_dir: Path | None = None,
        top_level: Iterable[str] = (),
    ) -> None:
        self.source = source
        self.system = system
        self.options = options or SelectOptions()
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if download_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="variant-downloads-")
            download_dir = Path(self._tmp.name)
        self.download_dir = download_dir
        self.top_level = {canonicalize_name(n) for n in top_level}
        self.warnings: list[str] = []
        self.resolution: dict[str, str] = {}
        """``{name: version}`` of a previous resolution pass, for ``abi_dependency``."""
        self._pages: dict[str, ProjectPage] = {}
        self._paths: dict[str, Path] = {}

    def close(self) -> None:
        """Remove downloaded files (when the download directory is temporary)."""
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def options_for(self, name: str) -> SelectOptions:
        """``--variant LABEL`` names the label of the requested package, not of its dependencies."""
        if self.options.variant is not None and canonicalize_name(name) not in self.top_level:
            options = self.options
            return SelectOptions(None, options.no_variants, options.enable_providers, options.trust)
        return self.options

    def page(self, name: str) -> ProjectPage:
        """The project's page (cached)."""
        key = canonicalize_name(name)
        if key not in self._pages:
            self._pages[key] = self.source.project_page(key)
        return self._pages[key]

    def local_path(self, link: FileLink) -> Path:
        """A verified local copy of ``link`` (downloaded once)."""
        if link.url not in self._paths:
            self._paths[link.url] = self.source.fetch_to(link, self.download_dir)
        return self._paths[link.url]

    def index_metadata(self, page: ProjectPage, version: str) -> VariantMetadata | None:
        """The version's ``-variants.json``, validated; ``None`` if absent or unusable.

        PEP 825: "Normally this means downloading the index-level metadata file
        ... If the source does not provide that file, the combined metadata can
        instead be read from the candidate wheels." An invalid file is reported
        as a warning and the wheels are read instead (pep825:degrade-gracefully).

        Spec: pep825:ordering-prefer-index-file
        """
        link = page.variants_json_for(version)
        if link is None:
            return None
        try:
            data = parse_json_bytes(self.source.fetch(link), link.filename)
            return load_metadata(data, kind="index", source=link.filename)
        except REFUSALS:
            raise
        except VariantError as exc:
            self.warnings.append(f"{link.filename} is unusable, reading the wheels instead: {exc}")
            return None

    def select(self, name: str, version: str, resolution: Mapping[str, str] | None = None) -> Selection:
        """Select among the wheels of one version (:func:`reference.selection.select.select_wheel`).

        :param resolution: ``{name: version}`` pinned so far by the resolver;
            with the profile's ``[installed]`` it is what ``abi_dependency``
            properties are matched against (providers:abi-matching).
        """
        page = self.page(name)
        system = self.system
        resolution = {**self.resolution, **(resolution or {})}
        if resolution:
            system = dataclasses.replace(system, resolution={**system.resolution, **resolution})
        links = {link.filename: link for link in page.wheels_for(version)}

        def read_wheel_metadata(filename: str) -> VariantMetadata:
            return read_variant_json(self.local_path(links[filename]))

        selection = select_wheel(
            list(links),
            self.index_metadata(page, version),
            system,
            self.options_for(name),
            read_wheel_metadata,
        )
        self.warnings.extend(selection.warnings)
        return selection

    def candidate(
        self, name: str, version: str, selection: Selection, extras: Iterable[str] = ()
    ) -> Candidate:
        """The candidate for a successful selection, with its dependencies evaluated.

        Installer step 10: "Read the dependencies of the selected wheel, and
        evaluate the environment markers occurring in them, using the label of
        the selected wheel and those of its variant properties that the target
        system supports" (pep825:markers-after-selection).

        :param extras: extras requested for the project (``extra == ...`` markers).
        """
        assert selection.selected is not None and selection.markers is not None
        link = next(link for link in self.page(name).wheels if link.filename == selection.selected)
        path = self.local_path(link)
        requires = selected_requires(path, selection.markers, self.system.environment, extras)
        return Candidate(
            canonicalize_name(name), Version(version), selection, link, requires, frozenset(extras)
        )

    def select_requirement(self, requirement: Requirement) -> tuple[Selection | None, Candidate | None]:
        """The newest version allowed by ``requirement`` that has a compatible wheel.

        PEP 825 leaves version choice as it was ("Initially select a package
        version meeting the version constraints"); a version whose wheels are
        all incompatible is passed over for the next older one.

        :returns: ``(selection, candidate)`` of that version; when no version
            has a compatible wheel, ``(selection of the newest allowed version,
            None)`` so the verdict can be explained; ``(None, None)`` when no
            version is allowed at all.
        """
        first: Selection | None = None
        for version in self.page(requirement.name).versions():
            try:
                if not requirement.specifier.contains(Version(version), prereleases=True):
                    continue
            except InvalidVersion:
                continue
            selection = self.select(requirement.name, version)
            first = first or selection
            if selection.selected is not None:
                candidate = self.candidate(requirement.name, version, selection, requirement.extras)
                return selection, candidate
        return first, None

    def candidates(self, name: str, requirements: Sequence[Requirement]) -> Iterator[Candidate]:
        """Versions allowed by every requirement that have a compatible wheel, newest first.

        The extras of all ``requirements`` are applied to the dependencies.
        """
        page = self.page(name)
        extras = sorted({extra for r in requirements for extra in r.extras})
        for version in page.versions():
            try:
                parsed = Version(version)
            except InvalidVersion:
                continue
            if not all(r.specifier.contains(parsed, prereleases=True) for r in requirements):
                continue
            selection = self.select(name, version)
            if selection.selected is not None:
                yield self.candidate(name, version, selection, extras)


class VariantProvider(AbstractProvider[Requirement, Candidate, str]):
    """The ``resolvelib`` provider: projects by normalized name, versions via :class:`Finder`."""

    def __init__(self, finder: Finder) -> None:
        self.finder = finder

    def identify(self, requirement_or_candidate: Requirement | Candidate) -> str:
        """The normalized project name."""
        return canonicalize_name(requirement_or_candidate.name)

    def get_preference(self, identifier: str, resolutions: Mapping[str, Candidate],
                       candidates: Mapping[str, Iterator[Candidate]], information: Mapping[str, Any],
                       backtrack_causes: Sequence[Any]) -> tuple[bool, int, str]:
        """Pinned (``==``) requirements first, then the most constrained projects; ties by name.

        A common installer heuristic (pip does the same): pins cannot move,
        so deciding them first narrows the search early.
        """
        infos = list(information[identifier])
        pinned = any(
            spec.operator in ("==", "===") and "*" not in spec.version
            for info in infos
            for spec in info.requirement.specifier
        )
        return (not pinned, -len(infos), identifier)

    def find_matches(
        self,
        identifier: str,
        requirements: Mapping[str, Iterator[Requirement]],
        incompatibilities: Mapping[str, Iterator[Candidate]],
    ) -> Callable[[], Iterator[Candidate]]:
        """Compatible candidates, newest first, lazily.

        A factory rather than an iterator: resolvelib turns an iterator into a
        list at once, while a factory is iterated only as far as needed, so
        older versions are examined only when the newer ones are ruled out.
        """
        wanted = list(requirements[identifier])
        bad = {c.version for c in incompatibilities[identifier]}
        return lambda: (c for c in self.finder.candidates(identifier, wanted) if c.version not in bad)

    def is_satisfied_by(self, requirement: Requirement, candidate: Candidate) -> bool:
        """Whether the candidate's version is allowed and its dependencies cover the requested extras."""
        return requirement.extras <= candidate.extras and requirement.specifier.contains(
            candidate.version, prereleases=True
        )

    def get_dependencies(self, candidate: Candidate) -> list[Requirement]:
        """The selected wheel's ``Requires-Dist`` whose markers (variant markers included) are true."""
        out = []
        for entry in candidate.requires:
            try:
                # the markers were evaluated already (variant markers included)
                with guard_recursion(candidate.filename, "Requires-Dist"):
                    out.append(Requirement(split_requirement(entry)[0]))
            except InvalidRequirement as exc:
                raise VariantError(
                    Violation("reference:wheel-layout", f"invalid Requires-Dist {quoted(entry)}: {exc}",
                              "", candidate.filename)
                ) from exc
        return out

    def narrow_requirement_selection(self, identifiers: Iterable[str], resolutions: Mapping[str, Any],
                                     candidates: Mapping[str, Any], information: Mapping[str, Any],
                                     backtrack_causes: Sequence[Any]) -> Iterable[str]:
        """No narrowing."""
        return identifiers


def resolve(requirements: Sequence[str], finder: Finder, max_rounds: int = 500) -> dict[str, Candidate]:
    """Resolve ``requirements`` (PEP 508 strings) to one candidate per project.

    Requirements whose markers are false in the target environment are dropped.

    :returns: ``{normalized name: candidate}``, dependencies before dependents,
        siblings by name (the same order in every process).
    :raises NoCompatibleWheel: a requested project has no compatible wheel at all.
    :raises ResolutionFailed: the constraints cannot be met together.
    """
    parsed: list[Requirement] = []
    for text in requirements:
        try:
            requirement = Requirement(text)
        except InvalidRequirement as exc:
            message = f"invalid requirement {quoted(text)}: {exc}"
            raise VariantError(Violation("reference:requirement", message)) from exc
        if requirement.marker is None or requirement.marker.evaluate(dict(finder.system.environment)):
            parsed.append(requirement)
    result = _resolve_once(parsed, finder, max_rounds)
    # abi_dependency properties are matched against the versions of the
    # resolution (providers:abi-matching), which are only known once it is
    # done: resolve again with those versions until the pins stop changing.
    for _ in range(3):
        if not _uses_abi_dependency(result.mapping.values()):
            break
        pins = {name: str(candidate.version) for name, candidate in result.mapping.items()}
        if pins == finder.resolution:
            break
        finder.resolution = pins
        result = _resolve_once(parsed, finder, max_rounds)
    order: dict[str, Candidate] = {}

    def visit(key: str) -> None:
        if key in order:
            return
        # resolvelib keeps a node's children in a set: sorted, the order is the
        # same whatever PYTHONHASHSEED is (tests/test_determinism.py)
        for child in sorted(c for c in result.graph.iter_children(key) if c is not None):
            visit(child)
        order[key] = result.mapping[key]

    for key in sorted(result.mapping):
        visit(key)
    return order


def _uses_abi_dependency(candidates: Iterable[Candidate]) -> bool:
    for candidate in candidates:
        metadata = candidate.selection.metadata
        if metadata is not None and any(ABI_DEPENDENCY in props for props in metadata.variants.values()):
            return True
    return False


def _resolve_once(requirements: list[Requirement], finder: Finder, max_rounds: int) -> Any:
    resolver: Resolver[Requirement, Candidate, str] = Resolver(VariantProvider(finder), BaseReporter())
    try:
        return resolver.resolve(requirements, max_rounds=max_rounds)
    except ResolutionImpossible as exc:
        causes = "; ".join(
            f"{c.requirement}" + (f" (required by {c.parent.name} {c.parent.version})" if c.parent else "")
            for c in exc.causes
        )
        cls = NoCompatibleWheel if all(c.parent is None for c in exc.causes) else ResolutionFailed
        raise cls(Violation("reference:resolution", f"no compatible wheel satisfies {causes}")) from exc
    except ResolutionTooDeep as exc:
        message = f"gave up after {exc.round_count} rounds"
        raise ResolutionFailed(Violation("reference:resolution", message)) from exc
