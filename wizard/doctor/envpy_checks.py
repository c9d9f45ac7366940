"""Checks of env.py: the URL through configparser, `str(engine.url)`, `get_event_loop()`,
`target_metadata = None`, SQLite without batch mode, the app's async URL in a sync env.py,
model modules it does not import."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from wizard import urls
from wizard.doctor.context import Context
from wizard.doctor.finding import Finding


def check_env_calls(c: Context) -> Iterator[Finding]:
    """AW107, AW108, AW111: calls that break at run time."""
    for call in c.calls("set_main_option"):
        escaped = len(call.args) > 1 and "%%" in ast.unparse(call.args[1])  # .replace("%", "%%")
        if call.args and getattr(call.args[0], "value", None) == "sqlalchemy.url" and not escaped:
            what = "config.set_main_option('sqlalchemy.url', ...)"
            yield c.find("AW107", c.env_path, call.lineno, what)
    for call in c.calls("str"):
        if call.args and isinstance(call.args[0], ast.Attribute) and call.args[0].attr == "url":
            yield c.find(
                "AW108", c.env_path, call.lineno, f"{ast.unparse(call)} hides the password"
            )
    for call in c.calls("get_event_loop"):
        yield c.find("AW111", c.env_path, call.lineno, "asyncio.get_event_loop()")


def check_env_settings(c: Context) -> Iterator[Finding]:
    """AW104, AW113, AW123, and a sync env.py on the app's async URL (AW101)."""
    for node in ast.walk(c.env_tree) if c.env_tree else ():
        if (isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "target_metadata"
                                                 for t in node.targets)
                and isinstance(node.value, ast.Constant) and node.value.value is None):  # fmt: skip
            yield c.find("AW104", c.env_path, node.lineno, "target_metadata = None")
    if c.env_tree and c.project.tables and "render_as_batch" not in c.env_text and _sqlite(c):
        yield c.find("AW113", c.env_path, None, "SQLite without render_as_batch=True")
    schemas = [k for call in c.calls("configure") for k in call.keywords
               if k.arg == "include_schemas"]  # fmt: skip
    if c.project.schemas and c.project.tables and c.env_tree and not schemas:
        yield c.find("AW123", c.env_path, None, "models in a named schema, no include_schemas")
    if not c.is_async_env:
        yield from _app_url_in_sync_env(c)


def _sqlite(c: Context) -> bool:
    values = (v for source in c.project.env_files for _, v in source.values())
    return any(v.startswith("sqlite") for v in values) or (c.ini_url() or "").startswith("sqlite")


def _app_url_in_sync_env(c: Context) -> Iterator[Finding]:
    """A sync env.py that reads the app's async URL field (settings.database_url)."""
    source = c.source
    fields = {source.settings.url_field} if source and source.settings else set()
    if "drivername=" in c.env_text:  # it swaps the driver (as alembic-wizard's env.py does)
        return
    for node in ast.walk(c.env_tree) if c.env_tree else ():
        if isinstance(node, ast.Attribute) and node.attr in fields:
            found = c.app_url()
            if found is not None and urls.is_async(found[0]):
                yield c.find("AW101", c.env_path, node.lineno,
                             f"sync env.py uses the app's async URL ({node.attr}, "
                             f"{found[0].drivername})")  # fmt: skip
                return


def check_models(c: Context) -> Iterator[Finding]:
    """AW103: a model module env.py does not load, directly or through another module; named
    at MODEL_MODULES (alembic-wizard's list), else at target_metadata."""
    if c.env_tree is None:
        return
    imported = c.project.alembic.env_imports
    missing = [t for t in c.project.tables if t.module not in imported]
    line = _assigned(c, "MODEL_MODULES") or _assigned(c, "target_metadata")
    for module in sorted({t.module for t in missing}):
        names = ", ".join(t.name or "?" for t in missing if t.module == module)
        yield c.find("AW103", c.env_path, line, f"{module} is not imported ({names})")


def _assigned(c: Context, name: str) -> int | None:
    """The line that first assigns `name` at env.py's top level: where the imports belong."""
    for node in c.env_tree.body if c.env_tree else ():
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == name for t in node.targets):
            return node.lineno
    return None
