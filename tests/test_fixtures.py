"""The fixture builder: reproducible wheels, correct RECORDs, identity files, three layouts."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from conformance.__main__ import main
from conformance.fixtures import (
    DEFAULT_INDEXES,
    SCHEMA_URLS,
    FixtureError,
    build_all,
    build_index,
    load_source,
)

DATA = Path(__file__).parent / "data" / "fixtures"
INDEXES = DATA / "indexes"
BAD = DATA / "bad"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("built")
    build_all(out, INDEXES)
    return out


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _wheel(built: Path, index: str, filename: str) -> zipfile.ZipFile:
    return zipfile.ZipFile(built / index / "flat" / filename)


def _all_wheels(root: Path) -> list[Path]:
    return sorted(root.glob("*/flat/*.whl"))


# -- reproducibility ---------------------------------------------------------------------------


def test_build_is_byte_for_byte_reproducible(built: Path, tmp_path: Path) -> None:
    # Issue 4: "Output is byte-for-byte reproducible".
    build_all(tmp_path, INDEXES)
    assert _tree(tmp_path) == _tree(built)


def test_rebuild_replaces_stale_output(built: Path, tmp_path: Path) -> None:
    build_all(tmp_path, INDEXES)
    (tmp_path / "demo" / "flat" / "stale.whl").write_bytes(b"x")
    build_all(tmp_path, INDEXES)
    assert not (tmp_path / "demo" / "flat" / "stale.whl").exists()


def test_zip_entries_are_sorted_with_fixed_timestamps(built: Path) -> None:
    for path in _all_wheels(built):
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
        names = [i.filename for i in infos]
        assert names[-1].endswith(".dist-info/RECORD"), path.name
        payload = [n for n in names[:-1] if ".dist-info/" not in n]
        meta = [n for n in names[:-1] if ".dist-info/" in n]
        assert names[:-1] == sorted(payload) + sorted(meta), path.name
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}, path.name


# -- RECORD ------------------------------------------------------------------------------------


def test_every_record_entry_matches_its_file(built: Path) -> None:
    # Binary distribution format: RECORD lists every file with
    # sha256=<urlsafe-b64 without padding> and its size; RECORD itself has neither.
    wheels = _all_wheels(built)
    assert len(wheels) >= 10
    for path in wheels:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            record_name = next(n for n in names if n.endswith(".dist-info/RECORD"))
            rows = list(csv.reader(io.StringIO(archive.read(record_name).decode("utf-8"))))
            assert sorted(r[0] for r in rows) == sorted(names), path.name
            for name, digest, size in rows:
                if name == record_name:
                    assert (digest, size) == ("", ""), path.name
                    continue
                data = archive.read(name)
                expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
                assert digest == "sha256=" + expected.decode(), (path.name, name)
                assert int(size) == len(data), (path.name, name)


def test_wheels_install_with_pypa_installer(built: Path, tmp_path: Path) -> None:
    # installer validates RECORD hashes when told to; a wrong hash raises.
    from installer import install
    from installer.destinations import SchemeDictionaryDestination
    from installer.sources import WheelFile

    scheme = {k: str(tmp_path / k) for k in ("purelib", "platlib", "scripts", "headers", "data")}
    destination = SchemeDictionaryDestination(scheme, sys.executable, "posix")
    with WheelFile.open(built / "demo" / "flat" / "demo_pkg-1.0-py3-none-any-v3_openblas.whl") as source:
        source.validate_record()
        install(source, destination, {})
    assert (tmp_path / "purelib" / "demo_pkg" / "_variant_identity.json").is_file()


# -- contents ----------------------------------------------------------------------------------


def test_identity_file_names_the_wheel(built: Path) -> None:
    for path in _all_wheels(built):
        if path.name.startswith("variant_"):
            continue  # plugin wheels are packed from their sources as is
        with zipfile.ZipFile(path) as archive:
            identity_name = next(n for n in archive.namelist() if n.endswith("/_variant_identity.json"))
            identity = json.loads(archive.read(identity_name))
        assert identity["filename"] == path.name
    with _wheel(built, "demo", "demo_pkg-1.0-1-py3-none-any-v2.whl") as archive:
        identity = json.loads(archive.read("demo_pkg/_variant_identity.json"))
    assert identity == {
        "filename": "demo_pkg-1.0-1-py3-none-any-v2.whl",
        "label": "v2",
        "tags": ["py3-none-any"],
    }
    with _wheel(built, "demo", "demo_pkg-1.0-py2.py3-none-any.whl") as archive:
        identity = json.loads(archive.read("demo_pkg/_variant_identity.json"))
    # a compressed tag set is expanded; a non-variant wheel has no label
    assert identity == {
        "filename": "demo_pkg-1.0-py2.py3-none-any.whl",
        "label": None,
        "tags": ["py2-none-any", "py3-none-any"],
    }


def test_package_init_exposes_identity(built: Path, tmp_path: Path) -> None:
    with _wheel(built, "demo", "demo_pkg-1.0-py3-none-any-null.whl") as archive:
        archive.extractall(tmp_path)
    out = subprocess.run(
        [sys.executable, "-c", "import demo_pkg, json; print(json.dumps(demo_pkg.IDENTITY))"],
        cwd=tmp_path, capture_output=True, text=True, check=True, timeout=60,
    )
    assert json.loads(out.stdout)["label"] == "null"


def test_metadata_carries_requires_dist(built: Path) -> None:
    with _wheel(built, "demo", "demo_pkg-1.0-py3-none-any-v3_openblas.whl") as archive:
        metadata = archive.read("demo_pkg-1.0.dist-info/METADATA").decode()
    assert "Name: Demo.Pkg\n" in metadata
    assert "Requires-Dist: dep-b; variant_label == 'v3_openblas'\n" in metadata
    assert "Requires-Dist: dep-c; 'x86_64' in variant_namespaces\n" in metadata
    with _wheel(built, "demo", "demo_pkg-1.0-py2.py3-none-any.whl") as archive:
        metadata = archive.read("demo_pkg-1.0.dist-info/METADATA").decode()
    # the wheel's own requires-dist overrides the package's
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist")]
    assert requires == ["Requires-Dist: dep-a"]


def test_wheel_file_lists_tags_and_build(built: Path) -> None:
    with _wheel(built, "demo", "demo_pkg-1.0-1-py3-none-any-v2.whl") as archive:
        wheel = archive.read("demo_pkg-1.0.dist-info/WHEEL").decode()
    assert "Tag: py3-none-any\n" in wheel
    assert "Build: 1\n" in wheel


def test_variant_json_has_the_single_label(built: Path) -> None:
    # PEP 825 "Variant metadata": in variant.json, variants is "always a single
    # entry, with the key matching the variant label".
    with _wheel(built, "demo", "demo_pkg-1.0-py3-none-any-v3_openblas.whl") as archive:
        doc = json.loads(archive.read("demo_pkg-1.0.dist-info/variant.json"))
    assert doc == {
        "$schema": SCHEMA_URLS["0.1.1"],
        "default-priorities": {"namespace": ["x86_64", "blas_lapack"]},
        "variants": {"v3_openblas": {"blas_lapack": {"library": ["openblas"]}, "x86_64": {"level": ["v3"]}}},
    }
    with _wheel(built, "demo", "demo_pkg-1.0-py3-none-any-null.whl") as archive:
        doc = json.loads(archive.read("demo_pkg-1.0.dist-info/variant.json"))
    assert doc["variants"] == {"null": {}}


def test_variant_json_0_2_0_carries_providers(built: Path) -> None:
    with _wheel(built, "odd", "odd-1.0-py3-none-any-openblas.whl") as archive:
        doc = json.loads(archive.read("odd-1.0.dist-info/variant.json"))
    assert doc["$schema"] == SCHEMA_URLS["0.2.0"]
    assert doc["providers"] == {
        "blas_lapack": {"static-properties": {"library": ["accelerate", "openblas", "mkl"]}}
    }


def test_wheel_level_overrides(built: Path) -> None:
    with _wheel(built, "odd", "odd-1.0-py3-none-any-mkl.whl") as archive:
        doc = json.loads(archive.read("odd-1.0.dist-info/variant.json"))
    assert "providers" not in doc  # the exact document given, not a generated one
    with _wheel(built, "odd", "odd-1.0-py3-none-any-nometa.whl") as archive:
        assert not any(n.endswith("variant.json") for n in archive.namelist())
    with _wheel(built, "odd", "odd-1.0-py3-none-any-BROKEN.whl") as archive:
        assert archive.read("odd-1.0.dist-info/variant.json") == b"]"
    with _wheel(built, "odd", "odd-1.0-py2-none-any.whl") as archive:  # non-variant, explicit document
        assert archive.read("odd-1.0.dist-info/variant.json") == b"{}"


def test_schema_url_override(built: Path) -> None:
    with _wheel(built, "odd", "odd-1.1-py3-none-any-x.whl") as archive:
        doc = json.loads(archive.read("odd-1.1.dist-info/variant.json"))
    assert doc["$schema"] == "https://variants-schema.wheelnext.dev/peps/825/v0.1.9.json"
    assert "providers" not in doc


def test_non_variant_wheels_have_no_variant_json(built: Path) -> None:
    with _wheel(built, "demo", "demo_pkg-1.0-py2.py3-none-any.whl") as archive:
        assert not any(n.endswith("variant.json") for n in archive.namelist())


# -- index-level file --------------------------------------------------------------------------


def test_generated_index_file_lists_every_variant(built: Path) -> None:
    # PEP 825 "Index-level metadata": the variants object "MUST list all variants".
    doc = json.loads((built / "demo" / "flat" / "demo_pkg-1.0-variants.json").read_bytes())
    assert sorted(doc["variants"]) == ["null", "v2", "v3_openblas"]
    assert doc["default-priorities"] == {"namespace": ["x86_64", "blas_lapack"]}


def test_index_file_only_for_versions_with_variants(built: Path) -> None:
    # PEP 825: the file MUST be hosted "When a package version that includes at
    # least one variant wheel is hosted"; 2.0 has none, so none is generated.
    assert not (built / "demo" / "flat" / "demo_pkg-2.0-variants.json").exists()


def test_custom_and_missing_index_files(built: Path) -> None:
    assert (built / "odd" / "flat" / "odd-1.0-variants.json").read_bytes() == b"{not json"
    assert not (built / "odd" / "flat" / "odd-1.1-variants.json").exists()


def test_plugin_wheels_are_built_into_the_index(built: Path) -> None:
    with _wheel(built, "demo", "variant_test_provider-1.0-py3-none-any.whl") as archive:
        names = archive.namelist()
        entry_points = archive.read("variant_test_provider-1.0.dist-info/entry_points.txt").decode()
    assert "variant_test_provider/plugin.py" in names
    assert "plugin.toml" not in names
    assert "[variant_plugins]\nvariant_test = variant_test_provider\n" in entry_points


# -- layouts -----------------------------------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href")

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self.links.append((self._href, data))
            self._href = None


def _links(path: Path) -> list[tuple[str, str]]:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.links


def test_flat_layout_holds_every_artifact(built: Path) -> None:
    names = sorted(p.name for p in (built / "demo" / "flat").iterdir())
    assert names == [
        "demo_pkg-1.0-1-py3-none-any-v2.whl",
        "demo_pkg-1.0-py2.py3-none-any.whl",
        "demo_pkg-1.0-py3-none-any-null.whl",
        "demo_pkg-1.0-py3-none-any-v3_openblas.whl",
        "demo_pkg-1.0-variants.json",
        "demo_pkg-2.0-py3-none-any.whl",
        "variant_test_provider-1.0-py3-none-any.whl",
    ]


def test_pep503_pages_link_every_file_with_its_hash(built: Path) -> None:
    # PEP 503: the root lists projects by normalized name; a project page has one
    # anchor per file, text = filename, URL fragment #sha256=<hex>.
    simple = built / "demo" / "simple"
    assert sorted(text for _, text in _links(simple / "index.html")) == ["demo-pkg", "variant-test-provider"]
    page = simple / "demo-pkg" / "index.html"
    links = _links(page)
    flat = built / "demo" / "flat"
    expected = sorted(p.name for p in flat.iterdir() if p.name.startswith("demo_pkg"))
    assert sorted(text for _, text in links) == expected
    assert "demo_pkg-1.0-variants.json" in expected  # linked next to the wheels
    base = page.as_uri()
    for href, text in links:
        url, _, fragment = href.partition("#sha256=")
        target = Path(urlsplit(urljoin(base, url)).path)
        assert target == flat / text
        assert fragment == hashlib.sha256(target.read_bytes()).hexdigest()


def test_pep691_pages_list_every_file_with_its_hash(built: Path) -> None:
    root = json.loads((built / "demo" / "json" / "index.json").read_bytes())
    assert root["meta"]["api-version"] == "1.1"
    assert [p["name"] for p in root["projects"]] == ["demo-pkg", "variant-test-provider"]
    page_path = built / "demo" / "json" / "demo-pkg" / "index.json"
    page = json.loads(page_path.read_bytes())
    assert page["name"] == "demo-pkg"
    assert page["versions"] == ["1.0", "2.0"]  # PEP 700: versions, sizes
    files = {f["filename"]: f for f in page["files"]}
    assert "demo_pkg-1.0-variants.json" in files
    for name, entry in files.items():
        target = Path(urlsplit(urljoin(page_path.as_uri(), entry["url"])).path)
        data = target.read_bytes()
        assert target.name == name
        assert entry["hashes"] == {"sha256": hashlib.sha256(data).hexdigest()}
        assert entry["size"] == len(data)


def test_manifest_lists_every_file(built: Path) -> None:
    manifest = json.loads((built / "manifest.json").read_bytes())
    assert sorted(manifest) == ["demo", "odd"]
    for name, digest in manifest["odd"].items():
        assert hashlib.sha256((built / "odd" / "flat" / name).read_bytes()).hexdigest() == digest


# -- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("unknown-key", "'colour' was unexpected"),
        ("custom-without-document", "package.0"),
        ("unknown-label", "label 'nowhere' is not in [package.variants]"),
        ("unknown-plugin", "unknown plugin 'no-such-plugin'"),
    ],
)
def test_invalid_sources_are_reported(source: str, message: str, tmp_path: Path) -> None:
    with pytest.raises(FixtureError) as info:
        build_index(BAD / f"{source}.toml", tmp_path)
    assert message in str(info.value)
    assert f"{source}.toml" in str(info.value)


def test_cli_reports_errors_without_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["build-fixtures", str(tmp_path), "--indexes", str(BAD), "--only", "unknown-key"])
    err = capsys.readouterr().err
    assert status == 1
    assert err.startswith("error: ") and "Traceback" not in err


def test_cli_builds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build-fixtures", str(tmp_path), "--indexes", str(INDEXES)]) == 0
    assert "built 2 indexes" in capsys.readouterr().out
    assert (tmp_path / "demo" / "simple" / "index.html").is_file()


def test_real_sources_validate_and_build(tmp_path: Path) -> None:
    # Every fixtures/indexes/*.toml must be a valid source that builds.
    sources = sorted(DEFAULT_INDEXES.glob("*.toml"))
    for path in sources:
        load_source(path)
    built = build_all(tmp_path)
    assert sorted(built) == sorted([*(p.stem for p in sources), "wheelnext-corpus"])


def test_generated_documents_are_valid_pep825_metadata(built: Path) -> None:
    # The builder's own documents (not the deliberately custom ones) must be
    # valid variant metadata: checked with the reference's format layer.
    from reference.format.filename import parse_wheel_filename
    from reference.format.metadata import load_metadata
    from reference.format.wheel import read_variant_json

    checked = 0
    for path in sorted((built / "demo" / "flat").glob("demo_pkg-*.whl")):
        label = parse_wheel_filename(path.name).variant_label
        if label is not None:
            assert read_variant_json(path).variants.keys() == {label}
            checked += 1
    assert checked == 3
    index = json.loads((built / "demo" / "flat" / "demo_pkg-1.0-variants.json").read_bytes())
    assert set(load_metadata(index, kind="index").variants) == {"null", "v2", "v3_openblas"}
    with _wheel(built, "odd", "odd-1.0-py3-none-any-openblas.whl") as archive:
        doc = json.loads(archive.read("odd-1.0.dist-info/variant.json"))
    assert load_metadata(doc, kind="wheel", label="openblas").providers is not None
