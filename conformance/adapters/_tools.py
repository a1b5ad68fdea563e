"""What the adapters for real installers (uv, pip) share.

These adapters never look inside the tool: they run the real binary against a
fixture index, installing into the case's fresh ``workspace.tmp``, and observe
the outcome from the files that landed there.  Every fixture wheel carries
``{import_name}/_variant_identity.json`` (``{"filename", "label", "tags"}``),
so the installed files say exactly which wheel the tool chose.

The helpers here keep the tools hermetic: a scrubbed environment (no ``PIP_*``
or ``UV_*`` settings from the machine, ``HOME`` inside the workspace), indexes
only on the local disk or on ``127.0.0.1``, and a timeout on every run.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import re
import shutil
import subprocess
import urllib.parse
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.markers import default_environment
from packaging.requirements import InvalidRequirement, Requirement
from packaging.tags import Tag, compatible_tags, cpython_tags, sys_tags
from packaging.utils import canonicalize_name

from conformance.adapters.base import Workspace
from reference._toml import loads
from reference.errors import VariantError
from reference.format.filename import parse_wheel_filename

__all__ = [
    "IDENTITY_FILE",
    "INDEX_KINDS",
    "IndexFacts",
    "Run",
    "clean_env",
    "index_facts",
    "index_url",
    "installed_wheels",
    "load_profile_data",
    "profile_platforms",
    "profile_tags",
    "project_index",
    "requirement_name",
    "run_tool",
    "system_mismatch",
    "tag_order_differs",
    "target_tags",
]

#: The name of the identity file every fixture wheel carries in its package.
IDENTITY_FILE = "_variant_identity.json"

#: Index kinds an adapter can be asked to use (adapter option ``index=``),
#: named after the capabilities ``index.flat``, ``index.pep503``, ``index.pep691``.
INDEX_KINDS = ("flat", "pep503", "pep691")

#: Environment variables passed through to the tools; everything else is dropped.
_PASS_THROUGH = ("PATH", "SYSTEMROOT", "TMPDIR", "TEMP", "TMP", "LANG", "LC_ALL")


def clean_env(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A minimal environment for a tool run: nothing from the user's configuration.

    Machine-wide settings such as ``PIP_FIND_LINKS`` or ``UV_INDEX_URL`` would
    otherwise change what the tool sees (and could reach the public network).

    :param home: the directory to use as ``HOME`` (inside the case workspace).
    :param extra: variables to add (for example uv's provider overrides).
    """
    env = {key: os.environ[key] for key in _PASS_THROUGH if key in os.environ}
    env["HOME"] = str(home)
    env["XDG_CONFIG_HOME"] = str(home / ".config")
    env["XDG_CACHE_HOME"] = str(home / ".cache")
    env.setdefault("LANG", "C.UTF-8")
    env.update(extra or {})
    return env


@dataclass(frozen=True)
class Run:
    """One finished tool run."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    def tail(self, lines: int = 12) -> str:
        """The last lines of the combined output, for an explanation."""
        text = (self.stdout + "\n" + self.stderr).strip().splitlines()
        return "\n".join(text[-lines:])


def run_tool(argv: Sequence[str], env: Mapping[str, str], cwd: Path, timeout: float = 120.0) -> Run:
    """Run *argv* with *env* in *cwd*; raises :class:`subprocess.TimeoutExpired`."""
    done = subprocess.run(
        list(argv),
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Run(tuple(argv), done.returncode, done.stdout, done.stderr)


def installed_wheels(target: Path) -> dict[str, str]:
    """``{normalized distribution name: wheel filename}`` of what landed in *target*.

    Read from the identity files the fixture builder puts in every wheel.
    """
    found: dict[str, str] = {}
    for path in sorted(target.glob(f"*/{IDENTITY_FILE}")):
        identity = json.loads(path.read_text(encoding="utf-8"))
        filename = str(identity["filename"])
        found[canonicalize_name(filename.split("-", 1)[0])] = filename
    return found


def requirement_name(text: str) -> str | None:
    """The normalized project name of a requirement string, or ``None`` if unparsable."""
    try:
        return canonicalize_name(Requirement(text).name)
    except InvalidRequirement:
        return None


def load_profile_data(profiles: Path, profile_id: str) -> dict[str, Any]:
    """The raw TOML table of profile *profile_id* (``profiles/<id>.toml``)."""
    data: dict[str, Any] = loads((profiles / f"{profile_id}.toml").read_text(encoding="utf-8"))
    return data


def _expand(text: str) -> list[Tag]:
    interpreters, abis, platforms = text.split("-")
    return [
        Tag(i, a, p) for i in interpreters.split(".") for a in abis.split(".") for p in platforms.split(".")
    ]


def profile_tags(data: Mapping[str, Any]) -> list[Tag] | None:
    """The profile's supported tags, most preferred first; ``None`` if it leaves them out."""
    supported = data.get("tags", {}).get("supported")
    if supported is None:
        return None
    tags: list[Tag] = []
    for text in supported:
        for tag in _expand(str(text)):
            if tag not in tags:
                tags.append(tag)
    return tags


def _wheel_tags(filename: str) -> set[Tag] | None:
    """The tags a wheel filename expands to; ``None`` if it is not a valid wheel filename."""
    try:
        parsed = parse_wheel_filename(filename)
    except VariantError:
        return None
    return {Tag(*text.split("-")) for text in parsed.tags()}


def tag_order_differs(filenames: Iterable[str], wanted: Sequence[Tag], actual: Sequence[Tag]) -> str | None:
    """Whether two supported-tag lists judge *filenames* differently.

    Returns a description of the first wheel the lists disagree on
    (compatible under one and not the other, or ranked differently), or
    ``None`` when they agree for every wheel, in which case a tool that only
    knows *actual* (the tags it installs for) behaves as the profile asks.
    """

    def positions(tags: Sequence[Tag]) -> dict[Tag, int]:
        first: dict[Tag, int] = {}
        for i, tag in enumerate(tags):
            first.setdefault(tag, i)
        return first

    def rank(position: Mapping[Tag, int], wheel_tags: set[Tag] | None) -> int | None:
        found = [position[tag] for tag in wheel_tags or () if tag in position]
        return min(found) if found else None

    names = sorted(filenames)
    tags_of = {name: _wheel_tags(name) for name in names}
    wanted_at, actual_at = positions(wanted), positions(actual)
    ranks_wanted = {name: rank(wanted_at, tags_of[name]) for name in names}
    ranks_actual = {name: rank(actual_at, tags_of[name]) for name in names}
    for name in names:
        if (ranks_wanted[name] is None) != (ranks_actual[name] is None):
            verdict = "compatible" if ranks_wanted[name] is not None else "incompatible"
            return f"{name} is {verdict} under the profile's tags but not under the tool's"
    compatible = [n for n in names if ranks_wanted[n] is not None]
    for a in compatible:
        for b in compatible:
            wa, wb, aa, ab = ranks_wanted[a], ranks_wanted[b], ranks_actual[a], ranks_actual[b]
            assert wa is not None and wb is not None and aa is not None and ab is not None
            if (wa < wb) != (aa < ab):
                return f"the profile's tags rank {a} and {b} differently from the tool's"
    return None


@dataclass
class IndexFacts:
    """What a built fixture index contains, as far as the adapters need to know.

    :param filenames: every wheel filename in the index.
    :param providers: ``{namespace: providers.{namespace} table or None}`` over
        all variant metadata in the index (``None``: the metadata names the
        namespace but has no ``providers`` table, as in format 0.1.1).
    :param features: ``{namespace: feature names}`` the variants use.
    :param marker_variables: the marker variables the wheels' ``Requires-Dist`` use.
    :param documents: the parsed ``-variants.json`` documents by filename.
    """

    filenames: list[str] = field(default_factory=list)
    providers: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    features: dict[str, set[str]] = field(default_factory=dict)
    marker_variables: set[str] = field(default_factory=set)
    documents: dict[str, Any] = field(default_factory=dict)

    def _add(self, document: Any) -> None:
        if not isinstance(document, dict):
            return
        providers = document.get("providers")
        namespaces: list[str] = []
        priorities = document.get("default-priorities")
        if isinstance(priorities, dict) and isinstance(priorities.get("namespace"), list):
            namespaces.extend(str(ns) for ns in priorities["namespace"])
        variants = document.get("variants")
        if isinstance(variants, dict):
            for properties in variants.values():
                if not isinstance(properties, dict):
                    continue
                for namespace, features in properties.items():
                    namespaces.append(str(namespace))
                    if isinstance(features, dict):
                        self.features.setdefault(str(namespace), set()).update(map(str, features))
        for namespace in namespaces:
            table = providers.get(namespace) if isinstance(providers, dict) else None
            if self.providers.get(namespace) is None:
                self.providers[namespace] = table if isinstance(table, dict) else None


def _marker_variables(metadata: str) -> set[str]:
    """The environment marker variables named in the ``Requires-Dist`` lines of *metadata*."""
    known = set(default_environment())
    found: set[str] = set()
    for line in metadata.splitlines():
        if line.startswith("Requires-Dist:") and ";" in line:
            found |= set(re.findall(r"[a-z_]+", line.partition(";")[2])) & known
    return found


def _project_of(filename: str) -> str:
    return canonicalize_name(filename.split("-", 1)[0])


def index_facts(flat: Path, names: Iterable[str] | None = None) -> IndexFacts:
    """Survey the find-links directory *flat* of a built fixture index.

    A built index does not change while it is in use, and the cases of one
    project ask about it again and again (the corpus: nine machines per
    project, among 10,207 files), so the survey is remembered per directory
    (its path, inode and modification time) and names; each caller gets its
    own copy.

    :param names: normalized project names to look at (all when ``None``).
    """
    try:
        stat = flat.stat()
    except OSError:
        return IndexFacts()
    key = (str(flat.resolve()), stat.st_ino, stat.st_mtime_ns)
    wanted = frozenset(names) if names is not None else None
    return copy.deepcopy(_survey(key, wanted))


@functools.lru_cache(maxsize=128)
def _survey(key: tuple[str, int, int], wanted: frozenset[str] | None) -> IndexFacts:
    flat = Path(key[0])
    facts = IndexFacts()
    for path in sorted(flat.iterdir()) if flat.is_dir() else []:
        if wanted is not None and _project_of(path.name) not in wanted:
            continue
        if path.name.endswith("-variants.json"):
            try:
                document = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            facts.documents[path.name] = document
            facts._add(document)
        elif path.suffix == ".whl":
            facts.filenames.append(path.name)
            try:
                with zipfile.ZipFile(path) as archive:
                    for member in archive.namelist():
                        if member.count("/") != 1 or ".dist-info/" not in member:
                            continue
                        if member.endswith("/variant.json"):
                            facts._add(json.loads(archive.read(member)))
                        elif member.endswith("/METADATA"):
                            facts.marker_variables |= _marker_variables(archive.read(member).decode())
            except (OSError, ValueError, zipfile.BadZipFile):
                continue
    return facts


def project_index(flat: Path, names: Iterable[str], out: Path) -> Path:
    """A find-links directory *out* with only the files of projects *names* from *flat*.

    What a tool sees of one project is the same as in the whole index (its
    wheels and its ``-variants.json`` files), but the tool no longer reads
    every other project's files: the corpus index holds 10,207 wheels, torch
    906 of them. Files are hard-linked (copied where the file system cannot
    link), so *out* costs a directory entry per file; the tool must not write
    to them.

    :param names: normalized project names.
    :returns: *out*.
    """
    wanted = set(names)
    out.mkdir(parents=True, exist_ok=True)
    with os.scandir(flat) as entries:
        chosen = sorted(e.path for e in entries if _project_of(e.name) in wanted and e.is_file())
    for path in chosen:
        target = out / os.path.basename(path)
        try:
            os.link(path, target)
        except OSError:
            shutil.copyfile(path, target)
    return out


def target_tags(python_version: str, platforms: Sequence[str] | None, expand: bool = True) -> list[Tag]:
    """The tags of CPython *python_version* on *platforms*, best first, as :mod:`packaging` derives them.

    With *expand*, a ``manylinux_2_N_<arch>`` platform brings every older
    glibc level down to 2.5 with the legacy ``manylinux*`` aliases, then
    ``linux_<arch>`` (what an installer told "glibc 2.N" uses).
    ``platforms=None``: the running interpreter's tags.
    """
    if platforms is None:
        return list(sys_tags())
    expanded: list[str] = []
    for platform in platforms:
        match = re.fullmatch(r"manylinux_(\d+)_(\d+)_(\w+)", platform)
        if match is None or not expand:
            candidates = [platform]
        else:
            major, minor, arch = int(match[1]), int(match[2]), match[3]
            aliases = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
            candidates = []
            for glibc in range(minor, 4, -1):
                candidates.append(f"manylinux_{major}_{glibc}_{arch}")
                if glibc in aliases and (glibc == 17 or arch in ("x86_64", "i686")):
                    candidates.append(f"{aliases[glibc]}_{arch}")
            candidates.append(f"linux_{arch}")
        expanded += [c for c in candidates if c not in expanded]
    version = tuple(int(part) for part in python_version.split(".")[:2])
    interpreter = f"cp{version[0]}{version[1]}"
    return [
        *cpython_tags(version, [interpreter], expanded),
        *compatible_tags(version, interpreter, expanded),
    ]


def profile_platforms(profile: Mapping[str, Any]) -> list[str] | None:
    """The distinct platform tags of the profile's tag list (``any`` left out), best first."""
    tags = profile_tags(profile)
    if tags is None:
        return None
    platforms: list[str] = []
    for tag in tags:
        if tag.platform != "any" and tag.platform not in platforms:
            platforms.append(tag.platform)
    return platforms


def system_mismatch(
    profile: Mapping[str, Any],
    facts: IndexFacts,
    tool: str,
    *,
    environment: Mapping[str, str],
    tags: Sequence[Tag],
    markers_matter: bool,
) -> str | None:
    """Why *tool* cannot act as *profile* for the wheels in *facts*; ``None``: it can.

    :param environment: the marker environment the tool will use.
    :param tags: the supported tags the tool will use, best first.
    :param markers_matter: whether dependency markers are evaluated (an
        ``install``); only the variables the index's wheels use are compared.
    """
    for key, value in sorted(profile.get("environment", {}).items()):
        got = environment.get(key)
        if markers_matter and key in facts.marker_variables and str(got) != str(value):
            return (
                f"the profile's marker environment has {key} = {value!r}, {tool} would use "
                f"{got!r}, and the index's dependencies depend on {key}"
            )
    wanted = profile_tags(profile)
    if wanted is not None:
        differs = tag_order_differs(facts.filenames, wanted, tags)
        if differs:
            return f"{tool} cannot be given the profile's tag list, and {differs}"
    return None


def index_url(workspace: Workspace, index_id: str, kind: str) -> str:
    """The loopback URL of fixture index *index_id* served as *kind*.

    ``pep503``: ``{base_url}<index-id>/simple/`` (HTML pages); ``pep691``:
    ``{base_url}<index-id>/json/`` (PEP 691 JSON pages), as the fixture server lays them out.

    :raises ValueError: no server, or a server that is not on the loopback interface.
    """
    if kind not in ("pep503", "pep691"):
        raise ValueError(f"unknown index kind {kind!r} (use flat, pep503 or pep691)")
    if workspace.base_url is None:
        raise ValueError(f"a {kind} case needs the loopback server, and the workspace has no base_url")
    if urllib.parse.urlsplit(workspace.base_url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError(f"refusing a non-loopback index URL {workspace.base_url!r}")
    return f"{workspace.base_url}{index_id}/{'simple' if kind == 'pep503' else 'json'}/"
