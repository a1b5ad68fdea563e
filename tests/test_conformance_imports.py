"""The suite's modules import each other one way only: no import cycle in ``conformance/``.

The imports are read with :mod:`ast`, every ``import`` statement counted, at
module level or inside a function (a function-local import that closes a cycle
is a cycle all the same, only deferred).  Importing ``a.b.c`` also runs the
package ``a.b``: that edge counts too, unless the importer is inside it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def modules(root: Path, package: str) -> dict[str, Path]:
    """``{dotted name: file}`` for every module of *package* under *root*."""
    found = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _imported_names(module: str, is_package: bool, node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        parts = module.split(".")
        if not is_package:
            parts = parts[:-1]
        parts = parts[: len(parts) - (node.level - 1)]
        base = ".".join([*parts, base] if base else parts)
    return [base, *(f"{base}.{alias.name}" for alias in node.names)]


def import_graph(root: Path, package: str) -> dict[str, set[str]]:
    """``{module: modules of the same package it imports}``."""
    known = modules(root, package)
    graph: dict[str, set[str]] = {}
    for module, path in known.items():
        edges: set[str] = set()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            for name in _imported_names(module, path.name == "__init__.py", node):
                while name and name not in known:  # "pkg.mod.attr" -> "pkg.mod"
                    name = name.rpartition(".")[0]
                while name:  # the module and every package it runs on the way
                    if name in known and name != module and not module.startswith(f"{name}."):
                        edges.add(name)
                    name = name.rpartition(".")[0]
        graph[module] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component of more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph.get(node, ())):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_no_import_cycle_in_conformance() -> None:
    graph = import_graph(ROOT, "conformance")
    assert graph.get("conformance.plugin")
    assert cycles(graph) == []


def test_reference_never_imports_conformance() -> None:
    for module, path in modules(ROOT, "reference").items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = _imported_names(module, path.name == "__init__.py", node)
                assert not any(n == "conformance" or n.startswith("conformance.") for n in names), module


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(
            {"pkg/__init__.py": "", "pkg/a.py": "from pkg import b\n", "pkg/b.py": "import pkg.a\n"},
            [["pkg.a", "pkg.b"]],
            id="module-level",
        ),
        pytest.param(
            {
                "pkg/__init__.py": "",
                "pkg/a.py": "def f():\n    from pkg.b import g\n",
                "pkg/b.py": "from .c import h\n",
                "pkg/c.py": "def h():\n    from . import a\n",
            },
            [["pkg.a", "pkg.b", "pkg.c"]],
            id="function-local-and-relative",
        ),
        pytest.param(
            {
                "pkg/__init__.py": "",
                "pkg/sub/__init__.py": "def load():\n    from pkg.sub import plug\n",
                "pkg/sub/plug.py": "from pkg import table\n",
                "pkg/table.py": "from pkg.sub.base import X\n",
                "pkg/sub/base.py": "",
            },
            [["pkg.sub", "pkg.sub.plug", "pkg.table"]],
            id="through-a-package-init",
        ),
    ],
)
def test_the_check_finds_a_cycle(tmp_path: Path, files: dict[str, str], expected: list[list[str]]) -> None:
    _write(tmp_path, files)
    assert cycles(import_graph(tmp_path, "pkg")) == expected


def test_the_check_accepts_imports_one_way(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/sub/__init__.py": "from pkg.sub import base\n",
            "pkg/sub/base.py": "import pkg.low\n",
            "pkg/low.py": "",
            "pkg/top.py": "from pkg.sub.base import X\nfrom pkg import low\n",
        },
    )
    assert cycles(import_graph(tmp_path, "pkg")) == []
