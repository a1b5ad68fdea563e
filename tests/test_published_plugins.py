"""Published provider plugins from the package registry, run by the reference under --trust.

- ``ascend-variant-provider`` 0.0.2 implements the providers text's API; it is
  steered with its ``ASCEND_VARIANT_PROVIDER_FORCE_*`` variables and, with no
  Ascend hardware and no variable, prints a detection failure to stdout and
  reports its features with empty value lists (the providers text's example:
  "this may be empty if no GPUs are supported").
- ``provider-variant-x86-64`` / ``provider-variant-aarch64`` 0.0.1.post2
  implement the older WheelNext API (``get_supported_configs(self,
  known_properties)``, configs without ``multi_value``): the reference names
  the mismatch and what the plugin would have to change.

The wheels are the pins of ``pyproject.toml``'s ``plugins`` extra, downloaded in
the set-up (:mod:`conformance.published`).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance.fixtures import build_wheel
from conformance.published import published_pins, published_wheels
from reference.cli.main import main
from reference.errors import ProviderError
from reference.format.model import SCHEMA_0_2_0, ProviderInfo, canonical_json
from reference.providers.plugins import PluginRunner

PROFILES = Path(__file__).parent.parent / "fixtures" / "profiles"
ENV = {"python_version": "3.12", "sys_platform": "linux", "platform_machine": "x86_64"}
FORCE = {
    "ASCEND_VARIANT_PROVIDER_FORCE_NPU_TYPE": "910b",
    "ASCEND_VARIANT_PROVIDER_FORCE_DRIVER_VERSION": "24.1.0",
    "ASCEND_VARIANT_PROVIDER_FORCE_CANN_VERSION": "8.1.rc1",
}
PROVIDERS = {
    "ascend": {"requires": ["ascend-variant-provider"],
               "plugin-api": "ascend_variant_provider.plugin:AscendVariantPlugin"},
    "x86_64": {"requires": ["provider-variant-x86-64"],
               "plugin-api": "provider_variant_x86_64.plugin:X8664Plugin"},
}
VARIANTS: dict[str, Any] = {
    "null": {},
    "a910b": {"ascend": {"npu_type": ["910b"], "cann_version": ["8.1.rc1"]}},
    "a310p": {"ascend": {"npu_type": ["310p"]}},
    "x8664v2": {"x86_64": {"level": ["v2"]}},
}


@pytest.fixture(scope="module")
def links(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The published plugin wheels plus a release ``demo 1.0`` using their namespaces."""
    out = tmp_path_factory.mktemp("published")
    for wheel in published_wheels().glob("*.whl"):
        shutil.copy(wheel, out)
    doc = {"$schema": SCHEMA_0_2_0, "default-priorities": {"namespace": list(PROVIDERS)},
           "providers": PROVIDERS, "variants": VARIANTS}
    (out / "demo-1.0-variants.json").write_text(canonical_json(doc))
    for label, properties in VARIANTS.items():
        single = canonical_json({**doc, "variants": {label: properties}}).encode()
        name, data = build_wheel("demo", "1.0", "py3-none-any", label=label, variant_json=single)
        (out / name).write_bytes(data)
    return out


@pytest.fixture()
def runner(links: Path, tmp_path: Path) -> Iterator[PluginRunner]:
    trust = {"ascend-variant-provider", "provider-variant-x86-64", "provider-variant-aarch64"}
    with PluginRunner(find_links=[str(links)], trust=trust, timeout=60.0) as r:
        yield r


def info(namespace: str, requires: str, api: str) -> ProviderInfo:
    return ProviderInfo(namespace=namespace, requires=(requires,), plugin_api=api)


ASCEND = info("ascend", "ascend-variant-provider", "ascend_variant_provider.plugin:AscendVariantPlugin")


def test_ascend_steered_by_its_force_variables(runner: PluginRunner) -> None:
    runner.environ = dict(FORCE)
    assert runner.supported(ASCEND, ENV, runner.trust) == {
        "npu_type": ["910b"], "driver_version": ["24.1.0"], "cann_version": ["8.1.rc1"]
    }


def test_ascend_without_hardware_prints_to_stdout_and_supports_nothing(runner: PluginRunner) -> None:
    # No Ascend device here: the plugin prints "failed to detect Ascend environment" on
    # stdout; the runner reads the answer from a file, so the output stays valid.
    runner.environ = {}
    configs = runner.query(ASCEND, ENV, runner.trust)
    assert [(c.name, c.values) for c in configs] == [
        ("npu_type", ()), ("driver_version", ()), ("cann_version", ())
    ]


@pytest.mark.parametrize(
    ("namespace", "requires", "api"),
    [
        ("x86_64", "provider-variant-x86-64", "provider_variant_x86_64.plugin:X8664Plugin"),
        ("aarch64", "provider-variant-aarch64", "provider_variant_aarch64.plugin:AArch64Plugin"),
    ],
)
def test_older_api_is_diagnosed(runner: PluginRunner, namespace: str, requires: str, api: str) -> None:
    with pytest.raises(ProviderError) as caught:
        runner.query(info(namespace, requires, api), ENV, runner.trust)
    error = caught.value
    assert error.reason == "the plugin implements another provider API than the providers text's"
    text = "\n".join(error.details)
    assert "get_supported_configs(self, known_properties" in text
    assert "no argument" in text and "classmethod" in text
    if namespace == "x86_64":  # the x86-64 plugin runs here: its configs lack multi_value
        assert "lack multi_value" in text
    assert "TypeError" not in text


def select(links: Path, capsys: pytest.CaptureFixture[str], *trust: str) -> tuple[int, dict[str, Any]]:
    argv = ["select", "demo", "--find-links", str(links), "--profile", str(PROFILES / "empty.toml"), "--json"]
    for name in trust:
        argv += ["--trust", name]
    status = main(argv)
    return status, json.loads(capsys.readouterr().out)


def test_select_trusts_ascend_and_picks_its_variant(
    links: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VARIANT_REF_PLUGIN_CACHE", str(tmp_path / "cache"))
    for key, value in FORCE.items():
        monkeypatch.setenv(key, value)
    status, result = select(links, capsys, "ascend-variant-provider")
    assert status == 0
    assert result["selected"] == "demo-1.0-py3-none-any-a910b.whl"
    status, result = select(links, capsys)  # not trusted: never run, the null variant
    assert result["selected"] == "demo-1.0-py3-none-any-null.whl"


def test_select_with_an_older_api_plugin_explains_and_falls_back(
    links: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VARIANT_REF_PLUGIN_CACHE", str(tmp_path / "cache"))
    status, result = select(links, capsys, "provider-variant-x86-64")
    assert status == 0
    assert result["selected"] == "demo-1.0-py3-none-any-null.whl"
    warnings = json.dumps(result.get("warnings", []))
    assert "another provider API" in warnings and "known_properties" in warnings


def test_pins_read_from_the_installed_metadata_without_pyproject(tmp_path: Path) -> None:
    # an installed suite has no pyproject.toml: the same pins come from its metadata
    checkout = published_pins()
    assert checkout and all("==" in pin for pin in checkout)
    assert published_pins(tmp_path / "pyproject.toml") == checkout
