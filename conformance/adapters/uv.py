"""The ``uv`` adapter: drives the real uv binary with wheel variants enabled.

uv 0.13.9 implements PEP 825 behind ``--preview-features wheel-variants``.  It
reads variant wheels and ``{name}-{version}-variants.json`` from find-links
directories and simple indexes, honours ``static-properties`` (providers step
2), and reimplements a few provider plugins (NVIDIA, TPU, x86-64, AArch64:
providers step 4).  It runs no provider plugin and has no user static list
(step 3), no variant markers, no option to request a variant label and none to
enable an optional provider.

Every ``select``/``install`` case runs ``uv pip install --target <fresh dir>``
against the fixture index and reads what landed there (each fixture wheel
carries ``_variant_identity.json``).  ``select`` installs with ``--no-deps``;
``install`` lets uv resolve the dependencies too; ``pylock`` runs
``uv pip install -r pylock.toml``; ``variant-unaware`` cases run uv without
the preview feature (its default).  The profile's Python and platform become
``--python-version`` and ``--python-platform``; a case whose profile uv cannot
be told (its tags would judge the index's wheels differently, or a marker
variable the dependencies use differs) is skipped.

How a profile reaches uv (see ``docs/tools.md``):

- a namespace whose provider has ``static-properties``: nothing to do, uv reads
  the list from the metadata exactly as the reference does;
- ``nvidia`` (uv's built-in NVIDIA provider): the profile's ``[hardware]``
  ``cuda_driver_version`` and ``sm_arch`` become
  ``NV_VARIANT_PROVIDER_FORCE_CUDA_DRIVER_VERSION`` and
  ``NV_VARIANT_PROVIDER_FORCE_SM_ARCH``;
- ``tpu``: ``[hardware] tpu_present`` becomes ``TPU_VARIANT_PROVIDER_FORCE_PRESENT``;
- ``x86_64`` (uv's built-in x86-64 provider): a simulated CPU, the profile's
  ``[hardware] x86_64_level`` bind-mounted over ``/proc/cpuinfo`` in a user
  namespace (:mod:`conformance.adapters.simulated_cpu`); ``--python-platform``
  is then left out, since with it uv stops reading the CPU;
- a user static list (a case requiring ``providers.user-static``): projected,
  the lists published as ``static-properties`` in a rewritten copy of the
  index (:mod:`conformance.adapters.projection`), reported as ``projected``;
- any other namespace the profile supplies values for, or one whose provider
  uv does not implement: uv cannot be made to see it, and the case is skipped
  with that reason.

``filename`` and ``validate`` cases are observed through installs built for
them (:mod:`conformance.adapters.uv_format_rules`).

Adapter options (``--adapter-option KEY=VALUE``): ``uv`` (path of the binary;
default: the ``uv`` package's ``find_uv_bin()``), ``python`` (the interpreter
uv installs for; default: the running one), ``index`` (``flat``, ``pep503`` or
``pep691`` when a case names no index kind; default ``flat``), ``timeout``
(seconds per uv run; default 120), ``rank`` (``0``: do not observe uv's
ranking for ``select`` cases; default ``1``).

``ranked`` is observed, not computed: after uv has chosen, the chosen wheel is
removed from a copy of the find-links directory and uv is asked again (with
the requirement pinned to the chosen version), until it finds nothing.

A ``select`` case installs with ``--no-deps``, so uv is given a find-links
directory with only the requested project's files (``_tools.project_index``,
hard links): what it can choose from is the same, but it does not read the
other projects of a large index (the corpus index has 10,207 wheels), and
the copies the ranking makes hold one project, not the whole index.
"""

from __future__ import annotations

import contextlib
import copy
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w
from packaging.markers import default_environment
from packaging.tags import Tag, compatible_tags, cpython_tags, mac_platforms, platform_tags

from conformance.adapters import projection, simulated_cpu
from conformance.adapters._tools import (
    IndexFacts,
    Run,
    clean_env,
    index_facts,
    index_url,
    installed_wheels,
    load_profile_data,
    profile_platforms,
    project_index,
    requirement_name,
    run_tool,
    system_mismatch,
    target_tags,
)
from conformance.adapters.base import (
    AdapterInfo,
    Errored,
    Outcome,
    Result,
    Skipped,
    Workspace,
    document_bytes,
)
from conformance.adapters.uv_format_rules import Experiment, filename_experiment, validate_experiment
from conformance.adapters.uv_interpreter import InterpreterCache
from reference._toml import loads as toml_loads
from reference.format.filename import parse_wheel_filename

__all__ = ["Simulation", "UvAdapter", "simulate_profile"]

#: What uv 0.13.9 can do for the suite, declared honestly (see the module docstring).
#: ``variant-unaware``: uv without ``--preview-features wheel-variants``, its default.
CAPABILITIES = frozenset(
    {
        "select",
        "install",
        "pylock",
        "variant-unaware",
        "index.flat",
        "index.pep503",
        "index.pep691",
        "providers.static-metadata",
        "hardware.nvidia",
        "hardware.tpu",
        "hardware.x86_64",
    }
)

#: What uv lacks, but the adapter reaches for some cases: the user static list by
#: projection, filename and metadata rules through the outcome of an install.
INDIRECT = frozenset({"providers.user-static", "filename", "validate", "validate.text"})

#: Why uv 0.13.9 lacks the other capabilities (appended to the skip reasons).
LIMITATIONS = {
    "markers": "uv 0.13.9 implements no variant environment markers (its marker parser rejects "
    "variant_label, variant_namespaces, variant_features and variant_properties)",
    "combine": "uv 0.13.9 has no command that combines metadata documents, and with no index-level "
    "file it reads no wheel's variant.json",
    "abi-dependency": "uv 0.13.9 has no ABI dependency provider: it skips abi_dependency as an "
    "unsupported provider",
    "providers.plugin": "uv 0.13.9 never installs or runs provider plugins",
    "providers.optional": "uv 0.13.9 has no option to enable an optional provider",
    "clause-ids": "uv 0.13.9 reports messages, not clause ids",
    "filename": "uv 0.13.9 has no command that parses a filename: an install shows whether it takes a "
    "file for a wheel, not the components it read",
}

#: ``[hardware]`` keys of a profile and the uv variables they become.
NVIDIA_DRIVER = "NV_VARIANT_PROVIDER_FORCE_CUDA_DRIVER_VERSION"
NVIDIA_SM_ARCH = "NV_VARIANT_PROVIDER_FORCE_SM_ARCH"
TPU_PRESENT = "TPU_VARIANT_PROVIDER_FORCE_PRESENT"

#: uv 0.13.9's built-in providers: namespace -> the plugin-api it answers for
#: (observed: any other plugin-api, such as PyPI's provider-variant-x86-64, is
#: "Skipping unsupported wheel variant provider").
BUILTIN_PROVIDERS = {
    "nvidia": "nvidia_variant_provider.plugin:NvidiaVariantPlugin",
    "tpu": "tpu_variant_provider.plugin:TpuVariantPlugin",
    "x86_64": "x86_64_variant_provider",
    "aarch64": "aarch64_variant_provider",
}

#: The ``[hardware]`` key each built-in provider is simulated from.
_HARDWARE_KEYS = {"nvidia": "cuda_driver_version", "tpu": "tpu_present", "x86_64": "x86_64_level"}

#: Output that means the harness, not uv's verdict, went wrong: a command line uv
#: rejects (clap's usage error) or a loopback index server that does not answer.
_HARNESS_TROUBLE = ("For more information, try '--help'", "client error (Connect)")

#: uv refusing to install a lock for the interpreter it was given.
_LOCK_PYTHON = "which is incompatible with the `pylock.toml`'s Python requirement"

_UNSUPPORTED_PROVIDER = re.compile(r"Skipping unsupported wheel variant provider.*? for namespace `([^`]+)`")


def _machine_has_nvidia() -> bool:
    return Path("/proc/driver/nvidia").exists() or shutil.which("nvidia-smi") is not None


def _named_values(profile: Mapping[str, Any], namespace: str) -> bool:
    """Whether the profile supplies a non-empty static list for *namespace*."""
    features = profile.get("namespaces", {}).get(namespace)
    return isinstance(features, Mapping) and any(values for values in features.values())


@dataclass
class Simulation:
    """How a profile is shown to uv: variables to set and a CPU to simulate, or why it cannot be.

    :param env: environment variables for uv's built-in providers.
    :param cpuinfo: the ``/proc/cpuinfo`` text of a simulated CPU (``None``: the real one).
    :param skip: why uv cannot be made to see what the profile describes.
    """

    env: dict[str, str] = field(default_factory=dict)
    cpuinfo: str | None = None
    skip: str | None = None


def hardware_namespaces(profile: Mapping[str, Any], facts: IndexFacts) -> set[str]:
    """The namespaces served by a uv built-in provider that the profile's ``[hardware]`` steers."""
    hardware = profile.get("hardware", {})
    return {
        ns
        for ns, provider in facts.providers.items()
        if provider is not None
        and BUILTIN_PROVIDERS.get(ns) == _plugin_api(provider)
        and _HARDWARE_KEYS.get(ns, "") in hardware
    }


def simulate_profile(profile: Mapping[str, Any], facts: IndexFacts) -> Simulation:
    """How to make uv see *profile* for the namespaces the index uses."""
    sim = Simulation()
    hardware = profile.get("hardware", {})
    for namespace, provider in sorted(facts.providers.items()):
        if namespace not in facts.features:
            continue  # no variant uses it: nothing the profile says about it can matter
        if provider is not None and provider.get("optional"):
            continue  # disabled by default in uv and in the reference (providers step 1)
        if provider is not None and "static-properties" in provider:
            continue  # providers step 2: the metadata's own list, uv reads it too
        if provider is None:
            if _named_values(profile, namespace):
                sim.skip = (
                    f"the metadata declares no provider for namespace {namespace!r} (format 0.1.1), "
                    "so uv sees none of its properties, and uv has no user static list for the "
                    "profile's values"
                )
                return sim
            continue
        if BUILTIN_PROVIDERS.get(namespace) != _plugin_api(provider):
            # uv skips a provider it does not implement: it sees no property of it
            if _named_values(profile, namespace):
                sim.skip = (
                    f"uv has no user static list and does not implement the provider of namespace "
                    f"{namespace!r} ({_plugin_api(provider)}), so it cannot see the profile's values"
                )
                return sim
            continue
        if namespace == "nvidia":
            if "cuda_driver_version" in hardware:
                sim.env[NVIDIA_DRIVER] = str(hardware["cuda_driver_version"])
                if "sm_arch" in hardware:
                    sim.env[NVIDIA_SM_ARCH] = str(hardware["sm_arch"])
            elif _named_values(profile, namespace):
                sim.skip = "the profile lists nvidia properties but no [hardware] cuda_driver_version"
            elif _machine_has_nvidia():
                sim.skip = "uv's NVIDIA provider would read this machine's real GPU"
        elif namespace == "tpu":
            if hardware.get("tpu_present"):
                sim.env[TPU_PRESENT] = "1"
            elif _named_values(profile, namespace):
                sim.skip = "the profile lists tpu properties but no [hardware] tpu_present"
        elif namespace == "x86_64":
            sim.skip = _simulate_x86_64(profile, sim)
        elif _named_values(profile, namespace):  # aarch64
            sim.skip = (
                f"uv's built-in {namespace} provider reads the interpreter's auxiliary vector "
                "(AT_HWCAP), which cannot be simulated"
            )
        if sim.skip:
            return sim
    return sim


def _simulate_x86_64(profile: Mapping[str, Any], sim: Simulation) -> str | None:
    """Set *sim* up to show uv's x86-64 provider the profile's CPU; or why it cannot be.

    The simulated CPU carries the level's flags and the profile's ``on``
    features; uv reports only ``level`` from them (a recorded deviation from
    the published provider, which reports each feature as well).
    """
    if platform.machine() not in ("x86_64", "AMD64") or sys.platform != "linux":
        return "uv's x86-64 provider reads /proc/cpuinfo only for an x86-64 interpreter on Linux"
    cpuinfo = simulated_cpu.cpuinfo_text(profile)
    if cpuinfo is None:
        return "uv's x86-64 provider reads the CPU, and the profile describes none ([hardware] x86_64_level)"
    unavailable = simulated_cpu.namespaces_unavailable()
    if unavailable:
        return f"uv's x86-64 provider reads /proc/cpuinfo, which cannot be simulated here: {unavailable}"
    sim.cpuinfo = cpuinfo
    return None


def _plugin_api(provider: Mapping[str, Any]) -> str | None:
    """The provider's plugin-api, or the default inferred from ``requires`` (providers draft)."""
    if provider.get("plugin-api"):
        return str(provider["plugin-api"])
    requires = provider.get("requires")
    if isinstance(requires, list) and requires:
        name = requirement_name(str(requires[0]))
        return name.replace("-", "_") if name else None
    return None


def _option_skip(options: Mapping[str, Any]) -> str | None:
    """Why uv cannot run a case with these ``options``."""
    if options.get("variant"):
        return "uv 0.13.9 has no option to request a particular variant label"
    if options.get("enable_providers"):
        return "uv 0.13.9 has no option to enable an optional provider"
    if options.get("trust"):
        return "uv 0.13.9 never installs or runs provider plugins: it cannot trust one"
    return None


def _not_projected(workspace: Workspace) -> str | None:
    """Why a case about the provider lookup itself is not run with its user static list."""
    subject = projection.provider_step_subject(workspace.clauses)
    if subject is None:
        return None
    return (
        f"uv 0.13.9 has no user static list (providers step 3), and this case is about the provider "
        f"lookup itself ({subject}): its list is not projected into static-properties, and without "
        "it the case would not test what it is about"
    )


class UvAdapter:
    """Runs cases through the real uv binary."""

    #: the ``--adapter-option`` keys this adapter reads
    OPTIONS: Mapping[str, str] = {
        "uv": "path of the uv binary (default: the uv package's, else uv on PATH)",
        "python": "interpreter uv installs for (default: this one)",
        "index": "index kind when a case names none: flat, pep503 or pep691 (default flat)",
        "timeout": "seconds one uv run may take (default 120)",
        "rank": "0 to skip observing the ranking (one uv run per wheel)",
    }

    def __init__(self, options: Mapping[str, str] | None = None) -> None:
        options = dict(options or {})
        self._uv = options.get("uv") or _find_uv()
        self._python = options.get("python") or sys.executable
        self._default_kind = options.get("index", "flat")
        self._timeout = float(options.get("timeout", "120"))
        self._rank = options.get("rank", "1") not in ("0", "false", "no")
        self._info: AdapterInfo | None = None
        self._interpreter = InterpreterCache(self._uv, self._python, self._timeout)

    def close(self) -> None:
        """Forget uv's description of the interpreter (kept for the adapter's runs)."""
        self._interpreter.close()

    def info(self) -> AdapterInfo:
        """uv's version and what this adapter can make it do."""
        if self._info is None:
            done = subprocess.run(
                [self._uv, "--version"], capture_output=True, text=True, check=True, timeout=60
            )
            version = done.stdout.split()[1] if done.stdout.split()[1:] else done.stdout.strip()
            self._info = AdapterInfo(
                name="uv",
                version=version,
                capabilities=CAPABILITIES,
                indirect=INDIRECT,
                limitations=LIMITATIONS,
            )
        return self._info

    def run(self, op: str, input: Mapping[str, Any], workspace: Workspace) -> Outcome:
        """Run the case with uv and report what it did."""
        handlers = {
            "select": self._install,
            "install": self._install,
            "pylock": self._pylock,
            "filename": self._observe,
            "validate": self._observe,
        }
        handler = handlers.get(op)
        if handler is None:
            return Skipped(f"uv offers no way to run a {op!r} case: {LIMITATIONS.get(op, 'no such command')}")
        try:
            return handler(op, input, workspace)
        except subprocess.TimeoutExpired as exc:
            return Errored(f"uv did not finish within {exc.timeout} s: {exc.cmd}")
        except (OSError, KeyError, ValueError) as exc:
            return Errored(f"{type(exc).__name__}: {exc}")

    # -- select and install ------------------------------------------------------
    def _install(self, op: str, input: Mapping[str, Any], workspace: Workspace) -> Outcome:
        requirement = str(input["requirement"])
        name = requirement_name(requirement)
        if name is None:
            return Errored(f"cannot parse the requirement {requirement!r}")
        options = input.get("options") or {}
        reason = _option_skip(options)
        if reason is not None:
            return Skipped(reason)

        index_id = str(input["index"])
        flat = workspace.fixtures / index_id / "flat"
        # select: only the requested project matters; install: any project may be a dependency
        projects = None if op == "install" else [name]
        facts = index_facts(flat, projects)
        profile = load_profile_data(workspace.profiles, str(input["profile"]))
        if profile.get("installed") and "abi_dependency" in facts.providers:
            return Skipped(
                "the profile lists installed packages for abi_dependency, and uv 0.13.9 has no ABI "
                "dependency provider (it skips abi_dependency as an unsupported provider)"
            )
        preview = not options.get("no_variants") and "variant-unaware" not in workspace.requires
        projected = None
        if preview and "providers.user-static" in workspace.requires:
            if any(_named_values(profile, ns) for ns in facts.features):
                reason = _not_projected(workspace)
                if reason is not None:
                    return Skipped(reason)
            out = workspace.tmp / "projected" / index_id / "flat"
            user = projection.user_static_lists(profile)
            keep = hardware_namespaces(profile, facts)
            described = projection.project_directory(flat, out, user, keep, projects)
            if described:
                flat, projected = out, "; ".join(described)
                facts = index_facts(flat, projects)
        system = _system(profile, facts, preview, markers_matter=op == "install")
        if isinstance(system, Skipped):
            return system
        sim, target = system
        uv = _Invocation(self, workspace.tmp, target, sim, preview)
        with self._index(workspace, index_id, flat, None if op == "install" else [name]) as index_args:
            done, installed = uv.install(requirement, index_args, deps=op == "install")
        if any(sign in done.stderr for sign in _HARNESS_TROUBLE):
            return Errored(f"uv could not run the case as intended: {done.tail()}")
        unseen = sorted(
            ns for ns in set(_UNSUPPORTED_PROVIDER.findall(done.stderr)) if _named_values(profile, ns)
        )
        if unseen and projected is None:
            return Skipped(
                f"uv skipped the provider of namespace {', '.join(unseen)} (no built-in implementation "
                "matches its plugin-api) and has no user static list for the profile's values"
            )
        if op == "install":
            value: dict[str, Any] = {
                "installed": installed,
                "error": done.returncode != 0,
                "explanation": done.tail(),
            }
            return Result(value, projection=projected)
        selected = installed.get(name)
        value = {"selected": selected, "explanation": done.tail()}
        if self._rank:
            value["ranked"] = uv.ranking(name, selected, flat) if selected else []
        return Result(value, projection=projected)

    @contextlib.contextmanager
    def _index(
        self, workspace: Workspace, index_id: str, flat: Path, projects: list[str] | None = None
    ) -> Iterator[list[str]]:
        """uv's index options for the case: the find-links directory, or a loopback URL.

        A projected copy is served by a server of its own, on 127.0.0.1, for the run.

        :param projects: the only projects uv needs (a ``select`` runs with
            ``--no-deps``): a find-links directory then holds only their files.
        """
        # the option applies where the suite serves HTTP; a case naming a kind decides itself
        kind = workspace.index_kind() or (self._default_kind if workspace.base_url else "flat")
        if kind == "flat":
            if projects is not None and flat == workspace.fixtures / index_id / "flat":
                out = Path(tempfile.mkdtemp(prefix="find-links-", dir=workspace.tmp))
                flat = project_index(flat, projects, out)
            yield ["--no-index", "--find-links", str(flat), "--offline"]
        elif flat == workspace.fixtures / index_id / "flat":
            yield ["--index-url", index_url(workspace, index_id, kind)]
        else:
            from conformance.fixtures import republish
            from conformance.server import FixtureServer

            root = flat.parent
            shutil.copytree(workspace.fixtures / index_id / "json", root / "json", dirs_exist_ok=True)
            republish(root)
            with FixtureServer(root.parent, max_requests=10_000, max_seconds=self._timeout) as server:
                served = Workspace(
                    fixtures=root.parent, base_url=server.url.rstrip("/") + "/", profiles=workspace.profiles,
                    locks=workspace.locks, tmp=workspace.tmp,
                )
                yield ["--index-url", index_url(served, index_id, kind)]

    # -- pylock.toml ---------------------------------------------------------------
    def _pylock(self, op: str, input: Mapping[str, Any], workspace: Workspace) -> Outcome:
        """``uv pip install -r pylock.toml``: what uv installs from the lock."""
        options = input.get("options") or {}
        reason = _option_skip(options)
        if reason is not None:
            return Skipped(reason)
        lock = toml_loads((workspace.locks / f"{input['lock']}.toml").read_text(encoding="utf-8"))
        profile = load_profile_data(workspace.profiles, str(input["profile"]))
        projected = None
        if "providers.user-static" in workspace.requires:
            reason = _not_projected(workspace)
            if reason is not None:
                return Skipped(reason)
            user = projection.user_static_lists(profile)
            lock, described = projection.project_lock(
                lock, workspace.tmp / "projected-wheels", user, base=workspace.locks
            )
            projected = "; ".join(described) or None
        facts = IndexFacts()
        for package in lock.get("packages", []):
            facts._add(package.get("variants-json"))
            facts.filenames += [_wheel_filename(w) for w in package.get("wheels", [])]
        preview = not options.get("no_variants")
        system = _system(profile, facts, preview, markers_matter=True)
        if isinstance(system, Skipped):
            return system
        sim, target = system
        # uv takes pylock.toml or pylock.<name>.toml; written in a directory of its own, not
        # uv's working directory, so a relative path resolved against the latter is seen
        path = workspace.tmp / "lock" / "pylock.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        moved = _move_relative_paths(lock, workspace.locks, path.parent)
        path.write_text(tomli_w.dumps(moved), encoding="utf-8")
        uv = _Invocation(self, workspace.tmp, target, sim, preview)
        done, installed = uv.install(None, ["--no-index", "--offline", "-r", str(path)], deps=False)
        if any(sign in done.stderr for sign in _HARNESS_TROUBLE):
            return Errored(f"uv could not run the case as intended: {done.tail()}")
        if _LOCK_PYTHON in done.stderr:
            return Skipped(
                "uv 0.13.9 installs a pylock.toml for the interpreter it runs with (--python-version "
                f"does not apply to a lock), and the lock's requires-python excludes {self._python_version()}"
            )
        if done.returncode != 0:  # nothing installed, as the reference reports a refused lock
            value: dict[str, Any] = {"selected": None, "requires": None, "error": True}
        else:
            requires = _installed_requires(uv.last_target, installed)
            value = {"selected": dict(installed), "requires": requires, "error": False}
        return Result({**value, "explanation": done.tail()}, projection=projected)

    def _python_version(self) -> str:
        done = subprocess.run(
            [self._python, "-c", "import platform; print(platform.python_version())"],
            capture_output=True, text=True, timeout=60, check=False,
        )
        return f"Python {done.stdout.strip() or '?'} ({self._python})"

    # -- filename and validate, through an install -----------------------------------
    def _observe(self, op: str, input: Mapping[str, Any], workspace: Workspace) -> Outcome:
        """Run a ``filename`` or ``validate`` case as the install built for it (uv_format_rules)."""
        if op == "filename":
            experiment = filename_experiment(str(input["filename"]))
        else:
            label = input.get("label")
            document = document_bytes(input) if "text" in input else input["document"]
            experiment = validate_experiment(str(input["kind"]), document, label)
        if isinstance(experiment, str):
            return Skipped(experiment)
        return self._run_experiment(experiment, workspace)

    def _run_experiment(self, experiment: Experiment, workspace: Workspace) -> Outcome:
        directory = Path(tempfile.mkdtemp(prefix="experiment-", dir=workspace.tmp))
        for filename, data in experiment.files.items():
            (directory / filename).write_bytes(data)
        uv = _Invocation(self, workspace.tmp, _Target([], {}, {}, []), Simulation(), preview=True)
        index_args = ["--no-index", "--find-links", str(directory), "--offline"]
        done, installed = uv.install(experiment.requirement, index_args, deps=False)
        found = experiment.verdict(done.stdout + "\n" + done.stderr, installed)
        if found is None:
            return Errored(
                f"inconclusive: uv neither accepted nor rejected {experiment.subject} in a way the "
                f"experiment recognizes: {done.tail()}"
            )
        accepted, evidence = found
        return Result({"valid": accepted, "explanation": evidence}, observes=frozenset({"valid"}))


def _system(
    profile: Mapping[str, Any], facts: IndexFacts, preview: bool, markers_matter: bool
) -> tuple[Simulation, _Target] | Skipped:
    """How uv is shown the profile's system for *facts*, or why it cannot be."""
    # without the preview feature (its default) uv ignores variants: nothing to simulate
    sim = simulate_profile(profile, facts) if preview else Simulation()
    if sim.skip is not None:
        return Skipped(sim.skip)
    target = _target(profile, with_platform=sim.cpuinfo is None)
    if isinstance(target, str):
        return Skipped(target)
    reason = system_mismatch(
        profile, facts, "uv", environment=target.markers, tags=target.tags, markers_matter=markers_matter
    )
    return Skipped(reason) if reason is not None else (sim, target)


def _wheel_filename(wheel: Mapping[str, Any]) -> str:
    """A lock's wheel entry's file name: ``name``, else the last component of ``url`` / ``path``."""
    name = wheel.get("name") or wheel.get("url") or wheel.get("path") or ""
    return str(name).rsplit("/", 1)[-1]


def _move_relative_paths(lock: Mapping[str, Any], origin: Path, destination: Path) -> dict[str, Any]:
    """*lock* as written in *destination* instead of *origin*: relative wheel paths name the same files.

    The pylock.toml specification: "If a relative path is used it MUST be relative to the
    location of this file"; the lock uv reads is a copy in another directory.
    """
    moved = copy.deepcopy(dict(lock))
    for package in moved.get("packages", []):
        for wheel in package.get("wheels", []):
            relative = wheel.get("path")
            if isinstance(relative, str) and not os.path.isabs(relative):
                wheel["path"] = os.path.relpath(origin / relative, destination)
    return moved


def _installed_requires(target: Path | None, installed: Mapping[str, str]) -> dict[str, list[str]]:
    """``{name: Requires-Dist entries}`` of the distributions installed into *target*."""
    found: dict[str, list[str]] = {}
    if target is None:
        return found
    for metadata in sorted(target.glob("*.dist-info/METADATA")):
        lines = metadata.read_text(encoding="utf-8").splitlines()
        name = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("Name:")), None)
        key = requirement_name(name) if name else None
        if key is not None and key in installed:
            requires = (line for line in lines if line.startswith("Requires-Dist:"))
            found[key] = [line.split(":", 1)[1].strip() for line in requires]
    return found


class _Invocation:
    """uv runs for one case: the same target system and options, a fresh target each time."""

    def __init__(
        self, adapter: UvAdapter, tmp: Path, target: _Target, sim: Simulation, preview: bool
    ) -> None:
        self._adapter = adapter
        self._tmp = tmp
        self._target = target
        self._sim = sim
        self._preview = preview
        self.last_target: Path | None = None

    def install(
        self, requirement: str | None, index_args: list[str], deps: bool
    ) -> tuple[Run, dict[str, str]]:
        """Install *requirement* (or what *index_args* name) into a fresh directory;
        the run and ``{name: wheel}`` it installed."""
        destination = Path(tempfile.mkdtemp(prefix="target-", dir=self._tmp))
        self.last_target = destination
        cache_args, cache = self._adapter._interpreter.cache_args(self._tmp, self._sim.cpuinfo)
        home = self._tmp / "home"
        home.mkdir(parents=True, exist_ok=True)
        argv = [
            self._adapter._uv,
            "pip",
            "install",
            "--target",
            str(destination),
            "--python",
            self._adapter._python,
            *self._target.args,
            "--no-config",
            *cache_args,
            "--only-binary",
            ":all:",
            "--link-mode",
            "copy",
            "--color",
            "never",
            "--no-progress",
            "-v",
        ]
        if self._preview:
            argv += ["--preview-features", "wheel-variants"]
        if not deps:
            argv.append("--no-deps")
        argv += index_args
        if requirement is not None:
            argv.append(requirement)
        if self._sim.cpuinfo is not None:
            cpuinfo = self._tmp / "cpuinfo"
            cpuinfo.write_text(self._sim.cpuinfo, encoding="utf-8")
            argv = simulated_cpu.wrap(argv, cpuinfo)
        extra = {"UV_NO_CONFIG": "1", "UV_PYTHON_DOWNLOADS": "never", **self._target.env, **self._sim.env}
        env = clean_env(home, extra)
        try:
            done = run_tool(argv, env, self._tmp, timeout=self._adapter._timeout)
        finally:
            if cache is not None:
                shutil.rmtree(cache, ignore_errors=True)
        return done, installed_wheels(destination) if done.returncode == 0 else {}

    def ranking(self, name: str, selected: str, flat: Path) -> list[str]:
        """uv's own order of preference among the compatible wheels of the selected version.

        Observed, not computed: the chosen wheel is removed from a copy of the
        find-links directory and uv is asked again, until it finds nothing.
        """
        version = parse_wheel_filename(selected).version
        work = project_index(flat, [name], Path(tempfile.mkdtemp(prefix="ranking-", dir=self._tmp)))
        ranked = [selected]
        for _ in range(len(list(work.glob("*.whl")))):
            (work / ranked[-1]).unlink()
            _, installed = self.install(
                f"{name}=={version}", ["--no-index", "--find-links", str(work), "--offline"], deps=False
            )
            chosen = installed.get(name)
            if chosen is None or chosen in ranked:
                break
            ranked.append(chosen)
        return ranked


#: The glibc levels ``uv pip install --python-platform`` knows (``x86_64-manylinux_2_28``).
_UV_GLIBC = {17, 28, *range(31, 41)}
#: ``--python-platform <arch>-unknown-linux-gnu`` means glibc 2.28 (observed with uv 0.13.9).
_UV_LINUX_GLIBC = 28


@dataclass(frozen=True)
class _Target:
    """What uv is told about the profile's system, and what it then uses.

    :param args: ``--python-version`` and ``--python-platform``.
    :param env: environment variables that complete the platform (``MACOSX_DEPLOYMENT_TARGET``).
    :param markers: the marker environment uv evaluates dependencies with.
    :param tags: the supported tags uv uses, best first.
    """

    args: list[str]
    env: dict[str, str]
    markers: dict[str, str]
    tags: list[Tag]


def _target(profile: Mapping[str, Any], with_platform: bool = True) -> _Target | str:
    """How to make uv install for the profile's Python and platform; or why it cannot be told.

    :param with_platform: pass ``--python-platform`` for the profile's best platform
        tag uv can target.  ``False`` when uv must read this machine (a
        simulated CPU): with ``--python-platform`` uv 0.13.9 assumes a baseline
        CPU (it reports x86-64-v2) instead of reading ``/proc/cpuinfo``.
    """
    markers = {key: str(value) for key, value in default_environment().items()}
    wanted = profile.get("environment", {})
    version = str(wanted.get("python_full_version") or wanted.get("python_version") or "")
    platforms = profile_platforms(profile)
    if not version and (platforms is None or not with_platform):
        return _Target([], {}, markers, target_tags(markers["python_full_version"], None))
    version = version or markers["python_full_version"]
    args = ["--python-version", version]
    full = version if version.count(".") == 2 else f"{version}.0"
    markers.update(
        python_version=".".join(version.split(".")[:2]), python_full_version=full, implementation_version=full
    )
    if not with_platform or not platforms:
        return _Target(args, {}, markers, _tags(version, list(platform_tags())))
    for candidate in platforms:
        target = _platform_target(candidate, version)
        if target is not None:
            option, env, system, tags = target
            markers.update(system)
            return _Target([*args, "--python-platform", option], env, markers, tags)
    return (
        "the adapter knows no uv --python-platform (manylinux, linux or macOS targets) for the "
        f"profile's platforms ({', '.join(platforms[:3])}, ...)"
    )


def _platform_target(
    tag: str, version: str
) -> tuple[str, dict[str, str], dict[str, str], list[Tag]] | None:
    """uv's ``--python-platform`` for one platform tag, the variables and marker values
    it implies, and the tags uv then supports; ``None`` when uv has none."""
    linux = {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix"}
    match = re.fullmatch(r"manylinux_2_(\d+)_(x86_64|aarch64)", tag)
    if match and int(match[1]) in _UV_GLIBC:
        return f"{match[2]}-manylinux_2_{match[1]}", {}, {**linux, "platform_machine": match[2]}, target_tags(
            version, [tag]
        )
    match = re.fullmatch(r"linux_(x86_64|aarch64)", tag)
    if match:
        manylinux = f"manylinux_2_{_UV_LINUX_GLIBC}_{match[1]}"
        return f"{match[1]}-unknown-linux-gnu", {}, {**linux, "platform_machine": match[1]}, target_tags(
            version, [manylinux]
        )
    match = re.fullmatch(r"macosx_(\d+)_(\d+)_(x86_64|arm64)", tag)
    if match:
        arch = "aarch64" if match[3] == "arm64" else "x86_64"
        darwin = {"sys_platform": "darwin", "platform_system": "Darwin", "os_name": "posix"}
        macos = (int(match[1]), int(match[2]))
        return (
            f"{arch}-apple-darwin",
            {"MACOSX_DEPLOYMENT_TARGET": f"{macos[0]}.{macos[1]}"},
            {**darwin, "platform_machine": match[3]},
            _tags(version, list(mac_platforms(macos, match[3]))),
        )
    return None


def _tags(version: str, platforms: list[str]) -> list[Tag]:
    """The tags of CPython *version* on *platforms*, best first."""
    numbers = tuple(int(part) for part in version.split(".")[:2])
    interpreter = f"cp{numbers[0]}{numbers[1]}"
    return [
        *cpython_tags(numbers, [interpreter], platforms),
        *compatible_tags(numbers, interpreter, platforms),
    ]


def _find_uv() -> str:
    try:
        import uv
    except ImportError:
        found = shutil.which("uv")
        if found is None:
            raise RuntimeError("no uv binary: install 'uv' or pass --adapter-option uv=PATH") from None
        return found
    return str(uv.find_uv_bin())
