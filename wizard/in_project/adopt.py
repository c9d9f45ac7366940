"""Run inside the PROJECT's interpreter (`protocol.command(python, "adopt")`): run env.py
online the way `alembic revision --autogenerate` does, but read-only (`dont_mutate`: no
alembic_version table is created), and report the database's state, its differences from the
models, and the revision scripts that would adopt it (rendered by Alembic into a scratch
folder).

Input: JSON on stdin. Output: one JSON answer on the file descriptor named by `--channel-fd`
(`channel.py`: stdout and stderr are the app's). Standard library, alembic and sqlalchemy
only; Python >= 3.10, Alembic >= 1.13, SQLAlchemy >= 2.0.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from . import adopt_revisions as revisions
from . import channel as talk
from .errors import error
from .protocol import AdoptRequest
from .verify import alembic_config


class NoDatabaseFile(Exception):
    """A SQLite database file that does not exist: connecting would create it."""


def _refuse_new_files(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> None:
    """SQLite creates a missing database file on connect: not here, where nothing is written."""
    if dialect.name != "sqlite" or not cargs:
        return
    name = str(cargs[0])
    if name.startswith("file:") or name in ("", ":memory:"):
        return
    if not Path(name).exists():
        raise NoDatabaseFile(name)


def _run_env(config: Any, script: Any, look: Callable[[Any, Any], None]) -> None:
    """env.py online; `look(heads, context)` is called with its MigrationContext. Nothing
    is written to the database (`dont_mutate`, as `alembic current` runs)."""
    from alembic.runtime.environment import EnvironmentContext
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    def fn(heads: Any, context: Any) -> list[Any]:
        look(heads, context)
        return []

    event.listen(Engine, "do_connect", _refuse_new_files)
    try:
        with EnvironmentContext(config, script, fn=fn, as_sql=False, dont_mutate=True):
            script.run_env()
    finally:
        event.remove(Engine, "do_connect", _refuse_new_files)


def _schemas(metadata: Any) -> list[str | None]:
    metas = metadata if isinstance(metadata, (list, tuple)) else [metadata]
    found = {t.schema for m in metas if m is not None for t in m.tables.values()}
    return [None, *sorted(s for s in found if s)]


def _tables(context: Any) -> list[str]:
    """The tables in the database (the default schema and the models' schemas), without
    Alembic's own version table."""
    from sqlalchemy import inspect

    inspector = inspect(context.connection)
    found = []
    for schema in _schemas(context.opts.get("target_metadata")):
        for name in inspector.get_table_names(schema=schema):
            if name != context.version_table or schema != context.version_table_schema:
                found.append(f"{schema}.{name}" if schema else name)
    return sorted(found)


def _unknown(script: Any, heads: Any) -> list[str]:
    unknown = []
    for head in heads:
        try:
            if script.get_revision(head) is None:
                unknown.append(head)
        except Exception:  # alembic.util.CommandError / ResolutionError: not in the scripts
            unknown.append(head)
    return unknown


def _type(type_: Any, dialect: Any) -> str:
    try:
        return str(type_.compile(dialect=dialect))
    except Exception:
        return repr(type_)


def _record(diff: Any, dialect: Any) -> dict[str, Any]:
    """One difference as plain data: what, which table, which column/index, old and new."""
    op = diff[0]
    if op in ("add_table", "remove_table"):
        return {"op": op, "table": diff[1].fullname}
    if op in ("add_column", "remove_column"):
        table = f"{diff[1]}.{diff[2]}" if diff[1] else diff[2]
        return {"op": op, "table": table, "name": diff[3].name}
    if op.startswith("modify_"):
        table = f"{diff[1]}.{diff[2]}" if diff[1] else diff[2]
        old, new = diff[5], diff[6]
        if op == "modify_type":
            old, new = _type(old, dialect), _type(new, dialect)
        return {"op": op, "table": table, "name": diff[3], "old": str(old), "new": str(new)}
    target = diff[1] if len(diff) > 1 else None
    table = getattr(getattr(target, "table", None), "fullname", None)
    columns = [c.name for c in getattr(target, "columns", [])] if target is not None else []
    name = getattr(target, "name", None)
    return {"op": op, "table": table, "name": name, "columns": columns}


def _differences(context: Any) -> list[dict[str, Any]]:
    """Alembic's own comparison of the live schema with target_metadata (env.py's options:
    compare_type, include_object, include_name...)."""
    from alembic.autogenerate import compare_metadata

    diffs = compare_metadata(context, context.opts["target_metadata"])
    flat = [m for d in diffs for m in (d if isinstance(d, list) else [d])]  # per column, grouped
    return [_record(d, context.dialect) for d in flat]


def _versions(script: Any) -> str:
    """Where `alembic revision` puts a new script."""
    locations = script.version_locations
    return str(Path(locations[0]).resolve()) if locations else str(Path(script.versions).resolve())


def examine(request: AdoptRequest) -> dict[str, Any]:
    """The database's state; for an unversioned database with tables and no revisions yet,
    the revision scripts that adopt it."""
    import tempfile

    from alembic.script import ScriptDirectory

    config = alembic_config(request["ini"])
    script = ScriptDirectory.from_config(config)
    folder = tempfile.mkdtemp(prefix="alembic-wizard-adopt-")
    scratch = revisions.scratch(script, folder)
    baseline = revisions.revision_context(config, scratch, request.get("message", "baseline"))
    align = revisions.revision_context(config, scratch, request.get("align_message", "align"))
    found: dict[str, Any] = {"versions": _versions(script), "heads": list(script.get_heads())}

    def look(heads: Any, context: Any) -> None:
        found.update(current=list(heads), unknown=_unknown(script, heads), tables=_tables(context))
        found["dialect"] = context.dialect.name
        if heads or not found["tables"]:
            return
        found["differences"] = _differences(context)
        if found["heads"] or not request.get("write"):
            return
        if found["differences"]:  # the live schema first, then the way to the models
            revisions.autogenerate(baseline, heads, context, target=revisions.reflected(context),
                                   empty=True)  # fmt: skip
            revisions.autogenerate(align, heads, context)
        else:
            revisions.autogenerate(baseline, heads, context, empty=True)

    try:
        _run_env(config, script, look)
        if "tables" not in found:
            raise RuntimeError("env.py ran no migrations online (no context.run_migrations())")
        if found.get("differences") is not None and request.get("write") and not found["heads"]:
            contexts = [baseline, align] if found["differences"] else [baseline]
            found["revisions"] = _render(contexts, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return found


def _render(contexts: list[Any], folder: str) -> list[dict[str, Any]]:
    """Alembic writes each revision into the scratch folder (in order: the second revises
    the first); their names, ids and texts."""
    scripts = [s for c in contexts for s in c.generate_scripts()]
    written: list[dict[str, Any]] = revisions.written([s for s in scripts if s], folder)
    return written


def stamp(request: AdoptRequest) -> dict[str, Any]:
    """`alembic stamp REV`, only after Alembic's comparison finds no difference."""
    from alembic import command
    from alembic.script import ScriptDirectory

    config = alembic_config(request["ini"])
    script = ScriptDirectory.from_config(config)
    found: dict[str, Any] = {}

    def look(heads: Any, context: Any) -> None:
        found.update(current=list(heads), differences=_differences(context))

    _run_env(config, script, look)
    if "current" not in found:
        raise RuntimeError("env.py ran no migrations online (no context.run_migrations())")
    if found["current"] or found["differences"]:
        return {**found, "stamped": False}
    command.stamp(config, request["revision"])
    return {**found, "stamped": True}


def main() -> int:
    channel, request = talk.start(sys.argv, 300)
    request = cast("AdoptRequest | None", request)
    if request is None:
        return 0
    os.chdir(request.get("cwd") or ".")
    action = examine if request.get("action") == "examine" else stamp
    channel.step("loading env.py")  # env.py runs online: the app's imports, then the database
    try:
        with talk.imports(channel):
            result = action(request)
    except NoDatabaseFile as exc:
        result = {"no_file": str(exc)}
    except BaseException as exc:  # env.py's failure, the database's: the finding
        result = {"error": error(exc)}
    channel.answer(result)
