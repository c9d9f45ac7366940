"""The guard rails on first use (issue 19): the generated migration test passes on a
PostgreSQL project with an Enum and a MariaDB project with a foreign key's index, on the
first revision made by following Next verbatim, twice in a row on the same test database;
and the CI workflow needs nothing it cannot install, sets what the app reads at import, and
runs the project's Python."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from conftest import alembic, mysql_tables, pg_tables, run, wizard, write_project

SETTINGS = """\
    from pydantic_settings import BaseSettings, SettingsConfigDict


    class Settings(BaseSettings):
        model_config = SettingsConfigDict(env_file=".env")
        database_url: str
        bot_token: str  # the app needs it at import


    settings = Settings()
"""
ENUM_MODELS = """\
    import enum

    from sqlalchemy import Enum, String
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


    class Base(DeclarativeBase):
        pass


    class Status(enum.Enum):
        draft = "draft"
        paid = "paid"


    class Invoice(Base):
        __tablename__ = "invoices"
        id: Mapped[int] = mapped_column(primary_key=True)
        status: Mapped[Status] = mapped_column(Enum(Status))
        reference: Mapped[str] = mapped_column(String(40))
"""
FK_MODELS = """\
    from sqlalchemy import ForeignKey, String
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


    class Base(DeclarativeBase):
        pass


    class Customer(Base):
        __tablename__ = "customers"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(String(80))


    class Invoice(Base):
        __tablename__ = "invoices"
        id: Mapped[int] = mapped_column(primary_key=True)
        customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
"""


def _project(tmp_path: Path, models: str, url: str) -> Path:
    example = url.split("://")[0] + "://user:password@localhost/app"
    return write_project(
        tmp_path,
        {
            "app/config.py": SETTINGS,
            "app/models.py": models,
            ".env": f"DATABASE_URL={url}\nBOT_TOKEN=123:real-token\n",
            ".env.example": f"DATABASE_URL={example}\nBOT_TOKEN=\n",
        },
    )


def _follow_next(project: Path) -> str:
    """Setup with the migration test, then Next verbatim; the revision's text."""
    done = wizard("--yes", "--rails", "test", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    assert 'alembic revision --autogenerate -m "create tables"\n  alembic upgrade head' in (
        done.stdout + done.stderr
    )
    alembic("revision", "--autogenerate", "-m", "create tables", cwd=project)
    alembic("upgrade", "head", cwd=project)
    return next((project / "migrations/versions").glob("*.py")).read_text()


def _migration_test(project: Path, key: str, url: str) -> str:
    done = run(
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "tests/test_migrations.py",
        cwd=project,
        env={**os.environ, key: url},
    )
    return done.stdout + done.stderr


@contextlib.contextmanager
def _pg_test_database() -> Iterator[str]:
    import psycopg

    name = f"wiz_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
        try:
            yield name
        finally:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pg_types(database: str) -> set[str]:
    import psycopg

    with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={database}") as conn:
        rows = conn.execute("select typname from pg_type where typtype = 'e'").fetchall()
    return {r[0] for r in rows}


@pytest.mark.postgres
def test_the_migration_test_passes_twice_on_postgresql_with_an_enum(
    tmp_path: Path, pg_database: str
) -> None:
    project = _project(
        tmp_path, ENUM_MODELS, f"postgresql+asyncpg://postgres@127.0.0.1/{pg_database}"
    )
    revision = _follow_next(project)
    # the downgrade drops the type the upgrade created (autogenerate alone leaves it)
    assert "op.drop_table('invoices')\n    op.execute('DROP TYPE IF EXISTS status')" in revision
    with _pg_test_database() as test_db:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={test_db}") as conn:
            # what a run of the earlier test file left: a type, and a table at no revision
            conn.execute("create type status as enum ('draft', 'paid')")
            conn.execute("create table invoices (id int)")
        url = f"postgresql+psycopg://postgres@127.0.0.1/{test_db}"
        for _ in range(2):
            out = _migration_test(project, "TEST_DATABASE_URL_SYNC", url)
            assert "4 passed" in out, out
            assert pg_tables(test_db) == set() and _pg_types(test_db) == set()  # left empty
    assert pg_tables(pg_database) == {"alembic_version", "invoices"}  # development: untouched
    # a later table on the same type: its downgrade keeps the type the first table still uses
    with (project / "app/models.py").open("a") as models:
        models.write(
            "\n\nclass Refund(Base):\n    __tablename__ = 'refunds'\n"
            "    id: Mapped[int] = mapped_column(primary_key=True)\n"
            "    status: Mapped[Status] = mapped_column(Enum(Status))\n"
        )
    alembic("revision", "--autogenerate", "-m", "refunds", cwd=project)
    second = next((project / "migrations/versions").glob("*_refunds.py")).read_text()
    assert "op.drop_table('refunds')" in second and "DROP TYPE" not in second


def test_the_migration_test_passes_twice_on_mariadb_with_a_foreign_keys_index(
    tmp_path: Path, mysql_database: str
) -> None:
    import pymysql

    project = _project(tmp_path, FK_MODELS, f"mysql+asyncmy://root:@127.0.0.1/{mysql_database}")
    revision = _follow_next(project)
    # the table goes with its indexes: MariaDB refuses to drop the one its foreign key needs
    assert "drop_index" not in revision and "op.drop_table('invoices')" in revision
    test_db = f"{mysql_database}_test"
    admin = pymysql.connect(host="127.0.0.1", user="root", password="", autocommit=True)
    try:
        with admin.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE `{test_db}`")
            cursor.execute(f"CREATE TABLE `{test_db}`.customers (id int primary key)")  # a leftover
        url = f"mysql+pymysql://root:@127.0.0.1/{test_db}"
        for _ in range(2):
            out = _migration_test(project, "TEST_DATABASE_URL_SYNC", url)
            assert "4 passed" in out, out
            assert mysql_tables(test_db) == set()
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{test_db}`")
        admin.close()
    # the development database under another name of this machine is refused, not emptied
    refused = _migration_test(
        project, "TEST_DATABASE_URL_SYNC", f"mysql+pymysql://root@localhost:3306/{mysql_database}"
    )
    assert "TEST_DATABASE_URL_SYNC names the database in DATABASE_URL" in refused, refused
    assert mysql_tables(mysql_database) == {"alembic_version", "customers", "invoices"}
    # the example command shows an empty password as it is, not as a mask
    text = (project / "tests/test_migrations.py").read_text()
    assert f"mysql+pymysql://root:@127.0.0.1/{mysql_database}_test pytest" in text
    assert "***" not in text


# --- the workflow, in-process --------------------------------------------------------------


def _workflow(tmp_path: Path, files: dict[str, str], *flags: str) -> tuple[dict, str]:
    project = write_project(
        tmp_path,
        {
            "app/config.py": SETTINGS,
            "app/models.py": FK_MODELS,
            ".env": "DATABASE_URL=sqlite+aiosqlite:///app.db\nBOT_TOKEN=123:real-token\n",
            **files,
        },
    )
    assert wizard("--yes", "--no-db", cwd=project).returncode == 0
    done = wizard("guard", "--yes", "--rails", "ci,test", *flags, cwd=project)
    assert done.returncode == 0, done.stderr
    workflow = yaml.safe_load((project / ".github/workflows/migrations.yml").read_text())
    return workflow["jobs"]["migrations"], done.stderr


def _runs(job: dict) -> list[str]:
    return [s["run"] for s in job["steps"] if "run" in s]


def _python(job: dict) -> str:
    return next(s["with"]["python-version"] for s in job["steps"] if "with" in s)


def test_the_workflow_installs_nothing_that_is_not_on_an_index(tmp_path: Path) -> None:
    job, notes = _workflow(tmp_path, {})
    assert not any("alembic-wizard" in r for r in _runs(job))  # neither installed nor run
    assert "no `alembic-wizard doctor` step: the project does not install alembic-wizard" in notes


DECLARED = "alembic-wizard @ git+https://github.com/example/alembic-wizard"


@pytest.mark.parametrize(
    "files",
    [
        {
            "pyproject.toml": f'[project]\nname = "proj"\n\n[dependency-groups]\ndev = ["{DECLARED}"]\n'
        },
        {"requirements-dev.txt": f"pytest\n{DECLARED}  # the guard rails\n"},
    ],
)
def test_the_workflow_runs_doctor_where_the_project_declares_the_wizard(
    tmp_path: Path, files: dict[str, str]
) -> None:
    job, notes = _workflow(tmp_path, files)
    runs = _runs(job)
    assert f"'{DECLARED}'" in runs[0]  # installed as the project declares it
    assert "alembic-wizard doctor" in runs and "no `alembic-wizard doctor` step" not in notes


def test_the_workflow_sets_the_templates_variables(tmp_path: Path) -> None:
    template = (
        "# copy to .env\nDATABASE_URL=sqlite+aiosqlite:///example.db\nBOT_TOKEN=\nDEBUG=false\n"
    )
    job, _ = _workflow(tmp_path, {".env.example": template})
    assert job["env"]["BOT_TOKEN"] == "" and job["env"]["DEBUG"] == "false"
    assert (
        job["env"]["DATABASE_URL"] == "sqlite+aiosqlite:///ci-app.db"
    )  # the CI's, not the example's
    assert "123:real-token" not in str(job)  # never the real env file's values
    _, notes = _workflow(tmp_path / "none", {})
    assert "no env template (.env.example): the workflow sets only the database URLs" in notes


@pytest.mark.parametrize(
    ("files", "version"),
    [
        (
            {
                ".python-version": "3.11\n",
                "pyproject.toml": '[project]\nname = "p"\nrequires-python = ">=3.10"\n',
            },
            "3.11",
        ),
        ({".python-version": "cpython-3.13.1\n"}, "3.13.1"),
        ({"pyproject.toml": '[project]\nname = "p"\nrequires-python = ">=3.10,<3.14"\n'}, "3.10"),
        (
            {
                "pyproject.toml": '[tool.poetry]\nname = "p"\n\n[tool.poetry.dependencies]\npython = "^3.11"\n'
            },
            "3.11",
        ),
    ],
)
def test_the_workflow_runs_the_projects_python(
    tmp_path: Path, files: dict[str, str], version: str
) -> None:
    job, _ = _workflow(tmp_path, files)
    assert _python(job) == version
