"""The adapter interface: what an installer implements to be measured by the suite.

An *adapter* connects one implementation (the reference, uv, pip, variantlib, or
your own tool) to the conformance suite.  It is deliberately tiny, like
``installer``'s ``WheelSource`` or bowtie's harness: two methods.

- :meth:`Adapter.info` is called once per session and says who the
  implementation is and what it can do (its *capabilities*).  A case that
  requires a capability the adapter does not declare is skipped with that
  reason and never counted as passed.
- :meth:`Adapter.run` is called once per case with the case's ``op`` and
  ``input`` (exactly as written in the case file) and a :class:`Workspace`
  (the built fixtures, the loopback index URL, and a fresh temporary directory).
  It answers with one of three outcomes:

  - :class:`Result` — the implementation ran; ``value`` is compared with the
    case's ``expect`` (only the keys present in ``expect``);
  - :class:`Skipped` — the adapter deliberately did not run this case (for
    example uv cannot simulate this CPU); reported as skipped with the reason;
  - :class:`Errored` — the adapter or harness broke (a crash, a timeout, output
    it could not interpret).  This is a bug in the harness, not a verdict on
    the implementation, and is reported as an error, never as a pass.

  An implementation that *rejects* an input it should reject answers
  :class:`Result` (for example ``{"valid": false, "clauses": [...]}`` or
  ``{"error": true}``), not :class:`Errored`.

The shapes of ``input`` and of ``Result.value`` per op are documented in
``docs/adapters.md`` and in ``schemas/protocol-v1.schema.json``; the same
messages travel as JSON lines for adapters not written in Python (see
:mod:`conformance.adapters.command`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

__all__ = [
    "CAPABILITIES",
    "OPS",
    "Adapter",
    "AdapterInfo",
    "Errored",
    "Outcome",
    "Result",
    "Skipped",
    "Workspace",
    "document_bytes",
    "is_known_capability",
]

#: The operations a case can ask for (the ``op`` of a case).
OPS: frozenset[str] = frozenset({"filename", "validate", "combine", "select", "install", "markers", "pylock"})

#: The closed capability vocabulary.  ``hardware.<namespace>`` (the adapter can
#: simulate that namespace from a profile's ``[hardware]`` table) is the one
#: open-ended family; see :func:`is_known_capability`.
CAPABILITIES: frozenset[str] = frozenset(
    {
        # one per op
        "filename",  # parse/validate wheel filenames with a variant label
        "validate",  # validate variant.json / -variants.json / pyproject [variant]
        "validate.text",  # validate a variant.json / -variants.json given as the file's text
        "combine",  # combine the metadata of several wheels (consistency rules)
        "select",  # choose a wheel for a requirement against a profile
        "install",  # install a requirement (and dependencies) into a target
        "markers",  # evaluate variant environment markers
        "pylock",  # install from a pylock.toml with variant wheels
        # where wheels come from
        "index.flat",  # a find-links directory
        "index.pep503",  # PEP 503 simple HTML index over HTTP
        "index.pep691",  # PEP 691 simple JSON index over HTTP
        # how supported properties are obtained (providers draft)
        "providers.static-metadata",  # providers.{ns}.static-properties
        "providers.user-static",  # the profile honoured as a user static list
        "providers.optional",  # optional providers and enabling them
        "providers.plugin",  # running trusted provider plugins
        "abi-dependency",  # the abi_dependency namespace
        # behaviour of tools that predate variants
        "variant-unaware",
        # the adapter reports the clause ids of a violation
        "clause-ids",
    }
)

_HARDWARE = re.compile(r"^hardware\.[a-z0-9_]+$")


def is_known_capability(name: str) -> bool:
    """Whether *name* belongs to the capability vocabulary.

    :param name: a capability such as ``"select"`` or ``"hardware.nvidia"``.
    """
    return name in CAPABILITIES or bool(_HARDWARE.match(name))


def document_bytes(input: Mapping[str, Any]) -> bytes:
    """The file's bytes of a ``validate`` case given as ``text`` (capability ``validate.text``).

    ``encoding`` ``utf-8`` (the default) writes the text in UTF-8; ``utf-16``
    writes the byte order mark FF FE, then the text in UTF-16LE.
    """
    text = str(input["text"])
    if input.get("encoding", "utf-8") == "utf-16":
        return b"\xff\xfe" + text.encode("utf-16-le")
    return text.encode("utf-8")


@dataclass(frozen=True)
class AdapterInfo:
    """Who the implementation is and what it can do (bowtie's ``start`` reply).

    :param name: the adapter's name as shown in reports (``"uv"``).
    :param version: the implementation's version (``"0.13.9"``), not the adapter's.
    :param capabilities: a subset of :data:`CAPABILITIES` plus any
        ``hardware.<namespace>`` entries.
    :param schema_versions: the ``variant.json`` format versions it reads.
    :param indirect: capabilities the implementation lacks as such, but which
        the adapter reaches for some cases by turning the case into something
        the implementation does (uv: a profile's user static list rewritten
        into the metadata, a filename rule observed through an install).  A
        case requiring one is handed to the adapter, which answers
        :class:`Skipped` for the cases it cannot turn.
    :param limitations: for capabilities the implementation lacks, why
        (``{"markers": "uv 0.13.9 implements no variant markers"}``); the
        suite appends it to the skip reason.
    """

    name: str
    version: str
    capabilities: frozenset[str]
    schema_versions: tuple[str, ...] = ("0.1.1", "0.2.0")
    indirect: frozenset[str] = frozenset()
    limitations: Mapping[str, str] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Workspace:
    """What a case runs against.  A fresh one (fresh ``tmp``) for every case.

    :param fixtures: root of the built fixtures (``python -m conformance
        build-fixtures OUTDIR``): ``<index-id>/{flat,simple,json}``.
    :param base_url: ``http://127.0.0.1:PORT/`` serving ``fixtures`` (so
        ``{base_url}<index-id>/simple/`` is a PEP 503 index), or ``None`` when
        no collected case needs HTTP.
    :param profiles: directory of profile files (``<profile-id>.toml``).
    :param locks: directory of lock files (``<lock-id>.toml``), ready to use:
        their relative wheel URLs resolved to ``file://`` URLs of the built
        fixtures and empty ``hashes`` filled in.
    :param tmp: a fresh, empty directory owned by this case (install target…).
    :param options: the ``--adapter-option KEY=VALUE`` pairs.
    :param clauses: the clause ids the case checks (its subject), for an
        adapter that must know what a case is about before it turns it into
        something its implementation does.
    :param requires: the capabilities the case requires.  For ``select``,
        ``install`` and ``pylock`` this says how to reach the index:
        ``index.pep503`` (``{base_url}<index-id>/simple/``), ``index.pep691``
        (the same pages as PEP 691 JSON) or ``index.flat`` (the find-links
        directory ``fixtures/<index-id>/flat``); when it names none of them,
        use whichever kind the adapter supports.
    """

    fixtures: Path
    base_url: str | None
    profiles: Path
    locks: Path
    tmp: Path
    options: Mapping[str, str] = field(default_factory=dict)
    requires: frozenset[str] = frozenset()
    clauses: tuple[str, ...] = ()

    def index_kind(self) -> str | None:
        """``"flat"``, ``"pep503"`` or ``"pep691"`` when the case names one, else ``None``."""
        for kind in ("pep691", "pep503", "flat"):
            if f"index.{kind}" in self.requires:
                return kind
        return None


@dataclass(frozen=True)
class Result:
    """The implementation ran; ``value`` is compared with the case's ``expect``.

    Only the keys present in ``expect`` are compared, so an adapter may return
    more (for example ``ranked`` or an ``explanation``).

    ``projection`` says how the case's system reached the implementation when
    the adapter had to express it in another form (uv: the profile's user
    static list published as ``static-properties``).  Such a result is
    reported as ``projected``, counted apart from ``passed``, so that nobody
    mistakes it for a test of the capability the implementation lacks.

    ``observes`` names the only keys of ``value`` the implementation's
    behaviour could show (uv: an install shows whether a filename is taken
    for a wheel, not how it was parsed).  A case whose expectation compares
    another key is then skipped with that reason, never failed or passed.
    ``None``: everything the op defines.
    """

    value: Mapping[str, Any]
    projection: str | None = None
    observes: frozenset[str] | None = None


@dataclass(frozen=True)
class Skipped:
    """The adapter deliberately did not run the case; ``reason`` says why."""

    reason: str


@dataclass(frozen=True)
class Errored:
    """The adapter or its harness broke; ``context`` helps whoever fixes it."""

    context: str


#: What :meth:`Adapter.run` returns.
Outcome = Result | Skipped | Errored


@runtime_checkable
class Adapter(Protocol):
    """An implementation under test.

    Implementations need not inherit from this class; having the two methods
    is enough.  One instance serves a whole pytest session (or one xdist
    worker) and may keep state such as a subprocess.  An optional ``close()``
    method, if present, is called at the end of the session.
    """

    def info(self) -> AdapterInfo:
        """Describe the implementation.  Called once per session, before any case."""
        ...

    def run(self, op: str, input: Mapping[str, Any], workspace: Workspace) -> Outcome:
        """Run one case.

        :param op: one of :data:`OPS`.
        :param input: the case's ``input`` exactly as in the case file.
        :param workspace: the fixtures and a fresh temporary directory.
        :returns: :class:`Result`, :class:`Skipped` or :class:`Errored`.
            Must not raise; the plugin turns an escaping exception into an
            adapter error anyway.
        """
        ...
