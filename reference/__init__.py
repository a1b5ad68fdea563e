"""Reference implementation of wheel variants (PEP 825 and the providers draft), as a library.

The names in :data:`__all__` are the stable API, documented in ``docs/api.md``:
parse a wheel filename, load and validate variant metadata, combine it,
convert WheelNext draft metadata to PEP 825 format, select a wheel for a
system, evaluate variant markers, read and write ``pylock.toml``, and the
errors all of these raise. Import them from here;
the modules behind them (``reference.format``, ``reference.providers``,
``reference.selection``, ``reference.install``, see ``docs/architecture.md``)
may move between releases.

>>> import reference
>>> reference.parse_wheel_filename("numpy-2.3.2-cp313-cp313-linux_x86_64-x86_64_v3.whl").variant_label
'x86_64_v3'

Each name is imported from its module on first use (PEP 562), so that
``import reference`` stays cheap: ``variant-ref filename`` starts in well under
its 150 ms budget (``benchmarks/bench_format.py``). The lookup is not cached
here, so the name always is what its module holds.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reference.errors import (
        InconsistentMetadata,
        InvalidVariantFilename,
        InvalidVariantLabel,
        InvalidVariantMetadata,
        InvalidVariantProperty,
        ProviderError,
        UnsupportedSchemaVersion,
        VariantError,
        Violation,
    )
    from reference.format.combine import combine
    from reference.format.convert import Conversion, convert_bytes, convert_document
    from reference.format.documents import load_path
    from reference.format.filename import NULL_LABEL, WheelFilename, parse_wheel_filename
    from reference.format.indexfile import index_filename, write_index_files
    from reference.format.metadata import MetadataWarning, load_metadata, parse_json_bytes
    from reference.format.model import ProviderInfo, VariantMetadata
    from reference.format.properties import VariantFeature, VariantProperty
    from reference.format.wheel import read_variant_json
    from reference.install.pages import FileLink
    from reference.install.pylock import (
        InvalidLock,
        Lock,
        dumps_lock,
        load_lock,
        package_entry,
        parse_lock,
        select_locked,
        variants_json_table,
    )
    from reference.providers.plugins import PluginRunner
    from reference.providers.profiles import InvalidProfile, Profile, load_profile
    from reference.selection.explain import explain_selection
    from reference.selection.markers import (
        InvalidVariantMarker,
        VariantMarker,
        VariantMarkers,
        evaluate_requires,
        variant_markers,
    )
    from reference.selection.result import Candidate, Reason, Selection
    from reference.selection.select import select_version, select_wheel
    from reference.selection.system import SelectOptions, System

_EXPORTS: dict[str, str] = {
    # wheel filenames and properties (PEP 825 "Variant label", "Variant properties")
    "NULL_LABEL": "reference.format.filename",
    "WheelFilename": "reference.format.filename",
    "parse_wheel_filename": "reference.format.filename",
    "VariantFeature": "reference.format.properties",
    "VariantProperty": "reference.format.properties",
    # variant metadata (PEP 825 "Variant metadata", "Metadata consistency", "Index-level metadata")
    "VariantMetadata": "reference.format.model",
    "ProviderInfo": "reference.format.model",
    "MetadataWarning": "reference.format.metadata",
    "load_metadata": "reference.format.metadata",
    "parse_json_bytes": "reference.format.metadata",
    "load_path": "reference.format.documents",
    "read_variant_json": "reference.format.wheel",
    "combine": "reference.format.combine",
    "index_filename": "reference.format.indexfile",
    "write_index_files": "reference.format.indexfile",
    # WheelNext draft metadata (v0.0.2, v0.0.3) -> PEP 825 format (docs/convert.md)
    "Conversion": "reference.format.convert",
    "convert_bytes": "reference.format.convert",
    "convert_document": "reference.format.convert",
    # the target system (providers text)
    "Profile": "reference.providers.profiles",
    "load_profile": "reference.providers.profiles",
    "PluginRunner": "reference.providers.plugins",
    # selection (PEP 825 "Variant ordering", installer steps)
    "SelectOptions": "reference.selection.system",
    "System": "reference.selection.system",
    "Selection": "reference.selection.result",
    "Candidate": "reference.selection.result",
    "Reason": "reference.selection.result",
    "select_wheel": "reference.selection.select",
    "select_version": "reference.selection.select",
    "explain_selection": "reference.selection.explain",
    # variant markers (PEP 825 "Environment markers")
    "VariantMarker": "reference.selection.markers",
    "VariantMarkers": "reference.selection.markers",
    "variant_markers": "reference.selection.markers",
    "evaluate_requires": "reference.selection.markers",
    # pylock.toml (PEP 825 "Integration with pylock.toml")
    "FileLink": "reference.install.pages",
    "Lock": "reference.install.pylock",
    "load_lock": "reference.install.pylock",
    "parse_lock": "reference.install.pylock",
    "select_locked": "reference.install.pylock",
    "package_entry": "reference.install.pylock",
    "variants_json_table": "reference.install.pylock",
    "dumps_lock": "reference.install.pylock",
    # errors
    "VariantError": "reference.errors",
    "Violation": "reference.errors",
    "InvalidVariantFilename": "reference.errors",
    "InvalidVariantLabel": "reference.errors",
    "InvalidVariantProperty": "reference.errors",
    "InvalidVariantMetadata": "reference.errors",
    "UnsupportedSchemaVersion": "reference.errors",
    "InconsistentMetadata": "reference.errors",
    "ProviderError": "reference.errors",
    "InvalidProfile": "reference.providers.profiles",
    "InvalidVariantMarker": "reference.selection.markers",
    "InvalidLock": "reference.install.pylock",
}

__all__ = [
    "NULL_LABEL",
    "Candidate",
    "Conversion",
    "FileLink",
    "InconsistentMetadata",
    "InvalidLock",
    "InvalidProfile",
    "InvalidVariantFilename",
    "InvalidVariantLabel",
    "InvalidVariantMarker",
    "InvalidVariantMetadata",
    "InvalidVariantProperty",
    "Lock",
    "MetadataWarning",
    "PluginRunner",
    "Profile",
    "ProviderError",
    "ProviderInfo",
    "Reason",
    "SelectOptions",
    "Selection",
    "System",
    "UnsupportedSchemaVersion",
    "VariantError",
    "VariantFeature",
    "VariantMarker",
    "VariantMarkers",
    "VariantMetadata",
    "VariantProperty",
    "Violation",
    "WheelFilename",
    "combine",
    "convert_bytes",
    "convert_document",
    "dumps_lock",
    "evaluate_requires",
    "explain_selection",
    "index_filename",
    "load_lock",
    "load_metadata",
    "load_path",
    "load_profile",
    "package_entry",
    "parse_json_bytes",
    "parse_lock",
    "parse_wheel_filename",
    "read_variant_json",
    "select_locked",
    "select_version",
    "select_wheel",
    "variant_markers",
    "variants_json_table",
    "write_index_files",
]


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use (PEP 562)."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'reference' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(__all__)
