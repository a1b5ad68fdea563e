"""Issue 10, class 8: a ``command:`` harness that stops answering fails the remaining cases fast.

Was: every remaining case waited the full per-message timeout (120 s; 17 hours
for the suite), and the harness's children outlived it. Now the default is
lower, the harness's whole process group is killed when it fails, and after
``MAX_STRIKES`` cases in a row without a reply (or a failed restart) the
harness is dead: the remaining cases are errored at once.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from conformance.adapters import command
from conformance.adapters.base import Errored, Result, Workspace
from conformance.adapters.command import DEFAULT_TIMEOUT, MAX_STRIKES, CommandAdapter, HarnessError
from tests.test_hostile_plugins import wait_gone
from tests.test_protocol import START_OK, harness

pytest_plugins: list[str] = []


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return Workspace(fixtures=tmp_path, base_url=None, profiles=tmp_path, locks=tmp_path, tmp=tmp_path)


REPLY = (
    "def reply(seq):\n"
    "    print(json.dumps({'seq': seq, 'result': {'valid': True}}), flush=True)\n"
)


def test_default_timeout_is_lower() -> None:
    assert DEFAULT_TIMEOUT <= 30 and CommandAdapter(["true"]).timeout == DEFAULT_TIMEOUT
    for bad in ("nan", "inf", "0", "-1", "soon"):
        with pytest.raises(HarnessError, match="timeout"):
            CommandAdapter(["true"], options={"timeout": bad})


def test_dead_harness_fails_the_remaining_cases_fast(tmp_path: Path, workspace: Workspace) -> None:
    adapter = CommandAdapter(harness(tmp_path, START_OK + "time.sleep(600)\n"), options={"timeout": "1"})
    started = time.monotonic()
    outcomes = [adapter.run("filename", {"filename": "a"}, workspace) for _ in range(20)]
    elapsed = time.monotonic() - started
    adapter.close()
    assert all(isinstance(o, Errored) for o in outcomes)
    assert [("no reply" in o.context) for o in outcomes[:MAX_STRIKES]] == [True] * MAX_STRIKES  # type: ignore[union-attr]
    assert all("the harness is dead" in o.context for o in outcomes[MAX_STRIKES:])  # type: ignore[union-attr]
    assert elapsed < MAX_STRIKES * 1 + 8  # was: 20 cases x the timeout


def test_timeout_kills_the_harness_process_group(tmp_path: Path, workspace: Workspace) -> None:
    pidfile = tmp_path / "child.pid"
    body = START_OK + (
        "import subprocess\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
        f"open({str(pidfile)!r}, 'w').write(str(child.pid))\n"
        "time.sleep(600)\n"
    )
    adapter = CommandAdapter(harness(tmp_path, body), options={"timeout": "2"})
    outcome = adapter.run("filename", {"filename": "a"}, workspace)
    assert isinstance(outcome, Errored) and "no reply" in outcome.context
    assert wait_gone(int(pidfile.read_text()))  # the harness's child died with it
    adapter.close()


def test_children_left_at_the_end_are_killed(tmp_path: Path, workspace: Workspace) -> None:
    pidfile = tmp_path / "child.pid"
    body = START_OK + REPLY + (
        "import subprocess\n"
        "for line in sys.stdin:\n"
        "    message = json.loads(line)\n"
        "    if message['cmd'] == 'stop':\n"
        "        break\n"
        "    child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'],\n"
        "                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        f"    open({str(pidfile)!r}, 'w').write(str(child.pid))\n"
        "    reply(message['seq'])\n"
    )
    adapter = CommandAdapter(harness(tmp_path, body), options={"timeout": "10"})
    assert isinstance(adapter.run("filename", {"filename": "a"}, workspace), Result)
    adapter.close()
    assert wait_gone(int(pidfile.read_text()))


def test_failed_restart_declares_the_harness_dead(tmp_path: Path, workspace: Workspace) -> None:
    starts = tmp_path / "starts"
    body = f"open({str(starts)!r}, 'a').write('x')\n" + "sys.stdin.readline()\nsys.exit(1)\n"
    adapter = CommandAdapter(harness(tmp_path, body), options={"timeout": "5"})
    outcomes = [adapter.run("filename", {"filename": "a"}, workspace) for _ in range(5)]
    assert all(isinstance(o, Errored) for o in outcomes)
    assert "dead" in outcomes[-1].context  # type: ignore[union-attr]
    assert starts.read_text() == "x"  # started once, not once per case
    adapter.close()


def test_one_crash_is_forgiven(tmp_path: Path, workspace: Workspace) -> None:
    # the control: a harness that crashes once and then answers is restarted and used
    flag = tmp_path / "crashed"
    body = START_OK + REPLY + (
        "line = sys.stdin.readline()\n"
        f"if not os.path.exists({str(flag)!r}):\n"
        f"    open({str(flag)!r}, 'w').close()\n"
        "    sys.exit(3)\n"
        "reply(json.loads(line)['seq'])\n"
        "while (line := sys.stdin.readline()) and json.loads(line)['cmd'] == 'run':\n"
        "    reply(json.loads(line)['seq'])\n"
    )
    adapter = CommandAdapter(harness(tmp_path, "import os\n" + body), options={"timeout": "10"})
    first = adapter.run("filename", {"filename": "a"}, workspace)
    rest = [adapter.run("filename", {"filename": "a"}, workspace) for _ in range(3)]
    adapter.close()
    assert isinstance(first, Errored) and all(isinstance(o, Result) for o in rest)


def test_endless_line_is_cut(tmp_path: Path, workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(command, "MAX_LINE_CHARACTERS", 1000)
    body = START_OK + "sys.stdin.readline()\nprint('{\"seq\": 1, ' + ' ' * 100000 + '}', flush=True)\n"
    adapter = CommandAdapter(harness(tmp_path, body), options={"timeout": "10"})
    outcome = adapter.run("filename", {"filename": "a"}, workspace)
    adapter.close()
    assert isinstance(outcome, Errored) and "non-JSON" in outcome.context
    assert os.path.exists(tmp_path)
