"""The JSON-lines subprocess transport: ``--adapter command:./my-harness``.

:class:`CommandAdapter` starts the harness once per session (per xdist worker),
performs the ``start`` handshake, sends one ``run`` per case and ``stop`` at the
end (:mod:`conformance.protocol`).  Everything that goes wrong on the wire — the
harness cannot be started, exits, times out, writes something that is not the
expected JSON — becomes :class:`~conformance.adapters.base.Errored` (or, during
the handshake, a :class:`HarnessError`), never a pass.  After a crash or a
timeout the harness is restarted for the next case.

Adapter options: ``timeout`` (seconds per message, default 120).
"""

from __future__ import annotations

import collections
import json
import queue
import subprocess
import threading
from collections.abc import Mapping, Sequence
from typing import IO, Any

from conformance.adapters.base import AdapterInfo, Errored, Outcome, Workspace
from conformance.protocol import (
    ProtocolError,
    info_from_json,
    outcome_from_json,
    run_request,
    start_request,
    stop_request,
)

__all__ = ["CommandAdapter", "HarnessError"]


class HarnessError(RuntimeError):
    """The harness could not be started or failed its handshake."""


class CommandAdapter:
    """An adapter that is a subprocess speaking protocol version 1.

    :param argv: the program and its arguments.
    :param options: adapter options; ``timeout`` is used here, all of them are
        passed on to the harness in every ``run`` message's workspace.
    """

    def __init__(self, argv: Sequence[str], options: Mapping[str, str] | None = None) -> None:
        self.argv = list(argv)
        self.options = dict(options or {})
        self.timeout = float(self.options.get("timeout", "120"))
        self._proc: subprocess.Popen[str] | None = None
        self._stdout: queue.Queue[str | None] = queue.Queue()
        self._stderr: collections.deque[str] = collections.deque(maxlen=50)
        self._info: AdapterInfo | None = None
        self._seq = 0

    # -- the Adapter interface -------------------------------------------------
    def info(self) -> AdapterInfo:
        """Start the harness (if needed) and return its handshake reply."""
        if self._info is None or self._proc is None:
            self._info = self._start()
        return self._info

    def run(self, op: str, input: Mapping[str, Any], workspace: Workspace) -> Outcome:
        """Send one ``run`` message and read its reply."""
        try:
            self.info()
        except HarnessError as exc:
            return Errored(str(exc))
        self._seq += 1
        seq = self._seq
        try:
            reply = self._exchange(run_request(seq, op, input, workspace))
            return outcome_from_json(reply, seq)
        except (HarnessError, ProtocolError) as exc:
            self._kill()
            return Errored(f"{exc}{self._stderr_tail()}")

    def close(self) -> None:
        """Send ``stop`` and wait for the harness to exit."""
        proc = self._proc
        if proc is None:
            return
        try:
            assert proc.stdin is not None
            proc.stdin.write(json.dumps(stop_request()) + "\n")
            proc.stdin.close()
            proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()
        self._proc = None

    # -- the wire --------------------------------------------------------------
    def _start(self) -> AdapterInfo:
        self._kill()
        self._stdout = queue.Queue()
        self._stderr.clear()
        try:
            proc = subprocess.Popen(
                self.argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                bufsize=1,
            )
        except OSError as exc:
            raise HarnessError(f"cannot start harness {self.argv!r}: {exc}") from exc
        self._proc = proc
        assert proc.stdout is not None and proc.stderr is not None
        threading.Thread(target=_pump, args=(proc.stdout, self._stdout.put), daemon=True).start()
        threading.Thread(target=_pump, args=(proc.stderr, self._stderr.append), daemon=True).start()
        try:
            return info_from_json(self._exchange(start_request()))
        except (HarnessError, ProtocolError) as exc:
            self._kill()
            raise HarnessError(f"handshake with {self.argv!r} failed: {exc}{self._stderr_tail()}") from exc

    def _exchange(self, message: Mapping[str, Any]) -> Any:
        proc = self._proc
        if proc is None or proc.stdin is None:
            raise HarnessError("the harness is not running")
        try:
            proc.stdin.write(json.dumps(message) + "\n")
            proc.stdin.flush()
        except OSError as exc:
            raise HarnessError(f"cannot write to the harness (exit status {proc.poll()}): {exc}") from exc
        try:
            line = self._stdout.get(timeout=self.timeout)
        except queue.Empty:
            raise HarnessError(f"no reply within {self.timeout:g} s") from None
        if line is None:
            proc.wait(timeout=5)
            raise HarnessError(f"the harness exited (status {proc.returncode}) without replying")
        try:
            return json.loads(line)
        except json.JSONDecodeError as exc:
            raise ProtocolError(f"the harness wrote a non-JSON line ({exc}): {line[:200]!r}") from None

    def _kill(self) -> None:
        proc, self._proc = self._proc, None
        self._info = None
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()

    def _stderr_tail(self) -> str:
        if not self._stderr:
            return ""
        return "\n--- harness stderr (last lines) ---\n" + "".join(self._stderr)


def _pump(stream: IO[str], put: Any) -> None:
    """Copy *stream* line by line to *put*; ``None`` marks the end (stdout only)."""
    for line in stream:
        if line.strip():
            put(line)
    if isinstance(getattr(put, "__self__", None), queue.Queue):
        put(None)
