"""``python -m conformance mutation-test``: the reference mutated by a real tool, the suite as the test.

``python -m conformance mutants`` runs the project's own table of 60 mistakes,
written together with the cases that catch them. This command measures the
suite by mistakes nobody here chose: mutmut 3 (the ``mutation`` extra) mutates
the reference's decision code — the format rules, combination, ordering,
selection, the providers steps, ``abi_dependency``, markers and selection from
a lock (``[tool.mutmut] only_mutate`` in ``pyproject.toml``) — and the test
command is the conformance suite against the reference adapter, the suite
installers get (never ``tests/``).

How mutmut runs it: every function of the scope is copied once per mutant next
to the original, behind a trampoline that picks the active mutant. One run of
the whole suite records which cases execute which function (the *stats*); then
each mutant runs, in a process forked from the warm one, only the cases that
execute its function, stopping at the first failing case (``-x``). A mutant is
*killed* when a case fails or errors, a *timeout* when the cases hang (also a
kill: the suite does not pass), *survived* when every case passes, and *no
tests* when no case executes its function at all (a survivor as well).

The work directory (``--workdir``, default ``out/mutation``) holds:

- ``pyproject.toml``: the project's ``[tool.mutmut]`` and pytest settings, with
  this run's scope (``--only-mutate``) and cases (``--cases``);
- ``reference``, ``conformance``, ``fixtures``, ``schemas``: links to the tree
  (mutmut copies them into ``mutants/``);
- ``mutants/``: mutmut's mutated copy and its results (``cd out/mutation &&
  mutmut show ID`` shows a mutant, ``mutmut browse`` all of them);
- ``mutmut.log``: the tool's output; ``report.json`` and ``report.md``: the
  report (:mod:`conformance.mutation_report`), with every survivor checked
  against ``conformance/mutation-survivors.toml``.

The fixtures are built once (``--fixtures-dir`` through ``PYTEST_ADDOPTS``) and
pytest's temporary directories go to a scratch directory of the run (in
``/dev/shm`` when there is one), so a mutant costs a fork and its cases only.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import dataclasses
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "ROOT",
    "LoadSampler",
    "MutantRecord",
    "add_arguments",
    "collect",
    "prepare",
    "run",
    "run_tool",
    "tool_config",
]

ROOT = Path(__file__).resolve().parent.parent
#: what the work directory links to: the code to mutate, the suite and what it reads.
LINKED = ("reference", "conformance", "fixtures", "schemas")
DEFAULT_WORKDIR = ROOT / "out" / "mutation"
DEFAULT_SURVIVORS = ROOT / "conformance" / "mutation-survivors.toml"

#: mutmut's name for a mutant is ``module.mangled__mutmut_N``; the mangled name of
#: a method is ``xǁClassǁmethod``, of a function ``x_function``.
_CLASS_SEPARATOR = "ǁ"
_DEF_NAME = re.compile(r"def \S+?\(")


# ---------------------------------------------------------------------------
# configuration and the work directory
# ---------------------------------------------------------------------------
def _read_toml(path: Path) -> dict[str, Any]:
    from reference._toml import loads

    return loads(path.read_text(encoding="utf-8"))


def tool_config(pyproject: Path = ROOT / "pyproject.toml") -> dict[str, Any]:
    """The project's ``[tool.mutmut]`` table."""
    try:
        return dict(_read_toml(pyproject)["tool"]["mutmut"])
    except KeyError:
        raise SystemExit(f"error: {pyproject} has no [tool.mutmut] table") from None


def prepare(
    workdir: Path,
    *,
    only_mutate: Sequence[str] | None = None,
    cases: Sequence[str] | None = None,
    fresh: bool = True,
) -> dict[str, Any]:
    """Lay out *workdir* for one run; returns the ``[tool.mutmut]`` it uses.

    :param only_mutate: glob patterns of the files to mutate (default: the project's).
    :param cases: what pytest collects, paths relative to the tree (default: the project's).
    :param fresh: remove the results of an earlier run (otherwise mutmut reuses
        them: only functions whose source changed are mutated and run again).
    """
    import tomli_w

    project = _read_toml(ROOT / "pyproject.toml")
    config = tool_config()
    if only_mutate:
        config["only_mutate"] = list(only_mutate)
    if cases:
        config["pytest_add_cli_args_test_selection"] = list(cases)
    workdir.mkdir(parents=True, exist_ok=True)
    if fresh:
        shutil.rmtree(workdir / "mutants", ignore_errors=True)
    for name in LINKED:
        link = workdir / name
        if link.is_symlink() or link.exists():
            if link.is_symlink() and link.resolve() == (ROOT / name).resolve():
                continue
            raise SystemExit(f"error: {link} exists and is not a link to {ROOT / name}")
        link.symlink_to(ROOT / name, target_is_directory=True)
    document = {"tool": {"mutmut": config}}
    for tool in ("pytest", "mypy"):  # the suite's settings; mypy's for the type check of the mutants
        settings = project.get("tool", {}).get(tool)
        if settings:
            document["tool"][tool] = dict(settings)
    if "mypy" in document["tool"]:
        # mutmut marks its generated trampoline lines with a bare "# type: ignore"
        mypy = document["tool"]["mypy"]
        codes = mypy.get("enable_error_code", [])
        mypy["enable_error_code"] = [c for c in codes if c != "ignore-without-code"]
        mypy["warn_unused_ignores"] = False
    (workdir / "pyproject.toml").write_text(tomli_w.dumps(document), encoding="utf-8")
    return config


# ---------------------------------------------------------------------------
# running the tool
# ---------------------------------------------------------------------------
class LoadSampler:
    """The machine's 1-minute load average, sampled every *interval* seconds while in a ``with`` block."""

    def __init__(self, interval: float = 15.0) -> None:
        self.interval = interval
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while True:
            with contextlib.suppress(OSError):
                self.samples.append(os.getloadavg()[0])
            if self._stop.wait(self.interval):
                return

    def __enter__(self) -> LoadSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> dict[str, float]:
        if not self.samples:
            return {}
        return {
            "mean": round(sum(self.samples) / len(self.samples), 2),
            "max": round(max(self.samples), 2),
        }


def _scratch_parent() -> str | None:
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


def _mutmut_command() -> list[str]:
    # ``python -m mutmut`` re-executes mutmut's __main__ (it warns); import it instead.
    return [sys.executable, "-c", "import sys; from mutmut.__main__ import cli; sys.exit(cli())"]


def run_tool(
    workdir: Path,
    *,
    max_children: int,
    names: Sequence[str] = (),
    log: Path,
    fixtures: Path | None = None,
) -> int:
    """``mutmut run`` in *workdir* (only the mutants *names*, if given); returns its exit status.

    :param fixtures: built fixture indexes (default: built, or reused, by
        :func:`conformance.mutants.fixtures_dir`).
    """
    from conformance.mutants import fixtures_dir

    built = fixtures or fixtures_dir()
    scratch = tempfile.mkdtemp(prefix="conformance-mutation-", dir=_scratch_parent())
    env = dict(os.environ)
    env["PYTEST_ADDOPTS"] = " ".join(
        filter(None, [env.get("PYTEST_ADDOPTS", ""), f"--fixtures-dir={built}"])
    )
    env["TMPDIR"] = scratch  # pytest's numbered temporary directories, one run's own
    # the type check (mypy) is run by name: this interpreter's scripts first
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    command = [*_mutmut_command(), "run", "--max-children", str(max_children), *names]
    try:
        with open(log, "a", encoding="utf-8") as out:
            out.write(f"\n$ {' '.join(command[3:])}\n")
            out.flush()
            return subprocess.run(command, cwd=workdir, env=env, stdout=out, stderr=subprocess.STDOUT,
                                  check=False).returncode
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# ---------------------------------------------------------------------------
# reading the results
# ---------------------------------------------------------------------------
@dataclass
class MutantRecord:
    """One mutant and its verdict.

    :param id: mutmut's name (``reference.format.filename.x_check_label__mutmut_3``).
    :param module: the mutated file (``reference/format/filename.py``).
    :param status: ``killed``, ``timeout``, ``survived``, ``no tests``,
        ``suspicious``, ``not checked``... (mutmut's words).
    :param line: the line of the original file the mutation changes.
    :param was: the original line(s), stripped.
    :param now: the mutated line(s), stripped: with *id*, what identifies the
        mutant in the survivors file.
    """

    id: str
    module: str
    function: str
    status: str
    seconds: float | None = None
    line: int | None = None
    was: str = ""
    now: str = ""

    @property
    def killed(self) -> bool:
        return self.status in ("killed", "timeout")

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _function_name(mutant_id: str) -> str:
    """``x_check_label`` -> ``check_label``; ``xǁWheelFilenameǁparse`` -> ``WheelFilename.parse``."""
    mangled = mutant_id.rpartition(".")[2].partition("__mutmut_")[0]
    if mangled.startswith("x" + _CLASS_SEPARATOR):
        _, cls, method = mangled.split(_CLASS_SEPARATOR)
        return f"{cls}.{method}"
    return mangled.removeprefix("x_")


def _functions(tree: ast.AST) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    """Top-level functions and methods by name (``f``, ``Class.m``)."""
    found: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
    for node in getattr(tree, "body", []):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found[node.name] = node
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    found[f"{node.name}.{item.name}"] = item
    return found


class _MutatedFile:
    """A file of ``mutants/``: the original copy and every mutant of each function."""

    def __init__(self, mutated: Path, original: Path) -> None:
        self.lines = mutated.read_text(encoding="utf-8").splitlines()
        self.functions = _functions(ast.parse("\n".join(self.lines)))
        self.original = _functions(ast.parse(original.read_text(encoding="utf-8")))

    def _body(self, name: str) -> list[str] | None:
        key = name
        if name not in self.functions:  # a method: its copies are named xǁClassǁmethod__mutmut_N
            key = next((k for k in self.functions if k.endswith("." + name)), name)
        node = self.functions.get(key)
        if node is None or node.end_lineno is None:
            return None
        body = self.lines[node.lineno - 1:node.end_lineno]
        body[0] = _DEF_NAME.sub("def _(", body[0], count=1)  # the copies' names differ
        return body

    def change(self, mutant_id: str) -> tuple[int | None, str, str]:
        """(line in the original file, original line(s), mutated line(s))."""
        generated = mutant_id.rpartition(".")[2]
        orig = self._body(generated.partition("__mutmut_")[0] + "__mutmut_orig")
        mutant = self._body(generated)
        if orig is None or mutant is None:
            return None, "", ""
        matcher = difflib.SequenceMatcher(a=orig, b=mutant, autojunk=False)
        changed = [op for op in matcher.get_opcodes() if op[0] != "equal"]
        if not changed:
            return None, "", ""
        first = changed[0][1] - 1  # lines after the def line
        was = " / ".join(orig[i].strip() for op in changed for i in range(op[1], op[2]))
        now = " / ".join(mutant[j].strip() for op in changed for j in range(op[3], op[4]))
        source = self.original.get(_function_name(mutant_id))
        line = source.lineno + 1 + first if source is not None else None
        return line, was, now


def _status_by_exit_code() -> Any:
    from mutmut.stats import status_by_exit_code

    return status_by_exit_code


def collect(workdir: Path) -> list[MutantRecord]:
    """Every mutant of the last run in *workdir*, with its verdict and, unless killed, its change."""
    statuses = _status_by_exit_code()
    mutants = workdir / "mutants"
    records: list[MutantRecord] = []
    for meta in sorted(mutants.rglob("*.py.meta")):
        relative = meta.relative_to(mutants).with_suffix("")  # reference/x/y.py
        data = json.loads(meta.read_text(encoding="utf-8"))
        durations = data.get("durations_by_key", {})
        mutated: _MutatedFile | None = None
        for mutant_id, code in data.get("exit_code_by_key", {}).items():
            record = MutantRecord(
                id=mutant_id,
                module=relative.as_posix(),
                function=_function_name(mutant_id),
                status=statuses[code],
                seconds=round(durations[mutant_id], 3) if mutant_id in durations else None,
            )
            if not record.killed:
                if mutated is None:
                    mutated = _MutatedFile(mutants / relative, workdir / relative)
                record.line, record.was, record.now = mutated.change(mutant_id)
            records.append(record)
    return records


# ---------------------------------------------------------------------------
# the command
# ---------------------------------------------------------------------------
def _git_head() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True,
                             text=True, check=False, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def _tool_version() -> str:
    from importlib.metadata import version

    return version("mutmut")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``mutation-test`` subcommand's options."""
    parser.description = (
        "Mutate the reference's decision code with mutmut and run the conformance suite (reference "
        "adapter) against every mutant, each with only the cases that execute its function. Writes "
        "WORKDIR/report.json and WORKDIR/report.md, and checks every survivor against the survivors file. "
        "Exit status: 0 every survivor listed and no stale entry, 1 otherwise, 2 usage or tool error."
    )
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR,
                        help="where mutmut works and the report is written (default: out/mutation)")
    parser.add_argument("--survivors", type=Path, default=DEFAULT_SURVIVORS,
                        help="the survivors file (default: conformance/mutation-survivors.toml)")
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2,
                        help="mutants run in parallel (default: the number of CPUs)")
    parser.add_argument("--only-mutate", action="append", metavar="GLOB",
                        help="mutate only these files (repeatable; default: [tool.mutmut] only_mutate)")
    parser.add_argument("--cases", action="append", metavar="PATH",
                        help="the cases to run, as pytest paths (repeatable; default: conformance)")
    parser.add_argument("--incremental", action="store_true",
                        help="reuse the last run's results: only changed functions are mutated again, new "
                             "cases are traced, and the survivors are run again (to see new cases kill them)")
    parser.add_argument("--report-only", action="store_true",
                        help="do not run the tool: report on the last run in WORKDIR")
    parser.add_argument("--table", type=Path, metavar="REPORT_JSON",
                        help="print the per-module Markdown table of a report and exit (for the README)")
    parser.add_argument("--draft", type=Path, metavar="FILE",
                        help="also write every unlisted survivor to FILE as entries to complete")
    parser.add_argument("--summary", type=Path, metavar="FILE",
                        help="also write the report without its per-mutant lists to FILE (the README's "
                             "table is rendered from docs/mutation-summary.json, written so)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")


def run(args: argparse.Namespace) -> int:
    """Run the tool (unless ``--report-only``), write and print the report; see :func:`add_arguments`."""
    from conformance import mutation_report as report_module

    if args.table is not None:
        try:
            data = json.loads(args.table.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            print(f"error: cannot read {args.table}: {exc}", file=sys.stderr)
            return 2
        sys.stdout.write(report_module.markdown_table(data))
        return 0
    try:
        import mutmut  # noqa: F401
    except ImportError:
        print("error: mutmut is not installed; install the extra: pip install -e '.[mutation]'",
              file=sys.stderr)
        return 2
    try:
        listed = report_module.load_survivors(args.survivors)
    except report_module.SurvivorsFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    workdir = args.workdir.resolve()
    log = workdir / "mutmut.log"
    meta: dict[str, Any] = {}
    if not args.report_only:
        config = prepare(workdir, only_mutate=args.only_mutate, cases=args.cases, fresh=not args.incremental)
        if not args.incremental:
            log.unlink(missing_ok=True)
        print(f"mutmut {_tool_version()}: mutating {len(config.get('only_mutate', []))} file pattern(s); "
              f"log: {log}", file=sys.stderr)
        started, commit = time.time(), _git_head()
        with LoadSampler() as load:
            status = run_tool(workdir, max_children=args.max_children, log=log)
            if status == 0 and args.incremental:
                again = [r.id for r in collect(workdir) if r.status == "survived"]
                if again:
                    status = run_tool(workdir, max_children=args.max_children, names=again, log=log)
        if status != 0:
            print(f"error: mutmut exited with status {status}; see {log}", file=sys.stderr)
            return 2
        meta = {
            "tool": {"name": "mutmut", "version": _tool_version()},
            "commit": commit,
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
            "seconds": round(time.time() - started, 1),
            "incremental": args.incremental,
            "max_children": args.max_children,
            "cpus": os.cpu_count(),
            "load_average": load.summary(),
            "scope": config.get("only_mutate", []),
            "cases": config.get("pytest_add_cli_args_test_selection", []),
        }
        previous = workdir / "run.json"
        if args.incremental and previous.is_file():
            # keep the figures of the last full run next to this one's
            last = json.loads(previous.read_text(encoding="utf-8"))
            meta["full_run"] = last.get("full_run") if last.get("incremental") else {
                key: last.get(key) for key in ("started", "seconds", "load_average", "commit")
            }
        previous.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    elif (workdir / "run.json").is_file():
        meta = json.loads((workdir / "run.json").read_text(encoding="utf-8"))
    if not (workdir / "mutants").is_dir():
        print(f"error: no mutmut results in {workdir}; run without --report-only first", file=sys.stderr)
        return 2
    records = collect(workdir)
    report = report_module.build_report(records, listed, meta)
    (workdir / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n",
                                         encoding="utf-8")
    (workdir / "report.md").write_text(report_module.markdown_table(report), encoding="utf-8")
    if args.summary is not None:
        summary = {key: value for key, value in report.items() if key not in ("survivors", "mutants")}
        args.summary.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if args.draft is not None:
        args.draft.write_text(report_module.draft_entries(records, listed), encoding="utf-8")
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(report_module.format_report(report))
    return 0 if report["check"]["ok"] else 1

