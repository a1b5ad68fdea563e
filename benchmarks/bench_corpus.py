"""Benchmarks at real scale, on the WheelNext test index (issue 13, part 5).

Every figure is a whole process, timed from outside, median of ``--runs``:

1. the corpus fixture index: building it (10,207 stub wheels, 96 converted documents);
2. ``select torch==2.9.0`` from torch's 906 real filenames over loopback PEP 503 and
   PEP 691 (the fixture server on 127.0.0.1), machine ``machine-h100-x86-64-v3``:
   ``python -m reference select`` against ``uv pip install --dry-run`` on the same
   index (uv steered with ``NV_VARIANT_PROVIDER_FORCE_*``), with the wheel each chose;
3. validate and combine all 96 documents (the converted index files, and per release
   the ``variant.json`` of every variant wheel combined and compared with them):
   the reference against variantlib 0.2.2;
4. order the real torch 2.9.0 metadata for the nine realistic machines: the
   reference against variantlib's ``sort_and_filter_supported_variants``;
5. convert the whole corpus: one ``variant-ref convert`` process per document, and
   all 96 in one process.

Usage::

    python benchmarks/bench_corpus.py [--runs 5] [--readme]

``--readme`` writes the table between the ``corpus-bench`` markers of README.md
(with :func:`conformance.report.write_block`; ``python benchmarks/figures.py
--check`` checks its form; the corpus results per adapter are written by
``python benchmarks/figures.py --write`` from the CI reports).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PROFILES = ROOT / "fixtures" / "profiles"
MACHINES = sorted(p.stem for p in PROFILES.glob("machine-*.toml"))
H100 = "machine-h100-x86-64-v3"
SELECTED = re.compile(r"Selecting: torch==2\.9\.0 \[[a-z]+\] \(([^)]+)\)")


def timed(argv: Sequence[str], runs: int, env: dict[str, str] | None = None) -> tuple[float, str]:
    """Median wall time of ``argv`` over ``runs`` runs (after one warm-up), and its last output."""
    out = ""
    times = []
    for i in range(runs + 1):
        start = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
        if i:
            times.append(time.perf_counter() - start)
        out = done.stdout + done.stderr
        if done.returncode not in (0, 1):
            raise SystemExit(f"failed ({done.returncode}): {' '.join(argv)}\n{out[-2000:]}")
    return statistics.median(times), out


# -- worker tasks, each run as its own process ---------------------------------------------------


def task_validate_combine_reference(flat: Path) -> int:
    from reference.format.combine import combine
    from reference.format.documents import load_path
    from reference.format.metadata import load_metadata

    count = 0
    for index_file in sorted(flat.glob("*-variants.json")):
        expected = load_path(index_file)
        stem = index_file.name[: -len("-variants.json")]
        documents = [_wheel_document(w) for w in sorted(flat.glob(f"{stem}-*.whl"))]
        wheels = [load_metadata(d, kind="wheel", label=label) for d, label in documents if d is not None]
        combined = combine(wheels)
        assert set(combined.variants) <= set(expected.variants), index_file
        count += 1
    return count


def task_validate_combine_variantlib(flat: Path) -> int:
    from variantlib.variant_dist_info import VariantDistInfo
    from variantlib.variants_json import VariantsJson

    count = 0
    for index_file in sorted(flat.glob("*-variants.json")):
        try:
            expected = VariantsJson(json.loads(index_file.read_bytes()))
        except Exception as exc:  # variantlib rejects a document the reference accepts
            print(f"rejected {index_file.name}: {exc}", file=sys.stderr)
            continue
        stem = index_file.name[: -len("-variants.json")]
        combined = None
        for document, label in (_wheel_document(w) for w in sorted(flat.glob(f"{stem}-*.whl"))):
            if document is None:
                continue
            dist_info = VariantDistInfo(json.dumps(document), expected_label=label)
            info = VariantsJson(dist_info)
            info.variants = dict(dist_info.variants)
            combined = info if combined is None else combined.merge(info)
        assert combined is None or set(combined.variants) <= set(expected.variants), index_file
        count += 1
    return count


def _wheel_document(path: Path) -> tuple[Any, str | None]:
    label = path.name[:-4].split("-")[-1] if path.name.count("-") >= 5 else None
    if label is None:
        return None, None
    with zipfile.ZipFile(path) as archive:
        member = next(n for n in archive.namelist() if n.endswith(".dist-info/variant.json"))
        return json.loads(archive.read(member)), label


def _torch(flat: Path) -> tuple[list[str], Path]:
    names = sorted(p.name for p in flat.glob("torch-2.9.0-*.whl"))
    return names, flat / "torch-2.9.0-variants.json"


def task_order_reference(flat: Path) -> int:
    from reference.format.documents import load_path
    from reference.providers.profiles import load_profile
    from reference.selection.select import select_wheel
    from reference.selection.system import System

    names, index_file = _torch(flat)
    metadata = load_path(index_file)
    chosen = 0
    for machine in MACHINES:
        selection = select_wheel(names, metadata, System(load_profile(PROFILES / f"{machine}.toml")))
        chosen += selection.selected is not None
    return chosen


def task_order_variantlib(flat: Path) -> int:
    from variantlib.resolver.lib import sort_and_filter_supported_variants
    from variantlib.variants_json import VariantsJson

    from conformance.adapters._tools import load_profile_data
    from conformance.adapters.variantlib import _supported_properties

    combined = VariantsJson(json.loads(_torch(flat)[1].read_bytes()))
    chosen = 0
    for machine in MACHINES:
        profile = load_profile_data(PROFILES, machine)
        order = sort_and_filter_supported_variants(
            list(combined.variants.values()),
            _supported_properties(combined, profile, []),
            namespace_priorities=list(combined.namespace_priorities),
            feature_priorities={},
            filter_values=True,
        )
        chosen += bool(order)
    return chosen


def task_convert_all(corpus: Path) -> int:
    from reference.format.convert import convert_bytes

    paths = sorted(corpus.glob("*/*-variants.json"))
    for path in paths:
        convert_bytes(path.read_bytes(), str(path))
    return len(paths)


TASKS: dict[str, Callable[[Path], int]] = {
    "validate-combine-reference": task_validate_combine_reference,
    "validate-combine-variantlib": task_validate_combine_variantlib,
    "order-reference": task_order_reference,
    "order-variantlib": task_order_variantlib,
    "convert-all": task_convert_all,
}


# -- the driver -----------------------------------------------------------------------------------


def _python(*args: str) -> list[str]:
    return [sys.executable, *args]


def _uv_dry_run(url: str, work: Path) -> list[str]:
    import uv

    return [
        str(uv.find_uv_bin()), "pip", "install", "--dry-run", "--no-deps", "--target", str(work / "t"),
        "--python", sys.executable, "--python-version", "3.12",
        "--python-platform", "x86_64-manylinux_2_35",
        "--no-config", "--no-cache", "--only-binary", ":all:", "--preview-features", "wheel-variants",
        "-v", "--index-url", url, "torch==2.9.0",
    ]


def _select_rows(base: str, work: Path, runs: int) -> list[tuple[str, str, str]]:
    env = {**os.environ, "UV_NO_CONFIG": "1", "UV_PYTHON_DOWNLOADS": "never",
           "NV_VARIANT_PROVIDER_FORCE_CUDA_DRIVER_VERSION": "13.0",
           "NV_VARIANT_PROVIDER_FORCE_SM_ARCH": "9.0"}
    rows = []
    for kind, layout in (("PEP 503", "simple"), ("PEP 691", "json")):
        url = f"{base}/wheelnext-corpus/{layout}/"
        ref_argv = _python("-m", "reference", "select", "torch==2.9.0", "--index-url", url,
                           "--profile", str(PROFILES / f"{H100}.toml"), "--json")
        ref_time, ref_out = timed(ref_argv, runs)
        uv_time, uv_out = timed(_uv_dry_run(url, work), runs, env)
        ref_pick = json.loads(ref_out[: ref_out.rindex("}") + 1]).get("selected")
        uv_pick = (SELECTED.findall(uv_out) or ["(none)"])[-1]
        rows.append((f"select torch==2.9.0 (906 filenames), {kind}, H100 machine",
                     f"{ref_time * 1000:.0f} ms ({ref_pick})",
                     f"{uv_time * 1000:.0f} ms, uv 0.13.9 ({uv_pick})"))
    return rows


def _worker_rows(flat: Path, runs: int) -> list[tuple[str, str, str]]:
    rows = []
    for what, task in (("validate + combine the 96 documents (809 variant.json)", "validate-combine"),
                       ("order torch 2.9.0 for the 9 machines", "order")):
        figures = []
        for tool in ("reference", "variantlib"):
            seconds, out = timed(_python(__file__, "--task", f"{task}-{tool}", str(flat)), runs)
            rejected = out.count("rejected ")
            figures.append(f"{seconds * 1000:.0f} ms" + (f" ({rejected} rejected)" if rejected else ""))
        rows.append((what, figures[0], figures[1] + ", variantlib 0.2.2"))
    return rows


def _convert_rows(corpus: Path, work: Path, runs: int) -> list[tuple[str, str, str]]:
    paths = sorted(corpus.glob("*/*-variants.json"))
    start = time.perf_counter()
    for path in paths:
        subprocess.run(_python("-m", "reference", "convert", str(path), "-o", str(work / "c.json")),
                       capture_output=True, check=True)
    each = time.perf_counter() - start
    one, _ = timed(_python(__file__, "--task", "convert-all", str(corpus)), runs)
    return [("convert the 96 documents, one `variant-ref convert` each", f"{each:.1f} s", "-"),
            ("convert the 96 documents in one process", f"{one * 1000:.0f} ms", "-")]


def measure(runs: int) -> str:
    from conformance.corpus import CORPUS, CORPUS_INDEX_ID
    from conformance.server import FixtureServer

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        argv = _python("-m", "conformance", "build-fixtures", str(work / "idx"), "--only", CORPUS_INDEX_ID)
        build, _ = timed(argv, 1)
        flat = work / "idx" / CORPUS_INDEX_ID / "flat"
        wheels, documents = len(list(flat.glob("*.whl"))), len(list(flat.glob("*-variants.json")))
        what = f"build the corpus index ({wheels:,} stub wheels, {documents} documents)"
        rows = [(what, f"{build:.1f} s", "-")]
        with FixtureServer(work / "idx", max_seconds=1800.0) as server:
            rows += _select_rows(server.url.rstrip("/"), work, runs)
        rows += _worker_rows(flat, runs)
        rows += _convert_rows(CORPUS, work, runs)
    head = [f"| what (whole processes, median of {runs}) | reference | other tool |", "| --- | --- | --- |"]
    load = os.getloadavg()[0]
    note = (f"\nMeasured {time.strftime('%d %b %Y')} on this machine ({os.cpu_count()} cores, "
            f"load average {load:.1f}).\n")
    return "\n".join(head + [f"| {a} | {b} | {c} |" for a, b, c in rows]) + "\n" + note


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--readme", action="store_true", help="write the table into README.md")
    parser.add_argument("--task", choices=sorted(TASKS), help=argparse.SUPPRESS)
    parser.add_argument("path", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.task:
        print(TASKS[args.task](Path(args.path)))
        return 0
    table = measure(args.runs)
    print(table)
    if args.readme:
        from conformance.report import write_block

        write_block(ROOT / "README.md", "corpus-bench", table)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
