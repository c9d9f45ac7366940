"""Adopt a database that exists (tables made by `create_all`, data in production): read its
state through env.py, compare it with the models with Alembic's own comparison, write a
baseline revision, and stamp the database only when it matches the models."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wizard.adopt import process
from wizard.adopt.state import Revision, State, state_of
from wizard.adopt.words import describe
from wizard.change import Change
from wizard.errors import WizardError
from wizard.inspection import Project

__all__ = ["Revision", "State", "changes", "describe", "examine", "stamp"]

BASELINE = "baseline"
ALIGN = "align with the models"


def examine(project: Project, *, write: bool = True) -> State:
    """The database's state (read-only); for an unversioned database with tables and no
    revisions yet, the revisions that adopt it (`write`)."""
    if project.alembic.env_path is None:
        raise WizardError(
            "no Alembic setup to adopt the database with",
            path=project.root,
            hint="run `alembic-wizard setup` first, then `alembic-wizard adopt`",
        )
    request = {"action": "examine", "write": write, "message": BASELINE, "align_message": ALIGN}
    return state_of(process.ask(project, request))


def stamp(project: Project, revision: str) -> tuple[Mapping[str, Any], ...]:
    """`alembic stamp revision`, only when Alembic's comparison still finds no difference;
    the differences that stopped it (empty: stamped)."""
    answer = process.ask(project, {"action": "stamp", "revision": revision})
    if answer.get("stamped"):
        return ()
    if answer.get("current"):
        current = ", ".join(answer["current"])
        raise WizardError(f"the database was stamped meanwhile (at {current}); nothing stamped")
    return tuple(answer.get("differences", ()))


def changes(state: State) -> tuple[Change, ...]:
    """The revision scripts to write, as changes for show and apply."""
    why = {0: "baseline revision: creates the schema", 1: "the differences, for review"}
    return tuple(
        Change(state.versions / r.name, None, r.text, why.get(n, "revision"))
        for n, r in enumerate(state.revisions)
    )
