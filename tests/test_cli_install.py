"""Tests for the ``select`` and ``install`` subcommands (reference.cli.install).

Expectations come from PEP 825 "Variant ordering", "Evaluating variant
markers", the suggested installer logic, and the providers text steps 1-6.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from reference.cli.main import main
from tests import test_index
from tests.test_index import build_wheel, make_simple_index

serve = test_index.serve  # the loopback index server fixture

SCHEMA = "https://variants-schema.wheelnext.dev/peps/825/v0.1.1.json"
SCHEMA_020 = "https://variants-schema.wheelnext.dev/peps/850/v0.2.0.json"

VARIANTS = {
    "null": {},
    "x86_64_v3": {"x86_64": {"level": ["v3"]}},
    "x86_64_v4": {"x86_64": {"level": ["v4"]}},
}
INDEX_DOC = {"$schema": SCHEMA, "default-priorities": {"namespace": ["x86_64"]}, "variants": VARIANTS}
REQUIRES = [
    "fastlib; variant_label == 'x86_64_v4'",
    "v3lib; 'x86_64 :: level :: v3' in variant_properties",
    "anyvariant; variant_label != ''",
    "plainlib; variant_label == ''",
]


def wheel_doc(label: str) -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "default-priorities": {"namespace": ["x86_64"]},
        "variants": {label: VARIANTS[label]},
    }


def identity(label: str) -> dict[str, str]:
    return {"demo/__init__.py": f"LABEL = {label!r}\n"}


@pytest.fixture
def links(tmp_path: Path) -> Path:
    d = tmp_path / "links"
    for label in VARIANTS:
        build_wheel(d, f"demo-1.0-py3-none-any-{label}.whl", identity(label), REQUIRES, wheel_doc(label))
    build_wheel(d, "demo-1.0-py3-none-any.whl", identity(""), REQUIRES)
    build_wheel(d, "demo-0.9-py3-none-any.whl", identity("old"))
    (d / "demo-1.0-variants.json").write_text(json.dumps(INDEX_DOC))
    for dep in ("fastlib", "v3lib", "anyvariant", "plainlib"):
        build_wheel(d, f"{dep}-1.0-py3-none-any.whl", {f"{dep}/__init__.py": ""})
    return d


def profile(tmp_path: Path, levels: list[str] | None, name: str = "p") -> Path:
    text = f'name = "{name}"\n[tags]\nsupported = ["py3-none-any"]\n'
    if levels is not None:
        text += "[namespaces.x86_64]\nlevel = " + json.dumps(levels) + "\n"
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ------------------------------------------------------------------------- select


def test_select_best_variant_json(tmp_path: Path, links: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # "Variant ordering": with v4 preferred over v3, the v4 group sorts first;
    # the null variant after the others, the non-variant wheel after all.
    prof = profile(tmp_path, ["v4", "v3"])
    code, out, _ = run(capsys, "select", "demo", "--find-links", str(links), "--profile", str(prof), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["selected"] == "demo-1.0-py3-none-any-x86_64_v4.whl"
    assert data["ranked"] == [
        "demo-1.0-py3-none-any-x86_64_v4.whl",
        "demo-1.0-py3-none-any-x86_64_v3.whl",
        "demo-1.0-py3-none-any-null.whl",
        "demo-1.0-py3-none-any.whl",
    ]
    # "Evaluating variant markers": label and narrowed properties of the selected wheel
    assert data["markers"] == {
        "variant_label": "x86_64_v4",
        "variant_properties": ["x86_64 :: level :: v4"],
        "variant_features": ["x86_64 :: level"],
        "variant_namespaces": ["x86_64"],
    }
    assert data["requires"] == ["fastlib; variant_label == 'x86_64_v4'", "anyvariant; variant_label != ''"]
    assert {c["filename"] for c in data["candidates"]} >= {"demo-1.0-py3-none-any-x86_64_v4.whl"}
    assert data["version"] == "1.0"


def test_select_unsupported_property_reason(
    tmp_path: Path, links: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prof = profile(tmp_path, ["v3"])
    code, out, _ = run(capsys, "select", "demo", "--find-links", str(links), "--profile", str(prof), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["selected"] == "demo-1.0-py3-none-any-x86_64_v3.whl"
    v4 = next(c for c in data["candidates"] if c["filename"].endswith("x86_64_v4.whl"))
    assert v4["compatible"] is False
    assert "pep825:property-compatibility" in v4["clauses"]
    assert data["requires"] == [
        "v3lib; 'x86_64 :: level :: v3' in variant_properties",
        "anyvariant; variant_label != ''",
    ]


def test_select_null_variant_when_namespace_unsupported(
    tmp_path: Path, links: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # no user static list for x86_64 and format 0.1.1 names no provider: nothing
    # supported, so the null variant ("always deemed compatible") is chosen.
    prof = profile(tmp_path, None)
    code, out, _ = run(capsys, "select", "demo", "--find-links", str(links), "--profile", str(prof), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["selected"] == "demo-1.0-py3-none-any-null.whl"
    assert data["markers"]["variant_label"] == "null"
    assert data["markers"]["variant_properties"] == []
    assert data["requires"] == ["anyvariant; variant_label != ''"]


def test_select_no_variants_and_variant_options(
    tmp_path: Path, links: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prof = str(profile(tmp_path, ["v4", "v3"]))
    code, out, _ = run(
        capsys, "select", "demo", "--find-links", str(links), "--profile", prof, "--no-variants", "--json"
    )
    data = json.loads(out)
    assert code == 0 and data["selected"] == "demo-1.0-py3-none-any.whl"
    assert data["markers"]["variant_label"] == ""
    assert data["requires"] == ["plainlib; variant_label == ''"]
    code, out, _ = run(
        capsys, "select", "demo", "--find-links", str(links), "--profile", prof, "--variant", "x86_64_v3"
    )
    assert code == 0 and out.strip() == "demo-1.0-py3-none-any-x86_64_v3.whl"


def test_select_variant_option_cannot_force_unsupported(
    tmp_path: Path, links: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # PEP 825: options MUST NOT select an unsupported wheel; v4 is not supported here.
    # demo 0.9 has no wheel with that label either, so nothing is selected: exit 1.
    prof = str(profile(tmp_path, ["v3"]))
    code, out, err = run(
        capsys,
        "select",
        "demo",
        "--find-links",
        str(links),
        "--profile",
        prof,
        "--variant",
        "x86_64_v4",
        "--json",
    )
    assert code == 1
    assert json.loads(out)["selected"] is None
    assert "Traceback" not in err


def test_select_explain(tmp_path: Path, links: Path, capsys: pytest.CaptureFixture[str]) -> None:
    prof = str(profile(tmp_path, ["v4", "v3"]))
    code, out, _ = run(capsys, "select", "demo", "--find-links", str(links), "--profile", prof, "--explain")
    assert code == 0
    assert "Decision: demo-1.0-py3-none-any-x86_64_v4.whl" in out
    assert "fastlib; variant_label == 'x86_64_v4'" in out


def test_select_older_version_and_specifier(
    tmp_path: Path, links: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prof = str(profile(tmp_path, ["v4"]))
    code, out, _ = run(capsys, "select", "demo<1", "--find-links", str(links), "--profile", prof)
    assert code == 0 and out.strip() == "demo-0.9-py3-none-any.whl"


def test_select_without_index_file_reads_wheels(
    tmp_path: Path, links: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # "If the source does not provide that file, the combined metadata can
    # instead be read from the candidate wheels."
    (links / "demo-1.0-variants.json").unlink()
    prof = str(profile(tmp_path, ["v3", "v4"]))
    code, out, _ = run(capsys, "select", "demo", "--find-links", str(links), "--profile", prof)
    assert code == 0 and out.strip() == "demo-1.0-py3-none-any-x86_64_v3.whl"


def test_select_pep503_http(
    tmp_path: Path, links: Path, serve: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    base = serve(make_simple_index(tmp_path / "idx", links))
    prof = str(profile(tmp_path, ["v4", "v3"]))
    code, out, _ = run(capsys, "select", "demo", "--index-url", base, "--profile", prof, "--json")
    assert code == 0
    data = json.loads(out)
    assert data["selected"] == "demo-1.0-py3-none-any-x86_64_v4.whl"
    assert data["url"].startswith(base)


def test_select_pep691_file_url(tmp_path: Path, links: Path, capsys: pytest.CaptureFixture[str]) -> None:
    simple = make_simple_index(tmp_path / "idx", links, json_pages=True)
    prof = str(profile(tmp_path, ["v3"]))
    code, out, _ = run(capsys, "select", "demo", "--index-url", simple.as_uri(), "--profile", prof)
    assert code == 0 and out.strip() == "demo-1.0-py3-none-any-x86_64_v3.whl"


def test_select_local_wheel(tmp_path: Path, links: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # PEP 825 "Installing a specific local wheel"
    prof = str(profile(tmp_path, ["v3"]))
    wheel = links / "demo-1.0-py3-none-any-x86_64_v3.whl"
    code, out, _ = run(capsys, "select", str(wheel), "--find-links", str(links), "--profile", prof)
    assert code == 0 and out.strip() == wheel.name
    wheel = links / "demo-1.0-py3-none-any-x86_64_v4.whl"
    code, _, _ = run(capsys, "select", str(wheel), "--find-links", str(links), "--profile", prof)
    assert code == 1


def test_select_local_wheel_needs_no_source(
    tmp_path: Path, links: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The help: "REQUIREMENT may also be the path of a local wheel"; the wheel
    # carries its own variant.json (PEP 825 "Installing a specific local wheel").
    prof = str(profile(tmp_path, ["v3"]))
    wheel = links / "demo-1.0-py3-none-any-x86_64_v3.whl"
    code, out, err = run(capsys, "select", str(wheel), "--profile", prof, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["selected"] == wheel.name
    assert "v3lib; 'x86_64 :: level :: v3' in variant_properties" in data["requires"]
    code, _, _ = run(capsys, "select", str(links / "demo-1.0-py3-none-any-x86_64_v4.whl"), "--profile", prof)
    assert code == 1
    code, _, err = run(capsys, "select", str(tmp_path / "missing-1.0-py3-none-any.whl"), "--profile", prof)
    assert code == 2 and "no such wheel file" in err and "Traceback" not in err
    # A requirement that is not a local wheel still needs a source.
    code, _, err = run(capsys, "select", "demo", "--profile", prof)
    assert code == 2 and "give a source" in err


def test_usage_and_io_errors(tmp_path: Path, links: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "select", "demo")
    assert code == 2 and "Traceback" not in err
    code, _, err = run(capsys, "select", "demo", "--find-links", str(tmp_path / "missing"))
    assert code == 2 and "not found" in err
    code, _, err = run(capsys, "select", "de mo!!", "--find-links", str(links))
    assert code == 2
    code, _, err = run(capsys, "select", "demo", "--index-url", "http://127.0.0.1:9/simple/")
    assert code == 2 and "Traceback" not in err
    code, _, _ = run(capsys, "install", "demo", "--find-links", str(links))  # no destination
    assert code == 2


def test_select_unknown_project(tmp_path: Path, links: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "select", "nothing", "--find-links", str(links), "--json")
    assert code == 1 and json.loads(out)["selected"] is None


# ------------------------------------------------------------------------- lock


NUMPY_LOCK_WHEELS = [
    "numpy-2.3.4-cp314-cp314-linux_x86_64-openblas.whl",
    "numpy-2.3.4-cp314-cp314-linux_x86_64-x86_64_v4_mkl.whl",
    "numpy-2.3.4-cp314-cp314-macosx_13_0_x86_64-accelerate.whl",
    "numpy-2.3.4-cp314-cp314-macosx_13_0_x86_64-openblas.whl",
]


def test_select_from_pep825_numpy_lock(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # PEP 825's pylock.toml example: of the listed linux wheels, label "openblas"
    # is missing from the inlined metadata (incompatible); x86_64_v4_mkl is chosen
    # on a v4 system with mkl.
    from tests.test_pylock import NUMPY_LOCK

    lock = tmp_path / "pylock.toml"
    lock.write_text(NUMPY_LOCK)
    prof = tmp_path / "cp314.toml"
    prof.write_text(
        'name = "cp314 linux v4 mkl"\n[tags]\nsupported = ["cp314-cp314-linux_x86_64"]\n'
        '[namespaces.x86_64]\nlevel = ["v4", "v3"]\n[namespaces.blas_lapack]\nlibrary = ["mkl", "openblas"]\n'
    )
    code, out, _ = run(capsys, "select", "numpy", "--lock", str(lock), "--profile", str(prof), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["selected"] == NUMPY_LOCK_WHEELS[1]
    reasons = {c["filename"]: c["clauses"] for c in data["candidates"]}
    assert "pep825:missing-label-incompatible" in reasons[NUMPY_LOCK_WHEELS[0]]
    assert data["markers"]["variant_properties"] == ["blas_lapack :: library :: mkl", "x86_64 :: level :: v4"]


def test_install_from_lock(tmp_path: Path, links: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import hashlib

    def entry(name: str) -> str:
        digest = hashlib.sha256((links / name).read_bytes()).hexdigest()
        return f'{{ path = "{links / name}", hashes = {{ sha256 = "{digest}" }} }}'

    wheels = [f"demo-1.0-py3-none-any-{label}.whl" for label in VARIANTS] + ["demo-1.0-py3-none-any.whl"]
    lock = tmp_path / "pylock.toml"
    lock.write_text(
        'lock-version = "1.0"\ncreated-by = "test"\n[[packages]]\nname = "demo"\nversion = "1.0"\n'
        "wheels = [" + ", ".join(entry(w) for w in wheels) + "]\n"
        "[packages.variants-json]\n" + f'"$schema" = "{SCHEMA}"\n'
        '[packages.variants-json.default-priorities]\nnamespace = ["x86_64"]\n'
        "[packages.variants-json.variants]\nnull = {}\n"
        'x86_64_v3 = { x86_64 = { level = ["v3"] } }\nx86_64_v4 = { x86_64 = { level = ["v4"] } }\n'
    )
    prof = str(profile(tmp_path, ["v3"]))
    code, out, _ = run(capsys, "select", "demo", "--lock", str(lock), "--profile", prof, "--json")
    data = json.loads(out)
    assert code == 0 and data["selected"] == "demo-1.0-py3-none-any-x86_64_v3.whl"
    # variant markers are evaluated for the wheel selected for this entry
    assert data["requires"] == [
        "v3lib; 'x86_64 :: level :: v3' in variant_properties",
        "anyvariant; variant_label != ''",
    ]
    target = tmp_path / "target"
    code, out, _ = run(
        capsys, "install", "--lock", str(lock), "--profile", prof, "--target", str(target), "--json"
    )
    assert code == 0
    assert json.loads(out)["installed"] == {"demo": "demo-1.0-py3-none-any-x86_64_v3.whl"}
    assert (target / "demo" / "__init__.py").read_text() == "LABEL = 'x86_64_v3'\n"


# ------------------------------------------------------------------------- install


def test_install_with_dependencies_into_target(
    tmp_path: Path, links: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Installer step 10: the selected wheel's dependencies follow its variant markers.
    prof = str(profile(tmp_path, ["v4", "v3"]))
    target = tmp_path / "target"
    code, out, _ = run(
        capsys,
        "install",
        "demo",
        "--find-links",
        str(links),
        "--profile",
        prof,
        "--target",
        str(target),
        "--json",
    )
    assert code == 0
    installed = json.loads(out)["installed"]
    assert installed == {
        "fastlib": "fastlib-1.0-py3-none-any.whl",
        "anyvariant": "anyvariant-1.0-py3-none-any.whl",
        "demo": "demo-1.0-py3-none-any-x86_64_v4.whl",
    }
    assert (target / "demo-1.0.dist-info" / "variant.json").is_file()
    assert not (target / "v3lib").exists()


def test_install_hash_mismatch_is_io_error(
    tmp_path: Path, links: Path, serve: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    simple = make_simple_index(tmp_path / "idx", links)
    # corrupt the served file after its hash was published
    (simple / "demo" / "demo-1.0-py3-none-any-x86_64_v4.whl").write_bytes(b"tampered")
    base = serve(simple)
    prof = str(profile(tmp_path, ["v4", "v3"]))
    target = tmp_path / "target"
    code, _, err = run(
        capsys, "install", "demo", "--index-url", base, "--profile", prof, "--target", str(target)
    )
    assert code == 2 and "hash mismatch" in err
    assert not (target / "demo").exists()


def test_install_into_fresh_venv_shows_selected_variant(tmp_path: Path, links: Path, serve: Any) -> None:
    # The whole path as a user runs it: a separate process, an HTTP index, a venv.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    base = serve(make_simple_index(tmp_path / "idx", links))
    prof = str(profile(tmp_path, ["v3"]))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "reference",
            "install",
            "demo",
            "--index-url",
            base,
            "--profile",
            prof,
            "--python",
            str(venv / "bin" / "python"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    shown = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import demo, v3lib, anyvariant; print(demo.LABEL)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.strip() == "x86_64_v3"


# ------------------------------------------------------------------------- plugins


def test_untrusted_plugin_never_imported_trusted_one_decides(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Providers text step 5: an untrusted provider package is neither installed
    # nor used; its namespace supports nothing (null variant chosen). Step 6:
    # once trusted, it is installed and queried, and its answer decides.
    marker = tmp_path / "plugin-was-imported"
    d = tmp_path / "links"
    build_wheel(
        d,
        "gpu_probe-1.0-py3-none-any.whl",
        {
            "gpu_probe/__init__.py": (
                f"open({str(marker)!r}, 'w').write('x')\n"
                "class C:\n    name = 'arch'\n    values = ['b', 'a']\n    multi_value = False\n"
                "def get_supported_configs():\n    return [C()]\n"
            )
        },
    )
    doc = {
        "$schema": SCHEMA_020,
        "default-priorities": {"namespace": ["gpu"]},
        "providers": {"gpu": {"requires": ["gpu-probe"]}},
        "variants": {"null": {}, "gpu_a": {"gpu": {"arch": ["a"]}}, "gpu_b": {"gpu": {"arch": ["b"]}}},
    }
    for label in doc["variants"]:
        one = dict(doc, variants={label: doc["variants"][label]})
        build_wheel(d, f"thing-1.0-py3-none-any-{label}.whl", {"thing/__init__.py": ""}, None, one)
    (d / "thing-1.0-variants.json").write_text(json.dumps(doc))
    prof = str(profile(tmp_path, None))
    code, out, _ = run(capsys, "select", "thing", "--find-links", str(d), "--profile", prof, "--json")
    data = json.loads(out)
    assert code == 0 and data["selected"] == "thing-1.0-py3-none-any-null.whl"
    gpu_a = next(c for c in data["candidates"] if c["filename"].endswith("gpu_a.whl"))
    assert "providers:step-5-trust" in gpu_a["clauses"]
    assert not marker.exists()
    code, out, _ = run(
        capsys, "select", "thing", "--find-links", str(d), "--profile", prof, "--trust", "GPU_Probe", "--json"
    )
    assert code == 0 and json.loads(out)["selected"] == "thing-1.0-py3-none-any-gpu_b.whl"
    assert marker.exists()


def test_install_local_wheel_with_dependencies(
    tmp_path: Path, links: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # PEP 825 "Installing a specific local wheel": tags, its own variant.json,
    # then its dependencies with the markers evaluated for that wheel.
    prof = str(profile(tmp_path, ["v3", "v4"]))
    wheel = links / "demo-1.0-py3-none-any-x86_64_v4.whl"
    target = tmp_path / "target"
    code, out, _ = run(
        capsys,
        "install",
        str(wheel),
        "--find-links",
        str(links),
        "--profile",
        prof,
        "--target",
        str(target),
        "--json",
    )
    assert code == 0
    assert json.loads(out)["installed"] == {
        "demo": "demo-1.0-py3-none-any-x86_64_v4.whl",
        "fastlib": "fastlib-1.0-py3-none-any.whl",
        "anyvariant": "anyvariant-1.0-py3-none-any.whl",
    }


def test_install_from_lock_hash_mismatch(
    tmp_path: Path, links: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wheel = links / "demo-1.0-py3-none-any.whl"
    lock = tmp_path / "pylock.toml"
    lock.write_text(
        'lock-version = "1.0"\ncreated-by = "test"\n[[packages]]\nname = "demo"\nversion = "1.0"\n'
        f'wheels = [{{ path = "{wheel}", hashes = {{ sha256 = "{"0" * 64}" }} }}]\n'
    )
    target = tmp_path / "target"
    code, _, err = run(capsys, "install", "--lock", str(lock), "--target", str(target))
    assert code == 2 and "hash mismatch" in err
    assert not (target / "demo").exists()


# ------------------------------------------------------------------------- lock writing


def test_lock_then_install_from_lock_on_another_system(
    tmp_path: Path, links: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # PEP 825 "Integration with pylock.toml": all variant (and non-variant)
    # wheels of the version can be listed; the table inlines the combined
    # metadata with "$schema" kept; each installing system selects its own.
    from reference.install.pylock import load_lock

    lock = tmp_path / "pylock.toml"
    v4 = str(profile(tmp_path, ["v4", "v3"], "v4"))
    code, _, _ = run(
        capsys, "lock", "demo", "--find-links", str(links), "--profile", v4, "--output", str(lock)
    )
    assert code == 0
    parsed = load_lock(lock)
    demo = next(p for p in parsed.packages if p.name == "demo")
    assert sorted(demo.filenames) == [
        "demo-1.0-py3-none-any-null.whl",
        "demo-1.0-py3-none-any-x86_64_v3.whl",
        "demo-1.0-py3-none-any-x86_64_v4.whl",
        "demo-1.0-py3-none-any.whl",
    ]
    assert demo.metadata is not None and demo.metadata.schema == SCHEMA
    assert set(demo.metadata.variants) == set(VARIANTS)
    assert all(w.hashes.get("sha256") for w in demo.wheels)
    assert {p.name for p in parsed.packages} == {"demo", "fastlib", "anyvariant"}
    # a v3 system installs the v3 variant from the same lock
    v3 = str(profile(tmp_path, ["v3"], "v3"))
    target = tmp_path / "target"
    code, out, _ = run(
        capsys, "install", "--lock", str(lock), "--profile", v3, "--target", str(target), "--json"
    )
    assert code == 0
    assert json.loads(out)["installed"]["demo"] == "demo-1.0-py3-none-any-x86_64_v3.whl"


def test_lock_selected_only_prunes_labels(
    tmp_path: Path, links: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from reference.install.pylock import load_lock

    lock = tmp_path / "pylock.toml"
    v4 = str(profile(tmp_path, ["v4", "v3"], "v4"))
    code, _, _ = run(
        capsys,
        "lock",
        "demo",
        "--find-links",
        str(links),
        "--profile",
        v4,
        "--selected-only",
        "--output",
        str(lock),
    )
    assert code == 0
    demo = next(p for p in load_lock(lock).packages if p.name == "demo")
    assert demo.filenames == ["demo-1.0-py3-none-any-x86_64_v4.whl"]
    # "The tools MAY remove the entries of the variants dictionary whose labels
    # do not occur among the wheels listed for the package"
    assert demo.metadata is not None and set(demo.metadata.variants) == {"x86_64_v4"}
