"""Models in a named PostgreSQL schema (`__table_args__ = {"schema": ...}`): env.py compares
the models' schemas and no other, so autogenerate creates their tables, leaves the other
schemas of the database alone, and a re-run changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import alembic, copy_project, run, set_env_line, tree_hash, wizard

pytestmark = pytest.mark.postgres

BILLING = """\
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Model


class Invoice(Model):
    __tablename__ = "invoices"
    __table_args__ = {"schema": "billing"}

    reference: Mapped[str] = mapped_column(String(40), unique=True)
"""


def _sql(database: str, *statements: str) -> list[tuple[object, ...]]:
    import psycopg

    dsn = f"host=127.0.0.1 port=5432 user=postgres dbname={database}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        rows: list[tuple[object, ...]] = []
        for statement in statements:
            cursor = conn.execute(statement)
            rows = cursor.fetchall() if cursor.description else []
        return rows


def test_tables_in_a_named_schema_are_migrated_and_other_schemas_left_alone(
    tmp_path: Path, pg_database: str
) -> None:
    repo = copy_project("pg_app", tmp_path)
    backend = repo / "backend"
    (backend / "app/billing").mkdir()
    (backend / "app/billing/__init__.py").write_text("")
    (backend / "app/billing/models.py").write_text(BILLING)
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{pg_database}"
    set_env_line(repo / ".env", "DATABASE_URL", url)
    # another schema holds a table that is none of the models'; billing does not exist yet
    _sql(pg_database, "create schema reporting",
         "create table reporting.daily (day date primary key)")  # fmt: skip

    done = wizard("--yes", cwd=repo)
    assert done.returncode == 0, done.stdout + done.stderr
    env_py = (backend / "migrations/env.py").read_text()
    assert "include_name=include_models_schemas" in env_py

    alembic("revision", "--autogenerate", "-m", "create tables", cwd=backend)
    (revision,) = (backend / "migrations/versions").glob("*.py")
    text = revision.read_text()
    assert "schema='billing'" in text  # the table in the named schema is created
    assert text.index("op.execute('CREATE SCHEMA IF NOT EXISTS billing')") < text.index(
        "create_table('invoices'"
    )  # after the schema it is in
    assert "daily" not in text and "reporting" not in text  # another schema: not dropped
    alembic("upgrade", "head", cwd=backend)
    checked = alembic("check", cwd=backend)
    assert "No new upgrade operations detected" in checked.stdout + checked.stderr
    assert _sql(pg_database, "select count(*) from billing.invoices") == [(0,)]
    assert _sql(pg_database, "select count(*) from reporting.daily") == [(0,)]

    before = tree_hash(repo)
    again = wizard("--yes", "--no-db", cwd=repo)
    assert again.returncode == 0 and "nothing to change" in again.stderr, again.stderr
    assert tree_hash(repo) == before

    assert "AW123" not in wizard("doctor", cwd=repo).stdout
    # an env.py that compares only the default schema: doctor names it
    env = backend / "migrations/env.py"
    env.write_text(env_py.replace("        include_schemas=True,\n", "").replace(
        "        include_name=include_models_schemas,\n", ""))  # fmt: skip
    doctor = wizard("doctor", cwd=repo)
    assert doctor.returncode == 1
    assert "AW123  backend/migrations/env.py  models in a named schema, no include_schemas" in (
        doctor.stdout
    )


CREATE_ALL = """\
import sys
from sqlalchemy import create_engine
import app.billing.models, app.catalog.models, app.orders.models.line, app.users.models
from app.db.base import Base
Base.metadata.create_all(create_engine(sys.argv[1]))
"""


def _created_by_the_app(tmp_path: Path, pg_database: str) -> Path:
    """The app set up, its tables (a named schema's too) made by create_all."""
    repo = copy_project("pg_app", tmp_path)
    backend = repo / "backend"
    (backend / "app/billing").mkdir()
    (backend / "app/billing/__init__.py").write_text("")
    (backend / "app/billing/models.py").write_text(BILLING)
    set_env_line(repo / ".env", "DATABASE_URL",
                 f"postgresql+asyncpg://postgres@127.0.0.1:5432/{pg_database}")  # fmt: skip
    assert wizard("--yes", "--no-db", cwd=repo).returncode == 0
    _sql(pg_database, "create schema billing")
    sync = f"postgresql+psycopg://postgres@127.0.0.1:5432/{pg_database}"
    made = run("-c", CREATE_ALL, sync, cwd=backend)
    assert made.returncode == 0, made.stderr
    return repo


def test_adopt_a_database_with_a_named_schema(tmp_path: Path, pg_database: str) -> None:
    repo = _created_by_the_app(tmp_path, pg_database)
    backend = repo / "backend"
    done = wizard("adopt", "--yes", cwd=repo)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no differences" in done.stdout
    (baseline,) = (backend / "migrations/versions").glob("*.py")
    text = baseline.read_text()
    assert "schema='billing'" in text
    assert text.count("CREATE SCHEMA IF NOT EXISTS billing") == 1  # env.py's hook or adopt's
    assert text.index("op.execute('CREATE SCHEMA IF NOT EXISTS billing')") < text.index(
        "create_table('invoices'"
    )
    # a fresh database gets the schema too: the baseline creates it
    fresh = f"{pg_database}_fresh"
    _sql("postgres", f'create database "{fresh}"')
    try:
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{fresh}"
        upgrade = run("-m", "alembic", "-x", f"url={url}", "upgrade", "head", cwd=backend)
        assert upgrade.returncode == 0, upgrade.stderr
        assert _sql(fresh, "select count(*) from billing.invoices") == [(0,)]
    finally:
        _sql("postgres", f'drop database if exists "{fresh}" with (force)')


def test_a_drifted_table_in_a_named_schema_is_in_the_baseline_as_it_is(
    tmp_path: Path, pg_database: str
) -> None:
    repo = _created_by_the_app(tmp_path, pg_database)
    _sql(pg_database, "alter table billing.invoices add column legacy_code varchar(10)")
    done = wizard("adopt", "--yes", cwd=repo)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "column `billing.invoices.legacy_code` is in the database but not in the models" in (
        done.stdout
    ), done.stdout
    versions = sorted((repo / "backend/migrations/versions").glob("*.py"),
                      key=lambda p: "align" in p.name)  # fmt: skip
    baseline, align = (v.read_text() for v in versions)
    assert "sa.Column('legacy_code'" in baseline  # the database as it is, named schema too
    assert "drop_column('invoices', 'legacy_code', schema='billing')" in align
