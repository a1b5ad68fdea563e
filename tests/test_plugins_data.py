"""The test provider plugins behave as fixtures/plugins/README.md documents, when really run.

Each plugin is packed into its wheel, unpacked into a temporary directory and
run in a separate Python process (with a timeout), calling its API endpoint
the way the providers draft's "API endpoint" pseudocode does.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from conformance.fixtures import DEFAULT_PLUGINS, build_plugin_wheel

PROFILES = Path(__file__).resolve().parent.parent / "fixtures" / "profiles"
PLUGINS = sorted(p.name for p in DEFAULT_PLUGINS.iterdir() if (p / "plugin.toml").is_file())

# providers draft, "API endpoint": import {import_path}; plugin = {import_path}.{object_path}
_RUNNER = r"""
import importlib, json, sys
endpoint = sys.argv[1]
import_path, _, object_path = endpoint.partition(":")
try:
    plugin = importlib.import_module(import_path)
    for part in filter(None, object_path.split(".")):
        plugin = getattr(plugin, part)
    configs = plugin.get_supported_configs()
except BaseException as exc:
    print(json.dumps({"error": type(exc).__name__, "message": str(exc)}))
    sys.exit(0)
if not isinstance(configs, list):
    print(json.dumps({"result": repr(configs), "type": type(configs).__name__}))
    sys.exit(0)
out = []
for config in configs:
    keys = ("name", "values", "multi_value", "namespace")
    out.append({k: getattr(config, k) for k in keys if hasattr(config, k)})
print(json.dumps({"result": out, "plugin_namespace": getattr(plugin, "namespace", None)}))
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every plugin wheel, unpacked into one directory (like an isolated environment)."""
    root = tmp_path_factory.mktemp("plugins")
    for name in PLUGINS:
        _, data = build_plugin_wheel(DEFAULT_PLUGINS / name)
        wheel = root / f"{name}.whl"
        wheel.write_bytes(data)
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(root / "site")
    return root / "site"


def _run(site: Path, endpoint: str, timeout: float = 30, **env: str) -> dict[str, Any]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("VARIANT_TEST_")}
    environment.update(env, PYTHONPATH=str(site), PYTHONDONTWRITEBYTECODE="1")
    out = subprocess.run(
        [sys.executable, "-S", "-c", _RUNNER, endpoint],
        capture_output=True, text=True, timeout=timeout, env=environment, check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def test_readme_documents_every_plugin() -> None:
    readme = (DEFAULT_PLUGINS / "README.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| `([^`]+)` \|", readme, flags=re.MULTILINE)
    assert sorted(listed) == PLUGINS

# The test plugin reads TOML profiles with tomllib (Python 3.11+) and runs here
# without site-packages; on 3.10 it reads JSON profiles only (the reference
# adapter hands it a JSON copy, so the suite works on every Python).
needs_tomllib = pytest.mark.skipif(
    sys.version_info < (3, 11), reason="the test plugin reads TOML profiles with tomllib (3.11+)"
)


@needs_tomllib
def test_test_provider_answers_from_the_profile(site: Path) -> None:
    profile = PROFILES / "nvidia-cu130-sm90.toml"
    result = _run(site, "variant_test_provider.plugin:nvidia", VARIANT_TEST_PROFILE=str(profile))
    configs = result["result"]
    # providers draft: "The variant feature and value lists MUST be ordered from
    # the most preferred to the least preferred" - the profile's order.
    names = [c["name"] for c in configs]
    assert names == ["cuda_version_lower_bound", "cuda_version_upper_bound", "sm_arch"]
    assert configs[0]["values"][:3] == ["13.0", "13", "12.20"]
    assert configs[2] == {"name": "sm_arch", "values": ["90_real", "90_virtual"], "multi_value": True}
    assert configs[0]["multi_value"] is False


def test_test_provider_serves_any_namespace_and_json_profiles(site: Path, tmp_path: Path) -> None:
    profile = tmp_path / "p.json"
    data = {"name": "p", "namespaces": {"blas_lapack": {"library": ["mkl", "openblas"]}}}
    profile.write_text(json.dumps(data))
    result = _run(site, "variant_test_provider.plugin:blas_lapack", VARIANT_TEST_PROFILE=str(profile))
    assert result["result"] == [{"name": "library", "values": ["mkl", "openblas"], "multi_value": False}]


@needs_tomllib
def test_test_provider_default_endpoint_and_unknown_namespaces(site: Path) -> None:
    profile = str(PROFILES / "x86-64-v3.toml")
    # the default endpoint (inferred from requires) answers for "variant_test"
    assert _run(site, "variant_test_provider", VARIANT_TEST_PROFILE=profile)["result"] == []
    assert _run(site, "variant_test_provider.plugin:nvidia", VARIANT_TEST_PROFILE=profile)["result"] == []
    assert _run(site, "variant_test_provider.plugin:x86_64")["result"] == []  # no profile: nothing
    level = _run(site, "variant_test_provider.plugin:x86_64", VARIANT_TEST_PROFILE=profile)["result"][0]
    assert level["values"] == ["v3", "v2", "v1"]


def test_every_plugin_leaves_markers(site: Path, tmp_path: Path) -> None:
    for import_name in [
        "variant_test_provider", "variant_marker_provider", "variant_raising_provider",
        "variant_invalid_provider", "variant_wrong_namespace_provider",
    ]:
        markers = tmp_path / import_name
        _run(site, import_name, VARIANT_TEST_MARKER_DIR=str(markers))
        expected = [f"{import_name}.called", f"{import_name}.imported"]
        assert sorted(p.name for p in markers.iterdir()) == expected
        assert (markers / f"{import_name}.imported").read_text().strip().isdigit()


def test_marker_provider_answers_marker_on(site: Path) -> None:
    result = _run(site, "variant_marker_provider")
    assert result["result"] == [{"name": "marker", "values": ["on"], "multi_value": False}]


def test_raising_provider_raises(site: Path) -> None:
    assert _run(site, "variant_raising_provider")["error"] == "RuntimeError"
    assert _run(site, "variant_raising_provider.on_import")["error"] == "ImportError"


@pytest.mark.parametrize("endpoint", ["variant_hanging_provider", "variant_hanging_provider.on_import"])
def test_hanging_provider_hangs(site: Path, endpoint: str) -> None:
    with pytest.raises(subprocess.TimeoutExpired):
        _run(site, endpoint, timeout=1, VARIANT_TEST_HANG_SECONDS="30")
    # with a short hang it eventually answers: the hang is the only fault
    assert _run(site, endpoint, VARIANT_TEST_HANG_SECONDS="0")["result"] == []


def test_invalid_provider_endpoints(site: Path) -> None:
    # PEP 825: feature names match [a-z0-9_]+ and values [a-z0-9_.]+.
    assert _run(site, "variant_invalid_provider")["result"][0]["name"] == "Bad-Feature"
    assert _run(site, "variant_invalid_provider.plugin:bad_name")["result"][0]["name"] == "Bad-Feature"
    assert _run(site, "variant_invalid_provider.plugin:bad_value")["result"][0]["values"] == ["not valid!"]
    assert _run(site, "variant_invalid_provider.plugin:bad_type")["result"][0]["values"] == "v3"
    assert _run(site, "variant_invalid_provider.plugin:not_a_list")["type"] == "dict"
    missing = _run(site, "variant_invalid_provider.plugin:missing_attribute")["result"][0]
    assert "values" not in missing and missing["name"] == "level"


def test_wrong_namespace_provider(site: Path) -> None:
    result = _run(site, "variant_wrong_namespace_provider")
    assert result["plugin_namespace"] == "x86_64"
    answered = [(c["name"], c["namespace"]) for c in result["result"]]
    assert answered == [("level", "x86_64"), ("avx2", "x86_64")]
