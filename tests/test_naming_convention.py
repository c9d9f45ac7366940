"""A constraint naming convention chosen to reproduce the names the database already uses,
added with LibCST only when asked for; on real PostgreSQL, `alembic check` stays clean."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import alembic, copy_project, set_env_line, tree_hash, wizard
from wizard.edits.naming import add_convention
from wizard.errors import WizardError
from wizard.guard.naming import MYSQL, POSTGRESQL, RECOMMENDED, choose


def _names(*items: tuple[str, str, list[str], str]) -> list[dict[str, Any]]:
    return [{"kind": k, "table": t, "columns": c, "name": n, "referred_table": "users"}
            for k, t, c, n in items]  # fmt: skip


PG_NAMES = _names(("pk", "users", ["id"], "users_pkey"), ("uq", "users", ["email"], "users_email_key"),
                  ("fk", "orders", ["user_id"], "orders_user_id_fkey"),
                  ("ix", "orders", ["user_id"], "ix_orders_user_id"))  # fmt: skip


def test_the_convention_that_reproduces_the_names_is_chosen() -> None:
    pg = choose(PG_NAMES)
    assert pg.convention == POSTGRESQL
    assert pg.why == ("PostgreSQL's own names: it reproduces 4 of the 4 names in the database, "
                      "so adding it changes nothing autogenerate compares")  # fmt: skip
    ours = _names(("pk", "users", ["id"], "pk_users"), ("uq", "users", ["email"], "uq_users_email"),
                  ("fk", "orders", ["user_id"], "fk_orders_user_id_users"))  # fmt: skip
    assert choose(ours).convention == RECOMMENDED
    mysql = _names(
        ("uq", "users", ["email"], "email"), ("ix", "orders", ["user_id"], "ix_orders_user_id")
    )
    assert choose(mysql).convention == MYSQL
    assert choose([]).convention == RECOMMENDED and "no constraints" in choose([]).why
    odd = choose([*PG_NAMES, *_names(("uq", "users", ["name"], "custom_name"))])
    assert "1 would differ (custom_name -> users_name_key)" in odd.why


CONVENTION = {"pk": "%(table_name)s_pkey"}


@pytest.mark.parametrize(
    ("before", "name", "after"),
    [
        ("from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n    pass\n",
         "Base",
         "from sqlalchemy.orm import DeclarativeBase\nfrom sqlalchemy import MetaData\n\n\n"
         "class Base(DeclarativeBase):\n    metadata = MetaData(naming_convention={\n"
         '        "pk": "%(table_name)s_pkey",\n    })\n'),
        ("from sqlalchemy import MetaData\n\nmeta = MetaData(schema='app')\nother = MetaData()\n",
         "meta",
         "from sqlalchemy import MetaData\n\nmeta = MetaData(schema='app', naming_convention={\n"
         '    "pk": "%(table_name)s_pkey",\n})\nother = MetaData()\n'),
        ("from sqlalchemy.orm import declarative_base\n\nBase = declarative_base()\n",
         "Base",
         "from sqlalchemy.orm import declarative_base\nfrom sqlalchemy import MetaData\n\n"
         'Base = declarative_base(metadata=MetaData(naming_convention={\n    "pk": "%(table_name)s_pkey",\n}))\n'),
    ],
)  # fmt: skip
def test_the_metadata_gets_the_convention(before: str, name: str, after: str) -> None:
    assert add_convention(before, name, CONVENTION) == after
    assert add_convention(after, name, CONVENTION) == after  # no-op twin


def test_a_metadata_made_elsewhere_is_an_error() -> None:
    with pytest.raises(WizardError, match="cannot find where Base's MetaData is made"):
        add_convention("from app.db import Base\n", "Base", CONVENTION)


@pytest.mark.postgres
def test_convention_matching_postgresql_changes_nothing_alembic_compares(
    tmp_path: Path, pg_database: str
) -> None:
    project = copy_project("pg_app", tmp_path)
    set_env_line(project / ".env", "DATABASE_URL",
                 f"postgresql+asyncpg://postgres@127.0.0.1:5432/{pg_database}")  # fmt: skip
    assert wizard("--yes", "--no-db", cwd=project).returncode == 0
    backend = project / "backend"
    alembic("revision", "--autogenerate", "-m", "create tables", cwd=backend)
    alembic("upgrade", "head", cwd=backend)
    base = backend / "app/db/base.py"
    before = base.read_text()
    unasked = wizard("guard", "--yes", "--rails", "format", cwd=project)  # never without asking
    assert unasked.returncode == 0 and base.read_text() == before

    done = wizard("guard", "--yes", "--rails", "naming", cwd=project)
    assert done.returncode == 0, done.stderr
    assert (
        "naming convention: PostgreSQL's own names: it reproduces 21 of the 21 names" in done.stderr
    )
    assert '"pk": "%(table_name)s_pkey"' in base.read_text()
    files = tree_hash(project)
    alembic("check", cwd=backend)  # the live names are what the convention gives: nothing pending
    assert tree_hash(project) == files
