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
        clauses=("pep825:null-label", "pep825:label-charset"),
    )


#: An adapter info and results using every optional field of version 1.
EXTENDED_INFO = AdapterInfo(
    "x", "1", frozenset({"filename"}), ("0.1.1",),
    indirect=frozenset({"validate", "providers.user-static"}),
    limitations={"markers": "no variant markers", "validate": "only through an install"},
)
EXTENDED_RESULTS = (
    Result({"selected": "a.whl"}, projection="user list as static-properties"),
    Result({"valid": True}, observes=frozenset({"valid"})),
    Result({"valid": True}, observes=frozenset()),
)


def test_schema_is_valid() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_messages_match_the_schema(workspace: Workspace) -> None:
    info = AdapterInfo("x", "1", frozenset({"filename", "hardware.nvidia"}))
    valid(protocol.start_request())
    valid({"version": 1, "implementation": protocol.info_to_json(info)})
    valid(protocol.run_request(1, "filename", {"filename": "a.whl"}, workspace))
    for outcome in (Result({"valid": True}), Skipped("no"), Errored("bad"), *EXTENDED_RESULTS):
        valid(protocol.outcome_to_json(3, outcome))
    valid({"version": 1, "implementation": protocol.info_to_json(EXTENDED_INFO)})
    valid(protocol.stop_request())
    with pytest.raises(jsonschema.ValidationError):  # two outcomes in one reply
        valid({"seq": 1, "result": {}, "skipped": {"reason": "x"}})
    with pytest.raises(jsonschema.ValidationError):  # projection goes with a result only
        valid({"seq": 1, "skipped": {"reason": "x"}, "projection": "y"})


def test_round_trips(workspace: Workspace) -> None:
    info = AdapterInfo("x", "1", frozenset({"filename"}), ("0.1.1",))
    assert protocol.info_from_json({"version": 1, "implementation": protocol.info_to_json(info)}) == info
    assert protocol.workspace_from_json(protocol.workspace_to_json(workspace)) == workspace
    for outcome in (Result({"valid": True}), Skipped("no"), Errored("bad"), *EXTENDED_RESULTS):
        assert protocol.outcome_from_json(protocol.outcome_to_json(7, outcome), 7) == outcome
    extended = {"version": 1, "implementation": protocol.info_to_json(EXTENDED_INFO)}
    assert protocol.info_from_json(extended) == EXTENDED_INFO


def test_messages_without_the_extensions_read_as_before(workspace: Workspace) -> None:
    # A harness written before the extensions: its messages mean what they meant.
    old_reply = {"version": 1, "implementation": {"name": "h", "version": "0", "capabilities": ["filename"]}}
    info = protocol.info_from_json(old_reply)
    assert (info.indirect, dict(info.limitations)) == (frozenset(), {})
    assert protocol.outcome_from_json({"seq": 1, "result": {"valid": True}}, 1) == Result({"valid": True})
    old_workspace = protocol.workspace_to_json(workspace)
    del old_workspace["clauses"], old_workspace["requires"]
    assert protocol.workspace_from_json(old_workspace).clauses == ()
    # ... and an adapter using none of them sends exactly the fields of before.
    plain = protocol.info_to_json(AdapterInfo("x", "1", frozenset({"filename"})))
    assert set(plain) == {"name", "version", "capabilities", "schema_versions"}
    assert set(protocol.outcome_to_json(1, Result({"valid": True}))) == {"seq", "result"}


def test_the_suite_lists_its_extensions_in_the_handshake() -> None:
    start = protocol.start_request()
    assert start["version"] == 1  # additions only: the version a harness checks is unchanged
    assert set(start["extensions"]) == {"clauses", "indirect", "limitations", "observes", "projection"}


@pytest.mark.parametrize(
    "reply",
    [
        {"seq": 2, "result": {}},  # wrong seq
        {"seq": 1},  # no outcome
        {"seq": 1, "result": {}, "errored": {"context": "x"}},  # two outcomes
        {"seq": 1, "skipped": {}},  # no reason
        [1, 2],  # not an object
        {"seq": 1, "result": {}, "projection": ""},  # an empty projection says nothing
        {"seq": 1, "result": {}, "projection": ["x"]},
        {"seq": 1, "result": {}, "observes": "valid"},  # not a list
        {"seq": 1, "result": {}, "observes": [1]},
        {"seq": 1, "skipped": {"reason": "x"}, "observes": ["valid"]},  # extensions go with a result
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
    base = {"name": "x", "version": "1", "capabilities": []}
    for bad in ({"indirect": "validate"}, {"indirect": [1]}, {"limitations": {"markers": 1}},
                {"limitations": ["markers"]}):
        with pytest.raises(protocol.ProtocolError, match=next(iter(bad))):
            protocol.info_from_json({"version": 1, "implementation": {**base, **bad}})


def test_bad_workspace_clauses(workspace: Workspace) -> None:
    message = {**protocol.workspace_to_json(workspace), "clauses": "pep825:null-label"}
    with pytest.raises(protocol.ProtocolError, match="clauses"):
        protocol.workspace_from_json(message)


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


class Projecting:
    """An adapter whose result is projected (``proj-``) or shows validity only (``valid-``)."""

    def info(self) -> AdapterInfo:
        return EXTENDED_INFO

    def run(self, op: str, input: Any, workspace: Workspace) -> Result:
        assert workspace.clauses == ("pep825:null-label", "pep825:label-charset")
        if input["filename"].startswith("proj-"):
            return Result({"valid": True}, projection="asked in another form")
        return Result({"valid": True}, observes=frozenset({"valid"}))


def serve_replies(start: dict[str, Any], workspace: Workspace) -> list[dict[str, Any]]:
    lines = [
        start,
        protocol.run_request(1, "filename", {"filename": "proj-1.0-py3-none-any.whl"}, workspace),
        protocol.run_request(2, "filename", {"filename": "valid-1.0-py3-none-any.whl"}, workspace),
        protocol.stop_request(),
    ]
    stdin, stdout = io.StringIO("".join(json.dumps(m) + "\n" for m in lines)), io.StringIO()
    assert protocol.serve(Projecting(), stdin, stdout) == 0
    replies = [json.loads(line) for line in stdout.getvalue().splitlines()]
    for reply in replies:
        valid(reply)
    return replies


def test_serve_sends_the_extensions_the_suite_lists(workspace: Workspace) -> None:
    start, proj, only_valid = serve_replies(protocol.start_request(), workspace)
    assert start["implementation"]["indirect"] == ["providers.user-static", "validate"]
    assert start["implementation"]["limitations"]["markers"] == "no variant markers"
    assert proj == {"seq": 1, "result": {"valid": True}, "projection": "asked in another form"}
    assert only_valid == {"seq": 2, "result": {"valid": True}, "observes": ["valid"]}


def test_serve_never_hands_an_older_suite_a_result_it_would_misread(workspace: Workspace) -> None:
    # A suite that lists no extensions would count a projected result as a pass, and
    # judge keys a result cannot show: the harness side skips such results instead.
    _, proj, only_valid = serve_replies({"cmd": "start", "version": 1}, workspace)
    assert "projection" not in proj and "does not read 'projection'" in proj["skipped"]["reason"]
    assert "observes" not in only_valid and "does not read 'observes'" in only_valid["skipped"]["reason"]
    _, proj, only_valid = serve_replies({**protocol.start_request(), "extensions": ["projection"]}, workspace)
    assert proj["projection"] == "asked in another form" and "skipped" in only_valid


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
