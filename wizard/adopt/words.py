"""Alembic's differences between the live schema and the models, in plain words. Alembic
states each as what autogenerate would do to the database (`add_column`: the models have a
column the database lacks), so each is said from the database's side."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_KINDS = {
    "index": "index",
    "constraint": "unique constraint",
    "fk": "foreign key",
    "column": "column",
    "table": "table",
}


def _what(diff: Mapping[str, Any]) -> str:
    kind = _KINDS.get(diff["op"].split("_", 1)[1], diff["op"])
    table, name = diff.get("table"), diff.get("name")
    if kind == "table":
        return f"table `{table}`"
    if kind == "column":
        return f"column `{table}.{name}`"
    columns = ", ".join(diff.get("columns") or ())
    label = f"`{name}` " if name else ""
    return f"{kind} {label}on `{table}` ({columns})"


def describe(diff: Mapping[str, Any]) -> str:
    """One difference as a sentence."""
    op = diff["op"]
    if op.startswith("add_") and op != "add_table_comment":
        return f"{_what(diff)} is in the models but missing from the database"
    if op.startswith("remove_") and op != "remove_table_comment":
        return f"{_what(diff)} is in the database but not in the models"
    column = f"column `{diff.get('table')}.{diff.get('name')}`"
    old, new = str(diff.get("old")), str(diff.get("new"))
    if op == "modify_type":
        return f"{column}: the type differs (database {old}, models {new})"
    if op == "modify_nullable":
        said = {"True": "NULL allowed", "False": "NOT NULL"}
        return f"{column}: {said.get(old, old)} in the database, {said.get(new, new)} in the models"
    if op == "modify_default":
        return f"{column}: the server default differs (database {old}, models {new})"
    if op == "modify_comment":
        return f"{column}: the comment differs"
    return f"{op.replace('_', ' ')}: {diff.get('table') or ''} {diff.get('name') or ''}".strip()
