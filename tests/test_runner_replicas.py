"""The start-up runner (`alembic-wizard runner`) on real databases: six replicas of an app
started at the same moment migrate exactly once (counted in the database), every one exits 0
and sees head, and the app's logging survives the call."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pymysql
import pytest

from conftest import copy_project, run, set_env_line, wizard

REPLICA = Path(__file__).parent / "runner_replica.py"
REPLICAS = 6
# The revision: one row per run in a table the test made (a second run adds a second row),
# a table of its own, and a pause that keeps the other replicas arriving while it runs.
REVISION = '''"""count the runs"""
import os
import time

import sqlalchemy as sa
from alembic import op

revision = "a1b2c3d4e5f6"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(sa.text(f"INSERT INTO migration_runs (pid) VALUES ({os.getpid()})"))
    op.create_table("things", sa.Column("id", sa.Integer, primary_key=True))
    time.sleep(PAUSE)


def downgrade() -> None:
    op.drop_table("things")
'''


def _set_up(project: Path, mode: str, pause: float = 1.0) -> Path:
    """The wizard's setup, then its runner, then the counting revision."""
    done = wizard("--yes", "--no-db", "--mode", mode, cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    done = wizard("runner", "--yes", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    versions = next(project.rglob("versions"))
    (versions / "a1b2c3d4e5f6_count.py").write_text(REVISION.replace("PAUSE", str(pause)))
    return next(p for p in project.rglob("alembic.ini")).parent


def start_replicas(
    root: Path, runner: str, preload: list[str], how: str = "lock", n: int = REPLICAS,
    import_root: Path | None = None,
) -> list[tuple[int, dict[str, object] | str]]:  # fmt: skip
    """Start `n` processes in `root`, wait until each has imported the app, then release them
    all at once; each one's exit status and report (or its stderr when it failed)."""
    barrier, env = root / "go", {**os.environ, "PYTHONPATH": str(import_root or root)}
    procs = []
    for i in range(n):
        args = [str(barrier), str(root / f"ready-{i}"), runner, how, *preload]
        procs.append(subprocess.Popen(  # noqa: S603
            [sys.executable, str(REPLICA), *args], cwd=root, env=env, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
        ))  # fmt: skip
    deadline = time.monotonic() + 120
    while not all((root / f"ready-{i}").exists() for i in range(n)):
        assert time.monotonic() < deadline, "the replicas did not start"
        assert all(p.poll() is None for p in procs), [p.communicate() for p in procs]
        time.sleep(0.01)
    barrier.touch()
    results: list[tuple[int, dict[str, object] | str]] = []
    for proc in procs:
        out, err = proc.communicate(timeout=180)
        results.append((proc.returncode, json.loads(out) if proc.returncode == 0 else err))
    return results


def _check_once(results: list[tuple[int, dict[str, object] | str]], runs: int) -> None:
    assert [code for code, _ in results] == [0] * REPLICAS, results
    assert runs == 1, f"migrated {runs} times"
    reports = [r for _, r in results if isinstance(r, dict)]
    for report in reports:
        assert report["current"] == "a1b2c3d4e5f6 (head)", report
        assert report["handler_kept"], report
        assert "app: the app logs after migrating" in report["messages"], report
    started = [float(r["started"]) for r in reports]  # type: ignore[arg-type]
    assert max(started) - min(started) < 1.0, started  # released together
    waited = [r for r in reports if any("another process is migrating" in m for m in r["messages"])]  # type: ignore[attr-defined]
    assert waited, "no replica found another one migrating: they did not overlap"


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_postgresql_replicas_migrate_once(tmp_path: Path, pg_database: str, mode: str) -> None:
    """Sync mode (psycopg) and async mode (asyncpg, the lock taken inside run_sync)."""
    project = copy_project("pg_app", tmp_path)
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{pg_database}"
    set_env_line(project / ".env", "DATABASE_URL", url)
    root = _set_up(project, mode)
    dsn = f"host=127.0.0.1 port=5432 user=postgres dbname={pg_database}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE migration_runs (pid integer)")
    results = start_replicas(root, "app.migrate", ["app.db.session", "app.main"])
    with psycopg.connect(dsn) as conn:
        runs = conn.execute("SELECT count(*) FROM migration_runs").fetchone()
    _check_once(results, runs[0] if runs else 0)


def _mysql_count(database: str, sql: str) -> int:
    conn = pymysql.connect(host="127.0.0.1", user="root", password="", database=database,
                           autocommit=True)  # fmt: skip
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql)
            row = cursor.fetchone()
            return int(row[0]) if row else 0
    finally:
        conn.close()


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_mariadb_replicas_migrate_once(tmp_path: Path, mysql_database: str, mode: str) -> None:
    project = copy_project("mysql_app", tmp_path)
    url = f"mysql+asyncmy://root@127.0.0.1:3306/{mysql_database}?charset=utf8mb4"
    set_env_line(project / ".env", "SHOP_DATABASE_URL", url)
    root = _set_up(project, mode)
    _mysql_count(mysql_database, "CREATE TABLE migration_runs (pid integer)")
    results = start_replicas(root, "shop.migrate", ["shop.database"])
    _check_once(results, _mysql_count(mysql_database, "SELECT count(*) FROM migration_runs"))


def test_sqlite_replicas_migrate_once(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    root = _set_up(project, "sync")
    import sqlite3

    with sqlite3.connect(root / "notes.db") as conn:
        conn.execute("CREATE TABLE migration_runs (pid integer)")
    results = start_replicas(root, "notes.migrate", ["notes.db"], import_root=root / "src")
    with sqlite3.connect(root / "notes.db") as conn:
        runs = conn.execute("SELECT count(*) FROM migration_runs").fetchone()[0]
    _check_once(results, runs)
    assert (root / "notes.db.migrate-lock").exists()


def test_without_the_lock_replicas_collide(tmp_path: Path, pg_database: str) -> None:
    """The same start with `alembic upgrade head` and no lock: the count above can fail."""
    project = copy_project("pg_app", tmp_path)
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{pg_database}"
    set_env_line(project / ".env", "DATABASE_URL", url)
    root = _set_up(project, "sync")
    dsn = f"host=127.0.0.1 port=5432 user=postgres dbname={pg_database}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE migration_runs (pid integer)")
    results = start_replicas(root, "app.migrate", ["app.db.session", "app.main"], "nolock")
    with psycopg.connect(dsn) as conn:
        runs = conn.execute("SELECT count(*) FROM migration_runs").fetchone()
    failed = [r for code, r in results if code != 0]
    assert failed or (runs and runs[0] > 1), "six replicas without a lock did not collide"


def _short_timeout(runner: Path) -> str:
    """Wait 2 s instead of 600 (the file is the user's to edit); returns LOCK_NAME."""
    text = runner.read_text()
    runner.write_text(text.replace("LOCK_TIMEOUT = 600", "LOCK_TIMEOUT = 2"))
    return text.split('LOCK_NAME = "', 1)[1].split('"', 1)[0]


def test_postgresql_lock_held_elsewhere(tmp_path: Path, pg_database: str) -> None:
    """Another session holding the project's advisory lock (the key a 64-bit hash of
    LOCK_NAME): the runner waits LOCK_TIMEOUT, fails with MigrationLockTimeout and migrates
    nothing; once it is released, the runner migrates."""
    project = copy_project("pg_app", tmp_path)
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{pg_database}"
    set_env_line(project / ".env", "DATABASE_URL", url)
    root = _set_up(project, "sync", pause=0)
    name = _short_timeout(root / "app/migrate.py")
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    dsn = f"host=127.0.0.1 port=5432 user=postgres dbname={pg_database}"
    with psycopg.connect(dsn, autocommit=True) as holder:
        holder.execute("CREATE TABLE migration_runs (pid integer)")
        holder.execute("SELECT pg_advisory_lock(%s)", (key,))
        blocked = run("-m", "app.migrate", cwd=root)
        assert blocked.returncode == 1
        assert "MigrationLockTimeout: waited 2 s for 'alembic-shop-backend'" in blocked.stderr
        assert "another process is migrating; waiting up to 2 s" in blocked.stderr
        assert holder.execute("SELECT count(*) FROM migration_runs").fetchone() == (0,)
        holder.execute("SELECT pg_advisory_unlock(%s)", (key,))
        done = run("-m", "app.migrate", cwd=root)
        assert done.returncode == 0, done.stderr
        assert holder.execute("SELECT count(*) FROM migration_runs").fetchone() == (1,)
        assert holder.execute("SELECT version_num FROM alembic_version").fetchone() == (
            "a1b2c3d4e5f6",
        )


def test_mariadb_lock_held_elsewhere(tmp_path: Path, mysql_database: str) -> None:
    """GET_LOCK held by another session under `<LOCK_NAME>:<database>`: the same."""
    project = copy_project("mysql_app", tmp_path)
    url = f"mysql+asyncmy://root@127.0.0.1:3306/{mysql_database}?charset=utf8mb4"
    set_env_line(project / ".env", "SHOP_DATABASE_URL", url)
    root = _set_up(project, "sync", pause=0)
    name = f"{_short_timeout(root / 'shop/migrate.py')}:{mysql_database}"
    _mysql_count(mysql_database, "CREATE TABLE migration_runs (pid integer)")
    holder = pymysql.connect(host="127.0.0.1", user="root", password="", autocommit=True)
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT GET_LOCK(%s, 0)", (name,))
            assert cursor.fetchone() == (1,)
            blocked = run("-m", "shop.migrate", cwd=root)
            assert blocked.returncode == 1
            assert f"MigrationLockTimeout: waited 2 s for GET_LOCK('{name}')" in blocked.stderr
            assert _mysql_count(mysql_database, "SELECT count(*) FROM migration_runs") == 0
            cursor.execute("SELECT RELEASE_LOCK(%s)", (name,))
    finally:
        holder.close()
    done = run("-m", "shop.migrate", cwd=root)
    assert done.returncode == 0, done.stderr
    assert _mysql_count(mysql_database, "SELECT count(*) FROM migration_runs") == 1
