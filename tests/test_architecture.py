"""The rules of the house, checked on the code itself.

- The data flow is layered (``pyproject.toml``'s import-linter contracts): cli -> study ->
  review | config -> mining -> measure -> sim -> model -> errors | files | versions; no import
  cycles inside a sub-package; figures and the report never import the simulator; metrics
  know the engine's records, not the engine.
- SimPy only in the engine, Hydra and OmegaConf only at the command-line edge (``config``,
  ``cli``), matplotlib only in the review.
- Small rooms: no module over 400 lines and no function over 100, but for the exceptions
  listed here with their reason.
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
from pathlib import Path

import grimp
import pytest
from importlinter.cli import lint_imports

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src" / "procsim"

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 100
#: Functions allowed to be longer, with the reason.
LONG_FUNCTIONS = {
    # The event loop (fast path and dispatch) is one closure over its state: every call
    # through an attribute or a method costs per event, and benchmarks/bench_engine.py shows
    # the closure is faster. What it sets up (plans, queues, streams), its general path and
    # what it returns are built outside it, in functions under the limit.
    "procsim.sim.engine.run_replication",
}


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("procsim", include_external_packages=True)


def test_the_import_contracts_hold() -> None:
    out = io.StringIO()
    cwd = os.getcwd()
    os.chdir(REPO)  # the contracts live in pyproject.toml
    try:
        with contextlib.redirect_stdout(out):
            code = lint_imports(no_cache=True, no_logo=True)
    finally:
        os.chdir(cwd)
    assert code == 0, out.getvalue()


@pytest.mark.parametrize(
    ("package", "allowed"),
    [
        ("simpy", ("procsim.sim.engine",)),
        ("hydra", ("procsim.config.", "procsim.cli.")),
        ("omegaconf", ("procsim.config.", "procsim.cli.")),
        ("matplotlib", ("procsim.review.",)),
    ],
)
def test_an_outside_library_is_imported_only_where_it_belongs(
    graph: grimp.ImportGraph, package: str, allowed: tuple[str, ...]
) -> None:
    importers = graph.find_modules_that_directly_import(package)
    stray = sorted(m for m in importers if not any(m == a or m.startswith(a) for a in allowed))
    assert not stray, f"{package} imported outside {allowed}: {stray}"


def _modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out.append((name, path))
    return out


def test_no_module_is_over_the_size_of_one_job() -> None:
    big = {
        name: n
        for name, path in _modules()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not big, f"modules over {MAX_MODULE_LINES} lines: {big}"


def test_no_function_is_over_a_hundred_lines() -> None:
    long: dict[str, int] = {}
    for name, path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        stack: list[tuple[ast.AST, str]] = [(tree, name)]
        while stack:
            node, prefix = stack.pop()
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                    qual = f"{prefix}.{child.name}"
                    size = (child.end_lineno or child.lineno) - child.lineno + 1
                    if not isinstance(child, ast.ClassDef) and size > MAX_FUNCTION_LINES:
                        long[qual] = size
                    stack.append((child, qual))
    outside = {k: v for k, v in long.items() if k not in LONG_FUNCTIONS}
    assert not outside, f"functions over {MAX_FUNCTION_LINES} lines: {outside}"
