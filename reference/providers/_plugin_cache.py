"""A directory of installed provider-plugin environments, shared between runs and processes.

Installing a provider package (providers text, "Providers", step 6: "The tools
MUST install the specified provider packages and query them via the provider
plugin API") costs a ``pip`` run of several seconds; the result depends only
on what is installed, where from, and for which interpreter. So an installed
``--target`` directory is kept under a key computed from:

* the requirements (after marker filtering), sorted;
* for each find-links directory, the name and SHA-256 of every wheel in it
  (``pip --no-index --only-binary :all:`` can install nothing else), so the
  key changes whenever the wheels do, wherever the directory lives;
* the index URL (an index's content cannot be hashed: the cache is used for
  index sources only when the user names a cache directory);
* the interpreter: its resolved path and, for the running one, its version
  and platform.

Concurrent processes (pytest-xdist workers, two installers) are safe: an
environment is built in a fresh temporary directory inside the cache and
moved to its key with one atomic :func:`os.rename`; whoever loses the race
removes its copy and uses the winner's. A key directory therefore exists only
when complete. A failed install is never cached.

The plugin still runs in a new process for every query: only installing is cached.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

__all__ = ["CACHE_ENV", "EnvironmentCache", "default_cache_dir"]

#: Environment variable naming the cache directory; ``off`` (or empty) disables the cache.
CACHE_ENV = "VARIANT_REF_PLUGIN_CACHE"

_FORMAT = "1"  # bump when the layout or the key changes

# (path, size, mtime_ns) -> sha256, so one process hashes each wheel once.
_digests: dict[tuple[str, int, int], str] = {}


def default_cache_dir(*, index_url: str | None = None) -> Path | None:
    """The cache directory to use when the caller names none, or ``None`` for no cache.

    ``$VARIANT_REF_PLUGIN_CACHE`` if set (``off`` or empty: no cache); otherwise
    ``$XDG_CACHE_HOME/variant-ref/plugin-envs`` (default ``~/.cache/...``) for
    find-links sources only, since an index's content is not part of the key.
    """
    configured = os.environ.get(CACHE_ENV)
    if configured is not None:
        return None if configured.strip().lower() in ("", "off", "0", "no") else Path(configured)
    if index_url:
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "variant-ref" / "plugin-envs"


def _file_digest(path: Path) -> str:
    stat = path.stat()
    memo = (str(path), stat.st_size, stat.st_mtime_ns)
    digest = _digests.get(memo)
    if digest is None:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        _digests[memo] = digest
    return digest


def _links_fingerprint(directory: str) -> list[tuple[str, str]]:
    root = Path(directory)
    try:
        wheels = sorted(p for p in root.iterdir() if p.name.endswith(".whl") and p.is_file())
    except OSError:
        return []
    return [(p.name, _file_digest(p)) for p in wheels]


def _interpreter(python: str) -> list[str]:
    resolved = os.path.realpath(python)
    if resolved == os.path.realpath(sys.executable):
        return [resolved, sys.version, sys.platform, sys.implementation.cache_tag or ""]
    try:
        return [resolved, str(os.stat(resolved).st_mtime_ns)]
    except OSError:
        return [resolved]


class EnvironmentCache:
    """Installed environments under ``root``, one directory per key.

    :param root: the cache directory (created on first use).
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def key(
        self, requirements: Sequence[str], find_links: Sequence[str], index_url: str | None, python: str
    ) -> str:
        """The cache key of installing ``requirements`` from these sources with ``python``."""
        material = {
            "format": _FORMAT,
            "requirements": sorted(requirements),
            "find_links": [_links_fingerprint(d) for d in find_links],
            "index_url": index_url,
            "python": _interpreter(python),
        }
        text = json.dumps(material, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def get(self, key: str) -> Path | None:
        """The complete environment stored under ``key``, if there is one."""
        path = self.root / key
        return path if path.is_dir() else None

    def new_build(self) -> Path:
        """A fresh, empty directory inside the cache to install into."""
        self.root.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix="build-", dir=self.root))

    def publish(self, key: str, build: Path) -> Path:
        """Move the finished ``build`` to ``key`` atomically; the path now stored there."""
        final = self.root / key
        try:
            os.rename(build, final)
        except OSError:
            # Another process published the same key first (or the name is
            # taken): keep theirs, drop ours.
            shutil.rmtree(build, ignore_errors=True)
            if not final.is_dir():
                raise
        return final
