"""The conformance pytest plugin, run on small case sets with ``pytester``.

Each test writes a few case files (``<topic>/<behaviour>.json``) and an adapter
file, runs ``pytest -p conformance`` on them and checks the outcomes the
issue asks for: passed, failed (with a useful message), skipped with the
missing capability, expected deviation (strict), adapter error.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conformance.compare import compare, compared_keys
from conformance.workspace import resolve_locks

pytest_plugins = ["pytester"]

REPORT_SCHEMA = Path(__file__).parent.parent / "schemas" / "report.schema.json"

PARSED = {
    "distribution": "pkg",
    "version": "1.0",
    "build_tag": None,
    "python_tags": ["py3"],
    "abi_tags": ["none"],
    "platform_tags": ["any"],
    "variant_label": "null",
}

# An adapter whose behaviour each case picks through the filename it asks about.
ADAPTER = """
from conformance.adapters.base import AdapterInfo, Errored, Result, Skipped
from conformance.adapters.reference import ReferenceAdapter

class Scripted:
    OPTIONS = {"caps": "capabilities, comma-separated", "indirect": "capabilities reached indirectly"}

    def __init__(self, options=None):
        self.options = dict(options or {})
        caps = self.options.get("caps", "filename,clause-ids")
        self.caps = frozenset(c for c in caps.split(",") if c)
        self.indirect = frozenset(c for c in self.options.get("indirect", "").split(",") if c)
        self.reference = ReferenceAdapter()

    def info(self):
        return AdapterInfo(
            name="scripted", version="9.9", capabilities=self.caps, indirect=self.indirect,
            limitations={"hardware.nvidia": "it has no GPU to read"},
        )

    def run(self, op, input, workspace):
        name = input.get("filename", "")
        if name.startswith("skip-"):
            return Skipped("cannot simulate this")
        if name.startswith("err-"):
            return Errored("harness lost its way")
        if name.startswith("raise-"):
            raise RuntimeError("boom")
        if name.startswith("wrongclause-"):
            return Result({"valid": False, "clauses": ["pep825:something-else"]})
        if name.startswith("validonly-"):
            return Result({"valid": True}, observes=frozenset({"valid"}))
        if name.startswith("proj-"):
            value = self.reference.run(op, {"filename": name[len("proj-"):]}, workspace).value
            return Result(value, projection="asked in another form")
        assert workspace.tmp.is_dir() and not any(workspace.tmp.iterdir())
        assert workspace.clauses == ("pep825:null-label",)
        return self.reference.run(op, input, workspace)
"""

# The same adapter as a harness in another process, over the JSON-lines protocol.
HARNESS = """
import sys
from adapter import Scripted
from conformance.protocol import serve
options = dict(arg.split("=", 1) for arg in sys.argv[1:])
sys.exit(serve(Scripted(options), sys.stdin, sys.stdout))
"""

#: how the suite reaches the adapter: in-process, or through ``command:`` and the protocol.
VIA = pytest.mark.parametrize("via", ["python", "command"])


def case_file(tests: list[dict[str, Any]], requires: list[str] | None = None) -> str:
    return json.dumps(
        {
            "description": "a behaviour",
            "spec": [{"clause": "pep825:null-label"}],
            "source": "PEP 825 'Variant label'",
            "status": "final",
            "requires": requires if requires is not None else ["filename"],
            "tests": tests,
        }
    )


def filename_test(test_id: str, filename: str, expect: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": test_id,
        "description": test_id,
        "op": "filename",
        "input": {"filename": filename},
        "expect": expect,
    }


VALID = {"valid": True, "parsed": PARSED}
#: what a case expects of a name that breaks the null label rule.
INVALID = {"valid": False, "clauses": ["pep825:null-label"]}


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makefile(".py", adapter=ADAPTER, harness=HARNESS)
    (pytester.path / "cases" / "label").mkdir(parents=True)
    return pytester


def write(suite: pytest.Pytester, behaviour: str, tests: list[dict[str, Any]], **kw: Any) -> None:
    (suite.path / "cases" / "label" / f"{behaviour}.json").write_text(case_file(tests, **kw))


def run(
    suite: pytest.Pytester, *args: str, via: str = "python", options: tuple[str, ...] = ()
) -> tuple[pytest.RunResult, dict[str, Any]]:
    """Run the suite on the case files; *options* (``KEY=VALUE``) configure the adapter."""
    if via == "command":
        adapter = ["--adapter", f"command:{sys.executable} harness.py {' '.join(options)}"]
    else:
        adapter = [arg for option in options for arg in ("--adapter-option", option)]
    report = suite.path / "report.json"
    result = suite.runpytest(
        "-p",
        "conformance",
        "-p",
        "no:cacheprovider",
        "--conformance-cases",
        "cases",
        "--adapter",
        "adapter.py:Scripted",
        "--conformance-report",
        str(report),
        "cases",
        *adapter,
        *args,
    )
    data = json.loads(report.read_text()) if report.exists() else {}
    if data:
        jsonschema.validate(data, json.loads(REPORT_SCHEMA.read_text()))
    return result, data


def outcomes(report: dict[str, Any]) -> dict[str, str]:
    return {case["id"]: case["outcome"] for case in report["cases"]}


def test_pass_fail_and_report(suite: pytest.Pytester) -> None:
    write(
        suite,
        "null",
        [
            filename_test("good", "pkg-1.0-py3-none-any-null.whl", VALID),
            filename_test(
                "bad",
                "pkg-1.0-py3-none-any-null.whl",
                {"valid": True, "parsed": {**PARSED, "variant_label": "other"}},
            ),
        ],
    )
    result, report = run(suite)
    result.assert_outcomes(passed=1, failed=1)
    assert outcomes(report) == {"label/null/good": "passed", "label/null/bad": "failed"}
    assert report["adapter"]["name"] == "scripted" and report["adapter"]["version"] == "9.9"
    assert report["totals"]["passed"] == 1 and report["totals"]["failed"] == 1
    assert report["by_clause"]["pep825:null-label"]["total"] == 2
    assert report["by_section"]["pep825: Variant label"]["failed"] == 1
    # The failure shows the request, expected vs observed, and the clause with its sentence.
    text = result.stdout.str()
    assert "request:  op=filename" in text
    assert "expected:" in text and "observed:" in text
    assert "parsed: expected" in text
    assert "The label null is reserved" in text  # PEP 825 'Variant label' sentence of pep825:null-label


def test_case_ids_are_stable_node_names(suite: pytest.Pytester) -> None:
    write(suite, "null", [filename_test("good", "pkg-1.0-py3-none-any-null.whl", VALID)])
    result, _ = run(suite, "-v")
    result.stdout.fnmatch_lines(["*cases/label/null.json::good PASSED*"])


def test_missing_capability_skips_with_reason(suite: pytest.Pytester) -> None:
    write(
        suite,
        "null",
        [filename_test("good", "pkg-1.0-py3-none-any-null.whl", VALID)],
        requires=["filename", "hardware.tpu"],
    )
    result, report = run(suite, "-rs")
    result.assert_outcomes(skipped=1)
    assert outcomes(report) == {"label/null/good": "skipped"}
    assert report["cases"][0]["reason"] == "adapter scripted lacks capability hardware.tpu"


@VIA
def test_missing_capability_names_the_adapters_limitation(suite: pytest.Pytester, via: str) -> None:
    write(suite, "null", [filename_test("good", "pkg-1.0-py3-none-any-null.whl", VALID)],
          requires=["filename", "hardware.nvidia"])
    _, report = run(suite, via=via)
    assert report["cases"][0]["reason"] == (
        "adapter scripted lacks capability hardware.nvidia: it has no GPU to read"
    )


@VIA
def test_indirect_capability_hands_the_case_to_the_adapter(suite: pytest.Pytester, via: str) -> None:
    # A capability the tool lacks but the adapter reaches by turning the case: the
    # adapter runs it (here it skips it itself, with its own reason).
    write(suite, "null", [filename_test("skip", "skip-1.0-py3-none-any.whl", VALID)],
          requires=["filename", "hardware.nvidia"])
    _, report = run(suite, via=via, options=("indirect=hardware.nvidia",))
    assert report["cases"][0]["reason"] == "adapter scripted skipped: cannot simulate this"
    assert report["adapter"]["indirect"] == ["hardware.nvidia"]


@VIA
def test_projected_results_are_counted_apart(suite: pytest.Pytester, via: str) -> None:
    write(suite, "null", [
        filename_test("proj", "proj-pkg-1.0-py3-none-any-null.whl", VALID),
        filename_test("proj-wrong", "proj-pkg-1.0-py3-none-any-null.whl", INVALID),
        filename_test("plain", "pkg-1.0-py3-none-any-null.whl", VALID),
    ])
    result, report = run(suite, via=via)
    result.assert_outcomes(passed=2, failed=1)  # pytest sees a pass; the report tells them apart
    assert outcomes(report) == {
        "label/null/proj": "projected", "label/null/proj-wrong": "failed", "label/null/plain": "passed"
    }
    assert report["totals"]["projected"] == 1 and report["totals"]["passed"] == 1
    projections = {case["id"]: case["projection"] for case in report["cases"]}
    assert projections["label/null/proj-wrong"] == "asked in another form"
    assert projections["label/null/plain"] is None
    result.stdout.fnmatch_lines(["*topic*passed*projected*", "*label*1*1*1*"])


@VIA
def test_a_key_the_result_cannot_show_skips_the_case(suite: pytest.Pytester, via: str) -> None:
    # Result.observes: only validity; a case comparing parsed components is skipped,
    # one comparing validity alone is judged.
    write(suite, "null", [
        filename_test("parsed", "validonly-1.0-py3-none-any.whl", VALID),
        filename_test("validity", "validonly-1.0-py3-none-any.whl", INVALID),
    ])
    result, report = run(suite, via=via, options=("caps=filename",))
    result.assert_outcomes(skipped=1, failed=1)
    reasons = {case["id"]: case["reason"] for case in report["cases"]}
    assert reasons["label/null/parsed"].endswith("shows only valid; the case compares parsed")


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["one-process", "xdist"])
def test_adapter_skipped_and_errored(suite: pytest.Pytester, workers: tuple[str, ...]) -> None:
    # under pytest-xdist a worker's failure text starts with its own '[gw1] ...'
    # line: the outcome must not depend on that text
    write(
        suite,
        "null",
        [
            filename_test("skip", "skip-1.0-py3-none-any.whl", VALID),
            filename_test("err", "err-1.0-py3-none-any.whl", VALID),
            filename_test("raise", "raise-1.0-py3-none-any.whl", VALID),
        ],
    )
    result, report = run(suite, *workers)
    # Errored (and an exception escaping the adapter) is an error, never a pass.
    result.assert_outcomes(skipped=1, errors=2)
    assert outcomes(report) == {
        "label/null/skip": "skipped",
        "label/null/err": "adapter-error",
        "label/null/raise": "adapter-error",
    }
    assert report["totals"]["adapter-error"] == 2 and report["totals"]["error"] == 0
    reasons = {case["id"]: case["reason"] for case in report["cases"]}
    assert "cannot simulate this" in reasons["label/null/skip"]
    assert "harness lost its way" in reasons["label/null/err"]
    assert "RuntimeError: boom" in reasons["label/null/raise"]


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("capz=filename",
         "*adapter scripted has no option 'capz': did you mean 'caps'? (it reads: caps, indirect)*"),
        ("caps=filename,clause-idz", "*unknown capability 'clause-idz': did you mean 'clause-ids'?*"),
        ("caps=filename,providers.userstatic",
         "*unknown capability 'providers.userstatic': did you mean 'providers.user-static'?*"),
    ],
)
def test_unknown_option_or_capability_is_an_error_naming_the_closest(
    suite: pytest.Pytester, option: str, message: str
) -> None:
    write(suite, "null", [filename_test("good", "pkg-1.0-py3-none-any-null.whl", VALID)])
    result, report = run(suite, "--adapter-option", option)
    assert result.ret == pytest.ExitCode.USAGE_ERROR and not report
    result.stderr.fnmatch_lines([message])


def test_an_adapter_declaring_no_options_takes_none(suite: pytest.Pytester) -> None:
    write(suite, "null", [filename_test("good", "pkg-1.0-py3-none-any-null.whl", VALID)])
    result = suite.runpytest("-p", "conformance", "--conformance-cases", "cases", "--adapter", "reference",
                             "--adapter-option", "tiemout=5", "cases")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*adapter reference has no option 'tiemout'*(it reads: plugin-timeout)*"])


def unsettled_file(tests: list[dict[str, Any]]) -> str:
    data = json.loads(case_file([]))
    data["tests"] = [
        {**t, "status": "unsettled", "reading": t["id"]} if t["id"] in ("a", "b") else t for t in tests
    ]
    return json.dumps(data)


def test_write_expectations_records_the_readings_not_followed(suite: pytest.Pytester) -> None:
    invalid = {"valid": False, "clauses": ["pep825:null-label"]}
    (suite.path / "cases" / "label" / "null.json").write_text(unsettled_file([
        filename_test("a", "pkg-1.0-py3-none-any-null.whl", VALID),  # the reading the adapter follows
        filename_test("b", "pkg-1.0-py3-none-any-null.whl", invalid),  # the other reading
        filename_test("bug", "pkg-1.0-py3-none-any-null.whl", invalid),  # a plain failure
        filename_test("err", "err-1.0-py3-none-any.whl", VALID),
    ]))
    result, _ = run(suite, "--write-expectations", "new.toml")
    result.assert_outcomes(passed=1, failed=2, errors=1)
    stub = (suite.path / "new.toml").read_text()
    from reference._toml import loads

    assert loads(stub) == {
        "deviations": {"label/null/b": {"reason": "unsettled (reading 'b'): scripted follows reading 'a'"}}
    }
    assert '# [deviations."label/null/bug"]' in stub and "#   valid: expected false, observed true" in stub
    assert "#   label/null/err: adapter-error" in stub
    # with the stub, the reading not followed is a recorded deviation; the bug still fails
    result, report = run(suite, "--expectations", "new.toml")
    assert outcomes(report)["label/null/b"] == "expected-deviation"
    assert outcomes(report)["label/null/bug"] == "failed"
    # a stub never overwrites a file
    result, _ = run(suite, "--write-expectations", "new.toml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--write-expectations new.toml: the file exists*"])


def test_expectations_name_a_file_or_a_bundled_one(suite: pytest.Pytester) -> None:
    write(suite, "null", [filename_test("good", "pkg-1.0-py3-none-any-null.whl", VALID)])
    result, _ = run(suite, "--expectations", "missing.toml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*--expectations missing.toml: no such file*(pip, reference, uv, variantlib)*"]
    )
    result, report = run(suite, "--expectations", "reference")  # the bundled file: its ids name no case here
    assert report["stale_deviations"]


def test_expected_deviation_is_strict(suite: pytest.Pytester) -> None:
    write(
        suite,
        "null",
        [
            filename_test(
                "bad", "pkg-1.0-py3-none-any-null.whl", {"valid": False, "clauses": ["pep825:null-label"]}
            ),
            filename_test("good", "pkg-1.0-py3-none-any-null.whl", VALID),
        ],
    )
    (suite.path / "dev.toml").write_text(
        '[deviations."label/null/bad"]\nreason = "rejects nothing"\n'
        '[deviations."label/null/good"]\nreason = "was broken once"\n'
    )
    result, report = run(suite, "--expectations", "dev.toml")
    result.assert_outcomes(xfailed=1, failed=1)
    assert outcomes(report) == {"label/null/bad": "expected-deviation", "label/null/good": "failed"}
    assert "known deviation: rejects nothing" in report["cases"][0]["reason"]
    assert "now passes" in result.stdout.str()


def test_stale_deviation_fails_the_run(suite: pytest.Pytester) -> None:
    write(suite, "null", [filename_test("good", "pkg-1.0-py3-none-any-null.whl", VALID)])
    (suite.path / "dev.toml").write_text('[deviations."label/null/gone"]\nreason = "renamed"\n')
    result, report = run(suite, "--expectations", "dev.toml")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert report["stale_deviations"] == ["label/null/gone"]
    result.stdout.fnmatch_lines(["*stale expectation: label/null/gone*"])


def test_clause_ids_compared_only_when_the_adapter_reports_them(suite: pytest.Pytester) -> None:
    write(suite, "null", [filename_test("inv", "wrongclause-1.0-py3-none-any.whl", INVALID)])
    result, _ = run(suite)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*clauses: expected at least one of*"])
    result, _ = run(suite, "--adapter-option", "caps=filename")
    result.assert_outcomes(passed=1)


def test_unknown_adapter_is_a_clear_error(suite: pytest.Pytester) -> None:
    write(suite, "null", [filename_test("good", "pkg-1.0-py3-none-any-null.whl", VALID)])
    result = suite.runpytest(
        "-p", "conformance", "--conformance-cases", "cases", "--adapter", "nosuch", "cases"
    )
    # a usage error before any case runs, not one error per case
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown adapter 'nosuch'*"])


def test_invalid_case_file_is_a_collection_error(suite: pytest.Pytester) -> None:
    (suite.path / "cases" / "label" / "broken.json").write_text('{"description": "x"}')
    result, _ = run(suite)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*cannot load the cases*"])


def test_xdist_workers_share_one_report(suite: pytest.Pytester) -> None:
    write(suite, "null", [filename_test(f"t{i}", "pkg-1.0-py3-none-any-null.whl", VALID) for i in range(6)])
    result, report = run(suite, "-n", "2")
    result.assert_outcomes(passed=6)
    assert report["totals"]["passed"] == 6 and len(report["cases"]) == 6


# -- compare(): only keys in expect; sets as sets; informative keys ignored ------
def test_compare_only_keys_present_in_expect() -> None:
    assert (
        compare("select", {"selected": "a.whl"}, {"selected": "a.whl", "ranked": ["a.whl"]}, clause_ids=True)
        == []
    )
    assert compare("select", {"selected": "a.whl"}, {"ranked": []}, clause_ids=True)


def test_compare_marker_sets_ignore_order() -> None:
    # PEP 825 "Environment markers": variant_properties etc. are sets.
    want = {
        "markers": {
            "variant_label": "x",
            "variant_properties": ["a :: b :: c", "a :: d :: e"],
            "variant_features": [],
            "variant_namespaces": ["a"],
        }
    }
    got = {
        "markers": {
            "variant_label": "x",
            "variant_properties": ["a :: d :: e", "a :: b :: c"],
            "variant_features": [],
            "variant_namespaces": ["a"],
        }
    }
    assert compare("select", want, got, clause_ids=True) == []


def test_compare_informative_keys_and_names() -> None:
    informative = {"selected": None, "clauses": ["x:y"]}
    assert compare("select", informative, {"selected": None}, clause_ids=True) == []
    assert (
        compare(
            "install",
            {"installed": {"Foo_Bar": "f.whl"}},
            {"installed": {"foo-bar": "f.whl"}},
            clause_ids=True,
        )
        == []
    )
    assert compare(
        "combine", {"consistent": False, "clauses": ["a:b"]}, {"consistent": True}, clause_ids=False
    )


def test_command_transport_through_the_plugin(suite: pytest.Pytester) -> None:
    write(suite, "null", [filename_test("good", "pkg-1.0-py3-none-any-null.whl", VALID)])
    _, report = run(suite, "--adapter", f"command:{sys.executable} -m conformance.harness_example")
    assert outcomes(report) == {"label/null/good": "passed"}
    assert report["adapter"]["name"] == "reference-via-command"


def test_select_over_http_against_built_fixtures(suite: pytest.Pytester) -> None:
    # PEP 825 'Index-level metadata' example world (fixtures/indexes/pep825-foo.toml) on an
    # x86-64-v3 + OpenBLAS profile: x86_64_v4_mkl is unsupported, and the v3 OpenBLAS variant
    # sorts before the null variant ('Variant ordering': the null variant comes last).
    select = {
        "id": "pep503",
        "description": "pep503",
        "op": "select",
        "requires": ["select", "index.pep503"],
        "input": {"index": "pep825-foo", "profile": "case-x86-64-v3-openblas", "requirement": "foo==1.2.3"},
        "expect": {"selected": "foo-1.2.3-py3-none-any-x86_64_v3_openblas.whl"},
    }
    write(suite, "http", [select], requires=["select"])
    _, report = run(suite, "--adapter", "reference")
    assert outcomes(report) == {"label/http/pep503": "passed"}


def _resolve_one_wheel(tmp_path: Path, wheels: str, tool: str = "", manifest: str = "") -> tuple[Path, Any]:
    """Resolve a one-package lock of index "world" (its ``wheels`` and extra tool tables given).

    :returns: the output directory and the lock's first wheel entry as resolved.
    """
    from reference._toml import loads

    source = tmp_path / "locks"
    source.mkdir()
    (source / "one.toml").write_text(
        f'lock-version = "1.0"\n[[packages]]\nname = "foo"\nversion = "1"\nwheels = [{wheels}]\n'
        f'[tool.conformance]\nindex = "world"\n{tool}'
    )
    fixtures = tmp_path / "fx"
    (fixtures / "world" / "flat").mkdir(parents=True)
    (fixtures / "world" / "flat" / "foo-1-py3-none-any.whl").write_bytes(b"wheel bytes")
    if manifest:
        (fixtures / "manifest.json").write_text(json.dumps({"world": {"foo-1-py3-none-any.whl": manifest}}))
    out = resolve_locks(source, fixtures, tmp_path / "out")
    return out, loads((out / "one.toml").read_text())["packages"][0]["wheels"][0]


def test_resolve_locks_makes_urls_absolute_and_fills_hashes(tmp_path: Path) -> None:
    _, wheel = _resolve_one_wheel(
        tmp_path, '{ url = "flat/foo-1-py3-none-any.whl", hashes = {} }', manifest="ab" * 32
    )
    flat = tmp_path / "fx" / "world" / "flat"
    assert wheel["url"] == (flat / "foo-1-py3-none-any.whl").resolve().as_uri()
    assert wheel["hashes"] == {"sha256": "ab" * 32}


def test_resolve_locks_fills_hashes_by_name_for_entries_without_a_usable_source(tmp_path: Path) -> None:
    _, wheel = _resolve_one_wheel(
        tmp_path, '{ name = "foo-1-py3-none-any.whl", url = 1, hashes = {} }', manifest="cd" * 32
    )
    assert wheel == {"name": "foo-1-py3-none-any.whl", "url": 1, "hashes": {"sha256": "cd" * 32}}


def test_resolve_locks_keeps_a_missing_hashes_key_missing(tmp_path: Path) -> None:
    _, wheel = _resolve_one_wheel(tmp_path, '{ url = "flat/foo-1-py3-none-any.whl" }', manifest="ab" * 32)
    assert "hashes" not in wheel


def test_resolve_locks_copies_path_files_beside_the_lock(tmp_path: Path) -> None:
    # A relative `path` is relative to the lock's directory (pylock.toml specification):
    # [tool.conformance.files] puts the file there, and empty hashes get its sha256.
    out, wheel = _resolve_one_wheel(
        tmp_path, '{ path = "one.files/blob", name = "foo-1-py3-none-any.whl", hashes = {} }',
        tool='[tool.conformance.files]\n"one.files/blob" = "flat/foo-1-py3-none-any.whl"\n',
    )
    assert wheel["path"] == "one.files/blob"
    assert (out / "one.files" / "blob").read_bytes() == b"wheel bytes"
    assert wheel["hashes"] == {"sha256": hashlib.sha256(b"wheel bytes").hexdigest()}


def test_resolve_locks_refuses_files_outside_the_lock_directory(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a path inside"):
        _resolve_one_wheel(
            tmp_path, '{ url = "flat/foo-1-py3-none-any.whl", hashes = {} }',
            tool='[tool.conformance.files]\n"../escape" = "flat/foo-1-py3-none-any.whl"\n',
        )


def test_compare_accepts_python_sets_and_tuples() -> None:
    # An in-process adapter may answer with Python sets/tuples; they compare as JSON lists.
    want = {"valid": True, "parsed": {**PARSED}}
    got = {"valid": True, "parsed": {**PARSED, "python_tags": ("py3",), "abi_tags": {"none"}}}
    assert compare("filename", want, got, clause_ids=True) == []


def test_compare_any_of_passes_on_each_allowed_outcome_only() -> None:
    # depspec:string-legacy lets a tool give False or fail: both pass, True does not.
    want = {"any_of": [{"result": False}, {"error": True, "clauses": ["depspec:string-legacy"]}]}
    assert compare("markers", want, {"result": False}, clause_ids=True) == []
    error = {"error": True, "clauses": ["depspec:string-legacy"]}
    assert compare("markers", want, error, clause_ids=True) == []
    assert compare("markers", want, {"error": True, "clauses": ["x:y"]}, clause_ids=False) == []
    problems = compare("markers", want, {"result": True}, clause_ids=True)
    assert problems and problems[0].startswith("none of the allowed outcomes matched")
    assert compare("markers", want, {"error": True, "clauses": ["x:y"]}, clause_ids=True)
    assert compared_keys("markers", want, clause_ids=True) == {"result", "error", "clauses"}
    assert compared_keys("markers", want, clause_ids=False) == {"result", "error"}
