"""An app that already has its own sync URL beside the async one (a `SYNC_DATABASE_URL` field,
a computed property, a settings method): when it names the same database through a sync
driver, env.py reads it and the wizard writes nothing new in the settings class or the env
file; its driver is the sync driver (installed by the one command when missing). One that
names another database is not reused: the sibling is added as for any app."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from conftest import alembic, tree_hash, wizard

MODELS = """
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
"""
ENGINE = """
from sqlalchemy.ext.asyncio import create_async_engine
from app.config import settings

engine = create_async_engine(settings.{member})
"""
FIELD_PAIR = """
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env")
    DATABASE_URL: str
    SYNC_DATABASE_URL: str


settings = Settings()
"""
# the smart-recipe-finder shape: two computed fields over the same parts
PROPERTY_PAIR = """
from pydantic import computed_field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env")
    DB_USER: str = "app"
    DB_PASSWORD: str = ""
    DB_HOST: str = "localhost"
    DB_PORT: int = 5432
    DB_NAME: str = "app"
    TEST_DB_NAME: str = "app_test"

    @computed_field
    @property
    def ASYNC_DATABASE_URL(self) -> str:
        return (
            f"postgresql+asyncpg://{self.DB_USER}:{self.DB_PASSWORD}@"
            f"{self.DB_HOST}:{self.DB_PORT}/{self.DB_NAME}"
        )

    @computed_field
    @property
    def SYNC_DATABASE_URL(self) -> str:
        return (
            f"postgresql+{DRIVER}://{self.DB_USER}:{self.DB_PASSWORD}@"
            f"{self.DB_HOST}:{self.DB_PORT}/{self.{NAME}}"
        )


settings = Settings()
"""
METHOD_PAIR = """
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env")
    db_path: str = "./method.db"

    @property
    def async_url(self) -> str:
        return f"sqlite+aiosqlite:///{self.db_path}"

    def sync_url(self) -> str:
        return f"sqlite:///{self.db_path}"


settings = Settings()
"""


def _project(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "proj"
    for name, text in {"pyproject.toml": '[project]\nname = "proj"\n', **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    (root / "app" / "__init__.py").touch()
    return root


def _pair(config: str, member: str, env: str = "") -> dict[str, str]:
    return {
        ".env": env,
        "app/config.py": config,
        "app/db.py": ENGINE.format(member=member),
        "app/models.py": MODELS,
    }


def _setup(project: Path, *args: str) -> dict[str, object]:
    done = wizard("--yes", "--json", *args, cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    report: dict[str, object] = json.loads(done.stdout)
    report["stderr"] = done.stderr
    return report


def _modified(report: dict[str, object]) -> set[str]:
    changes = report["changes"]
    assert isinstance(changes, list)
    return {c["path"] for c in changes if c["action"] != "identical"}


def test_a_field_pair_is_read_as_it_is(tmp_path: Path) -> None:
    """`DATABASE_URL` and `SYNC_DATABASE_URL` fields, both in .env for one SQLite file: env.py
    reads the app's own, nothing is added to the class or .env; Alembic migrates the file."""
    env = "DATABASE_URL=sqlite+aiosqlite:///./fields.db\nSYNC_DATABASE_URL=sqlite:///./fields.db\n"
    project = _project(tmp_path, _pair(FIELD_PAIR, "DATABASE_URL", env))
    config, dotenv = (project / "app/config.py").read_text(), (project / ".env").read_text()
    inspected = json.loads(wizard("inspect", "--json", cwd=project).stdout)
    assert inspected["urls"][0]["sync_key"] == "SYNC_DATABASE_URL"
    report = _setup(project, "--no-db")
    assert "app/config.py" not in _modified(report) and ".env" not in _modified(report)
    assert (project / "app/config.py").read_text() == config
    assert (project / ".env").read_text() == dotenv
    env_py = (project / "migrations/env.py").read_text()
    assert 'SYNC_URL_ENV = "SYNC_DATABASE_URL"' in env_py
    assert "os.environ.get(SYNC_URL_ENV) or app_settings.SYNC_DATABASE_URL" in env_py
    assert "the app's own SYNC_DATABASE_URL" in str(report["stderr"])
    alembic("revision", "--autogenerate", "-m", "first", cwd=project)
    alembic("upgrade", "head", cwd=project)
    assert (project / "fields.db").is_file()
    before = tree_hash(project)
    again = wizard("--yes", "--no-verify", cwd=project)
    assert again.returncode == 0 and "nothing to change" in again.stderr, again.stderr
    assert tree_hash(project) == before


def test_a_computed_property_pair_is_read_and_its_driver_installed(tmp_path: Path) -> None:
    """Two computed fields over the same parts, the sync one through pg8000 (not installed
    here): the class is left alone, env.py reads SYNC_DATABASE_URL and names pg8000, which
    the install command and the declared dependencies carry."""
    config = PROPERTY_PAIR.replace("{DRIVER}", "pg8000").replace("{NAME}", "DB_NAME")
    project = _project(tmp_path, _pair(config, "ASYNC_DATABASE_URL"))
    before = (project / "app/config.py").read_text()
    report = _setup(project, "--no-db", "--no-verify")
    assert "app/config.py" not in _modified(report)
    assert (project / "app/config.py").read_text() == before
    env_py = (project / "migrations/env.py").read_text()
    assert "os.environ.get(SYNC_URL_ENV) or app_settings.SYNC_DATABASE_URL\n" in env_py
    assert 'SYNC_DRIVERNAME = "postgresql+pg8000"' in env_py
    assert "pg8000" in (project / "pyproject.toml").read_text()
    assert "pg8000" in str(report["stderr"])


def test_a_settings_method_is_called(tmp_path: Path) -> None:
    """`sync_url()` beside the `async_url` property: env.py calls it; Alembic migrates."""
    project = _project(tmp_path, _pair(METHOD_PAIR, "async_url"))
    before = (project / "app/config.py").read_text()
    report = _setup(project, "--no-db")
    assert "app/config.py" not in _modified(report)
    assert (project / "app/config.py").read_text() == before
    assert "or app_settings.sync_url()\n" in (project / "migrations/env.py").read_text()
    alembic("revision", "--autogenerate", "-m", "first", cwd=project)
    alembic("upgrade", "head", cwd=project)
    assert (project / "method.db").is_file()


def test_another_database_name_is_not_reused(tmp_path: Path) -> None:
    """A sync property over TEST_DB_NAME names another database: the sibling is written as
    for any computed URL, and env.py reads that."""
    config = PROPERTY_PAIR.replace("{DRIVER}", "psycopg").replace("{NAME}", "TEST_DB_NAME")
    project = _project(tmp_path, _pair(config, "ASYNC_DATABASE_URL"))
    report = _setup(project, "--no-db", "--no-verify")
    assert "app/config.py" in _modified(report)
    assert "def ASYNC_DATABASE_URL_SYNC(self)" in (project / "app/config.py").read_text()
    env_py = (project / "migrations/env.py").read_text()
    assert "app_settings.ASYNC_DATABASE_URL_SYNC\n" in env_py
    assert "the app's own" not in str(report["stderr"])


# the rafsaf shape: URL.create over a nested model, which static reading cannot follow
NESTED_URL_CREATE = """
from functools import lru_cache

from pydantic import BaseModel, Field, SecretStr, computed_field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL


class Database(BaseModel):
    path: str = "./nested.db"
    password: SecretStr = SecretStr("s3cr3t-never-shown")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_nested_delimiter="__")
    database: Database = Field(default_factory=Database)

    @computed_field
    @property
    def sqlalchemy_database_uri(self) -> URL:
        return URL.create("sqlite+aiosqlite", database=self.database.path)

    def {SYNC}(self) -> URL:
        return URL.create("sqlite", database={DATABASE})


@lru_cache
def get_settings() -> Settings:
    return Settings()
"""
NESTED_ENGINE = """
from sqlalchemy.ext.asyncio import create_async_engine
from app.config import get_settings


def make_engine():
    return create_async_engine(get_settings().sqlalchemy_database_uri)
"""


def _nested(tmp_path: Path, sync: str, database: str) -> Path:
    config = NESTED_URL_CREATE.replace("{SYNC}", sync).replace("{DATABASE}", database)
    files = _pair(config, "")
    files["app/db.py"] = NESTED_ENGINE
    return _project(tmp_path, files)


def test_the_running_app_says_a_method_is_the_same_database(tmp_path: Path) -> None:
    """A `sync_url()` method beside a URL.create property over a nested model: static
    reading cannot follow either, the probe compares their values (password masked there);
    env.py calls the method; Alembic migrates; the password is printed nowhere."""
    project = _nested(tmp_path, "sync_url", "self.database.path")
    before = (project / "app/config.py").read_text()
    done = wizard("--yes", "--no-db", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "s3cr3t" not in done.stdout + done.stderr
    assert (project / "app/config.py").read_text() == before
    env_py = (project / "migrations/env.py").read_text()
    assert "or app_settings.sync_url()\n" in env_py
    assert "app_settings = get_settings()" in env_py
    alembic("revision", "--autogenerate", "-m", "first", cwd=project)
    alembic("upgrade", "head", cwd=project)
    assert (project / "nested.db").is_file()


def test_the_running_app_says_a_method_is_another_database(tmp_path: Path) -> None:
    """The same shape whose method names another file: not reused, the sibling is added."""
    project = _nested(tmp_path, "test_sync_url", '"./other.db"')
    done = wizard("--yes", "--no-db", "--no-verify", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "the app's own" not in done.stderr
    assert "def sqlalchemy_database_uri_sync(self)" in (project / "app/config.py").read_text()


def test_another_sync_driver_asked_for_sets_it_aside(tmp_path: Path) -> None:
    """`--sync-driver psycopg` beside the app's pg8000 member: the sibling is written, and
    the user is told why the app's own is not used."""
    config = PROPERTY_PAIR.replace("{DRIVER}", "pg8000").replace("{NAME}", "DB_NAME")
    project = _project(tmp_path, _pair(config, "ASYNC_DATABASE_URL"))
    report = _setup(project, "--no-db", "--no-verify", "--sync-driver", "psycopg")
    assert "app/config.py" in _modified(report)
    assert "not reused" in str(report["stderr"])
