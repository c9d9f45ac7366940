"""Run inside the PROJECT's interpreter (`python ask_python.py MODULE...`), or imported by the
wizard when the project has no interpreter of its own: what that interpreter is and has.

Output: one JSON object on stdout. Standard library only; any Python 3 the project may use.
"""

from __future__ import annotations

import importlib.machinery
import json
import os
import sys
from pathlib import Path
from typing import Any

DISTRIBUTIONS = ("alembic", "sqlalchemy")


def _version(name: str, path: list[str]) -> str | None:
    """The installed version of `name`: read off its one `.dist-info` folder on `path`
    (importing importlib.metadata would cost 15 ms of every run), else metadata's answer."""
    prefix = name.lower() + "-"
    for folder in path:
        try:
            entries = os.listdir(folder)  # noqa: PTH208 (names only)
        except OSError:
            continue
        found = [e for e in entries if e.lower().startswith(prefix) and e.endswith(".dist-info")]
        if len(found) == 1:
            return found[0][len(prefix) : -len(".dist-info")]
        if found:
            break  # several: metadata's rules decide
    try:
        from importlib import metadata

        return metadata.version(name)
    except Exception:  # not installed, or metadata that does not parse
        return None


def site_paths(*not_these: str) -> list[str]:
    """The interpreter's own paths: never the working folder (a project's `alembic/`
    migrations folder is not the alembic package) nor `not_these` folders."""
    skip = {Path.cwd(), *(Path(p).absolute() for p in not_these)}
    return [p for p in sys.path if p not in ("", ".") and Path(p).absolute() not in skip]


def facts(modules: list[str], path: list[str]) -> dict[str, Any]:
    """Python version, which of `modules` can be imported from `path` (found, not
    imported), the installed Alembic and SQLAlchemy versions, whether pip is there."""
    find = importlib.machinery.PathFinder.find_spec
    return {
        "version": ".".join(str(n) for n in sys.version_info[:3]),
        "prefix": sys.prefix,
        "modules": [m for m in modules if find(m, path) is not None],
        "versions": {name: _version(name, path) for name in DISTRIBUTIONS},
        "pip": find("pip", path) is not None,
    }


def main() -> int:
    here = str(Path(__file__).absolute().parent)
    sys.path[:] = site_paths(here)  # importlib.metadata reads sys.path too
    print(json.dumps(facts(sys.argv[1:], sys.path)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
