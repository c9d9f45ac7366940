"""Run inside the PROJECT's interpreter (`protocol.command(python, "verify")`): load env.py
the way Alembic does, report what it holds, and optionally talk to the database read-only.

Input: JSON on stdin. Output: progress lines, then one JSON answer, on the file descriptor
named by `--channel-fd` (`channel.py`; stdout and stderr are the app's). Standard library,
alembic and sqlalchemy only; Python >= 3.10, Alembic >= 1.13, SQLAlchemy >= 2.0.
"""

from __future__ import annotations

import asyncio
import io
import os
import sys
from typing import Any, cast

from . import channel as talk
from . import offline, peek, pending, post_write
from .errors import error as _error
from .protocol import VerifyRequest


def alembic_config(ini: str, **kwargs: Any) -> Any:
    """Alembic's Config as the `alembic` command makes it in the project root: alembic.ini,
    and pyproject.toml's [tool.alembic] (Alembic >= 1.16; older ones take no toml_file)."""
    from alembic.config import Config

    try:
        return Config(ini, toml_file="pyproject.toml", **kwargs)
    except TypeError:
        return Config(ini, **kwargs)


def load_env(ini: str) -> Any:
    """Execute env.py in offline mode with no migrations to run; return its module."""
    from alembic.runtime.environment import EnvironmentContext
    from alembic.script import ScriptDirectory
    from alembic.util import load_python_file

    config = alembic_config(ini)
    script = ScriptDirectory.from_config(config)
    with EnvironmentContext(
        config, script, fn=lambda rev, ctx: [], as_sql=True, output_buffer=io.StringIO()
    ):
        return load_python_file(script.dir, "env.py")


def packages(request: VerifyRequest) -> dict[str, Any]:
    """What is missing, asked before env.py runs so that one install command names it all:
    the modules of Alembic and the drivers, the distributions the project declares, what
    the post-write hooks run."""
    import importlib.util
    from importlib import metadata

    absent = []
    for name in request.get("declared", []):
        try:
            metadata.distribution(name)
        except metadata.PackageNotFoundError:
            absent.append(name)
    modules = request.get("drivers", [])
    try:  # what `alembic revision` runs on the file it writes
        hooks = post_write.hooks(alembic_config(request["ini"]))
    except Exception:  # no alembic, a config that does not read: the other rungs say so
        hooks = []
    return {
        "missing": [m for m in modules if importlib.util.find_spec(m) is None],
        "absent": absent,
        "hooks": hooks,
    }


def alembic_current(ini: str) -> list[str]:
    """`alembic current`, the same command in this process (env.py's online path runs)."""
    from alembic import command

    buffer = io.StringIO()
    command.current(alembic_config(ini, stdout=buffer))
    return [line.split()[0] for line in buffer.getvalue().splitlines() if line.strip()]


def _fingerprint(conn: Any) -> list[str] | None:
    from sqlalchemy import text

    name = conn.dialect.name
    if name == "postgresql":
        sql = (
            "select current_database(), pg_postmaster_start_time()::text,"
            " (select oid::text from pg_database where datname = current_database())"
        )
    elif name in ("mysql", "mariadb"):
        sql = "select database(), @@hostname, @@port, @@datadir"
    elif name == "sqlite":
        sql = "select file from pragma_database_list where name = 'main'"
    else:
        return None
    return [str(v) for v in conn.execute(text(sql)).one()]


def _examine(conn: Any, metadata: Any, names: bool = False) -> dict[str, Any]:
    """Read-only look through an open sync connection: where it is, what is pending."""
    from alembic.runtime.migration import MigrationContext

    # begun and rolled back explicitly: SQLAlchemy 1.4's Connection has no rollback() of its
    # own, and without a transaction its statements autocommit one by one
    transaction = conn.begin()
    found: dict[str, Any] = {}
    try:
        if conn.dialect.name == "postgresql":  # the server refuses any write from here on
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
        elif conn.dialect.name == "sqlite":  # the connection is not pooled: ends with it
            conn.exec_driver_sql("PRAGMA query_only = ON")
        found["sync_fingerprint"] = _fingerprint(conn)
        # reads alembic_version, if there is one
        found["heads"] = list(MigrationContext.configure(conn).get_current_heads())
        found["db_tables"] = peek.table_names(conn)
        found["pending"] = pending.pending(conn, metadata)
        if names:
            found["names"] = pending.constraint_names(conn, metadata)
    except Exception as exc:  # autogenerate itself fails (a foreign key to a missing table)
        if "heads" not in found:
            raise
        found["pending_error"] = _error(exc)
    finally:
        transaction.rollback()
    return found


def _alembic_url(env: Any, ini: str) -> Any:
    """The URL env.py migrates with: its get_url() (the wizard's), else sqlalchemy.url."""
    get_url = getattr(env, "get_url", None)
    if callable(get_url):
        return get_url()
    url = alembic_config(ini).get_main_option("sqlalchemy.url")
    if not url:
        raise LookupError("env.py has no get_url() and the config no sqlalchemy.url")
    return url


def unknown_revisions(ini: str, heads: list[str]) -> dict[str, Any]:
    """The database's revisions that the local versions folder lacks (a colleague's
    migration not pulled yet, a branch switched): `alembic current` cannot run then."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(ini))
    unknown = []
    for rev in heads:
        try:
            found = script.get_revision(rev)
        except Exception:  # alembic's ResolutionError: no such revision file
            found = None
        if found is None:
            unknown.append(rev)
    return {"unknown_revisions": unknown, "versions": script.versions}


def online(env: Any, request: VerifyRequest, step: list[str]) -> dict[str, Any]:
    """Connect with Alembic's URL, compare with the app's, summarise pending operations.
    `step` says how far it got (what a failure is a failure of)."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    step.append("connect")
    url = make_url(_alembic_url(env, request["ini"]))
    if url.get_dialect().is_async:  # async mode: Alembic uses the app's own URL
        names = bool(request.get("names"))
        look = peek.run_async(url, _examine, env.target_metadata, names)
        out: dict[str, Any] = asyncio.run(look)
    else:
        engine = create_engine(url, poolclass=NullPool)
        try:
            with engine.connect() as conn:
                out = _examine(conn, env.target_metadata, bool(request.get("names")))
        finally:
            engine.dispose()
    step.append("revisions")
    out.update(unknown_revisions(request["ini"], out.pop("heads")))
    step.append("current")
    out["current"] = [] if out["unknown_revisions"] else alembic_current(request["ini"])
    step.append("app url")
    app_url = getattr(env, "app_url", None)  # the app's own URL, as env.py reaches it
    if callable(app_url):
        try:
            text = app_url().render_as_string(hide_password=False)
            out["async_fingerprint"] = asyncio.run(peek.run_async(text, _fingerprint))
        except Exception as exc:  # the app's URL may need the app's own rewriting first
            out["async_error"] = _error(exc)
    return out


def _contents(env: Any, request: VerifyRequest) -> dict[str, Any]:
    """The tables env.py's target_metadata holds, and the model modules it imported."""
    metadata = getattr(env, "target_metadata", None)
    metas = metadata if isinstance(metadata, (list, tuple)) else [metadata]
    return {
        "tables": sorted({t.fullname for m in metas if m is not None for t in m.tables.values()}),
        "target_metadata_none": metadata is None,
        "loaded": sorted(m for m in request.get("model_modules", []) if m in sys.modules),
    }


def examine(request: VerifyRequest, channel: talk.Channel) -> dict[str, Any]:
    """Every rung's finding, in this process; `channel` hears each step (and each import
    while env.py loads: a hang or an exit there is named after its module)."""
    os.chdir(request.get("cwd") or ".")  # where Alembic runs: relative env_file paths depend on it
    for key, value in (request.get("placeholders") or {}).items():  # a template's, offline only
        os.environ.setdefault(key, value)
    channel.step("checking packages")
    result: dict[str, Any] = packages(request)
    channel.step("loading env.py")
    try:
        with talk.imports(channel):
            env = load_env(request["ini"])
    except BaseException as exc:  # env.py's own failure is the finding
        result["import_error"] = _error(exc)
        if "alembic" in result["missing"] and request.get("app_url"):
            channel.step("looking at the database with the app's driver")
            result["peek"] = peek.peek(request["app_url"])
        return result
    channel.step("reading the revisions")
    try:
        result["heads"] = offline.heads(alembic_config(request["ini"]))
        result["bases"] = offline.bases(alembic_config(request["ini"]))
    except BaseException as exc:  # a revision file that does not load: not env.py's fault
        result["revisions_error"] = _error(exc)
        return result
    result.update(_contents(env, request))
    channel.step("rendering upgrade head --sql")
    buffer = io.StringIO()
    config = alembic_config(request["ini"], output_buffer=buffer, stdout=io.StringIO())
    try:
        result["offline_sql_lines"] = offline.render(config, buffer)
        result["created_tables"] = peek.created_tables(buffer.getvalue())
    except BaseException as exc:
        result["offline_error"] = {**_error(exc), "revision": offline.online_only(config, exc)}
    if request.get("online"):
        channel.step("looking at the database")
        step: list[str] = []
        try:
            result["online"] = online(env, request, step)
        except BaseException as exc:
            result["online_error"] = {**_error(exc), "step": step[-1] if step else "connect"}
    return result


def main() -> int:
    channel, request = talk.start(sys.argv, 120)
    request = cast("VerifyRequest | None", request)
    if request is None:  # the wizard stopped before verifying
        return 0
    channel.answer(examine(request, channel))
