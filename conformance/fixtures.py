"""Build fixture package indexes from their human-editable sources.

A source ``fixtures/indexes/<index-id>.toml`` (validated by
``schemas/fixture-index.schema.json``) describes packages, their variant
metadata and their wheels. :func:`build_all` turns every source into real,
byte-for-byte reproducible artifacts and publishes each index three ways::

    OUTDIR/<index-id>/flat/                 find-links directory: wheels, *-variants.json
    OUTDIR/<index-id>/simple/index.html     PEP 503 HTML simple index (root)
    OUTDIR/<index-id>/simple/<project>/index.html
    OUTDIR/<index-id>/json/index.json       PEP 691 JSON simple index (root)
    OUTDIR/<index-id>/json/<project>/index.json
    OUTDIR/manifest.json                    every index and file with its sha256

Project pages link to the files in ``flat/`` by relative URL with a
``#sha256=`` fragment (HTML) or a ``hashes`` entry (JSON), the
``{name}-{version}-variants.json`` file next to the wheels (PEP 825
"Index-level metadata": "it MUST be provided in all the responses where the
variant wheels are included").

With the default sources, :func:`build_all` also builds ``wheelnext-corpus``
(:func:`build_corpus`): the real WheelNext test index read by
:mod:`conformance.corpus`, one stub wheel per real filename.

Every wheel carries ``{import_name}/_variant_identity.json``
(``{"filename", "label", "tags"}``) and an ``{import_name}/__init__.py``
exposing it as ``IDENTITY``, so an installer's choice can be read back from
the installed files.

Reproducibility: zip entries are sorted (``.dist-info`` last, ``RECORD``
last of all), stored uncompressed with the timestamp 1980-01-01 00:00:00 and
fixed permissions; JSON is :func:`reference.format.model.canonical_json`.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import json
import shutil
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from packaging.tags import parse_tag
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from conformance.corpus import CORPUS, CORPUS_INDEX_ID, CorpusError, read_corpus
from reference._toml import TOMLDecodeError, loads
from reference.format._schema import SCHEMA_DIR
from reference.format.model import SCHEMA_0_1_1, SCHEMA_0_2_0, canonical_json

__all__ = [
    "DEFAULT_INDEXES",
    "DEFAULT_PLUGINS",
    "PEP691_CONTENT_TYPE",
    "SCHEMA_PATH",
    "SOURCES",
    "BuiltIndex",
    "FixtureError",
    "build_all",
    "build_corpus",
    "build_index",
    "build_plugin_wheel",
    "build_wheel",
    "load_source",
    "publish_index",
    "republish",
    "rewrite_wheel",
    "wheel_filename",
]

#: The fixture sources: ``conformance/fixture_sources`` is a link to the top-level
#: ``fixtures/`` in a checkout (the place people edit) and a copy in a wheel, so an
#: installed suite carries them (see ``pyproject.toml``, ``[tool.setuptools.package-data]``).
SOURCES = Path(__file__).resolve().parent / "fixture_sources"
DEFAULT_INDEXES = SOURCES / "indexes"
DEFAULT_PLUGINS = SOURCES / "plugins"
SCHEMA_PATH = SCHEMA_DIR / "fixture-index.schema.json"

SCHEMA_URLS = {"0.1.1": SCHEMA_0_1_1, "0.2.0": SCHEMA_0_2_0}
PEP691_CONTENT_TYPE = "application/vnd.pypi.simple.v1+json"
_EPOCH = (1980, 1, 1, 0, 0, 0)
_GENERATOR = "wheel-variant-conformance fixtures"


class FixtureError(ValueError):
    """A fixture source (index or plugin) is invalid; ``str()`` names the file and the problem."""


@dataclass
class BuiltIndex:
    """What :func:`build_index` wrote for one index.

    :param index_id: the source's file stem.
    :param root: ``OUTDIR/<index_id>``.
    :param files: published filename -> sha256 hex digest (wheels and index files).
    :param projects: normalized project name -> its published filenames, sorted.
    """

    index_id: str
    root: Path
    files: dict[str, str] = field(default_factory=dict)
    projects: dict[str, list[str]] = field(default_factory=dict)

    @property
    def flat(self) -> Path:
        """The find-links directory."""
        return self.root / "flat"

    @property
    def simple(self) -> Path:
        """Root of the PEP 503 HTML index (``--index-url file://...``)."""
        return self.root / "simple"

    @property
    def json(self) -> Path:
        """Root of the PEP 691 JSON index."""
        return self.root / "json"


# -- sources ---------------------------------------------------------------------------------


@functools.cache
def _validator() -> Any:
    import jsonschema

    return jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def load_source(path: Path) -> dict[str, Any]:
    """Read and validate one index source.

    :raises FixtureError: not TOML, or not valid against the fixture-index schema.
    """
    try:
        data: dict[str, Any] = loads(path.read_text(encoding="utf-8"))
    except (OSError, TOMLDecodeError) as exc:
        raise FixtureError(f"{path}: {exc}") from exc
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        where = ".".join(str(p) for p in errors[0].absolute_path) or "(top level)"
        raise FixtureError(f"{path}: {where}: {errors[0].message}")
    return data


# -- wheels ----------------------------------------------------------------------------------


def _escape_name(name: str) -> str:
    """Binary distribution format: the distribution name, normalized, ``-`` -> ``_``."""
    return canonicalize_name(name).replace("-", "_")


def _normalize_version(version: str) -> str:
    try:
        return str(Version(version))
    except InvalidVersion:
        return version  # deliberately invalid versions are published as written


def _record_hash(data: bytes) -> str:
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _zip(files: Mapping[str, bytes], record_path: str) -> bytes:
    """A reproducible wheel archive of ``files`` plus a correct RECORD."""
    dist_info = record_path.rsplit("/", 1)[0] + "/"
    order = sorted(files, key=lambda p: (p.startswith(dist_info), p))
    record = "".join(f"{p},{_record_hash(files[p])},{len(files[p])}\n" for p in order)
    record += f"{record_path},,\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, data in [*((p, files[p]) for p in order), (record_path, record.encode("utf-8"))]:
            info = zipfile.ZipInfo(path, date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def _metadata(name: str, version: str, requires_dist: Iterable[str], summary: str) -> bytes:
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}", f"Summary: {summary}"]
    lines += [f"Requires-Dist: {req}" for req in requires_dist]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _wheel_file(tags: list[str], build: str | None) -> bytes:
    lines = ["Wheel-Version: 1.0", f"Generator: {_GENERATOR}", "Root-Is-Purelib: true"]
    lines += [f"Tag: {tag}" for tag in tags]
    if build is not None:
        lines.append(f"Build: {build}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _expand_tags(tags: str) -> list[str]:
    try:
        return sorted(str(tag) for tag in parse_tag(tags))
    except ValueError:
        return [tags]


def wheel_filename(name: str, version: str, tags: str, build: str | None, label: str | None) -> str:
    """``{distribution}-{version}(-{build tag})?-{tags}(-{variant label})?.whl`` (PEP 825)."""
    parts = [_escape_name(name), _normalize_version(version)]
    if build is not None:
        parts.append(build)
    parts.append(tags)
    if label is not None:
        parts.append(label)
    return "-".join(parts) + ".whl"


def build_wheel(
    name: str,
    version: str,
    tags: str,
    *,
    label: str | None = None,
    build: str | None = None,
    requires_dist: Iterable[str] = (),
    variant_json: bytes | None = None,
    filename: str | None = None,
) -> tuple[str, bytes]:
    """One fixture wheel: ``(filename, bytes)``.

    :param variant_json: the exact ``*.dist-info/variant.json`` bytes, or ``None`` for none.
    :param filename: publish under this name instead of the generated one.
    """
    filename = filename or wheel_filename(name, version, tags, build, label)
    import_name = _escape_name(name).lower()
    dist_info = f"{_escape_name(name)}-{_normalize_version(version)}.dist-info"
    expanded = _expand_tags(tags)
    identity = {"filename": filename, "label": label, "tags": expanded}
    files = {
        f"{import_name}/__init__.py": (
            f'"""Fixture package {name} {version}: {filename}."""\n\n'
            "import json as _json\nimport pathlib as _pathlib\n\n"
            "IDENTITY = _json.loads(\n"
            '    _pathlib.Path(__file__).with_name("_variant_identity.json").read_text(encoding="utf-8")\n'
            ")\n"
        ).encode(),
        f"{import_name}/_variant_identity.json": canonical_json(identity).encode("utf-8"),
        f"{dist_info}/METADATA": _metadata(name, version, requires_dist, f"fixture wheel {filename}"),
        f"{dist_info}/WHEEL": _wheel_file(expanded, build),
    }
    if variant_json is not None:
        files[f"{dist_info}/variant.json"] = variant_json
    return filename, _zip(files, f"{dist_info}/RECORD")


def rewrite_wheel(data: bytes, replace: Mapping[str, bytes]) -> bytes:
    """The wheel *data* with the members named in *replace* given new contents.

    The archive is written the builder's reproducible way, with a RECORD that
    matches the new contents (an installer checking RECORD sees a sound wheel).

    :param replace: ``{member path: new bytes}``; paths not in the wheel are ignored.
    :raises zipfile.BadZipFile: *data* is not a zip archive.
    :raises ValueError: the archive has no ``*.dist-info/RECORD``.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist() if not name.endswith("/")}
    record = next((n for n in members if n.count("/") == 1 and n.endswith(".dist-info/RECORD")), None)
    if record is None:
        raise ValueError("the wheel has no .dist-info/RECORD")
    del members[record]
    members.update({name: new for name, new in replace.items() if name in members})
    return _zip(members, record)


def build_plugin_wheel(source: Path) -> tuple[str, bytes]:
    """Pack a plugin source tree ``fixtures/plugins/<name>/`` into a non-variant wheel.

    ``plugin.toml`` gives ``name``, ``version``, ``summary``, optional
    ``requires-dist`` and ``[entry-points.<group>]``; every other file (not
    ``__pycache__``) is packed as is.

    :raises FixtureError: no or invalid ``plugin.toml``.
    """
    try:
        meta = loads((source / "plugin.toml").read_text(encoding="utf-8"))
        name, version = str(meta["name"]), str(meta["version"])
    except (OSError, TOMLDecodeError, KeyError) as exc:
        raise FixtureError(f"{source}: bad or missing plugin.toml: {exc}") from exc
    dist_info = f"{_escape_name(name)}-{_normalize_version(version)}.dist-info"
    files: dict[str, bytes] = {}
    for path in sorted(source.rglob("*")):
        rel = path.relative_to(source).as_posix()
        if path.is_file() and rel != "plugin.toml" and "__pycache__" not in rel and not rel.endswith(".pyc"):
            files[rel] = path.read_bytes()
    files[f"{dist_info}/METADATA"] = _metadata(
        name, version, meta.get("requires-dist", []), str(meta.get("summary", "test provider plugin"))
    )
    files[f"{dist_info}/WHEEL"] = _wheel_file(["py3-none-any"], None)
    groups = meta.get("entry-points", {})
    if groups:
        text = "".join(
            f"[{group}]\n" + "".join(f"{key} = {value}\n" for key, value in entries.items()) + "\n"
            for group, entries in groups.items()
        )
        files[f"{dist_info}/entry_points.txt"] = text.encode("utf-8")
    filename = wheel_filename(name, version, "py3-none-any", None, None)
    return filename, _zip(files, f"{dist_info}/RECORD")


# -- variant metadata documents ---------------------------------------------------------------


def _document(package: Mapping[str, Any], variants: Mapping[str, Any]) -> dict[str, Any]:
    """A variant metadata document for ``package`` with the given ``variants``."""
    schema = str(package.get("schema", "0.1.1"))
    doc: dict[str, Any] = {
        "$schema": str(package.get("schema-url", SCHEMA_URLS[schema])),
        "default-priorities": {"namespace": list(package.get("namespaces", []))},
    }
    if schema != "0.1.1" or "providers" in package:
        doc["providers"] = dict(package.get("providers", {}))
    doc["variants"] = dict(variants)
    return doc


def _wheel_variant_json(package: Mapping[str, Any], wheel: Mapping[str, Any], where: str) -> bytes | None:
    label = wheel.get("label")
    # An explicit document is written even into a non-variant wheel (negative cases).
    if "variant-json-text" in wheel:
        return str(wheel["variant-json-text"]).encode("utf-8")
    if "variant-json" in wheel:
        return canonical_json(wheel["variant-json"]).encode("utf-8")
    if wheel.get("omit-variant-json") or label is None:
        return None
    variants = package.get("variants", {})
    if label not in variants:
        raise FixtureError(
            f"{where}: label {label!r} is not in [package.variants]; add it or give variant-json"
        )
    # PEP 825: in variant.json "variants" is "always a single entry, with the key
    # matching the variant label".
    return canonical_json(_document(package, {label: variants[label]})).encode("utf-8")


def _index_file(package: Mapping[str, Any]) -> bytes | None:
    mode = package.get("index-file", "generate")
    has_variants = package.get("variants") or any("label" in w for w in package.get("wheel", []))
    # PEP 825: the file MUST be hosted "When a package version that includes at
    # least one variant wheel is hosted"; a purely non-variant version gets none.
    if mode == "missing" or (mode == "generate" and not has_variants):
        return None
    if mode == "custom":
        if "index-file-text" in package:
            return str(package["index-file-text"]).encode("utf-8")
        return canonical_json(package["index-file-json"]).encode("utf-8")
    return canonical_json(_document(package, package.get("variants", {}))).encode("utf-8")


# -- layouts ---------------------------------------------------------------------------------


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _project_of(filename: str) -> str:
    return canonicalize_name(filename.split("-", 1)[0])


def _html(title: str, links: Iterable[tuple[str, str]]) -> bytes:
    body = "".join(f'    <a href="{escape(href)}">{escape(text)}</a><br/>\n' for href, text in links)
    return (
        "<!DOCTYPE html>\n<html>\n  <head>\n"
        '    <meta name="pypi:repository-version" content="1.0">\n'
        f"    <title>{escape(title)}</title>\n  </head>\n  <body>\n"
        f"    <h1>{escape(title)}</h1>\n{body}  </body>\n</html>\n"
    ).encode()


def _write_layouts(built: BuiltIndex, sizes: Mapping[str, int], versions: Mapping[str, set[str]]) -> None:
    projects = sorted(built.projects)
    built.simple.mkdir(parents=True)
    built.json.mkdir(parents=True)
    (built.simple / "index.html").write_bytes(
        _html("Simple index", ((f"{p}/", p) for p in projects))
    )
    (built.json / "index.json").write_bytes(
        canonical_json(
            {"meta": {"api-version": "1.1"}, "projects": [{"name": p} for p in projects]}
        ).encode("utf-8")
    )
    for project in projects:
        names = built.projects[project]
        (built.simple / project).mkdir()
        (built.simple / project / "index.html").write_bytes(
            _html(
                f"Links for {project}",
                ((f"../../flat/{n}#sha256={built.files[n]}", n) for n in names),
            )
        )
        (built.json / project).mkdir()
        page = {
            "meta": {"api-version": "1.1"},
            "name": project,
            "versions": sorted(versions[project], key=_version_key),
            "files": [
                {
                    "filename": n,
                    "url": f"../../flat/{n}",
                    "hashes": {"sha256": built.files[n]},
                    "size": sizes[n],
                }
                for n in names
            ],
        }
        (built.json / project / "index.json").write_bytes(canonical_json(page).encode("utf-8"))


def republish(root: Path) -> None:
    """Write the PEP 503 and PEP 691 pages of ``root/flat`` again, after its files changed.

    The project pages of a built index (``root/simple``, ``root/json``) carry
    each file's sha256 and size; a copy whose wheels were rewritten needs new
    ones. The versions of each project are kept from the existing JSON pages.
    """
    built = BuiltIndex(root.name, root)
    versions: dict[str, set[str]] = {}
    for project_page in sorted(built.json.glob("*/index.json")):
        page = json.loads(project_page.read_text(encoding="utf-8"))
        versions[str(page["name"])] = set(page.get("versions", []))
    sizes: dict[str, int] = {}
    for path in sorted(built.flat.iterdir()):
        data = path.read_bytes()
        built.files[path.name] = _sha256(data)
        sizes[path.name] = len(data)
        project = _project_of(path.name)
        built.projects.setdefault(project, []).append(path.name)
        versions.setdefault(project, set())
    shutil.rmtree(built.simple, ignore_errors=True)
    shutil.rmtree(built.json, ignore_errors=True)
    _write_layouts(built, sizes, versions)


def _version_key(version: str) -> tuple[int, Any]:
    try:
        return (0, Version(version))
    except InvalidVersion:
        return (1, version)


# -- builder ---------------------------------------------------------------------------------


def build_index(source_path: Path, out_dir: Path, plugins_dir: Path = DEFAULT_PLUGINS) -> BuiltIndex:
    """Build one index from ``source_path`` into ``out_dir/<index-id>`` (replacing it).

    :raises FixtureError: invalid source, unknown plugin, duplicate filename.
    """
    source = load_source(source_path)
    index_id = source_path.stem
    artifacts: dict[str, bytes] = {}
    versions: dict[str, set[str]] = {}

    def publish(filename: str, data: bytes, version: str) -> None:
        if filename in artifacts:
            raise FixtureError(f"{source_path}: {filename} would be published twice")
        artifacts[filename] = data
        versions.setdefault(_project_of(filename), set()).add(version)

    for i, package in enumerate(source["package"]):
        name, version = str(package["name"]), str(package["version"])
        default_requires = list(package.get("requires-dist", []))
        for j, wheel in enumerate(package.get("wheel", [])):
            where = f"{source_path}: package[{i}] ({name} {version}) wheel[{j}]"
            filename, data = build_wheel(
                name,
                version,
                str(wheel["tags"]),
                label=wheel.get("label"),
                build=wheel.get("build"),
                requires_dist=wheel.get("requires-dist", default_requires),
                variant_json=_wheel_variant_json(package, wheel, where),
                filename=wheel.get("filename"),
            )
            publish(filename, data, _normalize_version(version))
        index_file = _index_file(package)
        if index_file is not None:
            publish(
                f"{_escape_name(name)}-{_normalize_version(version)}-variants.json",
                index_file,
                _normalize_version(version),
            )
    for plugin in source.get("plugins", []):
        plugin_source = plugins_dir / plugin
        if not plugin_source.is_dir():
            raise FixtureError(f"{source_path}: unknown plugin {plugin!r} (no {plugin_source})")
        filename, data = build_plugin_wheel(plugin_source)
        publish(filename, data, filename.split("-")[1])

    return publish_index(index_id, out_dir, artifacts, versions)


def publish_index(
    index_id: str, out_dir: Path, artifacts: Mapping[str, bytes], versions: Mapping[str, set[str]]
) -> BuiltIndex:
    """Write ``artifacts`` (filename -> bytes) as index ``out_dir/<index_id>`` in the three layouts.

    :param versions: normalized project name -> its versions (for the PEP 691 pages).
    """
    built = BuiltIndex(index_id, out_dir / index_id)
    if built.root.exists():
        shutil.rmtree(built.root)
    built.flat.mkdir(parents=True)
    for filename in sorted(artifacts):
        (built.flat / filename).write_bytes(artifacts[filename])
        built.files[filename] = _sha256(artifacts[filename])
        built.projects.setdefault(_project_of(filename), []).append(filename)
    _write_layouts(built, {n: len(d) for n, d in artifacts.items()}, versions)
    return built


def build_corpus(out_dir: Path, corpus: Path = CORPUS, projects: Iterable[str] | None = None) -> BuiltIndex:
    """Build fixture index ``wheelnext-corpus`` (:mod:`conformance.corpus`) into ``out_dir/wheelnext-corpus``:
    one stub wheel per real filename, the converted documents, the three layouts.

    :param projects: corpus folder names to include (default: all).
    :raises FixtureError: the corpus is missing or inconsistent (a label in no document).
    """
    try:
        contents = read_corpus(corpus, projects)
    except CorpusError as exc:
        raise FixtureError(str(exc)) from exc
    artifacts = dict(contents.documents)
    for wheel in contents.wheels:
        _, artifacts[wheel.filename] = build_wheel(
            wheel.project,
            wheel.version,
            wheel.tags,
            label=wheel.label,
            build=wheel.build,
            variant_json=wheel.variant_json,
            filename=wheel.filename,
        )
    return publish_index(CORPUS_INDEX_ID, out_dir, artifacts, contents.versions)


def build_all(
    out_dir: Path,
    indexes_dir: Path = DEFAULT_INDEXES,
    plugins_dir: Path = DEFAULT_PLUGINS,
    only: Iterable[str] | None = None,
) -> dict[str, BuiltIndex]:
    """Build every ``indexes_dir/*.toml`` (or the ids in ``only``) into ``out_dir``.

    With the default ``indexes_dir`` this includes ``wheelnext-corpus``, the
    real-world corpus (:mod:`conformance.corpus`).

    Also writes ``out_dir/manifest.json``: ``{index-id: {filename: sha256}}``.

    :raises FixtureError: on the first invalid source.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    wanted = set(only) if only is not None else None
    built: dict[str, BuiltIndex] = {}
    for path in sorted(indexes_dir.glob("*.toml")):
        if wanted is None or path.stem in wanted:
            built[path.stem] = build_index(path, out_dir, plugins_dir)
    if indexes_dir == DEFAULT_INDEXES and (wanted is None or CORPUS_INDEX_ID in wanted):
        built[CORPUS_INDEX_ID] = build_corpus(out_dir)
    if wanted is not None and wanted - set(built):
        raise FixtureError(f"no index source for: {', '.join(sorted(wanted - set(built)))}")
    manifest = {index_id: index.files for index_id, index in built.items()}
    (out_dir / "manifest.json").write_text(canonical_json(manifest), encoding="utf-8")
    return built
