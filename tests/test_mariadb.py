"""MySQL/MariaDB apps on asyncmy and aiomysql, end to end on the real MariaDB server."""

from __future__ import annotations

from pathlib import Path

import pytest
from dotenv import dotenv_values
from test_end_to_end import _created_tables

from conftest import alembic, copy_project, mysql_tables, run, set_env_line, tree_hash, wizard

TABLES = {"customers", "invoices"}


@pytest.mark.parametrize(("driver", "mode"), [("asyncmy", "sync"), ("aiomysql", "sync"),
                                               ("asyncmy", "async")])  # fmt: skip
def test_mariadb_app(tmp_path: Path, mysql_database: str, driver: str, mode: str) -> None:
    project = copy_project("mysql_app", tmp_path)
    url = f"mysql+{driver}://root@127.0.0.1:3306/{mysql_database}?charset=utf8mb4"
    set_env_line(project / ".env", "SHOP_DATABASE_URL", url)
    done = wizard("--yes", "--mode", mode, cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "ok  same database" in done.stdout
    env = dotenv_values(project / ".env")
    if mode == "sync":  # the env_prefix is kept, the driver swapped, charset kept
        expected = f"mysql+pymysql://root@127.0.0.1:3306/{mysql_database}?charset=utf8mb4"
        assert env["SHOP_DATABASE_URL_SYNC"] == expected
        assert (
            "SHOP_DATABASE_URL_SYNC=mysql+pymysql://user:password@localhost:3306/shop"
            in (project / ".env.example").read_text()
        )
    else:
        assert "SHOP_DATABASE_URL_SYNC" not in env

    alembic("revision", "--autogenerate", "-m", "create tables", cwd=project)
    assert _created_tables(project / "migrations/versions") == TABLES
    alembic("upgrade", "head", cwd=project)
    assert mysql_tables(mysql_database) == TABLES | {"alembic_version"}
    app = run("-m", "shop.check_tables", cwd=project)
    assert app.returncode == 0, app.stderr
    assert {line.split()[0] for line in app.stdout.splitlines()} == TABLES

    before = tree_hash(project)
    second = wizard("--yes", "--no-db", cwd=project)
    assert second.returncode == 0 and "nothing to change" in second.stderr, second.stderr
    assert tree_hash(project) == before
