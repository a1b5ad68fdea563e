"""The shape of ``reference/``: layers, one-way imports, no cycles, short functions (issue 9).

The layers, top to bottom, and what each may import (``docs/architecture.md``
gives the reasons)::

    reference (the public API in __init__) and reference.__main__   anything
    reference.cli         argument parsing and output
    reference.install     sources, resolution, installing, pylock.toml
    reference.selection   ordering steps 1-7, installer steps, markers, explanations
    reference.providers   profiles, provider steps, plugin runner, abi_dependency
    reference.format      PEP 825 package format
    errors, clauses, _toml, limits (shared leaf modules at the top of reference/)

A module may import its own layer and the layers below it; nothing imports
the public API module or ``__main__``; nothing in ``reference/`` imports
``conformance/``. Imports are read with :mod:`ast`, so module-level imports,
function-local (lazy) imports and ``if TYPE_CHECKING:`` imports all count.

:func:`imports_in` and :func:`import_cycles` work on any package directory, so
the same cycle check can be applied to ``conformance/``.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "reference"
CONFORMANCE = ROOT / "conformance"

MAX_FUNCTION_LINES = 60
"""Longest function allowed in ``reference/``: def line to last line of the body, docstring included."""

LAYERS: tuple[str, ...] = ("format", "providers", "selection", "install", "cli")
"""The layer subpackages of ``reference``, bottom first."""

SHARED_LEAVES = frozenset({"reference.errors", "reference.clauses", "reference._toml", "reference.limits"})
"""Top-level modules every layer may import; they import only each other."""

FACADE = frozenset({"reference", "reference.__main__"})
"""The public API and the ``python -m reference`` entry point: they may import anything."""


# ----------------------------------------------------------------------------- reading imports


@dataclass(frozen=True)
class Import:
    """One import statement, resolved to the module it loads.

    :param importer: the module holding the statement.
    :param imported: the module imported (``from a import b`` names module
        ``a.b`` when ``b`` is a module of a scanned package, else ``a``).
    :param line: line number of the statement.
    :param lazy: the statement sits inside a function.
    """

    importer: str
    imported: str
    line: int
    lazy: bool


def module_names(package_dir: Path) -> dict[str, Path]:
    """Every module of the package in ``package_dir``, by dotted name (``__init__`` as the package)."""
    out: dict[str, Path] = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = (package_dir.name, *path.relative_to(package_dir).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _statements(tree: ast.AST) -> Iterable[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement with whether it is inside a function."""
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, lazy = stack.pop()
        for child in ast.iter_child_nodes(node):
            inner = lazy or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                yield child, lazy
            stack.append((child, inner))


def _resolve(module: str, is_package: bool, node: ast.Import | ast.ImportFrom, known: set[str]) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        anchor = package[: len(package) - (node.level - 1)]
        base = ".".join([*anchor, *([base] if base else [])])
    targets = []
    for alias in node.names:
        candidate = f"{base}.{alias.name}"
        targets.append(candidate if candidate in known else base)
    return targets


def imports_in(package_dir: Path, also_known: Iterable[str] = ()) -> list[Import]:
    """Every import in the package at ``package_dir``, module-level and function-local.

    :param also_known: module names of other packages, so that ``from pkg
        import module`` resolves to the module there too.
    """
    modules = module_names(package_dir)
    known = set(modules) | set(also_known)
    found = []
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node, lazy in _statements(tree):
            for target in _resolve(module, path.name == "__init__.py", node, known):
                found.append(Import(module, target, node.lineno, lazy))
    return sorted(found, key=lambda i: (i.importer, i.line, i.imported))


def graph_of(imports: Iterable[Import], package: str) -> dict[str, set[str]]:
    """``{module: modules of the same package it imports}``."""
    graph: dict[str, set[str]] = {}
    for item in imports:
        graph.setdefault(item.importer, set())
        if item.imported == package or item.imported.startswith(package + "."):
            graph[item.importer].add(item.imported)
    return graph


def find_cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The import cycles of ``graph``: every strongly connected component of two or more
    modules, or one that imports itself, each sorted; iterative Tarjan.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    cycles: list[list[str]] = []
    nodes = sorted(set(graph) | {t for targets in graph.values() for t in targets})
    for start in nodes:
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph.get(node, ()):
                    cycles.append(sorted(component))
    return sorted(cycles)


def with_packages_run(graph: Mapping[str, Iterable[str]]) -> dict[str, set[str]]:
    """``graph`` plus the packages an import runs: importing ``a.b.c`` first runs ``a`` and
    ``a.b`` (their ``__init__``), except those the importer is already inside.
    """
    out: dict[str, set[str]] = {}
    for importer, targets in graph.items():
        edges = out.setdefault(importer, set())
        for target in targets:
            edges.add(target)
            package = target.rpartition(".")[0]
            while package:
                if package in graph and package != importer and not importer.startswith(package + "."):
                    edges.add(package)
                package = package.rpartition(".")[0]
    return out


def import_cycles(package_dir: Path, *, packages_run: bool = False) -> list[list[str]]:
    """The import cycles inside the package at ``package_dir`` (lazy and TYPE_CHECKING imports count).

    :param packages_run: count the packages each import runs (:func:`with_packages_run`).
    """
    graph = graph_of(imports_in(package_dir), package_dir.name)
    return find_cycles(with_packages_run(graph) if packages_run else graph)


# ----------------------------------------------------------------------------- rules


def layer_rank(module: str) -> int | None:
    """0 for the shared leaves, 1.. for the layers bottom up, above them the facade; ``None`` if unknown."""
    if module in SHARED_LEAVES:
        return 0
    if module in FACADE:
        return len(LAYERS) + 1
    parts = module.split(".")
    if len(parts) >= 2 and parts[0] == "reference" and parts[1] in LAYERS:
        return LAYERS.index(parts[1]) + 1
    return None


def layer_violations(imports: Iterable[Import]) -> list[str]:
    """Imports of ``reference`` against the layer order, of an unplaced module, or of ``conformance``."""
    problems = []
    for item in imports:
        where = f"{item.importer}:{item.line} imports {item.imported}"
        if item.imported == "conformance" or item.imported.startswith("conformance."):
            problems.append(f"{where}: reference/ must not import conformance/")
            continue
        if not (item.imported == "reference" or item.imported.startswith("reference.")):
            continue
        importer, imported = layer_rank(item.importer), layer_rank(item.imported)
        if importer is None or imported is None:
            unplaced = item.importer if importer is None else item.imported
            problems.append(f"{where}: {unplaced} belongs to no layer")
        elif imported == len(LAYERS) + 1 and importer != imported:
            problems.append(f"{where}: only the facade may import the facade")
        elif imported > importer:
            problems.append(f"{where}: against the layer order ({' <- '.join(LAYERS)})")
    return problems


def long_functions(source: str, filename: str, limit: int = MAX_FUNCTION_LINES) -> list[str]:
    """Functions (methods and nested ones too) longer than ``limit`` lines, def line to last line."""
    out = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            assert node.end_lineno is not None
            length = node.end_lineno - node.lineno + 1
            if length > limit:
                out.append(f"{filename}:{node.lineno} {node.name} is {length} lines (limit {limit})")
    return out


# ----------------------------------------------------------------------------- the checks


def test_reference_has_no_import_cycles() -> None:
    assert import_cycles(REFERENCE, packages_run=True) == []


def test_conformance_has_no_import_cycles() -> None:
    # docs/architecture.md "## conformance/": imports point one way, from the
    # entry points (plugin, __main__, mutants) down to the shared modules.
    assert graph_of(imports_in(CONFORMANCE), "conformance")["conformance.plugin"]
    assert import_cycles(CONFORMANCE, packages_run=True) == []


def test_reference_imports_follow_the_layer_order() -> None:
    assert layer_violations(imports_in(REFERENCE, module_names(ROOT / "conformance"))) == []


def test_every_reference_module_belongs_to_a_layer() -> None:
    assert [m for m in module_names(REFERENCE) if layer_rank(m) is None and m not in FACADE] == []


def test_no_function_in_reference_is_over_sixty_lines() -> None:
    problems = []
    for module, path in module_names(REFERENCE).items():
        problems += long_functions(path.read_text(encoding="utf-8"), module)
    assert problems == []


# ----------------------------------------------------------------------------- the checks can fail


def _write(root: Path, files: Mapping[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root / next(iter(files)).split("/")[0]


def test_cycle_finder_sees_lazy_type_checking_and_relative_imports(tmp_path: Path) -> None:
    package = _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "def f():\n    from pkg import b\n",
            "pkg/b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .c import X\n",
            "pkg/c.py": "import pkg.a\n",
            "pkg/d.py": "from pkg.a import f\n",
            "pkg/sub/__init__.py": "from . import e\n",
            "pkg/sub/e.py": "from .. import sub\n",
        },
    )
    assert import_cycles(package) == [["pkg.a", "pkg.b", "pkg.c"], ["pkg.sub", "pkg.sub.e"]]


def test_cycle_finder_counts_the_packages_an_import_runs(tmp_path: Path) -> None:
    # pkg.table imports pkg.sub.base, which first runs pkg/sub/__init__.py,
    # whose (lazy) import of pkg.sub.plug imports pkg.table again.
    package = _write(
        tmp_path,
        {
            "pkg/__init__.py": "from pkg import table\n",
            "pkg/sub/__init__.py": "def load():\n    from pkg.sub import plug\n",
            "pkg/sub/plug.py": "from pkg import table\nfrom . import base\n",
            "pkg/sub/base.py": "",
            "pkg/table.py": "from pkg.sub.base import X\n",
        },
    )
    assert import_cycles(package) == []
    assert import_cycles(package, packages_run=True) == [["pkg.sub", "pkg.sub.plug", "pkg.table"]]


def test_cycle_finder_on_synthetic_graphs() -> None:
    assert find_cycles({"a": ["b"], "b": ["c"], "c": []}) == []
    assert find_cycles({"a": ["a"]}) == [["a"]]
    assert find_cycles({"a": ["b"], "b": ["a", "c"], "c": ["d"], "d": ["c"]}) == [["a", "b"], ["c", "d"]]


@pytest.mark.parametrize(
    ("importer", "imported", "complaint"),
    [
        ("reference.format.metadata", "reference.selection.markers", "against the layer order"),
        ("reference.providers.support", "reference.install.sources", "against the layer order"),
        ("reference.install.resolve", "reference.cli.main", "against the layer order"),
        ("reference.errors", "reference.format.model", "against the layer order"),
        ("reference.selection.select", "reference", "only the facade"),
        ("reference.cli.main", "reference.__main__", "only the facade"),
        ("reference.format.filename", "conformance.cases", "must not import conformance"),
        ("reference.stray", "reference.errors", "belongs to no layer"),
    ],
)
def test_layer_check_rejects(importer: str, imported: str, complaint: str) -> None:
    (problem,) = layer_violations([Import(importer, imported, 1, lazy=True)])
    assert complaint in problem


def test_layer_check_accepts_downward_and_same_layer_imports() -> None:
    allowed = [
        Import("reference.cli.install", "reference.install.operations", 1, lazy=True),
        Import("reference.install.resolve", "reference.format.wheel", 1, lazy=False),
        Import("reference.selection.select", "reference.selection.ordering", 1, lazy=False),
        Import("reference.format.model", "reference.errors", 1, lazy=False),
        Import("reference", "reference.install.pylock", 1, lazy=True),
        Import("reference.format.metadata", "json", 1, lazy=False),
    ]
    assert layer_violations(allowed) == []


def test_length_check_counts_from_def_to_last_line() -> None:
    body = "".join(f"    x{i} = {i}\n" for i in range(58))
    fits = f'def f():\n    """Doc."""\n{body}'  # 60 lines
    assert long_functions(fits, "m") == []
    too_long = fits + "    return x0\n"
    assert long_functions(too_long, "m") == ["m:1 f is 61 lines (limit 60)"]
    nested = "class C:\n" + textwrap.indent(too_long, "    ")
    assert long_functions(nested, "m") == ["m:2 f is 61 lines (limit 60)"]
