"""Alembic environment, written by alembic-wizard (sync-driver mode).

The app talks to the database through its async driver; Alembic runs through the sync
driver `sqlite`. The URL comes from $DATABASE_URL_SYNC, else the
app's settings, else it is derived from the app's async URL. It never passes
through alembic.ini (configparser breaks on '%' and would put credentials in git).
Re-run `alembic-wizard` to update this file.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, pool
from sqlalchemy.engine import URL, Connection, make_url

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


SYNC_URL_ENV = "DATABASE_URL_SYNC"
SYNC_DRIVERNAME = "sqlite"


def get_url() -> URL:
    """The sync URL: $DATABASE_URL_SYNC, the settings, or derived from the async URL."""
    text = os.environ.get(SYNC_URL_ENV) or app_settings.database_url_sync
    if text:
        return make_url(str(text))
    async_url = app_url()
    return async_url.set(drivername=SYNC_DRIVERNAME)


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


def run_migrations_online() -> None:
    """Connect (or use the connection handed in by a test or a program) and migrate."""
    connection = config.attributes.get("connection")
    if connection is not None:
        run_migrations_with(connection)
        return
    engine = create_engine(get_url(), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            run_migrations_with(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
