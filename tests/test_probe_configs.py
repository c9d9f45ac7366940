"""Engines whose URL comes from a config object that is no pydantic settings class: a
dataclass read from a TOML file by the app's own getter, or built by a `from_env` static
method from the environment, handed to an engine factory by a DI provider. The probe makes the
object the way the app does; env.py evaluates the same expression and makes its URL sync at
run time, and the user is told which variables it needs."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import alembic, wizard, write_project

MODELS = """
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
"""

# a DI provider hands the factory its config: no caller in the code says what it is
PROVIDER = """
from app.config import AppConfig
from app.db import create_engine


class DbProvider:
    def get_engine(self, config: AppConfig):
        return create_engine(config)
"""


def _url(project: Path) -> dict[str, str]:
    done = wizard("inspect", "--json", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    url: dict[str, str] = json.loads(done.stdout)["urls"][0]
    return url


def test_a_dataclass_config_read_from_a_toml_file_by_the_apps_getter(tmp_path: Path) -> None:
    """`create_engine(config: AppConfig)` whose AppConfig (a dataclass with required fields)
    only `get_config() -> AppConfig` makes, from config.toml: the probe calls the getter;
    env.py calls it too and makes the URL sync."""
    project = write_project(tmp_path, {
        "config.toml": '[db]\npath = "./app.db"\n',
        "app/config.py": """
            import tomllib
            from dataclasses import dataclass

            from sqlalchemy import URL


            @dataclass
            class Db:
                path: str

                def build_dsn(self) -> URL:
                    return URL.create("sqlite+aiosqlite", database=self.path)


            @dataclass
            class AppConfig:
                db: Db


            def load(path: str) -> dict:
                with open(path, "rb") as f:
                    return tomllib.load(f)
        """,
        "app/factory.py": """
            from app.config import AppConfig, Db, load


            def get_config() -> AppConfig:
                return AppConfig(db=Db(**load("config.toml")["db"]))
        """,
        "app/db.py": """
            from sqlalchemy.ext.asyncio import create_async_engine

            from app.config import AppConfig


            def create_engine(config: AppConfig):
                return create_async_engine(config.db.build_dsn())
        """,
        "app/di.py": PROVIDER,
        "app/models.py": MODELS,
    })  # fmt: skip
    url = _url(project)
    assert url["kind"] == "computed"
    assert url["url"] == "app.db: get_config().db.build_dsn()"
    done = wizard("--yes", "--no-db", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    env_py = (project / "migrations/env.py").read_text()
    assert "from app.factory import get_config as app_get_config" in env_py
    assert "app_get_config().db.build_dsn()" in env_py
    alembic("revision", "--autogenerate", "-m", "first", cwd=project)
    alembic("upgrade", "head", cwd=project)
    assert (project / "app.db").is_file()


def test_a_dataclass_config_built_from_the_environment_by_a_static_method(
    tmp_path: Path,
) -> None:
    """`DbConfig.from_env(env)` (no return annotation: it returns `DbConfig(...)`), its
    `env: Env` made as `Env()`; the variable it needs is set nowhere: the probe makes it up,
    env.py derives the sync URL at run time, and the user is told what to set."""
    project = write_project(tmp_path, {
        "pyproject.toml": '[project]\nname = "bot"\ndependencies = ["aiosqlite"]\n',
        "app/env.py": """
            import os


            class Env:
                def str(self, name: str) -> str:
                    return os.environ[name]
        """,
        "app/config.py": """
            from dataclasses import dataclass

            from app.env import Env


            @dataclass
            class AppConfig:
                db_path: str

                def url(self, driver: str = "aiosqlite") -> str:
                    return f"sqlite+{driver}:///{self.db_path}"

                @staticmethod
                def from_env(env: Env):
                    return AppConfig(db_path=env.str("DB_PATH"))
        """,
        "app/db.py": """
            from sqlalchemy.ext.asyncio import create_async_engine

            from app.config import AppConfig


            def create_engine(config: AppConfig):
                return create_async_engine(config.url())
        """,
        "app/di.py": PROVIDER,
        "app/models.py": MODELS,
    })  # fmt: skip
    url = _url(project)
    assert url["kind"] == "computed"
    assert url["url"] == "app.db: AppConfig.from_env(Env()).url()"
    done = wizard("--yes", "--no-db", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "the app starts only with DB_PATH set" in done.stderr
    env_py = (project / "migrations/env.py").read_text()
    assert "app_AppConfig.from_env(app_Env()).url()" in env_py
    assert 'SYNC_DRIVERNAME = "sqlite"' in env_py
    assert "placeholder" not in env_py
    (project / ".env").write_text("DB_PATH=./app.db\n")
    alembic("revision", "--autogenerate", "-m", "first", cwd=project)
    alembic("upgrade", "head", cwd=project)
    assert (project / "app.db").is_file()


def test_a_settings_instance_a_function_resolves_from_its_own_di_container(
    tmp_path: Path,
) -> None:
    """`config: Config = container.resolve(Config)` on a container the function fills
    itself: a fresh container resolves nothing, so the annotated local is made as the app
    makes a Config; its property is the URL, nested settings read with a prefix."""
    project = write_project(tmp_path, {
        ".env": "APP__DB__PATH=./app.db\n",
        "app/config.py": """
            from pydantic import BaseModel
            from pydantic_settings import BaseSettings, SettingsConfigDict


            class DbConfig(BaseModel):
                path: str

                @property
                def uri(self) -> str:
                    return f"sqlite+aiosqlite:///{self.path}"


            class Config(BaseSettings):
                model_config = SettingsConfigDict(
                    env_file=".env", env_prefix="APP__", env_nested_delimiter="__"
                )
                db: DbConfig
        """,
        "app/container.py": """
            from sqlalchemy.ext.asyncio import create_async_engine

            from app.config import Config


            class Container:
                def __init__(self):
                    self.made = {}

                def register(self, cls, instance):
                    self.made[cls] = instance

                def resolve(self, cls):
                    return self.made[cls]


            def init_container() -> Container:
                container = Container()
                container.register(Config, instance=Config())
                config: Config = container.resolve(Config)
                container.register("engine", create_async_engine(config.db.uri))
                return container
        """,
        "app/models.py": MODELS,
    })  # fmt: skip
    url = _url(project)
    # the nested model's property, on the settings class the container holds: its sync
    # sibling goes beside it, and env.py reads that
    assert (url["kind"], url["url"]) == ("computed", "app.config.Config.db.uri")
    done = wizard("--yes", "--no-db", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "def uri_sync(self)" in (project / "app/config.py").read_text()
    assert ".db.uri_sync" in (project / "migrations/env.py").read_text()
    alembic("revision", "--autogenerate", "-m", "first", cwd=project)
    alembic("upgrade", "head", cwd=project)
    assert (project / "app.db").is_file()


def test_an_engine_made_in_a_classes_init_from_what_its_callers_pass(tmp_path: Path) -> None:
    """`DatabaseManager(settings.db.dsn())`, whose `__init__` makes the engine from its
    parameter: the callers of `__init__` are the calls of the class."""
    project = write_project(tmp_path, {
        ".env": "DB_PATH=./app.db\n",
        "app/config.py": """
            from pydantic_settings import BaseSettings, SettingsConfigDict


            class Settings(BaseSettings):
                model_config = SettingsConfigDict(env_file=".env")
                db_path: str

                def dsn(self) -> str:
                    return f"sqlite+aiosqlite:///{self.db_path}"


            settings = Settings()
        """,
        "app/manager.py": """
            from sqlalchemy.ext.asyncio import create_async_engine


            class DatabaseManager:
                def __init__(self, url: str) -> None:
                    self.engine = create_async_engine(url)
        """,
        "app/db.py": """
            from app.config import settings
            from app.manager import DatabaseManager


            def get_manager() -> DatabaseManager:
                return DatabaseManager(settings.dsn())
        """,
        "app/models.py": MODELS,
    })  # fmt: skip
    url = _url(project)
    assert (url["kind"], url["url"]) == ("computed", "app.config.Settings.dsn")
    done = wizard("--yes", "--no-db", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    alembic("revision", "--autogenerate", "-m", "first", cwd=project)
    alembic("upgrade", "head", cwd=project)
    assert (project / "app.db").is_file()


def test_an_app_that_copies_its_env_template_into_place_at_import(tmp_path: Path) -> None:
    """`shutil.copy(".env.example", ".env")` when .env is missing, then the settings read
    it: the probe makes no copy (nothing is written) and the app starts on the template's
    values, so the URL's field is found."""
    project = write_project(tmp_path, {
        ".env.example": "DATABASE_URL=sqlite+aiosqlite:///./app.db\n",
        "app/config.py": """
            import shutil
            from pathlib import Path

            from pydantic_settings import BaseSettings, SettingsConfigDict

            ENV = Path(__file__).parent.parent / ".env"


            class Settings(BaseSettings):
                model_config = SettingsConfigDict(env_file=ENV)
                database_url: str


            def get_settings() -> Settings:
                if not ENV.exists():
                    shutil.copy(ENV.with_name(".env.example"), ENV)
                return Settings()


            settings = get_settings()
        """,
        "app/db.py": """
            from sqlalchemy import make_url
            from sqlalchemy.ext.asyncio import create_async_engine

            from app.config import settings

            engine = create_async_engine(make_url(settings.database_url))
        """,
        "app/models.py": MODELS,
    })  # fmt: skip
    done = wizard("inspect", "--json", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    found = json.loads(done.stdout)
    assert not any("wrote a file" in n for n in found["notices"]), found["notices"]
    assert found["urls"][0]["env_key"] == "DATABASE_URL"
    assert not (project / ".env").exists()
