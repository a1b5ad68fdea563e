"""A simulated x86-64 CPU for tools that read ``/proc/cpuinfo``.

uv 0.13.9's built-in ``x86_64`` provider learns the CPU from the interpreter it
installs for, which reads the ``flags`` line of ``/proc/cpuinfo`` (Linux, the
method of archspec).  Any x86-64 level can therefore be shown to it on any
Linux machine: the tool runs in a new unprivileged user and mount namespace
(``unshare -Urm``) in which a file carrying the profile's flags is bind-mounted
over ``/proc/cpuinfo``.  Nothing outside the namespace changes, and no
privilege is needed where the kernel permits unprivileged user namespaces;
where it does not, :func:`namespaces_unavailable` says why and the case is
skipped with that reason.

The flags of each level are the x86-64 psABI's microarchitecture levels, in
the spelling of Linux's ``/proc/cpuinfo`` (``pni`` is SSE3, ``abm`` LZCNT).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["LEVEL_FLAGS", "cpuinfo_text", "namespaces_unavailable", "wrap"]

#: Flags each x86-64 level adds (x86-64 psABI), as ``/proc/cpuinfo`` spells them.
LEVEL_FLAGS: dict[int, tuple[str, ...]] = {
    1: ("fpu", "cx8", "cmov", "fxsr", "mmx", "syscall", "sse", "sse2", "lm"),
    2: ("cx16", "lahf_lm", "popcnt", "pni", "sse4_1", "sse4_2", "ssse3"),
    3: ("avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe", "xsave"),
    4: ("avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"),
}

#: Feature names of the x86_64 namespace that Linux spells differently.
_LINUX_SPELLING = {"sse3": "pni"}


def cpuinfo_text(profile: Mapping[str, Any]) -> str | None:
    """A one-processor ``/proc/cpuinfo`` for the profile's x86-64 CPU, or ``None``.

    The flags are those of ``[hardware] x86_64_level`` (1 to 4) and every
    feature of the profile's ``[namespaces.x86_64]`` whose value is ``on``.
    """
    level = profile.get("hardware", {}).get("x86_64_level")
    if not isinstance(level, int) or isinstance(level, bool) or level not in LEVEL_FLAGS:
        return None
    flags: list[str] = []
    for step in range(1, level + 1):
        flags += LEVEL_FLAGS[step]
    for feature, values in (profile.get("namespaces", {}).get("x86_64") or {}).items():
        if feature != "level" and isinstance(values, list) and "on" in values:
            flag = _LINUX_SPELLING.get(feature, feature)
            if flag not in flags:
                flags.append(flag)
    cpu = str(profile.get("hardware", {}).get("cpu", f"simulated x86-64-v{level}"))
    return (
        "processor\t: 0\n"
        "vendor_id\t: GenuineIntel\n"
        f"model name\t: {cpu}\n"
        f"flags\t\t: {' '.join(flags)}\n\n"
    )


@cache
def namespaces_unavailable() -> str | None:
    """Why an unprivileged user and mount namespace cannot be made here, or ``None``."""
    if shutil.which("unshare") is None:
        return "the unshare command (util-linux) is not installed"
    probe = Path("/proc/cpuinfo")
    if not probe.is_file():
        return "this system has no /proc/cpuinfo"
    try:
        done = subprocess.run(
            ["unshare", "-Urm", "sh", "-c", 'mount --bind "$0" /proc/cpuinfo', str(probe)],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unshare -Urm failed: {exc}"
    if done.returncode != 0:
        return f"unprivileged user and mount namespaces are not permitted here ({done.stderr.strip()})"
    return None


def wrap(argv: Sequence[str], cpuinfo: Path) -> list[str]:
    """*argv* run in a new user and mount namespace that sees *cpuinfo* as ``/proc/cpuinfo``."""
    script = 'mount --bind "$0" /proc/cpuinfo && exec "$@"'
    return ["unshare", "-Urm", "sh", "-c", script, str(cpuinfo), *argv]
