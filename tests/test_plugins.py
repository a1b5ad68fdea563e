"""Tests for reference.providers.plugins: installing trusted provider packages and querying them.

Providers text, "Providers" steps 5-6 and "Provider plugin API". The plugin
packages are tiny throwaway wheels built here.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reference.errors import ProviderError
from reference.format.model import ProviderInfo
from reference.providers.interface import FeatureConfig
from reference.providers.plugins import (
    PluginRunner,
    active_requirements,
    parse_plugin_output,
    plugin_api_for,
)
from reference.providers.support import SupportContext, namespace_support
from tests import test_index
from tests.test_index import build_wheel, make_simple_index

serve = test_index.serve  # the loopback index server fixture

ENV = {"python_version": "3.12", "sys_platform": "linux", "platform_machine": "x86_64"}

PLUGIN_SOURCE = """
from dataclasses import dataclass
import sys, time

@dataclass
class Config:
    name: str
    values: list
    multi_value: bool
    _private: str = "ignored"      # extra attribute: implementations SHOULD ignore it

def get_supported_configs():
    # the example implementation of the providers text: module-level function
    print("plugins may print anything to stdout")
    return [Config("min_version", ["3", "2", "1"], False), Config("gpu", ["poit", "zort"], True)]

class ClassPlugin:
    @classmethod
    def get_supported_configs(cls):
        return [Config("level", ["v4", "v3", "v2"], False)]

class Raising:
    @staticmethod
    def get_supported_configs():
        raise RuntimeError("no hardware")

class Hanging:
    @staticmethod
    def get_supported_configs():
        time.sleep(600)

class Garbage:
    @staticmethod
    def get_supported_configs():
        return [Config("Bad Name", ["x"], False)]

class NotAList:
    @staticmethod
    def get_supported_configs():
        return "level=v3"

class Exiting:
    @staticmethod
    def get_supported_configs():
        sys.exit(3)
"""


@pytest.fixture(scope="module")
def plugin_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    links = tmp_path_factory.mktemp("plugin-links")
    build_wheel(
        links,
        "example_plugin-1.0-py3-none-any.whl",
        files={"example_plugin/__init__.py": PLUGIN_SOURCE},
    )
    marker = links.parent / "untrusted-was-imported"
    build_wheel(
        links,
        "evil_plugin-1.0-py3-none-any.whl",
        files={
            "evil_plugin/__init__.py": (
                f"open({str(marker)!r}, 'w').write('imported')\ndef get_supported_configs():\n    return []\n"
            )
        },
    )
    return links


@pytest.fixture(scope="module")
def runner(plugin_index: Path) -> Iterator[PluginRunner]:
    with PluginRunner(find_links=[str(plugin_index)], timeout=3.0) as r:
        yield r


def info(requires: list[str], plugin_api: str | None = None, namespace: str = "example") -> ProviderInfo:
    return ProviderInfo(namespace=namespace, requires=tuple(requires), plugin_api=plugin_api)


# ------------------------------------------------------------------ pure helpers


def test_default_plugin_api_is_normalized_first_requirement() -> None:
    # providers text, "Provider information": "normalizing the package name from
    # the first dependency specifier in requires and then replacing all -
    # characters with _".
    assert plugin_api_for(info(["Provider.Variant_X86-64 >=0.0.1"]), ENV) == "provider_variant_x86_64"


def test_default_plugin_api_after_marker_filtering() -> None:
    # "the first dependency that remains after filtering"; example of the
    # providers text with python_version markers.
    requires = [
        "provider-variant-x86-64 >=0.0.1; python_version >= '3.12'",
        "legacy-provider-variant-x86-64 >=0.0.1; python_version < '3.12'",
    ]
    old = dict(ENV, python_version="3.11")
    assert plugin_api_for(info(requires), ENV) == "provider_variant_x86_64"
    assert plugin_api_for(info(requires), old) == "legacy_provider_variant_x86_64"
    assert [r.name for r in active_requirements("x86_64", requires, old)] == [
        "legacy-provider-variant-x86-64"
    ]


def test_explicit_plugin_api_kept() -> None:
    explicit = "provider_variant_x86_64.plugin:X8664Plugin"
    assert plugin_api_for(info(["a"], explicit), ENV) == explicit


def test_malformed_plugin_api_rejected() -> None:
    with pytest.raises(ProviderError):
        plugin_api_for(info(["a"], "not an endpoint!"), ENV)


def test_no_requirement_left_after_markers() -> None:
    with pytest.raises(ProviderError):
        active_requirements("ns", ["a; python_version < '3'"], ENV)


def test_parse_plugin_output_validates() -> None:
    good = [{"name": "gpu", "values": ["a", "b"], "multi_value": True}]
    assert parse_plugin_output("ns", good) == [FeatureConfig("gpu", ("a", "b"), True)]
    bad_cases = [
        {"configs": []},
        [{"name": "gpu", "values": "ab", "multi_value": True}],
        [{"name": "gpu", "values": ["A"], "multi_value": True}],
        [{"name": "gpu", "values": ["a"], "multi_value": "yes"}],
        [{"values": ["a"], "multi_value": True}],
    ]
    for bad in bad_cases:
        with pytest.raises(ProviderError):
            parse_plugin_output("ns", bad)


# ------------------------------------------------------------------ real runs


def test_module_level_plugin(runner: PluginRunner) -> None:
    # API endpoint inferred: example-plugin -> example_plugin (module-level function)
    configs = runner.query(info(["example-plugin >=1.0"]), ENV, trusted={"Example_Plugin"})
    assert configs == [
        FeatureConfig("min_version", ("3", "2", "1"), False),
        FeatureConfig("gpu", ("poit", "zort"), True),
    ]
    assert runner.supported(info(["example-plugin"]), ENV, {"example-plugin"}) == {
        "min_version": ["3", "2", "1"],
        "gpu": ["poit", "zort"],
    }


def test_class_plugin(runner: PluginRunner) -> None:
    configs = runner.query(info(["example-plugin"], "example_plugin:ClassPlugin"), ENV, {"example-plugin"})
    assert configs == [FeatureConfig("level", ("v4", "v3", "v2"), False)]


@pytest.mark.parametrize("endpoint", ["Raising", "Garbage", "NotAList", "Exiting", "Missing"])
def test_failing_plugins_raise_provider_error(runner: PluginRunner, endpoint: str) -> None:
    with pytest.raises(ProviderError) as excinfo:
        runner.query(info(["example-plugin"], f"example_plugin:{endpoint}"), ENV, {"example-plugin"})
    assert excinfo.value.namespace == "example"


def test_hanging_plugin_times_out(runner: PluginRunner) -> None:
    started = time.monotonic()
    with pytest.raises(ProviderError, match="did not finish"):
        runner.query(info(["example-plugin"], "example_plugin:Hanging"), ENV, {"example-plugin"})
    assert time.monotonic() - started < 20


def test_untrusted_plugin_never_installed_or_imported(plugin_index: Path) -> None:
    # Providers step 5: "If the list of required provider packages contains any
    # untrusted package, ... they MUST NOT install or use the provider packages."
    marker = plugin_index.parent / "untrusted-was-imported"
    with PluginRunner(find_links=[str(plugin_index)]) as fresh:
        with pytest.raises(ProviderError, match="untrusted"):
            fresh.query(info(["evil-plugin"], namespace="evil"), ENV, trusted={"example-plugin"})
        assert fresh.log == []  # nothing was installed or run
    assert not marker.exists()


def test_trusted_plugin_is_imported_in_child_process(plugin_index: Path) -> None:
    # the control for the test above: trusting it does run it, out of process
    marker = plugin_index.parent / "untrusted-was-imported"
    with PluginRunner(find_links=[str(plugin_index)]) as fresh:
        assert fresh.query(info(["evil-plugin"], namespace="evil"), ENV, {"evil-plugin"}) == []
    assert marker.exists()
    marker.unlink()
    assert "evil_plugin" not in sys.modules


def test_missing_package_install_fails(runner: PluginRunner) -> None:
    with pytest.raises(ProviderError, match="installing"):
        runner.query(info(["no-such-plugin"]), ENV, {"no-such-plugin"})


def test_runner_plugs_into_providers_lookup(plugin_index: Path) -> None:
    # providers text step 6 end to end through reference.providers.support: a trusted
    # plugin's configs become the namespace's supported features, in order.
    with PluginRunner(find_links=[str(plugin_index)], trust={"example-plugin"}) as r:
        context = SupportContext(environment=ENV, trust=frozenset({"example-plugin"}), plugin_runner=r)
        support = namespace_support("example", info(["example-plugin"]), context)
    assert support.step == "plugin"
    assert dict(support.features) == {"min_version": ("3", "2", "1"), "gpu": ("poit", "zort")}


def test_failing_plugin_makes_namespace_unsupported(runner: PluginRunner) -> None:
    context = SupportContext(environment=ENV, trust=frozenset({"example-plugin"}), plugin_runner=runner)
    runner.trust = frozenset({"example-plugin"})
    support = namespace_support("example", info(["example-plugin"], "example_plugin:Raising"), context)
    assert support.step == "plugin-failed"
    assert dict(support.features) == {}
    assert support.warnings


def test_plugin_installed_from_http_index(plugin_index: Path, tmp_path: Path, serve: Any) -> None:
    # providers text: plugins "SHOULD be published in the same indexes as the
    # packages using them"; the runner installs from the index the user gave.
    base = serve(make_simple_index(tmp_path / "idx", plugin_index))
    with PluginRunner(index_url=base, trust={"example-plugin"}) as r:
        configs = r(info(["example-plugin"], "example_plugin:ClassPlugin"), ENV)
    assert configs == [FeatureConfig("level", ("v4", "v3", "v2"), False)]


def test_environ_reaches_the_plugin_process(tmp_path: Path) -> None:
    links = tmp_path / "links"
    build_wheel(
        links,
        "env_plugin-1.0-py3-none-any.whl",
        files={
            "env_plugin/__init__.py": (
                "import os\n"
                "class C:\n    name = 'level'\n    multi_value = False\n"
                "    values = [os.environ['ENV_PLUGIN_LEVEL']]\n"
                "def get_supported_configs():\n    return [C()]\n"
            )
        },
    )
    with PluginRunner(find_links=[str(links)], trust={"env-plugin"}, environ={"ENV_PLUGIN_LEVEL": "v9"}) as r:
        assert r(info(["env-plugin"]), ENV) == [FeatureConfig("level", ("v9",), False)]


# ------------------------------------------------------------------ the project's fixture plugins

FIXTURE_PLUGINS = Path(__file__).parent.parent / "fixtures" / "plugins"


@pytest.fixture(scope="module")
def fixture_plugin_links(tmp_path_factory: pytest.TempPathFactory) -> Path:
    fixtures = pytest.importorskip("conformance.fixtures")
    links = tmp_path_factory.mktemp("fixture-plugins")
    for source in sorted(FIXTURE_PLUGINS.iterdir()):
        if (source / "plugin.toml").is_file():
            filename, data = fixtures.build_plugin_wheel(source)
            (links / filename).write_bytes(data)
    return links


@pytest.fixture(scope="module")
def hostile_runner(fixture_plugin_links: Path) -> Iterator[PluginRunner]:
    trusted = {"variant-raising-provider", "variant-hanging-provider", "variant-invalid-provider"}
    environ = {"VARIANT_TEST_HANG_SECONDS": "60"}
    with PluginRunner(
        find_links=[str(fixture_plugin_links)], trust=trusted, timeout=3.0, environ=environ
    ) as r:
        yield r


@pytest.mark.parametrize(
    ("package", "endpoint", "reason"),
    [
        ("variant-raising-provider", "variant_raising_provider", "failed"),
        ("variant-raising-provider", "variant_raising_provider.on_import", "failed"),
        ("variant-hanging-provider", "variant_hanging_provider.on_import", "did not finish"),
        ("variant-invalid-provider", "variant_invalid_provider.plugin:bad_value", "invalid"),
        ("variant-invalid-provider", "variant_invalid_provider.plugin:missing_attribute", "another provider"),
        ("variant-invalid-provider", "variant_invalid_provider.plugin:not_a_list", "did not return a list"),
    ],
)
def test_fixture_hostile_plugins(
    hostile_runner: PluginRunner, package: str, endpoint: str, reason: str
) -> None:
    # providers text: a crash, hang or invalid output makes the namespace unsupported
    with pytest.raises(ProviderError, match=reason):
        hostile_runner(info([package], endpoint, namespace="x86_64"), ENV)


def test_fixture_test_provider_answers_from_profile(fixture_plugin_links: Path, tmp_path: Path) -> None:
    profile = tmp_path / "p.toml"
    profile.write_text('name = "p"\n[namespaces.x86_64]\nlevel = ["v3", "v2"]\n')
    marker_dir = tmp_path / "markers"
    with PluginRunner(
        find_links=[str(fixture_plugin_links)],
        trust={"variant-test-provider"},
        environ={"VARIANT_TEST_PROFILE": str(profile), "VARIANT_TEST_MARKER_DIR": str(marker_dir)},
    ) as r:
        configs = r(info(["variant-test-provider"], "variant_test_provider.plugin:x86_64", "x86_64"), ENV)
    assert [(c.name, c.values) for c in configs] == [("level", ("v3", "v2"))]
    assert (marker_dir / "variant_test_provider.called").is_file()
