"""``python -m fuzz``: run the fuzz targets with hypothesis (or one with atheris) and print figures.

    python -m fuzz --examples 200                  # every target, 200 inputs each (CI runs a short one)
    python -m fuzz --target wheel --examples 5000  # one target
    python -m fuzz --examples 20000 --readme       # a long run; its figures go into README.md
    python -m fuzz --atheris markers               # coverage-guided, where atheris is installed

Exit status 0 when no input of any target failed, 1 otherwise (the failing
input is printed, shrunk, by hypothesis).
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings

from fuzz.targets import TARGETS, Target

README = Path(__file__).resolve().parent.parent / "README.md"


@dataclass
class Figures:
    """What one target's run found."""

    target: Target
    tried: int = 0
    seconds: float = 0.0
    slowest: float = 0.0
    failures: list[str] = field(default_factory=list)


class Finding(AssertionError):
    """An input broke a promise: an undocumented exception, too slow, or a write outside its directory."""


def run_one(target: Target, data: bytes, root: Path, seconds: float) -> float:
    """Run one input in a fresh directory under ``root``; the time it took.

    :raises Finding: the input broke one of the promises the target checks.
    """
    workdir = root / "work" / "input"
    workdir.mkdir(parents=True)
    saved, tempfile.tempdir = tempfile.tempdir, str(workdir)  # temporary files count as its own
    started = time.monotonic()
    try:
        target.run(data, workdir)
    except target.allowed:
        pass
    except BaseException as exc:  # anything else is a finding
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise Finding(f"{target.name}: undocumented {type(exc).__name__}: {exc!s:.300}") from exc
    finally:
        tempfile.tempdir = saved
        shutil.rmtree(workdir, ignore_errors=True)
    elapsed = time.monotonic() - started
    outside = sorted(set(os.listdir(root)) - {"work"}) + sorted(os.listdir(root / "work"))
    if outside:
        raise Finding(f"{target.name}: wrote outside its directory: {outside}")
    if elapsed > seconds:
        raise Finding(f"{target.name}: one input took {elapsed:.1f} s (bound {seconds:g} s)")
    return elapsed


def fuzz_target(target: Target, examples: int, seconds: float, seed: int | None = None) -> Figures:
    """Run ``examples`` hypothesis inputs through ``target``."""
    figures = Figures(target)
    root = Path(tempfile.mkdtemp(prefix=f"fuzz-{target.name}-"))
    (root / "work").mkdir()

    @settings(max_examples=examples, deadline=None, database=None, derandomize=seed is None,
              suppress_health_check=list(HealthCheck), phases=(Phase.generate, Phase.shrink),
              print_blob=True)
    @given(target.strategy)
    def check(data: bytes) -> None:
        figures.tried += 1
        elapsed = run_one(target, data, root, seconds)
        figures.slowest = max(figures.slowest, elapsed)

    started = time.monotonic()
    try:
        if seed is not None:
            from hypothesis import seed as hypothesis_seed

            hypothesis_seed(seed)(check)()
        else:
            check()
    except Finding as exc:
        figures.failures.append(str(exc))
    except Exception as exc:
        figures.failures.append(f"{type(exc).__name__}: {exc!s:.300}")
    figures.seconds = time.monotonic() - started
    shutil.rmtree(root, ignore_errors=True)
    return figures


def _limit_memory(mebibytes: int) -> None:
    """Bound this process's address space: an input allocating past it raises ``MemoryError``."""
    try:
        import resource
    except ImportError:  # pragma: no cover - POSIX in CI
        return
    size = mebibytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (size, size))


def table(results: list[Figures], examples: int, seed: int | None) -> str:
    """The figures as the Markdown table of README.md."""
    lines = ["| target | entry point | inputs tried | failing | time | slowest input |",
             "| --- | --- | --- | --- | --- | --- |"]
    for f in results:
        lines.append(f"| `{f.target.name}` | `{f.target.entry}` | {f.tried:,} | {len(f.failures)} | "
                     f"{f.seconds:.0f} s | {f.slowest * 1000:.0f} ms |")
    total = sum(f.tried for f in results)
    day = datetime.date.today().isoformat()
    lines.append("")
    seeded = f" --seed {seed}" if seed is not None else ""
    lines.append(f"`python -m fuzz --examples {examples}{seeded} --readme` on {day}: {total:,} inputs, "
                 f"{sum(len(f.failures) for f in results)} failing.")
    return "\n".join(lines)


def write_readme(text: str) -> None:
    from conformance.report import write_block

    try:
        write_block(README, "fuzz-figures", text + "\n")
    except (OSError, ValueError) as exc:
        raise SystemExit(f"error: {exc}") from None


def atheris_main(target: Target, argv: list[str]) -> None:  # pragma: no cover - needs atheris
    """Coverage-guided fuzzing of one target with atheris (libFuzzer options in ``argv``)."""
    import importlib
    import pkgutil

    import atheris

    import reference

    for info in pkgutil.walk_packages(reference.__path__, "reference."):
        module = importlib.import_module(info.name)
        for function in _functions(module):
            atheris.instrument_func(function)  # coverage feedback from the reference's own code
    root = Path(tempfile.mkdtemp(prefix=f"fuzz-{target.name}-"))
    (root / "work").mkdir()
    atheris.Setup([sys.argv[0], *argv], lambda data: run_one(target, data, root, 5.0))
    atheris.Fuzz()


def _functions(module: object) -> list[object]:
    """The functions and methods defined in ``module`` (not those it imports)."""
    import inspect

    found = []
    for value in vars(module).values():
        members = vars(value).values() if inspect.isclass(value) else [value]
        for member in members:
            member = getattr(member, "__func__", member)
            if inspect.isfunction(member) and member.__module__ == module.__name__:  # type: ignore[attr-defined]
                found.append(member)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fuzz", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=200, help="inputs per target (default 200)")
    parser.add_argument("--target", action="append", choices=sorted(TARGETS), help="only this target")
    parser.add_argument("--seconds-per-input", type=float, default=10.0, help="time bound of one input")
    parser.add_argument("--memory", type=int, default=2048, help="address space bound, MiB (default 2048)")
    parser.add_argument("--seed", type=int, help="random inputs from this seed (default: derandomized)")
    parser.add_argument("--readme", action="store_true", help="write the figures into README.md")
    parser.add_argument("--atheris", choices=sorted(TARGETS), help="fuzz one target with atheris instead")
    args, rest = parser.parse_known_args(argv)
    _limit_memory(args.memory)
    if args.atheris:
        atheris_main(TARGETS[args.atheris], rest)
        return 0
    results = []
    for name in args.target or list(TARGETS):
        figures = fuzz_target(TARGETS[name], args.examples, args.seconds_per_input, args.seed)
        results.append(figures)
        state = "ok" if not figures.failures else "FAILED: " + "; ".join(figures.failures)
        print(f"{name:10} {figures.tried:7,} inputs {figures.seconds:6.1f} s  {state}", flush=True)
    text = table(results, args.examples, args.seed)
    print(text)
    if args.readme:
        write_readme(text)
    return 1 if any(f.failures for f in results) else 0


if __name__ == "__main__":
    sys.exit(main())
