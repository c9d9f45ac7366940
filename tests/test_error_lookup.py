"""`doctor --error` on real tracebacks: each broken setup is run with real Alembic (or the
real driver), and what it printed is mapped to the rule that explains it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import alembic, copy_project, run, wizard

MODELS = (
    "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\n"
    "class Base(DeclarativeBase):\n    pass\n\n\n"
    "class Item(Base):\n    __tablename__ = 'items'\n"
    "    id: Mapped[int] = mapped_column(primary_key=True)\n"
)


def _explain(text: str) -> str:
    done = subprocess.run([sys.executable, "-m", "wizard", "doctor", "--error", "-"],
                          input=text, capture_output=True, text=True, check=False)  # fmt: skip
    return done.stdout


def _generic(tmp_path: Path, url: str) -> Path:
    """`alembic init` and a hand-edited URL, the way the tutorial goes."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app/__init__.py").write_text("")
    (tmp_path / "app/models.py").write_text(MODELS)
    alembic("init", "migrations", cwd=tmp_path)
    ini = tmp_path / "alembic.ini"
    ini.write_text(ini.read_text().replace("driver://user:pass@localhost/dbname", url))
    return tmp_path


def _fails(*args: str, cwd: Path) -> str:
    done = run(*args, cwd=cwd)
    assert done.returncode != 0, done.stdout
    return done.stderr


def test_target_metadata_none(tmp_path: Path) -> None:
    project = _generic(tmp_path, "sqlite:///./app.db")
    error = _fails("-m", "alembic", "revision", "--autogenerate", "-m", "x", cwd=project)
    assert "AW104 target-metadata-none" in _explain(error)


def test_postgres_scheme(tmp_path: Path) -> None:
    project = _generic(tmp_path, "postgres://app@db/shop")
    error = _fails("-m", "alembic", "upgrade", "head", "--sql", cwd=project)
    assert "AW109 driverless-url" in _explain(error)


def test_several_heads(tmp_path: Path) -> None:
    project = _generic(tmp_path, "sqlite:///./app.db")
    alembic("revision", "-m", "one", "--rev-id", "aaa", cwd=project)
    alembic("revision", "-m", "two", "--rev-id", "bbb", "--head", "base", "--splice", cwd=project)
    error = _fails("-m", "alembic", "upgrade", "head", "--sql", cwd=project)
    assert "AW116 several-heads" in _explain(error)
    code = subprocess.run([sys.executable, "-m", "wizard", "doctor"], cwd=project,
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert "AW116  migrations/versions  2 heads: aaa, bbb" in code.stdout


def test_app_not_on_sys_path(tmp_path: Path) -> None:
    project = _generic(tmp_path, "sqlite:///./app.db")
    env_py = project / "migrations/env.py"
    env_py.write_text(env_py.read_text().replace(
        "target_metadata = None", "from app.models import Base\ntarget_metadata = Base.metadata"))  # fmt: skip
    ini = project / "alembic.ini"
    ini.write_text(ini.read_text().replace("prepend_sys_path = .", "prepend_sys_path = migrations"))
    elsewhere = project / "migrations"  # run from another folder, as people do
    error = _fails("-m", "alembic", "-c", str(ini), "upgrade", "head", "--sql", cwd=elsewhere)
    assert "No module named 'app'" in error
    assert "AW105 app-not-on-sys-path" in _explain(error)


def test_asyncpg_given_sslmode(tmp_path: Path, pg_database: str) -> None:
    code = (
        "import asyncio\nfrom sqlalchemy.ext.asyncio import create_async_engine\n"
        "async def main():\n"
        f"    engine = create_async_engine('postgresql+asyncpg://postgres@127.0.0.1/{pg_database}"
        "?sslmode=disable')\n"
        "    async with engine.connect():\n        pass\n"
        "asyncio.run(main())\n"
    )
    error = _fails("-c", code, cwd=tmp_path)
    assert "AW110 asyncpg-sslmode" in _explain(error)


@pytest.mark.parametrize("rule", ["AW101", "AW102", "AW104", "AW105", "AW107", "AW109",
                                  "AW110", "AW113", "AW114", "AW116", "AW122"])  # fmt: skip
def test_every_rule_with_patterns_is_reachable(rule: str) -> None:
    from wizard.doctor import RULES, lookup

    assert RULES[rule].patterns
    assert rule in [r.id for r in lookup(RULES[rule].patterns[0].upper())]


def test_doctor_names_a_missing_sync_driver(tmp_path: Path) -> None:
    project = copy_project("mysql_app", tmp_path)
    assert wizard("--yes", "--no-verify", "--sync-driver", "mysqldb",
                  cwd=project).returncode == 0  # fmt: skip
    done = wizard("doctor", cwd=project)
    assert done.returncode == 1
    assert "AW117  .env:3  SHOP_DATABASE_URL_SYNC needs MySQLdb" in done.stdout


def test_doctor_reads_the_urls_in_env(tmp_path: Path) -> None:
    project = copy_project("pg_app", tmp_path)
    assert wizard("--yes", "--no-verify", cwd=project).returncode == 0
    env = project / ".env"
    text = env.read_text()
    text = text.replace(
        "DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/shop",
        "DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/shop?sslmode=require",
    )
    text = text.replace(
        "DATABASE_URL_SYNC=postgresql+psycopg://postgres@127.0.0.1:5432/shop",
        "DATABASE_URL_SYNC=postgres://postgres@127.0.0.1:5432/other",
    )
    env.write_text(text)
    done = wizard("doctor", cwd=project / "backend")
    assert done.returncode == 1
    for rule, line in (("AW110", 3), ("AW109", 4), ("AW120", 4)):
        assert re.search(rf"^{rule}  \S*/pg_app/\.env:{line}  ", done.stdout, re.M), done.stdout


def test_an_escaped_set_main_option_is_fine(tmp_path: Path) -> None:
    project = _generic(tmp_path, "sqlite:///./app.db")
    env_py = project / "migrations/env.py"
    env_py.write_text(env_py.read_text().replace(
        "target_metadata = None",
        "import os\nconfig.set_main_option('sqlalchemy.url', os.environ['U'].replace('%', '%%'))\n"
        "target_metadata = None"))  # fmt: skip
    done = wizard("doctor", "--json", cwd=project)
    assert "AW107" not in done.stdout


def test_str_of_an_engine_url_masks_the_password(tmp_path: Path, mysql_database: str) -> None:
    code = (
        "from sqlalchemy import create_engine\nfrom sqlalchemy.engine import make_url\n"
        f"url = make_url('mysql+pymysql://root:secret@127.0.0.1:3306/{mysql_database}')\n"
        "create_engine(str(url)).connect()  # str() writes *** as the password\n"
    )
    error = _fails("-c", code, cwd=tmp_path)
    assert "Access denied for user" in error
    assert "AW108 str-engine-url" in _explain(error)


def test_sqlite_alter_without_batch_mode(tmp_path: Path) -> None:
    project = _generic(tmp_path, "sqlite:///./app.db")
    alembic("revision", "-m", "items", "--rev-id", "r1", cwd=project)
    (script,) = (project / "migrations/versions").glob("r1_*.py")
    script.write_text(script.read_text().replace(
        '    """Upgrade schema."""\n    pass',
        '    """Upgrade schema."""\n'
        '    op.create_table("owners", sa.Column("id", sa.Integer, primary_key=True))\n'
        '    op.create_table("items", sa.Column("id", sa.Integer, primary_key=True),'
        ' sa.Column("owner_id", sa.Integer))\n'
        '    op.create_foreign_key("fk_owner", "items", "owners", ["owner_id"], ["id"])'))  # fmt: skip
    error = _fails("-m", "alembic", "upgrade", "head", cwd=project)
    assert "AW113 sqlite-without-batch" in _explain(error)


def test_sqlmodel_revision_without_import(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    alembic("init", "migrations", cwd=project)
    ini = project / "alembic.ini"
    ini.write_text(ini.read_text().replace("driver://user:pass@localhost/dbname", "sqlite:///./notes.db")
                   .replace("prepend_sys_path = .", "prepend_sys_path = src"))  # fmt: skip
    env_py = project / "migrations/env.py"
    env_py.write_text(env_py.read_text().replace(
        "target_metadata = None",
        "from sqlmodel import SQLModel\nimport notes.models.note, notes.models.notebook, notes.models.tag\n"
        "target_metadata = SQLModel.metadata"))  # fmt: skip
    alembic("revision", "--autogenerate", "-m", "tables", cwd=project)
    error = _fails("-m", "alembic", "upgrade", "head", cwd=project)
    assert "name 'sqlmodel' is not defined" in error
    assert "AW114 sqlmodel-without-import" in _explain(error)
    done = wizard("doctor", cwd=project)
    assert "AW114  migrations/script.py.mako" in done.stdout
