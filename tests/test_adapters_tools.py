"""The adapters for real tools (uv, pip, variantlib), run end to end.

Every test builds a tiny fixture index with the fixture builder, serves it on
127.0.0.1 where the case needs HTTP, and drives the real tool: the real uv
binary from the ``uv`` package, the real pip of this interpreter, the real
variantlib.  Expected values come from the spec text cited beside each test.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import platform
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from packaging.tags import Tag

from conformance.adapters._tools import index_facts, project_index, tag_order_differs
from conformance.adapters.base import Adapter, Result, Skipped, Workspace, is_known_capability
from conformance.adapters.pip import PipAdapter
from conformance.adapters.simulated_cpu import namespaces_unavailable
from conformance.adapters.uv import UvAdapter
from conformance.adapters.variantlib import VariantlibAdapter
from conformance.fixtures import build_index
from conformance.server import FixtureServer

SCHEMA_0_2_0 = "https://variants-schema.wheelnext.dev/peps/850/v0.2.0.json"
BUNDLED_PROFILES = Path(__file__).resolve().parent.parent / "fixtures" / "profiles"
#: A valid format-0.2.0 document: one static provider, one variant.
OPENBLAS_DOCUMENT: dict[str, Any] = {
    "$schema": SCHEMA_0_2_0,
    "default-priorities": {"namespace": ["blas"]},
    "providers": {"blas": {"static-properties": {"library": ["openblas"]}}},
    "variants": {"openblas": {"blas": {"library": ["openblas"]}}},
}

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

# A second index, so that no install case of the first meets a CPU-reading provider.
INDEX_CPU = """
description = "uv's built-in x86-64 provider"

[[package]]
name = "cpu"
version = "1.0"
schema = "0.2.0"
namespaces = ["x86_64"]
wheel = [
    { tags = "py3-none-any", label = "x86_64_v1" },
    { tags = "py3-none-any", label = "x86_64_v2" },
    { tags = "py3-none-any", label = "x86_64_v3" },
    { tags = "py3-none-any", label = "x86_64_v4" },
    { tags = "py3-none-any", label = "null" },
]
[package.providers.x86_64]
requires = ["x86-64-variant-provider"]
[package.variants]
null = {}
x86_64_v1 = { x86_64 = { level = ["v1"] } }
x86_64_v2 = { x86_64 = { level = ["v2"] } }
x86_64_v3 = { x86_64 = { level = ["v3"] } }
x86_64_v4 = { x86_64 = { level = ["v4"] } }
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
    # A simulated driver older than every variant's lower bound: uv's NVIDIA
    # provider sees it instead of this machine's GPU, if there is one.
    "cuda118": (
        'name = "NVIDIA driver 11.8: no CUDA variant of gpu is supported"\n'
        "[namespaces.nvidia]\n"
        'cuda_version_lower_bound = ["11.8"]\n'
        "[hardware]\n"
        'cuda_driver_version = "11.8"\n'
        'sm_arch = "7.5"\n'
    ),
    "acme-slow": 'name = "acme prefers slow"\n[namespaces.acme]\nspeed = ["slow", "fast"]\n',
    "prefers-v2": 'name = "x86-64 levels, v2 first"\n[namespaces.x86_64]\nlevel = ["v2", "v3", "v1"]\n',
    "macos": (
        'name = "CPython 3.12 on macOS arm64"\n'
        '[environment]\npython_full_version = "3.12.8"\nsys_platform = "darwin"\n'
        '[tags]\nsupported = ["cp312-cp312-macosx_11_0_arm64", "py3-none-any"]\n'
    ),
    "wasm": (
        'name = "CPython 3.12 in a browser"\n'
        '[environment]\npython_full_version = "3.12.8"\nsys_platform = "emscripten"\n'
        '[tags]\nsupported = ["cp312-cp312-emscripten_3_1_58_wasm32", "py3-none-any"]\n'
    ),
}

OPTIONS: dict[str, Any] = {"variant": None, "no_variants": False, "enable_providers": [], "trust": []}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("world")
    source = root / "adapters.toml"
    source.write_text(INDEX, encoding="utf-8")
    build_index(source, root / "built")
    (root / "cpu.toml").write_text(INDEX_CPU, encoding="utf-8")
    build_index(root / "cpu.toml", root / "built")
    profiles = root / "profiles"
    profiles.mkdir()
    for name, text in PROFILES.items():
        (profiles / f"{name}.toml").write_text(text, encoding="utf-8")
    for level in (1, 2, 3, 4):  # the bundled x86-64 CPU profiles ([hardware] x86_64_level)
        shutil.copy(BUNDLED_PROFILES / f"x86-64-v{level}.toml", profiles)
    return root


@pytest.fixture(scope="module")
def server(world: Path) -> Iterator[str]:
    with FixtureServer(world / "built") as running:
        yield running.url.rstrip("/") + "/"


def workspace(
    world: Path, tmp_path: Path, *requires: str, base_url: str | None = None, clauses: tuple[str, ...] = ()
) -> Workspace:
    return Workspace(
        fixtures=world / "built",
        base_url=base_url,
        profiles=world / "profiles",
        locks=world / "locks",
        tmp=tmp_path,
        requires=frozenset(requires),
        clauses=clauses,
    )


def select(
    requirement: str, profile: str = "plain", index: str = "adapters", **options: Any
) -> dict[str, Any]:
    return {
        "index": index,
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
    # uv has no user static list and runs no provider plugin (NOTES.md, "Real implementations");
    # without its preview feature (the default) it ignores variant wheels
    declared = {"select", "install", "pylock", "providers.static-metadata", "hardware.x86_64"}
    assert declared <= info.capabilities
    assert "variant-unaware" in info.capabilities
    assert not {"providers.user-static", "providers.plugin", "markers", "filename"} & info.capabilities
    # reached indirectly: by projection, and through the outcome of an install
    assert info.indirect == {"providers.user-static", "filename", "validate", "validate.text"}
    assert all(is_known_capability(c) for c in info.indirect)
    assert "variant environment markers" in info.limitations["markers"]


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
    # variant is supported. The profile simulates a driver (11.8) older than the
    # lower bound of every CUDA variant (12.6, 13.0), so no GPU variant is usable
    # whatever GPU this machine has: the simulated driver replaces the real one.
    got = value(UvAdapter().run("select", select("gpu==1.0", "cuda118"), workspace(world, tmp_path)))
    assert got["selected"] == "gpu-1.0-py3-none-any-null.whl"


def test_uv_gpu_simulation_does_not_depend_on_the_host(
    world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same request on a host with an NVIDIA driver gives the same answer.
    from conformance.adapters import uv as uv_adapter

    monkeypatch.setattr(uv_adapter, "_machine_has_nvidia", lambda: True)
    got = value(UvAdapter().run("select", select("gpu==1.0", "cuda118"), workspace(world, tmp_path)))
    assert got["selected"] == "gpu-1.0-py3-none-any-null.whl"


def test_uv_skips_a_user_static_list(world: Path, tmp_path: Path) -> None:
    # providers step 3 (a user static list) has no counterpart in uv: skipped, not failed.
    outcome = UvAdapter().run("select", select("usr==1.0", "acme-slow"), workspace(world, tmp_path))
    assert isinstance(outcome, Skipped)
    assert "static list" in outcome.reason


def test_uv_skips_options_it_lacks(world: Path, tmp_path: Path) -> None:
    outcome = UvAdapter().run("select", select("blas==1.0", variant="mkl"), workspace(world, tmp_path))
    assert isinstance(outcome, Skipped)


def test_uv_targets_macos(world: Path, tmp_path: Path) -> None:
    # --python-platform aarch64-apple-darwin with MACOSX_DEPLOYMENT_TARGET=11.0: the
    # py3-none-any wheels are judged as on the profile's macOS, and the static list orders them.
    got = value(UvAdapter().run("select", select("blas==1.0", "macos"), workspace(world, tmp_path)))
    assert got["selected"] == "blas-1.0-py3-none-any-openblas.whl"


def test_uv_skips_a_platform_it_cannot_target(world: Path, tmp_path: Path) -> None:
    # uv installs for a platform it is told with --python-platform; a WebAssembly tag has
    # no counterpart the adapter knows, so the case cannot be run faithfully.
    outcome = UvAdapter().run("select", select("blas==1.0", "wasm"), workspace(world, tmp_path))
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


needs_cpu_simulation = pytest.mark.skipif(
    platform.machine() != "x86_64" or sys.platform != "linux" or namespaces_unavailable() is not None,
    reason=f"no x86-64 Linux with unprivileged user namespaces here: {namespaces_unavailable()}",
)


@needs_cpu_simulation
@pytest.mark.parametrize("level", [1, 2, 3, 4])
def test_uv_sees_a_simulated_cpu(world: Path, tmp_path: Path, level: int) -> None:
    # The bundled x86-64-vN profiles list level = [vN, ..., v1], as the published x86-64
    # provider reports a vN CPU; uv's own provider (providers draft step 4, a
    # reimplementation) reads the simulated /proc/cpuinfo, on any x86-64 machine. PEP 825
    # 'Variant ordering' step 3: the best level first, the null variant last. The profiles
    # name manylinux tags: --python-platform would make uv assume x86-64-v2 instead.
    request = select("cpu==1.0", f"x86-64-v{level}", index="cpu")
    got = value(UvAdapter().run("select", request, workspace(world, tmp_path)))
    expected = [f"cpu-1.0-py3-none-any-x86_64_v{n}.whl" for n in range(level, 0, -1)]
    assert got["ranked"] == [*expected, "cpu-1.0-py3-none-any-null.whl"]


def test_uv_projects_a_user_static_list(world: Path, tmp_path: Path) -> None:
    # providers step 3 (the profile prefers v2) decides before uv's own x86-64 provider
    # (step 4) and reaches uv as step 2: the rewritten metadata carries the list as
    # static-properties; PEP 825 step 3 then orders by it, v4 being unsupported.
    ws = workspace(world, tmp_path, "select", "providers.user-static")
    outcome = UvAdapter().run("select", select("cpu==1.0", "prefers-v2", index="cpu"), ws)
    assert isinstance(outcome, Result) and outcome.projection is not None
    assert "x86_64: level = [v2, v3, v1]" in outcome.projection
    assert outcome.value["ranked"] == [
        "cpu-1.0-py3-none-any-x86_64_v2.whl",
        "cpu-1.0-py3-none-any-x86_64_v3.whl",
        "cpu-1.0-py3-none-any-x86_64_v1.whl",
        "cpu-1.0-py3-none-any-null.whl",
    ]


def test_uv_projection_serves_an_http_index(world: Path, server: str, tmp_path: Path) -> None:
    # the projected copy gets its own PEP 691 pages (new hashes) and a loopback server
    ws = workspace(world, tmp_path, "select", "providers.user-static", "index.pep691", base_url=server)
    outcome = UvAdapter().run("select", select("cpu==1.0", "prefers-v2", index="cpu"), ws)
    assert isinstance(outcome, Result) and outcome.projection is not None
    assert outcome.value["selected"] == "cpu-1.0-py3-none-any-x86_64_v2.whl"


def test_uv_does_not_project_a_case_about_the_provider_steps(world: Path, tmp_path: Path) -> None:
    step = ("providers:step-3-user-static",)
    ws = workspace(world, tmp_path, "select", "providers.user-static", clauses=step)
    outcome = UvAdapter().run("select", select("cpu==1.0", "prefers-v2", index="cpu"), ws)
    assert isinstance(outcome, Skipped)
    assert "providers:step-3-user-static" in outcome.reason


@pytest.mark.parametrize(
    ("filename", "valid"),
    [
        ("pkg-1.0-py3-none-any-v3.whl", True),
        ("pkg-1.0-cp313-cp313-manylinux_2_28_x86_64-v3.whl", True),  # a wheel, incompatible here
        ("pkg-1.0-py3-none-any-X86_64_V3.whl", False),  # pep825:label-charset
        ("pkg-1.0-3py-none-any.whl", False),  # pep825:python-tag-digit
        ("pkg-1.0-py3-none-any-v3.zip", False),  # not a wheel at all
    ],
)
def test_uv_shows_its_filename_verdict_through_an_install(
    world: Path, tmp_path: Path, filename: str, valid: bool
) -> None:
    outcome = UvAdapter().run("filename", {"filename": filename}, workspace(world, tmp_path, "filename"))
    assert isinstance(outcome, Result), outcome
    assert outcome.value["valid"] is valid, outcome.value
    assert outcome.observes == {"valid"}  # never the parsed components


def test_uv_shows_its_metadata_verdict_through_an_install(world: Path, tmp_path: Path) -> None:
    adapter, ws = UvAdapter(), workspace(world, tmp_path, "validate")
    good: dict[str, Any] = json.loads(json.dumps(OPENBLAS_DOCUMENT))
    assert value(adapter.run("validate", {"kind": "index", "document": good}, ws))["valid"] is True
    bad = {**good, "variants": {"OpenBLAS": good["variants"]["openblas"]}}  # pep825:label-charset
    got = value(adapter.run("validate", {"kind": "index", "document": bad}, ws))
    assert got["valid"] is False and "Failed to parse variant metadata" in got["explanation"]
    wheel = {"kind": "wheel", "document": good, "label": "mkl"}  # pep825:variants-single-entry
    got = value(adapter.run("validate", wheel, ws))
    assert got["valid"] is False and "variant.json" in got["explanation"]
    # the finding: uv ignores $schema, so an unknown major version is read (pep825:major-version)
    future = {**good, "$schema": "https://variants-schema.wheelnext.dev/peps/850/v9.0.0.json"}
    assert value(adapter.run("validate", {"kind": "index", "document": future}, ws))["valid"] is True
    pyproject = adapter.run("validate", {"kind": "pyproject", "document": {}}, ws)
    assert isinstance(pyproject, Skipped)


def _lock(world: Path, tmp_path: Path, labels: list[str | None]) -> Workspace:
    """A workspace whose lock ``blas`` lists the blas wheels with *labels* (None: non-variant)."""
    import tomli_w

    flat = world / "built" / "adapters" / "flat"
    wheels = []
    for label in labels:
        path = flat / f"blas-1.0-py3-none-any{'-' + label if label else ''}.whl"
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        wheels.append({"url": path.resolve().as_uri(), "hashes": {"sha256": digest}})
    document = json.loads((flat / "blas-1.0-variants.json").read_text())
    package = {"name": "blas", "version": "1.0", "wheels": wheels, "variants-json": document}
    locks = tmp_path / "locks"
    locks.mkdir(parents=True)
    lock = {"lock-version": "1.0", "created-by": "tests", "packages": [package]}
    (locks / "blas.toml").write_text(tomli_w.dumps(lock))
    (tmp_path / "run").mkdir()
    ws = workspace(world, tmp_path / "run", "pylock")
    return Workspace(ws.fixtures, None, ws.profiles, locks, ws.tmp, {}, ws.requires)


def test_uv_ignores_the_variant_wheels_of_a_lock(world: Path, tmp_path: Path) -> None:
    # The finding: PEP 825 'Integration with pylock.toml' ("If variant wheels are listed, the
    # tool SHOULD resolve variants to select the best wheel file"); uv 0.13.9 installs the
    # non-variant wheel although openblas is supported (static-properties), and fails with
    # variant wheels only.
    request = {"lock": "blas", "profile": "plain", "options": OPTIONS}
    got = value(UvAdapter().run("pylock", request, _lock(world, tmp_path / "a", ["openblas", None])))
    assert got["selected"] == {"blas": "blas-1.0-py3-none-any.whl"}
    got = value(UvAdapter().run("pylock", request, _lock(world, tmp_path / "b", ["openblas", "mkl"])))
    assert got["error"] is True and got["selected"] is None


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
    document: dict[str, Any] = json.loads(json.dumps(OPENBLAS_DOCUMENT))
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


# -- the shared helpers that keep large indexes cheap (the corpus index: 10,207 wheels) ---------------


def test_project_index_holds_only_the_named_projects(world: Path, tmp_path: Path) -> None:
    flat = world / "built" / "adapters" / "flat"
    out = project_index(flat, ["old", "blas"], tmp_path / "sub")
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(p.name for p in flat.iterdir() if p.name.split("-")[0] in ("old", "blas"))
    assert "blas-1.0-variants.json" in names and not any(n.startswith(("gpu", "app")) for n in names)
    (out / names[0]).unlink()  # the copy is the caller's: the built index keeps its file
    assert (flat / names[0]).is_file()


def test_index_facts_are_remembered_but_each_caller_gets_a_copy(world: Path, tmp_path: Path) -> None:
    flat = world / "built" / "adapters" / "flat"
    first = index_facts(flat, ["blas"])
    assert "blas" in first.providers and "gpu-1.0-variants.json" not in first.documents
    first.filenames.clear()
    again = index_facts(flat, ["blas"])
    assert again.filenames and again == index_facts(flat, {"blas"})
    # a directory that changes is surveyed again
    other = project_index(flat, ["blas"], tmp_path / "sub")
    assert len(index_facts(other).filenames) == len(again.filenames)
    next(other.glob("blas-*.whl")).unlink()
    assert len(index_facts(other).filenames) == len(again.filenames) - 1


def test_tag_order_differs_compares_rank_and_compatibility() -> None:
    linux_wheel, any_wheel = "p-1-cp312-cp312-manylinux_2_28_x86_64.whl", "p-1-py3-none-any.whl"
    wheels = [linux_wheel, any_wheel, "p-1-cp311-cp311-win32.whl", "not a wheel"]
    linux, anyp = Tag("cp312", "cp312", "manylinux_2_28_x86_64"), Tag("py3", "none", "any")
    assert tag_order_differs(wheels, [linux, anyp], [linux, anyp, linux]) is None
    assert tag_order_differs(wheels, [linux, anyp], [anyp, linux]) == (
        f"the profile's tags rank {linux_wheel} and {any_wheel} differently from the tool's"
    )
    assert tag_order_differs(wheels, [linux, anyp], [anyp]) == (
        f"{linux_wheel} is compatible under the profile's tags but not under the tool's"
    )
