"""The ``uv`` adapter: drives the real uv binary with wheel variants enabled.

uv 0.13.9 implements PEP 825 behind ``--preview-features wheel-variants``.  It
reads variant wheels and ``{name}-{version}-variants.json`` from find-links
directories and simple indexes, honours ``static-properties`` (providers step
2), and reimplements a few provider plugins (NVIDIA, TPU, x86-64, AArch64:
providers step 4).  It runs no provider plugin and has no user static list
(step 3), no option to request a variant label and none to enable an optional
provider.

Every ``select``/``install`` case runs ``uv pip install --target <fresh dir>``
against the fixture index and reads what landed there (each fixture wheel
carries ``_variant_identity.json``).  ``select`` installs with ``--no-deps``;
``install`` lets uv resolve the dependencies too.  The profile's Python and
platform become ``--python-version`` and ``--python-platform``; a case whose
profile uv cannot be told (its tags would judge the index's wheels
differently, or a marker variable the dependencies use differs) is skipped.

How a profile is simulated (see ``docs/tools.md``):

- a namespace whose provider has ``static-properties``: nothing to do, uv reads
  the list from the metadata exactly as the reference does;
- ``nvidia`` (uv's built-in NVIDIA provider): the profile's ``[hardware]``
  ``cuda_driver_version`` and ``sm_arch`` become
  ``NV_VARIANT_PROVIDER_FORCE_CUDA_DRIVER_VERSION`` and
  ``NV_VARIANT_PROVIDER_FORCE_SM_ARCH``;
- ``tpu``: ``[hardware] tpu_present`` becomes ``TPU_VARIANT_PROVIDER_FORCE_PRESENT``;
- ``x86_64``: uv reads the real CPU, so the case runs only when the profile's
  ``x86_64_level`` is this machine's level;
- any other namespace the profile supplies values for (a user static list),
  or one whose provider uv does not implement: uv cannot be made to see it,
  and the case is skipped with that reason.

Adapter options (``--adapter-option KEY=VALUE``): ``uv`` (path of the binary;
default: the ``uv`` package's ``find_uv_bin()``), ``python`` (the interpreter
uv installs for; default: the running one), ``index`` (``flat``, ``pep503`` or
``pep691`` when a case names no index kind; default ``flat``), ``timeout``
(seconds per uv run; default 120), ``rank`` (``0``: do not observe uv's
ranking for ``select`` cases; default ``1``).

``ranked`` is observed, not computed: after uv has chosen, the chosen wheel is
removed from a copy of the find-links directory and uv is asked again (with
the requirement pinned to the chosen version), until it finds nothing.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from packaging.markers import default_environment
from packaging.tags import Tag, sys_tags

from conformance.adapters._tools import (
    IndexFacts,
    Run,
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
from reference.format.filename import parse_wheel_filename

__all__ = ["UvAdapter", "machine_x86_64_level", "simulate_profile"]

#: What uv 0.13.9 can do for the suite, declared honestly (see the module docstring).
CAPABILITIES = frozenset(
    {
        "select",
        "install",
        "index.flat",
        "index.pep503",
        "index.pep691",
        "providers.static-metadata",
        "hardware.nvidia",
        "hardware.tpu",
    }
)

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

#: Output that means the harness, not uv's verdict, went wrong: a command line uv
#: rejects (clap's usage error) or a loopback index server that does not answer.
_HARNESS_TROUBLE = ("For more information, try '--help'", "client error (Connect)")

_UNSUPPORTED_PROVIDER = re.compile(r"Skipping unsupported wheel variant provider.*? for namespace `([^`]+)`")

# x86-64 microarchitecture levels by the CPU flags /proc/cpuinfo reports
# (the psABI's level definitions; ``abm`` is how Linux spells LZCNT).
_X86_64_LEVELS = (
    (2, {"cx16", "lahf_lm", "popcnt", "sse4_1", "sse4_2", "ssse3"}),
    (3, {"avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe", "xsave"}),
    (4, {"avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"}),
)


@cache
def machine_x86_64_level() -> int | None:
    """This machine's x86-64 microarchitecture level (1-4), ``None`` off x86-64 Linux."""
    if default_environment()["platform_machine"] not in ("x86_64", "AMD64"):
        return None
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return None
    flags: set[str] = set()
    for line in text.splitlines():
        if line.startswith("flags"):
            flags = set(line.partition(":")[2].split())
            break
    level = 1
    for candidate, needed in _X86_64_LEVELS:
        if not needed <= flags:
            break
        level = candidate
    return level


def _machine_has_nvidia() -> bool:
    return Path("/proc/driver/nvidia").exists() or shutil.which("nvidia-smi") is not None


def _named_values(profile: Mapping[str, Any], namespace: str) -> bool:
    """Whether the profile supplies a non-empty static list for *namespace*."""
    features = profile.get("namespaces", {}).get(namespace)
    return isinstance(features, Mapping) and any(values for values in features.values())


def simulate_profile(profile: Mapping[str, Any], facts: IndexFacts) -> tuple[dict[str, str], str | None]:
    """How to make uv see *profile* for the namespaces the index uses.

    :returns: the environment variables to set, and a skip reason when uv
        cannot be made to see what the profile describes.
    """
    env: dict[str, str] = {}
    hardware = profile.get("hardware", {})
    for namespace, provider in sorted(facts.providers.items()):
        if provider is not None and provider.get("optional"):
            continue  # disabled by default in uv and in the reference (providers step 1)
        if provider is not None and "static-properties" in provider:
            continue  # providers step 2: the metadata's own list, uv reads it too
        if provider is None:
            if _named_values(profile, namespace):
                return env, (
                    f"the metadata declares no provider for namespace {namespace!r} (format 0.1.1), "
                    "so uv sees none of its properties, and uv has no user static list for the "
                    "profile's values"
                )
            continue
        if BUILTIN_PROVIDERS.get(namespace) != _plugin_api(provider):
            # uv skips a provider it does not implement: it sees no property of it
            if _named_values(profile, namespace):
                return env, (
                    f"uv has no user static list and does not implement the provider of namespace "
                    f"{namespace!r} ({_plugin_api(provider)}), so it cannot see the profile's values"
                )
            continue
        if namespace == "nvidia":
            if "cuda_driver_version" in hardware:
                env[NVIDIA_DRIVER] = str(hardware["cuda_driver_version"])
                if "sm_arch" in hardware:
                    env[NVIDIA_SM_ARCH] = str(hardware["sm_arch"])
            elif _named_values(profile, namespace):
                return env, "the profile lists nvidia properties but no [hardware] cuda_driver_version"
            elif _machine_has_nvidia():
                return env, "uv's NVIDIA provider would read this machine's real GPU"
        elif namespace == "tpu":
            if hardware.get("tpu_present"):
                env[TPU_PRESENT] = "1"
            elif _named_values(profile, namespace):
                return env, "the profile lists tpu properties but no [hardware] tpu_present"
        elif namespace == "x86_64":
            level = machine_x86_64_level()
            wanted = hardware.get("x86_64_level") if _named_values(profile, namespace) else None
            if level is not None and wanted != level:
                return env, (
                    f"uv's x86-64 provider reads the real CPU (x86-64-v{level} here); the profile "
                    + (f"describes x86-64-v{wanted}" if wanted else "names no x86-64 level")
                )
            if level is None and wanted is not None:
                return env, "uv's x86-64 provider reads the real CPU, and this machine is not x86-64"
            unsupported = sorted(facts.features.get(namespace, set()) - {"level"})
            if unsupported:
                return env, (
                    f"uv's x86-64 provider reports only the 'level' feature; the index also uses "
                    f"{', '.join(unsupported)}"
                )
        elif _named_values(profile, namespace):  # aarch64: uv reads the real CPU, not simulated
            return env, f"uv's built-in {namespace} provider reads this machine and cannot be steered"
    return env, None


def _plugin_api(provider: Mapping[str, Any]) -> str | None:
    """The provider's plugin-api, or the default inferred from ``requires`` (providers draft)."""
    if provider.get("plugin-api"):
        return str(provider["plugin-api"])
    requires = provider.get("requires")
    if isinstance(requires, list) and requires:
        name = requirement_name(str(requires[0]))
        return name.replace("-", "_") if name else None
    return None


class UvAdapter:
    """Runs ``select`` and ``install`` cases through the real uv binary."""

    def __init__(self, options: Mapping[str, str] | None = None) -> None:
        options = dict(options or {})
        self._uv = options.get("uv") or _find_uv()
        self._python = options.get("python") or sys.executable
        self._default_kind = options.get("index", "flat")
        self._timeout = float(options.get("timeout", "120"))
        self._rank = options.get("rank", "1") not in ("0", "false", "no")
        self._info: AdapterInfo | None = None

    def info(self) -> AdapterInfo:
        """uv's version and what this adapter can make it do."""
        if self._info is None:
            done = subprocess.run(
                [self._uv, "--version"], capture_output=True, text=True, check=True, timeout=60
            )
            version = done.stdout.split()[1] if done.stdout.split()[1:] else done.stdout.strip()
            self._info = AdapterInfo(name="uv", version=version, capabilities=CAPABILITIES)
        return self._info

    def run(self, op: str, input: Mapping[str, Any], workspace: Workspace) -> Outcome:
        """Install the case's requirement with uv and report what it chose."""
        if op not in ("select", "install"):
            return Skipped(f"uv offers no way to run a {op!r} case on its own")
        try:
            return self._install(op, input, workspace)
        except subprocess.TimeoutExpired as exc:
            return Errored(f"uv did not finish within {exc.timeout} s: {exc.cmd}")
        except (OSError, KeyError, ValueError) as exc:
            return Errored(f"{type(exc).__name__}: {exc}")

    # -- one case ---------------------------------------------------------------
    def _install(self, op: str, input: Mapping[str, Any], workspace: Workspace) -> Outcome:
        requirement = str(input["requirement"])
        name = requirement_name(requirement)
        if name is None:
            return Errored(f"cannot parse the requirement {requirement!r}")
        options = input.get("options") or {}
        if options.get("variant"):
            return Skipped("uv 0.13.9 has no option to request a particular variant label")
        if options.get("enable_providers"):
            return Skipped("uv 0.13.9 has no option to enable an optional provider")
        if options.get("trust"):
            return Skipped("uv 0.13.9 never installs or runs provider plugins: it cannot trust one")

        index_id = str(input["index"])
        flat = workspace.fixtures / index_id / "flat"
        # select: only the requested project matters; install: any project may be a dependency
        facts = index_facts(flat, None if op == "install" else [name])
        profile = load_profile_data(workspace.profiles, str(input["profile"]))
        if profile.get("installed") and "abi_dependency" in facts.providers:
            return Skipped("the profile lists installed packages; uv's view of them is not simulated")
        target = _target(profile)
        if isinstance(target, str):
            return Skipped(target)
        target_args, target_env, tags = target
        reason = system_mismatch(
            profile, facts, "uv", environment=target_env, tags=tags, markers_matter=op == "install"
        )
        if reason is not None:
            return Skipped(reason)
        env_extra, reason = simulate_profile(profile, facts)
        if reason is not None:
            return Skipped(reason)

        preview = not options.get("no_variants")
        # the option applies where the suite serves HTTP; a case naming a kind decides itself
        kind = workspace.index_kind() or (self._default_kind if workspace.base_url else "flat")
        if kind == "flat":
            index_args = ["--no-index", "--find-links", str(flat), "--offline"]
        else:
            index_args = ["--index-url", index_url(workspace, index_id, kind)]
        uv = _Invocation(self, workspace.tmp, target_args, env_extra, preview)
        done, installed = uv.install(requirement, index_args, deps=op == "install")
        if any(sign in done.stderr for sign in _HARNESS_TROUBLE):
            return Errored(f"uv could not run the case as intended: {done.tail()}")
        unseen = sorted(
            ns for ns in set(_UNSUPPORTED_PROVIDER.findall(done.stderr)) if _named_values(profile, ns)
        )
        if unseen:
            return Skipped(
                f"uv skipped the provider of namespace {', '.join(unseen)} (no built-in implementation "
                "matches its plugin-api) and has no user static list for the profile's values"
            )
        if op == "install":
            return Result({"installed": installed, "error": done.returncode != 0, "explanation": done.tail()})
        selected = installed.get(name)
        value: dict[str, Any] = {"selected": selected, "explanation": done.tail()}
        if self._rank:
            value["ranked"] = uv.ranking(name, selected, flat) if selected else []
        return Result(value)


class _Invocation:
    """uv runs for one case: the same target system and options, a fresh target each time."""

    def __init__(
        self, adapter: UvAdapter, tmp: Path, target_args: list[str], env: Mapping[str, str], preview: bool
    ) -> None:
        self._adapter = adapter
        self._tmp = tmp
        self._target_args = target_args
        self._env = env
        self._preview = preview
        self._runs = 0

    def install(self, requirement: str, index_args: list[str], deps: bool) -> tuple[Run, dict[str, str]]:
        """Install *requirement* into a fresh directory; the run and ``{name: wheel}`` it installed."""
        self._runs += 1
        destination = self._tmp / f"target-{self._runs}"
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
            *self._target_args,
            "--no-config",
            "--no-cache",
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
        argv += [*index_args, requirement]
        env = clean_env(home, {"UV_NO_CONFIG": "1", "UV_PYTHON_DOWNLOADS": "never", **self._env})
        done = run_tool(argv, env, self._tmp, timeout=self._adapter._timeout)
        return done, installed_wheels(destination) if done.returncode == 0 else {}

    def ranking(self, name: str, selected: str, flat: Path) -> list[str]:
        """uv's own order of preference among the compatible wheels of the selected version.

        Observed, not computed: the chosen wheel is removed from a copy of the
        find-links directory and uv is asked again, until it finds nothing.
        """
        version = parse_wheel_filename(selected).version
        work = self._tmp / "ranking"
        shutil.copytree(flat, work)
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


def _target(profile: Mapping[str, Any]) -> tuple[list[str], dict[str, str], list[Tag]] | str:
    """The uv options that install for the profile's Python and platform, the marker
    environment and tags uv then uses; or why uv cannot be told the profile's platform."""
    environment = {key: str(value) for key, value in default_environment().items()}
    wanted = profile.get("environment", {})
    version = str(wanted.get("python_full_version") or wanted.get("python_version") or "")
    platforms = profile_platforms(profile)
    if not version and platforms is None:
        return [], environment, list(sys_tags())
    version = version or environment["python_full_version"]
    args = ["--python-version", version]
    full = version if version.count(".") == 2 else f"{version}.0"
    environment.update(
        python_version=".".join(version.split(".")[:2]), python_full_version=full, implementation_version=full
    )
    platform = None
    for candidate in platforms or []:
        match = re.fullmatch(r"manylinux_2_(\d+)_(x86_64|aarch64)", candidate)
        if match and int(match[1]) in _UV_GLIBC:
            platform = candidate
            args += ["--python-platform", f"{match[2]}-manylinux_2_{match[1]}"]
            environment.update(
                platform_machine=match[2], sys_platform="linux", platform_system="Linux", os_name="posix"
            )
            break
    if platforms and platform is None:
        return f"uv has no --python-platform for the profile's platforms ({', '.join(platforms[:3])}, ...)"
    return args, environment, target_tags(version, [platform] if platform else None)


def _find_uv() -> str:
    try:
        import uv
    except ImportError:
        found = shutil.which("uv")
        if found is None:
            raise RuntimeError("no uv binary: install 'uv' or pass --adapter-option uv=PATH") from None
        return found
    return str(uv.find_uv_bin())
