"""pricing/ is a pure functional core: standard library only, no clock, no floats on money.

Walks every module of the package with ``ast`` (so nothing is imported to check it).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PRICING = Path(__file__).resolve().parents[2] / "pricing"
MODULES = sorted(PRICING.rglob("*.py"))

# Calls that read the clock: the date is always passed in.
CLOCK_CALLS = {
    ("date", "today"),
    ("datetime", "today"),
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("time", "time"),
    ("time", "time_ns"),
    ("time", "monotonic"),
    ("time", "localtime"),
    ("time", "gmtime"),
}


def violations(source: str, name: str = "<module>") -> list[str]:
    """Every impurity in ``source``: non-stdlib imports, clock reads, float() and open()."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source, filename=name)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
        else:
            modules = []
        for module in modules:
            top = module.split(".")[0]
            if top != "pricing" and top not in sys.stdlib_module_names:
                found.append(f"{name}:{node.lineno}: imports {module} (not the standard library)")
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute):
                owner = func.value
                owner_name = (
                    owner.id
                    if isinstance(owner, ast.Name)
                    else owner.attr
                    if isinstance(owner, ast.Attribute)
                    else ""
                )
                if (owner_name, func.attr) in CLOCK_CALLS:
                    found.append(
                        f"{name}:{node.lineno}: reads the clock ({owner_name}.{func.attr})"
                    )
            elif isinstance(func, ast.Name) and func.id == "float":
                found.append(f"{name}:{node.lineno}: calls float() (money is Decimal)")
            elif isinstance(func, ast.Name) and func.id == "open":
                found.append(f"{name}:{node.lineno}: opens a file (no I/O in pricing)")
    return found


def test_there_are_modules_to_check() -> None:
    assert PRICING / "money.py" in MODULES
    assert PRICING / "subsidy.py" in MODULES


@pytest.mark.parametrize("path", MODULES, ids=[path.name for path in MODULES])
def test_module_is_pure(path: Path) -> None:
    assert violations(path.read_text(encoding="utf-8"), path.name) == []


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("import yaml", "imports yaml"),
        ("from pydantic import BaseModel", "imports pydantic"),
        ("import sqlmodel.main", "imports sqlmodel.main"),
        ("from datetime import date\nx = date.today()", "reads the clock (date.today)"),
        ("import datetime\nx = datetime.datetime.now()", "reads the clock (datetime.now)"),
        ("import time\nx = time.time()", "reads the clock (time.time)"),
        ("x = float('1.10')", "calls float()"),
        ("x = open('taxa.csv').read()", "opens a file"),
    ],
)
def test_the_check_finds_impurities(source: str, problem: str) -> None:
    found = violations(source)
    assert len(found) == 1 and problem in found[0], found


@pytest.mark.parametrize(
    "source",
    [
        "from __future__ import annotations\nimport re\nfrom decimal import Decimal",
        "from pricing.money import round_money\nfrom .taxa import Item",
        "from datetime import date\nx = date(2025, 1, 1)",
        "x = isinstance(1, float)",
    ],
)
def test_the_check_allows_pure_code(source: str) -> None:
    assert violations(source) == []
