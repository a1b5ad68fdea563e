"""The provider plugin runner: steps 5 and 6 of the providers text.

Providers text, "Providers", step 6: "The tools MUST install the specified
provider packages and query them via the provider plugin API. The tools SHOULD
use an isolated virtual environment for that purpose."

:class:`PluginRunner` does exactly that, and nothing more:

1. the ``requires`` entries whose markers hold in the target environment are
   kept (``providers:requires-markers``);
2. every remaining package must be trusted, or nothing happens at all
   (``providers:step-5-trust``: the caller, :mod:`reference.providers.support`,
   checks this first; the runner checks again before touching anything);
3. the packages are installed with the running interpreter's ``pip`` into a
   fresh directory (``--target``, binary wheels only, never the public network:
   ``--no-index`` plus the find-links directories or the index the user gave);
   installed environments are kept in a cache (:mod:`reference.providers._plugin_cache`),
   keyed by the requirements, the wheels they come from and the interpreter;
4. a separate ``python -I`` process imports the API endpoint (``plugin-api``,
   or the default inferred from the first requirement) and calls
   ``get_supported_configs()``; it writes the result as JSON to a file (so a
   plugin printing to stdout cannot corrupt it), under a timeout. It first
   checks that the endpoint's ``get_supported_configs`` can be called without
   arguments and that the configs have ``name``, ``values`` and
   ``multi_value``; if not, it reports what it found and the runner raises
   :func:`~reference.providers.interface.api_mismatch`'s diagnosis;
5. the result is validated (``providers:plugin-configs``).

A crash, a hang, an install failure or invalid output raise
:class:`~reference.errors.ProviderError`; the caller turns that into "namespace
unsupported" with a warning.

Containment: ``pip`` and the query run in their own process group (a new
session), with standard output discarded and standard error written to a
file, so a child a plugin leaves behind can neither hold a pipe open (turning
a good answer into a timeout) nor outlive the query: the whole group is killed
when the query ends or times out. ``pip`` runs ``--isolated`` (no user
configuration can add an index), and a ``requires`` entry naming a URL or a
path is installed only if the user trusted that very URL
(``--trust 'NAME @ URL'``, ``reference:plugin-source``); otherwise a trusted
name comes only from the source of the request.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from packaging.markers import InvalidMarker, UndefinedEnvironmentName
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from reference.errors import ProviderError
from reference.format.model import ProviderInfo
from reference.format.properties import NAME_RE, VALUE_RE
from reference.limits import LimitExceeded, parse_json, quoted, read_regular
from reference.providers._plugin_cache import EnvironmentCache, default_cache_dir
from reference.providers.interface import FeatureConfig, api_mismatch, plugin_api, plugin_requirements

__all__ = [
    "FeatureConfig",
    "PluginRunner",
    "active_requirements",
    "parse_plugin_output",
    "plugin_api_for",
]

# Object reference notation of the entry points specification:
# "{import_path}(:{object_path})?", both dotted Python identifiers.
_OBJECT_REF_RE = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*(:[A-Za-z_]\w*(\.[A-Za-z_]\w*)*)?")

# Runs in the child process: argv = [target_dir, endpoint, output_file].
_RUNNER = r"""
import importlib, inspect, json, sys
sys.path.insert(0, sys.argv[1])
module, _, attrs = sys.argv[2].partition(":")
plugin = importlib.import_module(module)
for attr in filter(None, attrs.split(".")):
    plugin = getattr(plugin, attr)

def finish(out):
    with open(sys.argv[3], "w", encoding="utf-8") as f:
        json.dump(out, f, default=lambda o: {"unserializable": repr(o)})
    sys.exit(0)

def missing_attributes(configs):
    if not isinstance(configs, (list, tuple)):
        return []
    return sorted({a for c in configs for a in ("name", "values", "multi_value") if not hasattr(c, a)})

call = getattr(plugin, "get_supported_configs", None)
if not callable(call):
    finish({"api_mismatch": {"missing": True}})
try:
    signature = inspect.signature(call)
    signature.bind()
except TypeError:
    found = {"signature": str(signature)}
    try:  # the older WheelNext API: an instance method taking known_properties
        legacy = plugin().get_supported_configs(None) if inspect.isclass(plugin) else None
        found["legacy_missing"] = missing_attributes(legacy)
    except Exception as exc:
        found["legacy_error"] = type(exc).__name__
    finish({"api_mismatch": found})
except ValueError:
    pass  # no introspectable signature: just call it
configs = call()
if missing_attributes(configs):
    finish({"api_mismatch": {"attributes": missing_attributes(configs)}})
finish([
    {"name": c.name, "values": c.values, "multi_value": c.multi_value}
    for c in configs
] if isinstance(configs, (list, tuple)) else configs)
"""


def active_requirements(
    namespace: str, requires: Sequence[str], environment: Mapping[str, str]
) -> list[Requirement]:
    """The ``requires`` entries whose markers are true in ``environment``.

    Spec: providers:requires-markers ("the requirements for which the markers
    evaluate to false are filtered out"). Wraps
    :func:`reference.providers.interface.plugin_requirements`.

    :raises ProviderError: an entry is not a valid dependency specifier, or none remains.
    """
    info = ProviderInfo(namespace=namespace, requires=tuple(requires))
    try:
        return plugin_requirements(info, environment)
    except (InvalidMarker, UndefinedEnvironmentName) as exc:
        raise ProviderError(namespace, "invalid marker in requires", [str(exc)]) from exc


def plugin_api_for(info: ProviderInfo, environment: Mapping[str, str]) -> str:
    """The API endpoint: ``plugin-api``, or the default inferred from ``requires``.

    Spec: providers:plugin-api-default ("a default value is determined by
    normalizing the package name from the first dependency specifier in
    requires and then replacing all - characters with _"), via
    :func:`reference.providers.interface.plugin_api`; the result is checked against the
    object reference notation (providers:plugin-api-format).

    :raises ProviderError: no endpoint can be determined, or it is malformed.
    """
    if info.plugin_api is None:
        active_requirements(info.namespace, info.requires or (), environment)
    endpoint = plugin_api(info, environment)
    if not _OBJECT_REF_RE.fullmatch(endpoint):
        raise ProviderError(info.namespace, f"plugin-api {quoted(endpoint)} is not an object reference")
    return endpoint


def parse_plugin_output(namespace: str, data: Any) -> list[FeatureConfig]:
    """Validate the JSON form of ``get_supported_configs()``.

    Spec: providers:plugin-configs, providers:config-attributes. Extra
    attributes never reach this point (the runner reads only ``name``,
    ``values`` and ``multi_value``: providers:ignore-extra-attributes).

    :raises ProviderError: the output is not a list of valid feature configs.
    """
    if not isinstance(data, list):
        raise ProviderError(namespace, "get_supported_configs() did not return a list")
    configs: list[FeatureConfig] = []
    problems: list[str] = []
    seen: set[str] = set()
    for index, item in enumerate(data):
        name = item.get("name") if isinstance(item, dict) else None
        values = item.get("values") if isinstance(item, dict) else None
        multi = item.get("multi_value") if isinstance(item, dict) else None
        if not isinstance(name, str) or not NAME_RE.fullmatch(name):
            problems.append(f"config {index}: name {quoted(name)} is not a valid feature name")
            continue
        if name in seen:
            problems.append(f"config {index}: feature {quoted(name)} listed twice")
        seen.add(name)
        if not isinstance(values, list) or not all(
            isinstance(v, str) and VALUE_RE.fullmatch(v) for v in values
        ):
            problems.append(f"config {index}: values {quoted(values)} are not a list of valid feature values")
            continue
        if not isinstance(multi, bool):
            problems.append(f"config {index}: multi_value {quoted(multi)} is not a bool")
            continue
        configs.append(FeatureConfig(name, tuple(values), multi))
    if problems:
        raise ProviderError(namespace, "invalid get_supported_configs() output", problems)
    return configs


class PluginRunner:
    """Installs trusted provider packages in isolation and queries them in a child process.

    Implements the :class:`reference.providers.interface.PluginRunner` protocol: call it
    with ``(provider, environment)``; the packages it may run are the ``trust``
    given here (:mod:`reference.providers.support` checks trust first; this checks again).

    :param find_links: local directories to install provider packages from.
    :param index_url: a simple index to install them from (instead of / besides find-links).
    :param timeout: seconds one ``get_supported_configs()`` query may take.
    :param install_timeout: seconds one ``pip install`` may take.
    :param python: the interpreter used for installing and querying (default: this one).
    :param trust: names of trusted provider packages (any spelling).
    :param trusted_urls: ``(normalized name, URL)`` pairs the user trusted
        (``--trust 'NAME @ URL'``): the only direct references in ``requires``
        that are installed.
    :param environ: extra environment variables for the query process (the
        rest is inherited; ``-I`` drops the ``PYTHON*`` ones).
    :param cache_dir: where installed environments are kept between runs and
        shared between processes; ``None``: :func:`reference.providers._plugin_cache.default_cache_dir`
        (``$VARIANT_REF_PLUGIN_CACHE``, else the user cache directory, and only for
        find-links sources, whose wheels key the cache); ``False``: no cache.

    Use as a context manager (or call :meth:`close`) to remove the environments
    it created outside the cache. Each query still runs the plugin in a new process.
    """

    def __init__(
        self,
        *,
        find_links: Sequence[str] = (),
        index_url: str | None = None,
        timeout: float = 30.0,
        install_timeout: float = 180.0,
        python: str = sys.executable,
        trust: Collection[str] = (),
        environ: Mapping[str, str] | None = None,
        cache_dir: str | os.PathLike[str] | Literal[False] | None = None,
        trusted_urls: Collection[tuple[str, str]] = (),
    ) -> None:
        if not all(math.isfinite(t) and t > 0 for t in (timeout, install_timeout)):
            raise ValueError("plugin timeouts must be finite numbers of seconds above 0")
        self.trust = frozenset(trust)
        self.trusted_urls = frozenset((canonicalize_name(name), url) for name, url in trusted_urls)
        self.environ = dict(environ or {})
        self.find_links = [str(p) for p in find_links]
        self.index_url = index_url
        self.timeout = timeout
        self.install_timeout = install_timeout
        self.python = python
        self._root: Path | None = None
        self._environments: dict[tuple[str, ...], Path] = {}
        # (requirements, endpoint, extra environment) -> answer; the environment
        # is part of the key because a plugin may answer from it.
        self._results: dict[
            tuple[tuple[str, ...], str, tuple[tuple[str, str], ...]], list[FeatureConfig]
        ] = {}
        self.log: list[str] = []
        self._queries = 0
        if cache_dir is None:
            cache_dir = default_cache_dir(index_url=index_url)
        self._cache = EnvironmentCache(Path(cache_dir)) if cache_dir else None

    def __enter__(self) -> PluginRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Remove every environment this runner created."""
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None
            self._environments.clear()

    def __call__(self, provider: ProviderInfo, environment: Mapping[str, str]) -> list[FeatureConfig]:
        """:meth:`query` with the runner's own ``trust`` (the providers.PluginRunner protocol)."""
        return self.query(provider, environment, self.trust)

    def query(
        self, info: ProviderInfo, environment: Mapping[str, str], trusted: Collection[str]
    ) -> list[FeatureConfig]:
        """Supported features of ``info.namespace`` as the plugin reports them, best first.

        Spec: providers:step-5-trust, providers:step-6-install-query, providers:isolated-env

        :param info: the namespace's provider information (must have ``requires``).
        :param environment: PEP 508 marker environment for ``requires`` markers.
        :param trusted: package names the user trusts (any spelling).
        :raises ProviderError: untrusted package, install failure, crash, timeout, bad output.
        """
        namespace = info.namespace
        if not info.requires:
            raise ProviderError(namespace, "the provider has no requires entry to install")
        requirements = active_requirements(namespace, info.requires, environment)
        trusted_names = {canonicalize_name(name) for name in trusted}
        untrusted = sorted(str(n) for n in {canonicalize_name(r.name) for r in requirements} - trusted_names)
        if untrusted:
            # Step 5: "they MUST NOT install or use the provider packages".
            raise ProviderError(namespace, "untrusted provider package", untrusted)
        self._check_sources(namespace, requirements)
        endpoint = plugin_api_for(info, environment)
        key = tuple(sorted(str(r) for r in requirements))
        answer_key = (key, endpoint, tuple(sorted(self.environ.items())))
        if answer_key not in self._results:
            target = self._install(namespace, key)
            self._results[answer_key] = self._run(namespace, target, endpoint)
        return list(self._results[answer_key])

    def _check_sources(self, namespace: str, requirements: Sequence[Requirement]) -> None:
        """A direct reference (``NAME @ URL``) is installed only if the user trusted that URL.

        Trusting a name means trusting that package from the source of the
        request; metadata naming a URL or a path would otherwise make the
        trusted name run whatever file the metadata's author chose.

        Spec: reference:plugin-source
        """
        for requirement in requirements:
            url = requirement.url
            if url is not None and (canonicalize_name(requirement.name), url) not in self.trusted_urls:
                raise ProviderError(
                    namespace,
                    f"requires names {quoted(requirement.name)} at {quoted(url)}: a trusted package is "
                    "installed only from the source in use, unless --trust 'NAME @ URL' names that URL "
                    "[reference:plugin-source]",
                )

    def supported(
        self, info: ProviderInfo, environment: Mapping[str, str], trusted: Collection[str]
    ) -> dict[str, list[str]]:
        """:meth:`query` as ``{feature: [values best first]}`` in the plugin's feature order."""
        return {c.name: list(c.values) for c in self.query(info, environment, trusted)}

    def _workdir(self) -> Path:
        if self._root is None:
            self._root = Path(tempfile.mkdtemp(prefix="variant-plugins-"))
        return self._root

    def _install(self, namespace: str, requirements: tuple[str, ...]) -> Path:
        if requirements in self._environments:
            return self._environments[requirements]
        if not self.index_url and not self.find_links:
            raise ProviderError(namespace, "no index or find-links to install the provider from")
        key: str | None = None
        target: Path | None = None
        if self._cache is not None:
            try:
                key = self._cache.key(requirements, self.find_links, self.index_url, self.python)
                cached = self._cache.get(key)
                if cached is not None:
                    self.log.append(f"install: cached {cached}")
                    self._environments[requirements] = cached
                    return cached
                target = self._cache.new_build()
            except OSError as exc:  # an unusable cache directory: install without it
                self.log.append(f"cache: not used ({exc})")
                key = None
        if target is None:
            target = self._workdir() / f"env{len(self._environments)}"
        try:
            self._pip_install(namespace, requirements, target)
        except BaseException:
            if key is not None:
                shutil.rmtree(target, ignore_errors=True)
            raise
        if self._cache is not None and key is not None:
            try:
                target = self._cache.publish(key, target)
            except OSError as exc:  # keep using the build directory itself
                self.log.append(f"cache: not stored ({exc})")
        self._environments[requirements] = target
        return target

    def _pip_install(self, namespace: str, requirements: tuple[str, ...], target: Path) -> None:
        command = [
            self.python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--isolated",
            "--no-cache-dir", "--no-compile", "--only-binary", ":all:", "--target", str(target),
        ]
        if self.index_url:
            command += ["--index-url", self.index_url]
        else:
            command.append("--no-index")
        for directory in self.find_links:
            command += ["--find-links", directory]
        command += ["--", *requirements]
        self.log.append("install: " + " ".join(command))
        returncode, stderr = _run_contained(command, self.install_timeout, target.parent, dict(os.environ))
        if returncode is None:
            raise ProviderError(namespace, "installing the provider package timed out")
        if returncode != 0:
            raise ProviderError(namespace, "installing the provider package failed", stderr.splitlines()[-5:])

    def _run(self, namespace: str, target: Path, endpoint: str) -> list[FeatureConfig]:
        # The output file and working directory are private to this runner (the
        # environment may be a cache entry shared with other processes).
        workdir = self._workdir()
        self._queries += 1
        output = workdir / f"query-{self._queries}.json"
        command = [self.python, "-I", "-c", _RUNNER, str(target), endpoint, str(output)]
        self.log.append(f"query: {endpoint} in {target}")
        returncode, stderr = _run_contained(command, self.timeout, workdir, {**os.environ, **self.environ})
        if returncode is None:
            message = f"get_supported_configs() did not finish within {self.timeout:g} s"
            raise ProviderError(namespace, message)
        if returncode != 0:
            raise ProviderError(namespace, "the provider plugin failed", stderr.splitlines()[-3:])
        try:
            data = parse_json(read_regular(output).decode("utf-8"), str(output))
        except (OSError, ValueError, LimitExceeded) as exc:
            message = f"the provider plugin produced no usable JSON output: {exc}"
            raise ProviderError(namespace, message) from exc
        if isinstance(data, dict) and isinstance(data.get("api_mismatch"), dict):
            raise api_mismatch(namespace, endpoint, data["api_mismatch"])
        return parse_plugin_output(namespace, data)


_STDERR_KEPT = 64 * 1024


def _run_contained(
    command: Sequence[str], timeout: float, cwd: Path, environ: Mapping[str, str]
) -> tuple[int | None, str]:
    """Run ``command`` in its own process group; kill the whole group when it ends or times out.

    Standard output is discarded and standard error goes to a file, so no
    descendant can keep the caller waiting on a pipe.

    :returns: ``(exit status, the end of standard error)``; the status is
        ``None`` when the command did not finish within ``timeout`` seconds.
    """
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            list(command), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors,
            cwd=cwd, env=dict(environ), start_new_session=True,
        )
        try:
            returncode: int | None = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            returncode = None
        finally:
            _kill_group(process)
        errors.seek(0, os.SEEK_END)
        errors.seek(max(0, errors.tell() - _STDERR_KEPT))
        return returncode, errors.read().decode("utf-8", errors="replace").strip()


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill every process of ``process``'s group (its descendants included), then reap it."""
    if os.name == "posix":
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    else:  # pragma: no cover - POSIX in CI
        process.kill()
    process.wait()
