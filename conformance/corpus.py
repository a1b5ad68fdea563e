"""The WheelNext variants test index, read as the contents of a fixture index.

``fixtures/corpus/wheelnext-variants-index/`` is a copy of the public test
index the authors of the variant PEPs keep (Apache-2.0; its ``README.md``
says where it comes from): 96 ``{name}-{version}-variants.json`` documents in
the pre-PEP draft format v0.0.3 and the 10,207 wheel filenames of 41 projects.
:func:`read_corpus` turns it into what fixture index ``wheelnext-corpus`` is
made of; :func:`conformance.fixtures.build_corpus` builds the stub wheels and
publishes them flat, PEP 503 and PEP 691 like every other fixture:

- every document converted to format 0.2.0 by :func:`reference.format.convert.convert_bytes`,
  published under its own (already normalized) name;
- one stub wheel per real filename (:class:`CorpusWheel`), a variant wheel
  carrying the converted document reduced to its own label as
  ``*.dist-info/variant.json``.

Which filenames (:func:`selected_filenames`): **all 10,207**. The issue asks for
at least every filename of torch, torchvision, numpy and the nvidia-*
libraries plus a documented sample of the rest; stub wheels are cheap, so the
"sample" of the remaining projects is all of their filenames too
(``projects=`` narrows the corpus to some project folders, for experiments).

Reproducible: the corpus files are read, sorted, never fetched. This module
only reads: it imports nothing else of the suite, so the fixture builder can
import it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reference.format.filename import parse_wheel_filename
from reference.format.model import canonical_json

__all__ = [
    "CORPUS",
    "CORPUS_INDEX_ID",
    "CorpusContents",
    "CorpusError",
    "CorpusWheel",
    "converted_documents",
    "read_corpus",
    "selected_filenames",
]

#: ``fixtures/corpus`` through ``conformance/fixture_sources`` (a link in a checkout, a
#: copy in an installed suite: :data:`conformance.fixtures.SOURCES`)
_SNAPSHOT = Path(__file__).resolve().parent / "fixture_sources" / "corpus" / "wheelnext-variants-index"
CORPUS = _SNAPSHOT / "v0.0.3"
"""The snapshot folder: one sub-folder per project (``wheels.txt``, ``*-variants.json``)."""

CORPUS_INDEX_ID = "wheelnext-corpus"
_SUFFIX = "-variants.json"


class CorpusError(ValueError):
    """The corpus snapshot is missing or inconsistent."""


@dataclass(frozen=True)
class CorpusWheel:
    """One real wheel filename, and what its stub wheel carries.

    :param project: the corpus folder (the normalized project name).
    :param tags: the filename's compressed tag triple (``cp312-cp312-manylinux_2_28_x86_64``).
    :param variant_json: the converted document reduced to the wheel's label
        (``None`` for a non-variant wheel).
    """

    filename: str
    project: str
    version: str
    tags: str
    build: str | None
    label: str | None
    variant_json: bytes | None


@dataclass
class CorpusContents:
    """What fixture index ``wheelnext-corpus`` is made of.

    :param documents: ``{name}-{version}-variants.json`` filename -> the converted document (bytes).
    :param wheels: every selected filename, sorted.
    :param versions: project -> its versions (for the PEP 691 pages).
    """

    documents: dict[str, bytes] = field(default_factory=dict)
    wheels: list[CorpusWheel] = field(default_factory=list)
    versions: dict[str, set[str]] = field(default_factory=dict)


def _projects(corpus: Path, only: Iterable[str] | None) -> list[Path]:
    wanted = set(only) if only is not None else None
    folders = sorted(p for p in corpus.iterdir() if p.is_dir())
    if wanted is not None:
        unknown = wanted - {p.name for p in folders}
        if unknown:
            raise CorpusError(f"{corpus}: no corpus project {', '.join(sorted(unknown))}")
        folders = [p for p in folders if p.name in wanted]
    return folders


def selected_filenames(project: Path) -> list[str]:
    """The filenames of one corpus project that the fixture publishes: all of them, sorted."""
    names = (project / "wheels.txt").read_text(encoding="utf-8").split()
    return sorted(set(names))


def converted_documents(project: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(filename, 0.2.0 document)`` for every ``*-variants.json`` of one project."""
    from reference.format.convert import convert_bytes

    for path in sorted(project.glob("*" + _SUFFIX)):
        conversion = convert_bytes(path.read_bytes(), str(path), "0.2.0")
        yield path.name, conversion.document


def _single_label(document: dict[str, Any], label: str) -> bytes:
    """PEP 825: in ``variant.json`` "variants" is "always a single entry, with the key matching the
    variant label"."""
    return canonical_json({**document, "variants": {label: document["variants"][label]}}).encode("utf-8")


def _read_project(project: Path, contents: CorpusContents) -> None:
    documents: dict[str, dict[str, Any]] = {}
    for filename, document in converted_documents(project):
        contents.documents[filename] = canonical_json(document).encode("utf-8")
        documents[filename[: -len(_SUFFIX)]] = document
    versions = contents.versions.setdefault(project.name, set())
    for filename in selected_filenames(project):
        wheel = parse_wheel_filename(filename)
        label = wheel.variant_label
        key = f"{wheel.distribution}-{wheel.version}"
        if label is not None and label not in documents.get(key, {}).get("variants", {}):
            raise CorpusError(f"{project}: {filename}: label {label!r} is in no {key}{_SUFFIX}")
        tags = "-".join(".".join(t) for t in (wheel.python_tags, wheel.abi_tags, wheel.platform_tags))
        variant_json = _single_label(documents[key], label) if label is not None else None
        contents.wheels.append(
            CorpusWheel(filename, project.name, wheel.version, tags, wheel.build_tag, label, variant_json)
        )
        versions.add(wheel.version)


def read_corpus(corpus: Path = CORPUS, projects: Iterable[str] | None = None) -> CorpusContents:
    """The converted documents and the wheels of the corpus (or of ``projects``, folder names).

    :raises CorpusError: the corpus is missing or inconsistent (a label in no document).
    """
    if not corpus.is_dir():
        raise CorpusError(f"{corpus}: the corpus snapshot is missing")
    contents = CorpusContents()
    for project in _projects(corpus, projects):
        _read_project(project, contents)
    return contents
