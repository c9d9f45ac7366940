"""At the end of setup: a database that already has tables and no alembic_version is named,
with `alembic-wizard adopt` as the fix, before anyone autogenerates a first revision against
it (which would create none of those tables on a fresh database)."""

from __future__ import annotations

from collections.abc import Sequence

from wizard.adopt import State, examine
from wizard.errors import WizardError
from wizard.inspection import Project
from wizard.verify.rungs import Rung


def existing_tables(project: Project, rungs: Sequence[Rung]) -> State | None:
    """The database's state when verification reached it, found no revision applied, and
    it has tables (None otherwise, or when it cannot be read)."""
    current = next((r for r in rungs if r.name == "alembic current"), None)
    if current is None or current.detail != "no revision applied":
        return None
    if any(r.status == "fail" for r in rungs):
        return None
    try:
        state = examine(project, write=False, written=True)
    except WizardError:  # verification has said what is wrong, if anything
        return None
    return state if state.kind == "unversioned" else None
