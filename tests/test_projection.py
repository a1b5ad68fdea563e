"""Profile projection (conformance.adapters.projection) and the simulated CPU.

Projection rewrites a release's metadata so that a profile's user static list
(providers draft step 3) is published as ``static-properties`` (step 2); the
clauses each test rests on are cited beside it.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from conformance.adapters import projection, simulated_cpu
from conformance.fixtures import build_index, republish, rewrite_wheel
from reference.format.metadata import load_metadata
from reference.format.model import SCHEMA_0_2_0

SOURCE = """
description = "projection"

[[package]]
name = "foo"
version = "1.0"
namespaces = ["x86_64", "blas"]
wheel = [
    { tags = "py3-none-any", label = "v3" },
    { tags = "py3-none-any", label = "v3_mkl" },
    { tags = "py3-none-any", label = "null" },
    { tags = "py3-none-any" },
]
[package.variants]
null = {}
v3 = { x86_64 = { level = ["v3"] } }
v3_mkl = { x86_64 = { level = ["v3"] }, blas = { library = ["mkl"] } }

# format 0.2.0: blas has its own static list (step 2), gpu an optional provider (step 1)
[[package]]
name = "bar"
version = "2.0"
schema = "0.2.0"
namespaces = ["x86_64", "blas", "gpu"]
wheel = [{ tags = "py3-none-any", label = "v3" }, { tags = "py3-none-any", label = "openblas" }]
[package.providers.x86_64]
requires = ["x86-64-variant-provider"]
[package.providers.blas]
static-properties = { library = ["openblas"] }
[package.providers.gpu]
requires = ["gpu-provider"]
optional = true
[package.variants]
v3 = { x86_64 = { level = ["v3"] } }
openblas = { blas = { library = ["openblas"] } }

# a wheel whose variant.json is not JSON is published unchanged
[[package]]
name = "broken"
version = "1.0"
namespaces = ["x86_64"]
wheel = [{ tags = "py3-none-any", label = "v3", variant-json-text = "{" }]
[package.variants]
v3 = { x86_64 = { level = ["v3"] } }
"""

USER = {"x86_64": {"level": ["v2", "v3"], "avx2": ["on"]}, "blas": {"library": ["mkl", "openblas"]}}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("projection")
    (root / "src.toml").write_text(SOURCE, encoding="utf-8")
    return build_index(root / "src.toml", root / "out").root


def variant_json(wheel: Path) -> Any:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/variant.json"))
        return json.loads(archive.read(name))


def record_is_sound(wheel: Path) -> bool:
    with zipfile.ZipFile(wheel) as archive:
        record = next(n for n in archive.namelist() if n.endswith(".dist-info/RECORD"))
        for line in archive.read(record).decode().splitlines():
            path, digest, size = line.rsplit(",", 2)
            if path == record:
                continue
            data = archive.read(path)
            encoded = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            expected = "sha256=" + encoded
            if (digest, int(size)) != (expected, len(data)):
                return False
    return True


def test_cases_about_the_provider_steps_are_recognized() -> None:
    assert projection.provider_step_subject(["pep825:ordering-step-3"]) is None
    assert projection.provider_step_subject(["pep825:x", "providers:step-3-user-static"]) == (
        "providers:step-3-user-static"
    )
    assert projection.provider_step_subject(["reference:no-provider-0.1.1"]) == "reference:no-provider-0.1.1"


def test_user_static_lists_keep_the_profile_order_and_drop_empty_features() -> None:
    profile = {"namespaces": {"x86_64": {"level": ["v4", "v3"], "avx": []}, "gpu": {}}}
    assert projection.user_static_lists(profile) == {"x86_64": {"level": ["v4", "v3"]}, "gpu": {}}
    assert list(projection.user_static_lists(profile)["x86_64"]) == ["level"]


def test_format_0_1_1_release_is_published_as_0_2_0(built: Path, tmp_path: Path) -> None:
    described = projection.project_directory(built / "flat", tmp_path, USER, projects={"foo"})
    assert len(described) == 1 and described[0].startswith("foo 1.0: user static list")
    index = json.loads((tmp_path / "foo-1.0-variants.json").read_text())
    # providers step 2: the static list, in the profile's order, and its feature order
    assert index["$schema"] == SCHEMA_0_2_0
    assert index["providers"]["x86_64"] == {
        "static-properties": {"level": ["v2", "v3"], "avx2": ["on"]},
        "feature-order": ["level", "avx2"],
    }
    assert index["providers"]["blas"]["static-properties"] == {"library": ["mkl", "openblas"]}
    assert index["variants"] == json.loads((built / "flat" / "foo-1.0-variants.json").read_text())["variants"]
    load_metadata(index, kind="index")  # still valid metadata
    # every wheel carries the same providers (uv re-reads each wheel's own document)
    for label in ("v3", "v3_mkl", "null"):
        wheel = tmp_path / f"foo-1.0-py3-none-any-{label}.whl"
        document = variant_json(wheel)
        assert document["providers"] == index["providers"]
        load_metadata(document, kind="wheel", label=label)
        assert record_is_sound(wheel)
    # the non-variant wheel is copied byte for byte; other projects are left out
    plain = "foo-1.0-py3-none-any.whl"
    assert (tmp_path / plain).read_bytes() == (built / "flat" / plain).read_bytes()
    assert not list(tmp_path.glob("bar-*"))


def test_steps_1_and_2_come_before_the_user_list(built: Path, tmp_path: Path) -> None:
    # providers draft: a disabled optional provider (step 1) and a provider with its own
    # static-properties (step 2) decide before the user's list; only x86_64 reaches step 3.
    user = {**USER, "gpu": {"arch": ["a1"]}}
    described = projection.project_directory(built / "flat", tmp_path, user, projects={"bar"})
    assert described and "x86_64: level = [v2, v3]" in described[0] and "blas" not in described[0]
    index = json.loads((tmp_path / "bar-2.0-variants.json").read_text())
    assert index["providers"]["blas"] == {"static-properties": {"library": ["openblas"]}}
    assert index["providers"]["gpu"] == {"requires": ["gpu-provider"], "optional": True}
    assert index["providers"]["x86_64"]["static-properties"]["level"] == ["v2", "v3"]


def test_namespaces_simulated_otherwise_are_kept(built: Path, tmp_path: Path) -> None:
    kept = projection.project_directory(built / "flat", tmp_path, USER, keep={"x86_64"}, projects={"bar"})
    assert kept == []
    original = (built / "flat" / "bar-2.0-variants.json").read_bytes()
    assert (tmp_path / "bar-2.0-variants.json").read_bytes() == original


def test_no_projection_without_a_value_for_a_used_namespace(built: Path, tmp_path: Path) -> None:
    # 0.1.1 without a provider supports nothing; an empty user list says the same
    user: dict[str, dict[str, list[str]]] = {"x86_64": {}, "gpu": {"a": ["b"]}}
    out = projection.project_directory(built / "flat", tmp_path, user, projects={"foo"})
    assert out == []


def test_an_empty_user_list_shadows_a_provider_uv_may_implement(built: Path, tmp_path: Path) -> None:
    described = projection.project_directory(built / "flat", tmp_path, {"x86_64": {}}, projects={"bar"})
    assert described
    index = json.loads((tmp_path / "bar-2.0-variants.json").read_text())
    assert index["providers"]["x86_64"] == projection.UNIMPLEMENTED_PROVIDER


def test_unreadable_documents_are_published_unchanged(built: Path, tmp_path: Path) -> None:
    # the index-level file is projected; the wheel whose variant.json is not JSON keeps it,
    # so a case about bad metadata keeps its subject
    assert projection.project_directory(built / "flat", tmp_path, USER, projects={"broken"})
    wheel = "broken-1.0-py3-none-any-v3.whl"
    assert (tmp_path / wheel).read_bytes() == (built / "flat" / wheel).read_bytes()
    assert json.loads((tmp_path / "broken-1.0-variants.json").read_text())["$schema"] == SCHEMA_0_2_0


def test_republished_pages_carry_the_new_hashes(built: Path, tmp_path: Path) -> None:
    import shutil

    root = tmp_path / built.name
    projection.project_directory(built / "flat", root / "flat", USER)
    shutil.copytree(built / "json", root / "json")
    republish(root)
    page = json.loads((root / "json" / "foo" / "index.json").read_text())
    for entry in page["files"]:
        data = (root / "flat" / entry["filename"]).read_bytes()
        assert entry["hashes"]["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["size"] == len(data)
    assert page["versions"] == ["1.0"]
    html = (root / "simple" / "foo" / "index.html").read_text()
    digest = hashlib.sha256((root / "flat" / "foo-1.0-py3-none-any-v3.whl").read_bytes()).hexdigest()
    assert f"#sha256={digest}" in html


def test_a_lock_is_projected_with_its_wheels(built: Path, tmp_path: Path) -> None:
    flat = built / "flat"
    names = ["foo-1.0-py3-none-any-v3.whl", "foo-1.0-py3-none-any.whl"]
    lock = {
        "lock-version": "1.0",
        "packages": [
            {
                "name": "foo",
                "version": "1.0",
                "wheels": [{"url": (flat / n).as_uri(), "hashes": {}} for n in names],
                "variants-json": json.loads((flat / "foo-1.0-variants.json").read_text()),
            }
        ],
    }
    new, described = projection.project_lock(lock, tmp_path / "wheels", USER)
    assert described
    package = new["packages"][0]
    assert package["variants-json"]["providers"]["x86_64"]["feature-order"] == ["level", "avx2"]
    variant, plain = package["wheels"]
    path = Path(variant["url"].removeprefix("file://"))
    assert path.parent == (tmp_path / "wheels").resolve()
    assert variant["hashes"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert variant_json(path)["providers"] == package["variants-json"]["providers"]
    assert plain["url"] == (flat / names[1]).as_uri()  # nothing to rewrite in it
    tomli_w.dumps(new)  # still a TOML document
    assert lock["packages"][0]["wheels"][0]["url"] == (flat / names[0]).as_uri()  # input untouched


def test_rewrite_wheel_replaces_one_member() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("pkg/__init__.py", b"")
        archive.writestr("pkg-1.0.dist-info/variant.json", b"{}")
        archive.writestr("pkg-1.0.dist-info/RECORD", b"")
    data = rewrite_wheel(buffer.getvalue(), {"pkg-1.0.dist-info/variant.json": b'{"a": 1}'})
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.read("pkg-1.0.dist-info/variant.json") == b'{"a": 1}'
        assert "pkg-1.0.dist-info/variant.json,sha256=" in archive.read("pkg-1.0.dist-info/RECORD").decode()


def flags_of(profile: dict[str, Any]) -> set[str]:
    text = simulated_cpu.cpuinfo_text(profile)
    assert text is not None
    return set(next(line for line in text.splitlines() if line.startswith("flags")).split(":")[1].split())


@pytest.mark.parametrize("level", [1, 2, 3, 4])
def test_simulated_cpuinfo_carries_the_levels_flags(level: int) -> None:
    # x86-64 psABI levels, as /proc/cpuinfo spells them
    flags = flags_of({"hardware": {"x86_64_level": level}})
    for step, needed in simulated_cpu.LEVEL_FLAGS.items():
        if step <= level:
            assert set(needed) <= flags
        else:
            assert not set(needed) & flags


def test_simulated_cpuinfo_adds_the_profiles_flags() -> None:
    features = {"level": ["v1"], "sse3": ["on"], "avx512_bf16": ["on"], "avx": ["off"]}
    flags = flags_of({"hardware": {"x86_64_level": 1}, "namespaces": {"x86_64": features}})
    assert {"pni", "avx512_bf16"} <= flags  # Linux spells SSE3 pni
    assert "avx" not in flags and "level" not in flags


def test_no_cpuinfo_without_a_level() -> None:
    assert simulated_cpu.cpuinfo_text({"namespaces": {"x86_64": {"level": ["v3"]}}}) is None
    assert simulated_cpu.cpuinfo_text({"hardware": {"x86_64_level": True}}) is None
