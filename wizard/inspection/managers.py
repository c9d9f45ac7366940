"""Which package manager the project uses, from its files: uv (uv.lock, `[tool.uv]`), poetry
(poetry.lock, `[tool.poetry]`), pdm (pdm.lock, `[tool.pdm]`), hatch (`[tool.hatch.envs]`,
hatch.toml), else pip; and which of those tools are installed."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from wizard.drivers import PackageManager

TOOLS: tuple[PackageManager, ...] = ("uv", "poetry", "pdm", "hatch")
_LOCKS: dict[PackageManager, str] = {"uv": "uv.lock", "poetry": "poetry.lock", "pdm": "pdm.lock"}
_TABLES: dict[PackageManager, str] = {
    "uv": "tool.uv",
    "poetry": "tool.poetry",
    "pdm": "tool.pdm",
    "hatch": "tool.hatch.envs",
}


def _has_table(pyproject: str, table: str) -> bool:
    """A `[table]` or `[table.sub]` header (the tables' own names, no TOML parse needed)."""
    return re.search(rf"(?m)^\s*\[\[?\s*{re.escape(table)}\s*[\].]", pyproject) is not None


def _folders(root: Path, top: Path) -> list[Path]:
    """The root and its parents up to the folder the wizard was pointed at (a uv workspace
    member's lock file lives in the workspace's root)."""
    found = [root]
    for folder in root.parents:
        if top != folder and top not in folder.parents:
            break
        found.append(folder)
    return found


def lock_file(root: Path, top: Path) -> Path | None:
    """uv.lock, poetry.lock or pdm.lock, the nearest at or above the root."""
    for folder in _folders(root, top):
        for lock in _LOCKS.values():
            if (folder / lock).is_file():
                return folder / lock
    return None


def package_manager(root: Path, top: Path) -> PackageManager:
    """The project's package manager: a lock file first, then a `[tool.*]` table."""
    folders = _folders(root, top)
    lock = lock_file(root, top)
    if lock is not None:
        return next(m for m, name in _LOCKS.items() if name == lock.name)
    for folder in folders:
        pyproject = folder / "pyproject.toml"
        text = pyproject.read_text("utf-8", errors="replace") if pyproject.is_file() else ""
        for manager, table in _TABLES.items():
            if _has_table(text, table):
                return manager
        if (folder / "hatch.toml").is_file():
            return "hatch"
    return "pip"


def installed_tools() -> frozenset[str]:
    """Which of uv, poetry, pdm and hatch are on PATH."""
    return frozenset(tool for tool in TOOLS if shutil.which(tool) is not None)
