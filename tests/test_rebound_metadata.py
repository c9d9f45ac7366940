"""An app that replaces a library base's MetaData (`SQLModel.metadata = MetaData(
naming_convention=...)` in app/models.py): env.py targets it through that module, as the app
sees it. A fixture project written here; setup and verification in subprocesses."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from conftest import wizard

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
