"""The HTML compliance report: rendered from real reports, then read in a real headless browser.

The reports come from real runs of the suite on one topic: the reference, and a
mutant of it that orders namespaces alphabetically (so some cases fail). The
browser test drives Debian's ``chromium`` through its ``chromedriver`` with
selenium: it checks the matrix numbers against the JSON totals, opens a failing
case and saves screenshots under ``out/``.  ``.ci/run`` installs both; without
them the browser test is skipped, except under CI (``CI`` set), where it fails.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance.report import main
from conformance.report_html import outcomes_of, render_html, statuses_of

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "out"
MUTANT = "mutant:namespace-priority-ignored"


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Reports of the reference and of a mutant on the ordering cases (real runs, in subprocesses)."""
    folder = tmp_path_factory.mktemp("reports")
    paths = []
    for adapter in ("reference", MUTANT):
        path = folder / f"{adapter.replace(':', '-')}.json"
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "--pyargs", "conformance", "-q", "-p", "no:cacheprovider",
             "-k", "ordering", "--adapter", adapter, "--conformance-report", str(path)],
            cwd=folder, capture_output=True, text=True, timeout=600, check=False,
        )
        assert path.is_file(), done.stdout[-2000:] + done.stderr[-2000:]
        paths.append(path)
    return paths


def _load(paths: list[Path]) -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in paths]


def test_the_mutant_report_has_failures_to_show(reports: list[Path]) -> None:
    reference, mutant = _load(reports)
    assert reference["totals"]["failed"] == 0 and reference["totals"]["passed"] > 50
    assert mutant["totals"]["failed"] > 0
    failed = next(c for c in mutant["cases"] if c["outcome"] == "failed")
    assert failed["expect"] and failed["observed"] != failed["expect"] and failed["input"]["profile"]


def test_any_outcome_the_json_has_is_counted_and_shown(reports: list[Path]) -> None:
    reference, _ = _load(reports)
    newer = json.loads(json.dumps(reference))
    case = newer["cases"][0]
    case["outcome"] = "projected"
    newer["totals"]["passed"] -= 1
    newer["totals"]["projected"] = 1
    newer["cases"].append({**case, "id": case["id"] + "-x", "outcome": "brand-new"})
    newer["totals"]["brand-new"] = 1
    assert outcomes_of([newer])[:2] == ["passed", "projected"] and "brand-new" in outcomes_of([newer])
    page = render_html([newer])
    assert 'data-outcome="projected"' in page and "passed on a projected form" in page
    assert 'data-outcome="brand-new"' in page and "brand-new: an outcome this page version" in page


def test_every_case_status_has_a_row_with_its_outcomes(reports: list[Path]) -> None:
    reference, mutant = _load(reports)
    # the ordering cases hold several statuses; give one case each status the schema knows
    schema = json.loads((ROOT / "schemas" / "case.schema.json").read_text(encoding="utf-8"))
    known = schema["$defs"]["status"]["enum"]
    for case, status in zip(mutant["cases"], known, strict=False):
        case["status"] = status
    assert statuses_of([mutant])[: len(known)] == known
    page = render_html([reference, mutant])
    for status in statuses_of([reference, mutant]):
        for index, report in enumerate((reference, mutant)):
            where = rf'<td class="cell [a-z]+" data-adapter="{index}" data-status="{status}">(.*?)</td>'
            cell = re.search(where, page, re.S)
            assert cell, (status, index)
            shown = dict((o, int(n)) for o, n in re.findall(r'data-outcome="([a-z-]+)"[^>]*>(\d+)<', cell[1]))
            wanted: dict[str, int] = {}
            for case in report["cases"]:
                if case["status"] == status:
                    wanted[case["outcome"]] = wanted.get(case["outcome"], 0) + 1
            assert shown == wanted, (status, index)


def test_the_page_is_self_contained_and_escapes_what_tools_print(reports: list[Path]) -> None:
    reference, mutant = _load(reports)
    failed = next(c for c in mutant["cases"] if c["outcome"] == "failed")
    failed["reason"] = "<script>alert(1)</script> & <img src=x>"
    page = render_html([reference, mutant])
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=x&gt;" in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page), "nothing may be loaded from the network"
    assert "default-src 'none'" in page  # the page forbids itself any load


def test_the_command_writes_one_file_and_rejects_a_non_report(reports: list[Path], tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "page" / "report.html"
    assert main(["--html", str(out), *map(str, reports)]) == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in out.parent.iterdir()) == ["report.html"]
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    assert main(["--html", str(tmp_path / "no.html"), str(bad)]) == 2
    assert "not a conformance report" in capsys.readouterr().err
    assert not (tmp_path / "no.html").exists()


# ---------------------------------------------------------------------------
# in a real browser
# ---------------------------------------------------------------------------
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--window-size=1300,1400",
)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not (chromium and driver):
        message = "Debian's chromium and chromium-driver are not installed (bash .ci/run installs them)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    session = webdriver.Chrome(options=options, service=Service(driver))
    try:
        yield session
    finally:
        session.quit()


def _numbers(cell: Any) -> dict[str, int]:
    from selenium.webdriver.common.by import By

    numbers = cell.find_elements(By.CSS_SELECTOR, ".nums .n")
    return {n.get_attribute("data-outcome"): int(n.text) for n in numbers}


def test_in_a_browser_the_matrix_equals_the_json_and_a_failing_case_opens(
    reports: list[Path], browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    data = _load(reports)
    page = tmp_path / "report.html"
    assert main(["--html", str(page), *map(str, reports)]) == 0
    browser.get(page.as_uri())
    assert browser.title.startswith("Wheel-variant conformance")
    OUT.mkdir(exist_ok=True)
    browser.save_screenshot(str(OUT / "report-html.png"))

    cells = browser.find_elements(By.CSS_SELECTOR, "table.matrix td.cell")
    assert len(cells) == len(data) * (len({k for r in data for k in r["by_section"]}) + 1)
    for cell in cells:
        report = data[int(cell.get_attribute("data-adapter"))]
        section = cell.get_attribute("data-section")
        row = report["totals"] if section == "total" else report["by_section"].get(section, {})
        expected = {o: row[o] for o in outcomes_of(data) if row.get(o)}
        assert _numbers(cell) == expected, (report["adapter"]["name"], section)
    for row in browser.find_elements(By.CSS_SELECTOR, "table.tools tbody tr"):
        totals = data[int(row.get_attribute("data-adapter"))]["totals"]
        shown = _numbers(row.find_element(By.CSS_SELECTOR, "td.totals"))
        assert shown == {o: totals[o] for o in outcomes_of(data) if totals.get(o)}
    for cell in browser.find_elements(By.CSS_SELECTOR, "table.statuses td.cell"):
        report = data[int(cell.get_attribute("data-adapter"))]
        status = cell.get_attribute("data-status")
        expected = {}
        for case in report["cases"]:
            if case["status"] == status:
                expected[case["outcome"]] = expected.get(case["outcome"], 0) + 1
        assert _numbers(cell) == expected, (report["adapter"]["name"], status)
    # nothing was loaded from anywhere: the page has no resources besides itself
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0

    # open a failing case from the clause list, as a reader would: the link opens it
    failing = next(c for c in data[1]["cases"] if c["outcome"] == "failed")
    clause = browser.find_element(By.ID, f"clause:{failing['clauses'][0]}")
    clause.find_element(By.TAG_NAME, "summary").click()
    clause.find_element(By.CSS_SELECTOR, f"a[href$='{failing['id']}']").click()
    case = browser.find_element(By.ID, f"case:{failing['id']}")
    assert case.get_attribute("open") is not None and case.is_displayed()
    failed_tool = case.find_element(By.CSS_SELECTOR, ".tool[data-outcome='failed']")
    text = failed_tool.text
    assert "failed" in text and failing["id"] in failed_tool.find_element(By.CSS_SELECTOR, ".reason").text
    observed = json.loads(failed_tool.find_element(By.CSS_SELECTOR, ".observed").text)
    assert observed == failing["observed"] != failing["expect"]
    assert failing["input"]["profile"] in case.text and "expected" in case.text
    browser.execute_script("arguments[0].scrollIntoView()", case)
    browser.save_screenshot(str(OUT / "report-html-failing-case.png"))
