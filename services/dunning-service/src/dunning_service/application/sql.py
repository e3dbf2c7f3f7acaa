"""Date arithmetic the set-based statements need, on PostgreSQL and SQLite alike."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class add_days(FunctionElement[Any]):
    """``add_days(a_date, n)``: the date ``n`` days later (``n`` may be negative)."""

    type = Date()
    name = "add_days"
    inherit_cache = True


class later_of(FunctionElement[Any]):
    """``later_of(a, b)``: the later of two (non-null) dates."""

    type = Date()
    name = "later_of"
    inherit_cache = True


@compiles(add_days, "postgresql")
def _add_days_pg(element: add_days, compiler: Any, **kw: Any) -> str:
    day, days = list(element.clauses)
    return (
        f"(CAST({compiler.process(day, **kw)} AS DATE) "
        f"+ CAST({compiler.process(days, **kw)} AS INTEGER))"
    )


@compiles(add_days, "sqlite")
def _add_days_sqlite(element: add_days, compiler: Any, **kw: Any) -> str:
    day, days = list(element.clauses)
    return (
        f"date({compiler.process(day, **kw)}, "
        f"CAST({compiler.process(days, **kw)} AS TEXT) || ' days')"
    )


@compiles(later_of, "postgresql")
def _later_of_pg(element: later_of, compiler: Any, **kw: Any) -> str:
    a, b = list(element.clauses)
    return f"GREATEST({compiler.process(a, **kw)}, {compiler.process(b, **kw)})"


@compiles(later_of, "sqlite")
def _later_of_sqlite(element: later_of, compiler: Any, **kw: Any) -> str:
    a, b = list(element.clauses)
    return f"max({compiler.process(a, **kw)}, {compiler.process(b, **kw)})"
