"""Evaluate, without running anything, the file paths settings classes name their env file
with: `BASE_DIR / ".env"` where `BASE_DIR = Path(__file__).resolve().parent.parent`,
`os.path.join(os.path.dirname(__file__), ".env")`, a constant imported from another module.
Anything else is unknown (None)."""

from __future__ import annotations

import ast
import os
from pathlib import Path

from wizard.inspection.resolve import Resolver
from wizard.inspection.scan import Module, bound_value, name_of

PathValue = Path | str  # a Path is absolute; a str is text (relative to where the app runs)
_SAME = frozenset({"resolve", "absolute", "expanduser", "abspath", "realpath", "normpath"})
_TEXT = frozenset({"str", "fspath", "as_posix"})
_PATH_TYPES = frozenset({"Path", "PurePath", "PosixPath", "WindowsPath"})


def path_value(
    resolver: Resolver, module: Module, node: ast.expr, depth: int = 0
) -> PathValue | None:
    """The value of `node` in `module`, as a path or text, or None when it cannot be known."""
    if depth > 10:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return _name(resolver, module, node.id, depth)
    if isinstance(node, ast.Attribute) and node.attr == "parent":
        base = path_value(resolver, module, node.value, depth)
        return base.parent if isinstance(base, Path) else None
    if isinstance(node, ast.Subscript) and name_of(node.value) == "parents":
        return _parents(resolver, module, node, depth)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return _join([path_value(resolver, module, n, depth) for n in (node.left, node.right)])
    if isinstance(node, ast.Call):
        return _call(resolver, module, node, depth)
    return None


def _name(resolver: Resolver, module: Module, name: str, depth: int) -> PathValue | None:
    if name == "__file__":
        return module.path.absolute()
    where, attr = resolver.symbol(module, name)
    owner = resolver.module(where)
    if owner is None or not attr:
        return None
    values = [v for s in owner.tree.body if (v := bound_value(s, attr)) is not None]
    return path_value(resolver, owner, values[-1], depth + 1) if len(values) == 1 else None


def _parents(resolver: Resolver, module: Module, node: ast.Subscript, depth: int) -> Path | None:
    assert isinstance(node.value, ast.Attribute)
    base = path_value(resolver, module, node.value.value, depth)
    index = node.slice
    if not isinstance(base, Path) or not isinstance(index, ast.Constant):
        return None
    number = index.value
    if not isinstance(number, int) or not 0 <= number < len(base.parents):
        return None
    return base.parents[number]


def _call(resolver: Resolver, module: Module, node: ast.Call, depth: int) -> PathValue | None:
    name = name_of(node.func)
    args = [path_value(resolver, module, a, depth) for a in node.args]
    receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
    if (
        name in _PATH_TYPES
        or name == "join"
        and receiver is not None
        and name_of(receiver) == "path"
    ):
        return _join(args) if args else None
    if name == "joinpath" and receiver is not None:
        return _join([path_value(resolver, module, receiver, depth), *args])
    if name == "dirname" and len(args) == 1:
        return args[0].parent if isinstance(args[0], Path) else None
    if name in _SAME | _TEXT:
        value = args[0] if args else None
        if receiver is not None and name in ("resolve", "absolute", "expanduser", "as_posix"):
            value = path_value(resolver, module, receiver, depth)
        return value if isinstance(value, Path) or name in _TEXT else None
    return None


def _join(parts: list[PathValue | None]) -> PathValue | None:
    """`a / b`, `Path(a, b)`, `os.path.join(a, b)`: absolute when the first part is."""
    if not parts or any(p is None for p in parts):
        return None
    first, rest = parts[0], [str(p) for p in parts[1:]]
    if isinstance(first, Path):
        return Path(os.path.normpath(first.joinpath(*rest)))
    joined = Path(str(first), *rest)
    return Path(os.path.normpath(joined)) if joined.is_absolute() else str(joined)
