"""The project's own Python settles what static reading cannot: fixture projects written here,
one per shape real projects combine (an engine whose URL only the running code knows, a
factory fed by its caller, a DI container, a settings subclass chosen by a variable, two
fields concatenated, `validation_alias`, a constant put together from `os.getenv` parts,
models on a library's base class and on imperative mapping), and each way the probe can fail
(an import error, a hang, `sys.exit`, output on stdout, a module that writes a file): one line,
nothing written in the project, the run goes on from the source alone.

`inspect` runs in this process (the probe is a subprocess of it, as for a user); the setups
that must end in a working Alembic run real Alembic in a subprocess."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest

from conftest import alembic, run, tree_hash, wizard, write_project
from wizard.inspection import inspect

MODELS = """
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
"""
SQLITE = "sqlite+aiosqlite:///./app.db"


def _source(project: Path) -> dict[str, object]:
    done = wizard("inspect", "--json", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    found: dict[str, object] = json.loads(done.stdout)
    return found


def _setup_works(project: Path) -> str:
    """The wizard with offline verification, then real Alembic renders the migration."""
    done = wizard("--yes", "--no-db", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    alembic("revision", "--autogenerate", "-m", "first", cwd=project)
    alembic("upgrade", "head", cwd=project)
    return done.stderr + done.stdout


def test_engine_at_import_from_a_settings_method_with_arguments(tmp_path: Path) -> None:
    """`create_async_engine(settings.dsn(driver=...))`: only the running code knows the URL;
    env.py asks the app's engine for it."""
    project = write_project(tmp_path, {
        "app/config.py": """
            from pydantic_settings import BaseSettings

            class Settings(BaseSettings):
                db_path: str = "./app.db"

                def dsn(self, driver: str) -> str:
                    return f"sqlite+{driver}:///{self.db_path}"

            settings = Settings()
        """,
        "app/db.py": """
            from sqlalchemy.ext.asyncio import create_async_engine
            from app.config import settings

            engine = create_async_engine(settings.dsn(driver="aiosqlite"))
        """,
        "app/models.py": MODELS,
    })  # fmt: skip
    url = _source(project)["urls"][0]  # type: ignore[index]
    assert url["url"] == "app.db.engine" and url["kind"] == "engine"
    _setup_works(project)
    assert (project / "app.db").is_file()


def test_engine_in_a_factory_fed_by_its_caller(tmp_path: Path) -> None:
    """`def make_engine(url: str)` called as `make_engine(settings.primary)` elsewhere: the
    caller's argument is the app's URL, a settings field (the sync one goes beside it)."""
    project = write_project(tmp_path, {
        ".env": f"PRIMARY={SQLITE}\n",
        "app/config.py": """
            from pydantic_settings import BaseSettings, SettingsConfigDict

            class Settings(BaseSettings):
                model_config = SettingsConfigDict(env_file=".env")
                primary: str

            settings = Settings()
        """,
        "app/db.py": """
            from sqlalchemy.ext.asyncio import create_async_engine

            def make_engine(url: str):
                return create_async_engine(url, pool_pre_ping=True)
        """,
        "app/main.py": """
            from app.config import settings
            from app.db import make_engine

            engine = make_engine(settings.primary)
        """,
        "app/models.py": MODELS,
    })  # fmt: skip
    url = _source(project)["urls"][0]  # type: ignore[index]
    assert (url["url"], url["kind"], url["env_key"]) == (
        "app.config.Settings.primary",
        "field",
        "PRIMARY",
    )
    _setup_works(project)
    assert "PRIMARY_SYNC=sqlite:///./app.db" in (project / ".env").read_text()
    assert "primary_sync" in (project / "app/config.py").read_text()


def test_engine_built_by_a_dependency_injector_container(tmp_path: Path) -> None:
    """`providers.Singleton(create_async_engine, url=settings.provided.dsn)`: nothing calls
    the factory at import; the provider gives the value."""
    project = write_project(tmp_path, {
        ".env": f"APP_DSN={SQLITE}\n",
        "app/config.py": """
            from pydantic_settings import BaseSettings, SettingsConfigDict

            class Settings(BaseSettings):
                model_config = SettingsConfigDict(env_file=".env", env_prefix="APP_")
                dsn: str
        """,
        "app/container.py": """
            from dependency_injector import containers, providers
            from sqlalchemy.ext.asyncio import create_async_engine
            from app.config import Settings

            class Container(containers.DeclarativeContainer):
                settings = providers.Singleton(Settings)
                engine = providers.Singleton(create_async_engine, url=settings.provided.dsn)
        """,
        "app/models.py": MODELS,
    })  # fmt: skip
    url = _source(project)["urls"][0]  # type: ignore[index]
    assert url["env_key"] == "APP_DSN"
    _setup_works(project)
    assert "APP_DSN_SYNC=sqlite:///./app.db" in (project / ".env").read_text()


def test_settings_subclass_chosen_by_an_environment_variable(tmp_path: Path) -> None:
    """`config = get_config()` returns one of three classes from `os.getenv("ENV")`: the
    instance the app made, its own class's field, reached as the app reaches it."""
    project = write_project(tmp_path, {
        ".env": f"ENV=prod\nDATABASE_URL={SQLITE}\n",
        "app/config.py": """
            import os
            from pydantic_settings import BaseSettings, SettingsConfigDict

            class Config(BaseSettings):
                model_config = SettingsConfigDict(env_file=".env", extra="ignore")
                DATABASE_URL: str = "sqlite+aiosqlite:///./dev.db"

            class DevConfig(Config):
                DEBUG: bool = True

            class ProdConfig(Config):
                DEBUG: bool = False

            class TestConfig(Config):
                DATABASE_URL: str = "sqlite+aiosqlite:///:memory:"

            def get_config() -> Config:
                return {"dev": DevConfig, "prod": ProdConfig, "test": TestConfig}[os.getenv("ENV", "dev")]()

            config: Config = get_config()
        """,
        "app/db.py": """
            from sqlalchemy.ext.asyncio import create_async_engine
            from app.config import config

            engine = create_async_engine(config.DATABASE_URL)
        """,
        "app/models.py": MODELS,
    })  # fmt: skip
    url = _source(project)["urls"][0]  # type: ignore[index]
    assert (url["url"], url["env_key"]) == ("app.config.ProdConfig.DATABASE_URL", "DATABASE_URL")
    _setup_works(project)
    env_py = (project / "migrations/env.py").read_text()
    assert "from app.config import config as app_settings" in env_py


def test_two_fields_concatenated_in_a_function(tmp_path: Path) -> None:
    """`create_async_engine(settings.PREFIX + settings.URI)` inside a function: no one field
    holds the URL; env.py evaluates the same expression on the same names."""
    project = write_project(tmp_path, {
        ".env": "URI=/./app.db\n",
        "app/config.py": """
            from pydantic_settings import BaseSettings, SettingsConfigDict

            class Settings(BaseSettings):
                model_config = SettingsConfigDict(env_file=".env")
                PREFIX: str = "sqlite+aiosqlite://"
                URI: str

            settings = Settings()
        """,
        "app/db.py": """
            from sqlalchemy.ext.asyncio import create_async_engine
            from app.config import settings

            def get_engine():
                return create_async_engine(settings.PREFIX + settings.URI)
        """,
        "app/models.py": MODELS,
    })  # fmt: skip
    url = _source(project)["urls"][0]  # type: ignore[index]
    assert url["kind"] == "expression"
    _setup_works(project)
    assert "app_settings.PREFIX + app_settings.URI" in (project / "migrations/env.py").read_text()


def test_validation_alias_with_alias_choices(tmp_path: Path) -> None:
    """`Field(validation_alias=AliasChoices("PG_DSN", "DATABASE_URL"))`, the settings passed
    to a factory: the variable is the choice the environment has, as pydantic-settings reads
    it."""
    project = write_project(tmp_path, {
        ".env": f"DATABASE_URL={SQLITE}\n",
        "app/config.py": """
            from pydantic import AliasChoices, Field
            from pydantic_settings import BaseSettings, SettingsConfigDict

            class Settings(BaseSettings):
                model_config = SettingsConfigDict(env_file=".env")
                primary: str = Field(validation_alias=AliasChoices("PG_DSN", "DATABASE_URL"))

            def get_settings() -> Settings:
                return Settings()

            settings = get_settings()
        """,
        "app/db.py": """
            from sqlalchemy.ext.asyncio import create_async_engine
            from app import config

            def engine_for(cfg):
                return create_async_engine(cfg.primary)

            engine = engine_for(config.settings)
        """,
        "app/models.py": MODELS,
    })  # fmt: skip
    url = _source(project)["urls"][0]  # type: ignore[index]
    assert url["env_key"] == "DATABASE_URL"
    _setup_works(project)
    # the sync field has no alias: its own name is the variable (an unknown key otherwise)
    assert "\nPRIMARY_SYNC=sqlite:///./app.db" in (project / ".env").read_text()
    assert "primary_sync" in (project / "app/config.py").read_text()


def test_module_constant_put_together_from_getenv_parts(tmp_path: Path) -> None:
    """The aiogram layout: `DATABASE_URL = f"...{DB_USER}..."` from `os.getenv` parts after
    `load_dotenv()`: env.py imports the app's constant; no frozen copy of it is written."""
    project = write_project(tmp_path, {
        ".env": "DB_DRIVER=aiosqlite\nDB_NAME=app.db\n",
        "bot/config.py": """
            import os
            from dotenv import load_dotenv

            load_dotenv()
            DB_DRIVER = os.getenv("DB_DRIVER")
            DB_NAME = os.getenv("DB_NAME")
            DATABASE_URL = "sqlite+" + f"{DB_DRIVER}:///./{DB_NAME}"
        """,
        "bot/db.py": """
            from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
            from bot import config

            def make_pool():
                return async_sessionmaker(create_async_engine(config.DATABASE_URL))
        """,
        "bot/models.py": MODELS,
    })  # fmt: skip
    url = _source(project)["urls"][0]  # type: ignore[index]
    assert (url["url"], url["kind"]) == ("bot.config.DATABASE_URL", "constant")
    _setup_works(project)
    assert "from bot.config import DATABASE_URL" in (project / "migrations/env.py").read_text()
    assert "_SYNC" not in (project / ".env").read_text()


def test_models_on_a_library_base_class(tmp_path: Path) -> None:
    """Advanced Alchemy's `UUIDBase` (its table names made from the class names): the tables
    as the models make them, on the MetaData the library's base holds."""
    project = write_project(tmp_path, {
        ".env": f"DATABASE_URL={SQLITE}\n",
        "app/config.py": """
            from pydantic_settings import BaseSettings, SettingsConfigDict

            class Settings(BaseSettings):
                model_config = SettingsConfigDict(env_file=".env")
                database_url: str

            settings = Settings()
        """,
        "app/db.py": """
            from sqlalchemy.ext.asyncio import create_async_engine
            from app.config import settings

            engine = create_async_engine(settings.database_url)
        """,
        "app/domain/accounts.py": """
            from advanced_alchemy.base import UUIDBase
            from sqlalchemy.orm import Mapped

            class UserAccount(UUIDBase):
                email: Mapped[str]

            class TeamMember(UUIDBase):
                role: Mapped[str]
        """,
    })  # fmt: skip
    (metadata,) = _source(project)["metadata"]  # type: ignore[misc]
    assert metadata["name"] == "advanced_alchemy.base.UUIDBase.metadata"
    assert {t["name"] for t in metadata["tables"]} == {"user_account", "team_member"}
    out = _setup_works(project)
    assert "FAILED" not in out
    revision = next((project / "migrations/versions").glob("*.py")).read_text()
    assert "op.create_table('user_account'" in revision


def test_models_by_imperative_mapping(tmp_path: Path) -> None:
    """`registry.map_imperatively(User, users)` on a registry's MetaData."""
    project = write_project(tmp_path, {
        ".env": f"DATABASE_URL={SQLITE}\n",
        "app/db.py": """
            import os
            from sqlalchemy.ext.asyncio import create_async_engine

            engine = create_async_engine(os.environ["DATABASE_URL"])
        """,
        "app/tables.py": """
            from sqlalchemy import Column, Integer, String, Table
            from sqlalchemy.orm import registry

            mapper_registry = registry()

            class User:
                pass

            users = Table("users", mapper_registry.metadata, Column("id", Integer, primary_key=True),
                          Column("name", String(50)))
            mapper_registry.map_imperatively(User, users)
        """,
    })  # fmt: skip
    (metadata,) = _source(project)["metadata"]  # type: ignore[misc]
    assert {t["name"] for t in metadata["tables"]} == {"users"}
    _setup_works(project)


# -- each way the probe fails: one line, nothing written, the source alone decides ----------

FALLBACK = {
    ".env": f"DATABASE_URL={SQLITE}\n",
    "app/config.py": """
        from pydantic_settings import BaseSettings, SettingsConfigDict

        class Settings(BaseSettings):
            model_config = SettingsConfigDict(env_file=".env")
            database_url: str

        settings = Settings()
    """,
    "app/models.py": MODELS,
}
ENGINE = """
    from sqlalchemy.ext.asyncio import create_async_engine
    from app.config import settings
    {before}
    engine = create_async_engine(settings.database_url.strip())
"""
FAILURES = {
    "import error": ("import not_installed_anywhere", "ModuleNotFoundError: No module named"),
    "hang": ("import time\nwhile True: time.sleep(0.1)", "did not finish importing within 3 s"),
    "sys.exit": (
        "import sys\nsys.exit('BOT_TOKEN is not set')",
        "sys.exit('BOT_TOKEN is not set')",
    ),
    "writes a file": ("open('started.log', 'w').write('x')", "wrote a file"),
    "names its URL": (
        "raise ValueError('cannot reach postgresql+asyncpg://app:s3cr3t@db/app')",
        "ValueError: cannot reach postgresql+asyncpg://app:***@db/app",
    ),
    "starts a server": (
        "import socket\nsocket.socket().bind(('127.0.0.1', 0))",
        "listening socket",
    ),
}


@pytest.mark.parametrize("case", sorted(FAILURES))
def test_a_probe_failure_is_one_line_and_the_source_decides(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, message = FAILURES[case]
    engine = textwrap.dedent(ENGINE).replace("{before}", before)
    project = write_project(tmp_path, {**FALLBACK, "app/db.py": engine})
    if case == "hang":  # the others end on their own: on a busy machine 3 s cut them short
        monkeypatch.setenv("ALEMBIC_WIZARD_PROBE_TIMEOUT", "3")
    hashed = tree_hash(project)
    done = wizard("--yes", "--no-db", "--dry-run", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    notes = [line for line in done.stderr.splitlines() if "could not import app.db" in line]
    assert len(notes) == 1 and message in notes[0], done.stderr
    assert "app/db.py:" in notes[0]  # the place, relative to the project
    assert 'url = "app.config.Settings.database_url"' in done.stdout  # the static answer
    assert tree_hash(project) == hashed  # --dry-run, and the probe wrote nothing either
    assert not (project / "started.log").exists()
    assert "s3cr3t" not in done.stdout + done.stderr


def test_output_on_stdout_is_kept_out_of_the_answer(tmp_path: Path) -> None:
    """A module that prints at import (or prints a fake answer) is said, and harmless."""
    fake = 'print(\'{"engines": [], "tables": [], "failures": [], "stdout": []}\')'
    engine = textwrap.dedent(ENGINE).replace("{before}", fake)
    project = write_project(tmp_path, {**FALLBACK, "app/db.py": engine})
    done = wizard("--yes", "--no-db", "--dry-run", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "app.db printed to stdout when imported" in done.stderr
    url = _source(project)["urls"][0]  # type: ignore[index]
    assert url["url"] == "app.config.Settings.database_url"


def test_inspection_without_the_projects_packages_falls_back_to_the_source(tmp_path: Path) -> None:
    """A project whose interpreter lacks its packages: the probe's failure is a note."""
    project = write_project(
        tmp_path,
        {
            **FALLBACK,
            "app/db.py": textwrap.dedent(ENGINE).replace("{before}", "import fastapi_not_here"),
        },
    )
    found = inspect(project)
    assert any("could not import app.db" in n for n in found.notices)
    assert found.sources and found.sources[0].label == "app.config.Settings.database_url"


def test_a_url_set_nowhere_takes_the_declared_driver(tmp_path: Path) -> None:
    """No env file, no template, a required field: the app starts in the probe only on a
    made-up URL, which tells nothing of the database. The project declares asyncpg:
    PostgreSQL, set up; env.py derives the sync URL from the variable once the user sets it."""
    project = write_project(
        tmp_path,
        {
            **{k: v for k, v in FALLBACK.items() if k != ".env"},
            "pyproject.toml": '[project]\nname = "proj"\ndependencies = ["asyncpg>=0.29"]\n',
            "app/db.py": textwrap.dedent(ENGINE).replace("{before}", ""),
        },
    )
    done = wizard("--yes", "--no-db", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "note: DATABASE_URL is set nowhere in the project" in done.stderr
    assert "the app starts only with DATABASE_URL set" in done.stderr  # the probe said why
    next_lines = done.stdout.split("Next:", 1)[1].splitlines()
    assert next_lines[1].strip().startswith("# set DATABASE_URL")
    assert 'SYNC_DRIVERNAME = "postgresql+psycopg"' in (project / "migrations/env.py").read_text()
    assert not (project / ".env").exists()
    env = {**os.environ, "DATABASE_URL": "postgresql+asyncpg://app:pw@db.internal/shop"}
    sql = run("-m", "alembic", "upgrade", "head", "--sql", cwd=project, env=env)
    assert sql.returncode == 0 and "Context impl PostgresqlImpl" in sql.stderr, sql.stderr


def test_a_library_mixin_names_the_table_beside_the_apps_own_models(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`class User(SQLAlchemyBaseUserTable, Base): pass` (FastAPI-Users' shape): the
    library's class gives the table its name; the project's Python says which."""
    library = tmp_path / "site" / "fakeusers"
    library.mkdir(parents=True)
    (library / "__init__.py").write_text(
        textwrap.dedent("""
            from sqlalchemy.orm import Mapped, mapped_column

            class SQLAlchemyBaseUserTable:
                __tablename__ = "user"
                id: Mapped[int] = mapped_column(primary_key=True)
                email: Mapped[str]
        """)
    )
    monkeypatch.setenv("PYTHONPATH", str(library.parent))
    project = write_project(
        tmp_path,
        {
            **FALLBACK,
            "app/db.py": textwrap.dedent(ENGINE).replace("{before}", ""),
            "app/users.py": """
                from fakeusers import SQLAlchemyBaseUserTable
                from app.models import Base

                class User(SQLAlchemyBaseUserTable, Base):
                    pass
            """,
        },
    )
    (metadata,) = _source(project)["metadata"]  # type: ignore[misc]
    assert {(t["name"], t["module"]) for t in metadata["tables"]} == {
        ("users", "app.models"),
        ("user", "app.users"),
    }


def test_a_fresh_clone_is_probed_on_its_templates_values(tmp_path: Path) -> None:
    """No env file of its own, required settings only a template fills, the URL reached
    in a way only the running code knows: the probe starts the app on the template's
    values (placeholders, never written), finds the field, and the setup goes on."""
    project = write_project(
        tmp_path,
        {
            ".env.example": f"DATABASE_URL={SQLITE}\nBOT_TOKEN=change-me\n",
            "app/config.py": """
                from pydantic_settings import BaseSettings, SettingsConfigDict

                class Settings(BaseSettings):
                    model_config = SettingsConfigDict(env_file=".env")
                    database_url: str
                    bot_token: str

                def load():
                    return Settings()

                CONFIG = {"main": load()}
            """,
            "app/db.py": """
                from sqlalchemy.ext.asyncio import create_async_engine
                from app.config import CONFIG

                engine = create_async_engine(CONFIG["main"].database_url)
            """,
            "app/models.py": MODELS,
        },
    )
    done = wizard("--yes", "--no-db", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "could not import" not in done.stderr
    assert "note: DATABASE_URL is set only in .env.example, a template" in done.stderr
    assert not (project / ".env").exists()


def test_a_base_made_by_declarative_base_is_reached_where_the_app_holds_it(
    tmp_path: Path,
) -> None:
    """`Base = declarative_base(cls=Model)` whose class says another module (SQLAlchemy's):
    env.py imports it from the app's module that holds it."""
    project = write_project(
        tmp_path,
        {
            **FALLBACK,
            "app/db.py": textwrap.dedent(ENGINE).replace("{before}", ""),
            "app/models.py": """
                from sqlalchemy import Column, Integer
                from sqlalchemy.orm import declarative_base, declared_attr

                class Model:
                    @declared_attr
                    def __tablename__(cls):
                        return cls.__name__.lower() + "s"

                BaseModel = declarative_base(cls=Model)

                class Song(BaseModel):
                    id = Column(Integer, primary_key=True)
            """,
        },
    )
    (metadata,) = _source(project)["metadata"]  # type: ignore[misc]
    assert metadata["name"] == "app.models.BaseModel.metadata"
    assert [t["name"] for t in metadata["tables"]] == ["songs"]
    _setup_works(project)


def test_an_app_that_logs_to_a_file_at_import_is_probed_without_writing_it(
    tmp_path: Path,
) -> None:
    """`logging.basicConfig(filename="logs/app.log")` at import, into a folder the project
    has: the records go nowhere during the probe, nothing is written, the import goes on."""
    logged = 'import logging\nlogging.basicConfig(filename="logs/app.log")\nlogging.warning("up")'
    engine = textwrap.dedent(ENGINE).replace("{before}", logged)
    project = write_project(tmp_path, {**FALLBACK, "app/db.py": engine})
    (project / "logs").mkdir()
    done = wizard("--yes", "--no-db", "--dry-run", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "could not import" not in done.stderr  # the probe answered
    assert list((project / "logs").iterdir()) == []


def test_a_url_put_together_from_getenv_parts_is_the_last_resort(tmp_path: Path) -> None:
    """The bot layout whose config cannot start without its variables (`int(os.getenv(...))`)
    and whose engine is made from a parameter: the module constant that spells an async URL
    is the app's URL; env.py imports it."""
    project = write_project(
        tmp_path,
        {
            "bot/config.py": """
                import os

                ADMIN_ID = int(os.getenv("ADMIN_ID"))
                DATABASE_URL = (f"postgresql+asyncpg://{os.getenv('DB_USER')}:{os.getenv('DB_PASS')}"
                                f"@{os.getenv('DB_HOST')}/{os.getenv('DB_NAME')}")
            """,
            "bot/db.py": """
                from sqlalchemy.ext.asyncio import create_async_engine

                class Database:
                    def __init__(self, url: str):
                        self.engine = create_async_engine(url)
            """,
            "bot/models.py": MODELS,
        },
    )
    url = _source(project)["urls"][0]  # type: ignore[index]
    assert (url["url"], url["kind"]) == ("bot.config.DATABASE_URL", "constant")


def test_variables_the_app_requires_are_made_up_to_see_where_its_url_comes_from(
    tmp_path: Path,
) -> None:
    """No env file, no template; the settings require BOT_TOKEN and the URL, read at import
    inside a class the engine is made from: the probe names the missing variables from the
    error, makes them up, imports again, and finds the field; the made-up URL is no value
    (the dialect comes from the declared driver)."""
    project = write_project(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "bot"\ndependencies = ["aiosqlite"]\n',
            "bot/config.py": """
                from pydantic_settings import BaseSettings

                class Settings(BaseSettings):
                    bot_token: str
                    admin_id: int
                    database_url: str

                conf = {"main": Settings()}
            """,
            "bot/db.py": """
                from sqlalchemy.ext.asyncio import create_async_engine
                from bot.config import conf

                engine = create_async_engine(conf["main"].database_url)
            """,
            "bot/models.py": MODELS,
        },
    )
    done = wizard("--yes", "--no-db", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "the app starts only with BOT_TOKEN, ADMIN_ID, DATABASE_URL set" in done.stderr
    assert "placeholder" not in (project / "migrations/env.py").read_text()
    url = _source(project)["urls"][0]  # type: ignore[index]
    assert url["env_key"] == "DATABASE_URL"  # the variable the app reads, whichever way
    assert 'SYNC_DRIVERNAME = "sqlite"' in (project / "migrations/env.py").read_text()


def test_no_tables_says_why_the_models_could_not_be_read(tmp_path: Path) -> None:
    """Models only the project's Python can read, and it cannot import them: the refusal
    names the module and the error, not only "no tables"."""
    project = write_project(
        tmp_path,
        {
            **FALLBACK,
            "app/models.py": """
                import not_installed_anywhere
                from advanced_alchemy.base import UUIDBase
                from sqlalchemy.orm import Mapped

                class Team(UUIDBase):
                    name: Mapped[str]
            """,
            "app/db.py": textwrap.dedent(ENGINE).replace("{before}", ""),
        },
    )
    done = wizard("--yes", "--no-db", cwd=project)
    assert done.returncode == 2
    assert "no SQLAlchemy or SQLModel tables found (the project's Python could not import" in (
        done.stderr
    )
    assert "No module named 'not_installed_anywhere'" in done.stderr


def test_a_templates_variable_references_are_not_values(tmp_path: Path) -> None:
    """`PORT=${PORT}` in a template: not a value to start the app on (int('${PORT}') failed);
    the app's own default applies."""
    project = write_project(
        tmp_path,
        {
            ".env.example": f"DATABASE_URL={SQLITE}\nDB_PORT=${{DB_PORT}}\n",
            "app/config.py": """
                import os

                PORT = int(os.getenv("DB_PORT", "5432"))
            """,
            "app/db.py": """
                from sqlalchemy.ext.asyncio import create_async_engine
                from app import config
                import os

                engine = create_async_engine(os.environ["DATABASE_URL"] + "")
            """,
            "app/models.py": MODELS,
        },
    )
    done = wizard("--yes", "--no-db", "--dry-run", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "could not import" not in done.stderr
