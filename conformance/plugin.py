"""The pytest plugin: conformance cases as pytest items, run through an adapter.

Installing the package registers this module as the pytest plugin
``conformance`` (entry point group ``pytest11``), so ``pytest --pyargs
conformance --adapter uv`` runs the shipped cases from any directory, and
``pytest --conformance-cases DIR DIR`` runs other ones.  With plugin
autoloading off (``PYTEST_DISABLE_PLUGIN_AUTOLOAD``), ``-p conformance`` loads
it.  The plugin stays inert in a session that collects no case file: it loads
an adapter only for a conformance case, or when ``--adapter`` or
``--adapter-option`` was given.

This module holds only the pytest hooks; the work is done by three parts:

- :mod:`conformance.collection`: options, case files -> items (one per test of
  each ``<topic>/<behaviour>.json``, case id ``<topic>/<behaviour>/<test>``),
  the capability check, the known deviations (``expectations/<adapter>.toml``);
- :mod:`conformance.running`: an item's *setup* asks the adapter to run the
  case (an ``Errored`` outcome or an exception escaping the adapter fails the
  setup, so pytest reports an **error**, never a pass or a failure; ``Skipped``
  skips); its *call* compares the observed value with the case's ``expect``
  (a listed deviation's mismatch is xfail, and a listed case that passes fails
  the run: strict);
- :mod:`conformance.reporting`: the outcome of each case (``passed``,
  ``projected``, ``failed``, ``skipped``, ``expected-deviation``,
  ``adapter-error``, and ``error`` for a broken suite, such as fixtures that
  cannot be built), what a failure shows, and the JSON report
  (:mod:`conformance.report`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance.collection import (
    CASES,
    CaseFile,
    CaseItem,
    Collection,
    adapter_options,
    add_options,
    check_paths,
    register_markers,
)
from conformance.reporting import ERROR_PROPERTY, ReportCollector
from conformance.running import RUNNER, AdapterError, Runner, SuiteError

_REPORT_PLUGIN = "conformance-report"


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    register_markers(config)
    if not hasattr(config, "workerinput"):
        check_paths(config)
    runner = Runner(config=config, adapter_spec=config.getoption("adapter"), options=adapter_options(config))
    config.stash[RUNNER] = runner
    config.stash[CASES] = Collection.from_config(config)
    config.pluginmanager.register(ReportCollector(config), _REPORT_PLUGIN)


def pytest_unconfigure(config: pytest.Config) -> None:
    runner = config.stash.get(RUNNER, None)
    if runner is not None:
        runner.close()


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    collection = parent.config.stash.get(CASES, None)
    if collection is None or not collection.holds(file_path):
        return None
    return CaseFile.from_parent(parent, path=file_path)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Fail fast, with a usage error, when ``--adapter`` names nothing loadable.

    Without this every collected case would report the same error. Under
    pytest-xdist the controller checks once; workers load the adapter lazily.
    The default adapter without options is not loaded here: the plugin is
    installed in every session of an environment that has the package, and
    must cost nothing where no conformance case runs.
    """
    config = session.config
    if hasattr(config, "workerinput"):
        return
    if config.getoption("adapter") == "reference" and not config.getoption("adapter_option"):
        return
    try:
        session.config.stash[RUNNER].adapter()
    except SuiteError as exc:
        raise pytest.UsageError(str(exc)) from None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Show adapter and suite errors of the setup phase as readable text, not a traceback,
    and mark the report with the kind of error (:data:`~conformance.reporting.ERROR_PROPERTY`)."""
    outcome: Any = yield
    excinfo = call.excinfo
    if (
        isinstance(item, CaseItem)
        and call.when == "setup"
        and excinfo is not None
        and isinstance(excinfo.value, (AdapterError, SuiteError))
    ):
        report = outcome.get_result()
        report.longrepr = item.repr_failure(excinfo)
        kind = "adapter" if isinstance(excinfo.value, AdapterError) else "suite"
        report.user_properties.append((ERROR_PROPERTY, kind))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """The deviations file must name only existing cases: a stale entry fails the run."""
    config = session.config
    collection = config.stash.get(CASES, None)
    collector = config.pluginmanager.get_plugin(_REPORT_PLUGIN)
    if collection is None or collector is None or hasattr(config, "workerinput") or not collector.adapter:
        return
    stale = collection.stale_deviations(collector.adapter["name"])
    if stale:
        collector.stale_deviations = stale
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
