"""README figures come from a command (benchmarks/figures.py), and a stale one fails the check."""

from __future__ import annotations

import copy
import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("readme_figures", ROOT / "benchmarks" / "figures.py")
assert _spec and _spec.loader
figures: Any = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(figures)

RECORD: dict[str, Any] = {
    "date": "2026-12-01",
    "load": 1.2,
    "bench_format.py": {"validate_combine_ms": 136.2, "startup_ms": 82.4, "bare_ms": 34.0},
    "bench_ordering.py": {"reference_ms": 67.1, "variantlib_ms": 391.0, "variantlib_bare_ms": 307.0,
                          "compatible": 7060, "agree": 7060},
    "bench_select.py": {"median_s": 0.26},
    "bench_fixtures.py": {"median_s": 0.86, "indexes": 21, "files": 326},
    "runs": {"reference_s": 12.6, "uv_s": 20.3, "ci_s": 91.0, "ci_tests": 1940, "ci_load": 1.7},
}


def test_inline_figures_and_blocks_are_replaced_from_their_sources() -> None:
    text = (
        "intro <!--fig:cases-->999<!--/fig--> cases\n"
        "<!-- results:start -->\nold table\n<!-- results:end -->\n"
        "- item\n\n  <!-- mutation:start -->\n  | old |\n  <!-- mutation:end -->\n"
    )
    out = figures.render(text, {"results": lambda: "| new |\n", "mutation": lambda: "  | new |\n"},
                         {"cases": "516"})
    assert "<!--fig:cases-->516<!--/fig--> cases" in out
    assert "<!-- results:start -->\n| new |\n<!-- results:end -->" in out
    assert "  <!-- mutation:start -->\n  | new |\n  <!-- mutation:end -->" in out


def test_an_unknown_figure_or_block_or_a_missing_block_is_an_error() -> None:
    with pytest.raises(figures.Stale, match="unknown figure 'casez'"):
        figures.render("<!--fig:casez-->1<!--/fig-->", {}, {"cases": "1"})
    with pytest.raises(figures.Stale, match="no block results"):
        figures.render("no markers", {"results": lambda: ""}, {})
    with pytest.raises(figures.Stale, match="unknown block 'typed'"):
        figures.render("<!-- typed:start -->\n| 1 |\n<!-- typed:end -->\n", {}, {})


def test_the_blocks_of_long_runs_are_checked_for_form_and_counts() -> None:
    from fuzz.__main__ import TARGETS

    rows = "".join(f"| `{name}` | `x` | 5,000 | 0 | 1 s | 2 ms |\n" for name in TARGETS)
    head = "| target | entry point | inputs tried | failing | time | slowest input |\n| --- |\n"
    total = 5000 * len(TARGETS)
    line = f"`python -m fuzz --examples 5000 --readme` on 2026-12-01: {total:,} inputs, 0 failing.\n"
    good = f"{head}{rows}\n{line}"
    assert figures.check_fuzz(good) == []
    assert figures.check_fuzz(good.replace(f"{total:,} inputs", "9 inputs"))  # does not add up
    assert figures.check_fuzz(good.replace("| 0 | 1 s", "| 2 | 1 s", 1))  # a failing input
    bench = ("| what | reference | other |\n| --- | --- | --- |\n| build | 1.8 s | - |\n\n"
             "Measured 01 Dec 2026 on this machine (2 cores, load average 2.7).\n")
    assert figures.check_corpus_bench(bench) == []
    assert figures.check_corpus_bench(bench.replace("1.8 s", "fast"))
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    decisive = text.split("<!-- decisive:start -->\n")[1].split("<!-- decisive:end -->")[0]
    assert figures.check_decisive(decisive) == []
    first = decisive.splitlines()[2]
    assert figures.check_decisive(decisive.replace(first, first.rsplit("|", 2)[0] + "| 99 |"))
    failing = good.replace(", 0 failing", ", 1 failing")
    block = f"<!-- fuzz-figures:start -->\n{failing}<!-- fuzz-figures:end -->\n"
    with pytest.raises(figures.Stale, match="block fuzz-figures"):
        figures.render(block, {}, {})


def test_the_performance_block_takes_counts_from_the_checkout_not_the_record() -> None:
    block = figures.performance_block(RECORD, (23, 389))
    assert "0.86 s median (23 indexes, 389 files)" in block  # the record's 21/326 are not shown
    assert "| 136 ms |" in block and "1 min 31 s (load average 1.7)" in block
    assert "same order for all 7,060 compatible variants" in block
    assert block.startswith("Measured on 1 Dec 2026")


def test_a_record_missing_a_timing_fails_the_check() -> None:
    figures.check_record(RECORD)
    broken = copy.deepcopy(RECORD)
    del broken["bench_select.py"]["median_s"]
    broken["runs"]["uv_s"] = "fast"
    with pytest.raises(figures.Stale, match=r"bench_select.py: median_s = None.*runs: uv_s = 'fast'"):
        figures.check_record(broken)


def _report(name: str, version: str, passed: int) -> dict[str, Any]:
    from conformance.report import build_report

    cases = [
        {"id": f"abi/x/{n}", "outcome": "passed", "reason": "", "clauses": ["pep825:ordering-step-1"],
         "duration": 0.1, "file": "abi/x.json", "op": "select", "status": "final", "requires": []}
        for n in range(passed)
    ] + [{"id": "corpus/m/1", "outcome": "skipped", "reason": "", "clauses": ["pep825:ordering-step-1"],
          "duration": 0.1, "file": "corpus/m.json", "op": "select", "status": "final", "requires": []}]
    return build_report(cases, {"name": name, "version": version}, duration=1.0, suite={}, environment={})


def test_check_fails_on_a_stale_results_table_and_passes_once_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for name in figures.ADAPTERS:
        version = "26.3" if name == "pip" else "1.0"
        (out / f"report-{name}.json").write_text(json.dumps(_report(name, version, 3)), encoding="utf-8")
    readme = tmp_path / "README.md"
    readme.write_text(
        "<!-- results:start -->\n| spec section | pip 23.2.1 |\n<!-- results:end -->\n"
        "<!-- corpus-results:start -->\nold\n<!-- corpus-results:end -->\n"
        "- mutation testing:\n\n  <!-- mutation:start -->\n  old\n  <!-- mutation:end -->\n"
        "<!-- performance:start -->\nold\n<!-- performance:end -->\n<!--fig:cases-->1<!--/fig-->\n",
        encoding="utf-8",
    )
    tools = tmp_path / "tools.md"
    tools.write_text("<!-- tool-results:start -->\nold\n<!-- tool-results:end -->\n", encoding="utf-8")
    record = tmp_path / "figures.json"
    record.write_text(json.dumps(RECORD), encoding="utf-8")
    monkeypatch.setattr(figures, "ROOT", tmp_path)
    monkeypatch.setattr(figures, "OUT", out)
    monkeypatch.setattr(figures, "README", readme)
    monkeypatch.setattr(figures, "TOOLS", tools)
    monkeypatch.setattr(figures, "RECORD", record)
    monkeypatch.setattr(figures, "fixture_counts", lambda: (23, 389))
    monkeypatch.setattr(figures, "counts", lambda: {"cases": "516"})
    assert figures.main(["--check"]) == 1
    captured = capsys.readouterr()
    assert "-| spec section | pip 23.2.1 |" in captured.out and "pip 26.3" in captured.out
    assert "figures are stale" in captured.err and "README.md, tools.md" in captured.err
    assert figures.main(["--write"]) == 0
    text = readme.read_text(encoding="utf-8")
    assert "pip 26.3" in text and "(23 indexes, 389 files)" in text
    assert "<!--fig:cases-->516<!--/fig-->" in text
    # the corpus table holds only the corpus cases of the same reports
    corpus = text.split("<!-- corpus-results:start -->\n")[1].split("<!-- corpus-results:end -->")[0]
    assert "| **total** | 0 / 0 / 1 |" in corpus
    assert "| **total** | 3 / 0 / 1 |" in tools.read_text(encoding="utf-8")
    assert "\n  | module | mutants |" in text and text.count("  <!-- mutation:end -->") == 1
    assert figures.main(["--check"]) == 0


def test_readme_marks_the_figures_it_quotes_from_runs() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    names = set(re.findall(r"<!--fig:([a-z0-9-]+)-->", text))
    assert {"cases", "credited", "context", "clauses", "must-covered", "gaps", "mutants-killed"} <= names
    for block in ("results", "corpus-results", "mutation", "performance", "decisive", "corpus-bench",
                  "fuzz-figures"):
        assert f"<!-- {block}:start -->" in text and f"<!-- {block}:end -->" in text
    assert "pip 23.2.1" not in text and "21 indexes, 326 files" not in text
