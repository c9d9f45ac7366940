"""Every file the plan may touch, read once into the `Project` (and the answers a setup
remembered)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from wizard.edits import remembered
from wizard.errors import WizardError
from wizard.inspection.project import Project
from wizard.store import written_path
from wizard.textio import read_if_file, read_text


def read_folder(project: Project, migrations: str) -> Project:
    """The project with the files of another migrations folder read too (`--migrations`)."""
    return snapshot(project, migrations)


def read_files(project: Project, paths: Iterable[Path]) -> Project:
    """The project with `paths` read too (the files `guard` may write)."""
    files = dict(project.files)
    for path in paths:
        if path not in files:
            files[path] = read_if_file(path)
    return replace(project, files=files)


def snapshot(project: Project, migrations: str) -> Project:
    """Read every file the plan may touch, once."""
    project = _readable_requirements(project)
    folder = project.root / migrations
    paths = [
        project.config_path,
        project.alembic.ini_path,
        folder / "env.py",
        folder / "script.py.mako",
        written_path(project.root, folder / "env.py"),
        written_path(project.root, folder / "script.py.mako"),
        *(project.module_paths[s.owner_module] for s in project.settings if s.owner_module),
        *(u.settings_path for u in project.sources if u.settings_path),
        *([project.gitignore] if project.gitignore else []),
        *([project.root / "requirements.txt"] if project.requirements_txt else []),
    ]
    files = dict(project.files)
    for path in paths:
        if path not in files:
            files[path] = read_if_file(path)
    files.update({s.path: s.text for s in project.env_files})
    files.update({c.path: c.text for c in project.compose})
    versions = folder / "versions"  # an empty one is as good as none: git keeps no folder
    dirs = project.dirs | ({versions} if versions.is_dir() and any(versions.iterdir()) else set())
    return replace(project, files=files, dirs=frozenset(dirs))


def _readable_requirements(project: Project) -> Project:
    """A requirements.txt that is not UTF-8 (pip reads UTF-16 with a BOM too) is left alone,
    with a note: the dependencies are then the user's to declare."""
    path = project.root / "requirements.txt"
    if not project.requirements_txt or path in project.files:
        return project
    try:
        text = read_text(path)
    except WizardError as exc:
        note = f"{project.rel(path)}: {exc.message}; left alone (declare alembic there yourself)"
        return replace(project, requirements_txt=False, notices=(*project.notices, note))
    return replace(project, files={**project.files, path: text})  # read once: the snapshot


def with_remembered(project: Project) -> Project:
    text = project.files[project.config_path]
    try:
        found = remembered.load(text, in_pyproject=project.config_path.name == "pyproject.toml")
    except ValueError as exc:  # tomlkit's parse errors
        raise WizardError(f"cannot parse: {exc}", path=project.config_path) from exc
    return replace(project, remembered=found)
