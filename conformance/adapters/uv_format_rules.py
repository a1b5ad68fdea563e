"""Format rules an installer honours, observed through uv installs.

uv 0.13.9 has no command that validates a filename or a metadata document,
but an install shows what its readers decide, in its own words, because uv
reads every find-links entry's filename, parses the index-level
``{name}-{version}-variants.json`` of a release it resolves, and re-reads the
``variant.json`` of each wheel it downloads.  Each ``filename`` and
``validate`` case is turned into a small find-links directory built so that
the one input under test decides the install, and uv's verdict is read back:

``filename``: the file, named as the case says, is the only wheel offered
(its variant label, when the name has one the metadata can hold, is listed in
an index-level file with a property uv supports).  "Taken for a wheel" (the
case's ``valid: true``) is: uv installs it, or reports it found it as a wheel
of the project (an incompatible one, such as a ``cp313`` wheel here).
"Not a wheel" (``valid: false``; PEP 825: such a filename is not a variant
wheel, ``pep825:label-charset``, ``wheel:filename``): uv logs ``Ignoring
--find-links entry (expected a wheel ...)`` for it, or finds no candidate at
all.  Only validity is shown; a case comparing the ``parsed`` components is
skipped (uv has no command that parses a filename).

``validate``, ``kind = "index"``: the document is published as the release's
index-level file next to a non-variant wheel.  Rejected: uv reports ``Failed
to parse variant metadata `probe-1.0-variants.json```; accepted: the install
proceeds.  ``kind = "wheel"``: the document is the ``variant.json`` of the
only wheel, labelled as the case says; a valid index-level file lists that
label with a property uv supports, so uv downloads the wheel.  Rejected: uv
reports ``Failed to read metadata: .../variant.json``; accepted: uv installs
the wheel, or reads it and then reports which of its properties are
unsupported.  ``kind = "pyproject"``: not observable (uv builds no variant
wheels and never reads a ``[variant]`` table).

Anything else uv says is *inconclusive*: the adapter reports an error, a
harness problem, never a verdict.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from conformance.fixtures import build_wheel
from reference.format.model import SCHEMA_0_2_0

__all__ = ["PROBE_PROJECT", "Experiment", "filename_experiment", "validate_experiment"]

#: The project every ``validate`` experiment publishes.
PROBE_PROJECT = "probe"
_PROBE_VERSION = "1.0"
#: A namespace and property uv always supports: the metadata's own static list.
_NAMESPACE, _FEATURE, _VALUE = "conformance", "probe", "on"

_LABEL = re.compile(r"^[0-9a-z_.]+$")
_PROJECT = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._]*[A-Za-z0-9])?$")
_PYPROJECT = (
    "uv 0.13.9 builds no variant wheels and never reads a pyproject.toml [variant] table, "
    "so no install can show its verdict on one"
)


def probe_document(labels: list[str]) -> dict[str, Any]:
    """A valid format-0.2.0 document listing *labels*, each supported (``null``: no property)."""
    return {
        "$schema": SCHEMA_0_2_0,
        "default-priorities": {"namespace": [_NAMESPACE]},
        "providers": {_NAMESPACE: {"static-properties": {_FEATURE: [_VALUE]}}},
        "variants": {
            label: {} if label == "null" else {_NAMESPACE: {_FEATURE: [_VALUE]}} for label in labels
        },
    }


def _encode(document: Any) -> bytes:
    """The file's bytes: as given (a ``validate.text`` case), or the document as JSON."""
    if isinstance(document, bytes):
        return document
    return json.dumps(document).encode("utf-8")


@dataclass(frozen=True)
class Experiment:
    """A find-links directory whose install shows uv's verdict on one input.

    :param files: ``{filename: bytes}`` to publish.
    :param requirement: what to install.
    :param subject: the input under test, for explanations.
    :param kind: ``filename``, ``index`` or ``wheel``.
    """

    files: dict[str, bytes]
    requirement: str
    subject: str
    kind: str

    def verdict(self, output: str, installed: dict[str, str]) -> tuple[bool, str] | None:
        """uv's verdict (accepted?) and the evidence line, from its output and what it
        installed; ``None`` when the output shows neither."""
        lines = output.splitlines()

        def evidence(*needles: str) -> str | None:
            return next((line.strip() for line in lines if all(n in line for n in needles)), None)

        if self.kind == "filename":
            if self.subject in installed.values():
                return True, f"uv installed {self.subject}"
            found = evidence("found wheels for") or evidence("Selecting:", self.subject)
            if found:
                return True, found
            ignored = evidence("Ignoring `--find-links` entry", ".whl") or evidence(
                "Ignoring `--find-links` entry", self.subject
            )
            if ignored:
                return False, ignored
            missing = evidence("there are no versions of") or evidence("not found in the provided package")
            if missing:
                return False, missing
            return None
        if self.kind == "index":
            rejected = evidence("Failed to parse variant metadata", self.subject)
            if rejected:
                return False, rejected
            if installed:
                return True, f"uv read {self.subject} and installed {', '.join(installed.values())}"
            return None
        rejected = evidence("Failed to read metadata", "variant.json")
        if rejected:
            after = lines[[line.strip() for line in lines].index(rejected) + 1 :]
            cause = next((line.strip() for line in after if "cause:" in line), "")
            return False, rejected + (f" ({cause})" if cause else "")
        if installed:
            return True, f"uv read the variant.json of {', '.join(installed.values())} and installed it"
        unsupported = evidence("requires unsupported properties")
        if unsupported:
            return True, unsupported
        return None


def filename_experiment(filename: str) -> Experiment | str:
    """The experiment for a ``filename`` case, or why there is none."""
    stem = filename.rsplit(".", 1)[0] if "." in filename else filename
    parts = stem.split("-")
    if len(parts) < 2 or not _PROJECT.match(parts[0]) or "/" in filename or "\\" in filename:
        return "the filename names no project uv could be asked to install"
    distribution, version = parts[0], parts[1]
    label = parts[-1] if len(parts) in (6, 7) and _LABEL.match(parts[-1]) else None
    files: dict[str, bytes] = {}
    variant_json = _encode(probe_document([label])) if label else None
    _, data = build_wheel(distribution, version, "py3-none-any", variant_json=variant_json, filename=filename)
    files[filename] = data
    if label:
        files[f"{distribution}-{version}-variants.json"] = _encode(probe_document([label]))
    return Experiment(files, distribution, filename, "filename")


def validate_experiment(kind: str, document: Any, label: str | None) -> Experiment | str:
    """The experiment for a ``validate`` case, or why there is none."""
    index_file = f"{PROBE_PROJECT}-{_PROBE_VERSION}-variants.json"
    if kind == "pyproject":
        return _PYPROJECT
    if kind == "index":
        _, wheel = build_wheel(PROBE_PROJECT, _PROBE_VERSION, "py3-none-any")
        files = {"probe-1.0-py3-none-any.whl": wheel, index_file: _encode(document)}
        return Experiment(files, PROBE_PROJECT, index_file, "index")
    if label is None or not _LABEL.match(label):
        return f"the wheel label {label!r} cannot be part of a wheel filename uv would take"
    name, wheel = build_wheel(
        PROBE_PROJECT, _PROBE_VERSION, "py3-none-any", label=label, variant_json=_encode(document)
    )
    files = {name: wheel, index_file: _encode(probe_document([label]))}
    return Experiment(files, PROBE_PROJECT, name, "wheel")
