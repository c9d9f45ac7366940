"""Remembered answers: `[tool.alembic-wizard]` in pyproject.toml (or `.alembic-wizard.toml`
where there is no pyproject.toml), so a re-run asks nothing it already knows. Never secrets:
names, choices and paths only."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from wizard.answers import Answers

TABLE = "alembic-wizard"
SMALL_FILE = ".alembic-wizard.toml"


def config_path(root: Path) -> Path:
    """Where the answers live for a project rooted at `root`."""
    pyproject = root / "pyproject.toml"
    return pyproject if pyproject.is_file() else root / SMALL_FILE


def load(root: Path, text: str | None) -> dict[str, Any]:
    """The remembered answers (empty when there are none)."""
    if not text:
        return {}
    import tomlkit

    doc = tomlkit.parse(text).unwrap()
    found = (
        doc.get("tool", {}).get(TABLE, {})
        if config_path(root).name == "pyproject.toml"
        else (doc.get(TABLE, doc))
    )
    return dict(found) if isinstance(found, dict) else {}


def as_table(answers: Answers, root: Path) -> dict[str, Any]:
    """What is worth remembering, as TOML-ready values."""
    table: dict[str, Any] = {
        "dialect": answers.dialect,
        "mode": answers.mode,
        "settings": answers.settings.label,
        "metadata": answers.metadata.label,
        "models": list(answers.model_modules),
        "migrations": answers.migrations,
        "add-deps": answers.add_deps,
    }
    if answers.mode == "sync":
        table["sync-driver"] = answers.sync_driver
    if answers.env_file is not None:
        table["env-file"] = Path(os.path.relpath(answers.env_file, root)).as_posix()
    return table


def remember(text: str | None, root: Path, answers: Answers) -> str | None:
    """The config file's new text, or None when it already says the same."""
    import tomlkit

    table = as_table(answers, root)
    if load(root, text) == table:
        return None
    doc = tomlkit.parse(text or "")
    if config_path(root).name != "pyproject.toml":
        doc[TABLE] = table
        return tomlkit.dumps(doc)
    if "tool" not in doc:
        doc["tool"] = tomlkit.table(is_super_table=True)
    doc["tool"][TABLE] = table
    return tomlkit.dumps(doc)
