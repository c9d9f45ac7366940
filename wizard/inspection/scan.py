"""Read a source tree statically: which files may be the app's, and every such module's imports,
classes and top-level assignments, named from its import root (see `roots`).

Nothing here imports the user's code. Files that do not parse (newer grammar, syntax errors)
are recorded as skipped, never fatal.
"""

from __future__ import annotations

import ast
import contextlib
import gc
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from wizard.inspection.roots import Places, absolute_imports, imports_in_text, package_root
from wizard.inspection.skim import skim
from wizard.inspection.walk import walk


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
    names_create_all: bool = False  # the source says "create_all" (see `create_all`)
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
    unreadable: bool = False  # reading failed (permissions, a folder named like a file)
    read_past: bool = False  # parsed, but a shape inspection does not understand

    @property
    def said(self) -> str:
        return self.why if self.read_past else f"does not parse: {self.why}"


@dataclass
class Tree:
    """Every module found under a folder, by dotted name."""

    top: Path
    modules: dict[str, Module]
    skipped: list[Skipped]
    places: Places | None = None  # where each file's import root is
    unparsed: list[tuple[str, bytes]] = field(default_factory=list)  # read, not parsed

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

    def name_of(self, path: str) -> str:
        """The dotted name of the file `path` (a string) under `top`."""
        return self.namer()(path)

    def namer(self) -> Callable[[str], str]:
        """`name_of` without the tree (which holds every module read)."""
        places, top = self.places, self.top
        if places is not None:
            return places.name_of
        return lambda path: package_root(Path(path), top)[1]

    def read_past(self, wanted: Callable[[bytes], bool]) -> list[Module]:
        """The files the scan read but did not parse whose bytes are `wanted`, parsed now
        (not added to the tree: a search of the moment); those that do not parse left out."""
        found = []
        for name, data in self.unparsed:
            if not wanted(data):
                continue
            path = Path(name)
            parsed = parse(path, data)
            if isinstance(parsed, ast.Module):
                root, dotted = self.place(path)
                found.append(make_module(dotted, path, root, parsed, data))
        return found

    @contextlib.contextmanager
    def noting(self, module: Module) -> Iterator[None]:
        """A failure while reading one module (a shape no rule expected, a recursion too
        deep) becomes a note about that file instead of taking the run down."""
        try:
            yield
        except (
            RecursionError,
            ValueError,
            TypeError,
            AttributeError,
            KeyError,
            IndexError,
            RuntimeError,
        ) as exc:
            why = f"not understood ({type(exc).__name__}: {exc}); read past"
            self.skipped.append(Skipped(module.path, None, why, read_past=True))


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
    module = Module(
        name=name,
        path=path,
        root=root,
        tree=tree,
        names_table=b"Table" in data,
        names_create_all=b"create_all" in data,
    )
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
        return Skipped(path, None, exc.strerror or str(exc), unreadable=True)
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
    sources = [(name, None) for name in walked.sources]
    with _no_cyclic_gc():
        parsed, skipped, unparsed = _parse_sources(sources, prefilter, skimmable)
    for name in walked.evidence:
        evidence = parse(Path(name))
        places.vote(name, _imports(evidence))
    for unparsable in skipped:  # newer syntax than this Python's: its import lines still say
        places.vote(str(unparsable.path), imports_in_text(unparsable.source))
    why = "its name is not UTF-8: no import can name it"
    skipped += [Skipped(Path(n), None, why, read_past=True) for n in walked.unnamed]
    tree = Tree(top, {}, skipped, places, unparsed)
    _add_parsed(tree, parsed)
    return tree


def _imports(parsed: ast.Module | Skipped) -> Iterator[list[tuple[str, ...]]]:
    if isinstance(parsed, ast.Module):
        return absolute_imports(parsed)
    return imports_in_text(parsed.source)


def scan_more(
    tree: Tree, prefilter: Callable[[bytes], bool], skimmable: Callable[[bytes], bool]
) -> None:
    """Parse the files a scan read but left unparsed that pass another prefilter."""
    with _no_cyclic_gc():
        parsed, skipped, tree.unparsed = _parse_sources(tree.unparsed, prefilter, skimmable)
    tree.skipped += skipped
    _add_parsed(tree, parsed)


def _add_parsed(tree: Tree, parsed: list[tuple[Path, ast.Module, bytes]]) -> None:
    """Name the parsed files from their import roots (their imports vote first)."""
    assert tree.places is not None
    for path, module_tree, _ in parsed:
        tree.places.vote(str(path), absolute_imports(module_tree))
    if not tree.places.votes:  # no parsed file names a root: the import lines of those read
        for name, data in tree.unparsed:  # past do (`from src.app import ...` in routes)
            tree.places.vote(name, imports_in_text(data))
    for path, module_tree, data in parsed:
        root, dotted = tree.places.place(path)
        key = dotted if dotted not in tree.modules else f"{dotted} in {root}"
        tree.modules[key] = make_module(dotted, path, root, module_tree, data)  # two apps


def _parse_sources(
    sources: Sequence[tuple[str, bytes | None]],
    prefilter: Callable[[bytes], bool] | None,
    skimmable: Callable[[bytes], bool] | None,
) -> tuple[list[tuple[Path, ast.Module, bytes]], list[Skipped], list[tuple[str, bytes]]]:
    """Read every file (unless its bytes are given); parse those that pass the prefilter.
    The parsed, the skipped and the files left unparsed."""
    parsed: list[tuple[Path, ast.Module, bytes]] = []
    skipped: list[Skipped] = []
    unparsed: list[tuple[str, bytes]] = []
    for name, given in sources:
        try:
            data = given if given is not None else _read(name)
        except OSError as exc:
            skipped.append(Skipped(Path(name), None, exc.strerror or str(exc), unreadable=True))
            continue
        if prefilter is not None and not prefilter(data):
            unparsed.append((name, data))
            continue
        result = parse(Path(name), data, skimmed=skimmable is not None and skimmable(data))
        if isinstance(result, Skipped):
            skipped.append(result)
        else:
            parsed.append((Path(name), result, data))
    return parsed, skipped, unparsed


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0)


def _read(name: str) -> bytes:
    """A file's bytes in one read of its size (a file object costs a third more per file,
    and a large tree is mostly this)."""
    fd = os.open(name, _READ_FLAGS)
    try:
        size = os.fstat(fd).st_size
        parts = [os.read(fd, size + 1)]
        if len(parts[0]) != size:  # it is changing, or a short read: read to the end
            while chunk := os.read(fd, 1 << 16):
                parts.append(chunk)
        return b"".join(parts)
    finally:
        os.close(fd)


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Syntax trees hold no reference cycles: collecting while thousands of their nodes are
    made only costs time (a twentieth of a large tree's inspection)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def name_of(node: ast.expr | None) -> str:
    """The last name in `f`, `x.f` or `a.b.f` (what a call is called); empty for anything else."""
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def bound_value(node: ast.stmt, name: str) -> ast.expr | None:
    """The value this statement binds `name` to (`name = v`, `name: T = v`), if it does."""
    if isinstance(node, ast.Assign) and any(
        isinstance(t, ast.Name) and t.id == name for t in node.targets
    ):
        return node.value
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.value if node.target.id == name else None
    return None
