"""The reference reads its schemas from ``reference/schemas``, present in a checkout and in a wheel.

Top-level ``schemas/`` is the single source: in a checkout ``reference/schemas``
is a symbolic link to it; ``pyproject.toml`` packages ``reference/schemas/*.json``,
so an installed wheel carries copies. Building a wheel is too slow for the unit
tests; these check the pieces the build relies on.
"""

from __future__ import annotations

import sys
from pathlib import Path

import reference
from reference._toml import loads
from reference.format import _schema, metadata
from reference.providers import profiles

ROOT = Path(__file__).resolve().parent.parent


def test_schema_dir_is_inside_the_package() -> None:
    assert Path(_schema.SCHEMA_DIR).parent == Path(reference.__file__).resolve().parent
    assert metadata.SCHEMA_DIR == _schema.SCHEMA_DIR
    assert profiles.SCHEMA_PATH.parent == _schema.SCHEMA_DIR


def test_every_schema_the_reference_reads_is_there() -> None:
    for name in _schema._SCHEMA_FILES.values():
        assert (_schema.SCHEMA_DIR / name).is_file()
    assert profiles.SCHEMA_PATH.is_file()


def test_checkout_link_points_at_the_single_source() -> None:
    link = ROOT / "reference" / "schemas"
    if sys.platform != "win32":
        assert link.is_symlink()
    assert link.resolve() == (ROOT / "schemas").resolve()


def test_package_data_ships_the_schemas() -> None:
    config = loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "schemas/*.json" in config["tool"]["setuptools"]["package-data"]["reference"]
