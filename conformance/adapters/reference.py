"""The ``reference`` adapter: this project's reference implementation, in process.

Each op is mapped onto the reference's public API and nothing more; the
adapter only translates inputs (fixture ids to paths and URLs) and outputs
(exceptions to ``{"valid": false, "clauses": [...]}``).  If a part of the
reference is missing, the op answers :class:`Errored` naming it — the adapter
never reimplements the reference.

It must pass every case of the suite.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from conformance.adapters.base import (
    CAPABILITIES,
    AdapterInfo,
    Errored,
    Outcome,
    Result,
    Workspace,
    document_bytes,
)
from reference._toml import loads as _toml_loads

__all__ = ["ReferenceAdapter", "explain"]


class ReferenceAdapter:
    """Runs every op through :mod:`reference`.

    :param options: adapter options: ``plugin-timeout`` (seconds one provider
        plugin query may take, default 5).
    """

    #: the ``--adapter-option`` keys this adapter reads
    OPTIONS: Mapping[str, str] = {"plugin-timeout": "seconds one provider plugin query may take (default 5)"}

    def __init__(self, options: Mapping[str, str] | None = None) -> None:
        self.options = dict(options or {})
        self._runners: dict[Any, Any] = {}

    def info(self) -> AdapterInfo:
        """The reference declares every capability except ``variant-unaware``."""
        from importlib.metadata import PackageNotFoundError, version

        try:
            own = version("wheel-variant-conformance")
        except PackageNotFoundError:
            own = "0+unknown"
        return AdapterInfo(
            name="reference",
            version=own,
            capabilities=CAPABILITIES - {"variant-unaware"},
        )

    def run(self, op: str, input: Mapping[str, Any], workspace: Workspace) -> Outcome:
        """Dispatch *op* to the matching ``_op_*`` method."""
        handler = getattr(self, f"_op_{op}", None)
        if handler is None:
            return Errored(f"the reference adapter has no op {op!r}")
        return handler(input, workspace)  # type: ignore[no-any-return]

    # -- format layer ----------------------------------------------------------
    def _op_filename(self, input: Mapping[str, Any], workspace: Workspace) -> Outcome:
        from reference.errors import VariantError
        from reference.format.filename import parse_wheel_filename

        try:
            parsed = parse_wheel_filename(input["filename"])
        except VariantError as exc:
            return Result({"valid": False, "clauses": exc.clauses, "messages": _messages(exc)})
        return Result({"valid": True, "parsed": parsed.to_json()})

    def _op_validate(self, input: Mapping[str, Any], workspace: Workspace) -> Outcome:
        from reference.errors import VariantError
        from reference.format.metadata import load_metadata, parse_json_bytes

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                if "text" in input:  # the file's bytes, read as the CLI reads a file
                    document = parse_json_bytes(document_bytes(input), "input")
                else:
                    document = input["document"]
                load_metadata(document, kind=input["kind"], label=input.get("label"), source="input")
            except VariantError as exc:
                return Result({"valid": False, "clauses": exc.clauses, "messages": _messages(exc)})
        return Result({"valid": True, "warnings": [str(w.message) for w in caught]})

    def _op_combine(self, input: Mapping[str, Any], workspace: Workspace) -> Outcome:
        from reference.errors import VariantError
        from reference.format.combine import combine
        from reference.format.metadata import load_metadata

        try:
            documents = []
            for i, doc in enumerate(input["documents"]):
                # A document with one label may be a wheel's variant.json; with
                # several, it can only be an index-level file.
                label = _only_label(doc)
                kind = "wheel" if label is not None else "index"
                documents.append(load_metadata(doc, kind=kind, label=label, source=f"document #{i + 1}"))
            combined = combine(documents)
        except VariantError as exc:
            return Result({"consistent": False, "clauses": exc.clauses, "messages": _messages(exc)})
        return Result({"consistent": True, "result": json.loads(combined.dumps())})

    def _op_markers(self, input: Mapping[str, Any], workspace: Workspace) -> Outcome:
        from reference.selection.markers import (
            InvalidVariantMarker,
            VariantMarker,
            VariantMarkers,
            normalize_property_text,
        )

        markers = VariantMarkers(
            input["variant_label"],
            frozenset(normalize_property_text(p) for p in input["variant_properties"]),
        )
        try:
            result = VariantMarker(input["marker"]).evaluate(markers.environment())
        except InvalidVariantMarker as exc:
            return Result({"error": True, "clauses": [exc.clause], "message": str(exc)})
        return Result({"result": bool(result)})

    # -- selection, installation, pylock ---------------------------------------
    def _op_select(self, input: Mapping[str, Any], workspace: Workspace) -> Outcome:
        from reference.errors import VariantError

        try:
            selection, requires = self._select(input, workspace)
        except VariantError as exc:
            return Result({"selected": None, "error": True, "clauses": exc.clauses, "message": str(exc)})
        if selection is None:
            return Result({"selected": None, "ranked": []})
        return Result(_selection_json(selection, requires))

    def _op_install(self, input: Mapping[str, Any], workspace: Workspace) -> Outcome:
        from reference.errors import VariantError
        from reference.install.installing import install_wheel, target_scheme
        from reference.install.resolve import Finder, resolve

        system, options, location = self._setup(input, workspace)
        downloads = workspace.tmp / "downloads"
        scheme = target_scheme(workspace.tmp / "target")
        requirement = _requirement(input["requirement"])
        finder = Finder(
            _source(location), system, options, download_dir=downloads, top_level=[requirement.name]
        )
        try:
            chosen = resolve([input["requirement"]], finder)
            installed = {}
            for name, candidate in chosen.items():
                install_wheel(finder.local_path(candidate.link), scheme, dict(candidate.link.hashes))
                installed[name] = candidate.filename
        except (VariantError, OSError) as exc:
            clauses = list(getattr(exc, "clauses", []))
            return Result({"error": True, "clauses": clauses, "message": str(exc)})
        finally:
            finder.close()
        return Result({"installed": installed, "warnings": list(dict.fromkeys(finder.warnings))})

    def _op_pylock(self, input: Mapping[str, Any], workspace: Workspace) -> Outcome:
        from reference.errors import VariantError
        from reference.install.pylock import check_sources, load_lock, select_locked
        from reference.install.sources import Source

        system, options, _ = self._setup(input, workspace)
        plain = Source()
        downloads = workspace.tmp / "downloads"

        def fetch(wheel: Any) -> Path:
            return Path(plain.fetch_to(wheel.link(), downloads))

        try:
            lock = load_lock(workspace.locks / f"{input['lock']}.toml")
            results = select_locked(lock, system, options, fetch)
            check_sources(results, lock.source)  # what an install from the lock does
        except (VariantError, OSError) as exc:
            return Result({"error": True, "clauses": list(getattr(exc, "clauses", [])), "message": str(exc)})
        return Result(
            {
                "selected": {name: r.selection.selected for name, r in results.items()},
                "requires": {name: list(r.requires or []) for name, r in results.items()},
                "markers": {
                    name: (r.selection.markers.to_json() if r.selection.markers else None)
                    for name, r in results.items()
                },
            }
        )

    # -- shared -----------------------------------------------------------------
    def _setup(self, input: Mapping[str, Any], workspace: Workspace) -> tuple[Any, Any, dict[str, str]]:
        """The system (profile + plugin runner), the options and the index location of a case."""
        from reference.providers.plugins import PluginRunner
        from reference.providers.profiles import load_profile
        from reference.selection.system import SelectOptions, System

        profile_path = workspace.profiles / f"{input['profile']}.toml"
        profile = load_profile(profile_path)
        options = SelectOptions.from_json(input.get("options"))
        location = _index_location(input, workspace) if input.get("index") else {}
        # One runner per index, so provider environments are installed once per
        # session; its own trust check is set to this case's trust before use.
        key = tuple(sorted(location.items()))
        runner = self._runners.get(key)
        if runner is None:
            runner = PluginRunner(
                find_links=[location["find_links"]] if "find_links" in location else [],
                index_url=location.get("index_url"),
                timeout=float(self.options.get("plugin-timeout", "5")),
            )
            self._runners[key] = runner
        runner.trust = frozenset(options.trust)
        # The suite's well-behaved test plugin (fixtures/plugins/variant-test-provider)
        # answers from the profile this variable names: the simulated system
        # reaches a trusted plugin through the real plugin API. It gets a JSON
        # copy, which it reads on every Python (tomllib is 3.11+ only).
        plugin_profile = workspace.tmp / "profile-for-plugins.json"
        plugin_profile.write_text(json.dumps(_toml_loads(profile_path.read_text("utf-8"))))
        runner.environ["VARIANT_TEST_PROFILE"] = str(plugin_profile)
        return System(profile, plugin_runner=runner), options, location

    def _select(self, input: Mapping[str, Any], workspace: Workspace) -> tuple[Any, list[str] | None]:
        """The newest version allowed by the requirement with a compatible wheel (else the newest's verdict).

        PEP 825 "Installing a package from an index", steps 1-10, through
        :class:`reference.install.resolve.Finder`.
        """
        from reference.install.resolve import Finder

        system, options, location = self._setup(input, workspace)
        requirement = _requirement(input["requirement"])
        finder = Finder(
            _source(location),
            system,
            options,
            download_dir=workspace.tmp / "downloads",
            top_level=[requirement.name],
        )
        try:
            selection, candidate = finder.select_requirement(requirement)
            return selection, (candidate.requires if candidate is not None else None)
        finally:
            finder.close()

    def close(self) -> None:
        """Remove the provider-plugin environments created during the session."""
        for runner in self._runners.values():
            runner.close()
        self._runners.clear()


def explain(op: str, input: Mapping[str, Any], workspace: Workspace) -> str:
    """The reference's own explanation of its decision for a select/install case.

    Used by the plugin when a case fails, to show an installer maintainer why
    the reference chose what it chose.  Raises whatever goes wrong; the caller
    ignores errors.
    """
    from reference.selection.explain import explain_selection

    adapter = ReferenceAdapter()
    try:
        if op == "pylock":
            return ""
        selection, _ = adapter._select(input, workspace)
        return explain_selection(selection) if selection is not None else "no version matches the requirement"
    finally:
        adapter.close()


# ---------------------------------------------------------------------------
def _messages(exc: Exception) -> list[str]:
    violations = getattr(exc, "violations", None)
    if violations:
        return [str(v) for v in violations]
    return [str(exc)]


def _only_label(doc: Any) -> str | None:
    """A wheel's variant.json names exactly one label; use it when it does."""
    variants = doc.get("variants") if isinstance(doc, Mapping) else None
    if isinstance(variants, Mapping) and len(variants) == 1:
        return str(next(iter(variants)))
    return None


def _index_location(input: Mapping[str, Any], workspace: Workspace) -> dict[str, str]:
    """``find_links`` or ``index_url`` for the case's fixture index."""
    index = input["index"]
    kind = workspace.index_kind()
    if kind in ("pep503", "pep691") and workspace.base_url:
        folder = "simple" if kind == "pep503" else "json"
        return {"index_url": f"{workspace.base_url}{index}/{folder}/"}
    return {"find_links": str(Path(workspace.fixtures) / index / "flat")}


def _requirement(text: str) -> Any:
    from packaging.requirements import Requirement

    return Requirement(text)


def _source(location: Mapping[str, str]) -> Any:
    from reference.install.sources import open_source

    return open_source(find_links=location.get("find_links"), index_url=location.get("index_url"))


def _selection_json(selection: Any, requires: list[str] | None) -> dict[str, Any]:
    out: dict[str, Any] = {"selected": selection.selected, "ranked": list(selection.ranked)}
    if requires is not None:
        out["requires"] = list(requires)
    if selection.markers is not None:
        out["markers"] = selection.markers.to_json()
    out["warnings"] = list(selection.warnings)
    return out
