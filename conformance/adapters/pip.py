"""The ``pip`` adapter: the real pip, an installer that predates wheel variants.

PEP 825 relies on installers that do not know variants ignoring variant wheels
("Backward compatibility"): a variant wheel's filename has one component more
than PEP 427 allows, so such a tool skips it as an invalid filename and falls
back to the non-variant wheel, or to an older release, or fails with a clear
error when only variant wheels exist.  This adapter measures exactly that, so it
runs only the cases that require ``variant-unaware``; every other case checks
variant-aware behaviour and is skipped with that reason.

Each case runs ``python -m pip install --target <fresh dir>`` against the fixture
index and reads the identity files of what landed there.  pip is isolated from
the machine's configuration (``--isolated``, ``PIP_CONFIG_FILE=/dev/null``,
no ``PIP_*`` variables) and never reaches beyond the local disk or 127.0.0.1.

Adapter options: ``python`` (the interpreter whose pip runs; default: the
running one), ``index`` (``flat``, ``pep503`` or ``pep691`` when a case names
no index kind; default ``flat``), ``timeout`` (seconds per run; default 120).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from packaging.markers import default_environment
from packaging.tags import Tag, sys_tags

from conformance.adapters._tools import (
    clean_env,
    index_facts,
    index_url,
    installed_wheels,
    load_profile_data,
    profile_platforms,
    requirement_name,
    run_tool,
    system_mismatch,
    target_tags,
)
from conformance.adapters.base import AdapterInfo, Errored, Outcome, Result, Skipped, Workspace

__all__ = ["PipAdapter"]

#: pip chooses and installs wheels, from any index kind, knowing nothing of variants.
CAPABILITIES = frozenset(
    {"variant-unaware", "select", "install", "index.flat", "index.pep503", "index.pep691"}
)


class PipAdapter:
    """Runs the backward-compatibility cases through the real pip."""

    #: the ``--adapter-option`` keys this adapter reads
    OPTIONS: Mapping[str, str] = {
        "python": "interpreter whose pip runs (default: this one)",
        "index": "index kind when a case names none: flat, pep503 or pep691 (default flat)",
        "timeout": "seconds one pip run may take (default 120)",
    }

    def __init__(self, options: Mapping[str, str] | None = None) -> None:
        options = dict(options or {})
        self._python = options.get("python") or sys.executable
        self._default_kind = options.get("index", "flat")
        self._timeout = float(options.get("timeout", "120"))
        self._info: AdapterInfo | None = None

    def info(self) -> AdapterInfo:
        """pip's version (``pip X.Y from ...``) and its capabilities."""
        if self._info is None:
            done = subprocess.run(
                [self._python, "-m", "pip", "--version"],
                capture_output=True,
                text=True,
                check=True,
                timeout=60,
                env=clean_env(Path.cwd(), {"PIP_CONFIG_FILE": "/dev/null"}),
            )
            words = done.stdout.split()
            version = words[1] if len(words) > 1 else done.stdout.strip()
            # pip reads no variant metadata at all: no format version applies.
            self._info = AdapterInfo(
                name="pip", version=version, capabilities=CAPABILITIES, schema_versions=()
            )
        return self._info

    def run(self, op: str, input: Mapping[str, Any], workspace: Workspace) -> Outcome:
        """Install the case's requirement with pip and report what it chose."""
        if op not in ("select", "install"):
            return Skipped(f"pip offers no way to run a {op!r} case")
        if "variant-unaware" not in workspace.requires:
            return Skipped("pip predates wheel variants; this case checks variant-aware behaviour")
        try:
            return self._install(op, input, workspace)
        except subprocess.TimeoutExpired as exc:
            return Errored(f"pip did not finish within {exc.timeout} s: {exc.cmd}")
        except (OSError, KeyError, ValueError) as exc:
            return Errored(f"{type(exc).__name__}: {exc}")

    def _install(self, op: str, input: Mapping[str, Any], workspace: Workspace) -> Outcome:
        requirement = str(input["requirement"])
        name = requirement_name(requirement)
        if name is None:
            return Errored(f"cannot parse the requirement {requirement!r}")
        index_id = str(input["index"])
        flat = workspace.fixtures / index_id / "flat"
        profile = load_profile_data(workspace.profiles, str(input["profile"]))
        target_args, tags = _target(profile)
        reason = system_mismatch(
            profile,
            index_facts(flat, None if op == "install" else [name]),
            "pip",
            # pip evaluates dependency markers for the running interpreter, whatever the target
            environment={key: str(value) for key, value in default_environment().items()},
            tags=tags,
            markers_matter=op == "install",
        )
        if reason is not None:
            return Skipped(reason)

        target = workspace.tmp / "target"
        home = workspace.tmp / "home"
        home.mkdir(parents=True, exist_ok=True)
        argv = [
            self._python,
            "-m",
            "pip",
            "install",
            "--isolated",
            "--disable-pip-version-check",
            "--no-cache-dir",
            "--no-input",
            "--progress-bar",
            "off",
            "--only-binary",
            ":all:",
            "--target",
            str(target),
            *target_args,
        ]
        if op == "select":
            argv.append("--no-deps")
        # the option applies where the suite serves HTTP; a case naming a kind decides itself
        kind = workspace.index_kind() or (self._default_kind if workspace.base_url else "flat")
        if kind == "flat":
            argv += ["--no-index", "--find-links", str(flat)]
        else:
            argv += ["--index-url", index_url(workspace, index_id, kind)]
        argv.append(requirement)
        env = clean_env(home, {"PIP_CONFIG_FILE": "/dev/null", "PYTHONDONTWRITEBYTECODE": "1"})
        done = run_tool(argv, env, workspace.tmp, timeout=self._timeout)
        if "no such option" in done.stderr or "Failed to establish a new connection" in done.stderr:
            # the harness, not pip's verdict: a wrong command line or a dead loopback server
            return Errored(f"pip could not run the case as intended: {done.tail()}")
        installed = installed_wheels(target) if done.returncode == 0 else {}
        explanation = done.tail()
        if op == "select":
            return Result({"selected": installed.get(name), "explanation": explanation})
        return Result({"installed": installed, "error": done.returncode != 0, "explanation": explanation})


def _target(profile: Mapping[str, Any]) -> tuple[list[str], list[Tag]]:
    """pip options that install for the profile's Python and platforms, and the tags pip then uses.

    pip takes the platforms one by one (``--platform``, repeatable) and does not
    expand a glibc level to the older ones, so the profile's own list is passed.
    """
    wanted = profile.get("environment", {})
    version = str(wanted.get("python_full_version") or wanted.get("python_version") or "")
    platforms = profile_platforms(profile)
    if not version and platforms is None:
        return [], list(sys_tags())
    version = version or str(default_environment()["python_full_version"])
    short = "".join(version.split(".")[:2])
    args = ["--python-version", version, "--implementation", "cp", "--abi", f"cp{short}"]
    for platform in platforms or []:
        args += ["--platform", platform]
    return args, target_tags(version, platforms, expand=False) if platforms else list(sys_tags())
