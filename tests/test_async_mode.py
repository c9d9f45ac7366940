"""The async migration mode (run_sync on the app's own URL) and psycopg's async mode."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from dotenv import dotenv_values
from test_end_to_end import PG_TABLES, SQLITE_TABLES, _created_tables

from conftest import alembic, copy_project, pg_tables, run, set_env_line, tree_hash, wizard

SRC = {**os.environ, "PYTHONPATH": "src"}


def test_async_mode_end_to_end_on_sqlite(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    env_before = (project / ".env").read_bytes()
    settings_before = (project / "src/notes/settings.py").read_bytes()
    done = wizard("--yes", "--mode", "async", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    env_py = (project / "migrations/env.py").read_text()
    assert "async_engine_from_config(" in env_py and "run_sync(run_migrations_with)" in env_py
    assert "asyncio.run(" in env_py and "get_event_loop" not in env_py
    # no sync URL and no settings field in this mode
    assert (project / ".env").read_bytes() == env_before
    assert (project / "src/notes/settings.py").read_bytes() == settings_before

    alembic("revision", "--autogenerate", "-m", "create tables", cwd=project)
    assert _created_tables(project / "migrations/versions") == SQLITE_TABLES
    alembic("upgrade", "head", cwd=project)
    app = run("-m", "notes.check_tables", cwd=project, env=SRC)
    assert app.returncode == 0, app.stderr
    assert {line.split()[0] for line in app.stdout.splitlines()} == SQLITE_TABLES

    again = tree_hash(project)
    second = wizard("--yes", "--no-db", cwd=project)  # the mode is recognised, not asked
    assert "nothing to change" in second.stderr and second.returncode == 0
    assert tree_hash(project) == again


def test_async_mode_inside_a_running_loop_and_with_a_handed_in_connection(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    assert wizard("--yes", "--mode", "async", "--no-verify", cwd=project).returncode == 0
    alembic("revision", "--autogenerate", "-m", "create tables", cwd=project)

    inside_loop = (
        "import asyncio\nfrom alembic import command\nfrom alembic.config import Config\n"
        "async def main():\n    command.upgrade(Config('alembic.ini'), 'head')\n"
        "asyncio.run(main())\n"
    )
    done = run("-c", inside_loop, cwd=project, env=SRC)
    assert done.returncode != 0
    assert "RuntimeError: Alembic was called from inside a running event loop" in done.stderr
    assert "asyncio.to_thread" in done.stderr

    handed_in = (
        "import asyncio\nfrom alembic import command\nfrom alembic.config import Config\n"
        "from sqlalchemy.ext.asyncio import create_async_engine\n"
        "def upgrade(sync_conn):\n    cfg = Config('alembic.ini')\n"
        "    cfg.attributes['connection'] = sync_conn\n    command.upgrade(cfg, 'head')\n"
        "async def main():\n    engine = create_async_engine('sqlite+aiosqlite:///./notes.db')\n"
        "    async with engine.begin() as conn:\n        await conn.run_sync(upgrade)\n"
        "    await engine.dispose()\n"
        "asyncio.run(main())\n"
    )
    done = run("-c", handed_in, cwd=project, env=SRC)
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(project / "notes.db") as db:
        names = {r[0] for r in db.execute("select name from sqlite_master where type='table'")}
    assert names == SQLITE_TABLES | {"alembic_version"}


def test_psycopg_async_app_keeps_its_url(tmp_path: Path, pg_database: str) -> None:
    repo = copy_project("pg_app", tmp_path)
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{pg_database}"
    set_env_line(repo / ".env", "DATABASE_URL", url)
    done = wizard("--yes", "--project", str(repo))
    assert done.returncode == 0, done.stderr + done.stdout
    assert dotenv_values(repo / ".env")["DATABASE_URL_SYNC"] == url  # same driver, same URL
    assert "ok  same database" in done.stdout
    backend = repo / "backend"
    alembic("revision", "--autogenerate", "-m", "create tables", cwd=backend)
    assert _created_tables(backend / "migrations/versions") == PG_TABLES
    alembic("upgrade", "head", cwd=backend)
    assert pg_tables(pg_database) == PG_TABLES | {"alembic_version"}
    app = run("-m", "app.check_tables", cwd=backend)  # psycopg through create_async_engine
    assert app.returncode == 0, app.stderr
    assert {line.split()[0] for line in app.stdout.splitlines()} == PG_TABLES
    second = wizard("--yes", "--dry-run", "--project", str(repo))
    assert "nothing to change" in second.stderr


def test_asyncpg_app_in_async_mode(tmp_path: Path, pg_database: str) -> None:
    repo = copy_project("pg_app", tmp_path)
    set_env_line(repo / ".env", "DATABASE_URL",
                 f"postgresql+asyncpg://postgres@127.0.0.1:5432/{pg_database}")  # fmt: skip
    done = wizard("--yes", "--mode", "async", "--project", str(repo))
    assert done.returncode == 0, done.stderr + done.stdout
    assert "DATABASE_URL_SYNC" not in (repo / ".env").read_text()
    assert "ok  driver installed: greenlet, asyncpg" in done.stdout
    backend = repo / "backend"
    alembic("revision", "--autogenerate", "-m", "create tables", cwd=backend)
    assert _created_tables(backend / "migrations/versions") == PG_TABLES
    alembic("upgrade", "head", cwd=backend)
    assert pg_tables(pg_database) == PG_TABLES | {"alembic_version"}
    app = run("-m", "app.check_tables", cwd=backend)
    assert app.returncode == 0, app.stderr
    second = wizard("--yes", "--project", str(repo))
    assert second.returncode == 0 and "nothing to change" in second.stderr
    assert "pending operations: 0 to autogenerate" in second.stdout


def test_paas_style_postgres_url_rewritten_by_the_app(tmp_path: Path) -> None:
    repo = copy_project("pg_app", tmp_path)
    set_env_line(repo / ".env", "DATABASE_URL", "postgres://app:pw@db.internal:5432/shop")
    done = wizard("--yes", "--dry-run", "--project", str(repo))
    assert done.returncode == 0, done.stderr
    assert "+DATABASE_URL_SYNC=postgresql+psycopg://app:***@db.internal:5432/shop" in done.stdout


FAILING_REVISION = '''\
"""fails on purpose

Revision ID: 0001
Revises:
"""
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SELECT 1")  # the database answers; then the revision's own code fails
    raise ValueError("0001 fails on purpose")


def downgrade() -> None:
    pass
'''


def test_a_failing_migration_in_async_mode_shows_its_own_error_first(tmp_path: Path) -> None:
    """env.py starts its event loop outside the `except RuntimeError` that found none
    running: the traceback is the migration's, with no "no running event loop" before it."""
    project = copy_project("sqlite_app", tmp_path)
    assert wizard("--yes", "--mode", "async", "--no-verify", cwd=project).returncode == 0
    (project / "migrations/versions/0001_fails.py").write_text(FAILING_REVISION)
    done = run("-m", "alembic", "upgrade", "head", cwd=project)
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()
    assert last[-1] == "ValueError: 0001 fails on purpose"
    assert "no running event loop" not in done.stderr
    assert "During handling of the above exception" not in done.stderr
