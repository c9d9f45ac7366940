"""The fixture apps as `adopt` tests use them: set up by the wizard, their tables made by the
app's own `metadata.create_all` through its own async engine (a process), and the schema of a
database read back by reflection."""

from __future__ import annotations

import contextlib
import os
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.pool import NullPool

from conftest import copy_project, run, set_env_line, wizard


@dataclass(frozen=True)
class App:
    """One fixture app: where Alembic runs, its URL variables, its create_all module."""

    fixture: str
    folder: str  # where alembic.ini ends up, inside the copy
    env_file: str  # relative to the copy
    key: str  # the async URL's variable; Alembic's is key + "_SYNC"
    package: str  # where startup.py goes (relative to the copy)
    startup: str  # its source
    pythonpath: str | None = None

    @property
    def create_all_line(self) -> int:
        """The line of startup.py that hands `create_all` to the engine."""
        return next(
            n for n, line in enumerate(self.startup.splitlines(), 1) if "create_all" in line
        )

    def urls(self, database: str) -> tuple[str, str]:
        """(the app's async URL, Alembic's sync URL) for a database name (a file for SQLite)."""
        if self.fixture == "pg_app":
            base = f"postgres@127.0.0.1:5432/{database}"
            return f"postgresql+asyncpg://{base}", f"postgresql+psycopg://{base}"
        if self.fixture == "mysql_app":
            base = f"root@127.0.0.1:3306/{database}?charset=utf8mb4"
            return f"mysql+asyncmy://{base}", f"mysql+pymysql://{base}"
        return f"sqlite+aiosqlite:///./{database}", f"sqlite:///./{database}"


_STARTUP = '''"""Create the tables at start-up, as many async apps do."""

import asyncio

{imports}


async def create_tables() -> None:
    async with engine.begin() as conn:
        await conn.run_sync({metadata}.create_all)
    await engine.dispose()


if __name__ == "__main__":
    asyncio.run(create_tables())
'''

PG = App(
    "pg_app", "backend", ".env", "DATABASE_URL", "backend/app",
    _STARTUP.format(metadata="Base.metadata", imports="import app.catalog.models  # noqa: F401\n"
                    "import app.orders.models.line  # noqa: F401\nimport app.users.models  # noqa: F401\n"
                    "from app.db.base import Base\nfrom app.db.session import engine"),
)  # fmt: skip
MYSQL = App(
    "mysql_app", "", ".env", "SHOP_DATABASE_URL", "shop",
    _STARTUP.format(metadata="Base.metadata",
                    imports="import shop.models  # noqa: F401\nfrom shop.database import Base, engine"),
)  # fmt: skip
SQLITE = App(
    "sqlite_app", "", ".env", "NOTES_DATABASE_URL", "src/notes",
    _STARTUP.format(metadata="SQLModel.metadata", imports="from sqlmodel import SQLModel\n\n"
                    "import notes.models.note  # noqa: F401\nimport notes.models.notebook  # noqa: F401\n"
                    "from notes.db import engine"),
    pythonpath="src",
)  # fmt: skip
APPS = {"postgresql": PG, "mariadb": MYSQL, "sqlite": SQLITE}


@dataclass(frozen=True)
class Adoptable:
    """A set-up project whose database has the app's tables."""

    app: App
    repo: Path  # the copy
    where: Path  # where Alembic runs
    database: str
    sync_url: str

    def env(self, database: str | None = None) -> dict[str, str]:
        """The environment for a process of the app or of Alembic, on `database`."""
        app_url, sync_url = self.app.urls(database or self.database)
        env = {**os.environ, self.app.key: app_url, f"{self.app.key}_SYNC": sync_url}
        if self.app.pythonpath:
            env["PYTHONPATH"] = self.app.pythonpath
        return env

    def run(self, *args: str, database: str | None = None) -> subprocess.CompletedProcess[str]:
        """A process with the test interpreter in the project (`-m alembic ...`)."""
        return run(*args, cwd=self.where, env=self.env(database))

    def sync_url_of(self, database: str) -> str:
        url = self.app.urls(database)[1]
        return url.replace("///./", f"///{self.where}/") if url.startswith("sqlite") else url


def prepare(app: App, tmp_path: Path, database: str) -> Adoptable:
    """Copy the app, add its start-up module, set it up with the wizard, create its tables."""
    repo = copy_project(app.fixture, tmp_path)
    (repo / app.package / "startup.py").write_text(app.startup)
    set_env_line(repo / app.env_file, app.key, app.urls(database)[0])
    done = wizard("--yes", "--no-verify", "--project", str(repo))
    assert done.returncode == 0, done.stderr + done.stdout
    where = repo / app.folder
    project = Adoptable(app, repo, where, database, app.urls(database)[1])
    made = project.run("-m", app.package.split("/")[-1] + ".startup")
    assert made.returncode == 0, made.stderr
    return project


def sync_url(project: Adoptable, database: str | None = None) -> str:
    return project.sync_url_of(database or project.database)


def execute(project: Adoptable, *statements: str, database: str | None = None) -> list[Any]:
    """Run SQL on the database directly (test setup and checks); the last result's rows."""
    engine = create_engine(sync_url(project, database), poolclass=NullPool)
    rows: list[Any] = []
    try:
        with engine.begin() as conn:
            for statement in statements:
                result = conn.execute(text(statement))
                rows = list(result) if result.returns_rows else []
    finally:
        engine.dispose()
    return rows


def tables(project: Adoptable, database: str | None = None) -> set[str]:
    """Every table's name, Alembic's version table included."""
    engine = create_engine(sync_url(project, database), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return set(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def schema(project: Adoptable, database: str | None = None) -> dict[str, Any]:
    """Tables, columns (type, nullable), indexes, unique constraints, primary and foreign
    keys of a database, by reflection; Alembic's version table left out."""
    engine = create_engine(sync_url(project, database), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            found = inspect(conn)
            return {
                table: {
                    "columns": [
                        (c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns(table)
                    ],
                    "indexes": sorted(
                        (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                        for i in found.get_indexes(table)
                    ),
                    "unique": sorted(
                        tuple(u["column_names"]) for u in found.get_unique_constraints(table)
                    ),
                    "pk": found.get_pk_constraint(table)["constrained_columns"],
                    "fks": sorted(
                        (tuple(f["constrained_columns"]), f["referred_table"])
                        for f in found.get_foreign_keys(table)
                    ),
                }  # fmt: skip
                for table in found.get_table_names()
                if table != "alembic_version"
            }
    finally:
        engine.dispose()


@contextlib.contextmanager
def fresh_database(project: Adoptable) -> Iterator[str]:
    """Another, empty database on the same server (a file beside the app's for SQLite)."""
    name = f"wiz_fresh_{uuid.uuid4().hex[:8]}"
    if project.app.fixture == "sqlite_app":
        yield f"{name}.db"
        return
    admin = {"pg_app": "postgres", "mysql_app": ""}[project.app.fixture]
    engine = create_engine(
        sync_url(project).rsplit("/", 1)[0] + f"/{admin}", poolclass=NullPool,
        isolation_level="AUTOCOMMIT",
    )  # fmt: skip
    quote = '"' if project.app.fixture == "pg_app" else "`"
    with engine.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {quote}{name}{quote}"))
    try:
        yield name
    finally:
        with engine.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {quote}{name}{quote}"))
        engine.dispose()
