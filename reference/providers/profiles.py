"""Profiles: simulated systems for variant selection.

A profile is a TOML file describing a system: its PEP 508 marker environment,
its supported compatibility tags (most preferred first) and, per namespace, the
features it supports with their values in preference order. The last part is
the *user-provided static list* of the providers text, step 3: for every
namespace it names, it is used exclusively.

Example::

    name = "x86-64-v3 with an NVIDIA sm_90 GPU"
    [environment]
    platform_machine = "x86_64"
    [tags]
    supported = ["cp312-cp312-manylinux_2_28_x86_64", "py3-none-any"]
    [namespaces.nvidia]
    cuda_version_lower_bound = ["13.0", "12.9"]
    sm_arch = ["90_real"]
    [installed]
    torch = "2.9.1"

The format is validated by ``schemas/profile.schema.json``. Importing
``jsonschema`` costs about 0.1 s, a fifth of the ``select`` budget, so a
plain-Python check (:func:`_fast_valid`) accepts ordinary profiles first; the
schema stays the authority: it runs, and reports, whenever the fast check
does not accept the data.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.markers import default_environment
from packaging.tags import Tag, sys_tags

from reference._toml import TOMLDecodeError
from reference.errors import VariantError, Violation
from reference.limits import parse_toml, read_regular

__all__ = [
    "BUNDLED_PROFILES",
    "SCHEMA_PATH",
    "InvalidProfile",
    "Profile",
    "bundled_profile_names",
    "find_profile",
    "load_profile",
]

# reference/schemas: a link to the top-level schemas/ in a checkout, a copy in a wheel.
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "profile.schema.json"
#: The simulated systems shipped with the package (``reference/profiles``: a link
#: to the top-level ``fixtures/profiles/`` in a checkout, a copy in a wheel).
BUNDLED_PROFILES = Path(__file__).resolve().parent.parent / "profiles"
_CLAUSE = "reference:profile-schema"


class InvalidProfile(VariantError):
    """A profile file is not valid TOML or breaks ``schemas/profile.schema.json``."""


@functools.cache
def _validator() -> Any:
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


# The schema's patterns, applied as jsonschema applies "pattern" (re.search).
_TAG_SET = re.compile(r"^[A-Za-z0-9_.]+-[A-Za-z0-9_.]+-[A-Za-z0-9_.]+$")
_NAME = re.compile(r"^[a-z0-9_]+$")
_VALUE = re.compile(r"^[a-z0-9_.]+$")
_PROJECT = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
_ENVIRONMENT_KEYS = frozenset(
    (
        "implementation_name",
        "implementation_version",
        "os_name",
        "platform_machine",
        "platform_release",
        "platform_system",
        "platform_version",
        "python_full_version",
        "platform_python_implementation",
        "python_version",
        "sys_platform",
    )
)
_TOP_KEYS = frozenset(("name", "description", "environment", "tags", "namespaces", "hardware", "installed"))


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _str_map(value: Any, keys: re.Pattern[str] | None = None) -> bool:
    return isinstance(value, dict) and all(
        (keys is None or keys.search(k)) and isinstance(v, str) for k, v in value.items()
    )


def _fast_valid(data: Any) -> bool:
    """``True`` exactly when ``data`` satisfies ``schemas/profile.schema.json``.

    A plain-Python transcription of the schema, keyword by keyword; a test
    checks with generated data that it agrees with the schema. Callers still
    run the schema when this says ``False`` (to get its messages), so the
    schema remains the single authority on what is rejected.
    """
    if not isinstance(data, dict) or "name" not in data or not set(data) <= _TOP_KEYS:
        return False
    if not (_is_str(data["name"]) and len(data["name"]) >= 1):
        return False
    if "description" in data and not _is_str(data["description"]):
        return False
    environment = data.get("environment", {})
    if not (_str_map(environment) and set(environment) <= _ENVIRONMENT_KEYS):
        return False
    tags = data.get("tags", {})
    if not isinstance(tags, dict) or not set(tags) <= {"supported"}:
        return False
    supported = tags.get("supported", [])
    if not isinstance(supported, list) or not all(_is_str(t) and _TAG_SET.search(t) for t in supported):
        return False
    namespaces = data.get("namespaces", {})
    if not isinstance(namespaces, dict):
        return False
    for namespace, features in namespaces.items():
        if not (_NAME.search(namespace) and isinstance(features, dict)):
            return False
        for feature, values in features.items():
            if not (_NAME.search(feature) and isinstance(values, list)):
                return False
            if not all(_is_str(v) and _VALUE.search(v) for v in values) or len(set(values)) != len(values):
                return False
    hardware = data.get("hardware", {})
    if not isinstance(hardware, dict) or not all(
        isinstance(v, (str, int, float)) for v in hardware.values()  # bool is an int
    ):
        return False
    installed = data.get("installed", {})
    return _str_map(installed, _PROJECT) and all(len(v) >= 1 for v in installed.values())


def _schema_errors(data: Any) -> list[Any]:
    """The schema's errors for ``data``, sorted by location (none on the fast path)."""
    if _fast_valid(data):
        return []
    return sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))


def _key_path(path: Any) -> str:
    """A TOML key path (``namespaces.nvidia.sm_arch[0]``) from a jsonschema path."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _expand(text: str) -> list[Tag]:
    """Expand a (compressed) tag set in written order; ``parse_tag`` returns an unordered set."""
    interpreters, abis, platforms = text.split("-")
    return [
        Tag(interpreter, abi, platform)
        for interpreter in interpreters.split(".")
        for abi in abis.split(".")
        for platform in platforms.split(".")
    ]


@dataclass(frozen=True)
class Profile:
    """A simulated system.

    :param name: one-line description.
    :param environment: the complete PEP 508 marker environment (keys the
        profile leaves out come from the running interpreter).
    :param tags: supported compatibility tags, most preferred first.
    :param namespaces: ``{namespace: {feature: [values]}}``, features and
        values in preference order: the user-provided static list.
    :param hardware: raw facts for built-in providers.
    :param installed: ``{normalized name: version}`` of packages present in
        the target environment (for ``abi_dependency``).
    :param source: where the profile came from, for messages.
    """

    name: str
    environment: Mapping[str, str]
    tags: tuple[Tag, ...]
    namespaces: Mapping[str, Mapping[str, tuple[str, ...]]]
    description: str = ""
    hardware: Mapping[str, Any] = field(default_factory=dict)
    installed: Mapping[str, str] = field(default_factory=dict)
    source: str = field(default="", compare=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "") -> Profile:
        """Validate profile data (parsed TOML) and build a :class:`Profile`.

        :raises InvalidProfile: with one violation per schema error, each
            located by its TOML key path.
        """
        errors = _schema_errors(data)
        if errors:
            raise InvalidProfile(
                Violation(_CLAUSE, e.message, _key_path(e.absolute_path), source) for e in errors
            )
        environment: dict[str, str] = {k: str(v) for k, v in default_environment().items()}
        environment.update(data.get("environment", {}))
        supported = data.get("tags", {}).get("supported")
        tags: list[Tag] = []
        if supported is None:
            tags = list(sys_tags())
        else:
            seen: set[Tag] = set()
            for text in supported:
                for tag in _expand(text):
                    if tag not in seen:
                        seen.add(tag)
                        tags.append(tag)
        namespaces = {
            namespace: {feature: tuple(values) for feature, values in features.items()}
            for namespace, features in data.get("namespaces", {}).items()
        }
        return cls(
            name=data["name"],
            description=data.get("description", ""),
            environment=environment,
            tags=tuple(tags),
            namespaces=namespaces,
            hardware=dict(data.get("hardware", {})),
            installed=dict(data.get("installed", {})),
            source=source,
        )

    @classmethod
    def current(cls) -> Profile:
        """The running interpreter's system, with no user static list."""
        return cls.from_dict({"name": "this interpreter"}, source="(interpreter)")


def bundled_profile_names() -> list[str]:
    """The ids of the bundled profiles (``nvidia-cu130-sm90``, ...), sorted."""
    return sorted(p.stem for p in BUNDLED_PROFILES.glob("*.toml"))


def find_profile(name_or_path: str) -> Path:
    """A profile file: *name_or_path* itself when it exists, else the bundled profile of that id.

    Anything that exists is the user's path, even a FIFO or a folder:
    :func:`load_profile` then says what is wrong with it.

    ``x86-64-v3`` and ``x86-64-v3.toml`` both name ``BUNDLED_PROFILES/x86-64-v3.toml``.

    :raises FileNotFoundError: neither a file nor a bundled profile; the message
        names the closest bundled ids.
    """
    path = Path(name_or_path)
    if path.exists():
        return path
    stem = name_or_path.removesuffix(".toml")
    if "/" not in stem and "\\" not in stem and stem in bundled_profile_names():
        return BUNDLED_PROFILES / f"{stem}.toml"
    import difflib

    close = difflib.get_close_matches(stem, bundled_profile_names(), n=3, cutoff=0.6)
    hint = f"; closest bundled profiles: {', '.join(close)}" if close else ""
    raise FileNotFoundError(
        f"{name_or_path}: no such profile file, and no bundled profile of that name{hint} "
        f"(bundled profiles: {BUNDLED_PROFILES})"
    )


def load_profile(path: str | Path) -> Profile:
    """Read and validate a profile TOML file.

    :raises InvalidProfile: when the file is not UTF-8 TOML or breaks the schema.
    :raises OSError: when the file cannot be read, or is not a regular file.
    :raises reference.limits.LimitExceeded: when it is larger or deeper than the limits.
    """
    try:
        data = parse_toml(read_regular(path).decode("utf-8"), str(path))
    except (TOMLDecodeError, UnicodeDecodeError) as error:
        raise InvalidProfile(Violation(_CLAUSE, f"not valid TOML: {error}", "", str(path))) from None
    return Profile.from_dict(data, source=str(path))
