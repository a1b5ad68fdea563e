"""``python -m conformance mutation-test`` end to end, on a tiny target.

mutmut mutates ``reference/format/versions.py`` (a dozen mutants) and runs the
suite's ``metadata/schema-version.json`` cases against each: a real run of the
tool, in a temporary work directory, in about ten seconds. The full run over
the reference's decision code is not run here (see docs/strength.md).

The function mutated, ``schema_version(url)``, answers ``(-1, -1, -1)`` for a
URL without a version. Turning the membership test ``url in KNOWN_SCHEMAS``
into ``not in`` makes every known URL raise ``KeyError``: killed by any case.
Mutants that ``mypy --strict`` rejects (``search(None)``) are counted apart
and never run. Changing the sentinel's patch number to ``-2`` cannot be seen: a major version
of -1 is rejected whatever the minor and patch say, so that mutant survives
(an equivalent mutant), and the survivors file must say so.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.__main__ import main
from conformance.mutation_report import load_survivors, markdown_table

ROOT = Path(__file__).resolve().parent.parent
TARGET = "reference/format/versions.py"
CASES = "conformance/cases/metadata/schema-version.json"


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    work = tmp_path_factory.mktemp("mutation")
    status = main([
        "mutation-test", "--workdir", str(work / "w"), "--survivors", str(work / "none.toml"),
        "--only-mutate", TARGET, "--cases", CASES, "--max-children", "2",
        "--draft", str(work / "draft.toml"),
    ])
    return work, status


def _report(work: Path) -> dict:
    return json.loads((work / "w" / "report.json").read_text(encoding="utf-8"))


def test_a_real_run_kills_the_membership_mutant_and_reports_the_equivalent_one(first_run) -> None:
    work, status = first_run
    report = _report(work)
    assert status == 1  # survivors, none listed
    assert [m["module"] for m in report["modules"]] == [TARGET]
    assert report["tool"]["name"] == "mutmut"
    assert report["cases"] == [CASES]
    statuses = report["mutants"]
    flipped = [i for i, s in statuses.items() if s == "killed"]
    assert flipped, statuses
    survivors = {s["now"]: s for s in report["survivors"]}
    sentinel = survivors["return (-1, -1, -2)"]
    assert sentinel["status"] == "survived"
    assert sentinel["was"] == "return (-1, -1, -1)"
    source = (ROOT / TARGET).read_text(encoding="utf-8").splitlines()
    assert source[sentinel["line"] - 1].strip() == "return (-1, -1, -1)"  # the line in the original file
    assert sentinel["id"] in report["check"]["unlisted"]
    row = report["modules"][0]
    counted = row["killed"] + row["survived"] + row["no_tests"] + row["other"]
    assert row["scored"] == counted
    assert row["generated"] == len(statuses) == counted + row["type_rejected"] + row["excluded"]
    # mypy --strict rejects the mutants that pass None for the URL or drop the fallback
    assert row["type_rejected"] == sum(s == "caught by type check" for s in statuses.values()) > 0
    assert 0 < row["score"] < 1


def test_listing_every_survivor_passes_and_a_stale_entry_fails(first_run, capsys) -> None:
    work, _ = first_run
    draft = (work / "draft.toml").read_text(encoding="utf-8")
    assert draft.count("[[survivor]]") == len(_report(work)["survivors"])
    listed = work / "listed.toml"
    listed.write_text(
        '[kinds]\nequivalent = "the same outcome for every input"\n\n'
        + draft.replace('kind = "TODO"', 'kind = "equivalent"').replace('why = "TODO"', 'why = "test"'),
        encoding="utf-8",
    )
    assert len(load_survivors(listed).entries) == len(_report(work)["survivors"])
    args = ["mutation-test", "--workdir", str(work / "w"), "--report-only", "--survivors", str(listed)]
    assert main(args) == 0
    assert _report(work)["check"] == {"ok": True, "unlisted": [], "stale": []}

    ghost = "reference.format.versions.x_schema_version__mutmut_999"
    listed.write_text(
        listed.read_text(encoding="utf-8")
        + f'\n[[survivor]]\nid = "{ghost}"\nnow = "return None"\nkind = "equivalent"\nwhy = "gone"\n',
        encoding="utf-8",
    )
    assert main(args) == 1
    assert _report(work)["check"]["stale"] == [{"id": ghost, "problem": "no such mutant in this run"}]
    assert f"STALE    {ghost}" in capsys.readouterr().out


def test_the_readme_table_comes_from_the_report(first_run, capsys) -> None:
    work, _ = first_run
    capsys.readouterr()
    assert main(["mutation-test", "--table", str(work / "w" / "report.json")]) == 0
    table = capsys.readouterr().out
    assert table.splitlines()[0].startswith("| module | mutants |")
    assert f"| `format/versions.py` | {len(_report(work)['mutants'])} |" in table


def test_the_readme_table_is_rendered_from_the_committed_summary() -> None:
    # The README's mutation table is printed by `mutation-test --table docs/mutation-summary.json`,
    # the summary the last full run wrote with --summary: never typed by hand.
    summary = json.loads((ROOT / "docs" / "mutation-summary.json").read_text(encoding="utf-8"))
    table = markdown_table(summary).rstrip("\n").split("\n")
    indented = "\n".join(f"  {line}" if line else "" for line in table)
    assert indented in (ROOT / "README.md").read_text(encoding="utf-8")
    assert summary["check"]["ok"], "the summary was written with unlisted or stale survivors"


def test_the_three_scores_leave_out_what_no_correct_case_could_kill() -> None:
    # 10 scored mutants: 6 killed, 4 survivors listed as a message (neutral), an unspecified
    # behaviour (open), an out-of-scope rule and a gap. The score counts every survivor; the score
    # on decisions leaves out the message; the score on what the texts decide also leaves out the
    # unspecified one, and keeps the two a case could kill.
    from conformance.mutation import MutantRecord
    from conformance.mutation_report import Listed, Survivors, build_report

    module = "reference/format/demo.py"
    records = [MutantRecord(f"m{i}", module, "f", "killed") for i in range(6)]
    kinds = ["message", "unspecified", "out-of-scope", "gap"]
    records += [MutantRecord(f"s{i}", module, "f", "survived", now="b") for i in range(4)]
    survivors = Survivors(
        {kind: kind for kind in kinds},
        {f"s{i}": Listed(f"s{i}", "b", kind, "why") for i, kind in enumerate(kinds)},
    )
    report = build_report(records, survivors, {})
    assert report["check"]["ok"]
    row = report["modules"][0]
    assert (row["neutral"], row["open"]) == (1, 1)
    assert (row["score"], row["decision_score"], row["decided_score"]) == (0.6, round(6 / 9, 4), 0.75)
    table = markdown_table(build_report(records, survivors, {"target": 0.9}))
    assert "| 60.0 % | 66.7 % | 75.0 % |" in table
