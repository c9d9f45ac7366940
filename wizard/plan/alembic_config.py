"""Plan Alembic's configuration where Alembic reads it: `alembic.ini` (in the root, or the
sub-folder it was found in), or `[tool.alembic]` in pyproject.toml, with an alembic.ini beside
it kept for logging. Only the keys the wizard manages change (`script_location`,
`prepend_sys_path`, `path_separator`) and the URL goes; every other line is the user's.
Alembic runs in the project root, so relative paths are relative to it."""

from __future__ import annotations

import os
from pathlib import Path

from wizard.answers import Answers
from wizard.change import Change
from wizard.edits import iniedit, tomledit
from wizard.inspection import Project
from wizard.plan.render import render

_WHY = "Alembic's configuration, without credentials"


def config_changes(project: Project, answers: Answers, sync_env_key: str) -> list[Change]:
    """[tool.alembic] when that is where the setup lives; alembic.ini otherwise, or beside it."""
    out = [toml_change(project, answers)] if project.alembic.style == "toml" else []
    ini = ini_change(project, answers, sync_env_key)
    return out + ([ini] if ini else [])


def ini_change(project: Project, answers: Answers, sync_env_key: str) -> Change | None:
    """alembic.ini: an existing one edited in place (only the keys the wizard manages and
    that differ); a new one only when the setup does not live in [tool.alembic]."""
    setup = project.alembic
    path = setup.ini_path
    existing = project.text(path)
    if existing is None:
        if setup.style == "toml":  # no second [alembic] section: pyproject.toml has it
            return None
        scripts = _relative(project.root / answers.migrations, path.parent, project.root, ini=True)
        new = render(
            "alembic.ini.j2",
            script_location=scripts,
            prepend_sys_path=_prepend(project),
            sync_env_key=sync_env_key,
            mode=answers.mode,
        )
        return Change(path, None, new, _WHY)
    keys: dict[str, str] = {}
    if setup.style == "ini":
        keys["script_location"] = _location(project, answers, path.parent, ini=True)
    theirs = iniedit.value(existing, "prepend_sys_path")
    if setup.style == "ini" or theirs is not None:  # alembic.ini's prepend_sys_path wins
        separator = iniedit.value(existing, "path_separator")
        here = Path(os.path.relpath(path.parent, project.root)).as_posix()
        paths, sep = iniedit.merged_paths(theirs, _prepend(project), separator, here)
        keys |= {"prepend_sys_path": paths, "path_separator": sep}  # the user's entries kept
    changed = {k: v for k, v in keys.items() if iniedit.value(existing, k) != v}
    why = _WHY if setup.style == "ini" else "kept for logging, without credentials"
    return Change(path, existing, iniedit.update(existing, changed), why)


def toml_change(project: Project, answers: Answers) -> Change:
    """[tool.alembic] in pyproject.toml, edited in place (tomlkit)."""
    path = project.alembic.toml_path or project.config_path
    before = project.text(path) or ""
    managed: dict[str, str | list[str]] = {
        "script_location": _location(project, answers, path.parent, ini=False)
    }
    ini = project.text(project.alembic.ini_path)
    if ini is None or iniedit.value(ini, "prepend_sys_path") is None:
        theirs = (tomledit.table(before) or {}).get("prepend_sys_path")
        managed["prepend_sys_path"] = tomledit.merged_paths(theirs, _prepend(project))
    after = tomledit.update(before, managed)
    return Change(path, before, after, f"{_WHY} ([tool.alembic])")


def _location(project: Project, answers: Answers, here: Path, *, ini: bool) -> str:
    """script_location for a config file in `here`: as the user wrote it when it already names
    the migrations folder on this machine (not another's absolute path, a container's
    `/app/migrations`, nor a folder a framework's CLI overrides, nor `%(here)s` that Alembic
    cannot read here), else `_relative`."""
    target = project.root / answers.migrations
    setup = project.alembic
    written = setup.script_location
    absolute = Path(written.strip()) if written else None
    elsewhere = absolute is not None and absolute.is_absolute() and absolute != target
    kept = not elsewhere and not setup.beside_ini  # else rewritten for this machine
    unreadable = ini and "%" in str(here) and "%(here)s" in (written or "")
    if written and setup.scripts == target and kept and not unreadable:
        return written
    return _relative(target, here, project.root, ini=ini)


def _relative(target: Path, here: Path, root: Path, *, ini: bool) -> str:
    """`target` relative to `%(here)s`, which holds wherever Alembic runs; a `%` escaped
    as `%%`. alembic.ini in a folder whose path has a `%` cannot use `%(here)s` (Alembic puts
    the path in unescaped, and reading a value that names it fails): relative to the root,
    where Alembic runs, instead. [tool.alembic] substitutes it plainly, so it holds there."""
    if ini and "%" in str(here):
        return _escaped(Path(os.path.relpath(target, root)).as_posix())
    rel = _escaped(Path(os.path.relpath(target, here)).as_posix())
    return "%(here)s" if rel == "." else f"%(here)s/{rel}"


def _escaped(value: str) -> str:
    """A value as Alembic's config reads it back: `%` written `%%`."""
    return value.replace("%", "%%")


def _prepend(project: Project) -> str:
    """The import root, relative to the project root, where Alembic runs."""
    if project.import_root == project.root:
        return "."
    return _escaped(Path(project.import_root).relative_to(project.root).as_posix())
