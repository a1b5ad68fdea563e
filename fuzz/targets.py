"""The fuzz targets: one per entry point, each a function of bytes and a working directory.

The strategies produce bytes as well: a mix of raw bytes and near-valid
documents (the valid shape, with hostile pieces: control characters, huge
numbers, deep nesting, path names, wrong types), because raw bytes alone
rarely get past the first parser.
"""

from __future__ import annotations

import contextlib
import json
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from packaging.markers import InvalidMarker, UndefinedComparison, UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement
from packaging.specifiers import InvalidSpecifier
from packaging.version import InvalidVersion

from reference.errors import VariantError
from reference.install.installing import InstallError
from reference.install.pages import SourceError
from reference.limits import LimitExceeded

__all__ = ["TARGETS", "Target"]

SCHEMA = "https://variants-schema.wheelnext.dev/peps/825/v0.1.1.json"
SCHEMA_020 = "https://variants-schema.wheelnext.dev/peps/850/v0.2.0.json"


@dataclass(frozen=True)
class Target:
    """One entry point: how to run an input, what may come out of it, and inputs to try."""

    name: str
    entry: str
    run: Callable[[bytes, Path], None]
    allowed: tuple[type[BaseException], ...]
    strategy: st.SearchStrategy[bytes]


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="surrogateescape")


# ---------------------------------------------------------------------------- building blocks

HOSTILE_TEXT = st.sampled_from([
    "", ".", "..", "../x", "/etc/passwd", "a/b", "a\\b", "\x00", "\x1b[2J", "\u202e", "\udcff", "١",
    "9" * 40, "9" * 5000, "v" + "1" * 50 + ".0.0", "x" * 300, "null", "NaN", " ", "\n", "::", "a :: b :: c",
])
NAMEISH = st.one_of(st.from_regex(r"[a-z0-9_.]{1,12}", fullmatch=True), HOSTILE_TEXT)
LABELS = st.one_of(st.sampled_from(["null", "x86_64_v3", "x86_64_v4", "cu129"]), NAMEISH)


def _json_values(depth: int = 3) -> st.SearchStrategy[Any]:
    leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), NAMEISH)
    return st.recursive(leaves, lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(NAMEISH, inner, max_size=4)), max_leaves=8)


PROPERTIES = st.dictionaries(NAMEISH, st.dictionaries(NAMEISH, st.lists(NAMEISH, max_size=3), max_size=3),
                             max_size=3)


@st.composite
def metadata_documents(draw: st.DrawFn) -> dict[str, Any]:
    """Near-valid variant metadata: the right keys with hostile values, sometimes a wrong type."""
    variants = draw(st.dictionaries(LABELS, PROPERTIES, max_size=4))
    namespaces = sorted({ns for props in variants.values() for ns in props}) or ["x86_64"]
    document: dict[str, Any] = {
        "$schema": draw(st.one_of(st.sampled_from([SCHEMA, SCHEMA_020]), HOSTILE_TEXT)),
        "default-priorities": {"namespace": draw(st.one_of(st.just(namespaces), st.lists(NAMEISH)))},
        "variants": variants,
    }
    if draw(st.booleans()):
        document["providers"] = {ns: draw(st.one_of(
            st.just({"requires": [f"{ns}-plugin"]}), st.just({"static-properties": {"f": ["v"]}}),
            _json_values())) for ns in namespaces}
    if draw(st.integers(0, 9)) == 0:
        key = draw(st.sampled_from(sorted(document)))
        document[key] = draw(_json_values())
    return document


def _deep(data: st.DrawFn) -> str:
    depth = data(st.integers(1, 200))
    return "[" * depth + "]" * depth


@st.composite
def json_bytes(draw: st.DrawFn, documents: st.SearchStrategy[Any]) -> bytes:
    choice = draw(st.integers(0, 9))
    if choice == 0:
        return draw(st.binary(max_size=200))
    if choice == 1:
        return _deep(draw).encode()
    return json.dumps(draw(documents)).encode("utf-8", errors="surrogatepass")


def _wheel_bytes(members: dict[str, bytes], directory: Path) -> bytes:
    path = directory / "build.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            if name and name.isprintable() and name.encode("utf-8", errors="ignore").decode() == name:
                archive.writestr(name, data)  # zipfile itself can write no other name
    data = path.read_bytes()
    path.unlink()
    return data


@st.composite
def wheel_members(draw: st.DrawFn) -> dict[str, bytes]:
    """A wheel's members: variant.json, METADATA (with hostile Requires-Dist), WHEEL, RECORD, files."""
    dist_info = draw(st.sampled_from(["demo-1.0.dist-info", "other-1.0.dist-info", "../x.dist-info"]))
    requires = draw(st.lists(st.one_of(MARKER_ENTRIES, NAMEISH), max_size=3))
    name = draw(st.sampled_from(["demo", "evil", ""]))
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n"
    metadata += "".join(f"Requires-Dist: {r}\n" for r in requires)
    members = {
        f"{dist_info}/METADATA": metadata.encode("utf-8", errors="surrogatepass"),
        f"{dist_info}/WHEEL": b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        f"{dist_info}/variant.json": draw(json_bytes(metadata_documents())),
        f"{dist_info}/RECORD": b"",
    }
    files = st.one_of(st.sampled_from(["demo/__init__.py", "demo.data/scripts/x"]), NAMEISH)
    for member in draw(st.lists(files, max_size=3)):
        members[member] = b"x = 1\n"
    return members


@st.composite
def wheel_bytes(draw: st.DrawFn) -> bytes:
    if draw(st.integers(0, 5)) == 0:
        return draw(st.binary(max_size=300))
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        data = _wheel_bytes(draw(wheel_members()), Path(tmp))
    if draw(st.integers(0, 3)) == 0:  # damage: flip some bytes
        position = draw(st.integers(0, len(data) - 1))
        data = data[:position] + bytes([data[position] ^ 0xFF]) + data[position + 1:]
    return data


VARIABLES = st.sampled_from(["python_version", "os_name", "variant_label", "variant_properties",
                             "variant_features", "variant_namespaces", "extra", "platform_machine"])
OPERATORS = st.sampled_from(["==", "!=", "<", ">=", "~=", "===", "in", "not in", ">>>", "<>"])


@st.composite
def markers(draw: st.DrawFn) -> str:
    """A marker built from the grammar's pieces, with hostile literals and nesting."""
    atoms = [f"{draw(VARIABLES)} {draw(OPERATORS)} {json.dumps(draw(NAMEISH))}",
             f"{json.dumps(draw(NAMEISH))} {draw(OPERATORS)} {draw(VARIABLES)}"]
    text = draw(st.sampled_from(atoms))
    for _ in range(draw(st.integers(0, 3))):
        text = f"{text} {draw(st.sampled_from(['and', 'or']))} {draw(st.sampled_from(atoms))}"
    depth = draw(st.sampled_from([0, 1, 5, 70, 3000]))
    return "(" * depth + text + ")" * depth


MARKER_ENTRIES = markers().map(lambda m: f"dep; {m}")


def _toml_bytes(value: Any) -> bytes:
    return _toml_text(value).encode("utf-8", "surrogatepass")


def _toml_text(value: Any) -> str:
    import tomli_w

    try:
        return tomli_w.dumps(value)
    except (TypeError, ValueError):
        return "x = 1\n"


# ---------------------------------------------------------------------------- the targets


def run_filename(data: bytes, workdir: Path) -> None:
    from reference.format.filename import parse_wheel_filename

    parse_wheel_filename(_text(data)).format()


def run_property(data: bytes, workdir: Path) -> None:
    from reference.format.properties import VariantFeature, VariantProperty

    text = _text(data)
    VariantProperty.parse(text) if text.count("::") == 2 else VariantFeature.parse(text)


def run_metadata(data: bytes, workdir: Path) -> None:
    from reference.format.metadata import load_metadata, parse_json_bytes

    document = parse_json_bytes(data, "fuzz")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for kind in ("index", "wheel"):
            with contextlib.suppress(VariantError):
                load_metadata(document, kind=kind, source="fuzz")  # type: ignore[arg-type]
        load_metadata(document, kind="pyproject", source="fuzz").dumps()


def run_markers(data: bytes, workdir: Path) -> None:
    from reference.selection.markers import VariantMarker, evaluate_requires, variant_markers

    text = _text(data)
    values = variant_markers("x86_64_v3", {"x86_64": {"level": ("v3",)}}, {"x86_64": {"level": ["v3"]}})
    VariantMarker(text).evaluate(values.environment())
    evaluate_requires([f"dep; {text}"], values, {"python_version": "3.12"}, ["extra1"])


def run_profile(data: bytes, workdir: Path) -> None:
    from reference.providers.profiles import load_profile

    path = workdir / "profile.toml"
    path.write_bytes(data)
    load_profile(path)


def run_lock(data: bytes, workdir: Path) -> None:
    from reference.install.pylock import load_lock, select_locked
    from reference.providers.profiles import Profile
    from reference.selection.system import System

    path = workdir / "pylock.toml"
    path.write_bytes(data)
    lock = load_lock(path)
    select_locked(lock, System(Profile.current()))


def _page() -> Any:
    from reference.install.pages import ProjectPage

    return ProjectPage("demo", "fuzz", remote=True)


def run_html(data: bytes, workdir: Path) -> None:
    from reference.install.pages import parse_html_page

    page = _page()
    parse_html_page(page, "https://index.example/simple/demo/", data)
    _use_page(page)


def run_json_page(data: bytes, workdir: Path) -> None:
    from reference.install.pages import parse_json_page

    page = _page()
    parse_json_page(page, "https://index.example/simple/demo/", data)
    _use_page(page)


def _use_page(page: Any) -> None:
    for version in page.versions():
        page.wheels_for(version)
        page.variants_json_for(version)


def run_wheel(data: bytes, workdir: Path) -> None:
    from reference.format.wheel import read_core_metadata, read_variant_json
    from reference.install.installing import target_scheme
    from reference.install.staging import Staging

    path = workdir / "demo-1.0-py3-none-any-x86_64_v3.whl"
    path.write_bytes(data)
    for read in (read_variant_json, read_core_metadata):
        with contextlib.suppress(VariantError, LimitExceeded):
            read(path)
    with Staging(target_scheme(workdir / "target")) as staging:
        staging.install(path)
        staging.commit()


@st.composite
def find_links_dirs(draw: st.DrawFn) -> bytes:
    """A find-links directory as JSON: ``[[name, content (latin-1)], ...]``."""
    import tempfile

    entries = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(draw(st.integers(1, 5))):
            label = draw(LABELS)
            version = draw(st.sampled_from(["1.0", "2.0", "1.0.post1", "9" * 40]))
            name = draw(st.one_of(st.just(f"demo-{version}-py3-none-any-{label}.whl"),
                                  st.just(f"demo-{version}-py3-none-any.whl"),
                                  st.just(f"demo-{version}-variants.json"),
                                  NAMEISH.map(lambda n: n + ".whl")))
            if name.endswith(".json"):
                content = draw(json_bytes(metadata_documents()))
            else:
                content = _wheel_bytes(draw(wheel_members()), Path(tmp)) if draw(st.booleans()) else b""
            entries.append([name, content.decode("latin-1")])
    return json.dumps(entries).encode()


def run_select(data: bytes, workdir: Path) -> None:
    from reference.install.operations import Session

    links = workdir / "links"
    links.mkdir()
    for name, content in json.loads(data):
        if "/" in name or name in ("", ".", "..") or "\x00" in name:
            continue  # a file system refuses these names itself
        try:
            (links / name).write_bytes(content.encode("latin-1"))
        except (OSError, UnicodeEncodeError):
            continue
    profile = workdir / "profile.toml"
    profile.write_text(
        'name = "p"\n[tags]\nsupported = ["py3-none-any"]\n[namespaces.x86_64]\nlevel = ["v4", "v3"]\n'
    )
    with Session(find_links=str(links), profile=str(profile), plugin_timeout=5) as session:
        session.select("demo")


DRAFTS = ["https://variants-schema.wheelnext.dev/v0.0.2.json", "https://variants-schema.wheelnext.dev/v0.0.3.json"]


def _mostly(valid: st.SearchStrategy[Any], hostile: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``valid`` about seven times in eight (hypothesis favours small integers, so 7 is the hostile
    branch): past the draft schema, into the conversion rules."""
    return st.integers(0, 7).flatmap(lambda i: hostile if i == 7 else valid)


DRAFT_NAME = _mostly(st.from_regex(r"[a-z0-9_]{1,8}", fullmatch=True), HOSTILE_TEXT)
DRAFT_VALUE = _mostly(st.from_regex(r"[a-z0-9_.]{1,8}", fullmatch=True), HOSTILE_TEXT)
DRAFT_FEATURES = st.dictionaries(DRAFT_NAME, st.lists(DRAFT_VALUE, min_size=1, max_size=3, unique=True),
                                 min_size=1, max_size=2)


@st.composite
def draft_documents(draw: st.DrawFn) -> dict[str, Any]:
    """Near-valid WheelNext draft metadata (v0.0.2/v0.0.3): every key the converter maps."""
    variants = draw(st.dictionaries(DRAFT_NAME, st.dictionaries(DRAFT_NAME, DRAFT_FEATURES, max_size=2),
                                    max_size=4))
    namespaces = sorted({ns for props in variants.values() for ns in props}) or ["x86_64"]
    requires = st.lists(DRAFT_NAME, min_size=1, max_size=2, unique=True)
    provider = st.fixed_dictionaries({"requires": requires}, optional={
        "plugin-api": DRAFT_NAME, "enable-if": DRAFT_NAME, "install-time": st.booleans(),
        "plugin-use": st.sampled_from(["all", "build", "none", "x"]), "optional": st.booleans()})
    document: dict[str, Any] = {
        "$schema": draw(_mostly(st.sampled_from(DRAFTS), HOSTILE_TEXT)),
        "default-priorities": {
            "namespace": draw(_mostly(st.just(namespaces), st.lists(NAMEISH))),
            "feature": draw(st.dictionaries(DRAFT_NAME, st.lists(DRAFT_NAME, max_size=3, unique=True),
                                            max_size=2)),
            "property": draw(st.dictionaries(DRAFT_NAME, DRAFT_FEATURES, max_size=2)),
        },
        "providers": {ns: draw(_mostly(provider, _json_values())) for ns in namespaces},
        "variants": variants,
    }
    if draw(st.booleans()):
        document["static-properties"] = draw(st.dictionaries(DRAFT_NAME, DRAFT_FEATURES, max_size=2))
    if draw(st.integers(0, 9)) == 9:  # a wrong type somewhere (hypothesis favours 0: not that)
        key = draw(st.sampled_from(sorted(document)))
        document[key] = draw(_json_values())
    return document


def run_convert(data: bytes, workdir: Path) -> None:
    from reference.format.convert import convert_bytes

    for target, kind in (("0.2.0", "index"), ("0.1.1", "index"), ("0.2.0", "wheel")):
        with contextlib.suppress(VariantError):
            convert_bytes(data, "fuzz", target, kind).dumps()  # type: ignore[arg-type]


LOCK_WHEELS = st.lists(st.dictionaries(st.sampled_from(["name", "url", "path", "hashes"]), NAMEISH))
LOCK_PACKAGES = st.fixed_dictionaries({"name": NAMEISH}, optional={
    "wheels": LOCK_WHEELS, "marker": st.one_of(markers(), NAMEISH), "variants-json": metadata_documents()})
LOCKS = st.fixed_dictionaries(
    {"lock-version": st.sampled_from(["1.0", "2.0"]), "packages": st.lists(LOCK_PACKAGES, max_size=3)})

MARKER_ERRORS: tuple[type[BaseException], ...] = (
    InvalidMarker, InvalidRequirement, UndefinedComparison, UndefinedEnvironmentName, InvalidVersion,
    InvalidSpecifier,
)

TARGETS: dict[str, Target] = {t.name: t for t in (
    Target("filename", "reference.format.filename.parse_wheel_filename", run_filename,
           (VariantError, LimitExceeded),
           st.one_of(st.binary(max_size=100), st.builds(
               lambda parts: "-".join(parts) + ".whl", st.lists(NAMEISH, min_size=4, max_size=8)).map(
               lambda t: t.encode("utf-8", errors="surrogatepass")))),
    Target("property", "reference.format.properties.VariantProperty.parse", run_property,
           (VariantError, LimitExceeded),
           st.one_of(st.binary(max_size=60), st.lists(NAMEISH, min_size=1, max_size=4).map(
               lambda parts: " :: ".join(parts).encode("utf-8", errors="surrogatepass")))),
    Target("metadata", "reference.format.metadata.parse_json_bytes + load_metadata", run_metadata,
           (VariantError, LimitExceeded), json_bytes(metadata_documents())),
    Target("markers", "reference.selection.markers.VariantMarker, evaluate_requires", run_markers,
           (LimitExceeded, *MARKER_ERRORS),
           st.one_of(st.binary(max_size=80), markers().map(lambda m: m.encode("utf-8", "surrogatepass")))),
    Target("profile", "reference.providers.profiles.load_profile", run_profile,
           (VariantError, LimitExceeded),
           st.one_of(st.binary(max_size=200), st.builds(_toml_bytes,
                     st.fixed_dictionaries({"name": NAMEISH}, optional={
                         "namespaces": st.dictionaries(NAMEISH, st.dictionaries(NAMEISH, st.lists(NAMEISH))),
                         "tags": st.fixed_dictionaries({"supported": st.lists(NAMEISH)}),
                         "environment": st.dictionaries(NAMEISH, NAMEISH)})))),
    Target("lock", "reference.install.pylock.load_lock + select_locked", run_lock,
           (VariantError, LimitExceeded),
           st.one_of(st.binary(max_size=200), st.builds(_toml_bytes, LOCKS))),
    Target("html", "reference.install.pages.parse_html_page", run_html,
           (SourceError, VariantError, LimitExceeded),
           st.one_of(st.binary(max_size=300), st.lists(st.tuples(NAMEISH, NAMEISH), max_size=4).map(
               lambda anchors: "".join(f'<a href="{h}">{t}</a>' for h, t in anchors).encode(
                   "utf-8", "surrogatepass")))),
    Target("json-page", "reference.install.pages.parse_json_page", run_json_page,
           (SourceError, VariantError, LimitExceeded),
           json_bytes(st.fixed_dictionaries({"meta": st.fixed_dictionaries({"api-version": st.sampled_from(
               ["1.0", "1.1", "2.0"])}), "files": st.lists(st.one_of(_json_values(), st.fixed_dictionaries(
                   {"filename": NAMEISH.map(lambda n: f"demo-1.0-py3-none-any-{n}.whl")},
                   optional={"url": NAMEISH, "hashes": st.dictionaries(NAMEISH, NAMEISH)})), max_size=4)}))),
    Target("wheel", "reference.format.wheel + install.staging (install_wheel)", run_wheel,
           (VariantError, LimitExceeded, InstallError), wheel_bytes()),
    Target("select", "reference.install.operations.Session.select over --find-links", run_select,
           (VariantError, LimitExceeded, SourceError), find_links_dirs()),
    Target("convert", "reference.format.convert.convert_bytes", run_convert,
           (VariantError, LimitExceeded), json_bytes(draft_documents())),
)}
"""Every fuzz target, by name: the order of issue 10, then ``convert`` (issue 13)."""
