"""The JSON-lines protocol, version 1: the adapter interface as messages.

A harness is a program that reads one JSON object per line on stdin and writes
one JSON object per line on stdout (UTF-8, no pretty-printing).  The suite
sends three commands, in this order (shapes in ``schemas/protocol-v1.schema.json``):

``{"cmd": "start", "version": 1}``
    Handshake.  Reply ``{"version": 1, "implementation": {"name", "version",
    "capabilities": [...], "schema_versions": [...]}}``.  A harness that does
    not speak the requested version replies ``{"error": "..."}`` and exits.
``{"cmd": "run", "seq": N, "op": OP, "input": {...}, "workspace": {...}}``
    One case.  Reply with the same ``seq`` and exactly one of
    ``{"seq": N, "result": {...}}``, ``{"seq": N, "skipped": {"reason": "..."}}``
    or ``{"seq": N, "errored": {"context": "..."}}``.
``{"cmd": "stop"}``
    No reply; the harness exits with status 0.

Anything the harness writes to stderr is kept and shown when it errs.  The
in-process adapters (:mod:`conformance.adapters.base`) carry the same data as
dataclasses; this module converts between the two.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
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
    "PROTOCOL_VERSION",
    "ProtocolError",
    "info_from_json",
    "info_to_json",
    "outcome_from_json",
    "outcome_to_json",
    "run_request",
    "serve",
    "start_request",
    "stop_request",
    "workspace_from_json",
    "workspace_to_json",
]

#: The protocol version this module speaks.
PROTOCOL_VERSION = 1


class ProtocolError(ValueError):
    """A message does not have the shape protocol version 1 requires."""


def start_request() -> dict[str, Any]:
    """The handshake the suite sends first."""
    return {"cmd": "start", "version": PROTOCOL_VERSION}


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
        requires = obj.get("requires", [])
        if not isinstance(requires, list) or not all(isinstance(r, str) for r in requires):
            raise TypeError("requires")
        return Workspace(
            fixtures=Path(_string(obj, "fixtures")),
            base_url=base_url,
            profiles=Path(_string(obj, "profiles")),
            locks=Path(_string(obj, "locks")),
            tmp=Path(_string(obj, "tmp")),
            options=dict(options),
            requires=frozenset(requires),
        )
    except (KeyError, TypeError) as exc:
        raise ProtocolError(f"workspace: bad or missing field {exc}") from None


def info_to_json(info: AdapterInfo) -> dict[str, Any]:
    """The ``implementation`` object of the handshake reply."""
    return {
        "name": info.name,
        "version": info.version,
        "capabilities": sorted(info.capabilities),
        "schema_versions": list(info.schema_versions),
    }


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
        return AdapterInfo(
            name=_string(impl, "name"),
            version=_string(impl, "version"),
            capabilities=frozenset(caps),
            schema_versions=tuple(schemas),
        )
    except (KeyError, TypeError) as exc:
        raise ProtocolError(f"implementation: bad or missing field {exc}") from None


def outcome_to_json(seq: int, outcome: Outcome) -> dict[str, Any]:
    """The reply to ``run`` number *seq*."""
    if isinstance(outcome, Result):
        return {"seq": seq, "result": dict(outcome.value)}
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
        return Result(_object(body, "result"))
    inner = _object(body, kinds[0])
    try:
        if kinds[0] == "skipped":
            return Skipped(_string(inner, "reason"))
        return Errored(_string(inner, "context"))
    except (KeyError, TypeError) as exc:
        raise ProtocolError(f"{kinds[0]}: bad or missing field {exc}") from None


def serve(adapter: Adapter, stdin: IO[str], stdout: IO[str]) -> int:
    """Answer the protocol on *stdin*/*stdout* with a Python *adapter*.

    This turns any in-process adapter into a harness (``command:python -m ...``).
    Returns the exit status.
    """
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
            _send(stdout, {"version": PROTOCOL_VERSION, "implementation": info_to_json(adapter.info())})
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
            _send(stdout, outcome_to_json(seq, outcome))
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
