"""Planning: a pure function from (project, answers, target) to the file changes. It reads
no file: everything comes from the inspected `Project`'s snapshot."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from wizard import urls
from wizard.answers import Answers
from wizard.change import Change, Plan
from wizard.inspection import Project
from wizard.plan.checks import check_parses
from wizard.plan.envfiles import compose_changes, env_changes, named_env_file, new_env_path
from wizard.plan.migrations import alembic_files
from wizard.plan.project_files import (
    config_change,
    gitignore_change,
    requirements_change,
    settings_change,
)
from wizard.target import Target

__all__ = ["build"]


def _env_file_has_url(project: Project, answers: Answers) -> bool:
    """The env file the app reads exists: a URL from the code stays there, not in the file
    (env.py derives the sync URL at run time)."""
    return answers.env_file is not None and answers.source.kind != "literal"


def build(project: Project, answers: Answers, target: Target) -> Plan:
    """Every change the wizard would make, each output checked to parse."""
    changes: list[Change] = []
    # async mode: Alembic uses the app's own URL; an own sync member: env.py reads it
    own = answers.settings.own_sync if answers.settings else None
    if answers.mode == "sync" and own is None:
        app = answers.app
        frozen = app.literal or (app.from_code and not _env_file_has_url(project, answers))
        sync_text = urls.render(target.sync_url) if frozen else None
        changes += env_changes(project, answers, sync_text)
        changes += compose_changes(project, answers, urls.render(target.sync_url))
        changes += settings_change(project, answers, target)
    changes += alembic_files(project, answers, target)
    created = _created_env_files(project, answers, changes)
    new_env = created[0] if created else None
    named = named_env_file(project, answers)  # one the app makes at start names none yet
    env_file = answers.env_file or new_env or (project.root / named if named else None)
    changes += config_change(_after(project, changes), answers, target, env_file)
    changes += requirements_change(project, answers, target)
    changes += gitignore_change(project, [_rel(project, p) for p in created])
    changes = _merged(changes)
    for change in changes:
        check_parses(change)
    return Plan(tuple(changes), target.secrets)


def _created_env_files(project: Project, answers: Answers, changes: list[Change]) -> list[Path]:
    """The env files the plan creates: `.env*`, and the settings' own `env_file` by whatever
    name it has (`.envs/.local`), which a re-run must find remembered as the env file."""
    own = new_env_path(project, answers)
    return [
        c.path
        for c in changes
        if c.before is None and (c.path == own or c.path.name.startswith(".env"))
    ]


def _rel(project: Project, path: Path) -> str:
    try:
        return path.relative_to(project.root).as_posix()
    except ValueError:
        return path.name


def _after(project: Project, changes: list[Change]) -> Project:
    """The project as `changes` leave it, so a later planner edits the same file on top."""
    return replace(project, files={**project.files, **{c.path: c.after for c in changes}})


def _merged(changes: list[Change]) -> list[Change]:
    """One change per file (pyproject.toml: [tool.alembic], then the remembered answers)."""
    by_path: dict[Path, Change] = {}
    for change in changes:
        first = by_path.get(change.path)
        by_path[change.path] = (
            change
            if first is None
            else replace(
                first,
                after=change.after,
                why=f"{first.why}; {change.why}",
                lost=first.lost + change.lost,
            )
        )
    return list(by_path.values())
