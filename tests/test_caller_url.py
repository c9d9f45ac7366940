"""The generated env.py migrates the database its caller names: a connection or engine handed
in (pytest-alembic's `alembic_engine`), `-x url=...`, a URL set on Alembic's Config by a program
(with a `%` in it), before the `.env` the app reads. Real Alembic, real pytest-alembic, real
PostgreSQL and SQLite; the development database named in `.env` is checked to be untouched."""

from __future__ import annotations

import sqlite3
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import pytest_alembic  # noqa: F401  the test extra installs it: these tests run it

from conftest import alembic, copy_project, pg_tables, run, set_env_line, wizard

PG = "postgres@127.0.0.1:5432"
SQLITE_TABLES = {"note", "notebook", "tag", "notetaglink"}
PG_TABLES = {"users", "categories", "products", "tags", "product_tags", "orders", "order_lines"}

CONFTEST = '''
import asyncio
import os

import pytest


@pytest.fixture
def alembic_engine():
    """The throwaway test database, never the one in .env."""
    from sqlalchemy import create_engine
    from sqlalchemy.ext.asyncio import create_async_engine

    url = os.environ["TEST_DATABASE_URL"]
    if os.environ.get("TEST_ENGINE") == "async":
        engine = create_async_engine(url)
        yield engine
        asyncio.run(engine.dispose())
    else:
        engine = create_engine(url)
        yield engine
        engine.dispose()
'''


@pytest.fixture
def dev_database(pg_database: str) -> Iterator[str]:
    """A second PostgreSQL database: the development one `.env` names (pg_database is the
    test database)."""
    import psycopg

    name = f"wiz_dev_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={pg_database}") as admin:
        admin.autocommit = True
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield name
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pg_project(tmp_path: Path, dev: str, *extra: str) -> Path:
    """pg_app set up by the wizard with `.env` on the development database; returns backend/."""
    repo = copy_project("pg_app", tmp_path)
    set_env_line(repo / ".env", "DATABASE_URL", f"postgresql+asyncpg://{PG}/{dev}")
    done = wizard("--yes", *extra, "--project", str(repo))
    assert done.returncode == 0, done.stdout + done.stderr
    return repo / "backend"


TEST_MODULE = """from pytest_alembic.tests import (  # noqa: F401  pytest collects them here
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)
"""


def _pytest_alembic(cwd: Path, url: str, engine: str) -> str:
    """pytest-alembic's built-in tests, in a process of their own, on `url`. Imported into a
    test module (its documented alternative to `--test-alembic`), with `alembic_engine` in a
    conftest.py beside: pytest-alembic 0.13.1 binds `--test-alembic` to tests/conftest.py,
    and its collector there fails under pytest 9.2 ('TestCollector' has no '_nodeid')."""
    (cwd / "conftest.py").write_text(CONFTEST)
    (cwd / "test_migrations.py").write_text(TEST_MODULE)
    env = {"TEST_DATABASE_URL": url, "TEST_ENGINE": engine, "PATH": "/usr/bin:/bin"}
    done = run("-m", "pytest", "-p", "no:cacheprovider", "-q", "test_migrations.py", cwd=cwd,
               env=env)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.parametrize(
    ("mode", "engine", "driver"),
    [("sync", "sync", "postgresql+psycopg"), ("async", "async", "postgresql+asyncpg")],
)
def test_pytest_alembic_migrates_the_test_database_and_not_the_one_in_env(
    tmp_path: Path, pg_database: str, dev_database: str, mode: str, engine: str, driver: str
) -> None:
    backend = _pg_project(tmp_path, dev_database, "--mode", mode)
    test_url = f"{driver}://{PG}/{pg_database}"
    done = alembic(
        "-x", f"url={test_url}", "revision", "--autogenerate", "-m", "tables", cwd=backend
    )
    assert "Detected added table 'order_lines'" in done.stderr

    out = _pytest_alembic(backend, test_url, engine)

    assert "4 passed" in out, out  # single head, upgrade, models match the DDL, up/down
    assert pg_tables(pg_database) == PG_TABLES | {"alembic_version"}  # migrated there
    assert pg_tables(dev_database) == set()  # .env's database: not even alembic_version


def test_x_url_and_a_url_set_on_the_config_win_over_env(
    tmp_path: Path, pg_database: str, dev_database: str
) -> None:
    backend = _pg_project(tmp_path, dev_database)
    test_async = f"postgresql+asyncpg://{PG}/{pg_database}"  # an app URL: made sync by env.py
    alembic("-x", f"url={test_async}", "revision", "--autogenerate", "-m", "tables", cwd=backend)
    alembic("-x", f"url={test_async}", "upgrade", "head", cwd=backend)
    assert pg_tables(pg_database) == PG_TABLES | {"alembic_version"}
    alembic("-x", f"sqlalchemy.url=postgresql+psycopg://{PG}/{pg_database}", "downgrade", "base",
            cwd=backend)  # fmt: skip
    assert pg_tables(pg_database) == {"alembic_version"}

    # a program's URL with '%' (an encoded '@' in the password; trust auth ignores it)
    percent = f"postgresql+psycopg://postgres:p%40ss@127.0.0.1:5432/{pg_database}"
    program = textwrap.dedent(f"""
        from alembic import command
        from alembic.config import Config
        from sqlalchemy.engine import make_url

        cfg = Config("alembic.ini")
        cfg.set_main_option("sqlalchemy.url", {percent!r}.replace("%", "%%"))
        command.upgrade(cfg, "head")
        cfg = Config("alembic.ini")
        cfg.attributes["sqlalchemy.url"] = make_url({percent!r})
        command.downgrade(cfg, "base")
    """)
    done = run("-c", program, cwd=backend)
    assert done.returncode == 0, done.stderr
    assert pg_tables(pg_database) == {"alembic_version"}  # up, then down again
    assert pg_tables(dev_database) == set()

    alembic("upgrade", "head", cwd=backend)  # nothing given: .env's database, as before
    assert pg_tables(dev_database) == PG_TABLES | {"alembic_version"}


def _sqlite_tables(path: Path) -> set[str]:
    if not path.exists():
        return set()
    with sqlite3.connect(path) as db:
        return {r[0] for r in db.execute("select name from sqlite_master where type='table'")}


def test_pytest_alembic_on_sqlite_and_the_url_in_alembic_ini_is_not_a_callers(
    tmp_path: Path,
) -> None:
    project = copy_project("sqlite_app", tmp_path)
    assert wizard("--yes", "--no-verify", cwd=project).returncode == 0
    test_url = f"sqlite:///{tmp_path / 'test.db'}"
    alembic("-x", f"url={test_url}", "revision", "--autogenerate", "-m", "tables", cwd=project)

    out = _pytest_alembic(project, test_url, "sync")
    assert "4 passed" in out, out
    assert _sqlite_tables(tmp_path / "test.db") == SQLITE_TABLES | {"alembic_version"}
    assert _sqlite_tables(project / "notes.db") == set()  # .env's database: never created

    ini = project / "alembic.ini"  # alembic init's placeholder: not a URL anyone chose
    ini.write_text(ini.read_text().replace("[alembic]\n", "[alembic]\nsqlalchemy.url = "
                                           "driver://user:pass@localhost/dbname\n", 1))  # fmt: skip
    alembic("upgrade", "head", cwd=project)
    assert _sqlite_tables(project / "notes.db") == SQLITE_TABLES | {"alembic_version"}


OLD_ENV = Path(__file__).parent / "fixtures/wizard_0_1_env/sqlite_app_env.py"  # before -x url
HOOK = '''

def include_object(obj, name, type_, reflected, compare_to):
    """Leave the search index alone."""
    return name != "note_fts"
'''


def test_a_rerun_upgrades_an_env_py_of_an_older_wizard_keeping_the_users_hook(
    tmp_path: Path,
) -> None:
    project = copy_project("sqlite_app", tmp_path)
    assert wizard("--yes", "--no-verify", cwd=project).returncode == 0
    old = OLD_ENV.read_text()
    (project / ".alembic-wizard/written/migrations/env.py").write_text(old)  # as it wrote it
    users = old.replace("target_metadata = SQLModel.metadata\n", "target_metadata = "
                        "SQLModel.metadata\n" + HOOK).replace(
        "compare_type=True,", "compare_type=True,\n        include_object=include_object,")  # fmt: skip
    env_py = project / "migrations/env.py"
    env_py.write_text(users)

    done = wizard("--yes", "--no-verify", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "modify  migrations/env.py" in done.stderr
    new = env_py.read_text()
    assert "def caller_url() -> URL | None:" in new and "def get_url() -> URL:" in new
    assert new.count("def include_object(") == 1 and "include_object=include_object," in new
    again = wizard("--yes", "--dry-run", "--no-verify", cwd=project)
    assert "nothing to change" in again.stderr, again.stdout
    assert wizard("doctor", cwd=project).returncode == 0

    test_url = f"sqlite:///{tmp_path / 'test.db'}"
    alembic("-x", f"url={test_url}", "revision", "--autogenerate", "-m", "tables", cwd=project)
    alembic(
        "-x", "verbose", "-x", f"url={test_url}", "upgrade", "head", cwd=project
    )  # a bare -x too
    assert _sqlite_tables(tmp_path / "test.db") == SQLITE_TABLES | {"alembic_version"}
    assert _sqlite_tables(project / "notes.db") == set()
