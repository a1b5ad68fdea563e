"""Tests for reference.install.resolve: resolvelib over variant-aware wheel selection.

PEP 825 "Installing a package from an index" steps 2-10: a version meeting the
constraints, its best compatible wheel, then the dependencies of that wheel
with markers (variant markers included) evaluated.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reference.errors import VariantError
from reference.install.resolve import (
    Finder,
    NoCompatibleWheel,
    ResolutionFailed,
    resolve,
    wheel_requires_dist,
)
from reference.install.sources import FindLinks
from reference.providers.profiles import Profile
from reference.selection.system import SelectOptions, System
from tests.test_index import build_wheel

SCHEMA = "https://variants-schema.wheelnext.dev/peps/825/v0.1.1.json"


def doc(variants: dict[str, Any]) -> dict[str, Any]:
    return {"$schema": SCHEMA, "default-priorities": {"namespace": ["gpu"]}, "variants": variants}


def system(gpu: list[str] | None, environment: dict[str, str] | None = None) -> System:
    data: dict[str, Any] = {"name": "test", "tags": {"supported": ["py3-none-any"]}}
    if gpu is not None:
        data["namespaces"] = {"gpu": {"arch": gpu}}
    if environment:
        data["environment"] = environment
    return System(Profile.from_dict(data))


@pytest.fixture
def links(tmp_path: Path) -> Path:
    d = tmp_path / "links"
    variants = {"null": {}, "a": {"gpu": {"arch": ["a"]}}}
    requires = ["gpu-runtime>=2; variant_label == 'a'", "cpu-kernels; variant_label == 'null'"]
    for label in variants:
        build_wheel(d, f"app-2.0-py3-none-any-{label}.whl", None, requires, doc({label: variants[label]}))
    (d / "app-2.0-variants.json").write_text(json.dumps(doc(variants)))
    build_wheel(d, "app-1.0-py3-none-any.whl", None, ["cpu-kernels"])
    build_wheel(d, "gpu_runtime-1.0-py3-none-any.whl")
    build_wheel(d, "gpu_runtime-2.0-py3-none-any.whl", None, ["helper==1.0; sys_platform == 'linux'"])
    build_wheel(d, "helper-1.0-py3-none-any.whl")
    build_wheel(d, "cpu_kernels-1.0-py3-none-any.whl")
    return d


def names(result: dict[str, Any]) -> dict[str, str]:
    return {name: candidate.filename for name, candidate in result.items()}


def test_variant_markers_choose_dependencies(links: Path) -> None:
    finder = Finder(FindLinks(links), system(["a"], {"sys_platform": "linux"}))
    result = resolve(["app"], finder)
    assert names(result) == {
        "helper": "helper-1.0-py3-none-any.whl",
        "gpu-runtime": "gpu_runtime-2.0-py3-none-any.whl",
        "app": "app-2.0-py3-none-any-a.whl",
    }
    # dependencies come before dependents
    assert list(result) == ["helper", "gpu-runtime", "app"]


def test_null_variant_dependencies(links: Path) -> None:
    # nothing of namespace gpu is supported: the null variant, and its marker branch
    finder = Finder(FindLinks(links), system(None))
    assert names(resolve(["app"], finder)) == {
        "cpu-kernels": "cpu_kernels-1.0-py3-none-any.whl",
        "app": "app-2.0-py3-none-any-null.whl",
    }


def test_standard_markers_on_dependencies(links: Path) -> None:
    finder = Finder(FindLinks(links), system(["a"], {"sys_platform": "darwin"}))
    assert "helper" not in resolve(["app"], finder)


def test_backtracks_to_older_version(links: Path) -> None:
    # app 2.0 (variant a) needs gpu-runtime>=2, which the constraint forbids: app 1.0
    finder = Finder(FindLinks(links), system(["a"]))
    assert names(resolve(["app", "gpu-runtime<2"], finder))["app"] == "app-1.0-py3-none-any.whl"


def test_no_variants_option_falls_back_to_older_version(links: Path) -> None:
    # app 2.0 has only variant wheels: with --no-variants version 1.0 is chosen
    finder = Finder(FindLinks(links), system(["a"]), SelectOptions(no_variants=True))
    assert names(resolve(["app"], finder))["app"] == "app-1.0-py3-none-any.whl"


def test_top_level_marker_false_is_dropped(links: Path) -> None:
    finder = Finder(FindLinks(links), system(["a"], {"sys_platform": "linux"}))
    assert resolve(["app; sys_platform == 'win32'"], finder) == {}


def test_unknown_project(links: Path) -> None:
    with pytest.raises(NoCompatibleWheel):
        resolve(["nothing"], Finder(FindLinks(links), system(None)))


def test_conflict(links: Path) -> None:
    finder = Finder(FindLinks(links), system(["a"]))
    with pytest.raises(ResolutionFailed):
        resolve(["app==2.0", "gpu-runtime<2"], finder)


def test_variant_option_applies_to_requested_project_only(links: Path) -> None:
    finder = Finder(FindLinks(links), system(["a"]), SelectOptions(variant="a"), top_level=["app"])
    result = resolve(["app"], finder)
    assert result["app"].filename == "app-2.0-py3-none-any-a.whl"
    assert result["gpu-runtime"].filename == "gpu_runtime-2.0-py3-none-any.whl"


def test_wheel_requires_dist(links: Path) -> None:
    assert wheel_requires_dist(links / "app-1.0-py3-none-any.whl") == ["cpu-kernels"]


def test_invalid_index_file_degrades_to_wheel_metadata(links: Path) -> None:
    # PEP 825 "Implementation requirements": consumers SHOULD degrade gracefully;
    # "If the source does not provide that file, the combined metadata can
    # instead be read from the candidate wheels."
    (links / "app-2.0-variants.json").write_text("{not json")
    finder = Finder(FindLinks(links), system(["a"]))
    assert resolve(["app"], finder)["app"].filename == "app-2.0-py3-none-any-a.whl"
    assert any("app-2.0-variants.json" in warning for warning in finder.warnings)


def test_extras_apply_to_selected_wheel_dependencies(tmp_path: Path) -> None:
    d = tmp_path / "links"
    build_wheel(d, "lib-1.0-py3-none-any.whl", None, ["fast; extra == 'speed'"])
    build_wheel(d, "fast-1.0-py3-none-any.whl")
    build_wheel(d, "app-1.0-py3-none-any.whl", None, ["lib[speed]"])
    assert set(resolve(["lib"], Finder(FindLinks(d), system(None)))) == {"lib"}
    assert set(resolve(["lib[speed]"], Finder(FindLinks(d), system(None)))) == {"lib", "fast"}
    # the extra arrives only through a dependency, after lib was already pinned
    assert set(resolve(["lib", "app"], Finder(FindLinks(d), system(None)))) == {"lib", "fast", "app"}


def test_abi_dependency_matched_against_the_resolution(tmp_path: Path) -> None:
    # providers draft "ABI Dependency Variant Provider": abi_dependency :: torch :: 2.9
    # matches torch==2.9.*; the reference matches against the resolution in
    # progress (pins resolved first) and the profile's [installed].
    d = tmp_path / "links"
    variants = {"null": {}, "torch29": {"abi_dependency": {"torch": ["2.9"]}}}
    base = {
        "$schema": "https://variants-schema.wheelnext.dev/peps/850/v0.2.0.json",
        "default-priorities": {"namespace": ["x86_64"]},
        "providers": {"x86_64": {"static-properties": {"level": ["v1"]}}},
    }
    for label in variants:
        build_wheel(
            d, f"ext-1.0-py3-none-any-{label}.whl", None, None, {**base, "variants": {label: variants[label]}}
        )
    (d / "ext-1.0-variants.json").write_text(json.dumps({**base, "variants": variants}))
    build_wheel(d, "torch-2.9.0-py3-none-any.whl")
    build_wheel(d, "torch-2.8.0-py3-none-any.whl")
    chosen = resolve(["ext", "torch==2.9.0"], Finder(FindLinks(d), system(None)))
    assert chosen["ext"].filename == "ext-1.0-py3-none-any-torch29.whl"
    chosen = resolve(["ext", "torch==2.8.0"], Finder(FindLinks(d), system(None)))
    assert chosen["ext"].filename == "ext-1.0-py3-none-any-null.whl"
    installed = System(
        Profile.from_dict(
            {"name": "t", "tags": {"supported": ["py3-none-any"]}, "installed": {"torch": "2.9.1"}}
        )
    )
    assert (
        resolve(["ext"], Finder(FindLinks(d), installed))["ext"].filename
        == "ext-1.0-py3-none-any-torch29.whl"
    )


def test_older_versions_are_not_examined_when_not_needed(tmp_path: Path) -> None:
    # lazy candidates: a broken older release is never opened when the newest fits
    d = tmp_path / "links"
    build_wheel(d, "app-2.0-py3-none-any.whl")
    (d / "app-1.0-py3-none-any.whl").write_bytes(b"not a zip file")
    assert resolve(["app"], Finder(FindLinks(d), system(None)))["app"].filename == "app-2.0-py3-none-any.whl"
    with pytest.raises(VariantError):
        resolve(["app<2"], Finder(FindLinks(d), system(None)))
