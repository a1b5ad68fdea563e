"""Running a case: the adapter call, what it runs against, and the verdict.

One :class:`Runner` per process (the controller and each pytest-xdist worker)
loads the adapter once, builds or reuses the fixtures, resolves the locks,
serves the fixtures over HTTP when a case needs an index server, and gives each
case a fresh :class:`~conformance.adapters.base.Workspace`.

- :meth:`Runner.run` asks the adapter to run a case (the item's *setup*): an
  :class:`~conformance.adapters.base.Errored` outcome, an exception escaping
  the adapter, or an answer that is no outcome raises :class:`AdapterError`;
  :class:`~conformance.adapters.base.Skipped` skips, and so does a result
  that cannot show a key the case compares
  (:attr:`~conformance.adapters.base.Result.observes`).
- :func:`check` compares the observed value with the case's ``expect``
  (:func:`conformance.compare.compare`; the item's *call*).  A known deviation
  of the adapter turns a mismatch into xfail, and a listed deviation that
  passes fails (strict).
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conformance.adapters.base import Adapter, AdapterInfo, Errored, Result, Skipped, Workspace
from conformance.adapters.registry import AdapterMisconfigured, AdapterNotFound, check_adapter, load_adapter
from conformance.compare import compare, compared_keys
from conformance.workspace import (
    FIXTURE_OPS,
    FIXTURE_SOURCES,
    HTTP_CAPABILITIES,
    PROFILES,
    built_fixtures,
    resolve_locks,
)

__all__ = ["RUNNER", "AdapterError", "CaseFailed", "Runner", "SuiteError", "check", "unobserved"]


class CaseFailed(AssertionError):
    """The observed outcome differs from the case's expectation."""


class AdapterError(Exception):
    """The adapter answered ``Errored`` or raised: a harness bug, not a verdict."""


class SuiteError(Exception):
    """The suite itself could not prepare the case (cases, fixtures, server)."""


@dataclass
class Runner:
    """The adapter and everything cases run against, created lazily, once per process."""

    config: pytest.Config
    adapter_spec: str
    options: dict[str, str]
    _adapter: Adapter | None = None
    _info: AdapterInfo | None = None
    _adapter_error: str | None = None
    _fixtures: Path | None = None
    _server: Any = None
    _base_url: str | None = None
    _locks: Path | None = None
    _exit: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)

    def adapter(self) -> tuple[Adapter, AdapterInfo]:
        """The loaded adapter and its info (a failure to load is remembered and repeated)."""
        if self._adapter_error is not None:
            raise SuiteError(self._adapter_error)
        if self._adapter is None or self._info is None:
            try:
                adapter = load_adapter(self.adapter_spec, self.options)
                info = adapter.info()
                try:
                    check_adapter(adapter, info, self.options)
                except AdapterMisconfigured:
                    with contextlib.suppress(Exception):
                        getattr(adapter, "close", lambda: None)()
                    raise
                self._info = info
                self._adapter = adapter
            except (AdapterNotFound, AdapterMisconfigured) as exc:
                self._adapter_error = f"--adapter {self.adapter_spec}: {exc}"
                raise SuiteError(self._adapter_error) from None
            except Exception as exc:
                self._adapter_error = (
                    f"adapter {self.adapter_spec!r} failed to start: {type(exc).__name__}: {exc}"
                )
                raise SuiteError(self._adapter_error) from exc
        return self._adapter, self._info

    def run(self, case: Any) -> tuple[Result, float]:
        """Run *case* through the adapter: its result and the seconds it took.

        :raises AdapterError: the adapter errored, raised or answered no outcome.
        :raises pytest.skip.Exception: the adapter skipped the case, or its
            result cannot show a key the case compares.
        """
        adapter, info = self.adapter()
        workspace = self.workspace(case)
        start = time.perf_counter()
        try:
            outcome = adapter.run(case.op, case.input, workspace)
        except Exception as exc:
            outcome = Errored(f"the adapter raised {type(exc).__name__}: {exc}")
        duration = time.perf_counter() - start
        if isinstance(outcome, Errored):
            raise AdapterError(outcome.context)
        if isinstance(outcome, Skipped):
            pytest.skip(f"adapter {info.name} skipped: {outcome.reason}")
        if not isinstance(outcome, Result):
            raise AdapterError(f"the adapter returned {outcome!r}, not Result/Skipped/Errored")
        unseen = unobserved(case, info, outcome)
        if unseen:
            pytest.skip(unseen)
        return outcome, duration

    def workspace(self, case: Any) -> Workspace:
        """A fresh workspace for *case*: built fixtures and a server only when its op needs them."""
        needs_fixtures = case.op in FIXTURE_OPS
        requires = frozenset(case.requires)
        try:
            fixtures = self.fixtures() if needs_fixtures else FIXTURE_SOURCES
            base_url = self.base_url() if needs_fixtures and requires & HTTP_CAPABILITIES else None
        except SuiteError:
            raise
        except Exception as exc:
            raise SuiteError(f"preparing the fixtures failed: {type(exc).__name__}: {exc}") from exc
        tmp = self.config._tmp_path_factory.mktemp("case", numbered=True)  # type: ignore[attr-defined]
        return Workspace(
            fixtures=fixtures,
            base_url=base_url,
            profiles=PROFILES,
            locks=self.locks() if needs_fixtures else FIXTURE_SOURCES / "locks",
            tmp=tmp,
            options=self.options,
            requires=requires,
            clauses=tuple(case.clauses),
        )

    def fixtures(self) -> Path:
        """The built fixtures: ``--fixtures-dir``, or built once per run and shared by its workers."""
        if self._fixtures is None:
            given = self.config.getoption("fixtures_dir")
            self._fixtures = Path(given).resolve() if given else self._shared_fixtures()
        return self._fixtures

    def _shared_fixtures(self) -> Path:
        base: Path = self.config._tmp_path_factory.getbasetemp()  # type: ignore[attr-defined]
        if hasattr(self.config, "workerinput"):
            base = base.parent  # shared by every worker of this run
        try:
            return built_fixtures(base, "conformance-fixtures")
        except Exception as exc:
            raise SuiteError(f"building the fixtures failed: {type(exc).__name__}: {exc}") from exc

    def locks(self) -> Path:
        """The fixture locks with their wheel URLs resolved against the built indexes."""
        if self._locks is None:
            base: Path = self.config._tmp_path_factory.getbasetemp()  # type: ignore[attr-defined]
            self._locks = resolve_locks(
                FIXTURE_SOURCES / "locks", self.fixtures(), base / "conformance-locks"
            )
        return self._locks

    def base_url(self) -> str:
        """The URL of a loopback server for the built fixtures, started on first use."""
        if self._base_url is None:
            from conformance.server import FixtureServer

            server = FixtureServer(self.fixtures(), max_requests=1_000_000, max_seconds=3600.0)
            self._server = self._exit.enter_context(server)
            self._base_url = server.url.rstrip("/") + "/"
        return self._base_url

    def close(self) -> None:
        """Stop the server and close the adapter."""
        self._exit.close()
        close = getattr(self._adapter, "close", None)
        if callable(close):
            with contextlib.suppress(Exception):
                close()


RUNNER = pytest.StashKey[Runner]()


def unobserved(case: Any, info: AdapterInfo, result: Result) -> str | None:
    """The skip reason when *result* cannot show a key the case compares (``Result.observes``)."""
    if result.observes is None:
        return None
    compared = compared_keys(case.op, case.expect, clause_ids="clause-ids" in info.capabilities)
    unseen = sorted(compared - result.observes)
    if not unseen:
        return None
    shown, compares = ", ".join(sorted(result.observes)), ", ".join(unseen)
    reason = f"adapter {info.name} skipped: what it ran shows only {shown}; the case compares {compares}"
    why = info.limitations.get(case.op)
    return reason + (f" ({why})" if why else "")


def check(case: Any, result: Result, info: AdapterInfo, deviation: str | None) -> None:
    """The verdict on *result*: return (pass), xfail (known deviation) or raise :class:`CaseFailed`.

    :param deviation: the reason *case* is a known deviation of the adapter, if listed.
    """
    clause_ids = "clause-ids" in info.capabilities
    problems = compare(case.op, case.expect, result.value, clause_ids=clause_ids)
    if deviation is not None:
        if problems:
            pytest.xfail(f"known deviation: {deviation}")
        raise CaseFailed(
            f"{case.id} is listed as a known deviation of {info.name} "
            f"({deviation}) but now passes: remove it from the expectations file"
        )
    if problems:
        raise CaseFailed("\n".join(problems))
