"""Shared test helpers: fixture projects copied into tmp_path, real databases, real processes."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from layers import mark_layers

FIXTURES = Path(__file__).parent / "fixtures"
collect_ignore = ["fixtures"]  # fixture projects have tests of their own, not ours
REPO = Path(__file__).parent.parent
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# A suite started in the background by a non-interactive shell (`cmd &`) inherits SIGINT
# ignored, and so would every process it starts: Ctrl-C (and the interrupt tests' SIGINT)
# would then do nothing. A handler of our own is reset to the default in a child at exec.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
# the smallest app: one settings class reading .env, one model (app/config.py, app/models.py)
APP_SETTINGS = """\
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env")
    database_url: str


settings = Settings()
"""
APP_MODELS = """\
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "items"
    id: Mapped[int] = mapped_column(primary_key=True)
"""


def copy_project(name: str, tmp_path: Path) -> Path:
    """A fresh copy of a fixture project (or of examples/<name>)."""
    source = FIXTURES / name
    if not source.exists():
        source = REPO / "examples" / name
    target = tmp_path / name
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.db"))
    return target


def write_project(tmp_path: Path, files: dict[str, str]) -> Path:
    """A project written from `files` (dedented): a pyproject.toml naming it, and an
    `__init__.py` in every folder below the root that holds Python files."""
    root = tmp_path / "proj"
    for name, text in {"pyproject.toml": '[project]\nname = "proj"\n', **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    for package in {p.parent for p in root.rglob("*.py")} - {root}:
        (package / "__init__.py").touch()
    return root


def tree_hash(top: Path) -> dict[str, str]:
    """Every file under `top` with the hash of its bytes and its mode."""
    found = {}
    for path in sorted(top.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            found[path.relative_to(top).as_posix()] = f"{digest} {path.stat().st_mode:o}"
    return found


def wizard_process(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: int = 300
) -> subprocess.CompletedProcess[str]:
    """Run `python -m wizard` in a subprocess, no terminal, no stdin: for what only a
    process shows (how it finds out there is no terminal, the entry point itself)."""
    return run("-m", "wizard", "--no-color", *args, cwd=cwd, env=env, timeout=timeout)


def run(
    *args: str, cwd: Path | None, env: dict[str, str] | None = None, timeout: int = 300
) -> subprocess.CompletedProcess[str]:
    """Run a command with the test interpreter (`alembic`, the app's own scripts)."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def alembic(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Real Alembic in a subprocess; fails the test with its output when it fails."""
    done = run("-m", "alembic", *args, cwd=cwd)
    assert done.returncode == 0, f"alembic {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


def set_env_line(path: Path, key: str, value: str) -> None:
    """Replace the `key=` line of an env file (test setup only)."""
    text = path.read_text()
    new, count = re.subn(rf"(?m)^{key}=.*$", lambda _: f"{key}={value}", text)
    assert count == 1, f"{key} not in {path}"
    path.write_text(new)


def _server_missing(name: str, exc: Exception) -> None:
    message = f"{name} server is not reachable: {exc}"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A new, uniquely named PostgreSQL database; dropped afterwards. Yields its name."""
    psycopg = pytest.importorskip("psycopg")
    name = f"wiz_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(
            "host=127.0.0.1 port=5432 user=postgres dbname=postgres",
            autocommit=True,
            connect_timeout=5,
        )
    except psycopg.OperationalError as exc:
        _server_missing("PostgreSQL (127.0.0.1:5432)", exc)
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield name
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def mysql_database() -> Iterator[str]:
    """A new, uniquely named MariaDB/MySQL database; dropped afterwards. Yields its name."""
    pymysql = pytest.importorskip("pymysql")
    name = f"wiz_{uuid.uuid4().hex[:12]}"
    try:
        admin = pymysql.connect(host="127.0.0.1", port=3306, user="root", password="",
                                autocommit=True, connect_timeout=5)  # fmt: skip
    except pymysql.MySQLError as exc:
        _server_missing("MariaDB (127.0.0.1:3306)", exc)
    with admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}`")
    try:
        yield name
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        admin.close()


def mysql_tables(database: str) -> set[str]:
    """The tables of a MariaDB database, read with pymysql directly."""
    import pymysql

    conn = pymysql.connect(host="127.0.0.1", port=3306, user="root", password="", database=database)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SHOW TABLES")
            return {row[0] for row in cursor.fetchall()}
    finally:
        conn.close()


def pg_tables(database: str) -> set[str]:
    """The tables in a PostgreSQL database's public schema, read with psycopg directly."""
    import psycopg

    dsn = f"host=127.0.0.1 port=5432 user=postgres dbname={database}"
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "select table_name from information_schema.tables where table_schema = 'public'"
        ).fetchall()
    return {r[0] for r in rows}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with the layers it needs (tests/layers.py): `pytest -m fast` runs the
    in-process layer."""
    mark_layers(items)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/ from the current templates (review the diff before committing)",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True under `pytest --update-golden`."""
    return bool(request.config.getoption("--update-golden"))


def wizard(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the wizard's `main()` in this process (no terminal, no stdin), for what an
    in-process call can show: files, messages, exit status. Environment and working folder
    are put back afterwards."""
    import contextlib
    import io

    from wizard.cli import main

    saved_env, saved_cwd = dict(os.environ), Path.cwd()
    out, err = io.StringIO(), io.StringIO()
    try:
        if env is not None:
            os.environ.clear()
            os.environ.update(env)
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["--no-color", *args], interactive=False)
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
    return subprocess.CompletedProcess(["wizard", *args], code, out.getvalue(), err.getvalue())
