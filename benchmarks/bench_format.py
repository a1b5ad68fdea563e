"""Benchmark of the format layer; prints the figures quoted in README.md.

- validate + combine 1,000 ``variant.json`` documents (target: < 1 s);
- start-up time of ``python -m reference filename NAME`` (target: < 150 ms).

Run: ``python benchmarks/bench_format.py [--documents N] [--runs N]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path


def make_documents(count: int) -> list[bytes]:
    """``count`` distinct, consistent ``variant.json`` files of one release (as bytes)."""
    namespaces = ["x86_64", "nvidia", "blas_lapack", "aarch64"]
    docs = []
    for i in range(count):
        properties = {
            "blas_lapack": {"library": [["openblas", "mkl", "accelerate"][i % 3]]},
            "nvidia": {
                "cuda_version_lower_bound": [f"12.{i % 10}"],
                "sm_arch": sorted({f"{i}_real", "90_real"}),
            },
            "x86_64": {"level": [f"v{1 + i % 4}"]},
        }
        docs.append(
            json.dumps(
                {
                    "$schema": "https://variants-schema.wheelnext.dev/peps/825/v0.1.1.json",
                    "default-priorities": {"namespace": namespaces[: 3 + i % 2]},
                    "variants": {f"variant_{i}": properties},
                }
            ).encode()
        )
    return docs


def bench_validate_combine(count: int, runs: int) -> float:
    from reference.format.combine import combine
    from reference.format.metadata import load_metadata, parse_json_bytes

    raw = make_documents(count)
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        loaded = [
            load_metadata(parse_json_bytes(data, f"w{i}"), kind="wheel", label=f"variant_{i}", source=f"w{i}")
            for i, data in enumerate(raw)
        ]
        combined = combine(loaded)
        best = min(best, time.perf_counter() - start)
    assert len(combined.variants) == count
    return best


def bench_startup(runs: int) -> tuple[float, float]:
    name = "numpy-2.3.2-cp313-cp313t-musllinux_1_2_x86_64-x86_64_v3.whl"
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "reference", "filename", name], check=True, stdout=subprocess.DEVNULL
        )
        times.append(time.perf_counter() - start)
    bare = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        bare.append(time.perf_counter() - start)
    return statistics.median(times), statistics.median(bare)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    args = parser.parse_args()
    seconds = bench_validate_combine(args.documents, args.runs)
    print(f"validate + combine {args.documents} variant.json: {seconds * 1000:.0f} ms (best of {args.runs})")
    startup, bare = bench_startup(max(args.runs, 11))
    print(
        f"python -m reference filename: {startup * 1000:.0f} ms median "
        f"(bare interpreter: {bare * 1000:.0f} ms)"
    )
    if args.json:
        figures = {"documents": args.documents, "validate_combine_ms": seconds * 1000,
                   "startup_ms": startup * 1000, "bare_ms": bare * 1000}
        Path(args.json).write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
