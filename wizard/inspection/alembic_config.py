"""Where Alembic's configuration is, found the way Alembic finds it when run from the project
root: `alembic.ini` (in the root, or in a sub-folder that is passed with `-c`) and
`[tool.alembic]` in the root's `pyproject.toml` (Alembic >= 1.16). Alembic reads each key from
alembic.ini's `[alembic]` section first, then from `[tool.alembic]`
(`Config.get_alembic_option`); `%(here)s` is the folder of the file the value came from, and a
relative path is relative to the folder Alembic runs in.
https://alembic.sqlalchemy.org/en/latest/tutorial.html#using-pyproject-toml-for-configuration
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from wizard.edits import tomledit
from wizard.errors import WizardError
from wizard.inspection.walk import SKIP_DIRS

INI = "alembic.ini"
_DEPTH = 3  # sub-folders searched for an alembic.ini: `deploy/db/alembic.ini` at most
# alembic.ini often lives in `migrations/` or `alembic/`; one in tests, docs or examples is
# not the app's setup
_SKIP = SKIP_DIRS - {"migrations", "alembic"} | {"tests", "test", "docs", "doc", "examples"}
_RESOURCE = re.compile(r"^[A-Za-z_][\w.]+:(?![\\/])")  # `myapp:migrations`, not `C:/x`


def read_tool_alembic(text: str | None, path: Path) -> dict[str, Any] | None:
    """`[tool.alembic]` of a pyproject.toml as plain values (None: there is no such table)."""
    if not text or "alembic" not in text:
        return None
    try:
        return tomledit.table(text)
    except ValueError as exc:  # tomlkit's parse errors
        raise WizardError(f"cannot parse: {exc}", path=path) from exc


def ini_candidates(root: Path) -> list[Path]:
    """Every alembic.ini in a sub-folder of `root` (not in virtualenvs, caches, backups, tests,
    docs), the shallowest first."""
    found: list[Path] = []
    for folder, dirnames, filenames in os.walk(root):
        depth = len(Path(folder).relative_to(root).parts)
        if "pyvenv.cfg" in filenames or depth > _DEPTH:
            dirnames[:] = []
            continue
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP and not d.startswith("."))
        if depth and INI in filenames:
            found.append(Path(folder) / INI)
    return sorted(found, key=lambda p: (len(p.parts), p.as_posix()))


def is_resource(location: str) -> bool:
    """`myapp:migrations`: a package resource, not a folder of the project."""
    return bool(_RESOURCE.match(location.strip()))


def resolve(location: str | None, here: Path, root: Path) -> list[Path]:
    """The folders `script_location` may name, the likeliest first: `%(here)s` is `here`; a
    relative path is relative to where Alembic runs (the root), or, for an alembic.ini in a
    sub-folder, to that folder when run from there. A package resource names no folder."""
    if not location or is_resource(location):
        return []
    text = location.strip().replace("%%", "%")
    if "%(here)s" in text:
        return [Path(os.path.normpath(text.replace("%(here)s", str(here))))]
    path = Path(text)
    if path.is_absolute():
        return [Path(os.path.normpath(path))]
    return list(dict.fromkeys(Path(os.path.normpath(b / path)) for b in (root, here)))
