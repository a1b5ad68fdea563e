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

The format is validated by ``schemas/profile.schema.json``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.markers import default_environment
from packaging.tags import Tag, sys_tags

from reference._toml import TOMLDecodeError, loads
from reference.errors import VariantError, Violation

__all__ = ["SCHEMA_PATH", "InvalidProfile", "Profile", "load_profile"]

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "profile.schema.json"
_CLAUSE = "reference:profile-schema"


class InvalidProfile(VariantError):
    """A profile file is not valid TOML or breaks ``schemas/profile.schema.json``."""


@functools.cache
def _validator() -> Any:
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


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
        errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
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


def load_profile(path: str | Path) -> Profile:
    """Read and validate a profile TOML file.

    :raises InvalidProfile: when the file is not TOML or breaks the schema.
    :raises OSError: when the file cannot be read.
    """
    text = Path(path).read_text(encoding="utf-8")
    try:
        data = loads(text)
    except TOMLDecodeError as error:
        raise InvalidProfile(Violation(_CLAUSE, f"not valid TOML: {error}", "", str(path))) from error
    return Profile.from_dict(data, source=str(path))
