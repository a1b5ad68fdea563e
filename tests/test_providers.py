"""Tests for reference.providers.support: the providers text's steps, per namespace.

Each test cites the step of the providers text ("Providers") it checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pytest

from reference.errors import ProviderError
from reference.format.model import SCHEMA_0_1_1, SCHEMA_0_2_0, ProviderInfo, VariantMetadata
from reference.providers.interface import FeatureConfig, api_mismatch, plugin_api, validate_configs
from reference.providers.support import SupportContext, namespace_support, supported_properties

ENV_312 = {"python_version": "3.12", "sys_platform": "linux", "platform_machine": "x86_64"}
ENV_311 = {**ENV_312, "python_version": "3.11"}


class Runner:
    """A plugin runner that records calls and returns canned configs (or raises)."""

    def __init__(self, result: object) -> None:
        self.result = result
        self.calls: list[str] = []

    def __call__(self, provider: ProviderInfo, environment: Mapping[str, str]) -> list[FeatureConfig]:
        self.calls.append(provider.namespace)
        if isinstance(self.result, Exception):
            raise self.result
        return self.result  # type: ignore[return-value]


STATIC = ProviderInfo("blas_lapack", static_properties={"library": ("accelerate", "openblas", "mkl")})
PLUGIN = ProviderInfo("x86_64", requires=("provider-variant-x86-64 >=0.0.1",))
OPTIONAL = ProviderInfo("debug", static_properties={"build": ("on",)}, optional=True)


def test_step_1_optional_provider_is_disabled_by_default() -> None:
    # Step 1: "If a provider is disabled, the tools MUST assume that the list of
    # compatible features is empty and they MUST NOT use the provider in any way."
    support = namespace_support("debug", OPTIONAL, SupportContext(ENV_312))
    assert support.step == "disabled" and support.features == {}
    assert support.clause == "providers:step-1-disabled"


def test_step_1_enable_option_enables_an_optional_provider() -> None:
    # Step 1: "The tools MUST provide a way to explicitly enable a provider".
    support = namespace_support(
        "debug", OPTIONAL, SupportContext(ENV_312, enable_providers=frozenset({"debug"}))
    )
    assert support.step == "static-properties" and support.features == {"build": ("on",)}


def test_step_1_disabled_plugin_is_never_run_even_if_trusted() -> None:
    runner = Runner([FeatureConfig("level", ("v3",))])
    info = ProviderInfo("x86_64", requires=("p",), optional=True)
    support = namespace_support(
        "x86_64", info, SupportContext(ENV_312, trust=frozenset({"p"}), plugin_runner=runner)
    )
    assert support.step == "disabled" and runner.calls == []


def test_step_2_static_properties_are_used_exclusively() -> None:
    # Step 2: "If that is the case, the tools MUST use the static lists exclusively."
    context = SupportContext(ENV_312, user_static={"blas_lapack": {"library": ("mkl",)}})
    support = namespace_support("blas_lapack", STATIC, context)
    assert support.step == "static-properties"
    # Values are ordered: "by default, openblas variant is preferred over mkl,
    # and accelerate over the other two" (providers text example).
    assert support.features == {"library": ("accelerate", "openblas", "mkl")}


def test_step_2_feature_order_key_orders_features() -> None:
    info = ProviderInfo("ns", static_properties={"a": ("1",), "b": ("2",)}, feature_order=("b", "a"))
    assert list(namespace_support("ns", info, SupportContext(ENV_312)).features) == ["b", "a"]
    unordered = ProviderInfo("ns", static_properties={"a": ("1",), "b": ("2",)})
    assert list(namespace_support("ns", unordered, SupportContext(ENV_312)).features) == ["a", "b"]


def test_step_3_user_static_list_is_used_exclusively() -> None:
    # Step 3: "If the user provides said list, the tools MUST use it exclusively."
    runner = Runner([FeatureConfig("level", ("v4",))])
    context = SupportContext(
        ENV_312,
        user_static={"x86_64": {"level": ("v3", "v2")}},
        trust=frozenset({"provider-variant-x86-64"}),
        plugin_runner=runner,
    )
    support = namespace_support("x86_64", PLUGIN, context)
    assert support.step == "user-static" and support.features == {"level": ("v3", "v2")}
    assert runner.calls == []


def test_step_4_builtin_implementation_is_used() -> None:
    # Step 4: tools that reimplement a plugin "SHOULD obtain the list from their implementation".
    def builtin(info: ProviderInfo | None, hardware: Mapping[str, object]) -> list[FeatureConfig]:
        return [FeatureConfig("level", (str(hardware["level"]),))]

    context = SupportContext(ENV_312, hardware={"level": "v3"}, builtins={"x86_64": builtin})
    support = namespace_support("x86_64", PLUGIN, context)
    assert support.step == "builtin" and support.features == {"level": ("v3",)}


def test_step_4_declining_builtin_falls_through_to_trust() -> None:
    context = SupportContext(ENV_312, builtins={"x86_64": lambda info, hw: None})
    assert namespace_support("x86_64", PLUGIN, context).step == "untrusted"


def test_step_5_untrusted_package_supports_nothing_and_is_not_run() -> None:
    # Step 5: "If the list of required provider packages contains any untrusted
    # package, the tools MUST assume that the list of compatible features is
    # empty and they MUST NOT install or use the provider packages."
    runner = Runner([FeatureConfig("level", ("v3",))])
    support = namespace_support("x86_64", PLUGIN, SupportContext(ENV_312, plugin_runner=runner))
    assert support.step == "untrusted" and support.features == {}
    assert support.clause == "providers:step-5-trust"
    assert runner.calls == []


def test_step_5_any_untrusted_package_among_several_blocks() -> None:
    info = ProviderInfo("ns", requires=("a", "b"))
    runner = Runner([])
    context = SupportContext(ENV_312, trust=frozenset({"a"}), plugin_runner=runner)
    assert namespace_support("ns", info, context).step == "untrusted"
    assert runner.calls == []


def test_step_5_only_requirements_whose_markers_hold_need_trust() -> None:
    # "requirements for which the markers evaluate to false are filtered out".
    info = ProviderInfo(
        "x86_64",
        requires=(
            "provider-variant-x86-64 >=0.0.1; python_version >= '3.12'",
            "legacy-provider-variant-x86-64 >=0.0.1; python_version < '3.12'",
        ),
        plugin_api="provider_variant_x86_64.plugin:X8664Plugin",
    )
    runner = Runner([FeatureConfig("level", ("v3",))])
    context = SupportContext(ENV_312, trust=frozenset({"provider-variant-x86-64"}), plugin_runner=runner)
    assert namespace_support("x86_64", info, context).step == "plugin"
    old = SupportContext(ENV_311, trust=frozenset({"provider-variant-x86-64"}), plugin_runner=runner)
    assert namespace_support("x86_64", info, old).step == "untrusted"


def test_step_6_trusted_plugin_is_queried() -> None:
    # Step 6: "The tools MUST install the specified provider packages and query them".
    runner = Runner([FeatureConfig("level", ("v3", "v2"), False), FeatureConfig("avx", ("on",), True)])
    context = SupportContext(ENV_312, trust=frozenset({"provider-variant-x86-64"}), plugin_runner=runner)
    support = namespace_support("x86_64", PLUGIN, context)
    assert support.step == "plugin"
    assert support.features == {"level": ("v3", "v2"), "avx": ("on",)}
    assert runner.calls == ["x86_64"]


@pytest.mark.parametrize(
    "output",
    [
        ProviderError("x86_64", "timed out"),
        "not a list",
        [FeatureConfig("Level", ("v3",))],
        [FeatureConfig("level", ("v-3",))],
        [FeatureConfig("level", ("v3",)), FeatureConfig("level", ("v2",))],
        [FeatureConfig("level", ("v3", "v3"))],
    ],
    ids=["crash", "not-list", "bad-name", "bad-value", "dup-feature", "dup-value"],
)
def test_step_6_failing_or_invalid_plugin_makes_namespace_unsupported_with_warning(output: object) -> None:
    context = SupportContext(
        ENV_312, trust=frozenset({"provider-variant-x86-64"}), plugin_runner=Runner(output)
    )
    support = namespace_support("x86_64", PLUGIN, context)
    assert support.step == "plugin-failed" and support.features == {}
    assert support.warnings


def test_validate_configs_rejects_wrong_namespace_and_ignores_extra_attributes() -> None:
    @dataclass
    class Config:
        name: str
        values: list[str]
        multi_value: bool
        namespace: str = "x86_64"
        _private: str = "ignored"

    assert validate_configs("x86_64", [Config("level", ["v3"], False)]) == {"level": ("v3",)}
    with pytest.raises(ProviderError):
        validate_configs("x86_64", [Config("level", ["v3"], False, namespace="aarch64")])
    with pytest.raises(ProviderError):
        validate_configs("x86_64", [Config("level", ["v3"], "yes")])  # type: ignore[arg-type]


def test_plugin_api_explicit_or_inferred_from_first_requirement() -> None:
    # "If it is not specified, a default value is determined by normalizing the
    # package name from the first dependency specifier in requires and then
    # replacing all - characters with _".
    info = ProviderInfo("aarch64", requires=("provider-variant-aarch64 >=0.0.1",))
    assert plugin_api(info, ENV_312) == "provider_variant_aarch64"
    assert (
        plugin_api(ProviderInfo("n", requires=("Provider.Variant_X >=1",)), ENV_312) == "provider_variant_x"
    )
    marked = ProviderInfo("n", requires=("a-b; python_version < '3.12'", "c-d"))
    assert plugin_api(marked, ENV_312) == "c_d"
    explicit = ProviderInfo("n", requires=("a",), plugin_api="a.plugin:Plugin")
    assert plugin_api(explicit, ENV_312) == "a.plugin:Plugin"


def test_providers_text_example_without_trust() -> None:
    # The providers text "Example": blas_lapack has static-properties (no
    # querying needed); aarch64 and x86_64 need plugins, untrusted here.
    meta = VariantMetadata(
        SCHEMA_0_2_0,
        ("x86_64", "aarch64", "blas_lapack"),
        {
            "x86_64_v3_openblas": {"blas_lapack": {"library": ("openblas",)}, "x86_64": {"level": ("v3",)}},
            "aarch64_mkl": {"aarch64": {"version": ("8.1a",)}, "blas_lapack": {"library": ("mkl",)}},
        },
        {
            "aarch64": ProviderInfo("aarch64", requires=("provider-variant-aarch64 >=0.0.1",)),
            "blas_lapack": STATIC,
            "x86_64": ProviderInfo(
                "x86_64",
                requires=("provider-variant-x86-64 >=0.0.1; python_version >= '3.12'",),
                plugin_api="provider_variant_x86_64.plugin:X8664Plugin",
            ),
        },
    )
    support = supported_properties(meta, SupportContext(ENV_312))
    assert {ns: s.step for ns, s in support.items()} == {
        "blas_lapack": "static-properties",
        "x86_64": "untrusted",
        "aarch64": "untrusted",
    }


def test_format_0_1_1_only_user_static_list_supplies_properties() -> None:
    meta = VariantMetadata(
        SCHEMA_0_1_1, ("x86_64", "blas"), {"a": {"x86_64": {"level": ("v3",)}, "blas": {"l": ("m",)}}}
    )
    support = supported_properties(meta, SupportContext(ENV_312, user_static={"x86_64": {"level": ("v3",)}}))
    assert support["x86_64"].step == "user-static"
    assert support["blas"].step == "no-provider" and support["blas"].features == {}


def test_undefined_namespace_in_0_2_0_supports_nothing() -> None:
    # "All other namespaces used MUST be defined in the provider information dictionary".
    meta = VariantMetadata(SCHEMA_0_2_0, ("x",), {"a": {"x": {"f": ("1",)}}}, {})
    assert supported_properties(meta, SupportContext(ENV_312))["x"].clause == "providers:namespaces-defined"


def test_abi_dependency_uses_installed_versions() -> None:
    meta = VariantMetadata(
        SCHEMA_0_2_0, (), {"a": {"abi_dependency": {"torch": ("2.8", "2.9"), "numpy": ("2",)}}}, {}
    )
    support = supported_properties(meta, SupportContext(ENV_312, installed={"torch": "2.9.0"}))
    assert support["abi_dependency"].features == {"torch": ("2.9",)}


def test_api_mismatch_names_the_older_api_and_the_change() -> None:
    found = {"signature": "(self, known_properties)", "legacy_missing": ["multi_value"]}
    error = api_mismatch("x86_64", "provider_variant_x86_64.plugin:X8664Plugin", found)
    assert error.reason == "the plugin implements another provider API than the providers text's"
    text = "\n".join(error.details)
    assert "get_supported_configs(self, known_properties)" in text and "lack multi_value" in text
    assert "classmethod, staticmethod or module-level function" in text


def test_api_mismatch_takes_only_what_it_expects_from_the_plugin_process() -> None:
    # the report comes from the process that ran the plugin: any JSON may stand there
    found = {"missing": "yes", "signature": "(" + "x" * 100_000, "attributes": [{"a": 1}, "values", "rm -rf"]}
    error = api_mismatch("ns", "mod:Plugin", found)
    text = "\n".join(error.details)
    assert "has no get_supported_configs" not in text  # "missing" must be true, not truthy
    assert "lack values;" in text and "rm -rf" not in text
    assert len(text) < 5_000
    assert api_mismatch("ns", "mod:Plugin", {"attributes": "name"}).details[1:] == []
