"""Follow names across modules: which class or object does `Base` in this file mean?"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from wizard.inspection.scan import Module, Tree, read_module

Symbol = tuple[str, str]  # (module, name); the module may be outside the project


@dataclass
class Resolver:
    """Resolves names to where they are defined, loading project modules on demand."""

    tree: Tree
    roots: tuple[Path, ...]

    def module(self, name: str) -> Module | None:
        """The project module `name`, parsed on first use even if the scan skipped it."""
        found = self.tree.modules.get(name)
        if found is not None:
            return found
        for root in self.roots:
            base = root.joinpath(*name.split("."))
            for path in (base / "__init__.py", base.with_suffix(".py")):
                if path.is_file():
                    loaded = read_module(path, self.tree.top)
                    if isinstance(loaded, Module):
                        self.tree.modules[name] = loaded
                        return loaded
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
        known = target is not None and (attr in target.defined or attr in target.imports)
        if not known:  # `from pkg import submodule`, or a name from outside the project
            sub = self.module(f"{source}.{attr}")
            if sub is not None:
                return (sub.name, "")
        if target is None:
            return (source, attr)
        return self.symbol(target, attr, _depth + 1)

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
