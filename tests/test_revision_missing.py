"""A database at a revision the local versions folder lacks (a colleague's migration not
pulled yet): its own failure with the fix, not "check the credentials"."""

from __future__ import annotations

from pathlib import Path

from conftest import alembic, copy_project, set_env_line, tree_hash, wizard


def _upgrade_then_lose_the_revision(project: Path, root: Path) -> str:
    alembic("revision", "--autogenerate", "-m", "create tables", cwd=root)
    alembic("upgrade", "head", cwd=root)
    (script,) = (root / "migrations/versions").glob("*.py")
    script.unlink()  # the checkout lacks it; the database is at it
    return script.name.split("_")[0]


def _assert_reported(project: Path, revision: str, folder: str) -> None:
    before = tree_hash(project)
    done = wizard("verify", "--project", str(project))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "ok  Alembic URL connects" in done.stdout
    assert (
        f"FAILED  database revision: the database is at revision {revision}, "
        f"which is not in {folder}" in done.stdout
    )
    assert f"fix: fetch the revision file of {revision} into {folder}" in done.stdout
    assert "alembic stamp" in done.stdout and "password" not in done.stdout
    assert tree_hash(project) == before  # verify reads; it never writes or stamps


def test_sqlite_database_ahead_of_the_checkout(tmp_path: Path) -> None:
    project = copy_project("blog", tmp_path)
    assert wizard("--yes", cwd=project).returncode == 0
    revision = _upgrade_then_lose_the_revision(project, project)
    _assert_reported(project, revision, "migrations/versions")


def test_postgres_database_ahead_of_the_checkout(tmp_path: Path, pg_database: str) -> None:
    repo = copy_project("pg_app", tmp_path)
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{pg_database}"
    set_env_line(repo / ".env", "DATABASE_URL", url)
    done = wizard("--yes", "--project", str(repo))
    assert done.returncode == 0, done.stdout + done.stderr
    revision = _upgrade_then_lose_the_revision(repo, repo / "backend")
    _assert_reported(repo, revision, "backend/migrations/versions")
