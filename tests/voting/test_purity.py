"""The voting package stays pure (DESIGN §3): no database, no web, no clock, no I/O."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import governance_engine.voting

PACKAGE = Path(governance_engine.voting.__file__).parent
SOURCES = sorted(PACKAGE.glob("*.py"))
FORBIDDEN_MODULES = (
    "sqlalchemy",
    "alembic",
    "fastapi",
    "starlette",
    "api",
    "governance_engine.persistence",
    "governance_engine.services",
    "governance_engine.clock",
    "os",
    "io",
    "pathlib",
    "time",
    "random",
    "pydantic",
)
FORBIDDEN_CALLS = ("now", "utcnow", "today", "time", "open", "print")


def imported_modules(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_imports_nothing_impure(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    impure = {
        module
        for module in imported_modules(tree)
        for forbidden in FORBIDDEN_MODULES
        if module == forbidden or module.startswith(forbidden + ".")
    }
    assert not impure, f"{path.name} imports {sorted(impure)}"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_reads_no_clock_and_does_no_io(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            assert name not in FORBIDDEN_CALLS, f"{path.name}:{node.lineno} calls {name}()"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_modules_stay_small(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) < 400
