"""What a case runs against: fixture sources, built fixtures and resolved locks.

Shared by the pytest plugin (:mod:`conformance.running`) and the mutation run
(:mod:`conformance.mutants`); it imports only :mod:`conformance.fixtures`
(where the sources are; the build itself lazily), the reference's bundled
profiles and its TOML reader.

- :data:`FIXTURE_SOURCES`: the editable sources (``fixtures/``: indexes,
  plugins, locks; shipped in the package as ``conformance/fixture_sources``);
  :data:`PROFILES`: the simulated systems (the reference's bundled profiles,
  ``fixtures/profiles`` in a checkout).
- :func:`built_fixtures`: the fixture indexes built once per change of their
  sources (the directory name carries a digest of the sources), shared by
  concurrent processes (pytest-xdist workers) through a file lock.
- :func:`resolve_locks`: the fixture locks with their wheel URLs resolved
  against the built indexes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

__all__ = [
    "DIGEST_SOURCES",
    "FIXTURE_OPS",
    "FIXTURE_SOURCES",
    "HTTP_CAPABILITIES",
    "PROFILES",
    "PRUNE_AFTER_SECONDS",
    "built_fixtures",
    "locked",
    "resolve_locks",
    "sources_digest",
]

from conformance.fixtures import SOURCES as FIXTURE_SOURCES
from reference.providers.profiles import BUNDLED_PROFILES as PROFILES

_PACKAGE = Path(__file__).resolve().parent

#: ops that run against the built fixture indexes.
FIXTURE_OPS = frozenset({"select", "install", "pylock"})
#: capabilities whose cases need the fixtures served over HTTP.
HTTP_CAPABILITIES = frozenset({"index.pep503", "index.pep691"})


#: What the built fixtures are made from, as paths in a checkout: the fixture
#: sources, the WheelNext corpus snapshot, the builders, the draft converter (the
#: corpus documents are its output) and the canonical JSON writer every built
#: document goes through. In an installed suite, ``fixtures/`` is
#: :data:`FIXTURE_SOURCES` and the modules sit beside this package, so a checkout
#: and the wheel built from it have the same digest.
DIGEST_SOURCES = (
    "fixtures/indexes",
    "fixtures/plugins",
    "fixtures/locks",
    "fixtures/corpus",
    "conformance/fixtures.py",
    "conformance/corpus.py",
    "reference/format/convert.py",
    "reference/format/model.py",
)


def _source_path(source: str, root: Path | None) -> Path:
    if root is not None:
        return root / source
    top, _, rest = source.partition("/")
    if top == "fixtures":
        return FIXTURE_SOURCES / rest
    return _PACKAGE.parent / source


def sources_digest(root: Path | None = None) -> str:
    """A short digest of everything the built fixtures are made from.

    :param root: a tree laid out like a checkout holding :data:`DIGEST_SOURCES`
        (default: where this suite finds them, checkout or installed wheel).
    """
    digest = hashlib.sha256()
    for source in DIGEST_SOURCES:
        top = _source_path(source, root)
        files = sorted(top.rglob("*")) if top.is_dir() else [top]
        for path in files:
            if path.is_file():
                name = source if path == top else f"{source}/{path.relative_to(top).as_posix()}"
                digest.update(name.encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on *path* (created if missing) for the ``with`` block."""
    try:
        import fcntl
    except ImportError:  # not POSIX: processes may each build; the rename keeps it safe
        yield
        return
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


#: With ``prune``: a build of other sources unused for this long is removed.
PRUNE_AFTER_SECONDS = 24 * 3600


def built_fixtures(base: Path, name: str, *, prune: bool = False) -> Path:
    """``base/<name>-<digest>``: every fixture index, built there unless already complete.

    The build goes to a temporary directory renamed into place when complete,
    under the lock ``base/<name>.lock``, so concurrent callers build once.
    Each use touches the build's ``.complete`` marker.

    :param prune: remove builds of other sources (``base/<name>-*``) unused for
        :data:`PRUNE_AFTER_SECONDS`; a recent one may belong to a run from
        another checkout that is still reading it.
    :raises Exception: whatever the build raised (nothing half-built is left).
    """
    base.mkdir(parents=True, exist_ok=True)
    target = base / f"{name}-{sources_digest()}"
    with locked(base / f"{name}.lock"):
        marker = target / ".complete"
        if not marker.is_file():
            from conformance.fixtures import build_all

            partial = Path(tempfile.mkdtemp(prefix="fixtures-", dir=base))
            try:
                build_all(partial)
            except BaseException:
                shutil.rmtree(partial, ignore_errors=True)
                raise
            (partial / ".complete").write_text("ok\n")
            shutil.rmtree(target, ignore_errors=True)
            partial.rename(target)
        marker.touch()
        if prune:
            for other in base.glob(f"{name}-*"):
                if other.is_dir() and other != target and _unused(other / ".complete"):
                    shutil.rmtree(other, ignore_errors=True)
    return target


def _unused(marker: Path) -> bool:
    try:
        return time.time() - marker.stat().st_mtime > PRUNE_AFTER_SECONDS
    except OSError:  # never completed
        return True


def resolve_locks(source: Path, fixtures: Path, out: Path) -> Path:
    """Copy ``fixtures/locks/*.toml`` to *out*, ready for any implementation.

    ``fixtures/locks/README.md``: wheel URLs are relative to the built fixture
    index named by ``[tool.conformance] index``, and "A runner resolves them
    against the built index ... before handing the lock to an implementation";
    empty ``hashes`` (``hashes = {}``; an entry without the key keeps none) are filled
    in from the built files (``manifest.json``).
    Files a lock lists by a relative ``path`` (which the pylock.toml specification
    makes relative to the lock's own directory) are copied beside it from the
    built index, as its ``[tool.conformance.files]`` table says
    (``{path under the lock's directory = path in the built index}``); an entry
    with such a ``path`` and empty ``hashes`` gets the copied file's sha256, and an
    entry with neither (a case about such entries) the digest of the index file its
    ``name`` names. With ``[tool.conformance] fill-sizes = true``, a ``url`` entry
    without ``size`` gets the built file's size (the sizes are not known when the
    lock is written by hand).
    """
    import tomli_w

    from reference._toml import loads

    out.mkdir(parents=True, exist_ok=True)
    manifest_path = fixtures / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.is_file() else {}
    for path in sorted(source.glob("*.toml")):
        data = loads(path.read_text(encoding="utf-8"))
        index = data.get("tool", {}).get("conformance", {}).get("index")
        if isinstance(index, str):
            root = fixtures / index
            copied = _copy_lock_files(data, root, out)
            fill_sizes = data["tool"]["conformance"].get("fill-sizes") is True
            for package in data.get("packages", []):
                for wheel in package.get("wheels", []):
                    url, relative = wheel.get("url"), wheel.get("path")
                    if isinstance(url, str) and "://" not in url:
                        if fill_sizes and "size" not in wheel:
                            wheel["size"] = (root / url).stat().st_size
                        wheel["url"] = (root / url).resolve().as_uri()
                        digest = manifest.get(index, {}).get(url.rsplit("/", 1)[-1])
                        if wheel.get("hashes") == {} and digest:
                            wheel["hashes"] = {"sha256": digest}
                    elif isinstance(relative, str) and relative in copied and wheel.get("hashes") == {}:
                        wheel["hashes"] = {"sha256": copied[relative]}
                    elif isinstance(wheel.get("name"), str) and wheel.get("hashes") == {}:
                        # no usable url or path (a case about such entries): the named file's digest
                        digest = manifest.get(index, {}).get(wheel["name"])
                        if digest:
                            wheel["hashes"] = {"sha256": digest}
        (out / path.name).write_text(tomli_w.dumps(data), encoding="utf-8")
    return out


def _copy_lock_files(data: dict[str, object], root: Path, out: Path) -> dict[str, str]:
    """Copy a fixture lock's ``[tool.conformance.files]`` from the built index *root* to *out*.

    :returns: ``{path under out: sha256 of the copy}``.
    :raises ValueError: a destination that is not a plain relative path inside *out*.
    """
    tool = data.get("tool")
    files = tool.get("conformance", {}).get("files", {}) if isinstance(tool, dict) else {}
    copied = {}
    for relative, origin in files.items():
        parts = Path(relative).parts
        if Path(relative).is_absolute() or ".." in parts or not parts:
            raise ValueError(
                f"[tool.conformance.files] {relative!r} is not a path inside the lock's directory"
            )
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / origin, target)
        copied[relative] = hashlib.sha256(target.read_bytes()).hexdigest()
    return copied
