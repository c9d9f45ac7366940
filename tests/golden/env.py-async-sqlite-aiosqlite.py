"""Alembic environment, written by alembic-wizard (async mode).

Migrations run on the app's own async URL through `sqlite+aiosqlite`: an async engine,
with the migration itself run synchronously inside `connection.run_sync`. The URL is the
one the app's engine gets; it never passes through alembic.ini (configparser breaks on
'%' and would put credentials in git). Re-run `alembic-wizard` to update this file.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.ext.asyncio import async_engine_from_config

from shop.config import settings as app_settings
from shop.db import Base

# Every module that defines tables. Without them autogenerate sees no tables and
# proposes to drop the existing ones. Imported by name so no linter strips them.
MODEL_MODULES = (
    "shop.models",
)
for _module in MODEL_MODULES:
    importlib.import_module(_module)

config = context.config
# Logging comes from alembic.ini. Alembic names one even where there is none (its settings in
# pyproject.toml's [tool.alembic]): then its own messages go to stderr, the SQL stays quiet.
if not config.attributes.get("configure_logger", True):
    pass  # a program that runs the migrations itself (the start-up runner) keeps its logging
elif config.config_file_name is not None and os.path.isfile(config.config_file_name):
    fileConfig(config.config_file_name, disable_existing_loggers=False)
else:
    logging.basicConfig(format="%(levelname)-5.5s [%(name)s] %(message)s")
    logging.getLogger("alembic").setLevel(logging.INFO)

target_metadata = Base.metadata


def app_url() -> URL:
    """The app's own async URL, as its engine gets it."""
    return make_url(str(app_settings.database_url))


def get_url() -> URL:
    """The app's own async URL: async mode migrates through the app's driver."""
    return app_url()


def configure(**kwargs: object) -> None:
    """context.configure with the options both modes share."""
    context.configure(
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=True,  # SQLite cannot ALTER most things in place
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


async def run_async_migrations() -> None:
    """Open an async connection and run the migrations inside `run_sync`."""
    engine = async_engine_from_config(
        {"sqlalchemy.url": get_url()}, prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_migrations_with)
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    """Use a connection handed in by a test or a program, else start an event loop."""
    connection = config.attributes.get("connection")
    if connection is not None:
        run_migrations_with(connection)
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # no loop running: the normal `alembic upgrade head`
        asyncio.run(run_async_migrations())
        return
    raise RuntimeError(
        "Alembic was called from inside a running event loop, where asyncio.run() cannot "
        "start another. Call it in a thread (await asyncio.to_thread(command.upgrade, cfg, "
        '"head")) or hand in a connection: config.attributes["connection"] = sync_conn '
        "inside `await conn.run_sync(...)`."
    )


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
