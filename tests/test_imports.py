"""The package's modules import each other in one direction: no import cycles.

Checked twice: among the imports made when a module loads (a cycle there can fail at import
time), and among every import, those inside functions and under TYPE_CHECKING too (a cycle
there hides two modules that cannot be understood or moved apart). A package's __init__ is a
module like any other; `from pkg import sub` depends on the module pkg.sub.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Mapping, Set
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "sendconsult"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def import_statements(tree: ast.Module, *, deferred: bool) -> list[ast.Import | ast.ImportFrom]:
    """The import statements that run when the module loads (at top level, under `if`, `try`,
    `with`, in a class body); with `deferred` also those inside functions, which run when
    the function is called, and those under `if TYPE_CHECKING:`, which name the types a module
    works with: every dependency of the design, not only of loading."""
    found: list[ast.Import | ast.ImportFrom] = []

    def walk(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, ast.Import | ast.ImportFrom):
                found.append(node)
            elif isinstance(node, ast.If) and _is_type_checking(node):
                if deferred:
                    walk(node.body)
                walk(node.orelse)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                if deferred:
                    walk(node.body)
            else:
                for block in ("body", "orelse", "finalbody", "handlers"):
                    children = getattr(node, block, None)
                    if isinstance(children, list):
                        walk(children)

    walk(tree.body)
    return found


def imported_modules(
    name: str, is_package: bool, node: ast.Import | ast.ImportFrom, modules: set[str]
) -> set[str]:
    """The sendconsult modules an import statement names: `from pkg import sub` names the
    module pkg.sub, `from pkg import thing` the package pkg. (Loading a module also runs the
    packages above it; that alone is not a dependency on them.)"""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names} & modules
    if node.level:
        base = name.split(".") if is_package else name.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        module = ".".join([*base, node.module] if node.module else base)
    else:
        module = node.module or ""
    named = {f"{module}.{alias.name}" for alias in node.names}
    found = named & modules
    if len(found) < len(named):
        found.add(module)
    return found & modules


@functools.cache
def import_graph(*, deferred: bool) -> dict[str, frozenset[str]]:
    """Which sendconsult modules each module imports (see import_statements); read once."""
    paths = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    modules = set(paths)
    graph: dict[str, frozenset[str]] = {}
    for name, path in paths.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        imported: set[str] = set()
        for node in import_statements(tree, deferred=deferred):
            imported |= imported_modules(name, is_package, node, modules)
        graph[name] = frozenset(imported - {name})
    return graph


def cycles(graph: Mapping[str, Set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
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
    return found


def test_no_import_cycles_when_modules_load():
    assert cycles(import_graph(deferred=False)) == []


def test_no_import_cycles_hidden_in_functions_or_type_hints():
    # An import moved into a function, or made for type hints only, still ties the two modules
    # together: neither can be understood, tested or moved without the other.
    assert cycles(import_graph(deferred=True)) == []


def test_no_cycles_between_packages():
    # Seen from further away, a sub-package (ingest/, themes/, report/, cli/) is one step of
    # the pipeline: no two steps may use each other, even through different modules.
    graph: dict[str, set[str]] = {}
    for name, imported in import_graph(deferred=True).items():
        step = ".".join(name.split(".")[:2])
        graph.setdefault(step, set()).update(".".join(m.split(".")[:2]) for m in imported)
        graph[step].discard(step)
    assert cycles(graph) == []


def test_the_report_and_the_cli_are_the_last_steps():
    # Data flows one way: the core (ingest, themes, classify, aggregate) never reaches into
    # the report's layout or the command line; only a run (analysis) writes a report.
    graph = import_graph(deferred=True)
    users = {
        layer: sorted(
            name
            for name, imported in graph.items()
            if not name.startswith(layer) and any(m.startswith(layer) for m in imported)
        )
        for layer in ("sendconsult.report", "sendconsult.cli")
    }
    assert users == {
        "sendconsult.report": ["sendconsult.analysis", "sendconsult.cli.diff_cmd", "sendconsult.cli.themes_cmd"],
        "sendconsult.cli": ["sendconsult.__main__"],
    }


def test_the_core_never_uses_the_facade_the_cli_calls():
    # sendconsult.project opens a project, codes a survey and explains an answer for the CLI:
    # it may use the whole core, but only the CLI uses it, and it never uses the CLI.
    graph = import_graph(deferred=True)
    users = sorted(name for name, imported in graph.items() if "sendconsult.project" in imported)
    assert users, "the CLI calls the facade"
    assert [u for u in users if not u.startswith("sendconsult.cli.")] == []
    assert [m for m in graph["sendconsult.project"] if m.startswith("sendconsult.cli")] == []


# The steps a step of the pipeline (export -ingest-> Survey -nlp-> Coding -aggregate-> tables
# -report-> workbook, the CLI at the edge) may not use: only those after it, never the edge.
LATER_STEPS = {
    # caches store what redaction and campaign detection found, needing neither (no cycle)
    "sendconsult.caches": ["sendconsult.ingest", "sendconsult.nlp", "sendconsult.aggregate", "sendconsult.report", "sendconsult.privacy", "sendconsult.campaigns"],
    "sendconsult.themes": ["sendconsult.ingest", "sendconsult.nlp", "sendconsult.aggregate", "sendconsult.report"],
    "sendconsult.ingest": ["sendconsult.nlp", "sendconsult.aggregate", "sendconsult.report"],
    "sendconsult.nlp": ["sendconsult.ingest", "sendconsult.aggregate", "sendconsult.report"],
    "sendconsult.aggregate": ["sendconsult.report"],
}
EDGE = ["sendconsult.cli", "sendconsult.analysis", "sendconsult.project"]


def reaches_into(module: str, steps: list[str]) -> bool:
    return any(module == step or module.startswith(step + ".") for step in steps)


def forbidden_imports(graph: Mapping[str, Set[str]]) -> dict[str, list[str]]:
    """Each module of a step that imports a later step or the edge, with what it imports."""
    found: dict[str, list[str]] = {}
    for step, later in LATER_STEPS.items():
        for name, imported in graph.items():
            if reaches_into(name, [step]):
                wrong = sorted(m for m in imported if reaches_into(m, later + EDGE))
                if wrong:
                    found[name] = wrong
    return found


def test_each_step_of_the_pipeline_uses_only_the_steps_before_it():
    assert forbidden_imports(import_graph(deferred=True)) == {}


def test_a_step_reaching_forward_is_found():
    graph = {
        "sendconsult.nlp.engine": {"sendconsult.report.cells", "sendconsult.coding"},
        "sendconsult.ingest.readers": {"sendconsult.cli.common"},
        "sendconsult.nlpx": {"sendconsult.report"},  # not the nlp package
        "sendconsult.report.cells": {"sendconsult.nlp.engine"},  # a later step may look back
    }
    assert forbidden_imports(graph) == {
        "sendconsult.nlp.engine": ["sendconsult.report.cells"],
        "sendconsult.ingest.readers": ["sendconsult.cli.common"],
    }


def test_a_cycle_is_found():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


MODULES = {"sendconsult.report", "sendconsult.report.cells", "sendconsult.report.workbook"}


@pytest.mark.parametrize(
    ("source", "deferred", "expected"),
    [
        ("from sendconsult.report import cells", False, {"sendconsult.report.cells"}),
        ("from sendconsult.report import Content", False, {"sendconsult.report"}),
        ("from . import cells", False, {"sendconsult.report.cells"}),
        ("from .cells import x", False, {"sendconsult.report.cells"}),
        ("import sendconsult.report.cells", False, {"sendconsult.report.cells"}),
        ("if TYPE_CHECKING:\n    from . import cells", False, set()),
        ("if TYPE_CHECKING:\n    from . import cells", True, {"sendconsult.report.cells"}),
        ("def f():\n    from . import cells", False, set()),
        ("def f():\n    from . import cells", True, {"sendconsult.report.cells"}),
        ("try:\n    from . import cells\nexcept ImportError:\n    pass", False, {"sendconsult.report.cells"}),
    ],
)
def test_imports_are_read_as_python_runs_them(source: str, deferred: bool, expected: set[str]):
    found = set()
    for node in import_statements(ast.parse(source), deferred=deferred):
        found |= imported_modules("sendconsult.report.workbook", False, node, MODULES)
    assert found == expected
