"""The adapters for real tools (uv, pip, variantlib), run end to end.

Every test builds a tiny fixture index with the fixture builder, serves it on
127.0.0.1 where the case needs HTTP, and drives the real tool: the real uv
binary from the ``uv`` package, the real pip of this interpreter, the real
variantlib.  Expected values come from the spec text cited beside each test.
"""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance.adapters.base import Adapter, Result, Skipped, Workspace, is_known_capability
from conformance.adapters.pip import PipAdapter
from conformance.adapters.uv import UvAdapter, machine_x86_64_level
from conformance.adapters.variantlib import VariantlibAdapter
from conformance.fixtures import build_index
from conformance.server import FixtureServer

SCHEMA_0_2_0 = "https://variants-schema.wheelnext.dev/peps/850/v0.2.0.json"

# One world with four kinds of package:
# - blas: providers.blas static-properties library = [openblas, mkl] (providers step 2);
# - gpu: the nvidia namespace served by uv's built-in NVIDIA provider;
# - app -> dep: a dependency, for install;
# - old: 2.0 has only variant wheels, 1.0 a non-variant wheel (backward compatibility).
INDEX = """
description = "adapter tests"

[[package]]
name = "blas"
version = "1.0"
schema = "0.2.0"
namespaces = ["blas"]
[package.providers.blas]
static-properties = { library = ["openblas", "mkl"] }
[package.variants]
null = {}
openblas = { blas = { library = ["openblas"] } }
mkl = { blas = { library = ["mkl"] } }
[[package.wheel]]
tags = "py3-none-any"
label = "mkl"
[[package.wheel]]
tags = "py3-none-any"
label = "openblas"
[[package.wheel]]
tags = "py3-none-any"
label = "null"
[[package.wheel]]
tags = "py3-none-any"

[[package]]
name = "gpu"
version = "1.0"
schema = "0.2.0"
namespaces = ["nvidia"]
[package.providers.nvidia]
requires = ["nvidia-variant-provider"]
plugin-api = "nvidia_variant_provider.plugin:NvidiaVariantPlugin"
[package.variants]
null = {}
cu130 = { nvidia = { cuda_version_lower_bound = ["13.0"] } }
cu126 = { nvidia = { cuda_version_lower_bound = ["12.6"] } }
[[package.wheel]]
tags = "py3-none-any"
label = "cu130"
[[package.wheel]]
tags = "py3-none-any"
label = "cu126"
[[package.wheel]]
tags = "py3-none-any"
label = "null"

[[package]]
name = "usr"
version = "1.0"
schema = "0.2.0"
namespaces = ["acme"]
[package.providers.acme]
requires = ["acme-variant-provider"]
[package.variants]
fast = { acme = { speed = ["fast"] } }
slow = { acme = { speed = ["slow"] } }
[[package.wheel]]
tags = "py3-none-any"
label = "fast"
[[package.wheel]]
tags = "py3-none-any"
label = "slow"
[[package.wheel]]
tags = "py3-none-any"

[[package]]
name = "app"
version = "1.0"
requires-dist = ["dep"]
[[package.wheel]]
tags = "py3-none-any"

[[package]]
name = "dep"
version = "1.0"
[[package.wheel]]
tags = "py3-none-any"

[[package]]
name = "old"
version = "2.0"
schema = "0.2.0"
namespaces = ["blas"]
[package.providers.blas]
static-properties = { library = ["openblas"] }
[package.variants]
openblas = { blas = { library = ["openblas"] } }
[[package.wheel]]
tags = "py3-none-any"
label = "openblas"

[[package]]
name = "old"
version = "1.0"
[[package.wheel]]
tags = "py3-none-any"
"""

PROFILES = {
    # no [environment] / [tags]: the running interpreter's, which every tool here uses too
    "plain": 'name = "this interpreter, no namespace named"\n',
    "cuda128": (
        'name = "NVIDIA driver 12.8, sm_90"\n'
        "[namespaces.nvidia]\n"
        'cuda_version_lower_bound = ["12.8", "12.7", "12.6"]\n'
        'sm_arch = ["90_real"]\n'
        "[hardware]\n"
        'cuda_driver_version = "12.8"\n'
        'sm_arch = "9.0"\n'
    ),
    "acme-slow": 'name = "acme prefers slow"\n[namespaces.acme]\nspeed = ["slow", "fast"]\n',
    "macos": (
        'name = "CPython 3.12 on macOS arm64"\n'
        '[environment]\npython_full_version = "3.12.8"\nsys_platform = "darwin"\n'
        '[tags]\nsupported = ["cp312-cp312-macosx_11_0_arm64", "py3-none-any"]\n'
    ),
}

OPTIONS: dict[str, Any] = {"variant": None, "no_variants": False, "enable_providers": [], "trust": []}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("world")
    source = root / "adapters.toml"
    source.write_text(INDEX, encoding="utf-8")
    build_index(source, root / "built")
    profiles = root / "profiles"
    profiles.mkdir()
    for name, text in PROFILES.items():
        (profiles / f"{name}.toml").write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def server(world: Path) -> Iterator[str]:
    with FixtureServer(world / "built") as running:
        yield running.url.rstrip("/") + "/"


def workspace(world: Path, tmp_path: Path, *requires: str, base_url: str | None = None) -> Workspace:
    return Workspace(
        fixtures=world / "built",
        base_url=base_url,
        profiles=world / "profiles",
        locks=world / "locks",
        tmp=tmp_path,
        requires=frozenset(requires),
    )


def select(requirement: str, profile: str = "plain", **options: Any) -> dict[str, Any]:
    return {
        "index": "adapters",
        "profile": profile,
        "requirement": requirement,
        "options": {**OPTIONS, **options},
    }


def value(outcome: object) -> dict[str, Any]:
    assert isinstance(outcome, Result), outcome
    return dict(outcome.value)


# -- info() --------------------------------------------------------------------------
@pytest.mark.parametrize("adapter_class", [UvAdapter, PipAdapter, VariantlibAdapter])
def test_info_declares_known_capabilities(adapter_class: type[Any]) -> None:
    adapter = adapter_class()
    assert isinstance(adapter, Adapter)
    info = adapter.info()
    assert info.capabilities, info
    assert all(is_known_capability(c) for c in info.capabilities), info.capabilities


def test_uv_info() -> None:
    info = UvAdapter().info()
    assert (info.name, info.version) == ("uv", importlib.metadata.version("uv"))
    # uv has no user static list and runs no provider plugin (NOTES.md, "Real implementations")
    assert {"select", "install", "providers.static-metadata", "hardware.nvidia"} <= info.capabilities
    assert not {"providers.user-static", "providers.plugin", "variant-unaware"} & info.capabilities


def test_pip_info() -> None:
    info = PipAdapter().info()
    pip_version = subprocess.run(
        [sys.executable, "-m", "pip", "--version"], capture_output=True, text=True, check=True
    ).stdout.split()[1]
    assert (info.name, info.version) == ("pip", pip_version)
    assert "variant-unaware" in info.capabilities
    assert not any(c.startswith("providers.") for c in info.capabilities)


def test_variantlib_info() -> None:
    info = VariantlibAdapter().info()
    assert (info.name, info.version) == ("variantlib", importlib.metadata.version("variantlib"))
    assert info.schema_versions == ("0.2.0",)
    assert "providers.plugin" not in info.capabilities


# -- uv ----------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["flat", "pep691"])
def test_uv_orders_static_properties(world: Path, server: str, tmp_path: Path, kind: str) -> None:
    # providers draft step 2: the static list is used exclusively; PEP 825 'Variant
    # ordering' step 3 orders by it (openblas before mkl), the null variant comes
    # after the other variants and the non-variant wheel after every variant wheel.
    ws = workspace(world, tmp_path, f"index.{kind}", base_url=server)
    got = value(UvAdapter().run("select", select("blas==1.0"), ws))
    assert got["selected"] == "blas-1.0-py3-none-any-openblas.whl"
    assert got["ranked"] == [
        "blas-1.0-py3-none-any-openblas.whl",
        "blas-1.0-py3-none-any-mkl.whl",
        "blas-1.0-py3-none-any-null.whl",
        "blas-1.0-py3-none-any.whl",
    ]


def test_uv_simulates_the_nvidia_driver(world: Path, tmp_path: Path) -> None:
    # NOTES.md: uv's built-in NVIDIA provider honours
    # NV_VARIANT_PROVIDER_FORCE_CUDA_DRIVER_VERSION; with driver 12.8 the 13.0
    # variant is unsupported and the 12.6 one is chosen.
    got = value(UvAdapter().run("select", select("gpu==1.0", "cuda128"), workspace(world, tmp_path)))
    assert got["selected"] == "gpu-1.0-py3-none-any-cu126.whl"


def test_uv_without_gpu_falls_back_to_null(world: Path, tmp_path: Path) -> None:
    # PEP 825 'Variant ordering': the null variant is the fallback when no other
    # variant is supported; the profile names no nvidia hardware and this machine has no GPU.
    got = value(UvAdapter().run("select", select("gpu==1.0"), workspace(world, tmp_path)))
    assert got["selected"] == "gpu-1.0-py3-none-any-null.whl"


def test_uv_skips_a_user_static_list(world: Path, tmp_path: Path) -> None:
    # providers step 3 (a user static list) has no counterpart in uv: skipped, not failed.
    outcome = UvAdapter().run("select", select("usr==1.0", "acme-slow"), workspace(world, tmp_path))
    assert isinstance(outcome, Skipped)
    assert "static list" in outcome.reason


def test_uv_skips_options_it_lacks(world: Path, tmp_path: Path) -> None:
    outcome = UvAdapter().run("select", select("blas==1.0", variant="mkl"), workspace(world, tmp_path))
    assert isinstance(outcome, Skipped)


def test_uv_skips_a_platform_it_cannot_target(world: Path, tmp_path: Path) -> None:
    # uv installs for a platform it is told with --python-platform; macOS tags are not
    # among the manylinux targets the adapter maps, so the case cannot be run faithfully.
    outcome = UvAdapter().run("select", select("blas==1.0", "macos"), workspace(world, tmp_path))
    assert isinstance(outcome, Skipped)
    assert "--python-platform" in outcome.reason


def test_uv_without_variants_takes_the_non_variant_wheel(world: Path, tmp_path: Path) -> None:
    # no_variants runs uv without its preview feature, i.e. as a tool predating
    # variants: PEP 825 'Backward compatibility', the non-variant wheel is chosen.
    got = value(UvAdapter().run("select", select("blas==1.0", no_variants=True), workspace(world, tmp_path)))
    assert got["selected"] == "blas-1.0-py3-none-any.whl"


def test_uv_install_resolves_dependencies(world: Path, server: str, tmp_path: Path) -> None:
    ws = workspace(world, tmp_path, "index.pep503", base_url=server)
    got = value(UvAdapter().run("install", select("app"), ws))
    assert got["error"] is False
    assert got["installed"] == {"app": "app-1.0-py3-none-any.whl", "dep": "dep-1.0-py3-none-any.whl"}


def test_uv_reports_an_unsatisfiable_install(world: Path, tmp_path: Path) -> None:
    got = value(UvAdapter().run("install", select("missing-project"), workspace(world, tmp_path)))
    assert got["error"] is True
    assert got["installed"] == {}


def test_uv_machine_level_is_known_on_x86_64() -> None:
    import platform

    level = machine_x86_64_level()
    if platform.machine() == "x86_64":
        assert level in (1, 2, 3, 4)
    else:
        assert level is None


# -- pip ------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["flat", "pep503"])
def test_pip_ignores_variant_wheels(world: Path, server: str, tmp_path: Path, kind: str) -> None:
    # PEP 825 'Backward compatibility': tools that predate variants ignore variant
    # wheels (their filenames are invalid to them) and take the non-variant wheel.
    ws = workspace(world, tmp_path, "variant-unaware", f"index.{kind}", base_url=server)
    got = value(PipAdapter().run("select", select("blas==1.0"), ws))
    assert got["selected"] == "blas-1.0-py3-none-any.whl"


def test_pip_falls_back_to_an_older_release(world: Path, tmp_path: Path) -> None:
    # old 2.0 has only variant wheels: a variant-unaware tool installs 1.0.
    ws = workspace(world, tmp_path, "variant-unaware")
    got = value(PipAdapter().run("install", select("old"), ws))
    assert got == {**got, "error": False, "installed": {"old": "old-1.0-py3-none-any.whl"}}


def test_pip_fails_clearly_with_only_variant_wheels(world: Path, tmp_path: Path) -> None:
    ws = workspace(world, tmp_path, "variant-unaware")
    got = value(PipAdapter().run("install", select("gpu==1.0"), ws))
    assert got["error"] is True
    assert "No matching distribution" in got["explanation"]


def test_pip_skips_variant_aware_cases(world: Path, tmp_path: Path) -> None:
    outcome = PipAdapter().run("select", select("blas==1.0"), workspace(world, tmp_path))
    assert isinstance(outcome, Skipped)


# -- variantlib -----------------------------------------------------------------------------
def test_variantlib_selects_by_static_properties(world: Path, tmp_path: Path) -> None:
    # As for uv above: providers step 2, PEP 825 ordering step 3, null then non-variant last.
    got = value(VariantlibAdapter().run("select", select("blas==1.0"), workspace(world, tmp_path)))
    assert got["ranked"] == [
        "blas-1.0-py3-none-any-openblas.whl",
        "blas-1.0-py3-none-any-mkl.whl",
        "blas-1.0-py3-none-any-null.whl",
        "blas-1.0-py3-none-any.whl",
    ]
    # PEP 825 'Variant environment markers': the selected wheel's label and properties.
    assert got["markers"]["variant_label"] == "openblas"
    assert got["markers"]["variant_properties"] == ["blas :: library :: openblas"]


def test_variantlib_uses_the_profile_as_user_static_list(world: Path, tmp_path: Path) -> None:
    # providers step 3: the user's static list decides; it prefers slow over fast.
    got = value(
        VariantlibAdapter().run("select", select("usr==1.0", "acme-slow"), workspace(world, tmp_path))
    )
    assert got["selected"] == "usr-1.0-py3-none-any-slow.whl"
    # without the list the plugin is not run (untrusted), no variant is compatible
    got = value(VariantlibAdapter().run("select", select("usr==1.0"), workspace(world, tmp_path)))
    assert got["selected"] == "usr-1.0-py3-none-any.whl"


def test_variantlib_validates_metadata(world: Path, tmp_path: Path) -> None:
    adapter = VariantlibAdapter()
    ws = workspace(world, tmp_path)
    document: dict[str, Any] = {
        "$schema": SCHEMA_0_2_0,
        "default-priorities": {"namespace": ["blas"]},
        "providers": {"blas": {"static-properties": {"library": ["openblas"]}}},
        "variants": {"openblas": {"blas": {"library": ["openblas"]}}},
    }
    assert value(adapter.run("validate", {"kind": "index", "document": document}, ws))["valid"] is True
    assert value(
        adapter.run("validate", {"kind": "wheel", "document": document, "label": "openblas"}, ws)
    ) == {"valid": True}
    # NOTES.md (0.2.0 as implemented): the providers keys must equal default-priorities.namespace
    broken = json.loads(json.dumps(document))
    broken["providers"] = {}
    assert value(adapter.run("validate", {"kind": "index", "document": broken}, ws))["valid"] is False


def test_variantlib_parses_filenames(world: Path, tmp_path: Path) -> None:
    # PEP 825 'Wheel filename': the label is the last component before .whl.
    got = value(
        VariantlibAdapter().run(
            "filename", {"filename": "pkg-1.0-py3-none-any-v3.whl"}, workspace(world, tmp_path)
        )
    )
    assert got["valid"] is True
    assert got["parsed"]["variant_label"] == "v3"
    assert got["parsed"]["python_tags"] == ["py3"]
