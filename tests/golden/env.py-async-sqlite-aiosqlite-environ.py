"""Alembic environment, written by alembic-wizard (async mode).

Migrations run on the app's own async URL through `sqlite+aiosqlite`: an async engine,
with the migration itself run synchronously inside `connection.run_sync`. A connection or
engine handed in (config.attributes["connection"]) comes first, then a URL the caller set
(`-x url=...`, config.attributes["sqlalchemy.url"], config.set_main_option), then the URL
the app's engine gets. alembic.ini holds none (configparser breaks on '%' and would put
credentials in git). Re-run `alembic-wizard` to update this file.
"""

from __future__ import annotations

import asyncio
import configparser
import contextlib
import importlib
import logging
import os
from logging.config import fileConfig
from pathlib import Path
from typing import Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import pool
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_engine_from_config


def load_env_file(path: Path) -> None:
    """Put the env file's variables into os.environ, unless already set there: the app reads
    them from the environment and does not load the file itself (docker compose or a process
    manager does), so a plain shell has them only from here. python-dotenv reads it when it
    is installed; else a plain reader of `KEY=value` lines does."""
    try:
        from dotenv import load_dotenv
    except ImportError:
        pass
    else:
        load_dotenv(path, override=False)
        return
    lines = path.read_text(encoding="utf-8-sig").splitlines() if path.is_file() else []
    for line in lines:
        key, sep, value = line.strip().partition("=")
        key, value = key.strip(), value.strip()
        key = key[len("export ") :].strip() if key.startswith("export ") else key
        if len(value) > 1 and value[0] in "'\"" and value[-1] == value[0]:
            value = value[1:-1]
        else:
            value = value.split(" #")[0].rstrip()
        if sep and key and not key.startswith("#"):
            os.environ.setdefault(key, value)


# before any of the app's modules: they may read the environment when imported
load_env_file(Path(__file__).resolve().parent / "../.env")

from shop.config import DATABASE_URL as app_database_url
from shop.db import Base

# Every module that defines tables. Without them autogenerate sees no tables and
# proposes to drop the existing ones. Imported by name so no linter strips them.
MODEL_MODULES = (
    "shop.models",
)
for _module in MODEL_MODULES:
    importlib.import_module(_module)

config = context.config
# `alembic -x url=... upgrade head`, as {key: value} (not as_dictionary=True: before Alembic
# 1.13.1 it raises on a `-x flag` without '=')
X_ARGS = dict(arg.partition("=")[::2] for arg in context.get_x_argument())
# Logging comes from alembic.ini when it has logging sections. Without them (a minimal
# alembic.ini, or the settings in pyproject.toml's [tool.alembic], where Alembic names an ini
# that does not exist) Alembic's own messages go to stderr and the SQL stays quiet.
ini = config.config_file_name
if not config.attributes.get("configure_logger", True):
    pass  # a program that runs the migrations itself (the start-up runner) keeps its logging
elif ini is not None and os.path.isfile(ini) and config.file_config.has_section("formatters"):
    fileConfig(ini, disable_existing_loggers=False)
else:
    logging.basicConfig(format="%(levelname)-5.5s [%(name)s] %(message)s")
    logging.getLogger("alembic").setLevel(logging.INFO)

target_metadata = Base.metadata


def import_type_modules(type_: str, obj: object, autogen_context: AutogenContext) -> Literal[False]:
    """render_item: a column type from outside SQLAlchemy (a library's GUID, AutoString or
    Geometry, the app's own TypeDecorator) is written into a revision as `module.Type()`;
    import its module there (and its impl's), or the revision fails with NameError. Alembic
    then renders the item as usual."""
    if type_ == "type" and autogen_context.imports is not None:
        for each in (obj, getattr(obj, "impl", None)):
            module = type(each).__module__
            if each is not None and module.partition(".")[0] not in ("sqlalchemy", "builtins"):
                autogen_context.imports.add(f"import {module}")
    return False


def app_url() -> URL:
    """The app's own async URL, as its engine gets it."""
    return make_url(str(app_database_url))


def caller_url() -> URL | None:
    """A URL the caller chose for this run: `-x url=...` (or `-x sqlalchemy.url=...`),
    config.attributes["sqlalchemy.url"] (a str or a URL), or sqlalchemy.url set on the
    Config by a program or a test fixture (config.set_main_option). A sqlalchemy.url
    written in alembic.ini itself is not one (a URL does not belong in git)."""
    given = X_ARGS.get("url") or X_ARGS.get("sqlalchemy.url")
    given = given or config.attributes.get("sqlalchemy.url")
    if not given and _set_by_caller("sqlalchemy.url"):
        given = config.get_main_option("sqlalchemy.url")  # '%%' read back as '%'
    return make_url(given) if given else None


def _set_by_caller(key: str) -> bool:
    """Whether `key` in the [alembic] section differs from what the file on disk says."""
    section = config.config_ini_section
    value = config.file_config.get(section, key, raw=True, fallback=None)
    if value is None:
        return False
    on_disk = configparser.ConfigParser(interpolation=None)
    name = config.config_file_name
    if name is not None and os.path.isfile(name):
        on_disk.read(name, encoding="utf-8")
    return bool(value) and value != on_disk.get(section, key, fallback=None)


def get_url() -> URL:
    """The async URL: the caller's, else the app's own (async mode uses the app's driver)."""
    return caller_url() or app_url()


def configure(**kwargs: object) -> None:
    """context.configure with the options both modes share."""
    context.configure(
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=True,  # SQLite cannot ALTER most things in place
        render_item=import_type_modules,
        **kwargs,
    )


def run_migrations_offline() -> None:
    """Render SQL without a database (`alembic upgrade head --sql`)."""
    configure(url=get_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_with(connection: Connection) -> None:
    """Run the migrations on an open (sync) connection, under the caller's lock if it
    hands one in (the start-up runner: replicas that start together migrate once)."""
    lock = config.attributes.get("migration_lock") or (lambda _: contextlib.nullcontext())
    with lock(connection):
        configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()


def run_migrations_online() -> None:
    """Migrate through what a test or a program handed in as config.attributes["connection"]
    (a Connection, an Engine or an AsyncEngine: pytest-alembic hands in its alembic_engine),
    else connect to get_url()."""
    handed_in = config.attributes.get("connection")
    if isinstance(handed_in, Connection):
        run_migrations_with(handed_in)
    elif isinstance(handed_in, Engine):
        with handed_in.connect() as connection:
            run_migrations_with(connection)
    else:  # an AsyncEngine, or None: a new one
        run_async(handed_in)


def run_async(engine: AsyncEngine | None) -> None:
    """Run the async migrations in a new event loop; inside a running one, say what to do."""
    running = True
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # no loop running: the normal `alembic upgrade head`
        running = False
    if running:
        raise RuntimeError(
            "Alembic was called from inside a running event loop, where asyncio.run() cannot "
            "start another. Call it in a thread (await asyncio.to_thread(command.upgrade, cfg, "
            '"head")) or hand in a connection: config.attributes["connection"] = sync_conn '
            "inside `await conn.run_sync(...)`."
        )
    # outside the except block: a failing migration's traceback is then its own, not
    # chained to the "no running event loop" that get_running_loop() raised
    asyncio.run(run_async_migrations(engine))


async def run_async_migrations(engine: AsyncEngine | None) -> None:
    """Run the migrations inside `run_sync`, on the async engine handed in
    or on a new one for get_url()."""
    engine = engine or async_engine_from_config(
        {"sqlalchemy.url": get_url()}, prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_migrations_with)
    finally:  # its connections belong to this event loop, which ends here
        await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
