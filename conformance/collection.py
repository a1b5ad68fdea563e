"""Collecting the cases: case files become pytest items.

Each test of each case file ``<topic>/<behaviour>.json`` becomes one
:class:`CaseItem` whose case id ``<topic>/<behaviour>/<test>`` is stable.  This
module also owns the suite's command-line options, the capability check (a case
needing a capability the adapter neither has nor reaches indirectly is skipped,
``adapter pip lacks capability select``, followed by the adapter's word on why
when it gives one) and the adapter's known deviations
(``expectations/<adapter>.toml``).

An item's phases hand over to :mod:`conformance.running` (setup: run the case
through the adapter; call: the verdict) and to :mod:`conformance.reporting`
(what the report records, and what a failure shows).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conformance.adapters.base import OPS, AdapterInfo, Result
from conformance.reporting import (
    ADAPTER_PROPERTY,
    CASE_PROPERTY,
    OBSERVED_PROPERTY,
    PROJECTION_PROPERTY,
    adapter_record,
    case_record,
    failure_text,
    observed_record,
)
from conformance.running import RUNNER, SuiteError, check

__all__ = [
    "CASES",
    "CaseFile",
    "CaseItem",
    "Collection",
    "adapter_options",
    "add_options",
    "check_paths",
    "expectations_path",
    "lacking_reason",
    "load_deviations",
    "missing_capabilities",
    "register_markers",
]

_PACKAGE = Path(__file__).resolve().parent
DEFAULT_CASES = _PACKAGE / "cases"
EXPECTATIONS = _PACKAGE / "expectations"


# ---------------------------------------------------------------------------
# options and markers
# ---------------------------------------------------------------------------
def add_options(parser: pytest.Parser) -> None:
    """The suite's command-line options (group ``conformance``)."""
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
        help="known-deviations file, or the name of a bundled one such as 'reference' "
        "(default: the bundled conformance/expectations/<adapter name>.toml)",
    )
    group.addoption(
        "--write-expectations",
        metavar="FILE",
        help="after the run, write a stub expectations file for this adapter: the unsettled readings it "
        "does not follow (recorded) and its other failures (commented out, to decide); see docs/adapters.md",
    )
    group.addoption(
        "--fixtures-dir",
        metavar="DIR",
        help="use fixtures already built with 'python -m conformance build-fixtures DIR'",
    )


def register_markers(config: pytest.Config) -> None:
    """``conformance``, ``op_<op>`` and ``status_<status>``: every item carries one of each."""
    config.addinivalue_line("markers", "conformance: a conformance case (select with -m conformance)")
    for op in sorted(OPS):
        config.addinivalue_line("markers", f"op_{op}: a conformance case of op {op}")
    for status in ("final", "tentative", "unsettled", "reference"):
        config.addinivalue_line("markers", f"status_{status}: a conformance case of status {status}")


def adapter_options(config: pytest.Config) -> dict[str, str]:
    """The ``--adapter-option KEY=VALUE`` pairs."""
    options: dict[str, str] = {}
    for item in config.getoption("adapter_option") or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise pytest.UsageError(f"--adapter-option wants KEY=VALUE, got {item!r}")
        options[key.strip()] = value
    return options


# ---------------------------------------------------------------------------
# the cases and the known deviations (one per process)
# ---------------------------------------------------------------------------
@dataclass
class Collection:
    """The case files under one root, loaded and checked once, and the known deviations."""

    config: pytest.Config
    cases_root: Path
    _cases: dict[Path, list[Any]] | None = None
    _load_error: str | None = None
    _deviations: dict[str, str] | None = None

    @classmethod
    def from_config(cls, config: pytest.Config) -> Collection:
        cases = config.getoption("conformance_cases")
        return cls(config=config, cases_root=Path(cases).resolve() if cases else DEFAULT_CASES)

    def holds(self, path: Path) -> bool:
        """Whether *path* is a case file under the root."""
        if path.suffix != ".json":
            return False
        try:
            path.resolve().relative_to(self.cases_root)
        except ValueError:
            return False
        return True

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

    def deviations(self, adapter_name: str) -> dict[str, str]:
        """The known deviations of the adapter (read once)."""
        if self._deviations is None:
            self._deviations = load_deviations(self._deviations_path(adapter_name))
        return self._deviations

    def stale_deviations(self, adapter_name: str) -> list[str]:
        """Listed deviations naming no case under the root."""
        return sorted(set(load_deviations(self._deviations_path(adapter_name))) - self.all_case_ids())

    def _deviations_path(self, adapter_name: str) -> Path:
        """``--expectations`` (a file, or a bundled name), or ``expectations/<adapter name>.toml``."""
        given = self.config.getoption("expectations")
        return expectations_path(given) if given else EXPECTATIONS / f"{adapter_name}.toml"


def expectations_path(given: str) -> Path:
    """The file ``--expectations`` names: a path, or the name of a bundled file (``reference``).

    :raises pytest.UsageError: neither exists.
    """
    path = Path(given)
    if path.is_file():
        return path
    bundled = EXPECTATIONS / f"{given.removesuffix('.toml')}.toml"
    if "/" not in given and bundled.is_file():
        return bundled
    names = ", ".join(sorted(p.stem for p in EXPECTATIONS.glob("*.toml")))
    raise pytest.UsageError(
        f"--expectations {given}: no such file, and no bundled expectations of that name ({names})"
    )


def check_paths(config: pytest.Config) -> None:
    """Fail before the run on an ``--expectations`` that names nothing, or a
    ``--write-expectations`` file that exists (a stub never overwrites a curated file)."""
    given = config.getoption("expectations")
    if given:
        expectations_path(given)
    target = config.getoption("write_expectations")
    if target and Path(target).exists():
        raise pytest.UsageError(f"--write-expectations {target}: the file exists; remove it or name another")


CASES = pytest.StashKey[Collection]()


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


def missing_capabilities(case: Any, info: AdapterInfo) -> list[str]:
    """The capabilities *case* requires that the adapter neither declares nor reaches indirectly.

    A capability in :attr:`~conformance.adapters.base.AdapterInfo.indirect`
    hands the case to the adapter, which skips the cases it cannot turn.
    """
    return sorted(set(case.requires) - set(info.capabilities) - set(info.indirect))


def lacking_reason(info: AdapterInfo, missing: Sequence[str]) -> str:
    """The skip reason for *missing* capabilities, with the adapter's word on why (``limitations``)."""
    why = [info.limitations[cap] for cap in missing if info.limitations.get(cap)]
    reason = f"adapter {info.name} lacks capability {', '.join(missing)}"
    return reason + (f": {'; '.join(dict.fromkeys(why))}" if why else "")


# ---------------------------------------------------------------------------
# the pytest nodes
# ---------------------------------------------------------------------------
class CaseFile(pytest.File):
    """One ``<topic>/<behaviour>.json`` file: its tests are the items."""

    def collect(self) -> Iterator[CaseItem]:
        try:
            cases = self.config.stash[CASES].cases_in(self.path)
        except SuiteError as exc:
            raise self.CollectError(str(exc)) from None
        for case in cases:
            yield CaseItem.from_parent(self, name=case.id.rsplit("/", 1)[-1], case=case)


class CaseItem(pytest.Item):
    """One test of a case file, identified by its case id."""

    def __init__(self, *, case: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.outcome: Result | None = None
        self.info: AdapterInfo | None = None
        self.duration = 0.0
        for mark in ("conformance", f"op_{case.op}", f"status_{case.status}"):
            self.add_marker(mark)
        self.user_properties.append((CASE_PROPERTY, case_record(case)))

    def setup(self) -> None:
        """Skip on a missing capability, else run the case through the adapter."""
        runner = self.config.stash[RUNNER]
        _, info = runner.adapter()
        self.info = info
        self.user_properties.append((ADAPTER_PROPERTY, adapter_record(info)))
        missing = missing_capabilities(self.case, info)
        if missing:
            pytest.skip(lacking_reason(info, missing))
        self.outcome, self.duration = runner.run(self.case)
        if self.outcome.projection:
            self.user_properties.append((PROJECTION_PROPERTY, self.outcome.projection))

    def runtest(self) -> None:
        """Compare what the adapter observed with the case's expectation."""
        assert self.outcome is not None and self.info is not None
        observed = observed_record(self.case, self.outcome)
        if observed is not None:
            self.user_properties.append((OBSERVED_PROPERTY, observed))
        deviation = self.config.stash[CASES].deviations(self.info.name).get(self.case.id)
        check(self.case, self.outcome, self.info, deviation)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"case {self.case.id}"

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        text = failure_text(self.case, excinfo.value, self.outcome, self.config.stash[RUNNER])
        return text if text is not None else str(super().repr_failure(excinfo))
