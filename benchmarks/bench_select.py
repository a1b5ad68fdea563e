"""Benchmark: ``variant-ref select`` on a find-links directory of 100 versions x 50 variants.

Issue 3, "Performance": "``select`` on an index of 100 versions x 50 variants
completes in under 0.5 s as a whole process." This script generates such a
directory in a temporary directory (5,000 real wheels, one
``{name}-{version}-variants.json`` per version), writes a profile, runs
``python -m reference select`` as a separate process several times and prints
the wall-clock figures, with the CPU time of the child (user + system) beside
them, since wall-clock time on a shared machine also measures the neighbours.

Bytecode caching is on, as in any installed copy: the script unsets
``PYTHONDONTWRITEBYTECODE`` and points ``PYTHONPYCACHEPREFIX`` at its
temporary directory (nothing is written into the work tree), and makes one
warm-up run first.

Usage::

    python benchmarks/bench_select.py [--versions 100] [--variants 50] [--runs 5]

Exit status 1 when the median exceeds the budget (``--budget``, 0.5 s).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

SCHEMA = "https://variants-schema.wheelnext.dev/peps/825/v0.1.1.json"
LEVELS = ["v1", "v2", "v3", "v4"]


def label_properties(count: int) -> dict[str, dict[str, dict[str, list[str]]]]:
    """``count`` labels: the null variant plus distinct (level, library) pairs."""
    variants: dict[str, dict[str, dict[str, list[str]]]] = {"null": {}}
    i = 0
    while len(variants) < count:
        level, library = LEVELS[i % 4], f"lib{i // 4}"
        variants[f"{level}_{library}"] = {"x86_64": {"level": [level]}, "blas_lapack": {"library": [library]}}
        i += 1
    return variants


def write_wheel(path: Path, name: str, version: str, label: str | None, variants: dict[str, object]) -> None:
    dist_info = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": f"LABEL = {label!r}\n",
        f"{dist_info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{dist_info}/WHEEL": (
            "Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }
    if label is not None:
        doc = {
            "$schema": SCHEMA,
            "default-priorities": {"namespace": ["x86_64", "blas_lapack"]},
            "variants": {label: variants[label]},
        }
        files[f"{dist_info}/variant.json"] = json.dumps(doc)
    files[f"{dist_info}/RECORD"] = "".join(f"{p},,\n" for p in files) + f"{dist_info}/RECORD,,\n"
    with zipfile.ZipFile(path, "w") as archive:
        for member, text in files.items():
            archive.writestr(member, text)


def generate(directory: Path, versions: int, variants_per_version: int) -> None:
    """The find-links directory: every version has every label, plus its index file."""
    variants = label_properties(variants_per_version)
    index_doc = json.dumps(
        {
            "$schema": SCHEMA,
            "default-priorities": {"namespace": ["x86_64", "blas_lapack"]},
            "variants": variants,
        }
    )
    for major in range(versions):
        version = f"1.{major}"
        for label in variants:
            write_wheel(
                directory / f"bench-{version}-py3-none-any-{label}.whl", "bench", version, label, variants
            )
        (directory / f"bench-{version}-variants.json").write_text(index_doc)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--versions", type=int, default=100)
    parser.add_argument("--variants", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--budget", type=float, default=0.5)
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-select-") as tmp:
        root = Path(tmp)
        links = root / "links"
        links.mkdir()
        started = time.perf_counter()
        generate(links, args.versions, args.variants)
        generated = time.perf_counter() - started
        profile = root / "profile.toml"
        profile.write_text(
            'name = "bench"\n[tags]\nsupported = ["py3-none-any"]\n'
            '[namespaces.x86_64]\nlevel = ["v3", "v2", "v1"]\n'
            '[namespaces.blas_lapack]\nlibrary = ["lib5", "lib3", "lib1", "lib0"]\n'
        )
        command = [
            sys.executable,
            "-m",
            "reference",
            "select",
            "bench",
            "--find-links",
            str(links),
            "--profile",
            str(profile),
        ]
        baseline = [sys.executable, "-c", "pass"]
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
        subprocess.run(command, capture_output=True, check=False, env=env)  # warm-up: writes bytecode
        times, cpu, bare = [], [], []
        selected = ""
        for _ in range(args.runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            result = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
            times.append(time.perf_counter() - t0)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            if result.returncode != 0:
                print(result.stderr, file=sys.stderr)
                return 2
            selected = result.stdout.strip()
            t0 = time.perf_counter()
            subprocess.run(baseline, check=True, env=env)
            bare.append(time.perf_counter() - t0)
    wheels = args.versions * args.variants
    median = statistics.median(times)
    print(f"select on {args.versions} versions x {args.variants} variants ({wheels} wheels, find-links)")
    print(f"  generated in {generated:.1f} s; selected {selected}")
    print(
        f"  whole process: median {median:.3f} s, min {min(times):.3f} s, max {max(times):.3f} s "
        f"over {args.runs} runs (budget {args.budget:.2f} s)"
    )
    print(f"  CPU time of the process (user + system): median {statistics.median(cpu):.3f} s")
    print(f"  bare interpreter start: median {statistics.median(bare):.3f} s")
    print(f"  load average at the end: {os.getloadavg()[0]:.2f}")
    if args.json:
        figures = {"versions": args.versions, "variants": args.variants, "median_s": median,
                   "bare_s": statistics.median(bare)}
        Path(args.json).write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    return 0 if median <= args.budget else 1


if __name__ == "__main__":
    sys.exit(main())
