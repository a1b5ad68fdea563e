"""Session-scoped pytest fixtures: built fixture indexes and a loopback server.

Register them with ``pytest_plugins = ["conformance.pytest_fixtures"]`` in a
``conftest.py``, or import the fixture functions into a test module.

- ``fixture_indexes``: every ``fixtures/indexes/*.toml`` built once per session
  into a temporary directory; the value is that directory (``Path``).
- ``fixture_server``: a :class:`~conformance.server.FixtureServer` serving it on
  127.0.0.1; index ``<id>`` is at ``fixture_server.url + "/<id>/simple/"`` (PEP 503)
  and ``"/<id>/json/"`` (PEP 691), files at ``"/<id>/flat/<filename>"``. It stops
  with the session, or earlier on its own limits (``VARIANT_FIXTURE_SERVER_SECONDS``,
  default 1800 s; ``VARIANT_FIXTURE_SERVER_REQUESTS``, default 100000).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance.fixtures import build_all
from conformance.server import FixtureServer

__all__ = ["fixture_indexes", "fixture_server"]


@pytest.fixture(scope="session")
def fixture_indexes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every fixture index, built once per session."""
    out = tmp_path_factory.mktemp("fixture-indexes")
    build_all(out)
    return out


@pytest.fixture(scope="session")
def fixture_server(fixture_indexes: Path) -> Iterator[FixtureServer]:
    """The built indexes served over HTTP on 127.0.0.1 for the whole session."""
    server = FixtureServer(
        fixture_indexes,
        max_seconds=float(os.environ.get("VARIANT_FIXTURE_SERVER_SECONDS", "1800")),
        max_requests=int(os.environ.get("VARIANT_FIXTURE_SERVER_REQUESTS", "100000")),
    )
    with server:
        yield server
