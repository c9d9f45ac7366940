"""The whole run on real projects: wizard, then real Alembic, then the app's own async engine."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

from dotenv import dotenv_values
from sqlalchemy.engine import make_url

from conftest import (
    FIXTURES,
    alembic,
    copy_project,
    pg_tables,
    run,
    set_env_line,
    tree_hash,
    wizard,
)

PG_TABLES = {"users", "categories", "products", "tags", "product_tags", "orders", "order_lines"}
SQLITE_TABLES = {"note", "notebook", "tag", "notetaglink"}


def _created_tables(revision_dir: Path) -> set[str]:
    (script,) = revision_dir.glob("*.py")
    return set(re.findall(r"op\.create_table\(\s*'(\w+)'", script.read_text()))


def test_postgres_project_in_a_subfolder(tmp_path: Path, pg_database: str) -> None:
    repo = copy_project("pg_app", tmp_path)
    set_env_line(
        repo / ".env", "DATABASE_URL", f"postgresql+asyncpg://postgres@127.0.0.1:5432/{pg_database}"
    )
    done = wizard("--yes", "--project", str(repo))
    assert done.returncode == 0, done.stderr + done.stdout
    backend = repo / "backend"
    assert (backend / "alembic.ini").is_file() and (backend / "migrations/env.py").is_file()
    env = dotenv_values(repo / ".env")
    assert env["DATABASE_URL_SYNC"] == f"postgresql+psycopg://postgres@127.0.0.1:5432/{pg_database}"
    assert "ok  same database" in done.stdout
    assert (repo / ".gitignore").read_text().endswith("\n.alembic-wizard/\n")
    example = dotenv_values(repo / ".env.example")
    assert example["DATABASE_URL_SYNC"] == "postgresql+psycopg://user:password@localhost:5432/shop"
    original = (FIXTURES / "pg_app/backend/app/core/config.py").read_text().splitlines()
    edited = (backend / "app/core/config.py").read_text().splitlines()
    assert [line for line in edited if line not in original] == [
        "    database_url_sync: str | None = None"
    ]
    assert [line for line in edited if "database_url_sync" not in line] == original
    pyproject = (backend / "pyproject.toml").read_text()
    original_pyproject = (FIXTURES / "pg_app/backend/pyproject.toml").read_text()
    assert pyproject.startswith(original_pyproject.split('    "pydantic-settings')[0])
    assert '    "alembic>=1.13",\n    "psycopg[binary]",\n]' in pyproject

    alembic("revision", "--autogenerate", "-m", "create tables", cwd=backend)
    assert _created_tables(backend / "migrations/versions") == PG_TABLES
    alembic("upgrade", "head", cwd=backend)
    assert pg_tables(pg_database) == PG_TABLES | {"alembic_version"}

    app = run("-m", "app.check_tables", cwd=backend)  # the app's async engine, DATABASE_URL
    assert app.returncode == 0, app.stderr
    assert {line.split()[0] for line in app.stdout.splitlines()} == PG_TABLES


def test_sqlite_sqlmodel_src_layout(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    done = wizard("--yes", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    ini = (project / "alembic.ini").read_text()
    assert "prepend_sys_path = src" in ini and "sqlalchemy.url" not in ini
    assert "import sqlmodel" in (project / "migrations/script.py.mako").read_text()
    assert "render_as_batch=True" in (project / "migrations/env.py").read_text()

    alembic("revision", "--autogenerate", "-m", "create tables", cwd=project)
    assert _created_tables(project / "migrations/versions") == SQLITE_TABLES
    alembic("upgrade", "head", cwd=project)
    app = run(
        "-m",
        "notes.check_tables",
        cwd=project,
        env={**__import__("os").environ, "PYTHONPATH": "src"},
    )
    assert app.returncode == 0, app.stderr
    assert {line.split()[0] for line in app.stdout.splitlines()} == SQLITE_TABLES
    # the app's own URL is untouched
    assert dotenv_values(project / ".env")["NOTES_DATABASE_URL"] == "sqlite+aiosqlite:///./notes.db"


def test_dry_run_leaves_the_tree_byte_identical(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    before = tree_hash(project)
    done = wizard("--yes", "--dry-run", cwd=project)
    assert done.returncode == 0, done.stderr
    assert "create  migrations/env.py" in done.stderr
    assert "+DATABASE_URL_SYNC" not in done.stdout  # this project's key has a prefix
    assert "+NOTES_DATABASE_URL_SYNC=sqlite:///./notes.db" in done.stdout
    assert tree_hash(project) == before


def test_second_run_plans_zero_changes(tmp_path: Path) -> None:
    for name in ("sqlite_app", "pg_app", "blog", "mysql_app"):
        project = copy_project(name, tmp_path)
        first = wizard("--yes", "--no-verify", cwd=project)
        assert first.returncode == 0, first.stderr
        after_first = tree_hash(project)
        second = wizard("--yes", "--no-verify", "--dry-run", cwd=project)
        assert second.returncode == 0, second.stderr
        assert "nothing to change" in second.stderr, (name, second.stderr)
        assert not re.search(r"^\s+(create|modify)\s", second.stderr, re.M)
        assert second.stdout == ""
        assert tree_hash(project) == after_first


def test_password_with_special_characters(tmp_path: Path, pg_database: str) -> None:
    password = "p@ss:w%rd/#x y"
    repo = copy_project("pg_app", tmp_path)
    url = f"postgresql+asyncpg://postgres:{quote(password, safe='')}@127.0.0.1:5432/{pg_database}"
    set_env_line(repo / ".env", "DATABASE_URL", url)
    dry = wizard("--yes", "--dry-run", "--project", str(repo))
    done = wizard("--yes", "--project", str(repo))
    assert done.returncode == 0, done.stderr + done.stdout
    sync = dotenv_values(repo / ".env")["DATABASE_URL_SYNC"]
    assert sync is not None
    assert make_url(sync).password == password == make_url(url).password
    assert make_url(sync).drivername == "postgresql+psycopg"
    backend = repo / "backend"
    outputs = [dry.stdout, dry.stderr, done.stdout, done.stderr]
    outputs += [alembic("revision", "--autogenerate", "-m", "init", cwd=backend).stderr]
    upgrade = alembic("upgrade", "head", cwd=backend)
    outputs += [upgrade.stdout, upgrade.stderr]
    assert pg_tables(pg_database) >= PG_TABLES
    for text in outputs:
        for form in (password, quote(password, safe=""), make_url(sync).password, "w%rd", "w%25rd"):
            assert form not in text
    assert "***" in dry.stdout  # the diff shows the new line, masked
    assert password not in (repo / ".env.example").read_text()
    assert "postgres:" not in (backend / "alembic.ini").read_text()


def test_unreachable_database_keeps_the_offline_result(tmp_path: Path) -> None:
    repo = copy_project("pg_app", tmp_path)
    set_env_line(repo / ".env", "DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:1/shop")
    done = wizard("--yes", "--project", str(repo))
    assert done.returncode == 0, done.stderr + done.stdout
    assert "ok  upgrade head --sql" in done.stdout
    assert "skipped  database: not reachable, online checks skipped" in done.stdout
    assert "ok  Alembic URL connects" not in done.stdout


def test_a_server_that_refuses_is_a_failure_not_a_skip(tmp_path: Path, pg_database: str) -> None:
    repo = copy_project("pg_app", tmp_path)
    set_env_line(repo / ".env", "DATABASE_URL",
                 f"postgresql+asyncpg://postgres@127.0.0.1:5432/{pg_database}_missing")  # fmt: skip
    done = wizard("--yes", "--project", str(repo))
    assert done.returncode == 1, done.stderr + done.stdout
    assert "FAILED  Alembic URL connects" in done.stdout
    assert "does not exist" in done.stdout
