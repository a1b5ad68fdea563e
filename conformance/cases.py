"""Conformance case files: loading, schema validation and lint.

A case file (``conformance/cases/<topic>/<behaviour>.json``) describes one
behaviour: the clauses it checks, where its expectation comes from, and one
or more tests. Every test becomes one :class:`Case`, inheriting the file's
``spec``, ``source``, ``status``, ``reading`` and ``requires`` unless it sets
its own. The shape is ``schemas/case.schema.json``.

Expectations are written by hand from the specification text; this module
never computes one.

Run ``python -m conformance.cases [ROOT]`` to check every file; it prints one
line per problem and exits non-zero if there is any.

Schema validation is the slow part of loading (every pytest-xdist worker loads
every file), so the SHA-256 of each file found valid is remembered in a small
cache file (``valid-cases.json`` in the folder ``$CONFORMANCE_CASE_CACHE``,
default ``$XDG_CACHE_HOME/wheel-variant-conformance``; ``off`` disables it),
under a key made of the schema's own digest and the jsonschema version: a
file is skipped only when exactly these bytes already passed exactly this
schema. Invalid files are never remembered.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reference.format._schema import SCHEMA_DIR

if TYPE_CHECKING:
    import jsonschema

__all__ = [
    "CACHE_ENV",
    "CACHE_FILE",
    "CAPABILITIES",
    "CASES_DIR",
    "DRAFT_STATUS",
    "FORMAT_OPS",
    "OPS",
    "OP_CLAUSES",
    "SCHEMA_PATH",
    "Case",
    "CaseFileError",
    "check",
    "lint",
    "load_cases",
    "main",
]

CASES_DIR = Path(__file__).parent / "cases"
SCHEMA_PATH = SCHEMA_DIR / "case.schema.json"

#: The closed vocabulary of capabilities a case may require. ``hardware.<namespace>``
#: (an adapter can simulate that namespace from a profile's ``[hardware]`` table)
#: is matched by :data:`HARDWARE_CAPABILITY`.
CAPABILITIES: Mapping[str, str] = {
    "filename": "parse variant wheel filenames",
    "validate": "validate variant metadata documents",
    "validate.text": "validate a metadata document given as the file's text (the JSON format's own rules)",
    "combine": "combine variant metadata documents (metadata consistency)",
    "select": "select a wheel for a profile from a fixture index",
    "install": "install a requirement and its dependencies into an environment",
    "markers": "evaluate variant environment markers",
    "pylock": "install from a pylock.toml with [packages.variants-json]",
    "index.flat": "read a flat find-links directory",
    "index.pep503": "read a PEP 503 HTML simple index",
    "index.pep691": "read a PEP 691 JSON simple index",
    "providers.static-metadata": "use static-properties from the variant metadata",
    "providers.user-static": "take a profile as the user's static list of compatible properties",
    "providers.optional": "enable optional providers on request",
    "providers.plugin": "install and query trusted provider plugins",
    "abi-dependency": "implement the abi_dependency provider",
    "variant-unaware": "behave as a tool that predates wheel variants",
}
HARDWARE_CAPABILITY = re.compile(r"^hardware\.[a-z0-9_]+$")

#: Each op and the capability an implementation needs to run it.
OPS: Mapping[str, str] = {
    "filename": "filename",
    "validate": "validate",
    "combine": "combine",
    "select": "select",
    "install": "install",
    "markers": "markers",
    "pylock": "pylock",
}

_INHERITED = ("spec", "source", "status", "reading", "requires")

#: The clauses a case of these ops can fail on. A ``markers`` case hands the
#: implementation the label and the (already narrowed) properties, so it can only
#: fail on how markers are parsed and evaluated, never on how their values are
#: obtained (pep825:markers-values, -label, -properties-narrowed, -non-variant);
#: a ``filename`` case can only fail on the filename rules. Any other clause such
#: a case names must be cited as ``"context": true`` (see :func:`lint`).
OP_CLAUSES: Mapping[str, frozenset[str]] = {
    "markers": frozenset({
        "pep825:markers-operators", "pep825:markers-whitespace", "pep825:markers-derived",
        "reference:markers-syntax",
        # the dependency specifiers' rules pep825:markers-operators defers to
        "depspec:marker-operators", "depspec:string-legacy", "depspec:marker-grammar",
    }),
    "filename": frozenset({
        "pep825:filename-template", "pep825:label-charset", "pep825:python-tag-digit",
        "pep825:label-required", "pep825:null-label", "wheel:filename", "wheel:build-tag",
        "wheel:consumers-accept", "wheel:dash-separator", "names:name-format",
    }),
}
#: Ops that read documents or names only: they cannot fail on a clause that binds installers alone.
FORMAT_OPS = frozenset({"filename", "validate", "combine"})

#: The status of a case written by a tool (``conformance.differential.ready_case``)
#: whose expectation no person has confirmed from the text yet: the suite refuses it.
DRAFT_STATUS = "draft"
_FORBIDDEN_WORDS = re.compile(
    r"\b(should|shall|must|will|tests? that|checks? that|verif(y|ies) that|ensures? that)\b",
    re.IGNORECASE,
)
_MAX_DESCRIPTION = 150


class CaseFileError(ValueError):
    """A case file is not valid JSON or does not match the case schema.

    :param problems: one message per problem, each starting with the file path.
    """

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Case:
    """One test of a case file, with the file's fields filled in.

    :param id: ``<topic>/<behaviour>/<test id>``, stable across releases.
    :param file: the case file.
    :param description: the test's description.
    :param clauses: the clause ids the test checks: those it can fail on, the
        only ones clause coverage counts.
    :param source: document, section and sentence the expectation rests on.
    :param status: where the expectation comes from: ``final`` (PEP 825 text),
        ``tentative`` (the providers draft, or NOTES.md's 0.2.0 as
        implemented), ``unsettled`` (one reading of open text, with its twin),
        ``reference`` (a rule only this project defines, such as the meaning
        of ``--variant``); ``draft`` is refused (:data:`DRAFT_STATUS`).
    :param reading: for ``unsettled`` cases, the reading this one follows.
    :param requires: capabilities needed to run it.
    :param op: ``filename``, ``validate``, ``combine``, ``select``, ``install``,
        ``markers`` or ``pylock``.
    :param input: the op's input, as in the file.
    :param expect: the expected outcome, as in the file.
    """

    id: str
    file: Path
    description: str
    clauses: tuple[str, ...]
    source: str
    status: str
    reading: str | None
    requires: frozenset[str]
    op: str
    input: Mapping[str, Any] = field(hash=False, compare=False)
    expect: Mapping[str, Any] = field(hash=False, compare=False)
    twins: tuple[str, ...] = ()
    """The file's ``twins``: behaviours that complement it with the other outcome."""
    context: tuple[str, ...] = ()
    """Clause ids cited for the reader only (``"context": true`` in ``spec``): the
    case cannot fail on them, so clause coverage gives them no credit."""

    @property
    def topic(self) -> str:
        """The first component of the id (``filename``, ``metadata``, ...)."""
        return self.id.split("/", 1)[0]

    @property
    def expected_clauses(self) -> tuple[str, ...]:
        """Clause ids named in the expectation (for invalid or inconsistent outcomes; with
        ``any_of``, those of every allowed outcome)."""
        expects = self.expect.get("any_of", [self.expect])
        return tuple(clause for expect in expects for clause in expect.get("clauses", ()))


CACHE_ENV = "CONFORMANCE_CASE_CACHE"


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


#: The file in the cache folder.
CACHE_FILE = "valid-cases.json"


def _cache_path() -> Path | None:
    """``$CONFORMANCE_CASE_CACHE/valid-cases.json``: the variable names a folder, as
    ``VARIANT_REF_PLUGIN_CACHE`` does (default ``$XDG_CACHE_HOME/wheel-variant-conformance``)."""
    configured = os.environ.get(CACHE_ENV)
    if configured is not None:
        if configured.strip().lower() in ("", "off", "0", "no"):
            return None
        return Path(configured) / CACHE_FILE
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "wheel-variant-conformance" / CACHE_FILE


@functools.cache
def _cache_key() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        engine = version("jsonschema")
    except PackageNotFoundError:  # pragma: no cover - jsonschema is a dependency
        engine = "?"
    return hashlib.sha256(SCHEMA_PATH.read_bytes() + b"\0" + engine.encode()).hexdigest()


class _ValidCache:
    """Digests of case files that passed the current schema (see the module docstring)."""

    def __init__(self) -> None:
        self.path = _cache_path()
        self.known: set[str] = set()
        self.added: set[str] = set()
        if self.path is None:
            return
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("key") == _cache_key():
                self.known = set(data["valid"])
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            self.known = set()

    def save(self) -> None:
        if self.path is None or not self.added:
            return
        data = {"key": _cache_key(), "valid": sorted(self.known | self.added)}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".valid-cases-", dir=self.path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(data, f)
            os.replace(tmp, self.path)
        except OSError:
            pass


def _case_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.json"))


def _schema_problems(path: Path, data: Any) -> list[str]:
    problems = []
    for error in sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(part) for part in error.absolute_path) or "(top)"
        problems.append(f"{path}: {where}: {error.message}")
    return problems


def _read(path: Path, cache: _ValidCache | None = None) -> tuple[Any, list[str]]:
    try:
        raw = path.read_bytes()
        data = json.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, [f"{path}: cannot read case file: {exc}"]
    if cache is None:
        return data, _schema_problems(path, data)
    digest = hashlib.sha256(raw).hexdigest()
    if digest in cache.known:
        return data, []
    problems = _schema_problems(path, data)
    if not problems:
        cache.added.add(digest)
    return data, problems


def _cases_of(path: Path, root: Path, data: Mapping[str, Any]) -> list[Case]:
    behaviour = path.relative_to(root).with_suffix("").as_posix()
    cases = []
    for test in data["tests"]:
        merged = {key: test.get(key, data.get(key)) for key in _INHERITED}
        cases.append(
            Case(
                id=f"{behaviour}/{test['id']}",
                file=path,
                description=test["description"],
                clauses=tuple(entry["clause"] for entry in merged["spec"] if not entry.get("context")),
                context=tuple(entry["clause"] for entry in merged["spec"] if entry.get("context")),
                twins=tuple(data.get("twins", ())),
                source=merged["source"],
                status=merged["status"],
                reading=merged["reading"],
                requires=frozenset(merged["requires"]),
                op=test["op"],
                input=test["input"],
                expect=test["expect"],
            )
        )
    return cases


def _read_all(root: Path | str | None) -> tuple[list[Case], list[str], list[str]]:
    """Every test of every case file under *root*, the files' schema problems
    and their description-style problems (one line each).

    A file with schema problems contributes no cases.
    """
    base = Path(root) if root is not None else CASES_DIR
    schema_problems: list[str] = []
    style_problems: list[str] = []
    cases: list[Case] = []
    cache = _ValidCache()
    for path in _case_files(base):
        data, errors = _read(path, cache)
        if errors:
            schema_problems.extend(errors)
            continue
        style_problems.extend(_description_problems(str(path), data["description"]))
        found = _cases_of(path, base, data)
        drafts = [case.id for case in found if case.status == DRAFT_STATUS]
        if drafts:
            schema_problems.append(
                f"{path}: unconfirmed draft ({', '.join(drafts)}): its expectation is not yet derived "
                "from the specification text; confirm it, cite and quote the deciding clauses and set "
                "the status (docs/differential.md, 'When a property fails')"
            )
            continue
        cases.extend(found)
    cache.save()
    return cases, schema_problems, style_problems


def load_cases(root: Path | str | None = None) -> list[Case]:
    """Every test of every case file under *root* (default: ``conformance/cases``).

    The files are validated against ``schemas/case.schema.json``; lint is
    separate (:func:`lint`, :func:`check`).

    :raises CaseFileError: if any file is unreadable or schema-invalid.
    """
    cases, schema_problems, _ = _read_all(root)
    if schema_problems:
        raise CaseFileError(schema_problems)
    return cases


def _description_problems(where: str, text: str) -> list[str]:
    problems = []
    if len(text) > _MAX_DESCRIPTION:
        problems.append(f"{where}: description longer than {_MAX_DESCRIPTION} characters")
    match = _FORBIDDEN_WORDS.search(text)
    if match:
        problems.append(
            f"{where}: description uses {match.group(0)!r}; state the behaviour in the present tense"
        )
    if text != text.strip() or text.endswith("."):
        problems.append(f"{where}: description has surrounding whitespace or a final full stop")
    return problems


def _known_capability(name: str) -> bool:
    return name in CAPABILITIES or bool(HARDWARE_CAPABILITY.match(name))


def lint(cases: Iterable[Case], known_clauses: Iterable[str] | None = None) -> list[str]:
    """Problems that the schema cannot express; an empty list means clean.

    Checks: unique case ids; unique descriptions within a file; clause ids
    (in ``spec`` and in the expectation) exist in the catalogue; capabilities
    belong to :data:`CAPABILITIES`; the op's own capability is required;
    ``reading`` is given exactly for ``unsettled`` cases; description style
    (present tense, no "should", no "test that", at most 150 characters).
    """
    if known_clauses is None:
        from reference.clauses import all_clauses

        known = set(all_clauses())
    else:
        known = set(known_clauses)
    problems: list[str] = []
    cases = list(cases)
    behaviours = {case.id.rsplit("/", 1)[0] for case in cases}
    seen_ids: set[str] = set()
    seen_descriptions: dict[Path, set[str]] = {}
    for case in cases:
        where = f"{case.file}: {case.id}"
        if case.id in seen_ids:
            problems.append(f"{where}: duplicate case id")
        seen_ids.add(case.id)
        descriptions = seen_descriptions.setdefault(case.file, set())
        if case.description in descriptions:
            problems.append(f"{where}: duplicate description in the file")
        descriptions.add(case.description)
        problems.extend(_description_problems(where, case.description))
        for clause in (*case.clauses, *case.context, *case.expected_clauses):
            if clause not in known:
                problems.append(f"{where}: unknown clause id {clause!r}")
        for capability in sorted(case.requires):
            if not _known_capability(capability):
                problems.append(f"{where}: unknown capability {capability!r}")
        if OPS[case.op] not in case.requires:
            problems.append(f"{where}: op {case.op!r} needs capability {OPS[case.op]!r} in requires")
        if (case.status == "unsettled") != (case.reading is not None):
            problems.append(f"{where}: 'reading' is required for, and only for, unsettled cases")
        if not case.clauses:
            problems.append(f"{where}: every clause in 'spec' is context: name one the case can fail on")
        problems.extend(f"{where}: {p}" for p in _credit_problems(case))
        problems.extend(f"{where}: twin {t!r} is no behaviour" for t in case.twins if t not in behaviours)
    return problems


def _credit_problems(case: Case) -> list[str]:
    """Clauses the case is credited with but its op cannot fail on (see :data:`OP_CLAUSES`)."""
    from reference.clauses import all_clauses

    catalogue = all_clauses()
    problems = []
    for clause in case.clauses:
        allowed = OP_CLAUSES.get(case.op)
        entry = catalogue.get(clause)
        if allowed is not None and clause not in allowed:
            problems.append(f"a {case.op} case cannot fail on {clause}: cite it as context")
        elif case.op in FORMAT_OPS and entry is not None and set(entry.roles) <= {"installer"}:
            problems.append(f"a {case.op} case cannot fail on {clause}, which binds installers only: "
                            "cite it as context")
    return problems


def check(root: Path | str | None = None) -> list[str]:
    """Schema problems and lint problems of every case file under *root*."""
    cases, schema_problems, style_problems = _read_all(root)
    return schema_problems + style_problems + lint(cases)


def main(argv: list[str] | None = None) -> int:
    """Check the case files; print one line per problem."""
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0]) if args else CASES_DIR
    problems = check(root)
    for problem in problems:
        print(problem)
    if not problems:
        print(f"{len(load_cases(root))} cases, all valid")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
