"""The pytest plugin: conformance cases as pytest items, run through an adapter.

``pytest conformance`` (``conformance/conftest.py`` registers this plugin) or
``pytest -p conformance.plugin --conformance-cases DIR DIR`` anywhere else.

Each test of each case file ``<topic>/<behaviour>.json`` becomes one item whose
case id ``<topic>/<behaviour>/<test>`` is stable.  An item runs in two phases:

- *setup*: skip when the adapter lacks a required capability (``adapter uv
  lacks capability install``), then ask the adapter to run the case.  An
  :class:`~conformance.adapters.base.Errored` outcome (or an exception escaping
  the adapter) fails the setup, so pytest reports an **error**, never a pass or
  a failure; a :class:`~conformance.adapters.base.Skipped` outcome skips.
- *call*: compare the observed value with the case's ``expect``.  A case listed
  in ``expectations/<adapter>.toml`` is an *expected deviation*: its mismatch is
  reported as xfail, and a listed case that passes fails the run (strict).

Outcomes in the report (:mod:`conformance.report`): ``passed``, ``failed``,
``skipped``, ``expected-deviation``, ``adapter-error`` (and ``error`` for a
broken suite, such as fixtures that cannot be built).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conformance.adapters import AdapterNotFound, load_adapter
from conformance.adapters.base import (
    OPS,
    Adapter,
    AdapterInfo,
    Errored,
    Outcome,
    Result,
    Skipped,
    Workspace,
)

__all__ = ["CaseFailed", "CaseItem", "compare", "load_deviations"]

_PACKAGE = Path(__file__).resolve().parent
_ROOT = _PACKAGE.parent
DEFAULT_CASES = _PACKAGE / "cases"
EXPECTATIONS = _PACKAGE / "expectations"
FIXTURE_SOURCES = _ROOT / "fixtures"

#: ops that run against the built fixture indexes.
_FIXTURE_OPS = frozenset({"select", "install", "pylock"})
_HTTP_CAPS = frozenset({"index.pep503", "index.pep691"})


class CaseFailed(AssertionError):
    """The observed outcome differs from the case's expectation."""


class AdapterError(Exception):
    """The adapter answered ``Errored`` or raised: a harness bug, not a verdict."""


class SuiteError(Exception):
    """The suite itself could not prepare the case (fixtures, server)."""


# ---------------------------------------------------------------------------
# options
# ---------------------------------------------------------------------------
def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "wheel-variant conformance suite")
    group.addoption(
        "--adapter",
        default="reference",
        help="implementation under test: a built-in name (reference, uv, pip, variantlib), "
        "an entry point of group wheel_variant_conformance.adapters, module:attr, "
        "path/to/file.py:attr, or command:./harness (default: reference)",
    )
    group.addoption(
        "--adapter-option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="option handed to the adapter (repeatable), e.g. uv=/path/to/uv",
    )
    group.addoption("--conformance-report", metavar="PATH", help="write a JSON report to PATH")
    group.addoption(
        "--conformance-cases",
        metavar="DIR",
        help="root of the case files (default: the cases shipped in conformance/cases)",
    )
    group.addoption(
        "--expectations",
        metavar="PATH",
        help="known-deviations file (default: conformance/expectations/<adapter name>.toml)",
    )
    group.addoption(
        "--fixtures-dir",
        metavar="DIR",
        help="use fixtures already built with 'python -m conformance build-fixtures DIR'",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "conformance: a conformance case (select with -m conformance)")
    for op in sorted(OPS):
        config.addinivalue_line("markers", f"op_{op}: a conformance case of op {op}")
    for status in ("final", "tentative", "unsettled"):
        config.addinivalue_line("markers", f"status_{status}: a conformance case of status {status}")
    options: dict[str, str] = {}
    for item in config.getoption("adapter_option") or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise pytest.UsageError(f"--adapter-option wants KEY=VALUE, got {item!r}")
        options[key.strip()] = value
    cases = config.getoption("conformance_cases")
    state = _State(
        config=config,
        adapter_spec=config.getoption("adapter"),
        options=options,
        cases_root=Path(cases).resolve() if cases else DEFAULT_CASES,
    )
    config.stash[_STATE] = state
    from conformance import report

    config.pluginmanager.register(report.ReportCollector(config), "conformance-report")


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(_STATE, None)
    if state is not None:
        state.close()


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    state = parent.config.stash.get(_STATE, None)
    if state is None or file_path.suffix != ".json":
        return None
    try:
        file_path.resolve().relative_to(state.cases_root)
    except ValueError:
        return None
    return CaseFile.from_parent(parent, path=file_path)


# ---------------------------------------------------------------------------
# session state (one per process: the controller and each xdist worker)
# ---------------------------------------------------------------------------
@dataclass
class _State:
    config: pytest.Config
    adapter_spec: str
    options: dict[str, str]
    cases_root: Path
    _cases: dict[Path, list[Any]] | None = None
    _load_error: str | None = None
    _adapter: Adapter | None = None
    _info: AdapterInfo | None = None
    _adapter_error: str | None = None
    _deviations: dict[str, str] | None = None
    _fixtures: Path | None = None
    _server: Any = None
    _base_url: str | None = None
    _locks: Path | None = None
    _exit: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)

    def cases_in(self, path: Path) -> list[Any]:
        """The cases of one file (all case files are loaded and checked once)."""
        if self._cases is None:
            from conformance.cases import load_cases

            self._cases = {}
            try:
                for case in load_cases(self.cases_root):
                    self._cases.setdefault(Path(case.file).resolve(), []).append(case)
            except Exception as exc:
                self._load_error = f"{type(exc).__name__}: {exc}"
        if self._load_error is not None:
            raise SuiteError(f"cannot load the cases under {self.cases_root}: {self._load_error}")
        return self._cases.get(path.resolve(), [])

    def all_case_ids(self) -> set[str]:
        """Every case id under the root (cheaply, without schema validation, if not loaded yet)."""
        if self._cases is not None:
            return {case.id for cases in self._cases.values() for case in cases}
        ids: set[str] = set()
        for path in sorted(self.cases_root.rglob("*.json")):
            behaviour = path.relative_to(self.cases_root).with_suffix("").as_posix()
            with contextlib.suppress(ValueError, OSError, TypeError, KeyError, AttributeError):
                ids.update(f"{behaviour}/{test['id']}" for test in json.loads(path.read_text())["tests"])
        return ids

    def adapter(self) -> tuple[Adapter, AdapterInfo]:
        if self._adapter_error is not None:
            raise SuiteError(self._adapter_error)
        if self._adapter is None or self._info is None:
            try:
                adapter = load_adapter(self.adapter_spec, self.options)
                self._info = adapter.info()
                self._adapter = adapter
            except AdapterNotFound as exc:
                self._adapter_error = f"--adapter {self.adapter_spec}: {exc}"
                raise SuiteError(self._adapter_error) from None
            except Exception as exc:
                self._adapter_error = (
                    f"adapter {self.adapter_spec!r} failed to start: {type(exc).__name__}: {exc}"
                )
                raise SuiteError(self._adapter_error) from exc
        return self._adapter, self._info

    def deviations(self, info: AdapterInfo) -> dict[str, str]:
        if self._deviations is None:
            path = self.config.getoption("expectations")
            self._deviations = load_deviations(Path(path) if path else EXPECTATIONS / f"{info.name}.toml")
        return self._deviations

    def fixtures(self) -> Path:
        if self._fixtures is None:
            given = self.config.getoption("fixtures_dir")
            self._fixtures = Path(given).resolve() if given else _shared_fixtures(self.config)
        return self._fixtures

    def locks(self) -> Path:
        """The fixture locks with their wheel URLs resolved against the built indexes."""
        if self._locks is None:
            base: Path = self.config._tmp_path_factory.getbasetemp()  # type: ignore[attr-defined]
            self._locks = resolve_locks(
                FIXTURE_SOURCES / "locks", self.fixtures(), base / "conformance-locks"
            )
        return self._locks

    def base_url(self) -> str:
        if self._base_url is None:
            from conformance.server import FixtureServer

            server = FixtureServer(self.fixtures(), max_requests=1_000_000, max_seconds=3600.0)
            self._server = self._exit.enter_context(server)
            self._base_url = server.url.rstrip("/") + "/"
        return self._base_url

    def close(self) -> None:
        self._exit.close()
        close = getattr(self._adapter, "close", None)
        if callable(close):
            with contextlib.suppress(Exception):
                close()


_STATE = pytest.StashKey[_State]()


def load_deviations(path: Path) -> dict[str, str]:
    """Read ``expectations/<adapter>.toml``: ``{case id: reason}``.

    The file holds one table per known deviation::

        [deviations."selection/null-fallback/only-null"]
        reason = "uv 0.13.9 prefers the non-variant wheel"
        issue = "https://github.com/astral-sh/uv/issues/NNNN"   # optional

    A missing file means no known deviations.
    """
    if not path.is_file():
        return {}
    from reference._toml import loads

    data = loads(path.read_text(encoding="utf-8"))
    result: dict[str, str] = {}
    for case_id, entry in (data.get("deviations") or {}).items():
        if isinstance(entry, str):
            result[case_id] = entry
        elif isinstance(entry, dict) and isinstance(entry.get("reason"), str):
            issue = entry.get("issue")
            result[case_id] = entry["reason"] + (f" ({issue})" if issue else "")
        else:
            raise pytest.UsageError(f"{path}: deviation {case_id!r} needs a reason")
    return result


def pytest_sessionstart(session: pytest.Session) -> None:
    """Fail fast, with a usage error, when ``--adapter`` names nothing loadable.

    Without this every collected case would report the same error. Under
    pytest-xdist the controller checks once; workers load the adapter lazily.
    """
    if hasattr(session.config, "workerinput"):
        return
    state = session.config.stash[_STATE]
    try:
        state.adapter()
    except SuiteError as exc:
        raise pytest.UsageError(str(exc)) from None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Show adapter and suite errors of the setup phase as readable text, not a traceback."""
    outcome: Any = yield
    excinfo = call.excinfo
    if (
        isinstance(item, CaseItem)
        and call.when == "setup"
        and excinfo is not None
        and isinstance(excinfo.value, (AdapterError, SuiteError))
    ):
        outcome.get_result().longrepr = item.repr_failure(excinfo)


def resolve_locks(source: Path, fixtures: Path, out: Path) -> Path:
    """Copy ``fixtures/locks/*.toml`` to *out*, ready for any implementation.

    ``fixtures/locks/README.md``: wheel URLs are relative to the built fixture
    index named by ``[tool.conformance] index``, and "A runner resolves them
    against the built index ... before handing the lock to an implementation";
    empty ``hashes`` are filled in from the built files (``manifest.json``).
    """
    import tomli_w

    from reference._toml import loads

    out.mkdir(parents=True, exist_ok=True)
    manifest_path = fixtures / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.is_file() else {}
    for path in sorted(source.glob("*.toml")):
        data = loads(path.read_text(encoding="utf-8"))
        index = data.get("tool", {}).get("conformance", {}).get("index")
        if isinstance(index, str):
            root = fixtures / index
            for package in data.get("packages", []):
                for wheel in package.get("wheels", []):
                    url = wheel.get("url")
                    if isinstance(url, str) and "://" not in url:
                        wheel["url"] = (root / url).resolve().as_uri()
                        digest = manifest.get(index, {}).get(url.rsplit("/", 1)[-1])
                        if not wheel.get("hashes") and digest:
                            wheel["hashes"] = {"sha256": digest}
        (out / path.name).write_text(tomli_w.dumps(data), encoding="utf-8")
    return out


# ---------------------------------------------------------------------------
# fixtures: built once per test run, shared by xdist workers through a lock
# ---------------------------------------------------------------------------
def _sources_digest() -> str:
    digest = hashlib.sha256()
    roots = [
        FIXTURE_SOURCES / "indexes",
        FIXTURE_SOURCES / "plugins",
        FIXTURE_SOURCES / "locks",
        _PACKAGE / "fixtures.py",
    ]
    for root in roots:
        files = sorted(root.rglob("*")) if root.is_dir() else [root]
        for path in files:
            if path.is_file():
                digest.update(str(path.relative_to(_ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _shared_fixtures(config: pytest.Config) -> Path:
    base: Path = config._tmp_path_factory.getbasetemp()  # type: ignore[attr-defined]
    if hasattr(config, "workerinput"):
        base = base.parent  # shared by every worker of this run
    target = base / f"conformance-fixtures-{_sources_digest()}"
    with _locked(base / "conformance-fixtures.lock"):
        if not (target / ".complete").is_file():
            partial = Path(tempfile.mkdtemp(prefix="fixtures-", dir=base))
            try:
                from conformance.fixtures import build_all

                build_all(partial)
            except Exception as exc:
                shutil.rmtree(partial, ignore_errors=True)
                raise SuiteError(f"building the fixtures failed: {type(exc).__name__}: {exc}") from exc
            (partial / ".complete").write_text("ok\n")
            shutil.rmtree(target, ignore_errors=True)
            partial.rename(target)
    return target


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # not POSIX: workers may each build; rename keeps it safe
        yield
        return
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# ---------------------------------------------------------------------------
# collection
# ---------------------------------------------------------------------------
class CaseFile(pytest.File):
    """One ``<topic>/<behaviour>.json`` file: its tests are the items."""

    def collect(self) -> Iterator[CaseItem]:
        state = self.config.stash[_STATE]
        try:
            cases = state.cases_in(self.path)
        except SuiteError as exc:
            raise self.CollectError(str(exc)) from None
        for case in cases:
            yield CaseItem.from_parent(self, name=case.id.rsplit("/", 1)[-1], case=case)


class CaseItem(pytest.Item):
    """One test of a case file, identified by its case id."""

    def __init__(self, *, case: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.outcome: Outcome | None = None
        self.info: AdapterInfo | None = None
        self.duration = 0.0
        for mark in ("conformance", f"op_{case.op}", f"status_{case.status}"):
            self.add_marker(mark)
        self.user_properties.append(("conformance_case", _case_summary(case)))

    # -- phases ---------------------------------------------------------------
    def setup(self) -> None:
        state = self.config.stash[_STATE]
        adapter, info = state.adapter()
        self.info = info
        self.user_properties.append(
            (
                "conformance_adapter",
                {"name": info.name, "version": info.version, "capabilities": sorted(info.capabilities)},
            )
        )
        missing = sorted(set(self.case.requires) - set(info.capabilities))
        if missing:
            pytest.skip(f"adapter {info.name} lacks capability {', '.join(missing)}")
        workspace = self._workspace(state)
        start = time.perf_counter()
        try:
            outcome = adapter.run(self.case.op, self.case.input, workspace)
        except Exception as exc:
            outcome = Errored(f"the adapter raised {type(exc).__name__}: {exc}")
        self.duration = time.perf_counter() - start
        self.outcome = outcome
        if isinstance(outcome, Errored):
            raise AdapterError(outcome.context)
        if isinstance(outcome, Skipped):
            pytest.skip(f"adapter {info.name} skipped: {outcome.reason}")
        if not isinstance(outcome, Result):
            raise AdapterError(f"the adapter returned {outcome!r}, not Result/Skipped/Errored")

    def runtest(self) -> None:
        assert isinstance(self.outcome, Result) and self.info is not None
        state = self.config.stash[_STATE]
        clause_ids = "clause-ids" in self.info.capabilities
        problems = compare(self.case.op, self.case.expect, self.outcome.value, clause_ids=clause_ids)
        deviation = state.deviations(self.info).get(self.case.id)
        if deviation is not None:
            if problems:
                pytest.xfail(f"known deviation: {deviation}")
            raise CaseFailed(
                f"{self.case.id} is listed as a known deviation of {self.info.name} "
                f"({deviation}) but now passes: remove it from the expectations file"
            )
        if problems:
            raise CaseFailed("\n".join(problems))

    # -- reporting ------------------------------------------------------------
    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"case {self.case.id}"

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        exc = excinfo.value
        if isinstance(exc, pytest.xfail.Exception):
            # a known deviation: its reason is the whole story (and formatting a
            # traceback for each costs ~0.3 s)
            return str(exc)
        if isinstance(exc, AdapterError):
            return f"adapter error in {self.case.id} (a harness bug, not a verdict):\n{exc}"
        if isinstance(exc, SuiteError):
            return f"suite error in {self.case.id}:\n{exc}"
        if isinstance(exc, CaseFailed):
            return self._explain_failure(str(exc))
        return str(super().repr_failure(excinfo))

    def _explain_failure(self, problems: str) -> str:
        case = self.case
        observed = self.outcome.value if isinstance(self.outcome, Result) else None
        lines = [
            f"case {case.id}: {case.description}",
            f"  file:     {case.file}",
            f"  status:   {case.status}" + (f" (reading: {case.reading})" if case.reading else ""),
            f"  request:  op={case.op} input={_dumps(case.input)}",
        ]
        inputs = case.input if isinstance(case.input, Mapping) else {}
        if "index" in inputs:
            lines.append(f"  index:    {inputs['index']} (fixtures/indexes/{inputs['index']}.toml)")
        if "lock" in inputs:
            lines.append(f"  lock:     {inputs['lock']} (fixtures/locks/{inputs['lock']}.toml)")
        if "profile" in inputs:
            lines.append(f"  profile:  {inputs['profile']} (fixtures/profiles/{inputs['profile']}.toml)")
        lines += [
            f"  expected: {_dumps(case.expect)}",
            f"  observed: {_dumps(observed)}",
            "mismatch:",
            *(f"  {line}" for line in problems.splitlines()),
            "clauses:",
            *(f"  {line}" for line in _clause_lines(case.clauses)),
            f"source: {case.source}",
        ]
        explanation = self._reference_explanation()
        if explanation:
            lines += ["the reference's explanation:", *(f"  {x}" for x in explanation.splitlines())]
        return "\n".join(lines)

    def _reference_explanation(self) -> str:
        if self.case.op not in _FIXTURE_OPS:
            return ""
        try:
            from conformance.adapters.reference import explain

            state = self.config.stash[_STATE]
            return explain(self.case.op, self.case.input, self._workspace(state))
        except Exception:
            return ""

    def _workspace(self, state: _State) -> Workspace:
        needs_fixtures = self.case.op in _FIXTURE_OPS
        requires = frozenset(self.case.requires)
        try:
            fixtures = state.fixtures() if needs_fixtures else FIXTURE_SOURCES
            base_url = state.base_url() if needs_fixtures and requires & _HTTP_CAPS else None
        except SuiteError:
            raise
        except Exception as exc:
            raise SuiteError(f"preparing the fixtures failed: {type(exc).__name__}: {exc}") from exc
        tmp = self.config._tmp_path_factory.mktemp("case", numbered=True)  # type: ignore[attr-defined]
        return Workspace(
            fixtures=fixtures,
            base_url=base_url,
            profiles=FIXTURE_SOURCES / "profiles",
            locks=state.locks() if needs_fixtures else FIXTURE_SOURCES / "locks",
            tmp=tmp,
            options=state.options,
            requires=requires,
        )


def _case_summary(case: Any) -> dict[str, Any]:
    return {
        "id": case.id,
        "file": str(case.file),
        "op": case.op,
        "status": case.status,
        "reading": case.reading,
        "clauses": list(case.clauses),
        "requires": sorted(case.requires),
    }


def _clause_lines(clause_ids: Sequence[str]) -> list[str]:
    try:
        from reference import clauses
    except ImportError:
        return list(clause_ids)
    lines = []
    for clause_id in clause_ids:
        entry = clauses.all_clauses().get(clause_id)
        if entry is None:
            lines.append(f"{clause_id} (not in the clause catalogue)")
        else:
            lines.append(f"{clause_id} [{entry.level}, {entry.document} '{entry.section}']: {entry.quote}")
    return lines


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=_jsonable)


# ---------------------------------------------------------------------------
# comparison
# ---------------------------------------------------------------------------
#: keys of ``expect`` that are informative only and never compared.
_INFORMATIVE = {
    "validate": {"warnings"},
    "select": {"clauses"},
    "install": {"clauses"},
    "pylock": {"clauses"},
}


def compare(
    op: str, expect: Mapping[str, Any], observed: Mapping[str, Any], *, clause_ids: bool
) -> list[str]:
    """The differences between an expectation and an observed value (empty: pass).

    Only keys present in *expect* are compared.  For an invalid input
    (``valid: false`` / ``consistent: false``) the observed ``clauses`` must
    share at least one id with the expected ones — unless the adapter cannot
    report clause ids (*clause_ids* false), when only validity is compared.
    Marker value sets are compared as sets; everything else exactly, as JSON.
    """
    if not isinstance(observed, Mapping):
        return [f"the adapter returned {type(observed).__name__}, not an object"]
    problems: list[str] = []
    invalid = expect.get("valid") is False or expect.get("consistent") is False
    for key, want in expect.items():
        if key in _INFORMATIVE.get(op, ()):
            continue
        if key == "clauses" and invalid:
            if not clause_ids:
                continue
            got = observed.get("clauses")
            if not isinstance(got, list) or not set(map(str, got)) & set(want):
                problems.append(f"clauses: expected at least one of {sorted(want)}, observed {_dumps(got)}")
            continue
        if key not in observed:
            problems.append(f"{key}: expected {_dumps(want)}, observed nothing (key missing)")
            continue
        got = observed[key]
        if not _equal(key, _normalize(want), _normalize(got)):
            problems.append(f"{key}: expected {_dumps(want)}, observed {_dumps(got)}")
    return problems


def _normalize(value: Any) -> Any:
    """JSON round-trip: tuples become lists, sets sorted lists, keys strings."""
    return json.loads(json.dumps(value, default=_jsonable))


def _jsonable(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    return str(value)


def _equal(key: str, want: Any, got: Any) -> bool:
    if isinstance(want, dict) and isinstance(got, dict):
        if key == "markers":
            return all(k in got and _same_set_or_value(v, got[k]) for k, v in want.items())
        if key in ("installed", "selected"):
            return _canonical_keys(want) == _canonical_keys(got)
        if key == "requires":  # pylock: {package: [requirements]}
            want, got = _canonical_keys(want), _canonical_keys(got)
            return want.keys() == got.keys() and all(_same_set_or_value(want[k], got[k]) for k in want)
    if key == "requires" and isinstance(want, list) and isinstance(got, list):
        return _same_set_or_value(want, got)
    return bool(want == got)


def _same_set_or_value(want: Any, got: Any) -> bool:
    if isinstance(want, list) and isinstance(got, list):
        return sorted(map(str, want)) == sorted(map(str, got))
    return bool(want == got)


def _canonical_keys(mapping: dict[str, Any]) -> dict[str, Any]:
    from packaging.utils import canonicalize_name

    return {canonicalize_name(k): v for k, v in mapping.items()}


# ---------------------------------------------------------------------------
# end of session: the deviations file must name only existing cases
# ---------------------------------------------------------------------------
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    state = config.stash.get(_STATE, None)
    collector = config.pluginmanager.get_plugin("conformance-report")
    if state is None or collector is None or hasattr(config, "workerinput") or not collector.adapter:
        return
    path = config.getoption("expectations")
    deviations = load_deviations(Path(path) if path else EXPECTATIONS / f"{collector.adapter['name']}.toml")
    stale = sorted(set(deviations) - state.all_case_ids())
    if stale:
        collector.stale_deviations = stale
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
