"""Installing selected wheels with the PyPA ``installer`` library.

Two destinations:

- a target directory (``--target DIR``): every installation scheme path points
  under ``DIR`` (``purelib`` and ``platlib`` are ``DIR`` itself, as with
  ``pip install --target``);
- an interpreter, typically a virtual environment's (``--python PATH``): the
  scheme is that interpreter's own :func:`sysconfig.get_paths`, read by running
  it.

The wheel's hashes (from the index or the lock) are verified and its member
names checked (one relative path each, no ``..``: ``reference:safe-name``)
before anything is written. A request installs through
:class:`reference.install.staging.Staging`, so that a refused or interrupted
install leaves the destination as it was. ``installer`` copies every file of the ``.dist-info`` directory, so
``variant.json`` stays in the installed ``.dist-info`` (PEP 825 "Variant
metadata": the metadata "is stored inside the ``.dist-info`` directory").
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from installer import install
from installer.destinations import SchemeDictionaryDestination
from installer.exceptions import InstallerError
from installer.sources import WheelFile

from reference.errors import Violation
from reference.format.filename import parse_wheel_filename
from reference.install.pages import HashCheck
from reference.limits import UnsafeName, open_regular, quoted

__all__ = [
    "InstallError",
    "InstalledWheel",
    "Scheme",
    "install_wheel",
    "interpreter_scheme",
    "target_scheme",
]

INSTALLER_NAME = "variant-ref"

_SCHEME_SCRIPT = (
    "import json, sys, sysconfig; p = sysconfig.get_paths(); "
    "print(json.dumps({'paths': p, 'executable': sys.executable}))"
)


class InstallError(OSError):
    """A wheel could not be installed (bad archive, existing files, unusable interpreter)."""


@dataclass(frozen=True)
class Scheme:
    """Where each part of a wheel goes.

    :param paths: ``purelib``, ``platlib``, ``headers``, ``scripts``, ``data``
        (``headers`` gets the distribution name appended at install time).
    :param interpreter: the Python written into generated scripts.
    """

    paths: Mapping[str, str]
    interpreter: str


@dataclass(frozen=True)
class InstalledWheel:
    """One installed wheel: its filename and its ``.dist-info`` directory."""

    filename: str
    dist_info: Path


def target_scheme(directory: str | os.PathLike[str], interpreter: str = sys.executable) -> Scheme:
    """A scheme placing everything under ``directory`` (``--target``)."""
    root = Path(directory).absolute()
    return Scheme(
        {
            "purelib": str(root),
            "platlib": str(root),
            "headers": str(root / "include"),
            "scripts": str(root / "bin"),
            "data": str(root),
        },
        interpreter,
    )


def interpreter_scheme(python: str | os.PathLike[str]) -> Scheme:
    """The scheme of another interpreter (a virtual environment's ``python``).

    :raises InstallError: the interpreter cannot be run.
    """
    executable = str(Path(python).absolute())
    try:
        result = subprocess.run(
            [executable, "-I", "-c", _SCHEME_SCRIPT], capture_output=True, text=True, timeout=30, check=True
        )
        data = json.loads(result.stdout)
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        raise InstallError(f"cannot query the interpreter {executable}: {exc}") from exc
    paths = data["paths"]
    return Scheme(
        {
            "purelib": paths["purelib"],
            "platlib": paths["platlib"],
            "headers": paths.get("include", str(Path(paths["data"]) / "include")),
            "scripts": paths["scripts"],
            "data": paths["data"],
        },
        # scripts run the environment's interpreter as invoked, not the base one it links to
        executable,
    )


def install_wheel(
    wheel: str | os.PathLike[str],
    scheme: Scheme,
    hashes: Mapping[str, str] | None = None,
    *,
    overwrite: bool = False,
) -> InstalledWheel:
    """Install one wheel file into ``scheme``.

    :param hashes: ``{algorithm: hexdigest}`` from the index or lock, checked first.
    :param overwrite: replace files that already exist (else an error).
    :raises reference.install.pages.HashMismatch: the file does not match ``hashes``.
    :raises InstallError: the wheel cannot be installed.
    """
    path = Path(wheel)
    if hashes:
        check = HashCheck(hashes, path.name)
        with open_regular(path) as stream:
            while chunk := stream.read(1024 * 1024):
                check.update(chunk)
        check.verify()
    parsed = parse_wheel_filename(path.name)
    distribution = parsed.distribution
    paths = dict(scheme.paths)
    paths["headers"] = str(Path(paths["headers"]) / distribution)
    destination = SchemeDictionaryDestination(
        paths,
        interpreter=scheme.interpreter,
        script_kind="posix" if os.name != "nt" else "win-amd64",
        overwrite_existing=overwrite,
    )
    try:
        with WheelFile.open(path) as source:
            _check_members(source._zipfile.namelist(), path.name)
            source.validate_record()
            dist_info = source.dist_info_dir
            purelib = "root-is-purelib: true" in source.read_dist_info("WHEEL").lower()
            install(source, destination, {"INSTALLER": f"{INSTALLER_NAME}\n".encode()})
    except FileExistsError as exc:
        raise InstallError(f"{path.name}: {exc.filename or exc} already exists") from exc
    except (InstallerError, ValueError, KeyError, OSError, zipfile.BadZipFile, zlib.error,
            NotImplementedError, RuntimeError, EOFError) as exc:
        raise InstallError(f"{path.name}: cannot install: {exc}") from exc
    root = Path(paths["purelib"] if purelib else paths["platlib"])
    return InstalledWheel(path.name, root / dist_info)


def _check_members(names: list[str], source: str) -> None:
    """Every member name is a relative path without ``..``, ``\\`` or control characters.

    :raises UnsafeName: naming the member (``reference:safe-name``).

    Spec: reference:safe-name
    """
    for name in names:
        parts = name.rstrip("/").split("/")
        bad = (
            name.startswith("/") or "\\" in name or ":" in parts[0]
            or any(part in ("", ".", "..") for part in parts)
            or any(ord(c) < 32 or ord(c) == 127 for c in name)
        )
        if bad:
            message = f"member {quoted(name)} is not a relative path inside the wheel"
            raise UnsafeName(Violation("reference:safe-name", message, "wheel member", source))

