"""Where env.py reaches the tables' MetaData. A library's object that a project module only
imports (`from advanced_alchemy.base import orm_registry`, for a Core `Table(...,
orm_registry.metadata)`) is reached where the library defines it, as the app's own code
names it, not through whichever model module the probe saw holding it. A library base whose
MetaData the app replaces (`SQLModel.metadata = MetaData(naming_convention=...)` in
app/models.py) is reached through the module that does it, so the tables' MetaData is the
app's, as the app sees it, whatever imports come first."""

from __future__ import annotations

import ast
from dataclasses import replace

from wizard.inspection.models import Metadata, TableDef
from wizard.inspection.resolve import Resolver


def rebound(resolver: Resolver, tables: list[TableDef]) -> list[TableDef]:
    """`tables`, each on a library's MetaData reached where the library defines it, or
    through the project module that rebinds a library base's `metadata` (when exactly one
    does)."""
    tables = [replace(t, metadata=_defined(resolver, t.metadata)) for t in tables]
    places = _rebinding(resolver)
    moved: dict[Metadata, Metadata] = {}
    for meta in {t.metadata for t in tables}:
        found = places.get((meta.module, meta.name), [])
        if len(found) == 1 and resolver.tree.modules.get(meta.module) is None:
            module, local = found[0]
            moved[meta] = Metadata(module, local, local + meta.expr[len(meta.name) :])
    return [replace(t, metadata=moved.get(t.metadata, t.metadata)) for t in tables]


def _defined(resolver: Resolver, meta: Metadata) -> Metadata:
    """`meta` from the library module that defines what a project module imports."""
    module = resolver.module(meta.module)
    if module is None or meta.name not in module.imports:
        return meta
    source, name = resolver.symbol(module, meta.name)
    if not name or resolver.module(source) is not None:  # a project module's own
        return meta
    return Metadata(source, name, name + meta.expr[len(meta.name) :])


def _rebinding(resolver: Resolver) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(library module, class) -> each (project module, local name) that assigns
    `Name.metadata = ...` at its top level."""
    found: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for module in list(resolver.tree.modules.values()):
        for node in module.tree.body:
            for target in node.targets if isinstance(node, ast.Assign) else []:
                owner = _metadata_owner(target)
                if owner is not None:
                    symbol = resolver.symbol(module, owner)
                    found.setdefault(symbol, []).append((module.name, owner))
    return found


def _metadata_owner(target: ast.expr) -> str | None:
    """`X` in `X.metadata = ...`."""
    if isinstance(target, ast.Attribute) and target.attr == "metadata":
        return target.value.id if isinstance(target.value, ast.Name) else None
    return None
