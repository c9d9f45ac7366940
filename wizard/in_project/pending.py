"""Run inside the PROJECT's interpreter, imported by `verify.py`: what autogenerate would do,
as plain facts the wizard classifies by risk (`risk.py`), plus what only the database can say
(rows a NOT NULL would meet, the extension that owns a table, the labels of an enum type).
Read-only: every query is a SELECT, in a transaction the caller rolls back.

Standard library, alembic and sqlalchemy only.
"""

from __future__ import annotations

from typing import Any

ROW_CAP = 10_000  # counting stops here: "10000 or more" is all a warning needs


def type_facts(type_: Any) -> dict[str, Any]:
    """What a column type is, in words the wizard compares (no SQLAlchemy on its side)."""
    from sqlalchemy import BigInteger, SmallInteger

    affinity = getattr(type_, "_type_affinity", None) or type(type_)
    size = 8 if isinstance(type_, BigInteger) else 2 if isinstance(type_, SmallInteger) else 4
    return {
        "sql": _compiled(type_),
        "affinity": affinity.__name__,
        "length": getattr(type_, "length", None),
        "precision": getattr(type_, "precision", None),
        "scale": getattr(type_, "scale", None),
        "size": size,
    }


def _compiled(type_: Any) -> str:
    try:
        return str(type_.compile())
    except Exception:  # a type the default dialect cannot render
        return type(type_).__name__.upper()


def _column(table: str | None, schema: str | None, column: Any) -> dict[str, Any]:
    return {
        "table": table,
        "schema": schema,
        "column": column.name,
        "type": type_facts(column.type),
        "nullable": bool(column.nullable),
        "server_default": column.server_default is not None,
    }


def describe(diff: Any) -> list[dict[str, Any]]:
    """One autogenerate diff (a tuple, or a list of column modifications) as plain dicts."""
    if isinstance(diff, list):
        return [d for item in diff for d in describe(item)]
    op = diff[0]
    if op in ("add_table", "remove_table"):
        table = diff[1]
        return [{"op": op, "table": table.name, "schema": table.schema}]
    if op in ("add_column", "remove_column"):
        return [{"op": op, **_column(diff[2], diff[1], diff[3])}]
    if op.startswith("modify_"):
        _, schema, table, column, existing, old, new = diff
        out = {"op": op, "table": table, "schema": schema, "column": column}
        if op == "modify_type":
            out |= {"old": type_facts(old), "new": type_facts(new)}
        elif op == "modify_nullable":
            out |= {"old": old, "new": new,
                    "server_default": bool(existing.get("existing_server_default"))}  # fmt: skip
        return [out]
    target = diff[1] if len(diff) > 1 else None
    name = getattr(target, "name", None) or ""
    table = getattr(getattr(target, "table", None), "name", None)
    return [{"op": op, "name": name, "table": table}]


def _quoted(conn: Any, schema: str | None, table: str) -> str:
    prep = conn.dialect.identifier_preparer
    return str((prep.quote_schema(schema) + "." if schema else "") + prep.quote(table))


def _count(conn: Any, schema: str | None, table: str, where: str = "") -> int:
    from sqlalchemy import text

    sql = f"select count(*) from (select 1 from {_quoted(conn, schema, table)}{where} limit {ROW_CAP}) s"  # noqa: E501
    return int(conn.execute(text(sql)).scalar_one())


def _owner(conn: Any, schema: str | None, table: str) -> str | None:
    """The PostgreSQL extension a table belongs to (postgis's spatial_ref_sys, ...)."""
    from sqlalchemy import text

    sql = text(
        "select e.extname from pg_depend d join pg_extension e on e.oid = d.refobjid"
        " join pg_class c on c.oid = d.objid join pg_namespace n on n.oid = c.relnamespace"
        " where d.deptype = 'e' and d.classid = 'pg_class'::regclass and c.relname = :table"
        " and n.nspname = coalesce(:schema, current_schema())"
    )
    owner = conn.execute(sql, {"table": table, "schema": schema}).scalar()
    return None if owner is None else str(owner)


def add_facts(conn: Any, items: list[dict[str, Any]]) -> None:
    """What the database says about each operation that may be risky (in place)."""
    postgres = conn.dialect.name == "postgresql"
    for item in items:
        op, schema, table = item["op"], item.get("schema"), str(item.get("table"))
        required = op == "add_column" and not item["nullable"] and not item["server_default"]
        if op == "remove_table":
            item["rows"] = _count(conn, schema, table)
            item["extension"] = _owner(conn, schema, table) if postgres else None
        elif required or op == "remove_column":
            item["rows"] = _count(conn, schema, table)
        elif op == "modify_nullable" and item["new"] is False:
            column = conn.dialect.identifier_preparer.quote(item["column"])
            item["nulls"] = _count(conn, schema, table, f" where {column} is null")


def enum_changes(conn: Any, metadata: Any) -> list[dict[str, Any]]:
    """PostgreSQL enum types whose labels differ from the models' (autogenerate does not
    compare them): one item per type, with what was added and removed."""
    from sqlalchemy import Enum, inspect

    if conn.dialect.name != "postgresql":
        return []
    inspector = inspect(conn)
    live: dict[tuple[str | None, str], list[str]] = {}
    for schema in {t.schema for m in metadata for t in m.tables.values()}:
        for e in inspector.get_enums(schema=schema or None):
            live[(schema, e["name"])] = list(e["labels"])
    out, seen = [], set()
    for table in (t for m in metadata for t in m.tables.values()):
        for column in table.columns:
            type_ = column.type
            if not isinstance(type_, Enum) or not type_.native_enum or type_.name is None:
                continue
            key = (type_.schema or table.schema, type_.name)
            if key in seen or key not in live:
                continue
            seen.add(key)
            wanted, labels = list(type_.enums), live[key]
            added = [v for v in wanted if v not in labels]
            removed = [v for v in labels if v not in wanted]
            if added or removed:
                out.append({"op": "enum_change", "name": type_.name, "schema": key[0],
                            "table": table.name, "column": column.name,
                            "added": added, "removed": removed})  # fmt: skip
    return out


def pending(conn: Any, metadata: Any) -> list[dict[str, Any]]:
    """Every operation autogenerate would produce, with the database's facts."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    context = MigrationContext.configure(conn, opts={"compare_type": True})
    items = [d for diff in compare_metadata(context, metadata) for d in describe(diff)]
    add_facts(conn, items)
    metas = metadata if isinstance(metadata, (list, tuple)) else [metadata]
    return items + enum_changes(conn, metas)


def constraint_names(conn: Any, metadata: Any) -> list[dict[str, Any]]:
    """The names the database gave the constraints and indexes of the models' tables (for
    choosing a naming convention that reproduces them)."""
    from sqlalchemy import inspect

    inspector = inspect(conn)
    metas = metadata if isinstance(metadata, (list, tuple)) else [metadata]
    out: list[dict[str, Any]] = []
    for table in (t for m in metas for t in m.tables.values()):
        name, schema = table.name, table.schema
        if not inspector.has_table(name, schema=schema):
            continue
        pk = inspector.get_pk_constraint(name, schema=schema)
        found = [("pk", pk, pk.get("constrained_columns"))] if pk.get("name") else []
        found += [
            ("uq", u, u["column_names"])
            for u in inspector.get_unique_constraints(name, schema=schema)
        ]  # noqa: E501
        found += [
            ("fk", f, f["constrained_columns"])
            for f in inspector.get_foreign_keys(name, schema=schema)
        ]  # noqa: E501
        found += [("ix", i, i["column_names"]) for i in inspector.get_indexes(name, schema=schema)
                  if not i.get("duplicates_constraint")]  # fmt: skip
        out += [{"kind": kind, "table": name, "name": item.get("name"),
                 "columns": [c for c in columns or [] if c],
                 "referred_table": item.get("referred_table")}
                for kind, item, columns in found if item.get("name")]  # fmt: skip
    return out
