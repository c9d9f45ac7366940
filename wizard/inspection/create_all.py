"""Where the app creates its tables itself: `metadata.create_all(...)` called, or handed to
`conn.run_sync(Base.metadata.create_all)`. Such a database has tables and no alembic_version,
which is what `adopt` is for."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from wizard.inspection.scan import Tree, parse

_WORD = b"create_all"


@dataclass(frozen=True)
class CreateAll:
    """One `create_all` in the app's code."""

    path: Path
    line: int
    code: str  # `Base.metadata.create_all`, as written


def find_create_all(tree: Tree) -> tuple[CreateAll, ...]:
    """Every `X.create_all` in the files the scan read (parsed or not), in path order."""
    parsed = {m.path: m.tree for m in tree.modules.values() if m.names_create_all}
    found: list[CreateAll] = []
    for name, data in tree.unparsed:
        if _WORD in data and isinstance(module := parse(Path(name), data), ast.Module):
            parsed[Path(name)] = module
    for path in sorted(parsed):
        found += (
            CreateAll(path, node.lineno, ast.unparse(node))
            for node in ast.walk(parsed[path])
            if isinstance(node, ast.Attribute) and node.attr == "create_all"
        )
    return tuple(found)
