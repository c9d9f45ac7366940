"""Syntax trees as JSON, so that the project's interpreter (which may read newer grammar than
the wizard's) can parse a file and hand the tree back.

Run in the project's interpreter as `python -I astjson.py FILE...` (standard library only,
Python >= 3.8): prints {"version": "3.13.0", "files": {path: {"tree": ...} or {"error": ...,
"line": ...}}}. The wizard turns each tree into its own `ast` nodes with `load`: fields its
Python does not know are dropped (`type_params`), node types it does not know become `...` (an
expression) or `pass` (a statement), and `type X = ...` becomes `X = ...`. Nothing is imported
or run: the file is only parsed.
"""

from __future__ import annotations

import ast
import json
import sys
from typing import Any

_STATEMENT_LISTS = frozenset({"body", "orelse", "finalbody"})


def dump(node: Any) -> Any:
    """A node (or a field's value) as plain JSON data."""
    if isinstance(node, ast.AST):
        out = {"_type": type(node).__name__}
        out.update((name, dump(getattr(node, name, None))) for name in node._fields)
        out.update((name, getattr(node, name)) for name in node._attributes if hasattr(node, name))
        return out
    if isinstance(node, list):
        return [dump(item) for item in node]
    if isinstance(node, bytes):
        return {"_bytes": node.decode("latin-1")}
    if isinstance(node, complex):
        return {"_complex": [node.real, node.imag]}
    if node is Ellipsis:
        return {"_ellipsis": True}
    return node


def load(data: Any, statement: bool = False) -> Any:
    """The wizard's own `ast` node for dumped data (see the module docstring)."""
    if isinstance(data, list):
        return [load(item, statement) for item in data]
    if not isinstance(data, dict):
        return data
    if "_bytes" in data:
        return data["_bytes"].encode("latin-1")
    if "_complex" in data:
        return complex(*data["_complex"])
    if "_ellipsis" in data:
        return ...
    if data["_type"] == "TypeAlias":  # `type X = ...` (3.12): an assignment, as far as we care
        data = {**data, "_type": "Assign", "targets": [data["name"]], "type_comment": None}
    kind = getattr(ast, data["_type"], None)
    fields = data
    if not (isinstance(kind, type) and issubclass(kind, ast.AST)):
        kind, fields = (ast.Pass, {}) if statement else (ast.Constant, {"value": ...})
    node = kind()
    for name in kind._fields:
        if name in fields:
            value = fields[name]
            setattr(node, name, load(value, name in _STATEMENT_LISTS and isinstance(value, list)))
    for name in kind._attributes:
        if name in data:
            setattr(node, name, data[name])
    return node


def _parse(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:  # noqa: PTH123 (runs on any Python >= 3.8)
            return {"tree": dump(ast.parse(handle.read(), filename=path))}
    except SyntaxError as exc:
        return {"error": exc.msg, "line": exc.lineno}
    except (OSError, ValueError) as exc:
        return {"error": str(exc), "line": None}


def main(paths: list[str]) -> int:
    version = ".".join(str(part) for part in sys.version_info[:3])
    print(json.dumps({"version": version, "files": {path: _parse(path) for path in paths}}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
