"""Where each file's import root is: the folder that must be on `sys.path` to import it, and so
its dotted module name.

The app's own absolute imports decide (`from app.core.config import settings` in
`src/app/db.py` means `src/` is the import root, whatever `src/__init__.py` says; `from
service.db.base import Base` in a tree without any `__init__.py` means the project folder is).
A file under no folder that the imports name falls back to its packages: up through the
folders that hold an `__init__.py`, never into a folder named `src`.
"""

from __future__ import annotations

import ast
import os
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

# libraries whose name a project folder may share (a migrations folder named `alembic`)
_LIBRARIES = frozenset(
    {
        "alembic",
        "sqlalchemy",
        "sqlmodel",
        "pydantic",
        "pydantic_settings",
        "fastapi",
        "starlette",
        "dotenv",
        "decouple",
        "litestar",
        "flask",
        "django",
        "celery",
        "pytest",
    }
)


def absolute_imports(tree: ast.Module) -> Iterator[list[tuple[str, ...]]]:
    """Per import statement, the dotted paths it may name, the most specific first."""
    nodes = [*tree.body]
    nodes += [c for n in tree.body if isinstance(n, ast.If | ast.Try) for c in n.body]
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield [tuple(alias.name.split("."))]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            parts = tuple(node.module.split("."))
            yield [*((*parts, a.name) for a in node.names if a.name != "*"), parts]


# a module-level import line, for a file this Python cannot parse (newer syntax: the project's
# Python is newer than the wizard's)
_IMPORT_LINE = re.compile(
    rb"^(?:from[ \t]+([A-Za-z_][\w.]*)[ \t]+import[ \t(]+([\w, \t]+)|import[ \t]+([\w.]+))",
    re.MULTILINE,
)


def imports_in_text(data: bytes) -> Iterator[list[tuple[str, ...]]]:
    """`absolute_imports` read from the lines of a file that does not parse."""
    for match in _IMPORT_LINE.finditer(data):
        module, names, imported = (g.decode() if g else "" for g in match.groups())
        if imported:
            yield [tuple(imported.split("."))]
            continue
        parts = tuple(module.split("."))
        named = (n.strip().split(" ")[0] for n in names.split(","))
        yield [*((*parts, n) for n in named if n.isidentifier()), parts]


class Places:
    """Votes for import roots from the app's imports, then a root and a name for each file."""

    def __init__(self, top: Path, dirs: set[str], files: set[str]) -> None:
        self.top = top
        self._top = str(top)
        self._dirs = dirs  # every folder walked, and every .py file, as strings
        self._files = files
        self.votes: Counter[str] = Counter()
        self._cache: dict[tuple[str, str], str | None] = {}
        self._folders: dict[str, tuple[str, str] | None] = {}  # name_of's, per folder

    def vote(self, path: str, imports: Iterable[list[tuple[str, ...]]]) -> None:
        """Count the folders that `path`'s absolute imports resolve under."""
        start = os.path.dirname(path)  # noqa: PTH120 (strings: thousands of lookups)
        for candidates in imports:
            first = candidates[-1][0]
            if first in sys.stdlib_module_names or first in _LIBRARIES:
                continue
            for parts in candidates:
                root = self._root_for(start, os.sep.join(parts))  # noqa: PTH118
                if root is not None:
                    self.votes[root] += 1
                    break

    def _root_for(self, start: str, relative: str) -> str | None:
        """The deepest folder at or above `start` (inside the project) holding `relative`."""
        key = (start, relative)
        if key not in self._cache:
            folder, found = start, None
            while found is None:
                base = folder + os.sep + relative
                if base in self._dirs or base + ".py" in self._files:
                    found = folder
                elif len(folder) <= len(self._top):
                    break
                folder = os.path.dirname(folder)  # noqa: PTH120
            self._cache[key] = found
        return self._cache[key]

    @property
    def roots(self) -> tuple[Path, ...]:
        """The voted import roots, the most named first."""
        return tuple(Path(root) for root, _ in self.votes.most_common())

    def place(self, path: Path) -> tuple[Path, str]:
        """The import root of `path` and its dotted name there: the most voted folder above
        it (the nearest on a tie), else its packages."""
        found = self._voted(str(path))
        return (Path(found[0]), found[1]) if found else package_root(path, self.top)

    def name_of(self, path: str) -> str:
        """`place(path)`'s dotted name, without making paths (it runs for every file). For
        a module named like an identifier, the folder decides: worked out once per folder."""
        folder, base = os.path.split(path)  # noqa: PTH119 (strings)
        stem = base[:-3] if base.endswith(".py") else ""
        if not stem.isidentifier() or stem == "__init__":
            found = self._voted(path)
        else:
            if folder not in self._folders:
                self._folders[folder] = self._voted(os.path.join(folder, "m.py"))  # noqa: PTH118
            voted = self._folders[folder]
            found = (voted[0], voted[1][:-1] + stem) if voted else None
        return found[1] if found else package_root(Path(path), self.top)[1]

    def _voted(self, text: str) -> tuple[str, str] | None:
        """The most voted folder above the file `text` and the file's dotted name there."""
        best: tuple[int, str, str] | None = None
        folder = os.path.dirname(text)  # noqa: PTH120
        while True:
            votes = self.votes.get(folder, 0)
            name = (
                _dotted_text(text, folder) if votes and (best is None or votes > best[0]) else None
            )
            if name:
                best = (votes, folder, name)
            parent = os.path.dirname(folder)  # noqa: PTH120
            if folder == self._top or parent == folder:
                break
            folder = parent
        return (best[1], best[2]) if best else None


def _dotted_text(path: str, root: str) -> str | None:
    """`_dotted` on strings: `path` is under `root`."""
    parts = path[len(root) :].lstrip(os.sep).split(os.sep)  # noqa: PTH206
    parts[-1] = os.path.splitext(parts[-1])[0]  # noqa: PTH122
    if parts[-1] == "__init__":
        parts.pop()
    if not parts or not all(p.isidentifier() for p in parts):
        return None
    return ".".join(parts)


def _dotted(path: Path, root: Path) -> str | None:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    if not parts or not all(p.isidentifier() for p in parts):
        return None
    return ".".join(parts)


def package_root(path: Path, top: Path) -> tuple[Path, str]:
    """Up through the folders that hold an `__init__.py` (and the namespace folders between
    them); a folder named `src` is a place for packages, never a package itself."""
    folder, root = path.parent, path.parent
    while folder != top and top in folder.parents:
        if (folder / "__init__.py").exists() and folder.name != "src":
            root = folder.parent
        elif folder.name == "src" or not folder.name.isidentifier():
            break
        folder = folder.parent
    name = _dotted(path, root)
    if name:
        return root, name
    return (path.parent.parent, path.parent.name) if path.stem == "__init__" else (root, path.stem)
