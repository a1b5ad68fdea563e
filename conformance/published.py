"""Published provider plugins, fetched from the package registry for the plugin tests.

The pins live in ``pyproject.toml`` (``[project.optional-dependencies] plugins``),
the project's own declaration, as ``uv==0.13.9`` does under ``tools``; an
installed suite, which has no ``pyproject.toml``, reads them from its
distribution's metadata (``Requires-Dist: ...; extra == "plugins"``), written
from the same table. They are
not installed into the test environment (a plugin imported there would defeat the
isolation under test): :func:`published_wheels` downloads exactly those wheels
with pip, the ordinary client with this machine's registry configuration, into
a cache directory, and the reference's plugin runner installs them from there
into its own isolated targets when a test trusts them.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

from reference._toml import loads

__all__ = ["DISTRIBUTION", "PYPROJECT", "published_pins", "published_wheels"]

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


DISTRIBUTION = "wheel-variant-conformance"


def published_pins(pyproject: Path = PYPROJECT) -> list[str]:
    """The ``plugins`` extra: ``name==version`` each.

    From *pyproject* in a checkout (the source, current even before a reinstall),
    else from the installed distribution's metadata.
    """
    if pyproject.is_file():
        data = loads(pyproject.read_text(encoding="utf-8"))
        return [str(pin) for pin in data["project"]["optional-dependencies"]["plugins"]]
    pins = []
    for line in metadata.requires(DISTRIBUTION) or []:
        requirement = Requirement(line)
        if requirement.marker is not None and requirement.marker.evaluate({"extra": "plugins"}) \
                and not requirement.marker.evaluate({"extra": ""}):
            requirement.marker = None
            pins.append(str(requirement))
    return pins


def _cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    default = Path(base) / "variant-ref" / "published-plugins"
    return Path(os.environ.get("VARIANT_REF_PUBLISHED_PLUGINS", default))


def published_wheels(timeout: float = 300.0) -> Path:
    """A directory holding the wheels of :func:`published_pins` (downloaded once, then cached).

    :raises RuntimeError: pip could not download them (the message has pip's last lines).
    """
    pins = published_pins()
    target = _cache_root() / hashlib.sha256("\n".join(pins).encode()).hexdigest()[:16]
    if (target / ".complete").is_file():
        return target
    target.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
        "--no-deps", "--only-binary", ":all:", "--dest", str(target), *pins,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-5:])
        raise RuntimeError(f"downloading the published plugins failed ({' '.join(pins)}):\n{tail}")
    (target / ".complete").write_text("\n".join(pins) + "\n", encoding="utf-8")
    return target
