"""An app under a package folder (`backend/`) whose settings read `BASE_PATH / ".env"`, a path
it builds from `__file__`, and copy `backend/.env.example` into place at first import: the
template beside that env file gives the probe its values, a value the probe must make up
satisfies the field's type, and the URL a helper builds (fed to an engine factory at import
and from a CLI command) is the helper's. Fixture projects written here; the probe runs in a
subprocess."""

from __future__ import annotations

import enum
import json
import os
from pathlib import Path
from typing import Literal

import pytest

from conftest import wizard, write_project
from wizard.probe.missing import missing

MODELS = """
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Task(Base):
    __tablename__ = "task_result"
    id: Mapped[int] = mapped_column(primary_key=True)


class TaskExtended(Task):  # the same table, mapped again with more columns
    __tablename__ = "task_result"
    __table_args__ = {"extend_existing": True}
"""

CONF = """
import shutil
from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

BASE_PATH = Path(__file__).resolve().parent.parent
ENV_FILE_PATH = BASE_PATH / ".env"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=ENV_FILE_PATH, case_sensitive=True)

    ENVIRONMENT: Literal["dev", "prod"]
    DATABASE_HOST: str
    DATABASE_PORT: int
    DATABASE_USER: str
    DATABASE_PASSWORD: str
    DATABASE_SCHEMA: str = "app"
    MAIL_PASSWORD: str


def get_settings() -> Settings:
    if not ENV_FILE_PATH.exists():
        shutil.copy(BASE_PATH / ".env.example", ENV_FILE_PATH)
    return Settings()


settings = get_settings()
"""

DB = """
from sqlalchemy import URL
from sqlalchemy.ext.asyncio import create_async_engine

from backend.core.conf import settings


def get_database_url(*, with_database: bool = True) -> URL:
    return URL.create(
        drivername="sqlite+aiosqlite",
        database=settings.DATABASE_SCHEMA + ".db" if with_database else "postgres.db",
    )


def create_database_engine(url):
    return create_async_engine(url, pool_pre_ping=True)


async_engine = create_database_engine(get_database_url())
"""

CLI = """
from backend.database.db import create_database_engine, get_database_url


def create_database() -> None:
    engine = create_database_engine(get_database_url(with_database=False))
"""

TEMPLATE = """
ENVIRONMENT='dev'
DATABASE_HOST='127.0.0.1'
DATABASE_PORT=5432
DATABASE_USER='postgres'
DATABASE_PASSWORD='123456'
MAIL_PASSWORD=''
"""


def _backend(tmp_path: Path, **more: str) -> Path:
    return write_project(tmp_path, {
        "backend/.env.example": TEMPLATE,
        "backend/core/conf.py": CONF,
        "backend/database/db.py": DB,
        "backend/cli.py": CLI,
        "backend/models.py": MODELS,
        **more,
    })  # fmt: skip


def test_the_template_beside_a_settings_env_file_built_from_file(tmp_path: Path) -> None:
    """`env_file=BASE_PATH / ".env"` names backend/.env: its template's values start the app
    (only the one it leaves empty is made up), and the helper, not the engine object, is
    the URL's source; the CLI's other call of the factory comes second."""
    project = _backend(tmp_path)
    done = wizard("inspect", "--json", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    found = json.loads(done.stdout)
    assert found["settings"][0]["env_files"] == ["backend/.env"]
    assert [e["path"] for e in found["env_files"]] == ["backend/.env.example"]
    filled = [n for n in found["notices"] if "made-up values" in n]
    assert filled and "MAIL_PASSWORD set" in filled[0] and "ENVIRONMENT" not in filled[0]
    urls = [(u["kind"], u["url"]) for u in found["urls"]]
    assert urls[0] == ("helper", "backend.database.db: get_database_url()")
    assert not (project / "backend/.env").exists()


def test_setup_migrates_the_engine_the_app_makes_at_import(tmp_path: Path) -> None:
    """One factory, two callers: the engine made at import is migrated (a note names the
    CLI's); env.py loads backend/.env, the file the settings read, though the app only makes
    it at its first start; two classes of one table count once; a second run changes
    nothing."""
    project = _backend(tmp_path)
    done = wizard("--yes", "--no-db", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "migrating backend.database.db: get_database_url()" in done.stderr
    env_py = (project / "migrations/env.py").read_text()
    assert 'parent / "../backend/.env")' in env_py
    assert "1 tables in target_metadata" in done.stderr + done.stdout
    again = wizard("--yes", "--no-db", "--dry-run", cwd=project)
    assert again.returncode == 0, again.stderr + again.stdout
    assert "modify" not in again.stderr + again.stdout


class Mode(enum.Enum):
    FAST = "fast"
    SAFE = "safe"


@pytest.mark.parametrize(
    ("annotation", "value"),
    [
        (Literal["dev", "prod"], "dev"),
        (Mode, "fast"),
        (int, "0"),
        (bool | None, "false"),
        (list[str], "[]"),
    ],
)
def test_a_made_up_value_has_the_fields_type(annotation: object, value: str) -> None:
    """A required field the shell lacks gets a value its type accepts; one the probe set
    before that the field refused (`placeholder` for a Literal) is made again."""
    from pydantic import ValidationError, create_model
    from pydantic_settings import BaseSettings

    Settings = create_model("Settings", __base__=BaseSettings, APP_MODE=(annotation, ...))
    os.environ.pop("APP_MODE", None)
    with pytest.raises(ValidationError) as missed:
        Settings()
    assert missing(missed.value, set()) == {"APP_MODE": value}
    if annotation == list[str]:
        return  # `placeholder` is no JSON: pydantic-settings refuses it before validating
    os.environ["APP_MODE"] = "placeholder"
    try:
        refused = None
        try:
            Settings()
        except ValidationError as exc:
            refused = exc
        if refused is not None:
            assert missing(refused, {"APP_MODE"}) == {"APP_MODE": value}
            os.environ["APP_MODE"] = value
            Settings()
    finally:
        os.environ.pop("APP_MODE", None)
