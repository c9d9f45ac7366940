"""Read a source tree statically: every module's imports, classes and top-level assignments.

Nothing here imports the user's code. Files that do not parse (newer grammar, syntax errors)
are recorded as skipped, never fatal.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".venv",
        "venv",
        "env",
        ".tox",
        ".nox",
        "node_modules",
        "__pycache__",
        "build",
        "dist",
        "site-packages",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".alembic-wizard",
        "migrations",
        "alembic",
    }
)


@dataclass
class Module:
    """One parsed Python file."""

    name: str  # dotted import name, relative to its import root
    path: Path
    root: Path  # the folder that must be on sys.path to import it
    tree: ast.Module
    imports: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    # local name -> (module, attribute or None for `import x`)
    defined: set[str] = field(default_factory=set)  # top-level classes, functions, variables
    star_imports: list[str] = field(default_factory=list)  # `from x import *` sources

    @property
    def is_package(self) -> bool:
        return self.path.name == "__init__.py"

    @property
    def package(self) -> str:
        return self.name if self.is_package else self.name.rpartition(".")[0]


@dataclass(frozen=True)
class Skipped:
    """A file that could not be parsed, and why."""

    path: Path
    line: int | None
    why: str
    source: bytes = b""  # to tell, when nothing is found, whether this file was the cause


@dataclass
class Tree:
    """Every module found under a folder, by dotted name."""

    top: Path
    modules: dict[str, Module]
    skipped: list[Skipped]


def python_files(top: Path) -> Iterator[str]:
    """Every .py file under `top` (as a string path: a 5,000-file tree should not pay for
    5,000 Path objects), skipping virtualenvs, caches and build output."""
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(
            d for d in dirnames if d not in SKIP_DIRS and not d.startswith(".") and "." not in d
        )
        if "pyvenv.cfg" in filenames:
            dirnames[:] = []
            continue
        for name in sorted(filenames):
            if name.endswith(".py"):
                yield os.path.join(dirpath, name)  # noqa: PTH118 (see the docstring)


def import_root(path: Path, top: Path | None = None) -> tuple[Path, str]:
    """The folder to put on sys.path for `path`, and its dotted module name.

    A folder without `__init__.py` still counts as a (namespace) package when a folder above
    it, inside `top`, is a regular package: `app/__init__.py` + `app/users/models.py`.
    """
    parts = [] if path.name == "__init__.py" else [path.stem]
    folder = path.parent
    while folder.name.isidentifier() and folder != top and _in_package(folder, top):
        parts.insert(0, folder.name)
        folder = folder.parent
    return folder, ".".join(parts) or path.parent.name


@lru_cache(maxsize=4096)
def _in_package(folder: Path, top: Path | None) -> bool:
    if (folder / "__init__.py").exists():
        return True
    parent = folder.parent
    if top is None or parent in (folder, top) or top not in parent.parents:
        return False
    return parent.name.isidentifier() and _in_package(parent, top)


def _resolve_relative(module: Module, level: int, target: str | None) -> str:
    base = module.package.split(".") if module.package else []
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join([*base, target] if target else base)


def _collect_defined(module: Module) -> None:
    for node in module.tree.body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            module.defined.add(node.name)
        elif isinstance(node, ast.Assign):
            module.defined.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            module.defined.add(node.target.id)


def _collect_imports(module: Module) -> None:
    for node in module.tree.body:
        _collect_import_node(module, node)
        if isinstance(node, ast.If | ast.Try):  # `if TYPE_CHECKING:`, try/except ImportError
            for child in ast.iter_child_nodes(node):
                _collect_import_node(module, child)


def _collect_import_node(module: Module, node: ast.AST) -> None:
    if isinstance(node, ast.Import):
        for alias in node.names:
            local = alias.asname or alias.name.split(".")[0]
            module.imports[local] = (alias.name if alias.asname else local, None)
    elif isinstance(node, ast.ImportFrom):
        source = (
            _resolve_relative(module, node.level, node.module) if node.level else node.module or ""
        )
        for alias in node.names:
            if alias.name == "*":
                module.star_imports.append(source)
            else:
                module.imports[alias.asname or alias.name] = (source, alias.name)


def read_module(path: Path, top: Path | None = None) -> Module | Skipped:
    """Parse one file, or say why it cannot be parsed."""
    source = b""
    try:
        source = path.read_bytes()
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as exc:
        return Skipped(path, exc.lineno, exc.msg, source)
    except (OSError, ValueError) as exc:
        return Skipped(path, None, str(exc), source)
    root, name = import_root(path, top)
    module = Module(name=name, path=path, root=root, tree=tree)
    _collect_imports(module)
    _collect_defined(module)
    return module


def scan(top: Path, *, prefilter: tuple[bytes, ...] = ()) -> Tree:
    """Parse every Python file under `top` whose bytes contain one of `prefilter` (all if empty)."""
    modules: dict[str, Module] = {}
    skipped: list[Skipped] = []
    _in_package.cache_clear()  # the tree may have changed since the last scan in this process
    for name in python_files(top):
        if prefilter:
            try:
                with open(name, "rb") as handle:
                    data = handle.read()
            except OSError as exc:
                skipped.append(Skipped(Path(name), None, str(exc)))
                continue
            if not any(word in data for word in prefilter):  # bytes.find: faster than a regex
                continue
        result = read_module(Path(name), top)
        if isinstance(result, Skipped):
            skipped.append(result)
        else:
            modules.setdefault(result.name, result)
    return Tree(top, modules, skipped)
