"""The JSON-lines protocol, version 1: the adapter interface as messages.

A harness is a program that reads one JSON object per line on stdin and writes
one JSON object per line on stdout (UTF-8, no pretty-printing).  The suite
sends three commands, in this order (shapes in ``schemas/protocol-v1.schema.json``):

``{"cmd": "start", "version": 1, "extensions": [...]}``
    Handshake.  Reply ``{"version": 1, "implementation": {"name", "version",
    "capabilities": [...], "schema_versions": [...]}}``.  A harness that does
    not speak the requested version replies ``{"error": "..."}`` and exits.
``{"cmd": "run", "seq": N, "op": OP, "input": {...}, "workspace": {...}}``
    One case.  Reply with the same ``seq`` and exactly one of
    ``{"seq": N, "result": {...}}``, ``{"seq": N, "skipped": {"reason": "..."}}``
    or ``{"seq": N, "errored": {"context": "..."}}``.
``{"cmd": "stop"}``
    No reply; the harness exits with status 0.

Version 1 grows only by optional fields, so the handshake's version stays 1:
a harness that knows none of them works unchanged, and each side ignores
fields it does not know.  ``start`` lists the :data:`EXTENSIONS` the suite
reads and sends (absent: none).  They carry the rest of the adapter interface:
``implementation.indirect`` and ``implementation.limitations`` (of
:class:`~conformance.adapters.base.AdapterInfo`), the workspace's ``clauses``,
and ``projection`` and ``observes`` beside a ``result`` (of
:class:`~conformance.adapters.base.Result`).  A harness whose result needs an
extension the suite did not list must not send it as a plain result:
:func:`serve` answers ``skipped`` instead, so an older suite never counts a
projected result as a pass.

Anything the harness writes to stderr is kept and shown when it errs.  The
in-process adapters (:mod:`conformance.adapters.base`) carry the same data as
dataclasses; this module converts between the two.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import IO, Any

from conformance.adapters.base import (
    OPS,
    Adapter,
    AdapterInfo,
    Errored,
    Outcome,
    Result,
    Skipped,
    Workspace,
)

__all__ = [
    "EXTENSIONS",
    "MAX_LINE_CHARACTERS",
    "PROTOCOL_VERSION",
    "ProtocolError",
    "declared_options",
    "info_from_json",
    "info_to_json",
    "outcome_from_json",
    "outcome_to_json",
    "run_request",
    "serve",
    "start_request",
    "stop_request",
    "within",
    "workspace_from_json",
    "workspace_to_json",
]

#: The protocol version this module speaks.
PROTOCOL_VERSION = 1

#: The optional fields of version 1 this suite reads and sends, listed in ``start``.
EXTENSIONS = ("clauses", "indirect", "limitations", "observes", "projection")
#: The longest message line read from a harness (64 Mi characters); a longer one is cut and fails as JSON.
MAX_LINE_CHARACTERS = 64 * 1024 * 1024


class ProtocolError(ValueError):
    """A message does not have the shape protocol version 1 requires."""


def start_request() -> dict[str, Any]:
    """The handshake the suite sends first, with the extensions it understands."""
    return {"cmd": "start", "version": PROTOCOL_VERSION, "extensions": list(EXTENSIONS)}


def stop_request() -> dict[str, Any]:
    """The last message the suite sends."""
    return {"cmd": "stop"}


def run_request(seq: int, op: str, input: Mapping[str, Any], workspace: Workspace) -> dict[str, Any]:
    """The message asking a harness to run one case."""
    return {
        "cmd": "run",
        "seq": seq,
        "op": op,
        "input": dict(input),
        "workspace": workspace_to_json(workspace),
    }


def workspace_to_json(workspace: Workspace) -> dict[str, Any]:
    """A :class:`Workspace` as JSON (paths as absolute strings)."""
    return {
        "fixtures": str(workspace.fixtures),
        "base_url": workspace.base_url,
        "profiles": str(workspace.profiles),
        "locks": str(workspace.locks),
        "tmp": str(workspace.tmp),
        "options": dict(workspace.options),
        "requires": sorted(workspace.requires),
        "clauses": list(workspace.clauses),
    }


def workspace_from_json(data: Any) -> Workspace:
    """The inverse of :func:`workspace_to_json`.

    :raises ProtocolError: *data* is not a workspace object.
    """
    obj = _object(data, "workspace")
    try:
        base_url = obj.get("base_url")
        if base_url is not None and not isinstance(base_url, str):
            raise TypeError("base_url")
        options = obj.get("options", {})
        if not isinstance(options, dict) or not all(isinstance(v, str) for v in options.values()):
            raise TypeError("options")
        requires = _strings(obj, "requires")
        return Workspace(
            fixtures=Path(_string(obj, "fixtures")),
            base_url=base_url,
            profiles=Path(_string(obj, "profiles")),
            locks=Path(_string(obj, "locks")),
            tmp=Path(_string(obj, "tmp")),
            options=dict(options),
            requires=frozenset(requires),
            clauses=tuple(_strings(obj, "clauses")),
        )
    except (KeyError, TypeError) as exc:
        raise ProtocolError(f"workspace: bad or missing field {exc}") from None


def info_to_json(info: AdapterInfo) -> dict[str, Any]:
    """The ``implementation`` object of the handshake reply (extensions only when used)."""
    impl: dict[str, Any] = {
        "name": info.name,
        "version": info.version,
        "capabilities": sorted(info.capabilities),
        "schema_versions": list(info.schema_versions),
    }
    if info.indirect:
        impl["indirect"] = sorted(info.indirect)
    if info.limitations:
        impl["limitations"] = dict(info.limitations)
    return impl


def declared_options(reply: Any) -> dict[str, str]:
    """The adapter options a harness reads, from its start reply's ``implementation.options``.

    Either a list of names or an object ``{name: what it does}``; absent: none.
    :raises ProtocolError: it is neither.
    """
    impl = reply.get("implementation") if isinstance(reply, Mapping) else None
    options = impl.get("options") if isinstance(impl, Mapping) else None
    if options is None:
        return {}
    if isinstance(options, list) and all(isinstance(o, str) for o in options):
        return dict.fromkeys(options, "")
    if isinstance(options, Mapping) and all(isinstance(v, str) for v in options.values()):
        return {str(k): v for k, v in options.items()}
    raise ProtocolError("implementation: 'options' must be a list of names or an object of descriptions")


def info_from_json(reply: Any) -> AdapterInfo:
    """Read the handshake reply ``{"version": 1, "implementation": {...}}``.

    :raises ProtocolError: the reply is malformed, an error, or another version.
    """
    obj = _object(reply, "start reply")
    if "error" in obj:
        raise ProtocolError(f"the harness refused to start: {obj['error']}")
    if obj.get("version") != PROTOCOL_VERSION:
        raise ProtocolError(
            f"the harness speaks protocol version {obj.get('version')!r}, the suite {PROTOCOL_VERSION}"
        )
    impl = _object(obj.get("implementation"), "implementation")
    try:
        caps = impl["capabilities"]
        schemas = impl.get("schema_versions", ["0.1.1", "0.2.0"])
        if not isinstance(caps, list) or not all(isinstance(c, str) for c in caps):
            raise TypeError("capabilities")
        if not isinstance(schemas, list) or not all(isinstance(s, str) for s in schemas):
            raise TypeError("schema_versions")
        limitations = impl.get("limitations", {})
        if not isinstance(limitations, dict) or not all(isinstance(v, str) for v in limitations.values()):
            raise TypeError("limitations")
        return AdapterInfo(
            name=_string(impl, "name"),
            version=_string(impl, "version"),
            capabilities=frozenset(caps),
            schema_versions=tuple(schemas),
            indirect=frozenset(_strings(impl, "indirect")),
            limitations=dict(limitations),
        )
    except (KeyError, TypeError) as exc:
        raise ProtocolError(f"implementation: bad or missing field {exc}") from None


def outcome_to_json(seq: int, outcome: Outcome) -> dict[str, Any]:
    """The reply to ``run`` number *seq* (``projection`` and ``observes`` only when set)."""
    if isinstance(outcome, Result):
        reply: dict[str, Any] = {"seq": seq, "result": dict(outcome.value)}
        if outcome.projection:
            reply["projection"] = outcome.projection
        if outcome.observes is not None:
            reply["observes"] = sorted(outcome.observes)
        return reply
    if isinstance(outcome, Skipped):
        return {"seq": seq, "skipped": {"reason": outcome.reason}}
    return {"seq": seq, "errored": {"context": outcome.context}}


def outcome_from_json(reply: Any, seq: int) -> Outcome:
    """Read the reply to ``run`` number *seq*.

    :raises ProtocolError: wrong ``seq``, or not exactly one outcome of the right shape.
    """
    obj = _object(reply, "run reply")
    if obj.get("seq") != seq:
        raise ProtocolError(f"expected a reply with seq {seq}, got seq {obj.get('seq')!r}")
    kinds = [k for k in ("result", "skipped", "errored") if k in obj]
    if len(kinds) != 1:
        raise ProtocolError(f"a run reply needs exactly one of result/skipped/errored, got {kinds}")
    body = obj[kinds[0]]
    if kinds[0] == "result":
        return _result(obj)
    if "projection" in obj or "observes" in obj:
        raise ProtocolError(f"projection and observes go with a result, not with {kinds[0]}")
    inner = _object(body, kinds[0])
    try:
        if kinds[0] == "skipped":
            return Skipped(_string(inner, "reason"))
        return Errored(_string(inner, "context"))
    except (KeyError, TypeError) as exc:
        raise ProtocolError(f"{kinds[0]}: bad or missing field {exc}") from None


def _result(reply: Mapping[str, Any]) -> Result:
    """The ``result`` of a run reply, with its ``projection`` and ``observes``."""
    value = _object(reply["result"], "result")
    projection = reply.get("projection")
    if projection is not None and (not isinstance(projection, str) or not projection):
        raise ProtocolError("projection: must be a non-empty string (or absent)")
    observes = reply.get("observes")
    if observes is not None and (
        not isinstance(observes, list) or not all(isinstance(key, str) for key in observes)
    ):
        raise ProtocolError("observes: must be a list of result keys (or absent)")
    return Result(value, projection, None if observes is None else frozenset(observes))


def within(outcome: Outcome, extensions: Collection[str]) -> Outcome:
    """*outcome* as a suite that reads only *extensions* may receive it.

    A result obtained on a projected form of the case, or one that shows only
    some keys, becomes :class:`Skipped` for a suite that would not know it:
    it would count the first as a pass and judge the second on keys it cannot show.
    """
    if not isinstance(outcome, Result):
        return outcome
    if outcome.projection and "projection" not in extensions:
        return Skipped(
            f"the result was obtained on a projected form of the case ({outcome.projection}); "
            "the suite does not read 'projection' (protocol extension), so it is not reported as a pass"
        )
    if outcome.observes is not None and "observes" not in extensions:
        return Skipped(
            f"the result shows only {', '.join(sorted(outcome.observes))}; the suite does not read "
            "'observes' (protocol extension), so it would judge keys the tool cannot show"
        )
    return outcome


def serve(adapter: Adapter, stdin: IO[str], stdout: IO[str]) -> int:
    """Answer the protocol on *stdin*/*stdout* with a Python *adapter*.

    This turns any in-process adapter into a harness (``command:python -m ...``).
    A result needing an extension the suite's ``start`` did not list is
    answered as ``skipped`` (:func:`within`).  Returns the exit status.
    """
    extensions: list[str] = []
    for line in _lines(stdin):
        try:
            message = json.loads(line)
        except json.JSONDecodeError as exc:
            _send(stdout, {"error": f"not JSON: {exc}"})
            return 1
        cmd = message.get("cmd") if isinstance(message, dict) else None
        if cmd == "start":
            if message.get("version") != PROTOCOL_VERSION:
                _send(stdout, {"error": f"unsupported protocol version {message.get('version')!r}"})
                return 1
            offered = message.get("extensions")
            extensions = list(offered) if _is_strings(offered) else []
            options = dict(getattr(adapter, "OPTIONS", {}))
            implementation = {**info_to_json(adapter.info()), "options": options}
            _send(stdout, {"version": PROTOCOL_VERSION, "implementation": implementation})
        elif cmd == "run":
            seq = message.get("seq")
            if not isinstance(seq, int):
                _send(stdout, {"error": "run without an integer seq"})
                return 1
            outcome: Outcome
            try:
                op = message["op"]
                if op not in OPS:
                    raise ProtocolError(f"unknown op {op!r}")
                outcome = adapter.run(op, message["input"], workspace_from_json(message["workspace"]))
            except Exception as exc:
                outcome = Errored(f"{type(exc).__name__}: {exc}")
            _send(stdout, outcome_to_json(seq, within(outcome, extensions)))
        elif cmd == "stop":
            return 0
        else:
            _send(stdout, {"error": f"unknown command {cmd!r}"})
            return 1
    return 0


def _lines(stream: IO[str]) -> Iterable[str]:
    while True:
        line = stream.readline()
        if not line:
            return
        if line.strip():
            yield line


def _send(stdout: IO[str], message: Mapping[str, Any]) -> None:
    stdout.write(json.dumps(message, sort_keys=True) + "\n")
    stdout.flush()


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ProtocolError(f"{what} must be a JSON object, got {type(value).__name__}")
    return value


def _string(obj: Mapping[str, Any], key: str) -> str:
    value = obj[key]
    if not isinstance(value, str):
        raise TypeError(key)
    return value


def _strings(obj: Mapping[str, Any], key: str) -> list[str]:
    """The optional list of strings *key* of *obj* (absent: empty)."""
    value = obj.get(key, [])
    if not _is_strings(value):
        raise TypeError(key)
    return list(value)


def _is_strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)
