"""The last resort when no engine's URL can be followed and the project's Python cannot
start the app (its variables are set nowhere yet): a module-level name whose value is put
together as an async database URL, the usual bot layout
(`DATABASE_URL = f"postgresql+asyncpg://{os.getenv('DB_USER')}:...@{DB_HOST}/{DB_NAME}"`).
env.py imports the app's own name; its shape says the dialect and driver."""

from __future__ import annotations

import ast
import re

from wizard.inspection.scan import Module, Tree
from wizard.inspection.source import UrlSource
from wizard.inspection.sourcevalues import Values

_TEMPLATE = re.compile(r"\{\w*\}")  # a str.format field: a template, not a URL
_ASYNC_URL = re.compile(rb"\+(asyncpg|psycopg_async|aiomysql|asyncmy|aiosqlite|psycopg)://")


def url_constants(tree: Tree, values: Values) -> list[UrlSource]:
    """Every module-level `NAME = <an async URL put together>` in the app's files."""
    found: dict[str, UrlSource] = {}  # a name assigned twice (a default, then a value): once
    read_past = tree.read_past(lambda data: _ASYNC_URL.search(data) is not None)
    for module in [*tree.modules.values(), *read_past]:
        for node in module.tree.body:
            found.update((s.label, s) for s in _constant(module, node, values))
    return list(found.values())


def _constant(module: Module, node: ast.stmt, values: Values) -> list[UrlSource]:
    target = node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else None
    if isinstance(node, ast.AnnAssign):
        target = node.target
    value = getattr(node, "value", None)
    if not isinstance(target, ast.Name) or not isinstance(value, ast.expr):
        return []
    shaped = values.put_together(module, value, node.lineno)
    if shaped is None or shaped.shape is None or not _ASYNC_URL.search(shaped.shape.encode()):
        return []
    if _TEMPLATE.search(shaped.shape):  # `"...://{user}:{password}@..."`, `.format`-ed elsewhere
        return []
    name = target.id
    return [
        UrlSource(
            "constant",
            f"{module.name}.{name}",
            None,
            None,
            "DATABASE_URL_SYNC",
            "app_url_owner",
            (f"from {module.name} import {name} as app_url_owner",),
            shape=shaped.shape,
            path=module.path,
            line=node.lineno,
        )
    ]
