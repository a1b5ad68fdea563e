"""The JSON-lines subprocess transport: ``--adapter command:./my-harness``.

:class:`CommandAdapter` starts the harness once per session (per xdist worker),
performs the ``start`` handshake, sends one ``run`` per case and ``stop`` at the
end (:mod:`conformance.protocol`).  Everything that goes wrong on the wire — the
harness cannot be started, exits, times out, writes something that is not the
expected JSON — becomes :class:`~conformance.adapters.base.Errored` (or, during
the handshake, a :class:`HarnessError`), never a pass.

A harness that stops answering must not cost the per-message timeout on
every remaining case (at 120 s a message, 17 hours for the suite):

- the harness runs in its own process group (a new session); when it times
  out, crashes or breaks the protocol, the whole group is killed, its
  children included, and so is whatever it left behind when the session ends;
- after a crash or a timeout it is restarted for the next case, but after
  :data:`MAX_STRIKES` cases in a row without a reply, or a failed restart or
  handshake, it is declared dead: every remaining case is errored at once,
  saying why, without waiting.

Adapter options: ``timeout`` (seconds per message, default
:data:`DEFAULT_TIMEOUT`).
"""

from __future__ import annotations

import collections
import contextlib
import json
import math
import os
import queue
import signal
import subprocess
import threading
from collections.abc import Mapping, Sequence
from typing import IO, Any

from conformance.adapters.base import AdapterInfo, Errored, Outcome, Workspace
from conformance.protocol import (
    MAX_LINE_CHARACTERS,
    ProtocolError,
    declared_options,
    info_from_json,
    outcome_from_json,
    run_request,
    start_request,
    stop_request,
)

__all__ = ["DEFAULT_TIMEOUT", "MAX_STRIKES", "CommandAdapter", "HarnessError"]

DEFAULT_TIMEOUT = 30.0
"""Seconds the suite waits for one reply (``--adapter-option timeout=N`` changes it)."""

MAX_STRIKES = 2
"""Cases in a row the harness may fail to answer (timeout, crash) before it is declared dead."""


class HarnessError(RuntimeError):
    """The harness could not be started or failed its handshake."""


class CommandAdapter:
    """An adapter that is a subprocess speaking protocol version 1.

    :param argv: the program and its arguments.
    :param options: adapter options; ``timeout`` is used here, all of them are
        passed on to the harness in every ``run`` message's workspace.
    """

    #: the option this adapter reads itself; a harness adds the ones it reads by
    #: listing them in its start reply (``implementation.options``, names or a
    #: ``{name: what it does}`` object), after which :attr:`OPTIONS` holds both.
    OWN_OPTIONS: Mapping[str, str] = {"timeout": "seconds the harness may take per message (default 120)"}

    def __init__(self, argv: Sequence[str], options: Mapping[str, str] | None = None) -> None:
        self.argv = list(argv)
        self.OPTIONS: dict[str, str] = dict(self.OWN_OPTIONS)
        self.options = dict(options or {})
        self.timeout = _timeout(self.options.get("timeout", str(DEFAULT_TIMEOUT)))
        self._dead: str | None = None
        self._strikes = 0
        self._proc: subprocess.Popen[str] | None = None
        self._stdout: queue.Queue[str | None] = queue.Queue()
        self._stderr: collections.deque[str] = collections.deque(maxlen=50)
        self._info: AdapterInfo | None = None
        self._seq = 0

    # -- the Adapter interface -------------------------------------------------
    def info(self) -> AdapterInfo:
        """Start the harness (if needed) and return its handshake reply.

        :raises HarnessError: it cannot be started, fails its handshake, or was declared dead.
        """
        if self._dead is not None:
            raise HarnessError(f"the harness is dead ({self._dead}); case not run")
        if self._info is None or self._proc is None:
            try:
                self._info = self._start()
            except HarnessError as exc:
                self._dead = f"it could not be (re)started: {exc}"
                raise
        return self._info

    def run(self, op: str, input: Mapping[str, Any], workspace: Workspace) -> Outcome:
        """Send one ``run`` message and read its reply; once the harness is dead, error at once."""
        try:
            self.info()
        except HarnessError as exc:
            return Errored(str(exc))
        self._seq += 1
        seq = self._seq
        try:
            reply = self._exchange(run_request(seq, op, input, workspace))
            outcome = outcome_from_json(reply, seq)
        except (HarnessError, ProtocolError) as exc:
            self._kill()
            self._strikes += 1
            if self._strikes >= MAX_STRIKES:
                self._dead = f"{self._strikes} cases in a row without a usable reply, the last: {exc}"
            return Errored(f"{exc}{self._stderr_tail()}")
        self._strikes = 0
        return outcome

    def close(self) -> None:
        """Send ``stop``, wait for the harness to exit, then kill whatever its process group left."""
        proc = self._proc
        if proc is None:
            return
        try:
            assert proc.stdin is not None
            proc.stdin.write(json.dumps(stop_request()) + "\n")
            proc.stdin.close()
            proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            pass
        _kill_group(proc)
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
                errors="replace",
                bufsize=1,
                start_new_session=True,  # its own process group, killed whole
            )
        except OSError as exc:
            raise HarnessError(f"cannot start harness {self.argv!r}: {exc}") from exc
        self._proc = proc
        assert proc.stdout is not None and proc.stderr is not None
        threading.Thread(target=_pump, args=(proc.stdout, self._stdout.put), daemon=True).start()
        threading.Thread(target=_pump, args=(proc.stderr, self._stderr.append), daemon=True).start()
        try:
            reply = self._exchange(start_request())
            info = info_from_json(reply)
            self.OPTIONS = {**declared_options(reply), **self.OWN_OPTIONS}
            return info
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
        if proc is not None:
            _kill_group(proc)

    def _stderr_tail(self) -> str:
        if not self._stderr:
            return ""
        return "\n--- harness stderr (last lines) ---\n" + "".join(self._stderr)


def _pump(stream: IO[str], put: Any) -> None:
    """Copy *stream* line by line to *put*; ``None`` marks the end (stdout only).

    A line is read up to :data:`~conformance.protocol.MAX_LINE_CHARACTERS`; a
    longer one arrives cut, so it fails as JSON instead of filling memory.
    """
    with contextlib.suppress(OSError, ValueError):
        while line := stream.readline(MAX_LINE_CHARACTERS):
            if line.strip():
                put(line)
    if isinstance(getattr(put, "__self__", None), queue.Queue):
        put(None)


def _kill_group(proc: subprocess.Popen[str]) -> None:
    """Kill the harness's whole process group (it and every process it started), then reap it."""
    if os.name == "posix":
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    elif proc.poll() is None:  # pragma: no cover - POSIX in CI
        proc.kill()
    proc.wait()


def _timeout(text: str) -> float:
    """The ``timeout`` option: a finite number of seconds above 0."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise HarnessError(f"adapter option timeout={text!r} is not a number of seconds above 0")
    return value
