"""Which files under a project may be the app's code: not virtualenvs, caches, build output,
tests, docs, examples or Alembic's folders (whose env.py files are kept aside: their imports
say where the import root is).

Everything is a string here: a 5,000-file tree should not pay for 5,000 Path objects.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

# build output, caches, virtualenvs, the wizard's own folder
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
        "__pypackages__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".alembic-wizard",
    }
)
# never the app's models: its tests anywhere; a project's documentation and examples (beside
# its pyproject.toml: `app/docs/` may well be the app's documents feature)
TEST_DIRS = frozenset({"tests", "test"})
DOC_DIRS = frozenset({"docs", "doc", "examples", "example"})
PROJECT_FILES = frozenset({"pyproject.toml", "setup.py", "setup.cfg", "requirements.txt"})
# Alembic's folders by their usual names (any folder holding env.py and versions/ is one too)
MIGRATION_DIRS = frozenset({"migrations", "alembic"})


def is_test_file(name: str) -> bool:
    """`test_*.py`, `*_test.py` and `conftest.py`: pytest's, never the app's."""
    return name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"


def _app_dir(name: str, project_level: bool) -> bool:
    return not (
        name in SKIP_DIRS
        or name in TEST_DIRS
        or (project_level and name in DOC_DIRS)
        or name in MIGRATION_DIRS
        or name.startswith(".")
        or "." in name
    )


@dataclass
class Walk:
    """What walking a tree found."""

    sources: list[str] = field(default_factory=list)  # .py files that may be the app's
    evidence: list[str] = field(default_factory=list)  # env.py files: their imports only
    dirs: set[str] = field(default_factory=set)  # every folder walked
    files: set[str] = field(default_factory=set)  # every .py file seen
    unnamed: list[str] = field(default_factory=list)  # .py files whose names are not UTF-8


def walk(top: Path) -> Walk:
    """The app's candidate files under `top`, depth first in name order."""
    found = Walk()
    todo = [str(top)]
    links = _Links(os.path.realpath(top))
    while todo:
        folder = todo.pop()
        found.dirs.add(folder)
        python, others, subdirs, linked = _list(folder)
        subdirs |= {d for d in linked if links.follow(folder + os.sep + d)}
        prefix = folder + os.sep
        found.files.update(prefix + n for n in python)
        if "pyvenv.cfg" in others or "conda-meta" in subdirs:  # a virtualenv, any name
            continue
        if "env.py" in python and folder != str(top) and _alembic_scripts(others, subdirs):
            found.evidence.append(prefix + "env.py")
            continue
        found.evidence += [
            prefix + d + os.sep + "env.py"
            for d in subdirs
            if d in MIGRATION_DIRS and os.path.isfile(prefix + d + os.sep + "env.py")  # noqa: PTH113
        ]
        named = [n for n in sorted(python) if _utf8(n)]  # no import can name another
        found.unnamed += [_shown(prefix + n) for n in sorted(set(python) - set(named))]
        found.sources += [prefix + n for n in named if not is_test_file(n)]
        project_level = folder == str(top) or not PROJECT_FILES.isdisjoint(others)
        todo += [prefix + d for d in sorted(subdirs, reverse=True) if _app_dir(d, project_level)]
    return found


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # a byte os.fsdecode kept as a lone surrogate
        return False
    return True


def _shown(path: str) -> str:
    """A path with its non-UTF-8 bytes written as escapes (printable anywhere)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


class _Links:
    """Symlinked folders to follow: a package linked in from elsewhere is the app's code.
    Not followed: a link back up (to the project or above it), a link into a folder the walk
    reaches anyway, and a link that overlaps one already followed (a loop, or files twice)."""

    def __init__(self, real_top: str) -> None:
        self.top = real_top
        self.followed: list[str] = []

    def follow(self, link: str) -> bool:
        real = os.path.realpath(link)
        if real == self.top or self.top.startswith(real + os.sep):
            return False
        if real.startswith(self.top + os.sep):  # inside: walked where it is, unless skipped
            parts = Path(real).relative_to(self.top).parts
            if all(_app_dir(p, i == 0) for i, p in enumerate(parts)):
                return False
        if any(_overlap(real, seen) for seen in self.followed):
            return False
        self.followed.append(real)
        return True


def _overlap(a: str, b: str) -> bool:
    return a == b or a.startswith(b + os.sep) or b.startswith(a + os.sep)


def _alembic_scripts(others: set[str], subdirs: set[str]) -> bool:
    """A folder with env.py is Alembic's when it has versions/ or script.py.mako."""
    return "versions" in subdirs or "script.py.mako" in others


def _is_dir(entry: os.DirEntry[str]) -> bool:
    """A symlink to a folder (False for a link that loops or points nowhere)."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def _list(folder: str) -> tuple[list[str], set[str], set[str], set[str]]:
    """The .py files, the other files, the folders and the symlinks to folders in `folder`
    (none if unreadable)."""
    python: list[str] = []
    others: set[str] = set()
    subdirs: set[str] = set()
    linked: set[str] = set()
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.endswith(".py"):
                    python.append(entry.name)
                elif entry.is_dir(follow_symlinks=False):
                    subdirs.add(entry.name)
                elif entry.is_symlink() and _is_dir(entry):
                    linked.add(entry.name)
                else:
                    others.add(entry.name)
    except OSError:
        pass
    return python, others, subdirs, linked
