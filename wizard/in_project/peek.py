"""Run inside the PROJECT's interpreter, imported by `verify.py`: a read-only look at the
database through the app's own driver, for when Alembic is not installed yet (so env.py
cannot load): which tables it already has, and whether Alembic has been there.

Standard library and sqlalchemy only.
"""

from __future__ import annotations

import asyncio
from typing import Any


def peek(url_text: str) -> dict[str, Any]:
    """The database's table names (its default schema) and whether it has alembic_version;
    {"error": ...} when it cannot be read (the other rungs say why, if it matters)."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    try:
        url = make_url(url_text)
        if url.get_dialect().is_async:
            return asyncio.run(run_async(url, _look))
        engine = create_engine(url, poolclass=NullPool)
        try:
            with engine.connect() as conn:
                return _look(conn)
        finally:
            engine.dispose()
    except Exception as exc:  # not reachable, the driver missing: no answer, not a failure
        return {"error": f"{type(exc).__name__}: {exc}".splitlines()[0]}


async def run_async(url: Any, look: Any, *args: Any) -> Any:
    """`look(connection, *args)` through an async engine on `url`, not pooled."""
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(look, *args)
    finally:
        await engine.dispose()


def _look(conn: Any) -> dict[str, Any]:
    from sqlalchemy import inspect

    names = set(inspect(conn).get_table_names())
    return {"tables": sorted(names - {"alembic_version"}), "versioned": "alembic_version" in names}


def created_tables(sql: str) -> list[str]:
    """The tables `upgrade head --sql` creates, by name without schema or quotes."""
    import re

    found = re.findall(r"^CREATE TABLE (?:IF NOT EXISTS )?([^\s(]+)", sql, re.M | re.I)
    return sorted({name.split(".")[-1].strip('"`[]') for name in found})


def table_names(conn: Any) -> list[str]:
    """The database's tables (its default schema), alembic_version left out."""
    return list(_look(conn)["tables"])
