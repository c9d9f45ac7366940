"""The review of what a migration would do: pending autogenerate operations classified by
risk, with what to do, on real PostgreSQL and SQLite; nothing is written anywhere."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from conftest import alembic, copy_project, set_env_line, tree_hash, wizard
from wizard.inspection.models import Metadata, TableDef
from wizard.verify.risk import Models, review

BASE = Metadata("app.db.base", "Base", "Base.metadata")
OTHER = Metadata("app.audit", "audit_metadata", "audit_metadata")


def _type(affinity: str, sql: str, **kw: Any) -> dict[str, Any]:
    return {"sql": sql, "affinity": affinity, "length": None, "precision": None,
            "scale": None, "size": 4, **kw}  # fmt: skip


def _column(op: str, table: str, column: str, type_: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return {"op": op, "table": table, "schema": None, "column": column, "type": type_,
            "nullable": True, "server_default": False, **kw}  # fmt: skip


def _modify(table: str, column: str, old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    return {"op": "modify_type", "table": table, "schema": None, "column": column,
            "old": old, "new": new}  # fmt: skip


MODELS = Models(
    tables=(TableDef("orders", "app.orders.models", 5, BASE),
            TableDef("audit_log", "app.audit", 3, OTHER)),
    loaded=frozenset({"app.audit"}),
    targeted=frozenset({BASE.label}),
)  # fmt: skip


def _kinds(items: list[dict[str, Any]], models: Models = MODELS) -> list[tuple[str, str]]:
    return [(r.kind, r.subject) for r in review(items, models)]


def test_a_drop_and_an_add_of_the_same_type_is_a_likely_rename() -> None:
    varchar = _type("String", "VARCHAR(120)", length=120)
    items = [_column("remove_column", "users", "full_name", varchar, rows=2),
             _column("add_column", "users", "display_name", varchar)]  # fmt: skip
    [risk] = review(items, MODELS)
    assert (risk.kind, risk.subject) == ("rename", "users.full_name")
    assert "2 rows" in risk.what
    assert (
        risk.fix
        == "use op.alter_column('users', 'full_name', new_column_name='display_name') instead"
    )
    # another type, or another table, is not a rename: a drop (and a harmless add)
    other = [_column("remove_column", "users", "age", _type("Integer", "INTEGER"), rows=2),
             _column("add_column", "users", "nick", varchar),
             _column("add_column", "teams", "age", _type("Integer", "INTEGER"))]  # fmt: skip
    assert _kinds(other) == [("drop column", "users.age")]


def test_not_null_without_a_server_default_counts_the_rows_it_meets() -> None:
    text = _type("String", "VARCHAR(20)", length=20)
    risky = _column("add_column", "orders", "channel", text, nullable=False, rows=10_000)
    [risk] = review([risky], MODELS)
    assert risk.kind == "not null" and "10000 or more rows" in risk.what
    assert "server_default" in risk.fix
    empty = _column("add_column", "orders", "channel", text, nullable=False, rows=0)
    defaulted = _column("add_column", "orders", "channel", text, nullable=False,
                        server_default=True)  # fmt: skip
    assert review([empty, defaulted], MODELS) == []
    nulls = {"op": "modify_nullable", "table": "orders", "schema": None, "column": "note",
             "old": True, "new": False, "nulls": 3}  # fmt: skip
    assert _kinds([nulls, {**nulls, "nulls": 0}]) == [("not null", "orders.note")]


def test_narrowing_types_and_harmless_widening() -> None:
    v100, v50 = (
        _type("String", "VARCHAR(100)", length=100),
        _type("String", "VARCHAR(50)", length=50),
    )
    big, small = _type("Integer", "BIGINT", size=8), _type("Integer", "INTEGER")
    num = _type("Numeric", "NUMERIC(10, 2)", precision=10, scale=2)
    narrow = [_modify("t", "a", v100, v50), _modify("t", "b", big, small),
              _modify("t", "c", num, {**num, "precision": 8}),
              _modify("t", "d", _type("String", "TEXT"), v50)]  # fmt: skip
    assert _kinds(narrow) == [("narrowing", f"t.{c}") for c in "abcd"]
    wide = [_modify("t", "a", v50, v100), _modify("t", "b", small, big),
            _modify("t", "d", v50, _type("String", "TEXT"))]  # fmt: skip
    assert review(wide, MODELS) == []
    assert _kinds([_modify("t", "e", v50, small)]) == [("type change", "t.e")]


def test_a_dropped_table_is_explained() -> None:
    drop = {"op": "remove_table", "table": "orders", "schema": None, "rows": 4}
    [missing] = review([drop], MODELS)
    assert "app.orders.models defines it, but env.py does not import it" in missing.what
    assert missing.fix == "import app.orders.models in env.py (add it to MODEL_MODULES)"
    [other] = review([{**drop, "table": "audit_log"}], MODELS)
    assert "on app.audit.audit_metadata, which target_metadata does not include" in other.what
    assert other.fix.endswith("--metadata app.audit.audit_metadata,app.db.base.Base.metadata")
    [owned] = review([{**drop, "table": "spatial_ref_sys", "extension": "postgis"}], MODELS)
    assert "belongs to the extension postgis" in owned.what and "include_object" in owned.fix
    [unknown] = review([{**drop, "table": "legacy", "rows": 0}], MODELS)
    assert unknown.what == "table legacy would be dropped: no model defines it"


def test_enum_values_autogenerate_does_not_compare() -> None:
    item = {"op": "enum_change", "name": "mood", "schema": None, "table": "t", "column": "m",
            "added": ["ecstatic"], "removed": ["meh"]}  # fmt: skip
    added, removed = review([item], MODELS)
    assert (
        added.fix == "write it in a revision: op.execute(\"ALTER TYPE mood ADD VALUE 'ecstatic'\")"
    )
    assert "'meh'" in removed.what


def test_safe_operations_are_not_risks() -> None:
    items = [{"op": "add_table", "table": "x", "schema": None},
             _column("add_column", "x", "y", _type("Integer", "INTEGER")),
             {"op": "add_index", "name": "ix_x_y", "table": "x"}]  # fmt: skip
    assert review(items, MODELS) == []


# --- on real databases ----------------------------------------------------------------


def _pg_state(database: str) -> list[Any]:
    """Everything a write could change: columns, indexes, rows, the revision, enum labels."""
    import psycopg

    with psycopg.connect(f"host=127.0.0.1 port=5432 user=postgres dbname={database}") as conn:
        columns = conn.execute(
            "select table_name, column_name, data_type, is_nullable, character_maximum_length"
            " from information_schema.columns where table_schema = 'public' order by 1, 2"
        ).fetchall()
        tables = sorted({c[0] for c in columns})
        counts = [conn.execute(f'select count(*) from "{t}"').fetchone() for t in tables]
        extra = conn.execute(
            "select (select string_agg(indexname, ',' order by indexname) from pg_indexes"
            " where schemaname = 'public'), (select string_agg(enumlabel, ',' order by enumlabel)"
            " from pg_enum), (select string_agg(relname, ',') from pg_class where relkind = 'r'"
            " and relnamespace = 'public'::regnamespace)"
        ).fetchone()
    return [columns, counts, extra]


def _drift(backend: Path) -> None:
    """The three mistakes: a model module left out of env.py, a renamed column, and a
    NOT NULL column added to a table with rows."""
    env_py = backend / "migrations/env.py"
    env_py.write_text(env_py.read_text().replace('    "app.orders.models.line",\n', ""))
    users = backend / "app/users/models.py"
    users.write_text(users.read_text().replace("full_name: Mapped", "display_name: Mapped"))
    order = backend / "app/orders/models/order.py"
    order.write_text(order.read_text().replace(
        "    note: Mapped", "    channel: Mapped[str] = mapped_column(String(20))\n    note: Mapped"
    ))  # fmt: skip


RISKS = [
    "table order_lines would be dropped: app.orders.models.line defines it, but env.py does not import it",
    "orders.channel is added NOT NULL without a server default, and orders holds 2 rows",
    "users.full_name dropped and users.display_name added (VARCHAR(120)): likely a rename",
]


@pytest.mark.postgres
def test_risk_review_on_postgresql_names_each_mistake_and_writes_nothing(
    tmp_path: Path, pg_database: str
) -> None:
    project = copy_project("pg_app", tmp_path)
    set_env_line(project / ".env", "DATABASE_URL",
                 f"postgresql+asyncpg://postgres@127.0.0.1:5432/{pg_database}")  # fmt: skip
    assert wizard("--yes", cwd=project).returncode == 0
    backend = project / "backend"
    alembic("revision", "--autogenerate", "-m", "create tables", cwd=backend)
    alembic("upgrade", "head", cwd=backend)
    import psycopg

    with psycopg.connect(f"host=127.0.0.1 port=5432 user=postgres dbname={pg_database}") as c:
        c.execute(
            "insert into users (email, hashed_password, full_name) values"
            " ('a@example.com', 'x', 'Ann'), ('b@example.com', 'y', 'Bob')"
        )
        c.execute("insert into orders (user_id, total) select id, 1 from users")  # fmt: skip
    _drift(backend)
    files, database = tree_hash(project), _pg_state(pg_database)

    verified = wizard("verify", "--yes", cwd=project)
    out = verified.stdout
    assert "WARNING  pending operations: 5 to autogenerate" in out, out
    for what in RISKS:
        assert what in out
    assert "fix: import app.orders.models.line in env.py" in out
    assert "fix: add server_default=... to the column, or add it nullable, backfill" in out
    assert "fix: use op.alter_column('users', 'full_name', new_column_name='display_name')" in out

    doctor = wizard("doctor", "--online", cwd=project)
    assert doctor.returncode == 1
    found = re.findall(r"^(AW14\d)", doctor.stdout, re.MULTILINE)
    assert sorted(found) == ["AW140", "AW142", "AW143"], doctor.stdout
    for what in RISKS:
        assert what in doctor.stdout
    assert tree_hash(project) == files
    assert _pg_state(pg_database) == database
    assert (
        list((backend / "migrations/versions").glob("*.py"))
        and len(list((backend / "migrations/versions").glob("*.py"))) == 1
    )


@pytest.mark.postgres
def test_extension_tables_enums_and_narrowing_on_postgresql(
    tmp_path: Path, pg_database: str
) -> None:
    project = copy_project("pg_app", tmp_path)
    set_env_line(project / ".env", "DATABASE_URL",
                 f"postgresql+asyncpg://postgres@127.0.0.1:5432/{pg_database}")  # fmt: skip
    assert wizard("--yes", cwd=project).returncode == 0
    backend = project / "backend"
    order = backend / "app/orders/models/order.py"
    order.write_text(order.read_text().replace(
        'status: Mapped[str] = mapped_column(String(20), default="pending", server_default="pending")',
        'status: Mapped[str] = mapped_column(Enum("pending", "paid", "shipped", name="order_status"))',
    ).replace("import ForeignKey,", "import Enum, ForeignKey,"))  # fmt: skip
    alembic("revision", "--autogenerate", "-m", "create tables", cwd=backend)
    alembic("upgrade", "head", cwd=backend)
    import psycopg

    with psycopg.connect(f"host=127.0.0.1 port=5432 user=postgres dbname={pg_database}") as c:
        c.execute("create extension hstore")  # a table the extension owns, as postgis has
        c.execute("create table spatial_ref_sys (srid integer primary key)")
        c.execute("alter extension hstore add table spatial_ref_sys")
    order.write_text(order.read_text().replace('"paid", "shipped"', '"paid", "refunded"')
                     .replace("String(500)", "String(100)"))  # fmt: skip
    files, database = tree_hash(project), _pg_state(pg_database)

    doctor = wizard("doctor", "--online", cwd=project)
    out = doctor.stdout
    assert "table spatial_ref_sys would be dropped: it belongs to the extension hstore" in out, out
    assert "orders.note: VARCHAR(500) -> VARCHAR(100) narrows the type" in out
    assert "enum type order_status lacks 'refunded' in the database" in out
    assert "op.execute(\"ALTER TYPE order_status ADD VALUE 'refunded'\")" in out
    assert "enum type order_status in the database still has 'shipped'" in out
    assert tree_hash(project) == files and _pg_state(pg_database) == database


def test_risk_review_on_sqlite(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    (project / "src/notes/models/attachment.py").write_text(
        "from sqlmodel import Field, SQLModel\n\n\n"
        "class Attachment(SQLModel, table=True):\n"
        "    id: int | None = Field(default=None, primary_key=True)\n"
    )
    assert wizard("--yes", cwd=project).returncode == 0
    alembic("revision", "--autogenerate", "-m", "create tables", cwd=project)
    alembic("upgrade", "head", cwd=project)
    with sqlite3.connect(project / "notes.db") as db:
        db.execute(
            "insert into notebook (title, archived, created_at) values ('a', 0, '2026-01-01')"
        )
    env_py = project / "migrations/env.py"
    env_py.write_text(env_py.read_text().replace('    "notes.models.attachment",\n', ""))
    notebook = project / "src/notes/models/notebook.py"
    notebook.write_text(notebook.read_text().replace(
        "    archived: bool = False", "    archived: bool = False\n    colour: str"
    ).replace("title: str", "name: str"))  # fmt: skip
    files, before = tree_hash(project), (project / "notes.db").read_bytes()

    out = wizard("verify", "--yes", cwd=project).stdout
    assert (
        "table attachment would be dropped: notes.models.attachment defines it, but env.py does not import it"
        in out
    ), out
    assert "notebook.title dropped and notebook.name added (VARCHAR(120)): likely a rename" in out
    assert (
        "notebook.colour is added NOT NULL without a server default, and notebook holds 1 row"
        in out
    )
    assert tree_hash(project) == files and (project / "notes.db").read_bytes() == before


def test_doctor_online_without_a_database_says_so_and_masks_the_password(tmp_path: Path) -> None:
    project = copy_project("pg_app", tmp_path)
    set_env_line(
        project / ".env", "DATABASE_URL", "postgresql+asyncpg://postgres:s3cr3t-pw@127.0.0.1:1/shop"
    )
    assert wizard("--yes", "--no-db", cwd=project).returncode == 0
    files = tree_hash(project)
    done = wizard("doctor", "--online", cwd=project)
    assert done.returncode == 2
    assert "error: could not look at the database: OperationalError" in done.stderr, done.stderr
    assert "s3cr3t-pw" not in done.stderr + done.stdout
    assert tree_hash(project) == files
