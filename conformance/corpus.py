"""The WheelNext variants test index as a fixture index: real filenames, stub wheels.

``fixtures/corpus/wheelnext-variants-index/`` is a copy of the public test
index the authors of the variant PEPs keep (Apache-2.0; its ``README.md``
says where it comes from): 96 ``{name}-{version}-variants.json`` documents in
the pre-PEP draft format v0.0.3 and the 10,207 wheel filenames of 41 projects.
:func:`build_corpus` turns it into fixture index ``wheelnext-corpus``, served
flat, PEP 503 and PEP 691 like every other fixture (:func:`conformance.fixtures.publish_index`):

- every document converted to format 0.2.0 by :func:`reference.format.convert.convert_document`,
  published under its own (already normalized) name;
- one stub wheel per real filename (:func:`conformance.fixtures.build_wheel`:
  the usual ``_variant_identity.json``), a variant wheel carrying the
  converted document reduced to its own label as ``*.dist-info/variant.json``.

Which filenames (:func:`selected_filenames`): **all 10,207**. The issue asks for
at least every filename of torch, torchvision, numpy and the nvidia-*
libraries plus a documented sample of the rest; stub wheels cost about 0.1 ms
each, so the "sample" of the remaining projects is all of their filenames too
(``--corpus-projects`` on ``build-fixtures`` narrows it, for experiments).

Reproducible: same inputs, same bytes (the fixtures' zip rules; the corpus
files are read, sorted, never fetched).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from conformance.fixtures import DEFAULT_INDEXES, BuiltIndex, FixtureError, build_wheel, publish_index
from reference.format.filename import parse_wheel_filename
from reference.format.model import canonical_json

__all__ = ["CORPUS", "CORPUS_INDEX_ID", "build_corpus", "converted_documents", "selected_filenames"]

CORPUS = DEFAULT_INDEXES.parent / "corpus" / "wheelnext-variants-index" / "v0.0.3"
"""The snapshot folder: one sub-folder per project (``wheels.txt``, ``*-variants.json``)."""

CORPUS_INDEX_ID = "wheelnext-corpus"
_SUFFIX = "-variants.json"


def _projects(corpus: Path, only: Iterable[str] | None) -> list[Path]:
    wanted = set(only) if only is not None else None
    folders = sorted(p for p in corpus.iterdir() if p.is_dir())
    if wanted is not None:
        unknown = wanted - {p.name for p in folders}
        if unknown:
            raise FixtureError(f"{corpus}: no corpus project {', '.join(sorted(unknown))}")
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
    """PEP 825: ``variants`` in ``variant.json`` is "always a single entry, with the key matching
    the variant label"."""
    return canonical_json({**document, "variants": {label: document["variants"][label]}}).encode("utf-8")


def _project_artifacts(project: Path) -> tuple[dict[str, bytes], set[str]]:
    """Stub wheels and converted index files of one project; and its versions."""
    artifacts: dict[str, bytes] = {}
    documents: dict[str, dict[str, Any]] = {}
    for filename, document in converted_documents(project):
        artifacts[filename] = canonical_json(document).encode("utf-8")
        documents[filename[: -len(_SUFFIX)]] = document
    versions: set[str] = set()
    for filename in selected_filenames(project):
        wheel = parse_wheel_filename(filename)
        label = wheel.variant_label
        key = f"{wheel.distribution}-{wheel.version}"
        if label is not None and label not in documents.get(key, {}).get("variants", {}):
            raise FixtureError(f"{project}: {filename}: label {label!r} is in no {key}{_SUFFIX}")
        _, artifacts[filename] = build_wheel(
            project.name,
            wheel.version,
            "-".join(".".join(tags) for tags in (wheel.python_tags, wheel.abi_tags, wheel.platform_tags)),
            label=label,
            build=wheel.build_tag,
            variant_json=_single_label(documents[key], label) if label is not None else None,
            filename=filename,
        )
        versions.add(wheel.version)
    return artifacts, versions


def build_corpus(out_dir: Path, corpus: Path = CORPUS, projects: Iterable[str] | None = None) -> BuiltIndex:
    """Build fixture index ``wheelnext-corpus`` into ``out_dir/wheelnext-corpus``.

    :param projects: corpus folder names to include (default: all).
    :raises FixtureError: the corpus is missing or inconsistent (a label in no document).
    """
    if not corpus.is_dir():
        raise FixtureError(f"{corpus}: the corpus snapshot is missing")
    artifacts: dict[str, bytes] = {}
    versions: dict[str, set[str]] = {}
    for project in _projects(corpus, projects):
        files, project_versions = _project_artifacts(project)
        artifacts.update(files)
        versions[project.name] = project_versions
    return publish_index(CORPUS_INDEX_ID, out_dir, artifacts, versions)


def summary(built: BuiltIndex) -> dict[str, Any]:
    """Counts for the README and the benchmark: files, wheels, variant wheels, documents."""
    names = list(built.files)
    wheels = [n for n in names if n.endswith(".whl")]
    variant = [n for n in wheels if parse_wheel_filename(n).variant_label is not None]
    return {
        "projects": len(built.projects),
        "wheels": len(wheels),
        "variant_wheels": len(variant),
        "documents": sum(n.endswith(_SUFFIX) for n in names),
    }


if __name__ == "__main__":  # pragma: no cover - a quick look: python -m conformance.corpus OUT
    import sys
    import time

    start = time.perf_counter()
    result = build_corpus(Path(sys.argv[1]))
    print(json.dumps({**summary(result), "seconds": round(time.perf_counter() - start, 2)}))
