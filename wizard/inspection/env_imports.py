"""What env.py loads when Alembic runs it: its imports, the module names it imports by string,
and what those import in turn (not what they import only for type checkers). Read for doctor
only: a model module outside this set is one autogenerate does not see."""

from __future__ import annotations

import ast

from wizard.inspection.resolve import Resolver
from wizard.inspection.scan import Module


def loaded_by(text: str, resolver: Resolver) -> frozenset[str]:
    """Modules env.py loads: its imports, importlib strings, and what those import in turn."""
    try:
        tree = ast.parse(text)
    except SyntaxError:  # doctor says so (AlembicSetup.env_tree); setup rewrites the file
        return frozenset()
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.add(node.value)  # MODEL_MODULES = ("app.models", ...) / import_module("...")
    return frozenset(_closure(resolver, [m for m in found if resolver.module(m)]))


def _closure(resolver: Resolver, todo: list[str]) -> set[str]:
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        module = resolver.module(name) if name not in seen else None
        seen.add(name)
        if module is None:
            continue
        typing_only = _typing_only(module)
        for local, (source, attr) in module.imports.items():
            if local in typing_only:  # never imported when the program runs
                continue
            for candidate in (source, f"{source}.{attr}" if attr else source):
                if resolver.module(candidate) is not None:
                    todo.append(candidate)
        todo.extend(module.star_imports)
        parts = name.split(".")  # importing a.b.c runs a/__init__ and a/b/__init__ too
        todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))
    return seen


def _typing_only(module: Module) -> set[str]:
    """Local names imported under `if TYPE_CHECKING:` and nowhere else at the top level."""
    guarded, plain = set(), set()
    for node in module.tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            guarded |= {n for child in node.body for n in _bound(child)}
        else:
            plain |= set(_bound(node))
    return guarded - plain


def _bound(node: ast.stmt) -> list[str]:
    """The local names an import statement binds (none for anything else)."""
    if isinstance(node, ast.Import):
        return [a.asname or a.name.split(".")[0] for a in node.names]
    if isinstance(node, ast.ImportFrom):
        return [a.asname or a.name for a in node.names]
    return []
