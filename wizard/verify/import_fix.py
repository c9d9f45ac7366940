"""What to do when env.py cannot import the app: the error's place decides (env.py's own
setup, the app's module, a Python older than the project requires)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from wizard.inspection import Project


def import_fix(project: Project, error: dict[str, Any]) -> str:
    """The fix of the "env.py imports" rung for `error` (the project's own code raised it,
    or env.py did)."""
    fix = _percent_fix(project, error) or _plain_fix(error)
    own = _app_module(project, error)
    if own and error.get("type") != "ModuleNotFoundError":  # not env.py's doing
        shown = f"`{project.python_command} -c 'import {own}'`"
        fix = f"{shown} shows it without Alembic: fix the error above in the project's code"
    if project.python_mismatch:  # what fails may be what only the required Python has
        fix = f"{project.python_mismatch}: run with --python <a Python it allows>; else {fix}"
    return fix


def _percent_fix(project: Project, error: dict[str, Any]) -> str:
    """A '%' in the path of alembic.ini's folder: Alembic puts it into `here` unescaped, so
    every value that names %(here)s, and every section read whole, fails to interpolate."""
    folder = project.alembic.ini_path.parent
    if not str(error.get("type", "")).startswith("Interpolation") or "%" not in str(folder):
        return ""
    return (
        f"the path of {folder} has a '%', which Alembic puts into %(here)s unescaped: in "
        "alembic.ini write script_location without %(here)s (relative to where Alembic "
        "runs) and leave out [post_write_hooks], or move the project to another folder"
    )


def _app_module(project: Project, error: dict[str, Any]) -> str:
    """The dotted name of the app's module the error is in ("": env.py, or not the app's)."""
    path = Path(error["file"]) if error.get("file") else None
    if path is None or (project.alembic.scripts and project.alembic.scripts in path.parents):
        return ""
    named = [name for name, where in project.module_paths.items() if where == path]
    if named:
        return named[0]
    try:
        parts = list(path.relative_to(project.import_root).with_suffix("").parts)
    except ValueError:
        return ""
    parts = parts[:-1] if parts[-1:] == ["__init__"] else parts
    return ".".join(parts) if parts and all(p.isidentifier() for p in parts) else ""


def _plain_fix(error: dict[str, Any]) -> str:
    if error.get("type") == "ModuleNotFoundError":
        return "run alembic from the project folder; check prepend_sys_path in alembic.ini"
    if str(error.get("type", "")).startswith("Interpolation"):  # configparser, on a '%'
        return (
            "a '%' in alembic.ini must be written '%%'; better, keep the URL out of "
            "alembic.ini (alembic-wizard's env.py reads it from the environment)"
        )
    return "fix the error above; `python -c 'import <your models>'` shows the same"
