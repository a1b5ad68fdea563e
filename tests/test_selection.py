"""Tests for reference.selection.select: PEP 825 "Variant ordering", the suggested
installer logic and the "Installation example (non-normative)".
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet

from reference.errors import InvalidVariantMetadata, Violation
from reference.format.model import SCHEMA_0_1_1, SCHEMA_0_2_0, ProviderInfo, VariantMetadata
from reference.providers.interface import FeatureConfig
from reference.providers.profiles import Profile
from reference.selection.explain import explain_selection
from reference.selection.select import select_version, select_wheel
from reference.selection.system import SelectOptions, System

PLAT = "cp312-cp312-manylinux_2_28_x86_64"

# PEP 825 "Installation example (non-normative)": PyTorch's variants.
TORCH_VARIANTS = {
    "cuda12.6": {"nvidia": {"cuda_version_lower_bound": ("12.6",), "sm_arch": ("80_real", "90_real")}},
    "cuda13.0": {"nvidia": {"cuda_version_lower_bound": ("13.0",), "sm_arch": ("90_real", "120_real")}},
    "cuda13.2": {"nvidia": {"cuda_version_lower_bound": ("13.2",), "sm_arch": ("90_real", "120_real")}},
    "rocm7.2": {"amd": {"rocm_version": ("7.2",), "gfx_arch": ("gfx942",)}},
    "null": {},
}
TORCH = VariantMetadata(SCHEMA_0_1_1, ("nvidia", "amd"), TORCH_VARIANTS)
TORCH_WHEELS = [f"torch-2.13.0-{PLAT}-{label}.whl" for label in TORCH_VARIANTS]


def system(namespaces: dict | None = None, tags: list[str] | None = None, **extra: object) -> System:  # type: ignore[type-arg]
    data = {
        "name": "test",
        "tags": {"supported": tags or [PLAT, "py3-none-any"]},
        "namespaces": namespaces or {},
    }
    data.update(extra)
    return System(Profile.from_dict(data))


CUDA_13_SM90 = {
    "nvidia": {"cuda_version_lower_bound": ["13.0", "12.9", "12.8", "12.6"], "sm_arch": ["90_real"]}
}


def test_pytorch_walkthrough_prefers_cuda_13_over_12() -> None:
    # Installation example, step 4: wheels whose properties are not supported
    # are filtered out (cuda13.2 needs a newer driver; rocm needs AMD).
    # Step 5: "The wheels for CUDA 13 will sort before the ones for CUDA 12 ...
    # The null wheel always sorts last".
    result = select_wheel(TORCH_WHEELS, TORCH, system(CUDA_13_SM90))
    assert result.selected == f"torch-2.13.0-{PLAT}-cuda13.0.whl"
    assert result.ranked == [
        f"torch-2.13.0-{PLAT}-cuda13.0.whl",
        f"torch-2.13.0-{PLAT}-cuda12.6.whl",
        f"torch-2.13.0-{PLAT}-null.whl",
    ]
    verdict = {c.label: c for c in result.candidates}
    assert not verdict["cuda13.2"].compatible
    assert not verdict["rocm7.2"].compatible
    assert "pep825:property-compatibility" in {r.clause for r in verdict["rocm7.2"].reasons}


def test_pytorch_walkthrough_null_when_no_gpu() -> None:
    # Step 5: the null wheel "would be selected only if none of the GPU wheels were compatible".
    result = select_wheel(TORCH_WHEELS, TORCH, system())
    assert result.selected == f"torch-2.13.0-{PLAT}-null.whl"
    assert result.markers is not None and result.markers.label == "null"
    assert result.markers.properties == frozenset()


def test_pytorch_walkthrough_narrowed_markers_gate_fast_gemm() -> None:
    # Step 7: "fast-gemm; "nvidia :: sm_arch :: 120_real" in variant_properties" -
    # "On a system with an older GPU, 120_real is not among the supported
    # properties found in step 4, so the narrowing removes it".
    requires = ['fast-gemm; "nvidia :: sm_arch :: 120_real" in variant_properties', "filelock"]
    old_gpu = select_wheel(TORCH_WHEELS, TORCH, system(CUDA_13_SM90))
    assert old_gpu.markers is not None
    assert old_gpu.markers.properties == {
        "nvidia :: cuda_version_lower_bound :: 13.0",
        "nvidia :: sm_arch :: 90_real",
    }
    assert old_gpu.requires(requires) == ["filelock"]
    new_gpu_profile = {"nvidia": {"cuda_version_lower_bound": ["13.0"], "sm_arch": ["120_real", "90_real"]}}
    new_gpu = select_wheel(TORCH_WHEELS, TORCH, system(new_gpu_profile))
    assert new_gpu.selected == f"torch-2.13.0-{PLAT}-cuda13.0.whl"
    assert new_gpu.requires(requires) == requires


def test_tags_filter_first_and_order_within_a_group() -> None:
    # Installer logic step 3 filters by tags; "Within every group, the wheels
    # MUST then be ordered according to their platform compatibility tags."
    # Installation example step 6: abi3 vs cp315 builds of the same variant.
    tags = ["cp315-cp315-linux_x86_64", "cp315-abi3-linux_x86_64", "py3-none-any"]
    meta = VariantMetadata(SCHEMA_0_1_1, ("x86_64",), {"v3": {"x86_64": {"level": ("v3",)}}})
    wheels = [
        "foo-1.0-cp312-abi3-linux_x86_64-v3.whl",
        "foo-1.0-cp315-cp315-linux_x86_64-v3.whl",
        "foo-1.0-cp311-cp311-win_amd64-v3.whl",
    ]
    # cp312-abi3 is not in the (explicit) tag list, so it is filtered out.
    result = select_wheel(wheels, meta, system({"x86_64": {"level": ["v3"]}}, tags))
    assert result.ranked == ["foo-1.0-cp315-cp315-linux_x86_64-v3.whl"]
    mismatch = [c for c in result.candidates if not c.compatible]
    assert {r.clause for c in mismatch for r in c.reasons} == {"reference:platform-tags"}


def test_build_number_orders_within_a_group_after_tags() -> None:
    # Installer logic step 9: "order them by Platform compatibility tags and build number".
    meta = VariantMetadata(SCHEMA_0_1_1, ("x86_64",), {"v3": {"x86_64": {"level": ("v3",)}}})
    wheels = ["foo-1.0-1-py3-none-any-v3.whl", "foo-1.0-2-py3-none-any-v3.whl", "foo-1.0-py3-none-any-v3.whl"]
    result = select_wheel(wheels, meta, system({"x86_64": {"level": ["v3"]}}))
    assert result.ranked == [*wheels[1::-1], wheels[2]]


def test_non_variant_after_every_variant_group_including_null() -> None:
    # "The group of non-variant wheels MUST be placed after all the other groups."
    meta = VariantMetadata(SCHEMA_0_1_1, (), {"null": {}})
    wheels = ["foo-1.0-py3-none-any.whl", "foo-1.0-py3-none-any-null.whl"]
    assert select_wheel(wheels, meta, system()).ranked == [wheels[1], wheels[0]]


def test_missing_label_is_incompatible() -> None:
    # Installer logic step 6: "If any of the labels present in wheel filenames
    # are missing from it, assume that the respective wheels are incompatible."
    meta = VariantMetadata(SCHEMA_0_1_1, ("x86_64",), {"null": {}})
    wheels = ["foo-1.0-py3-none-any-v3.whl", "foo-1.0-py3-none-any.whl"]
    result = select_wheel(wheels, meta, system({"x86_64": {"level": ["v3"]}}))
    assert result.selected == "foo-1.0-py3-none-any.whl"
    assert result.candidates[0].reasons[0].clause == "pep825:missing-label-incompatible"


def test_metadata_read_from_one_wheel_per_label_when_index_file_is_missing() -> None:
    # Installer logic step 5: "the combined metadata can instead be read from
    # the candidate wheels. Only one wheel per distinct variant label needs to be inspected".
    documents = {
        "v3": VariantMetadata(SCHEMA_0_1_1, ("x86_64",), {"v3": {"x86_64": {"level": ("v3",)}}}),
        "v4": VariantMetadata(SCHEMA_0_1_1, ("x86_64",), {"v4": {"x86_64": {"level": ("v4",)}}}),
    }
    reads: list[str] = []

    def read(filename: str) -> VariantMetadata:
        reads.append(filename)
        return documents[filename.rsplit("-", 1)[1][:-4]]

    wheels = [
        "foo-1.0-py3-none-any-v3.whl",
        "foo-1.0-py2.py3-none-any-v3.whl",
        "foo-1.0-py3-none-any-v4.whl",
    ]
    result = select_wheel(wheels, None, system({"x86_64": {"level": ["v4", "v3"]}}), read_wheel_metadata=read)
    assert result.selected == "foo-1.0-py3-none-any-v4.whl"
    assert len(reads) == 2


def test_unreadable_wheel_metadata_degrades_gracefully() -> None:
    # PEP 825 "Implementation requirements": an installer "SHOULD prefer to
    # degrade gracefully ... by ignoring the variant wheels and selecting among the remaining ones."
    def read(filename: str) -> VariantMetadata:
        raise InvalidVariantMetadata(Violation("pep825:metadata-structure", "broken"))

    wheels = ["foo-1.0-py3-none-any-v3.whl", "foo-1.0-py3-none-any.whl"]
    result = select_wheel(wheels, None, system(), read_wheel_metadata=read)
    assert result.selected == "foo-1.0-py3-none-any.whl"
    assert result.candidates[0].reasons[0].clause == "pep825:metadata-structure"


def test_no_metadata_at_all_makes_variant_wheels_incompatible() -> None:
    # "For the purpose of ordering, the combined variant metadata ... MUST be obtained."
    result = select_wheel(["foo-1.0-py3-none-any-v3.whl"], None, system())
    assert result.selected is None
    assert result.candidates[0].reasons[0].clause == "pep825:ordering-combined-metadata"


BLAS = VariantMetadata(
    SCHEMA_0_2_0,
    ("blas_lapack", "debug"),
    {
        "openblas": {"blas_lapack": {"library": ("openblas",)}},
        "mkl": {"blas_lapack": {"library": ("mkl",)}},
        "dbg": {"debug": {"build": ("on",)}},
        "null": {},
    },
    {
        "blas_lapack": ProviderInfo("blas_lapack", static_properties={"library": ("openblas", "mkl")}),
        "debug": ProviderInfo("debug", static_properties={"build": ("on",)}, optional=True),
    },
)
BLAS_WHEELS = [f"numpy-2.0-py3-none-any-{label}.whl" for label in ("openblas", "mkl", "dbg", "null")]


def test_option_variant_narrows_to_that_label() -> None:
    # "The tools MAY also provide options ... to select a particular variant."
    result = select_wheel(BLAS_WHEELS, BLAS, system(), SelectOptions(variant="mkl"))
    assert result.selected == "numpy-2.0-py3-none-any-mkl.whl"
    assert result.ranked == ["numpy-2.0-py3-none-any-mkl.whl"]


def test_option_variant_never_selects_an_unsupported_wheel() -> None:
    # "... MUST NOT cause selection of a wheel with properties the target system does not support."
    result = select_wheel(BLAS_WHEELS, BLAS, system(), SelectOptions(variant="dbg"))
    assert result.selected is None
    dbg = next(c for c in result.candidates if c.label == "dbg")
    assert "providers:step-1-disabled" in {r.clause for r in dbg.reasons}


def test_enable_provider_makes_optional_variant_selectable() -> None:
    # Providers text step 1: "The tools MUST provide a way to explicitly enable a provider".
    result = select_wheel(BLAS_WHEELS, BLAS, system(), SelectOptions(enable_providers=frozenset({"debug"})))
    # Namespace order: blas_lapack before debug, so openblas still wins ...
    assert result.selected == "numpy-2.0-py3-none-any-openblas.whl"
    # ... but dbg is now compatible and ranked before null.
    assert result.ranked.index("numpy-2.0-py3-none-any-dbg.whl") < result.ranked.index(
        "numpy-2.0-py3-none-any-null.whl"
    )


def test_no_variants_keeps_only_non_variant_wheels() -> None:
    wheels = [*BLAS_WHEELS, "numpy-2.0-py3-none-any.whl"]
    result = select_wheel(wheels, BLAS, system(), SelectOptions(no_variants=True))
    assert result.ranked == ["numpy-2.0-py3-none-any.whl"]
    assert result.markers is not None and result.markers.label == ""


def test_untrusted_plugin_makes_namespace_unsupported_and_is_never_called() -> None:
    # Providers text step 5: untrusted -> "MUST assume that the list of
    # compatible features is empty and they MUST NOT install or use the provider packages."
    calls: list[str] = []

    def runner(provider: ProviderInfo, environment: object) -> list[FeatureConfig]:
        calls.append(provider.namespace)
        return [FeatureConfig("level", ("v3",), False)]

    meta = VariantMetadata(
        SCHEMA_0_2_0,
        ("x86_64",),
        {"v3": {"x86_64": {"level": ("v3",)}}, "null": {}},
        {"x86_64": ProviderInfo("x86_64", requires=("provider-variant-x86-64>=0.0.1",))},
    )
    wheels = ["foo-1.0-py3-none-any-v3.whl", "foo-1.0-py3-none-any-null.whl"]
    sys_ = System(
        Profile.from_dict({"name": "t", "tags": {"supported": ["py3-none-any"]}}), plugin_runner=runner
    )
    untrusted = select_wheel(wheels, meta, sys_)
    assert untrusted.selected == "foo-1.0-py3-none-any-null.whl"
    assert calls == []
    assert "providers:step-5-trust" in {r.clause for r in untrusted.candidates[0].reasons}
    trusted = select_wheel(wheels, meta, sys_, SelectOptions(trust=frozenset({"Provider_Variant_X86_64"})))
    assert trusted.selected == "foo-1.0-py3-none-any-v3.whl"
    assert calls == ["x86_64"]


def test_abi_dependency_matches_installed_versions() -> None:
    # Providers text, ABI Dependency Variant Provider: "abi_dependency :: torch :: 2.9" -> torch==2.9.*
    meta = VariantMetadata(
        SCHEMA_0_2_0,
        (),
        {
            "torch28": {"abi_dependency": {"torch": ("2.8",)}},
            "torch29": {"abi_dependency": {"torch": ("2.9",)}},
            "null": {},
        },
        {},
    )
    wheels = [f"ext-1.0-py3-none-any-{label}.whl" for label in ("torch28", "torch29", "null")]
    result = select_wheel(wheels, meta, system(installed={"torch": "2.9.1"}))
    assert result.ranked == [wheels[1], wheels[2]]
    resolved = select_wheel(wheels, meta, System(system().profile, resolution={"torch": "2.8.0"}))
    assert resolved.selected == wheels[0]
    assert select_wheel(wheels, meta, system()).selected == wheels[2]


def test_explain_and_json_describe_the_decision() -> None:
    result = select_wheel(TORCH_WHEELS, TORCH, system(CUDA_13_SM90))
    text = explain_selection(result)
    assert "Decision: torch-2.13.0" in text and "cuda13.0" in text
    data = json.loads(json.dumps(result.to_json(requires=["filelock"])))
    assert data["selected"] == f"torch-2.13.0-{PLAT}-cuda13.0.whl"
    assert data["requires"] == ["filelock"]
    assert data["markers"]["variant_label"] == "cuda13.0"
    assert {c["filename"] for c in data["candidates"]} == set(TORCH_WHEELS)
    assert all(c["compatible"] == (not c["reasons"]) for c in data["candidates"])


def test_select_version_falls_back_to_older_version_with_compatible_wheel() -> None:
    meta = {
        "2.0": VariantMetadata(SCHEMA_0_1_1, ("x86_64",), {"v4": {"x86_64": {"level": ("v4",)}}}),
        "1.0": VariantMetadata(SCHEMA_0_1_1, ("x86_64",), {"v3": {"x86_64": {"level": ("v3",)}}}),
    }
    wheels = ["foo-2.0-py3-none-any-v4.whl", "foo-1.0-py3-none-any-v3.whl", "foo-3.0-py3-none-any.whl"]
    sys_ = system({"x86_64": {"level": ["v3"]}})
    chosen = select_version(wheels, SpecifierSet("<3"), meta.get, sys_)
    assert chosen is not None and chosen.selected == "foo-1.0-py3-none-any-v3.whl"
    assert select_version(wheels, "", meta.get, sys_).selected == "foo-3.0-py3-none-any.whl"  # type: ignore[union-attr]
    assert select_version(wheels, ">=2,<3", meta.get, sys_) is None


# -- properties ------------------------------------------------------------------------

LEVELS = ["v1", "v2", "v3", "v4"]
LIBS = ["openblas", "mkl", "accelerate"]
_label = st.from_regex(r"[a-z][a-z0-9_]{0,5}", fullmatch=True).filter(lambda s: s != "null")


@st.composite
def _world(draw: st.DrawFn) -> tuple[VariantMetadata, list[str], System]:
    variants: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {"null": {}}
    for label in draw(st.lists(_label, max_size=8, unique=True)):
        props: dict[str, dict[str, tuple[str, ...]]] = {}
        if draw(st.booleans()):
            props["x86_64"] = {
                "level": tuple(draw(st.lists(st.sampled_from(LEVELS), min_size=1, unique=True)))
            }
        if draw(st.booleans()):
            props["blas_lapack"] = {
                "library": tuple(draw(st.lists(st.sampled_from(LIBS), min_size=1, unique=True)))
            }
        if props:
            variants[label] = props
    meta = VariantMetadata(SCHEMA_0_1_1, ("x86_64", "blas_lapack"), variants)
    tags = ["py3-none-any", "py2.py3-none-any"]
    wheels = [f"foo-1.0-{draw(st.sampled_from(tags))}-{label}.whl" for label in variants]
    if draw(st.booleans()):
        wheels.append("foo-1.0-py3-none-any.whl")
    namespaces = {
        "x86_64": {"level": draw(st.lists(st.sampled_from(LEVELS), unique=True))},
        "blas_lapack": {"library": draw(st.lists(st.sampled_from(LIBS), unique=True))},
    }
    profile = Profile.from_dict(
        {"name": "p", "tags": {"supported": ["py3-none-any"]}, "namespaces": namespaces}
    )
    return meta, wheels, System(profile)


@given(_world(), st.randoms())
def test_selection_is_independent_of_input_order(world, rnd) -> None:  # type: ignore[no-untyped-def]
    meta, wheels, sys_ = world
    first = select_wheel(wheels, meta, sys_)
    shuffled = list(wheels)
    rnd.shuffle(shuffled)
    assert select_wheel(shuffled, meta, sys_).ranked == first.ranked


@given(_world())
def test_selected_wheel_is_always_compatible(world) -> None:  # type: ignore[no-untyped-def]
    meta, wheels, sys_ = world
    result = select_wheel(wheels, meta, sys_)
    compatible = {c.filename for c in result.candidates if c.compatible}
    assert set(result.ranked) == compatible
    if result.selected is not None:
        assert result.selected in compatible
        # PEP 825: every feature of the selected variant has a supported value.
        label = next(c.label for c in result.candidates if c.filename == result.selected)
        if label is not None:
            supported = sys_.profile.namespaces
            for ns, features in meta.variants[label].items():
                for feature, values in features.items():
                    assert set(values) & set(supported[ns][feature])


@given(_world(), st.sampled_from(["x86_64", "blas_lapack"]))
def test_adding_an_incompatible_wheel_never_changes_the_choice(world, namespace) -> None:  # type: ignore[no-untyped-def]
    meta, wheels, sys_ = world
    before = select_wheel(wheels, meta, sys_).selected
    # A variant whose only value the system cannot support, and a wheel with a foreign tag.
    variants = dict(meta.variants)
    variants["zz_unsupported"] = {namespace: {"level" if namespace == "x86_64" else "library": ("nope",)}}
    bigger = VariantMetadata(meta.schema, meta.namespace_priorities, variants)
    extra = ["foo-1.0-py3-none-any-zz_unsupported.whl", "foo-1.0-cp27-cp27mu-linux_armv6l.whl"]
    assert select_wheel([*wheels, *extra], bigger, sys_).selected == before


@pytest.mark.parametrize(
    "name", ["not-a-wheel.tar.gz", "foo-1.0-py3-none.whl", "foo-1.0-py3-none-any-Bad.whl"]
)
def test_invalid_filenames_are_incompatible_candidates(name: str) -> None:
    result = select_wheel([name, "foo-1.0-py3-none-any.whl"], None, system())
    assert result.selected == "foo-1.0-py3-none-any.whl"
    assert not result.candidates[0].compatible


def test_null_variant_needs_no_metadata_entry() -> None:
    # PEP 825 "Variant label": "The label null is reserved and always
    # corresponds to the variant with zero properties ... always compatible."
    # Read as taking precedence over the non-normative "missing label" step.
    meta = VariantMetadata(SCHEMA_0_1_1, ("x86_64",), {"v3": {"x86_64": {"level": ("v3",)}}})
    wheels = ["foo-1.0-py3-none-any-null.whl", "foo-1.0-py3-none-any.whl"]
    result = select_wheel(wheels, meta, system())
    assert result.selected == "foo-1.0-py3-none-any-null.whl"
    assert result.warnings
    # Without any metadata, the null variant still sorts before non-variant wheels.
    assert select_wheel(wheels, None, system()).ranked == wheels


# PEP 825 "Integration with pylock.toml", "Example": the numpy entry. Its
# wheel labels "openblas" and "accelerate" are not in the inlined variants.
NUMPY_LOCK = VariantMetadata(
    SCHEMA_0_1_1,
    ("x86_64", "aarch64", "blas_lapack"),
    {
        "null": {},
        "x86_64_v3_openblas": {"blas_lapack": {"library": ("openblas",)}, "x86_64": {"level": ("v3",)}},
        "x86_64_v4_mkl": {"blas_lapack": {"library": ("mkl",)}, "x86_64": {"level": ("v4",)}},
    },
)
NUMPY_WHEELS = [
    "numpy-2.3.4-cp314-cp314-linux_x86_64-openblas.whl",
    "numpy-2.3.4-cp314-cp314-linux_x86_64-x86_64_v4_mkl.whl",
    "numpy-2.3.4-cp314-cp314-macosx_13_0_x86_64-accelerate.whl",
    "numpy-2.3.4-cp314-cp314-macosx_13_0_x86_64-openblas.whl",
]


def test_numpy_lock_example_selects_among_listed_wheels() -> None:
    linux = ["cp314-cp314-linux_x86_64"]
    v4 = system({"x86_64": {"level": ["v4", "v3"]}, "blas_lapack": {"library": ["mkl", "openblas"]}}, linux)
    result = select_wheel(NUMPY_WHEELS, NUMPY_LOCK, v4)
    assert result.selected == "numpy-2.3.4-cp314-cp314-linux_x86_64-x86_64_v4_mkl.whl"
    assert result.markers is not None
    assert result.markers.namespaces == {"x86_64", "blas_lapack"}
    # The linux "openblas" label is missing from the inlined metadata: incompatible.
    openblas = result.candidates[0]
    assert [r.clause for r in openblas.reasons] == ["pep825:missing-label-incompatible"]
    v3 = system({"x86_64": {"level": ["v3"]}, "blas_lapack": {"library": ["openblas"]}}, linux)
    assert select_wheel(NUMPY_WHEELS, NUMPY_LOCK, v3).selected is None


def test_local_wheel_is_checked_against_its_own_metadata() -> None:
    # "Installing a specific local wheel": verify tags, read variant.json, verify properties.
    own = VariantMetadata(SCHEMA_0_1_1, ("x86_64",), {"v4": {"x86_64": {"level": ("v4",)}}})
    wheel = ["foo-1.0-py3-none-any-v4.whl"]
    ok = select_wheel(wheel, None, system({"x86_64": {"level": ["v4"]}}), read_wheel_metadata=lambda _: own)
    assert ok.selected == wheel[0]
    bad = select_wheel(wheel, None, system({"x86_64": {"level": ["v3"]}}), read_wheel_metadata=lambda _: own)
    assert bad.selected is None
