"""The `.alembic-wizard/` folder in the project root: backups of modified files, a manifest
per apply (what `undo` reads), and a copy of each `env.py`, `script.py.mako` and start-up
runner as last written (to tell the user's edits from ours on a re-run)."""

from __future__ import annotations

from pathlib import Path

BACKUP_DIR = ".alembic-wizard"
WRITTEN_DIR = "written"
WRITTEN_NAMES = ("env.py", "script.py.mako", "migrate.py")  # the files a copy is kept of
MANIFEST = "manifest.json"


def backup_name(path: Path, top: Path) -> Path:
    """Where a file's copy goes under a backup folder: its path inside the project, or its
    absolute path (a `../.env` beside a sub-folder project) under `_outside/`."""
    try:
        return path.relative_to(top)
    except ValueError:
        return Path("_outside", *path.resolve().parts[1:])


def written_path(top: Path, path: Path) -> Path:
    """Where the copy of `path` as the wizard last wrote it lives."""
    return top / BACKUP_DIR / WRITTEN_DIR / backup_name(path, top)
