"""How long building every fixture index takes (issue 4: "under 10 s").

Usage: ``python benchmarks/bench_fixtures.py [--repeat N]``. Prints the best and
median wall time of ``build_all`` into a fresh temporary directory and exits
with status 1 if the best run exceeds the budget.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from conformance.fixtures import DEFAULT_INDEXES, build_all

BUDGET_SECONDS = 10.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    times: list[float] = []
    files = indexes = 0
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            built = build_all(Path(tmp))
            times.append(time.perf_counter() - start)
            indexes = len(built)
            files = sum(len(index.files) for index in built.values())
    best, median = min(times), statistics.median(times)
    print(
        f"build-fixtures: {indexes} indexes from {DEFAULT_INDEXES}, {files} files: "
        f"best {best:.3f} s, median {median:.3f} s over {args.repeat} runs (budget {BUDGET_SECONDS:.0f} s)"
    )
    if args.json:
        figures = {"indexes": indexes, "files": files, "best_s": best, "median_s": median}
        Path(args.json).write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    return 0 if best <= BUDGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
