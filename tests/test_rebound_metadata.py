"""Where env.py reaches a library's MetaData. An app that replaces a library base's MetaData
(`SQLModel.metadata = MetaData(naming_convention=...)` in app/models.py): through that module,
as the app sees it. A library's registry a model module only imports (a Core table on
Advanced Alchemy's `orm_registry.metadata`): from the library module that defines it. Fixture
projects written here; setup and verification in subprocesses."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

from conftest import run, wizard

FILES = {
    "pyproject.toml": '[project]\nname = "heroes"\n',
    ".env": "DATABASE_URL=sqlite+aiosqlite:///./app.db\n",
    "app/__init__.py": "",
    "app/config.py": """
        from pydantic_settings import BaseSettings, SettingsConfigDict


        class Settings(BaseSettings):
            model_config = SettingsConfigDict(env_file=".env")
            database_url: str


        config = Settings()
    """,
    "app/db.py": """
        from sqlalchemy.ext.asyncio import create_async_engine

        from app.config import config

        engine = create_async_engine(config.database_url)
    """,
    "app/models.py": """
        from sqlmodel import Field, MetaData, SQLModel

        SQLModel.metadata = MetaData(naming_convention={"pk": "pk_%(table_name)s"})


        class Hero(SQLModel, table=True):
            id: int | None = Field(default=None, primary_key=True)
            name: str
    """,
}


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "heroes"
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    return root


def test_a_replaced_sqlmodel_metadata_is_targeted_through_the_module_that_replaces_it(
    tmp_path: Path,
) -> None:
    project = _project(tmp_path)
    inspected = wizard("inspect", "--json", cwd=project)
    assert inspected.returncode == 0, inspected.stderr + inspected.stdout
    (meta,) = json.loads(inspected.stdout)["metadata"]
    assert meta["name"] == "app.models.SQLModel.metadata"
    done = wizard("--yes", "--no-db", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    env_py = (project / "migrations/env.py").read_text()
    assert "from app.models import SQLModel\n" in env_py
    assert "from sqlmodel import SQLModel" not in env_py
    assert "target_metadata = SQLModel.metadata" in env_py


# a library (outside the project, on PYTHONPATH) whose abstract base makes the table names
# and keeps its MetaData on a module-level registry the app also uses for Core tables
LIBRARY = """
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, registry

orm_registry = registry()


class IdBase(DeclarativeBase):
    registry = orm_registry
    __abstract__ = True

    @declared_attr.directive
    def __tablename__(cls) -> str:
        return cls.__name__.lower()

    id: Mapped[int] = mapped_column(primary_key=True)
"""
REGISTRY_FILES = {
    "pyproject.toml": '[project]\nname = "crew"\n',
    ".env": "DATABASE_URL=sqlite+aiosqlite:///./app.db\n",
    "app/__init__.py": "",
    "app/config.py": FILES["app/config.py"],
    "app/db.py": FILES["app/db.py"],
    "app/models/__init__.py": "",
    "app/models/team.py": """
        from sqlalchemy.orm import Mapped

        from tablekit.base import IdBase


        class Team(IdBase):
            name: Mapped[str]
    """,
    "app/models/team_tag.py": """
        from sqlalchemy import Column, ForeignKey, String, Table

        from tablekit.base import orm_registry

        team_tag = Table(
            "team_tag",
            orm_registry.metadata,
            Column("team_id", ForeignKey("team.id"), primary_key=True),
            Column("tag", String, primary_key=True),
        )
    """,
}


def test_a_libraries_registry_is_targeted_where_the_library_defines_it(tmp_path: Path) -> None:
    """A Core `Table(..., orm_registry.metadata)` on a library's registry, which a model
    module only imports: env.py imports the registry from the library module (as the app's
    own code does), not through the model module the probe saw holding it."""
    site = tmp_path / "site/tablekit"
    site.mkdir(parents=True)
    (site / "__init__.py").write_text("")
    (site / "base.py").write_text(LIBRARY.lstrip())
    root = tmp_path / "crew"
    for name, text in REGISTRY_FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    inspected = wizard("inspect", "--json", cwd=root, env=env)
    assert inspected.returncode == 0, inspected.stderr + inspected.stdout
    (meta,) = json.loads(inspected.stdout)["metadata"]
    assert meta["name"] == "tablekit.base.orm_registry.metadata"
    assert {t["name"] for t in meta["tables"]} == {"team", "team_tag"}
    done = wizard("--yes", "--no-db", cwd=root, env=env)
    assert done.returncode == 0, done.stderr + done.stdout
    env_py = (root / "migrations/env.py").read_text()
    assert "from tablekit.base import orm_registry\n" in env_py
    assert "target_metadata = orm_registry.metadata" in env_py
    sql = run("-m", "alembic", "upgrade", "head", "--sql", cwd=root, env=env)
    assert sql.returncode == 0, sql.stderr
