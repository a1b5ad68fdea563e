"""The three requests of the command line, carried out: select, install and lock.

A :class:`Session` is the target system of a request: a profile (or the
running interpreter), the user's selection options, and a plugin runner that
installs trusted provider packages from the same source. Its methods are the
requests; each goes down the layers once (sources and resolution here, wheel
selection in :mod:`reference.selection`, the providers and the package
format below it) and returns data; printing is left to the caller
(:mod:`reference.cli.install`). Warnings gathered on the way are kept in
:attr:`Session.warnings`.

- :meth:`Session.select`: PEP 825 "Installing a package from an index" for one
  requirement, or "Installing a specific local wheel", or selection among the
  wheels of a lock (``pep825:pylock-resolve``);
- :meth:`Session.install`: resolve across the source (or take a lock's
  packages), verify hashes and install with the PyPA ``installer`` library;
- :meth:`Session.lock`: resolve and write a ``pylock.toml`` with
  ``[packages.variants-json]``.
"""

from __future__ import annotations

import hashlib
import tempfile
import urllib.parse
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from reference.errors import VariantError, Violation
from reference.format.model import VariantMetadata
from reference.format.wheel import read_variant_json
from reference.install.pages import FileLink
from reference.install.resolve import Candidate, Finder, resolve, selected_requires
from reference.install.sources import Source, open_source
from reference.limits import quoted
from reference.providers.plugins import PluginRunner
from reference.providers.profiles import Profile, load_profile
from reference.selection.markers import split_requirement
from reference.selection.result import Selection
from reference.selection.select import select_wheel
from reference.selection.system import SelectOptions, System

if TYPE_CHECKING:
    from reference.install.pylock import Lock, LockedWheel

# Installing (the PyPA installer library) and locks (tomli-w) are imported by
# the requests that need them, so that `variant-ref select` does not pay for them.

__all__ = ["Choice", "RequestError", "Session"]

_LOOPBACK = ("127.0.0.1", "localhost", "::1")

Plan = list[tuple[str, Path, dict[str, str]]]
"""What to install: ``(project, local wheel, hashes)`` in install order."""


class RequestError(Exception):
    """The request cannot be carried out as asked (a usage error, not invalid data)."""


@dataclass
class Choice:
    """The outcome of :meth:`Session.select`.

    :param selection: the selection among the wheels of the chosen version
        (``None`` when no version is allowed at all).
    :param requires: the selected wheel's ``Requires-Dist`` entries whose
        markers are true; ``None`` when no wheel was selected or read.
    :param extra: ``project``, ``version`` and ``url`` where known, for ``--json``.
    """

    selection: Selection | None
    requires: list[str] | None
    extra: dict[str, Any] = field(default_factory=dict)


class Session:
    """The target system of one request, and the requests themselves.

    :param find_links: a directory of wheels and ``-variants.json`` files.
    :param index_url: a PEP 503 / PEP 691 simple index.
    :param lock: a ``pylock.toml`` (for :meth:`select` and :meth:`install`).
    :param profile: the simulated system (TOML); ``None``: this interpreter.
    :param variant: consider only wheels with this label (requested projects only).
    :param no_variants: consider only non-variant wheels.
    :param enable_providers: namespaces whose optional provider is enabled.
    :param trust: provider plugin packages the user trusts (any spelling); an
        entry ``NAME @ URL`` trusts that package from that URL too
        (``reference:plugin-source``).
    :param plugin_timeout: seconds one plugin query may take.
    :raises reference.providers.profiles.InvalidProfile: the profile is invalid.

    Use as a context manager: leaving it removes the provider environments
    the plugin runner created.
    """

    def __init__(
        self,
        *,
        find_links: str | None = None,
        index_url: str | None = None,
        lock: str | None = None,
        profile: str | None = None,
        variant: str | None = None,
        no_variants: bool = False,
        enable_providers: Collection[str] = (),
        trust: Collection[str] = (),
        plugin_timeout: float = 30.0,
    ) -> None:
        self.find_links, self.index_url, self.lock_path = find_links, index_url, lock
        loaded = load_profile(profile) if profile else Profile.current()
        trusted, trusted_urls = _trusted(trust)
        self.options = SelectOptions(
            variant=variant,
            no_variants=no_variants,
            enable_providers=frozenset(enable_providers),
            trust=trusted,
        )
        self.runner = PluginRunner(
            find_links=[find_links] if find_links else [],
            index_url=index_url,
            timeout=plugin_timeout,
            trust=trusted,
            trusted_urls=trusted_urls,
        )
        self.system = System(loaded, plugin_runner=self.runner)
        self.warnings: list[str] = []

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.runner.close()

    def source(self) -> Source:
        """The find-links directory or index of this request."""
        return open_source(find_links=self.find_links, index_url=self.index_url)

    # ------------------------------------------------------------------ select

    def select(self, requirement: str) -> Choice:
        """The wheel an installer should choose for ``requirement`` (a requirement or a local wheel).

        :raises RequestError: the lock has no such package, or its marker excludes this system.
        """
        if self.lock_path:
            return self._select_locked(requirement)
        if requirement.endswith(".whl") and Path(requirement).is_file():
            return self._select_local(Path(requirement))
        return self._select_from_source(Requirement(requirement), self.source())

    def _select_from_source(self, requirement: Requirement, source: Source) -> Choice:
        """Newest version allowed by the requirement with a compatible wheel; else the newest's verdict.

        Spec: pep825:ordering-prefer-index-file
        """
        finder = Finder(source, self.system, self.options, top_level=[requirement.name])
        try:
            page = finder.page(requirement.name)
            selection, candidate = finder.select_requirement(requirement)
            extra: dict[str, Any] = {
                "project": page.project,
                "version": selection.version if selection is not None else None,
                "url": candidate.link.url if candidate is not None else None,
            }
            if page.missing:
                finder.warnings.append(f"{source.description} has no project {page.project}")
            elif not page.wheels:
                finder.warnings.append(
                    f"{source.description} has no wheels of {page.project}{source.empty_hint(page.project)}"
                )
            self.warnings += finder.warnings
            return Choice(selection, candidate.requires if candidate is not None else None, extra)
        finally:
            finder.close()

    def _select_local(self, path: Path) -> Choice:
        """PEP 825 "Installing a specific local wheel": tags, its own variant.json, properties."""
        def read_wheel_metadata(_name: str) -> VariantMetadata:
            return read_variant_json(path)

        selection = select_wheel([path.name], None, self.system, self.options, read_wheel_metadata)
        requires = None
        if selection.selected and selection.markers is not None:
            requires = selected_requires(path, selection.markers, self.system.environment)
        self.warnings += selection.warnings
        return Choice(selection, requires, {"url": path.absolute().as_uri()})

    def _select_locked(self, requirement: str) -> Choice:
        """Selection among the wheels a lock lists for the package, with its inlined metadata.

        Spec: pep825:pylock-resolve
        """
        from reference.install.pylock import Lock, load_lock, package_for, select_locked

        lock = load_lock(self.lock_path or "")
        name = Requirement(requirement).name
        package = package_for(lock, name)
        if package is None:
            raise RequestError(f"{self.lock_path} has no package {quoted(name)}")
        single = Lock((package,), lock.data, lock.source, lock.environments)
        with tempfile.TemporaryDirectory(prefix="variant-lock-") as tmp:
            results = select_locked(single, self.system, self.options, _reachable_fetch(single, Path(tmp)))
        if package.name not in results:
            raise RequestError(
                f"the marker of {quoted(package.name)} ({quoted(package.marker or '')}) does not hold on "
                "this system: the lock leaves the package out"
            )
        result = results[package.name]
        self.warnings += result.selection.warnings
        extra = {"project": package.name, "version": package.version}
        return Choice(result.selection, result.requires, extra)

    # ----------------------------------------------------------------- install

    def install(
        self, requirements: Sequence[str], *, target: str | None = None, python: str | None = None,
        no_deps: bool = False,
    ) -> dict[str, str]:
        """Resolve ``requirements`` (or the lock's packages) and install them into ``target`` or ``python``'s
        environment, hashes verified first.

        Atomic: every wheel is installed into a staging directory first and the
        files are moved into place only once all are there
        (:class:`reference.install.staging.Staging`); a refused or interrupted
        install leaves the destination as it was.

        :returns: ``{project: installed wheel filename}`` in install order.
        :raises reference.install.installing.InstallError: a wheel cannot be installed,
            or a file it holds exists already (nothing is installed then).
        """
        from reference.install.installing import interpreter_scheme, target_scheme
        from reference.install.staging import Staging

        scheme = target_scheme(target) if target else interpreter_scheme(python or "")
        with tempfile.TemporaryDirectory(prefix="variant-install-") as tmp:
            if self.lock_path:
                plan = self._plan_lock(requirements, Path(tmp))
            else:
                plan = self._plan_source(requirements, Path(tmp), no_deps)
            installed: dict[str, str] = {}
            # all or nothing: every wheel into a stage, then the stage into place
            with Staging(scheme) as staging:
                for name, path, hashes in plan:
                    staging.install(path, hashes)
                    installed[name] = path.name
                staging.commit()
        return installed

    def _plan_source(self, requirements: Sequence[str], tmp: Path, no_deps: bool) -> Plan:
        """Local wheels first (their dependencies join the requirements), then a resolution of the rest."""
        local = [r for r in requirements if r.endswith(".whl") and Path(r).is_file()]
        remaining = [r for r in requirements if r not in local]
        plan: Plan = []
        for path_text in local:
            choice = self._select_local(Path(path_text))
            if choice.selection is None or not choice.selection.selected:
                message = f"{path_text} is not compatible with this system"
                raise VariantError(Violation("reference:resolution", message))
            wheel = choice.selection.candidates[0].wheel
            assert wheel is not None  # selected, so parsed
            plan.append((wheel.distribution, Path(path_text), {}))
            if not no_deps:
                # markers (variant markers included) were evaluated for this wheel already
                remaining.extend(split_requirement(entry)[0] for entry in choice.requires or [])
        if remaining and not (self.find_links or self.index_url):
            raise RequestError("dependencies need --find-links or --index-url")
        if remaining:
            top = [Requirement(r).name for r in requirements if r not in local]
            finder = Finder(self.source(), self.system, self.options, download_dir=tmp, top_level=top)
            chosen = _newest_each(finder, remaining) if no_deps else resolve(remaining, finder)
            self.warnings += finder.warnings
            plan += [(n, finder.local_path(c.link), dict(c.link.hashes)) for n, c in chosen.items()]
        return plan

    def _plan_lock(self, requirements: Sequence[str], tmp: Path) -> Plan:
        """Every package of the lock whose marker applies, each from its listed wheels.

        Spec: pep825:pylock-resolve
        """
        from reference.install.pylock import check_sources, load_lock, package_for, select_locked

        lock = load_lock(self.lock_path or "")
        for text in requirements:
            if package_for(lock, Requirement(text).name) is None:
                raise RequestError(f"{self.lock_path} has no package {quoted(Requirement(text).name)}")
        fetch = _lock_fetcher(tmp)
        results = select_locked(lock, self.system, self.options, fetch)
        for result in results.values():
            self.warnings += result.selection.warnings
        check_sources(results, lock.source)
        plan: Plan = []
        for name, result in results.items():
            assert result.wheel is not None  # check_sources
            plan.append((name, fetch(result.wheel), dict(result.wheel.hashes)))
        return plan

    # -------------------------------------------------------------------- lock

    def lock(self, requirements: Sequence[str], *, selected_only: bool = False, prune: bool = True) -> str:
        """Resolve ``requirements`` and return a ``pylock.toml`` with ``[packages.variants-json]``.

        Spec: pep825:pylock-variants-json, pep825:pylock-retain-labels
        """
        from reference.install.pylock import dumps_lock

        with tempfile.TemporaryDirectory(prefix="variant-lock-") as tmp:
            top = [Requirement(r).name for r in requirements]
            finder = Finder(self.source(), self.system, self.options, download_dir=Path(tmp), top_level=top)
            chosen = resolve(requirements, finder)
            self.warnings += finder.warnings
            packages = [_lock_entry(finder, name, c, selected_only, prune) for name, c in chosen.items()]
        return dumps_lock({"lock-version": "1.0", "created-by": "variant-ref", "packages": packages})


def _trusted(trust: Collection[str]) -> tuple[frozenset[str], frozenset[tuple[str, str]]]:
    """The trusted names (normalized) and the ``(name, URL)`` pairs of ``--trust 'NAME @ URL'`` entries.

    :raises RequestError: an entry is neither a name nor ``NAME @ URL``.
    """
    names: set[str] = set()
    urls: set[tuple[str, str]] = set()
    for text in trust:
        try:
            requirement = Requirement(text)
        except InvalidRequirement as exc:
            message = f"--trust {quoted(text)} is neither a package name nor 'NAME @ URL': {exc}"
            raise RequestError(message) from None
        names.add(canonicalize_name(requirement.name))
        if requirement.url:
            urls.add((canonicalize_name(requirement.name), requirement.url))
    return frozenset(names), frozenset(urls)


def _newest_each(finder: Finder, requirements: Sequence[str]) -> dict[str, Candidate]:
    """``--no-deps``: for each requirement, its newest version with a compatible wheel."""
    chosen: dict[str, Candidate] = {}
    for text in requirements:
        requirement = Requirement(text)
        candidate = next(iter(finder.candidates(requirement.name, [requirement])), None)
        if candidate is None:
            raise VariantError(Violation("reference:resolution", f"no compatible wheel satisfies {text}"))
        chosen[candidate.name] = candidate
    return chosen


def _lock_entry(
    finder: Finder, name: str, candidate: Candidate, selected_only: bool, prune: bool
) -> dict[str, Any]:
    """The ``[[packages]]`` table of one resolved project: its wheels, hashes and variant metadata.

    Spec: pep825:pylock-variants-json
    """
    if selected_only:
        links = [candidate.link]
    else:
        links = finder.page(name).wheels_for(str(candidate.selection.version))
    metadata = candidate.selection.metadata
    if metadata is None and any(finder.page(name).parse(link.filename).is_variant for link in links):
        # variant wheels without metadata cannot be listed usefully
        links = [candidate.link]
    # pylock.toml lists a hash for every wheel: compute it where the source gave none
    links = [
        link if link.hashes else FileLink(link.filename, link.url, {"sha256": _sha256(finder, link)})
        for link in links
    ]
    from reference.install.pylock import package_entry

    version = candidate.selection.version or str(candidate.version)
    return package_entry(name, version, links, metadata, prune=prune)


def _sha256(finder: Finder, link: FileLink) -> str:
    return hashlib.sha256(finder.local_path(link).read_bytes()).hexdigest()


def _lock_fetcher(directory: Path) -> Callable[[LockedWheel], Path]:
    """Fetches a locked wheel once into ``directory``, hash-verified."""
    plain = Source()
    cache: dict[str, Path] = {}

    def fetch(wheel: LockedWheel) -> Path:
        if wheel.url not in cache:
            cache[wheel.url] = plain.fetch_to(wheel.link(), directory)
        return cache[wheel.url]

    return fetch


def _reachable_fetch(lock: Lock, directory: Path) -> Callable[[LockedWheel], Path] | None:
    """A fetcher if every listed wheel is local or on loopback; else ``None`` (nothing is read)."""
    for package in lock.packages:
        for wheel in package.wheels:
            parsed = urllib.parse.urlsplit(wheel.url)
            if parsed.scheme != "file" and parsed.hostname not in _LOOPBACK:
                return None
    return _lock_fetcher(directory)
