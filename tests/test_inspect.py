"""Static inspection on small trees: what is a table, which settings field holds the URL."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import copy_project, wizard
from wizard.inspection import inspect

ENV = ".env"


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def _tables(tmp_path: Path, files: dict[str, str]) -> dict[str | None, str]:
    project = inspect(_tree(tmp_path, {"app/__init__.py": "", **files}))
    return {t.name: t.metadata.label for t in project.tables}


def test_intermediate_base_mixin_abstract_and_single_table_inheritance(tmp_path: Path) -> None:
    found = _tables(tmp_path, {
        "app/db/__init__.py": "from .base import Base as Base\n",
        "app/db/base.py": (
            "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n"
            "class Base(DeclarativeBase):\n    pass\n"
            "class Model(Base):\n    __abstract__ = True\n"
            "    id: Mapped[int] = mapped_column(primary_key=True)\n"
            "class Stamped:\n    created: Mapped[int]\n"
        ),
        "app/users/models.py": (
            "from sqlalchemy.orm import Mapped\nfrom app.db.base import Model, Stamped\n"
            "class User(Stamped, Model):\n    __tablename__ = 'users'\n"
            "class Admin(User):\n    level: Mapped[int]\n"  # single-table: no new table
        ),
        "app/shop/models.py": (
            "from sqlalchemy import Column, ForeignKey, Table\nfrom app.db import Base\n"
            "links = Table('links', Base.metadata, Column('u', ForeignKey('users.id')))\n"
        ),
    })  # fmt: skip
    assert found == {"users": "app.db.base.Base.metadata", "links": "app.db.base.Base.metadata"}


def test_declarative_base_function_and_bare_metadata(tmp_path: Path) -> None:
    found = _tables(tmp_path, {
        "app/models.py": (
            "from sqlalchemy import Column, Integer, MetaData, Table\n"
            "from sqlalchemy.orm import declarative_base\n"
            "Base = declarative_base()\n"
            "class Thing(Base):\n    __tablename__ = 'things'\n    id = Column(Integer, primary_key=True)\n"
        ),
        "app/core.py": (
            "import sqlalchemy as sa\nmetadata = sa.MetaData()\n"
            "events = sa.Table('events', metadata, sa.Column('id', sa.Integer))\n"
        ),
    })  # fmt: skip
    assert found == {"things": "app.models.Base.metadata", "events": "app.core.metadata"}


MODELS = """\
from sqlalchemy import Column, Integer
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
"""
# a script that empties tables: Table(name, metadata) returns the one the models define
FILL_DB = """\
from sqlalchemy.schema import Table

from app.models import Base, User


async def clear(session):
    await session.execute(Table(User.__tablename__, Base.metadata).delete())
"""


def test_a_table_looked_up_by_name_defines_none(tmp_path: Path) -> None:
    found = _tables(tmp_path, {"app/models.py": MODELS, "fill_db.py": FILL_DB})
    assert found == {"users": "app.models.Base.metadata"}


def test_sqlmodel_tables_only_with_table_true(tmp_path: Path) -> None:
    found = _tables(tmp_path, {
        "app/models.py": (
            "from sqlmodel import Field, SQLModel\n"
            "class HeroBase(SQLModel):\n    name: str\n"
            "class Hero(HeroBase, table=True):\n    id: int | None = Field(default=None, primary_key=True)\n"
            "class Team(SQLModel, table=True):\n    __tablename__ = 'teams'\n    id: int = Field(primary_key=True)\n"
        ),
    })  # fmt: skip
    assert found == {"hero": "sqlmodel.SQLModel.metadata", "teams": "sqlmodel.SQLModel.metadata"}


def test_settings_upper_case_dsn_prefix_and_alias(tmp_path: Path) -> None:
    project = inspect(_tree(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": "from sqlmodel import SQLModel\nclass T(SQLModel, table=True):\n    id: int\n",
        "app/config.py": (
            "from pydantic import PostgresDsn, Field\n"
            "from pydantic_settings import BaseSettings, SettingsConfigDict\n"
            "class Base(BaseSettings):\n    model_config = SettingsConfigDict(env_prefix='APP_')\n"
            "class Settings(Base):\n"
            "    model_config = SettingsConfigDict(env_prefix='APP_', env_file=('.env', '.env.prod'))\n"
            "    DATABASE_URL: PostgresDsn\n"
            "class Other(BaseSettings):\n    primary: PostgresDsn = Field(alias='PG_URL')\n"
            "def get_settings():\n    return Settings()\n"
        ),
    }))  # fmt: skip
    by_class = {s.cls: s for s in project.settings}
    settings = by_class["Settings"]
    assert (settings.url_field, settings.env_key, settings.sync_env_key) == (
        "DATABASE_URL", "APP_DATABASE_URL", "APP_DATABASE_URL_SYNC")  # fmt: skip
    assert settings.sync_field == "DATABASE_URL_SYNC"
    assert settings.env_files == (".env", ".env.prod") and settings.getter == "get_settings"
    assert (by_class["Other"].env_key, by_class["Other"].sync_env_key) == ("PG_URL", "PRIMARY_SYNC")
    assert by_class["Base"].url_field is None


def test_files_in_newer_grammar_are_skipped_not_fatal(tmp_path: Path) -> None:
    project = inspect(_tree(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": "from sqlmodel import SQLModel\nclass T(SQLModel, table=True):\n    id: int\n",
        # only a file that may matter is parsed: this one may hold settings
        "app/future.py": "import pydantic_settings.BaseSettings\nmatch x:\n    case 1 if (y := 2) ->> 3: pass\n",
    }))  # fmt: skip
    assert [t.name for t in project.tables] == ["t"]
    assert [(s.path.name, s.line) for s in project.skipped] == [("future.py", 3)]


def test_inspect_command_reports_the_subfolder_project(tmp_path: Path) -> None:
    repo = copy_project("pg_app", tmp_path)
    done = wizard("inspect", "--json", "--project", str(repo))
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["root"] == "backend" and data["prepend_sys_path"] == "."
    (meta,) = data["metadata"]
    assert len(meta["tables"]) == 7
    assert "postgres" not in done.stdout.split('"installed"')[0]  # no URL values are printed


def test_project_flag_on_the_subfolder_finds_the_parent_env(tmp_path: Path) -> None:
    repo = copy_project("pg_app", tmp_path)
    done = wizard("--yes", "--dry-run", "--project", str(repo / "backend"))
    assert done.returncode == 0, done.stderr
    assert "+DATABASE_URL_SYNC=postgresql+psycopg://postgres@127.0.0.1:5432/shop" in done.stdout
    assert "create  alembic.ini" in done.stderr


def test_the_projects_own_virtualenv_is_used(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    project = copy_project("sqlite_app", tmp_path)
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip",
                    str(project / ".venv")], check=True)  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    done = wizard("inspect", "--json", cwd=project, env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["python"] == str(project.resolve() / ".venv/bin/python")
    explicit = wizard("inspect", "--json", "--python", sys.executable, cwd=project, env=env)
    assert json.loads(explicit.stdout)["python"] == sys.executable


def test_settings_inherited_from_a_parent_class(tmp_path: Path) -> None:
    project = _tree(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": "from sqlmodel import Field, SQLModel\nclass T(SQLModel, table=True):\n    id: int = Field(primary_key=True)\n",
        "app/base_settings.py": (
            "from pydantic_settings import BaseSettings, SettingsConfigDict\n"
            "class DatabaseSettings(BaseSettings):\n"
            "    model_config = SettingsConfigDict(env_prefix='APP_')\n"
            "    database_url: str\n"
        ),
        "app/config.py": (
            "from pydantic_settings import SettingsConfigDict\n"
            "from app.base_settings import DatabaseSettings\n"
            "class Settings(DatabaseSettings):\n"
            "    model_config = SettingsConfigDict(env_prefix='APP_', env_file='.env')\n"
            "    debug: bool = False\n"
            "settings = Settings()\n"
        ),
        ".env": "APP_DATABASE_URL=sqlite+aiosqlite:///./app.db\n",
    })  # fmt: skip
    done = wizard("--yes", "--no-db", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    assert (
        "from app.config import settings as app_settings"
        in (project / "migrations/env.py").read_text()
    )
    assert "database_url_sync: str | None = None" in (project / "app/base_settings.py").read_text()
    assert "APP_DATABASE_URL_SYNC=sqlite:///./app.db" in (project / ".env").read_text()
    assert "ok  env.py imports" in done.stdout


def test_base_reexported_through_a_star_import(tmp_path: Path) -> None:
    found = _tables(tmp_path, {
        "app/db/__init__.py": "from app.db.base_class import *  # noqa\n",
        "app/db/base_class.py": "from sqlalchemy.orm import DeclarativeBase\nclass Base(DeclarativeBase):\n    pass\n",
        "app/models.py": (
            "from sqlalchemy.orm import Mapped, mapped_column\nfrom app.db import Base\n"
            "class User(Base):\n    __tablename__ = 'users'\n    id: Mapped[int] = mapped_column(primary_key=True)\n"
        ),
    })  # fmt: skip
    assert found == {"users": "app.db.base_class.Base.metadata"}


def test_registry_mapped_classes_and_tables_on_its_metadata(tmp_path: Path) -> None:
    found = _tables(tmp_path, {"app/models.py": (
        "from sqlalchemy import Column, Integer, Table\n"
        "from sqlalchemy.orm import registry\n\n"
        "mapper_registry = registry()\n\n\n"
        "@mapper_registry.mapped\n"
        "class User:\n"
        '    __tablename__ = "users"\n'
        "    id = Column(Integer, primary_key=True)\n\n\n"
        "@mapper_registry.mapped_as_dataclass\n"
        "class Tag:\n"
        '    __tablename__ = "tags"\n'
        "    id = Column(Integer, primary_key=True)\n\n\n"
        "class NotMapped:\n"
        '    __tablename__ = "nope"\n\n\n'
        'links = Table("links", mapper_registry.metadata, Column("id", Integer))\n'
    )})  # fmt: skip
    meta = "app.models.mapper_registry.metadata"
    assert found == {"users": meta, "tags": meta, "links": meta}


def test_module_names_cover_every_file_and_package_parsed_or_not(tmp_path: Path) -> None:
    project = inspect(copy_project("sqlite_app", tmp_path))
    schemas = project.module_names  # notes/schemas.py: no table, no engine, never parsed
    assert "notes.schemas" not in project.module_paths
    for name in ("notes", "notes.models", "notes.models.tag", "notes.schemas", "notes.db"):
        assert name in schemas, name
    for name in ("notes.nope", "schemas", "src.notes", "notes.models.tag.Tag"):
        assert name not in schemas, name
