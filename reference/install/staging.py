"""Atomic installs: every wheel of a request is installed into a staging directory, then moved into place.

An install that is refused or interrupted halfway must leave the target as
it was, so that rerunning works. :class:`Staging` gives every path of a
:class:`~reference.install.installing.Scheme` a twin under one hidden
directory, ``.variant-ref-stage-{pid}-*``, created inside the scheme's common
root (the ``--target`` directory, or the environment's prefix), so it is on
the same file system and the relative paths ``installer`` writes into
``RECORD`` stay true after the move. Then:

1. every wheel is installed into the stage (a failure, a hash mismatch or
   ``KeyboardInterrupt`` leaves only the stage, which is removed);
2. :meth:`Staging.commit` checks that no staged file would replace an
   existing one, then renames the files into place with ``SIGINT`` and
   ``SIGTERM`` held back (renames on one file system take milliseconds; the
   signals are held the same way while the stage is created and removed); if
   a rename fails, the ones done are undone;
3. the stage is removed.

A stage left by a process that was killed outright (``SIGKILL``, power loss)
is removed by the next install into the same root once its process is gone.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import FrameType

from reference.install.installing import InstallError, Scheme, install_wheel

__all__ = ["STAGE_PREFIX", "Staging"]

STAGE_PREFIX = ".variant-ref-stage-"


class Staging:
    """A staging directory for one request's installs into ``scheme``; a context manager.

    :param scheme: the real destination.
    """

    def __init__(self, scheme: Scheme) -> None:
        self.final = scheme
        self._paths = {key: os.path.abspath(value) for key, value in scheme.paths.items()}
        self.root = Path(os.path.commonpath(list(self._paths.values())))
        self._created_root: Path | None = None

    def __enter__(self) -> Staging:
        # Created with the signals held, and removed if one arrives as they are
        # released or before the request holds the stage: a signal sent as the
        # stage appears must not leave it behind.
        try:
            with _signals_held():
                self._created_root = _make_dirs(self.root)
                _remove_stale_stages(self.root)
                self.stage = Path(tempfile.mkdtemp(prefix=f"{STAGE_PREFIX}{os.getpid()}-", dir=self.root))
            stage = self.stage
            staged = {key: str(stage / os.path.relpath(path, self.root)) for key, path in self._paths.items()}
            self.scheme = Scheme(staged, self.final.interpreter)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        with _signals_held():  # a signal during the clean-up waits until it is done
            if hasattr(self, "stage"):
                shutil.rmtree(self.stage, ignore_errors=True)
            if self._created_root is not None:
                # directories this request created and left empty go too
                for directory in [self.root, *self.root.parents]:
                    with contextlib.suppress(OSError):
                        directory.rmdir()
                    if directory == self._created_root:
                        break

    def install(self, wheel: Path, hashes: Mapping[str, str] | None = None) -> None:
        """Install one wheel into the stage (see :func:`reference.install.installing.install_wheel`)."""
        install_wheel(wheel, self.scheme, hashes)

    def commit(self) -> None:
        """Move every staged file into place, or none.

        :raises InstallError: a staged file would replace an existing one (nothing is moved).
        """
        moves = [(source, self.root / source.relative_to(self.stage)) for source in _files(self.stage)]
        existing = [str(target) for _, target in moves if os.path.lexists(target)]
        if existing:
            shown = ", ".join(existing[:3]) + (f" and {len(existing) - 3} more" if len(existing) > 3 else "")
            raise InstallError(f"{shown} already exists; nothing was installed")
        with _signals_held():
            done: list[tuple[Path, Path]] = []
            made: list[Path] = []
            try:
                for source, target in moves:
                    created = _make_dirs(target.parent)
                    if created is not None:
                        made.append(created)
                    os.rename(source, target)
                    done.append((source, target))
            except BaseException:
                _undo(done, made)
                raise


def _files(stage: Path) -> list[Path]:
    """Every file and symbolic link under ``stage``, sorted."""
    out = []
    for directory, dirs, files in os.walk(stage):
        for name in files + [d for d in dirs if os.path.islink(os.path.join(directory, d))]:
            out.append(Path(directory) / name)
    return sorted(out)


def _make_dirs(path: Path) -> Path | None:
    """Create ``path`` with its parents; the topmost directory created, or ``None`` if it existed."""
    missing = None
    for directory in [path, *path.parents]:
        if directory.exists():
            break
        missing = directory
    path.mkdir(parents=True, exist_ok=True)
    return missing


def _undo(done: list[tuple[Path, Path]], made: list[Path]) -> None:
    """Move the files back into the stage and remove the directories the commit created."""
    for source, target in reversed(done):
        with contextlib.suppress(OSError):
            os.rename(target, source)
    for directory in reversed(made):
        shutil.rmtree(directory, ignore_errors=True)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """``SIGINT`` and ``SIGTERM`` take effect only after the block.

    Their handlers are swapped for one that notes the signal, then restored, and
    the first signal noted is handed to the handler it was meant for. (Blocking
    the signals with ``pthread_sigmask`` would hold them for this thread only: a
    process with other threads still gets them at once.) Handlers can only be
    changed in the main thread; elsewhere the block runs as it is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    noted: list[tuple[int, FrameType | None]] = []

    def note(signum: int, frame: FrameType | None) -> None:
        noted.append((signum, frame))

    previous = {signum: signal.signal(signum, note) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for held, handler in previous.items():
            signal.signal(held, handler)
        for signum, frame in noted[:1]:
            handler = previous[signal.Signals(signum)]
            if callable(handler):
                handler(signum, frame)
            elif handler == signal.SIG_DFL:
                signal.raise_signal(signum)


def _remove_stale_stages(root: Path) -> None:
    """Remove stages of processes that no longer run (killed outright during an install)."""
    for entry in root.glob(f"{STAGE_PREFIX}*"):
        pid_text = entry.name[len(STAGE_PREFIX):].split("-", 1)[0]
        if pid_text.isdigit() and not _running(int(pid_text)):
            shutil.rmtree(entry, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
