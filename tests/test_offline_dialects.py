"""MSSQL and Oracle: derived, rendered and verified offline (no server here); a missing
driver gets the install command, not a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from dotenv import dotenv_values

from conftest import alembic, wizard

MODELS = """\
from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "items"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
"""
SETTINGS = """\
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env")
    database_url: str


settings = Settings()
"""


def _project(tmp_path: Path, url: str, extra: dict[str, str] | None = None) -> Path:
    files = {"app/__init__.py": "", "app/models.py": MODELS, "app/config.py": SETTINGS,
             "app/db.py": "from sqlalchemy.ext.asyncio import create_async_engine\n",
             ".env": f"DATABASE_URL={url}\n", **(extra or {})}  # fmt: skip
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def _render_a_revision(project: Path) -> str:
    alembic("revision", "-m", "create items", cwd=project)
    (script,) = (project / "migrations/versions").glob("*.py")
    text = script.read_text().replace(
        '    """Upgrade schema."""\n    pass',
        '    """Upgrade schema."""\n    op.create_table("items", sa.Column("id", sa.Integer, '
        'primary_key=True), sa.Column("name", sa.String(100)))',
    )
    script.write_text(text)
    return alembic("upgrade", "head", "--sql", cwd=project).stdout


@pytest.mark.parametrize(
    ("url", "sync", "ddl"),
    [
        ("mssql+aioodbc://sa:S3cret%21@db:1433/shop?driver=ODBC+Driver+18+for+SQL+Server",
         "mssql+pyodbc://sa:S3cret%21@db:1433/shop?driver=ODBC+Driver+18+for+SQL+Server",
         "CREATE TABLE items"),
        ("oracle+oracledb_async://scott:tiger@db:1521/?service_name=FREEPDB1",
         "oracle+oracledb://scott:tiger@db:1521/?service_name=FREEPDB1", "CREATE TABLE items"),
    ],
)  # fmt: skip
def test_render_and_offline_sql(tmp_path: Path, url: str, sync: str, ddl: str) -> None:
    project = _project(tmp_path, url)
    done = wizard("--yes", "--no-db", cwd=project)
    assert dotenv_values(project / ".env")["DATABASE_URL_SYNC"] == sync
    assert "ok  upgrade head --sql" in done.stdout and "ok  env.py imports" in done.stdout
    sql = _render_a_revision(project)
    assert ddl in sql and "alembic_version" in sql
    assert "S3cret" not in done.stdout + done.stderr and "tiger" not in done.stdout + done.stderr


def test_missing_sync_driver_names_the_install_command(tmp_path: Path) -> None:
    project = _project(tmp_path, "mssql+aioodbc://sa:pw@db/shop?driver=ODBC+Driver+18",
                       {"uv.lock": ""})  # fmt: skip
    done = wizard("--yes", "--no-db", cwd=project)
    assert done.returncode == 1, done.stderr + done.stdout
    assert "FAILED  packages installed: pyodbc is not installed in " in done.stdout
    assert "fix: install: uv add 'pyodbc'" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    assert re.search(r"ok  upgrade head --sql", done.stdout)  # the offline rung still counts
