"""Benchmark: ordering 10,000 variants, the reference vs variantlib 0.2.2.

Both get the same input: 10,000 variant labels with 1-4 properties each over
three namespaces, and the same supported lists. Measured for each: filtering
out unsupported variants and ordering the rest (the reference:
``VariantOrder.build`` + ``rank_variants``;
variantlib: ``variantlib.resolver.lib.sort_and_filter_supported_variants``).
Building the input objects is not timed. Prints both figures (best of N runs)
and whether the two orders agree.

Run: ``python benchmarks/bench_ordering.py [--variants 10000] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path
from typing import Any

from reference.selection.ordering import VariantOrder, rank_variants

NAMESPACES = ["x86_64", "nvidia", "blas_lapack"]
FEATURES = {
    "x86_64": {"level": ["v4", "v3", "v2", "v1"], "avx512_bf16": ["on"]},
    "nvidia": {
        "cuda_version_lower_bound": ["13.0", "12.9", "12.8", "12.6", "12.4", "11.8"],
        "sm_arch": ["120_real", "100_real", "90_real", "89_real", "80_real", "75_real"],
    },
    "blas_lapack": {"library": ["mkl", "openblas", "accelerate"], "threads": ["omp", "tbb", "serial"]},
}
# The system supports most values, in preference order (a few are unsupported).
SUPPORTED = {
    "x86_64": {"level": ["v3", "v2", "v1"], "avx512_bf16": ["on"]},
    "nvidia": {
        "cuda_version_lower_bound": ["12.9", "12.8", "12.6", "12.4", "11.8"],
        "sm_arch": ["90_real", "89_real", "80_real", "75_real"],
    },
    "blas_lapack": {"library": ["openblas", "mkl"], "threads": ["omp", "serial", "tbb"]},
}


def make_variants(count: int, seed: int = 825) -> dict[str, dict[str, dict[str, tuple[str, ...]]]]:
    """``count`` distinct labels with 1-4 properties each."""
    rnd = random.Random(seed)
    variants: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {}
    seen: set[str] = set()
    while len(variants) < count:
        props: dict[str, dict[str, tuple[str, ...]]] = {}
        pairs = [(ns, f) for ns in NAMESPACES for f in FEATURES[ns]]
        for ns, feature in rnd.sample(pairs, rnd.randint(1, 4)):
            population = FEATURES[ns][feature]
            values = rnd.sample(population, min(len(population), rnd.randint(1, 2)))
            props.setdefault(ns, {})[feature] = tuple(sorted(values))
        key = repr(sorted((ns, sorted(fs.items())) for ns, fs in props.items()))
        if key in seen:
            continue
        seen.add(key)
        variants[f"v{len(variants):05d}"] = props
    return variants


def reference_order(variants: dict[str, Any]) -> list[str]:
    """Filter and order with the reference."""
    order = VariantOrder.build(NAMESPACES, SUPPORTED)
    return rank_variants(variants, order)[0]


def variantlib_inputs(variants: dict[str, Any]) -> tuple[list[Any], list[Any], dict[str, Any]]:
    from variantlib.models.variant import VariantDescription, VariantProperty

    vdescs = [
        VariantDescription(
            label=label,
            properties=[
                VariantProperty(namespace=ns, feature=f, value=v)
                for ns, fs in props.items()
                for f, values in fs.items()
                for v in values
            ],
        )
        for label, props in variants.items()
    ]
    supported = [
        VariantProperty(namespace=ns, feature=f, value=v)
        for ns in NAMESPACES
        for f, values in SUPPORTED[ns].items()
        for v in values
    ]
    kwargs = {
        "namespace_priorities": list(NAMESPACES),
        "feature_priorities": {ns: list(SUPPORTED[ns]) for ns in NAMESPACES},
        "property_priorities": {ns: {f: list(v) for f, v in SUPPORTED[ns].items()} for ns in NAMESPACES},
    }
    return vdescs, supported, kwargs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    args = parser.parse_args()

    from variantlib.resolver.lib import sort_and_filter_supported_variants

    variants = make_variants(args.variants)
    vdescs, supported, kwargs = variantlib_inputs(variants)
    labels_by_hexdigest = {d.hexdigest: label for d, label in zip(vdescs, variants, strict=True)}

    ours = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        ours_result = reference_order(variants)
        ours.append(time.perf_counter() - start)
    theirs = []
    for _ in range(args.repeat):
        batch = list(vdescs)  # variantlib appends the null variant to its input
        start = time.perf_counter()
        theirs_result = sort_and_filter_supported_variants(batch, supported, **kwargs)
        theirs.append(time.perf_counter() - start)

    # variantlib also scans the installed distributions for abi_dependency on
    # every call; time it once more without that scan, for a like-for-like figure.
    import variantlib.resolver.lib as vlib

    original = vlib.inject_abi_dependency
    vlib.inject_abi_dependency = lambda _props, priorities: priorities.append("abi_dependency")
    try:
        bare = []
        for _ in range(args.repeat):
            batch = list(vdescs)
            start = time.perf_counter()
            sort_and_filter_supported_variants(batch, supported, **kwargs)
            bare.append(time.perf_counter() - start)
    finally:
        vlib.inject_abi_dependency = original

    theirs_labels = [labels_by_hexdigest[d.hexdigest] for d in theirs_result if d.properties]
    agree = sum(a == b for a, b in zip(ours_result, theirs_labels, strict=False))
    print(f"variants: {args.variants}, compatible: {len(ours_result)} (variantlib: {len(theirs_labels)})")
    print(f"reference (selection.ordering):        {min(ours) * 1000:9.1f} ms  (best of {args.repeat})")
    print(f"variantlib 0.2.2 (sort_and_filter...): {min(theirs) * 1000:9.1f} ms  (best of {args.repeat})")
    print(f"variantlib, no environment scan:       {min(bare) * 1000:9.1f} ms  (best of {args.repeat})")
    print(
        f"speed-up: {min(theirs) / min(ours):.1f}x; same position in both orders: {agree}/{len(ours_result)}"
    )
    if args.json:
        figures = {"variants": args.variants, "compatible": len(ours_result), "agree": agree,
                   "reference_ms": min(ours) * 1000, "variantlib_ms": min(theirs) * 1000,
                   "variantlib_bare_ms": min(bare) * 1000}
        Path(args.json).write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
