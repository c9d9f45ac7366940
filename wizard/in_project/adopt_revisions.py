"""Run inside the PROJECT's interpreter, imported by `adopt.py`: Alembic's own
autogenerate, run as `alembic revision --autogenerate` runs it (env.py's options, hooks and
template), rendering revision scripts into a scratch folder for the wizard to write.

Standard library, alembic and sqlalchemy only.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any


def hide_tables(include_name: Any) -> Callable[..., bool]:
    """An include_name that hides every table the database has: autogenerate then sees
    the empty database `alembic revision --autogenerate` would see on a fresh one."""

    def include(name: Any, type_: str, parent_names: Any) -> bool:
        if type_ == "table":
            return False
        return include_name is None or bool(include_name(name, type_, parent_names))

    return include


def _schemas(target: Any) -> list[str | None]:
    """The default schema and the named ones the models' tables are in."""
    metas = target if isinstance(target, list | tuple) else [target]
    return [None, *sorted({t.schema for m in metas if m is not None for t in m.tables.values()}
                          - {None})]  # fmt: skip


def reflected(context: Any) -> Any:
    """The live schema as a MetaData (the tables env.py's include_name lets through), in the
    default schema and the models' named ones."""
    from sqlalchemy import MetaData

    include_name = context.opts.get("include_name")
    reflected = MetaData()
    for schema in _schemas(context.opts.get("target_metadata")):

        def only(name: str, _: Any, schema: str | None = schema) -> bool:
            if name == context.version_table and schema == context.version_table_schema:
                return False
            parents = {"schema_name": schema}
            return include_name is None or bool(include_name(name, "table", parents))

        reflected.reflect(bind=context.connection, schema=schema, only=only)
    return reflected


def create_schemas(revision: Any, context: Any) -> None:
    """A baseline that creates tables in a named PostgreSQL schema creates the schema first
    (autogenerate never does: on a fresh database the upgrade failed, `schema "billing" does
    not exist`), unless env.py's hook (create_models_schemas) already did."""
    from alembic.operations import ops

    if context.dialect.name != "postgresql":
        return
    quote = context.dialect.identifier_preparer.quote_schema
    for script in revision.generated_revisions:
        named = sorted({o.schema for o in script.upgrade_ops.ops
                        if isinstance(o, ops.CreateTableOp) and o.schema})  # fmt: skip
        made = {o.sqltext for o in script.upgrade_ops.ops if isinstance(o, ops.ExecuteSQLOp)}
        wanted = [f"CREATE SCHEMA IF NOT EXISTS {quote(name)}" for name in named]
        script.upgrade_ops.ops[:0] = [ops.ExecuteSQLOp(w) for w in wanted if w not in made]


def autogenerate(revision: Any, heads: Any, context: Any, *, target: Any = None,
                  empty: bool = False) -> None:  # fmt: skip
    """Alembic's own autogenerate into `revision` (a RevisionContext): against the database
    as it is, or (`empty`) as if it had no tables; towards the models, or `target`."""
    saved = dict(context.opts)
    try:
        if empty:
            context.opts["include_name"] = hide_tables(saved.get("include_name"))
        if target is not None:
            context.opts["target_metadata"] = target
        revision.run_autogenerate(heads, context)
        if empty:
            create_schemas(revision, context)
    finally:
        context.opts.clear()
        context.opts.update(saved)


def scratch(script: Any, folder: str) -> Any:
    """The project's ScriptDirectory (its template, file_template, hooks), writing new
    revisions into `folder` instead of versions/."""
    from alembic.script import revision

    clone = copy.copy(script)
    clone.version_locations = [folder]
    clone.revision_map = revision.RevisionMap(clone._load_revisions)
    return clone


def revision_context(config: Any, scratch: Any, message: str) -> Any:
    from alembic.autogenerate import RevisionContext

    args = {
        "message": message, "autogenerate": True, "sql": False, "head": "head",
        "splice": False, "branch_label": None, "version_path": None, "rev_id": None,
        "depends_on": None,
    }  # fmt: skip
    return RevisionContext(config, scratch, args)


def written(scripts: list[Any], folder: str) -> list[dict[str, Any]]:
    out = []
    for script in scripts:
        path = Path(script.path)
        out.append({
            "name": path.relative_to(folder).as_posix(),
            "revision": script.revision,
            "text": path.read_text(encoding="utf-8"),
        })  # fmt: skip
    return out
