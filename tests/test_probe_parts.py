"""A URL the app puts together from parts, or reaches through a container, a property or a
class picked at run time: static reading sees only a part, or several candidates; the
project's own Python (the probe) says which value the engine gets and where it lives.
Fixture projects written here; `inspect` in this process, the probe a subprocess of it."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

from conftest import alembic, run, wizard, write_project
from wizard.probe import lookup
from wizard.probe.missing import missing

MODELS = """
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
"""
# starlette.config.Config's way of refusing a variable the shell lacks (its own message)
STARLETTE_LIKE = """
import os

class Config:
    def __call__(self, key, cast=None, default=...):
        if key in os.environ:
            return os.environ[key]
        if default is ...:
            raise KeyError(f"Config '{key}' is missing, and has no default.")
        return default

config = Config()
"""


def _inspected(project: Path) -> dict[str, object]:
    done = wizard("inspect", "--json", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    found: dict[str, object] = json.loads(done.stdout)
    return found


def _setup_works(project: Path) -> str:
    done = wizard("--yes", "--no-db", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    alembic("revision", "--autogenerate", "-m", "first", cwd=project)
    alembic("upgrade", "head", cwd=project)
    return done.stderr + done.stdout


PARTS = {
    "app/starlette_like.py": STARLETTE_LIKE,
    "app/config.py": """
        from pydantic_settings import BaseSettings
        from app.starlette_like import config

        class AppSettings(BaseSettings):
            SECRET_KEY: str = config("SECRET_KEY")

        class SQLiteSettings(BaseSettings):
            SQLITE_FILE: str = config("SQLITE_FILE", default="app.db")
            SQLITE_URI: str = f"./{SQLITE_FILE}"
            SQLITE_ASYNC_PREFIX: str = config("SQLITE_ASYNC_PREFIX", default="sqlite+aiosqlite:///")

        class Settings(AppSettings, SQLiteSettings):
            pass

        settings = Settings()
    """,
    "app/db.py": """
        from sqlalchemy.ext.asyncio import create_async_engine
        from app.config import settings

        DATABASE_URI = settings.SQLITE_URI
        DATABASE_PREFIX = settings.SQLITE_ASYNC_PREFIX
        DATABASE_URL = f"{DATABASE_PREFIX}{DATABASE_URI}"

        engine = create_async_engine(DATABASE_URL)
    """,
    "app/models.py": MODELS,
}


def test_a_url_made_of_a_prefix_and_a_uri_field_is_the_apps_constant(tmp_path: Path) -> None:
    """`DATABASE_URL = f"{PREFIX}{URI}"` from two settings fields, the app starting only with
    SECRET_KEY set (starlette's `Config` refuses): the probe makes SECRET_KEY up, and the URL
    is the app's module constant, never the `SQLITE_URI` field (a part of it)."""
    project = write_project(tmp_path, PARTS)
    (url,) = _inspected(project)["urls"]  # type: ignore[misc]
    assert (url["url"], url["kind"]) == ("app.db.DATABASE_URL", "constant")
    done = wizard("--yes", "--no-db", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "the app starts only with SECRET_KEY set" in done.stderr
    env = {**os.environ, "SECRET_KEY": "the user's own"}  # as the app itself needs it
    for args in (("revision", "--autogenerate", "-m", "first"), ("upgrade", "head")):
        ran = run("-m", "alembic", *args, cwd=project, env=env)
        assert ran.returncode == 0, ran.stderr
    assert (project / "app.db").is_file()


def test_without_the_projects_python_a_part_is_not_named_the_url(tmp_path: Path) -> None:
    """The project's Python cannot start the app: static reading does not offer `SQLITE_URI`
    (`./app.db`, a part) as the URL; it says it cannot tell where the engine's URL comes from."""
    broken = "import not_installed_anywhere\n" + textwrap.dedent(PARTS["app/db.py"])
    files = {**PARTS, "app/db.py": broken}
    project = write_project(tmp_path, files)
    done = wizard("--yes", "--no-db", cwd=project)
    assert done.returncode != 0
    assert "cannot tell where the URL of the async engine (app/db.py:" in done.stderr
    assert "SQLITE_URI is not a database URL" not in done.stderr


def test_a_settings_property_given_by_a_di_container(tmp_path: Path) -> None:
    """`providers.Singleton(create_async_engine, settings.provided.database_url)`, the URL a
    property formatting a `DSN_TEMPLATE` constant: no module-level instance holds it, a fresh
    one of the class does; the template is not a URL of its own."""
    project = write_project(tmp_path, {
        "app/config.py": """
            from pydantic_settings import BaseSettings

            DSN_TEMPLATE = "sqlite+aiosqlite:///{path}"

            class Settings(BaseSettings):
                DB_PATH: str = "./app.db"
                BOT_TOKEN: str

                @property
                def database_url(self) -> str:
                    return DSN_TEMPLATE.format(path=self.DB_PATH)
        """,
        ".env.example": "BOT_TOKEN=your-token\n",
        "app/container.py": """
            from dependency_injector import containers, providers
            from sqlalchemy.ext.asyncio import create_async_engine
            from app.config import Settings

            class Container(containers.DeclarativeContainer):
                settings = providers.Singleton(Settings)
                engine = providers.Singleton(create_async_engine, settings.provided.database_url)
        """,
        "app/models.py": MODELS,
    })  # fmt: skip
    (url,) = _inspected(project)["urls"]  # type: ignore[misc]
    assert (url["url"], url["kind"]) == ("app.config.Settings.database_url", "computed")
    env = (project / ".env.example").read_text()
    done = wizard("--yes", "--no-db", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "app_settings = Settings()" in (project / "migrations/env.py").read_text()
    assert (project / ".env.example").read_text() == env


def test_a_settings_class_picked_by_a_variable_with_its_url_set_nowhere(tmp_path: Path) -> None:
    """`settings = environments[app_env]()` (dev, prod, test classes; the URL required, set
    nowhere; aiosqlite among the dev dependencies only): the app's own pick is migrated, the
    dialect is the main dependencies' (asyncpg), the base made by `@as_declarative()` is
    imported from where it is written."""
    project = write_project(tmp_path, {
        "pyproject.toml": """
            [tool.poetry]
            name = "proj"
            [tool.poetry.dependencies]
            asyncpg = "^0.29"
            [tool.poetry.group.dev.dependencies]
            aiosqlite = "^0.20"
            [tool.poetry.dev-dependencies]
            pytest = "^8"
        """,
        "app/settings.py": """
            from pydantic_settings import BaseSettings

            class Base(BaseSettings):
                app_env: str = "test"

            class AppSettings(Base):
                database_url: str

            class DevSettings(AppSettings):
                debug: bool = True

            class TestSettings(AppSettings):
                debug: bool = True

            environments = {"dev": DevSettings, "test": TestSettings}
            settings = environments[Base().app_env]()
        """,
        "app/db.py": """
            from sqlalchemy.ext.asyncio import create_async_engine
            from sqlalchemy.orm import as_declarative, declared_attr
            from app.settings import settings

            engine = create_async_engine(settings.database_url)

            @as_declarative()
            class Base:
                @declared_attr
                def __tablename__(cls) -> str:
                    return cls.__name__.lower()
        """,
        "app/bell/models.py": """
            from sqlalchemy import Column, Integer
            from app.db import Base

            class Bell(Base):
                id = Column(Integer, primary_key=True)
        """,
    })  # fmt: skip
    found = _inspected(project)
    (url,) = found["urls"]  # type: ignore[misc]
    assert (url["url"], url["env_key"]) == (
        "app.settings.TestSettings.database_url",
        "DATABASE_URL",
    )
    (metadata,) = found["metadata"]  # type: ignore[misc]
    assert metadata["name"] == "app.db.Base.metadata"
    done = wizard("--yes", "--no-db", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    env_py = (project / "migrations/env.py").read_text()
    assert 'SYNC_DRIVERNAME = "postgresql+psycopg' in env_py and "from app.db import Base" in env_py


def test_engines_of_one_factory_migrate_the_first_the_app_makes(tmp_path: Path) -> None:
    """`make_engine("main")`, `make_engine("audit")` on one Base: the first engine the app
    makes is migrated, said in a note that names the other and the flag that picks it."""
    project = write_project(tmp_path, {
        "app/db.py": """
            from sqlalchemy.ext.asyncio import create_async_engine

            def make_engine(name: str):
                return create_async_engine(f"sqlite+aiosqlite:///./{name}.db")

            main_engine = make_engine("main")
            audit_engine = make_engine("audit")
        """,
        "app/models.py": MODELS,
    })  # fmt: skip
    labels = [u["url"] for u in _inspected(project)["urls"]]  # type: ignore[attr-defined]
    assert labels == ["app.db.main_engine", "app.db.audit_engine"]
    said = _setup_works(project)
    assert "migrating app.db.main_engine, the first it makes; choose another with --url" in said
    assert (project / "main.db").is_file() and not (project / "audit.db").exists()


def test_an_engine_of_a_factory_that_composes_its_url_is_the_source(tmp_path: Path) -> None:
    """The factory puts the URL together from a config class's attributes and its own
    parameter (`f"...{Config.DB_USER}...{db_name}"`): the engine object the app holds is
    the source, not the f-string with the parameter filled in (a composite env.py would
    have to repeat), while a helper's call (`make_engine(get_url())`) still says more."""
    project = write_project(tmp_path, {
        "app/db.py": """
            import os
            from sqlalchemy.ext.asyncio import create_async_engine

            class Config:
                DB_USER = os.getenv("DB_USER", "app")
                DB_FILE = os.getenv("DB_FILE", "business")

            def get_engine(db_name: str):
                url = f"sqlite+aiosqlite:///./{Config.DB_USER}-{db_name}.db"
                return create_async_engine(url)

            business_engine = get_engine(Config.DB_FILE)
            system_engine = get_engine("system")
        """,
        "app/models.py": MODELS,
    })  # fmt: skip
    urls = _inspected(project)["urls"]
    assert [(u["kind"], u["url"]) for u in urls] == [  # type: ignore[attr-defined]
        ("engine", "app.db.business_engine"),
        ("engine", "app.db.system_engine"),
    ]
    _setup_works(project)
    assert (project / "app-business.db").is_file()


def test_an_engine_factory_imported_under_another_name_is_an_engine(tmp_path: Path) -> None:
    """`create_async_engine as create_sqlalchemy_async_engine`: still the app's engine."""
    project = write_project(tmp_path, {
        ".env": "DATABASE_URL=sqlite+aiosqlite:///./app.db\n",
        "app/config.py": """
            from pydantic_settings import BaseSettings, SettingsConfigDict

            class Settings(BaseSettings):
                model_config = SettingsConfigDict(env_file=".env")
                primary: str = "sqlite+aiosqlite:///./other.db"
                database_url: str

            settings = Settings()
        """,
        "app/db.py": """
            from sqlalchemy.ext.asyncio import create_async_engine as create_sa_engine
            from app.config import settings

            engine = create_sa_engine(url=settings.primary)
        """,
        "app/models.py": MODELS,
    })  # fmt: skip
    (url,) = _inspected(project)["urls"]  # type: ignore[misc]
    assert url["url"] == "app.config.Settings.primary"


# -- the probe's own reading, on objects made here ------------------------------------------


def test_pydantic_1_and_starlette_name_the_variable_they_miss() -> None:
    from pydantic.v1 import BaseSettings, ValidationError

    class Settings(BaseSettings):
        database_url: str

    os.environ.pop("DATABASE_URL", None)
    try:
        Settings()
    except ValidationError as exc:
        assert list(missing(exc, set())) == ["DATABASE_URL"]
    starlette = KeyError("Config 'SECRET_KEY' is missing, and has no default.")
    assert missing(starlette, set()) == {"SECRET_KEY": "placeholder"}


def test_computed_fields_that_are_a_property_of_the_class_are_no_names() -> None:
    """Early pydantic 2 declares `model_computed_fields` a property: not a list of names."""

    class Early:
        model_fields = {"dsn": None}
        model_computed_fields = property(lambda self: {})
        dsn = "sqlite+aiosqlite:///./app.db"

    found = {tuple(path): value for path, value, _ in lookup.attributes(Early(), 2)}
    assert found[("dsn",)] == "sqlite+aiosqlite:///./app.db"


def test_an_exported_variable_wins_over_the_env_files_spelling_in_another_case(
    tmp_path: Path,
) -> None:
    """`.env` (copied from a template) holds an empty `db_url=`; the shell exports `DB_URL`.
    The app reads the environment first and names in any case, so its engine gets the
    exported URL; the probe, importing the models (their table name is made at run time),
    must not add the file's `db_url` as a second, empty variable."""
    project = write_project(tmp_path, {
        ".env": "db_url=\n",
        "app/config.py": """
            from pydantic_settings import BaseSettings, SettingsConfigDict

            class Settings(BaseSettings):
                model_config = SettingsConfigDict(env_file=".env")
                db_url: str = ""

            settings = Settings()
        """,
        "app/db.py": """
            from sqlalchemy.ext.asyncio import create_async_engine
            from sqlalchemy.orm import DeclarativeBase
            from app.config import settings

            engine = create_async_engine(settings.db_url)

            class Base(DeclarativeBase):
                pass
        """,
        "app/models.py": """
            from sqlalchemy.orm import Mapped, mapped_column
            from app.db import Base

            class User(Base):
                __tablename__ = "_".join(["app", "users"])
                id: Mapped[int] = mapped_column(primary_key=True)
        """,
    })  # fmt: skip
    url = f"sqlite+aiosqlite:///{tmp_path / 'exported.db'}"
    done = wizard("inspect", "--json", cwd=project, env={**os.environ, "DB_URL": url})
    assert done.returncode == 0, done.stderr + done.stdout
    found = json.loads(done.stdout)
    assert [t["name"] for m in found["metadata"] for t in m["tables"]] == ["app_users"]
