"""The review of what a migration would do: each pending autogenerate operation (as
`pending.py` describes it, with the database's facts) classified by risk, with what to do.
Pure: the facts come from the verification process; nothing here touches the database."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from wizard.in_project.pending import ROW_CAP
from wizard.inspection.models import TableDef

Item = dict[str, Any]


@dataclass(frozen=True)
class Risk:
    """One pending operation that may lose data or fail on a table with rows."""

    kind: str  # drop table, drop column, rename, not null, narrowing, type change, enum
    subject: str  # the table, table.column or enum type
    what: str
    fix: str
    path: str | None = None  # the file the finding is about, when it is not env.py


def rows(n: int | None) -> str:
    if n is None:
        return "rows"
    if n >= ROW_CAP:
        return f"{ROW_CAP} or more rows"
    return "1 row" if n == 1 else f"{n} rows"


def _name(item: Item, key: str = "table") -> str:
    return ".".join(p for p in (item.get("schema"), item.get(key)) if p)


def summary(item: Item) -> str:
    """One operation in a few words: `add_column orders.note`, `add_index ix_x (orders)`."""
    op = item["op"]
    if op == "enum_change":
        return f"{op} {_name(item, 'name')}"
    if item.get("column"):
        return f"{op} {_name(item)}.{item['column']}"
    if "name" in item:
        return f"{op} {item['name']}" + (f" ({item['table']})" if item.get("table") else "")
    return f"{op} {_name(item)}"


@dataclass(frozen=True)
class Models:
    """What the project says about the tables: their modules, which env.py imported."""

    tables: Sequence[TableDef]
    loaded: frozenset[str]
    targeted: frozenset[str]  # labels of the MetaData objects env.py targets


def review(items: Sequence[Item], models: Models) -> list[Risk]:
    """Every risky operation among `items`, in their order."""
    renamed = _renames(items)
    found: list[Risk] = []
    for item in items:
        key = id(item)
        if key in renamed:
            found += renamed[key]
            continue
        found += _classify(item, models)
    return found


def _classify(item: Item, models: Models) -> Iterator[Risk]:
    op = item["op"]
    if op == "remove_table":
        yield _drop_table(item, models)
    elif op == "remove_column":
        where = f"{_name(item)}.{item['column']}"
        yield Risk(
            "drop column",
            where,
            f"{where} would be dropped with its data "
            f"({_name(item)} holds {rows(item.get('rows'))}): no model declares it",
            "keep the column in the model if its values are needed; "
            "if it was renamed, use op.alter_column(..., new_column_name=...)",
        )
    elif op == "add_column" and item.get("rows"):
        yield _not_null_add(item)
    elif op == "modify_nullable" and item.get("nulls"):
        yield _not_null_set(item)
    elif op == "modify_type":
        yield from _type_change(item)
    elif op == "enum_change":
        yield from _enum(item)


def _drop_table(item: Item, models: Models) -> Risk:
    table = _name(item)
    count = item.get("rows")
    what = f"table {table} would be dropped" + (f" with its {rows(count)}" if count else "")
    defs = [t for t in models.tables if t.name == item["table"]]
    unloaded = sorted({t.module for t in defs if t.module not in models.loaded})
    other = sorted({t.metadata.label for t in defs} - models.targeted)
    if unloaded:
        modules = ", ".join(unloaded)
        fix = f"import {modules} in env.py (add it to MODEL_MODULES)"
        return Risk(
            "drop table", table, f"{what}: {modules} defines it, but env.py does not import it", fix
        )
    if other and defs:
        labels = ",".join(sorted(models.targeted | set(other)))
        return Risk(
            "drop table",
            table,
            f"{what}: it is on {other[0]}, which target_metadata does not include",
            f"target every MetaData: alembic-wizard --metadata {labels}",
        )
    if item.get("extension"):
        ext = item["extension"]
        return Risk(
            "drop table",
            table,
            f"{what}: it belongs to the extension {ext}, not to your models",
            "leave it out of autogenerate: an include_object "
            f"hook in env.py that returns False for {ext}'s tables",
        )
    return Risk(
        "drop table",
        table,
        f"{what}: no model defines it",
        "if it should stay, leave it out with an include_object hook in env.py "
        "(or define it); if not, make sure its data is not needed",
    )


def _not_null_add(item: Item) -> Risk:
    where = f"{_name(item)}.{item['column']}"
    return Risk(
        "not null",
        where,
        f"{where} is added NOT NULL without a server default, "
        f"and {_name(item)} holds {rows(item['rows'])}: the upgrade fails",
        "add server_default=... to the column, or add it nullable, backfill, then make it NOT NULL",
    )


def _not_null_set(item: Item) -> Risk:
    where = f"{_name(item)}.{item['column']}"
    return Risk(
        "not null",
        where,
        f"{where} becomes NOT NULL, and {rows(item['nulls'])} hold NULL there: the upgrade fails",
        f"backfill first: UPDATE {_name(item)} SET {item['column']} = ... "
        f"WHERE {item['column']} IS NULL, before alter_column(nullable=False)",
    )


def _narrower(old: Item, new: Item) -> bool:
    if old["affinity"] != new["affinity"]:
        return False
    if old["affinity"] == "Integer":
        return bool(new["size"] < old["size"])
    if new.get("length") is not None and (
        old.get("length") is None or new["length"] < old["length"]
    ):
        return True
    precision = ("precision", "scale")
    return any(
        old.get(k) is not None and new.get(k) is not None and new[k] < old[k] for k in precision
    )


def _type_change(item: Item) -> Iterator[Risk]:
    where = f"{_name(item)}.{item['column']}"
    old, new = item["old"], item["new"]
    change = f"{where}: {old['sql']} -> {new['sql']}"
    if _narrower(old, new):
        yield Risk(
            "narrowing",
            where,
            f"{change} narrows the type: values that do not fit "
            "fail the upgrade (or are cut, on some databases)",
            "check the longest or largest value first, or keep the wider type",
        )
    elif old["affinity"] != new["affinity"]:
        yield Risk(
            "type change",
            where,
            f"{change} converts every value",
            "check the conversion: on PostgreSQL alter_column(..., "
            "postgresql_using='...') says how",
        )


def _enum(item: Item) -> Iterator[Risk]:
    name = _name(item, "name")
    quoted = ", ".join(repr(v) for v in item["added"])
    if item["added"]:
        first = item["added"][0]
        yield Risk(
            "enum",
            name,
            f"enum type {name} lacks {quoted} in the database; "
            "autogenerate does not compare enum values, so no revision would add it",
            f"write it in a revision: op.execute(\"ALTER TYPE {name} ADD VALUE '{first}'\")",
        )
    if item["removed"]:
        gone = ", ".join(repr(v) for v in item["removed"])
        yield Risk(
            "enum",
            name,
            f"enum type {name} in the database still has {gone}, "
            "which the models dropped (autogenerate does not see it)",
            "move rows off those values, then create the new type, "
            "ALTER COLUMN ... TYPE ... USING, and drop the old type",
        )


def _renames(items: Sequence[Item]) -> dict[int, list[Risk]]:
    """A drop and an add of the same type in one table: likely a rename. Keyed by the id of
    each item involved (the add's key holds no risk: it is reported with the drop)."""
    out: dict[int, list[Risk]] = {}
    adds = [i for i in items if i["op"] == "add_column"]
    for drop in (i for i in items if i["op"] == "remove_column"):
        match = next(
            (
                a
                for a in adds
                if id(a) not in out
                and (a["schema"], a["table"]) == (drop["schema"], drop["table"])
                and a["type"]["affinity"] == drop["type"]["affinity"]
            ),
            None,
        )
        if match is None:
            continue
        table, old, new = _name(drop), drop["column"], match["column"]
        out[id(drop)] = [
            Risk(
                "rename",
                f"{table}.{old}",
                f"{table}.{old} dropped and "
                f"{table}.{new} added ({drop['type']['sql']}): likely a rename, "
                f"and drop + add loses the data of {rows(drop.get('rows'))}",
                f"use op.alter_column({drop['table']!r}, {old!r}, new_column_name={new!r}) instead",
            )
        ]
        out[id(match)] = []
    return out
