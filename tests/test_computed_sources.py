"""URLs the app computes, each on a fixture project written here: a property of a model
nested in the settings, a property of a settings instance held as another's default, a
field a validator puts together from the other fields, a method of a plain dataclass
config. Inspection says `computed` and names the member; setup writes its sync sibling in
the same class and env.py reads that; real Alembic migrates; a second run changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import alembic, tree_hash, wizard, write_project

MODELS = """
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
"""


def _url(project: Path) -> dict[str, str]:
    done = wizard("inspect", "--json", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    urls: list[dict[str, str]] = json.loads(done.stdout)["urls"]
    return urls[0]


def _set_up_twice(project: Path, database: str) -> None:
    """Setup, autogenerate and upgrade on the sync sibling; a second run plans nothing."""
    done = wizard("--yes", "--no-db", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "FAILED" not in done.stdout
    alembic("revision", "--autogenerate", "-m", "first", cwd=project)
    alembic("upgrade", "head", cwd=project)
    assert (project / database).is_file()
    before = tree_hash(project)
    again = wizard("--yes", "--no-verify", cwd=project)
    assert again.returncode == 0 and "nothing to change" in again.stderr, again.stderr
    assert tree_hash(project) == before


NESTED_MODEL = {
    ".env": "DB__PATH=./nested.db\n",
    "app/config.py": """
        from pydantic import BaseModel
        from pydantic_settings import BaseSettings, SettingsConfigDict

        class DatabaseConfig(BaseModel):
            path: str
            echo: bool = False

            @property
            def url(self) -> str:
                return f"sqlite+aiosqlite:///{self.path}"

        class Settings(BaseSettings):
            model_config = SettingsConfigDict(env_file=".env", env_nested_delimiter="__")
            db: DatabaseConfig

        settings = Settings()
    """,
    "app/db.py": """
        from sqlalchemy.ext.asyncio import create_async_engine
        from app.config import Settings

        def get_engine(settings: Settings):
            return create_async_engine(settings.db.url, echo=settings.db.echo)
    """,
    "app/models.py": MODELS,
}
NESTED_SETTINGS_SECRET = {
    ".env": "SQLITE_PATH=./secret.db\n",
    "app/config.py": """
        from pydantic import SecretStr
        from pydantic_settings import BaseSettings, SettingsConfigDict

        class SqliteConfig(BaseSettings):
            model_config = SettingsConfigDict(env_prefix="sqlite_", env_file=".env",
                                              extra="ignore")
            path: str

            @property
            def dsn(self) -> SecretStr:
                return SecretStr(f"sqlite+aiosqlite:///{self.path}")

        class Settings(BaseSettings):
            sqlite: SqliteConfig = SqliteConfig()

        settings = Settings()
    """,
    "app/db.py": """
        from sqlalchemy.ext.asyncio import create_async_engine
        from app.config import settings

        engine = create_async_engine(settings.sqlite.dsn.get_secret_value())
    """,
    "app/models.py": MODELS,
}


@pytest.mark.parametrize(
    ("files", "label", "cls", "sibling", "database"),
    [
        (NESTED_MODEL, "app.config.Settings.db.url", "DatabaseConfig",
         "app_settings.db.url_sync", "nested.db"),
        (NESTED_SETTINGS_SECRET, "app.config.Settings.sqlite.dsn", "SqliteConfig",
         "app_settings.sqlite.dsn_sync", "secret.db"),
    ],
    ids=["property-of-a-nested-model", "secret-property-of-a-nested-settings-instance"],
)  # fmt: skip
def test_a_property_of_a_nested_model_is_computed_and_its_sibling_goes_beside_it(
    tmp_path: Path, files: dict[str, str], label: str, cls: str, sibling: str, database: str
) -> None:
    project = write_project(tmp_path, files)
    url = _url(project)
    assert (url["kind"], url["url"]) == ("computed", label)
    _set_up_twice(project, database)
    config = (project / "app/config.py").read_text()
    nested = config.split(f"class {cls}")[1].split("\nclass ")[0]
    assert f"def {sibling.rsplit('.', 1)[1]}(self) -> str:" in nested  # in the model's class
    assert f"or {sibling}\n" in (project / "migrations/env.py").read_text()
    assert not (project / ".env").read_text().count("_SYNC")  # no frozen copy of the parts


VALIDATOR_ASSEMBLED = {
    ".env": "DB_FILE=./assembled.db\n",
    "app/config.py": """
        from typing import Any
        from pydantic import field_validator
        from pydantic_settings import BaseSettings, SettingsConfigDict

        class Settings(BaseSettings):
            model_config = SettingsConfigDict(env_file=".env", validate_default=True)
            DB_FILE: str
            ASYNC_DATABASE_URI: str | None = None

            @field_validator("ASYNC_DATABASE_URI")
            def assemble_async_database_uri(cls, v: str | None, values: Any) -> str:
                return f"sqlite+aiosqlite:///{values.data.get('DB_FILE')}"

        settings = Settings()
    """,
    "app/db.py": """
        from sqlalchemy.ext.asyncio import create_async_engine
        from app.config import settings

        engine = create_async_engine(url=str(settings.ASYNC_DATABASE_URI))
    """,
    "app/models.py": MODELS,
}


def test_a_field_a_validator_puts_together_is_computed(tmp_path: Path) -> None:
    """`ASYNC_DATABASE_URI` filled by a field_validator from `DB_FILE`: no variable of its
    own holds the URL, so none is written; the sync sibling derives from the field."""
    project = write_project(tmp_path, VALIDATOR_ASSEMBLED)
    url = _url(project)
    assert (url["kind"], url["url"]) == ("computed", "app.config.Settings.ASYNC_DATABASE_URI")
    assert not url["env_key"]
    _set_up_twice(project, "assembled.db")
    assert "def ASYNC_DATABASE_URI_SYNC(self) -> str:" in (project / "app/config.py").read_text()
    env_py = (project / "migrations/env.py").read_text()
    assert "or app_settings.ASYNC_DATABASE_URI_SYNC\n" in env_py
    assert (project / ".env").read_text() == VALIDATOR_ASSEMBLED[".env"].lstrip()


DATACLASS_METHOD = {
    ".env": "DB_FILE=./method.db\n",
    "app/configuration.py": """
        import os
        from dataclasses import dataclass

        from sqlalchemy.engine import URL

        @dataclass
        class DatabaseConfig:
            database: str = os.getenv("DB_FILE", "./method.db")
            driver: str = "aiosqlite"

            def build_connection_url(self) -> str:
                return URL.create(drivername=f"sqlite+{self.driver}",
                                  database=self.database).render_as_string(hide_password=False)

        @dataclass
        class Config:
            debug: bool = False
            db = DatabaseConfig()

        conf = Config()
    """,
    "app/database.py": """
        from sqlalchemy.ext.asyncio import create_async_engine

        def get_engine(connection_url: str):
            return create_async_engine(url=connection_url, pool_pre_ping=True)
    """,
    "app/main.py": """
        from app.configuration import conf
        from app.database import get_engine

        async def start() -> None:
            engine = get_engine(connection_url=conf.db.build_connection_url())
            await engine.dispose()
    """,
    "app/models.py": MODELS,
}


def test_a_method_of_a_plain_dataclass_config_is_computed(tmp_path: Path) -> None:
    """`get_engine(conf.db.build_connection_url())`: the method of the class the object is
    (asked of the running code), with a sync method beside it that env.py calls."""
    project = write_project(tmp_path, DATACLASS_METHOD)
    url = _url(project)
    assert (url["kind"], url["url"]) == (
        "computed",
        "app.configuration.Config.db.build_connection_url",
    )
    _set_up_twice(project, "method.db")
    config = (project / "app/configuration.py").read_text()
    assert "    def build_connection_url_sync(self) -> str:" in config.split("class Config")[0]
    env_py = (project / "migrations/env.py").read_text()
    assert "from app.configuration import conf as app_settings" in env_py
    assert "or app_settings.db.build_connection_url_sync()\n" in env_py
