"""Read a source tree statically: which files may be the app's, and every such module's imports,
classes and top-level assignments, named from its import root (see `roots`).

Nothing here imports the user's code. Files that do not parse (newer grammar, syntax errors)
are recorded as skipped, never fatal.
"""

from __future__ import annotations

import ast
import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from wizard.inspection.roots import Places, package_root
from wizard.inspection.skim import skim

# build output, caches, virtualenvs, the wizard's own folder
SKIP_DIRS = frozenset(
    {".git", ".hg", ".venv", "venv", "env", ".tox", ".nox", "node_modules", "__pycache__",
     "build", "dist", "site-packages", "__pypackages__", ".mypy_cache", ".pytest_cache",
     ".ruff_cache", ".alembic-wizard"}
)  # fmt: skip
# never the app's models: its tests, documentation and examples
NOT_APP_DIRS = frozenset({"tests", "test", "docs", "doc", "examples", "example"})
# Alembic's folders by their usual names (any folder holding env.py and versions/ is one too)
MIGRATION_DIRS = frozenset({"migrations", "alembic"})


def is_test_file(name: str) -> bool:
    """`test_*.py`, `*_test.py` and `conftest.py`: pytest's, never the app's."""
    return name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"


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
    names_table: bool = True  # the source says "Table" (so it may define Core tables)
    outline: bool = False  # read without the statements that do not parse (see `recover`)

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
    places: Places | None = None  # where each file's import root is

    @property
    def roots(self) -> tuple[Path, ...]:
        """Import roots to look a module up in: those the app's imports name, the most named
        first, then those of the modules read."""
        voted = self.places.roots if self.places else ()
        found = sorted({m.root for m in self.modules.values()} - set(voted))
        return (*voted, *found)

    def place(self, path: Path) -> tuple[Path, str]:
        """The import root and dotted name of a file under `top`."""
        return self.places.place(path) if self.places else package_root(path, self.top)


@dataclass
class Walk:
    """What walking a tree found, as strings (a 5,000-file tree should not pay for 5,000
    Path objects)."""

    sources: list[str] = field(default_factory=list)  # .py files that may be the app's
    evidence: list[str] = field(default_factory=list)  # env.py files: their imports only
    dirs: set[str] = field(default_factory=set)
    files: set[str] = field(default_factory=set)  # every .py file seen


def walk(top: Path) -> Walk:
    """Every .py file under `top` that may hold the app's code: not in virtualenvs, caches,
    build output, tests, docs, examples or Alembic's folders (whose env.py files are kept
    aside: their imports say where the import root is)."""
    found = Walk()
    for dirpath, dirnames, filenames in os.walk(top):
        if "pyvenv.cfg" in filenames or "conda-meta" in dirnames:
            dirnames[:] = []
            continue
        found.dirs.add(dirpath)
        python = [n for n in filenames if n.endswith(".py")]
        found.files.update(os.path.join(dirpath, n) for n in python)  # noqa: PTH118
        if "env.py" in python and dirpath != str(top) and _alembic_scripts(filenames, dirnames):
            found.evidence.append(os.path.join(dirpath, "env.py"))  # noqa: PTH118
            dirnames[:] = []
            continue
        found.evidence += [
            os.path.join(dirpath, d, "env.py")  # noqa: PTH118
            for d in dirnames
            if d in MIGRATION_DIRS and os.path.isfile(os.path.join(dirpath, d, "env.py"))  # noqa: PTH113, PTH118
        ]
        dirnames[:] = sorted(d for d in dirnames if _app_dir(d))
        found.sources += [
            os.path.join(dirpath, n)  # noqa: PTH118
            for n in sorted(python)
            if not is_test_file(n)
        ]
    return found


def _alembic_scripts(filenames: list[str], dirnames: list[str]) -> bool:
    """A folder with env.py is Alembic's when it has versions/ or script.py.mako."""
    return "versions" in dirnames or "script.py.mako" in filenames


def _app_dir(name: str) -> bool:
    return not (
        name in SKIP_DIRS
        or name in NOT_APP_DIRS
        or name in MIGRATION_DIRS
        or name.startswith(".")
        or "." in name
    )


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


def make_module(name: str, path: Path, root: Path, tree: ast.Module, data: bytes) -> Module:
    """A parsed file as a module: its imports and top-level names collected."""
    module = Module(name=name, path=path, root=root, tree=tree, names_table=b"Table" in data)
    _collect_imports(module)
    _collect_defined(module)
    return module


def parse(
    path: Path, source: bytes | None = None, *, skimmed: bool = False
) -> ast.Module | Skipped:
    """Parse one file (its class bodies skimmed, when asked and possible: see `skim`), or say
    why it cannot be parsed."""
    try:
        source = path.read_bytes() if source is None else source
        if skimmed:
            with contextlib.suppress(SyntaxError, ValueError):  # then the whole file
                return ast.parse(skim(source.decode("utf-8")), filename=str(path))
        return ast.parse(source, filename=str(path))
    except SyntaxError as exc:
        return Skipped(path, exc.lineno, exc.msg, source or b"")
    except (OSError, ValueError) as exc:
        return Skipped(path, None, str(exc), source or b"")


def read_module(path: Path, root: Path, name: str) -> Module | Skipped:
    """Parse one file as the module `name` under the import root `root`."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Skipped(path, None, str(exc))
    tree = parse(path, data)
    return tree if isinstance(tree, Skipped) else make_module(name, path, root, tree, data)


def scan(
    top: Path,
    *,
    prefilter: Callable[[bytes], bool] | None = None,
    skimmable: Callable[[bytes], bool] | None = None,
) -> Tree:
    """Parse every Python file under `top` that may be the app's and whose bytes pass
    `prefilter` (all of them without one), skimming those `skimmable` says may be; name
    each from its import root."""
    walked = walk(top)
    places = Places(top, walked.dirs, walked.files)
    parsed: list[tuple[Path, ast.Module, bytes]] = []
    skipped: list[Skipped] = []
    for name in walked.sources:
        try:
            with open(name, "rb") as handle:  # noqa: PTH123 (see Walk)
                data = handle.read()
        except OSError as exc:
            skipped.append(Skipped(Path(name), None, str(exc)))
            continue
        if prefilter is not None and not prefilter(data):
            continue
        result = parse(Path(name), data, skimmed=skimmable is not None and skimmable(data))
        if isinstance(result, Skipped):
            skipped.append(result)
        else:
            parsed.append((Path(name), result, data))
            places.vote(name, result)
    for name in walked.evidence:
        if isinstance(tree := parse(Path(name)), ast.Module):
            places.vote(name, tree)
    modules: dict[str, Module] = {}
    for path, tree, data in parsed:
        root, dotted = places.place(path)
        key = dotted if dotted not in modules else f"{dotted} in {root}"
        modules[key] = make_module(dotted, path, root, tree, data)  # two apps: both kept
    return Tree(top, modules, skipped, places)
