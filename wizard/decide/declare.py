"""Whether to declare what Alembic needs in the project's own dependencies, and what the user
must hear when the wizard cannot (no `[project]` nor `[tool.poetry]`, dynamic dependencies,
no pyproject.toml) or when the lock file falls behind."""

from __future__ import annotations

from wizard.decide.decider import Decider
from wizard.edits import deps
from wizard.inspection import Project
from wizard.target import Target

_LOCK = {"uv.lock": "uv lock", "poetry.lock": "poetry lock", "pdm.lock": "pdm lock"}


def ask_add_deps(project: Project, decider: Decider, target: Target, notes: list[str]) -> bool:
    """Whether to declare what Alembic needs (asked when something is missing and there is a
    place to declare it: pyproject.toml, or a pip project's requirements.txt); what cannot be
    declared is said in `notes`."""
    listed = project.requirements_path
    if listed is not None:
        adding = deps.missing_requirements(project.files.get(listed) or "", target.requirements)
        question = f"Declare {', '.join(adding)} in requirements.txt?"
        return not adding or decider.yes_no(question, "--add-deps", decider.flags.add_deps, True)
    text = project.files.get(project.config_path)
    if project.config_path.name != "pyproject.toml" or text is None:
        _say_undeclared(project, decider, target, notes)
        return True
    adding = deps.missing(text, target.requirements)
    if not adding:
        return True
    if deps.where(text) is None:
        notes.append(
            f"{', '.join(adding)} not declared: pyproject.toml has no [project] "
            "dependencies or [tool.poetry.dependencies] to add to; declare them "
            "where your dependencies come from"
        )
        return True
    question = f"Declare {', '.join(adding)} in pyproject.toml?"
    add = decider.yes_no(question, "--add-deps", decider.flags.add_deps, True)
    lock = project.lock_file
    if add and lock is not None:
        notes.append(
            f"pyproject.toml will declare {', '.join(adding)}: refresh {lock.name} "
            f"with `{_LOCK[lock.name]}`"
        )
    return add


def _say_undeclared(project: Project, decider: Decider, target: Target, notes: list[str]) -> None:
    """--add-deps without a pyproject.toml nor a requirements.txt the wizard edits: what to
    declare by hand (nothing when a requirements.txt already lists it all)."""
    listed = project.files.get(project.root / "requirements.txt")
    adding = deps.missing_requirements(listed or "", target.requirements)
    if decider.flags.add_deps and adding:
        notes.append(
            f"--add-deps: there is no pyproject.toml; declare {', '.join(adding)} in your "
            "requirements"
        )
