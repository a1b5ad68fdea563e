"""A tiny JSON-lines harness: the reference, seen through the subprocess protocol.

Run the suite through it with::

    pytest conformance --adapter "command:python -m conformance.harness_example"

It is written out longhand (rather than calling :func:`conformance.protocol.serve`)
so that it reads as a template for a harness in any language: read a line,
answer a line, flush.  Replace ``run_case`` with calls into your own tool.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from conformance.adapters.base import Result, Skipped, Workspace
from conformance.adapters.reference import ReferenceAdapter

_REFERENCE = ReferenceAdapter()


def run_case(op: str, input: dict[str, Any], workspace: dict[str, Any]) -> dict[str, Any]:
    """Answer one ``run`` message: ``{"result": ...}``, ``{"skipped": ...}`` or ``{"errored": ...}``."""
    outcome = _REFERENCE.run(
        op,
        input,
        Workspace(
            fixtures=Path(workspace["fixtures"]),
            base_url=workspace["base_url"],
            profiles=Path(workspace["profiles"]),
            locks=Path(workspace["locks"]),
            tmp=Path(workspace["tmp"]),
            options=workspace.get("options", {}),
            requires=frozenset(workspace.get("requires", [])),
            clauses=tuple(workspace.get("clauses", [])),  # optional field: absent from older suites
        ),
    )
    if isinstance(outcome, Result):
        return {"result": dict(outcome.value)}
    if isinstance(outcome, Skipped):
        return {"skipped": {"reason": outcome.reason}}
    return {"errored": {"context": outcome.context}}


def main() -> int:
    """Serve the protocol on stdin/stdout until ``stop``."""
    for line in sys.stdin:
        if not line.strip():
            continue
        message = json.loads(line)
        if message["cmd"] == "start":
            if message["version"] != 1:
                reply: dict[str, Any] = {"error": "this harness speaks protocol version 1 only"}
            else:
                info = _REFERENCE.info()
                reply = {
                    "version": 1,
                    "implementation": {
                        "name": "reference-via-command",
                        "version": info.version,
                        "capabilities": sorted(info.capabilities),
                        "schema_versions": list(info.schema_versions),
                        # the --adapter-option keys this harness reads (none): any other is an error
                        "options": [],
                    },
                }
        elif message["cmd"] == "run":
            try:
                answer = run_case(message["op"], message["input"], message["workspace"])
            except Exception as exc:  # a crash is reported, never hidden
                answer = {"errored": {"context": f"{type(exc).__name__}: {exc}"}}
            reply = {"seq": message["seq"], **answer}
        elif message["cmd"] == "stop":
            return 0
        else:
            reply = {"error": f"unknown command {message['cmd']!r}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
