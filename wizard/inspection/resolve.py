"""Follow names across modules: which class or object does `Base` in this file mean?"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from wizard.inspection.scan import Module, Tree, bound_value, read_module

Symbol = tuple[str, str]  # (module, name); the module may be outside the project


@dataclass
class Resolver:
    """Resolves names to where they are defined, loading project modules on demand."""

    tree: Tree
    roots: tuple[Path, ...] = ()  # where to look modules up; the tree's import roots by default
    _missing: set[str] = field(default_factory=set)  # names that are no project module

    def __post_init__(self) -> None:
        self.roots = self.roots or self.tree.roots

    def module(self, name: str) -> Module | None:
        """The project module `name`, parsed on first use even if the scan skipped it (a
        package `__init__` that only re-exports, say)."""
        found = self.tree.modules.get(name)
        if found is not None or name in self._missing:
            return found
        for root in self.roots:
            base = root.joinpath(*name.split("."))
            for path in (base / "__init__.py", base.with_suffix(".py")):
                if path.is_file():
                    loaded = read_module(path, root, name)
                    if isinstance(loaded, Module):
                        self.tree.modules[name] = loaded
                        return loaded
        self._missing.add(name)
        return None

    def symbol(self, module: Module, name: str, _depth: int = 0) -> Symbol:
        """Where the name `name`, as seen from `module`, is defined."""
        if _depth > 20 or name in module.defined:
            return (module.name, name)
        if name not in module.imports:
            return self._through_star(module, name, _depth)
        source, attr = module.imports[name]
        if attr is None:
            return (source, "")
        target = self.module(source)
        found = self.symbol(target, attr, _depth + 1) if target else (source, attr)
        if target is not None and (found != (target.name, attr) or attr in target.defined):
            return found
        sub = self.module(f"{source}.{attr}")  # `from app.db import base_class`: a submodule
        return (sub.name, "") if sub is not None else found

    def _through_star(self, module: Module, name: str, depth: int) -> Symbol:
        """A name that may come in through `from x import *` (a re-exporting __init__)."""
        for source in module.star_imports:
            target = self.module(source)
            if target is not None and (name in target.defined or name in target.imports):
                return self.symbol(target, name, depth + 1)
        return (module.name, name)

    def class_def(self, symbol: Symbol) -> tuple[Module, ast.ClassDef] | None:
        """The project class `symbol` names, with its module."""
        module = self.module(symbol[0])
        for node in module.tree.body if module else ():
            if isinstance(node, ast.ClassDef) and node.name == symbol[1]:
                assert module is not None
                return module, node
        return None

    def alias(self, symbol: Symbol) -> Symbol | None:
        """What a module-level alias stands for: `Base = ModelBase`, `Base: type[X] = db.Model`."""
        module = self.module(symbol[0])
        for node in module.tree.body if module else ():
            value = _aliased(node, symbol[1])
            if value is not None:
                assert module is not None
                return self.expr(module, value)
        return None

    def expr(self, module: Module, node: ast.expr) -> Symbol | None:
        """Resolve a `Name` or dotted `Attribute` expression; None for anything else."""
        if isinstance(node, ast.Name):
            return self.symbol(module, node.id)
        if isinstance(node, ast.Attribute):
            owner = self.expr(module, node.value)
            if owner is None:
                return None
            mod, name = owner
            if name == "":  # a module: look the attribute up inside it
                target = self.module(mod)
                return self.symbol(target, node.attr) if target else (mod, node.attr)
            return (f"{mod}:{name}", node.attr)  # attribute of an object
        return None


def _aliased(node: ast.stmt, name: str) -> ast.expr | None:
    """The name or attribute that `name` is bound to by this statement, if it is an alias."""
    value = bound_value(node, name)
    return value if isinstance(value, ast.Name | ast.Attribute) else None
