"""The JSON-lines protocol (version 1) and the ``command:`` transport.

Messages are checked against ``schemas/protocol-v1.schema.json``; the
transport is exercised with real subprocesses: the example harness, and small
broken harnesses (non-JSON output, early exit, silence, wrong version).
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conformance import protocol
from conformance.adapters.base import AdapterInfo, Errored, Result, Skipped, Workspace
from conformance.adapters.command import CommandAdapter, HarnessError
from conformance.adapters.reference import ReferenceAdapter

SCHEMA = json.loads((Path(__file__).parent.parent / "schemas" / "protocol-v1.schema.json").read_text())


def valid(message: Any) -> None:
    jsonschema.Draft202012Validator(SCHEMA).validate(message)


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return Workspace(
        fixtures=tmp_path / "fx",
        base_url=None,
        profiles=tmp_path / "profiles",
        locks=tmp_path / "locks",
        tmp=tmp_path,
        options={"k": "v"},
        requires=frozenset({"filename"}),
    )


def test_schema_is_valid() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_messages_match_the_schema(workspace: Workspace) -> None:
    info = AdapterInfo("x", "1", frozenset({"filename", "hardware.nvidia"}))
    valid(protocol.start_request())
    valid({"version": 1, "implementation": protocol.info_to_json(info)})
    valid(protocol.run_request(1, "filename", {"filename": "a.whl"}, workspace))
    for outcome in (Result({"valid": True}), Skipped("no"), Errored("bad")):
        valid(protocol.outcome_to_json(3, outcome))
    valid(protocol.stop_request())
    with pytest.raises(jsonschema.ValidationError):  # two outcomes in one reply
        valid({"seq": 1, "result": {}, "skipped": {"reason": "x"}})


def test_round_trips(workspace: Workspace) -> None:
    info = AdapterInfo("x", "1", frozenset({"filename"}), ("0.1.1",))
    assert protocol.info_from_json({"version": 1, "implementation": protocol.info_to_json(info)}) == info
    assert protocol.workspace_from_json(protocol.workspace_to_json(workspace)) == workspace
    for outcome in (Result({"valid": True}), Skipped("no"), Errored("bad")):
        assert protocol.outcome_from_json(protocol.outcome_to_json(7, outcome), 7) == outcome


@pytest.mark.parametrize(
    "reply",
    [
        {"seq": 2, "result": {}},  # wrong seq
        {"seq": 1},  # no outcome
        {"seq": 1, "result": {}, "errored": {"context": "x"}},  # two outcomes
        {"seq": 1, "skipped": {}},  # no reason
        [1, 2],  # not an object
    ],
)
def test_bad_run_replies(reply: Any) -> None:
    with pytest.raises(protocol.ProtocolError):
        protocol.outcome_from_json(reply, 1)


def test_bad_start_replies() -> None:
    with pytest.raises(protocol.ProtocolError, match="version"):
        protocol.info_from_json({"version": 2, "implementation": {}})
    with pytest.raises(protocol.ProtocolError, match="refused"):
        protocol.info_from_json({"error": "too old"})
    with pytest.raises(protocol.ProtocolError):
        protocol.info_from_json({"version": 1, "implementation": {"name": "x"}})


def test_serve_answers_the_protocol(workspace: Workspace) -> None:
    lines = [
        protocol.start_request(),
        protocol.run_request(1, "filename", {"filename": "pkg-1.0-py3-none-any-null.whl"}, workspace),
        protocol.run_request(2, "filename", {"filename": "pkg-1.0-py3-none-any-BAD!.whl"}, workspace),
        protocol.stop_request(),
    ]
    stdin = io.StringIO("".join(json.dumps(m) + "\n" for m in lines))
    stdout = io.StringIO()
    assert protocol.serve(ReferenceAdapter(), stdin, stdout) == 0
    replies = [json.loads(line) for line in stdout.getvalue().splitlines()]
    for reply in replies:
        valid(reply)
    assert replies[0]["implementation"]["name"] == "reference"
    assert replies[1]["result"]["parsed"]["variant_label"] == "null"
    # PEP 825 'Variant label': labels are lowercase letters, digits and underscores.
    assert replies[2]["result"]["valid"] is False
    assert "pep825:label-charset" in replies[2]["result"]["clauses"]


def test_serve_refuses_another_version() -> None:
    stdout = io.StringIO()
    assert protocol.serve(ReferenceAdapter(), io.StringIO('{"cmd": "start", "version": 2}\n'), stdout) == 1
    assert "error" in json.loads(stdout.getvalue())


# -- the command transport, with real subprocesses ---------------------------------------------
def test_command_adapter_with_the_example_harness(workspace: Workspace) -> None:
    adapter = CommandAdapter([sys.executable, "-m", "conformance.harness_example"])
    try:
        info = adapter.info()
        assert info.name == "reference-via-command" and "filename" in info.capabilities
        outcome = adapter.run("filename", {"filename": "pkg-1.0-py3-none-any-null.whl"}, workspace)
        assert isinstance(outcome, Result) and outcome.value["valid"] is True
        outcome = adapter.run("filename", {"filename": "pkg-1.0-1-py3-none-any.whl"}, workspace)
        assert isinstance(outcome, Result)
    finally:
        adapter.close()


def harness(tmp_path: Path, body: str) -> list[str]:
    script = tmp_path / "harness.py"
    script.write_text("import json, sys, time\n" + body)
    return [sys.executable, str(script)]


START_OK = (
    "line = sys.stdin.readline()\n"
    "print(json.dumps({'version': 1, 'implementation': {'name': 'h', 'version': '0', "
    "'capabilities': ['filename']}}), flush=True)\n"
)


def test_harness_printing_garbage_is_an_adapter_error(tmp_path: Path, workspace: Workspace) -> None:
    adapter = CommandAdapter(
        harness(tmp_path, START_OK + "sys.stdin.readline()\nprint('oops', flush=True)\n")
    )
    outcome = adapter.run("filename", {"filename": "a"}, workspace)
    assert isinstance(outcome, Errored) and "non-JSON" in outcome.context
    adapter.close()


def test_harness_exiting_is_an_adapter_error_with_stderr(tmp_path: Path, workspace: Workspace) -> None:
    body = START_OK + "sys.stdin.readline()\nsys.stderr.write('segfault-ish\\n')\nsys.exit(3)\n"
    adapter = CommandAdapter(harness(tmp_path, body))
    outcome = adapter.run("filename", {"filename": "a"}, workspace)
    assert isinstance(outcome, Errored)
    assert "exited" in outcome.context and "segfault-ish" in outcome.context
    adapter.close()


def test_silent_harness_times_out(tmp_path: Path, workspace: Workspace) -> None:
    adapter = CommandAdapter(harness(tmp_path, START_OK + "time.sleep(30)\n"), options={"timeout": "0.5"})
    outcome = adapter.run("filename", {"filename": "a"}, workspace)
    assert isinstance(outcome, Errored) and "no reply within" in outcome.context
    adapter.close()


def test_handshake_failures(tmp_path: Path) -> None:
    refusing = harness(
        tmp_path, "sys.stdin.readline()\nprint(json.dumps({'error': 'v2 only'}), flush=True)\n"
    )
    with pytest.raises(HarnessError, match="v2 only"):
        CommandAdapter(refusing).info()
    with pytest.raises(HarnessError, match="cannot start"):
        CommandAdapter([str(tmp_path / "does-not-exist")]).info()
