"""The app's URL found by following its async engine, wherever real projects keep it: a
settings field of any name, a nested settings model, a property assembling it from parts, a
helper building a `URL`, `os.getenv` with `load_dotenv`, `os.environ[...]`, a literal in the
engine call, an f-string default. Each end to end against the real server: the wizard,
`alembic revision --autogenerate`, `alembic upgrade head`, the app's own async engine reads
the tables, and a second run changes nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from dotenv import dotenv_values

from conftest import alembic, copy_project, mysql_tables, pg_tables, run, tree_hash, wizard

# fixture -> (module.engine the app uses, the tables its models define)
APPS = {
    "urls/odd_field_name": ("catalog.db.engine:writer_engine", {"categories", "products"}),
    "urls/nested_settings": ("shop.db:engine", {"products", "carts", "cart_items"}),
    "urls/parts_computed_field": ("app.core.db:engine", {"user_account", "part"}),
    "urls/parts_url_create": ("orders_api.database:engine", {"customers", "orders", "order_lines"}),
    "urls/getenv_dotenv": ("blog.database:engine", {"authors", "posts", "comments"}),
    "urls/environ_index": ("tracker.db:engine", {"projects", "tasks"}),
    "urls/literal_url": ("notes.db:engine", {"users", "notes"}),
    "urls/fstring_default_no_env": ("inventory.database:engine", {"warehouses", "stock_items"}),
    "urls/pydantic_v1_settings": ("legacy_api.database:engine", {"customers", "invoices"}),
    "urls/settings_env_file_missing": ("weather.db:engine", {"stations", "observations"}),
}
READ_TABLES = """
import asyncio, importlib, sys
from sqlalchemy import inspect
module, name = sys.argv[1].split(":")
engine = getattr(importlib.import_module(module), name)
async def main():
    async with engine.connect() as conn:
        print(" ".join(sorted(await conn.run_sync(lambda c: inspect(c).get_table_names()))))
    await engine.dispose()
asyncio.run(main())
"""


def _copy(name: str, tmp_path: Path, database: str = "") -> Path:
    project = copy_project(name, tmp_path)
    for path in project.rglob("*"):
        if path.is_file() and "__DB__" in path.read_text(errors="replace"):
            path.write_text(path.read_text().replace("__DB__", database))
    return project


def _app_tables(project: Path, engine: str, env: dict[str, str] | None = None) -> set[str]:
    """The tables the app's own async engine sees, in a fresh process."""
    root = project / "src" if (project / "src").is_dir() else project
    environ = {**os.environ, **(env or {}), "PYTHONPATH": str(root)}
    done = run("-c", READ_TABLES, engine, cwd=project, env=environ)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def _end_to_end(project: Path, engine: str, tables: set[str]) -> str:
    """Wizard, autogenerate, upgrade; the app reads the tables; a second run is a no-op."""
    done = wizard("--yes", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "FAILED" not in done.stdout
    created = alembic("revision", "--autogenerate", "-m", "create tables", cwd=project)
    assert {t for t in tables if f"Detected added table '{t}'" in created.stderr} == tables
    alembic("upgrade", "head", cwd=project)
    app_env = {k: v for k, v in dotenv_values(project / ".env").items() if v is not None}
    assert _app_tables(project, engine, app_env if "environ" in project.name else None) >= tables
    before = tree_hash(project)
    again = wizard("--yes", "--no-verify", cwd=project)
    assert again.returncode == 0 and "nothing to change" in again.stderr, again.stderr
    assert tree_hash(project) == before
    return done.stdout + done.stderr


@pytest.mark.parametrize(
    "name",
    ["urls/odd_field_name", "urls/getenv_dotenv", "urls/environ_index", "urls/literal_url",
     "urls/fstring_default_no_env", "urls/pydantic_v1_settings", "urls/settings_env_file_missing"],
)  # fmt: skip
def test_sqlite_sources_end_to_end(name: str, tmp_path: Path) -> None:
    engine, tables = APPS[name]
    project = _copy(name, tmp_path)
    _end_to_end(project, engine, tables)


def test_computed_url_from_parts_on_postgresql(tmp_path: Path, pg_database: str) -> None:
    engine, tables = APPS["urls/parts_computed_field"]
    project = _copy("urls/parts_computed_field", tmp_path, pg_database)
    env_before = (project / ".env").read_text()
    output = _end_to_end(project, engine, tables)
    assert "ok  same database" in output
    assert (project / ".env").read_text() == env_before  # no frozen copy of the parts
    env_py = (project / "migrations/env.py").read_text()
    assert "make_url(str(app_settings.SQLALCHEMY_DATABASE_URI))" in env_py
    assert "p@ss" not in output and "w/rd" not in output  # the password is never printed
    assert pg_tables(pg_database) >= tables


def test_helper_building_a_url_on_postgresql(tmp_path: Path, pg_database: str) -> None:
    engine, tables = APPS["urls/parts_url_create"]
    project = _copy("urls/parts_url_create", tmp_path, pg_database)
    output = _end_to_end(project, engine, tables)
    assert "ok  same database" in output
    assert (
        "from orders_api.database import get_database_url"
        in (project / "migrations/env.py").read_text()
    )
    assert pg_tables(pg_database) >= tables


def test_nested_settings_model_on_mariadb(tmp_path: Path, mysql_database: str) -> None:
    engine, tables = APPS["urls/nested_settings"]
    project = _copy("urls/nested_settings", tmp_path, mysql_database)
    output = _end_to_end(project, engine, tables)
    assert "ok  same database" in output
    env = dotenv_values(project / ".env")
    assert env["SHOP_DB__URL_SYNC"] == (
        f"mysql+pymysql://root@127.0.0.1:3306/{mysql_database}?charset=utf8mb4"
    )
    assert "DATABASE_URL_SYNC" not in env  # a bare key would never reach the prefixed settings
    assert "url_sync: str | None = None" in (project / "shop/settings.py").read_text()
    assert mysql_tables(mysql_database) >= tables


@pytest.mark.parametrize(
    ("name", "sync_key", "expected"),
    [
        ("urls/odd_field_name", "APP_WRITER_DB_URL_SYNC", "sqlite:///./app.db"),  # .env wins
        ("urls/getenv_dotenv", "DATABASE_URL_SYNC", "sqlite:///./blog.db"),
        ("urls/literal_url", "DATABASE_URL_SYNC", "sqlite:///./data.db"),
        ("urls/pydantic_v1_settings", "DATABASE_URL_SYNC", "sqlite:///./legacy.db"),
    ],
)
def test_the_sync_key_follows_the_source(name: str, sync_key: str, expected: str,
                                         tmp_path: Path) -> None:  # fmt: skip
    project = _copy(name, tmp_path)
    done = wizard("--yes", "--no-verify", cwd=project)
    assert done.returncode == 0, done.stderr
    assert dotenv_values(project / ".env")[sync_key] == expected


def test_a_url_only_in_a_template_is_set_up_and_says_copy_it_first(tmp_path: Path) -> None:
    """The commonest state of a fresh clone: the URL only in a template. The setup is
    written (env.py derives the sync URL at run time), verified offline with the template's
    placeholder, and the first next step is to copy the template; done, Alembic runs."""
    project = _copy("urls/env_template_names", tmp_path)
    done = wizard("--yes", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "note: DATABASE_URL is set only in env.example, a template" in done.stderr
    assert "upgrade head --sql" in done.stdout and "FAILED" not in done.stdout
    next_lines = done.stdout.split("Next:", 1)[1].splitlines()
    assert next_lines[1].strip() == "cp env.example .env  # then set DATABASE_URL in it"
    assert not (project / ".env").exists()  # no half-made copy of the template
    assert "DATABASE_URL_SYNC=sqlite:///./bookings.db" in (project / "env.example").read_text()
    (project / ".env").write_text((project / "env.example").read_text())
    alembic("revision", "--autogenerate", "-m", "create tables", cwd=project)
    alembic("upgrade", "head", cwd=project)
    assert (project / "bookings.db").is_file()


def test_a_sync_only_app_is_not_for_us(tmp_path: Path) -> None:
    project = _copy("urls/no_async_engine", tmp_path)
    before = tree_hash(project)
    done = wizard("--yes", cwd=project)
    assert done.returncode == 2 and "not async" in done.stderr
    assert tree_hash(project) == before


def test_an_existing_async_env_py_gets_the_sync_mode(tmp_path: Path, pg_database: str) -> None:
    """Alembic's async template (its URL through set_main_option): sync mode is still the
    default, with the sync URL in .env and a settings field; Alembic then works."""
    project = _copy("urls/existing_async_env", tmp_path, pg_database)
    done = wizard("--yes", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    assert dotenv_values(project / ".env")["DATABASE_URL_SYNC"] == (
        f"postgresql+psycopg://postgres@127.0.0.1:5432/{pg_database}"
    )
    assert "DATABASE_URL_SYNC: str | None = None" in (project / "api/config.py").read_text()
    env_py = (project / "migrations/env.py").read_text()
    assert "(sync-driver mode)" in env_py and "async_engine_from_config" not in env_py
    assert "set_main_option(" not in env_py
    created = alembic("revision", "--autogenerate", "-m", "create tables", cwd=project)
    assert "Detected added table 'users'" in created.stderr
    alembic("upgrade", "head", cwd=project)
    assert pg_tables(pg_database) >= {"users", "posts", "alembic_version"}
    again = wizard("--yes", "--mode", "async", "--no-verify", cwd=project)  # still a choice
    assert (
        again.returncode == 0
        and "async_engine_from_config" in (project / "migrations/env.py").read_text()
    )


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


MODELS = """\
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Event(Base):
    __tablename__ = "events"
    id: Mapped[int] = mapped_column(primary_key=True)
"""


def test_starlette_config_and_two_engines_writer_first(tmp_path: Path) -> None:
    """`config("X")` (starlette, decouple) is an environment source; with a writer and a
    reader engine, --yes takes the writer, and --url picks the other."""
    project = _write(tmp_path / "svc", {
        "svc/__init__.py": "",
        "svc/models.py": MODELS,
        "svc/conf.py": 'from starlette.config import Config\n\nconfig = Config(".env")\n'
                       'READER_DATABASE_URL = config("READER_DATABASE_URL")\n'
                       'WRITER_DATABASE_URL = config("WRITER_DATABASE_URL")\n',
        "svc/db.py": "from sqlalchemy.ext.asyncio import create_async_engine\n\n"
                     "from svc import conf\n\n"
                     "reader = create_async_engine(conf.READER_DATABASE_URL)\n"
                     "writer = create_async_engine(conf.WRITER_DATABASE_URL)\n",
        ".env": "READER_DATABASE_URL=sqlite+aiosqlite:///./replica.db\n"
                "WRITER_DATABASE_URL=sqlite+aiosqlite:///./primary.db\n",
    })  # fmt: skip
    listed = wizard("inspect", cwd=project).stdout
    assert "svc.conf.WRITER_DATABASE_URL ($WRITER_DATABASE_URL) (environ)" in listed
    done = wizard("--yes", "--dry-run", cwd=project)
    assert done.returncode == 0, done.stderr
    assert "+WRITER_DATABASE_URL_SYNC=sqlite:///./primary.db" in done.stdout
    other = wizard("--yes", "--dry-run", "--url", "svc.conf.READER_DATABASE_URL ($READER_DATABASE_URL)",
                   cwd=project)  # fmt: skip
    assert "+READER_DATABASE_URL_SYNC=sqlite:///./replica.db" in other.stdout


def test_no_async_engine_and_no_settings_is_not_for_us(tmp_path: Path) -> None:
    project = _write(tmp_path / "pool", {
        "app/__init__.py": "",
        "app/models.py": MODELS,
        "app/main.py": "import asyncpg\n\nasync def pool():\n"
                       "    return await asyncpg.create_pool('postgres://u@h/db')\n",
    })  # fmt: skip
    before = tree_hash(project)
    done = wizard("--yes", cwd=project)
    assert done.returncode == 2
    assert "no async SQLAlchemy engine found" in done.stderr
    assert tree_hash(project) == before


SETTINGS_HEAD = "from pydantic_settings import BaseSettings, SettingsConfigDict\n\n\n"
CASES = {
    "secret-str-field": (
        {"app/config.py": SETTINGS_HEAD + "from pydantic import SecretStr\n\n\n"
         "class Settings(BaseSettings):\n    model_config = SettingsConfigDict(env_file='.env')\n"
         "    DB_URL: SecretStr\n\n\nsettings = Settings()\n",
         "app/db.py": "from sqlalchemy.ext.asyncio import create_async_engine\n\n"
                      "from app.config import settings\n\n"
                      "engine = create_async_engine(settings.DB_URL.get_secret_value())\n",
         ".env": "DB_URL=sqlite+aiosqlite:///./s.db\n"},
        "app.config.Settings.DB_URL (field)", "async"),
    "getenv-default-no-key-in-env": (
        {"app/db.py": "import os\n\nfrom sqlalchemy.ext.asyncio import create_async_engine\n\n"
                      "engine = create_async_engine(os.environ.get('PRIMARY', 'sqlite+aiosqlite:///./p.db'))\n",
         ".env": "SECRET_KEY=abc\n"},
        "$PRIMARY (app.db) (environ)", "sync"),
    "literal-in-async-mode": (
        {"app/db.py": "from sqlalchemy.ext.asyncio import create_async_engine\n\n"
                      "engine = create_async_engine('sqlite+aiosqlite:///./l.db')\n"},
        "the URL written in app.db (line 3) (literal)", "async"),
    "settings-through-a-module": (
        {"app/core/__init__.py": "",
         "app/core/config.py": SETTINGS_HEAD + "class Settings(BaseSettings):\n"
         "    DATABASE_URL: str = 'sqlite+aiosqlite:///./wrong.db'\n"
         "    ASYNC_DATABASE_URL: str = 'sqlite+aiosqlite:///./right.db'\n\n\nsettings = Settings()\n",
         "app/db.py": "from sqlalchemy.ext.asyncio import create_async_engine\n\n"
                      "from app.core import config\n\n"
                      "engine = create_async_engine(config.settings.ASYNC_DATABASE_URL)\n"},
        "app.core.config.Settings.ASYNC_DATABASE_URL (field)", "sync"),
    "module-level-getter-and-depends": (
        {"app/config.py": SETTINGS_HEAD + "from functools import lru_cache\n\n\n"
         "class Settings(BaseSettings):\n    writer: str = 'sqlite+aiosqlite:///./w.db'\n\n\n"
         "@lru_cache\ndef get_settings() -> Settings:\n    return Settings()\n",
         "app/db.py": "from typing import Annotated\n\nfrom fastapi import Depends\n"
                      "from sqlalchemy.ext.asyncio import create_async_engine\n\n"
                      "from app.config import Settings, get_settings\n\n\n"
                      "def make(settings: Annotated[Settings, Depends(get_settings)]):\n"
                      "    return create_async_engine(settings.writer)\n"},
        "app.config.Settings.writer (field)", "sync"),
    "nested-model-in-another-module": (
        {"app/dbconf.py": "from pydantic import BaseModel\n\n\nclass DB(BaseModel):\n"
                          "    writer: str = 'sqlite+aiosqlite:///./n.db'\n",
         "app/config.py": SETTINGS_HEAD + "from app.dbconf import DB\n\n\n"
         "class Settings(BaseSettings):\n"
         "    model_config = SettingsConfigDict(env_nested_delimiter='__')\n"
         "    database: DB = DB()\n\n\nsettings = Settings()\n",
         "app/db.py": "from sqlalchemy.ext.asyncio import create_async_engine\n\n"
                      "from app.config import settings\n\n"
                      "engine = create_async_engine(settings.database.writer)\n"},
        "app.config.Settings.database.writer (field)", "sync"),
    "f-string-in-the-engine-call": (
        {"app/db.py": "import os\n\nfrom sqlalchemy.ext.asyncio import create_async_engine\n\n"
                      "NAME = os.getenv('DB_NAME', 'f')\n"
                      "engine = create_async_engine(f'sqlite+aiosqlite:///./{NAME}.db')\n"},
        "the URL put together in app.db (line 6) (engine)", "sync"),
    "settings-subclass-in-a-file-without-the-word": (
        {"app/core/__init__.py": "",
         "app/core/base.py": SETTINGS_HEAD + "class AppConfig(BaseSettings):\n"
         "    model_config = SettingsConfigDict(env_file='.env', extra='ignore')\n",
         "app/core/database.py": "from app.core.base import AppConfig\n\n\n"
         "class DatabaseConfig(AppConfig):\n    primary: str\n\n\ndb_config = DatabaseConfig()\n",
         "app/db.py": "from sqlalchemy.ext.asyncio import create_async_engine\n\n"
                      "from app.core.database import db_config\n\n"
                      "engine = create_async_engine(db_config.primary)\n",
         ".env": "PRIMARY=sqlite+aiosqlite:///./c.db\n"},
        "app.core.database.DatabaseConfig.primary (field)", "sync"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_url_shapes_found_in_review(case: str, tmp_path: Path) -> None:
    files, label, mode = CASES[case]
    base = {"app/__init__.py": "", "app/models.py": MODELS}
    project = _write(tmp_path / "p", {**base, **files})
    assert f"url               {label}" in wizard("inspect", cwd=project).stdout
    done = wizard("--yes", "--no-db", "--mode", mode, cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "ok  env.py imports" in done.stdout and "ok  upgrade head --sql" in done.stdout


def test_doctor_checks_the_url_the_engine_uses(tmp_path: Path) -> None:
    project = _write(tmp_path / "p", {
        "app/__init__.py": "", "app/models.py": MODELS,
        "app/config.py": SETTINGS_HEAD + "class Settings(BaseSettings):\n"
                         "    model_config = SettingsConfigDict(env_file='.env')\n"
                         "    DATABASE_URL: str = ''\n    ASYNC_DATABASE_URL: str\n\n\n"
                         "settings = Settings()\n",
        "app/db.py": "from sqlalchemy.ext.asyncio import create_async_engine\n\n"
                     "from app.config import settings\n\n"
                     "engine = create_async_engine(settings.ASYNC_DATABASE_URL)\n",
        ".env": "DATABASE_URL=postgresql+asyncpg://u@h/old?sslmode=require\n"
                "ASYNC_DATABASE_URL=postgresql+asyncpg://u@h/app\n",
    })  # fmt: skip
    assert wizard("--yes", "--no-verify", cwd=project).returncode == 0
    env = project / ".env"
    env.write_text(env.read_text().replace("h/app\n", "h/app?sslmode=require\n", 1))
    found = wizard("doctor", cwd=project).stdout
    assert "AW110  .env:2  ASYNC_DATABASE_URL has sslmode" in found
    assert "DATABASE_URL has sslmode" not in found.replace("ASYNC_DATABASE_URL", "")


def test_the_url_given_for_a_template_only_project_goes_into_a_copy_of_it(tmp_path: Path) -> None:
    """`--database-url` (what the question asks at a terminal): the new .env is the template
    with that URL and the sync URL after it, so the app's other variables come too and the
    setup verifies for real."""
    project = _copy("urls/env_template_names", tmp_path)
    done = wizard("--yes", "--database-url", "sqlite+aiosqlite:///./real.db", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    env = (project / ".env").read_text()
    template = (project / "env.example").read_text()
    assert env.replace(
        "DATABASE_URL=sqlite+aiosqlite:///./real.db\nDATABASE_URL_SYNC=sqlite:///./real.db\n", ""
    ) == (
        template.replace(
            "DATABASE_URL=sqlite+aiosqlite:///./bookings.db\nDATABASE_URL_SYNC=sqlite:///./bookings.db\n",
            "",
        )
    )
    assert "ok  env.py imports" in done.stdout and "FAILED" not in done.stdout
    assert "set only in env.example" not in done.stderr
    alembic("revision", "--autogenerate", "-m", "create tables", cwd=project)
    alembic("upgrade", "head", cwd=project)
    assert (project / "real.db").is_file()
