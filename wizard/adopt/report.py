"""What adopt says: the database's state, the differences in plain words, the next steps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from wizard.adopt.state import State
from wizard.adopt.words import describe
from wizard.inspection import Project


def state_line(state: State) -> str:
    """One line on what the database holds."""
    if state.missing_file is not None:
        return f"the SQLite file {state.missing_file} does not exist yet"
    tables = f"{len(state.tables)} table(s)" if state.tables else "no tables"
    if state.current:
        return f"{tables}, alembic_version at {', '.join(state.current)}"
    return f"{tables}, no alembic_version"


def nothing_to_adopt(state: State, then: Sequence[str]) -> str:
    """For a database Alembic manages already, or one without tables."""
    if state.kind == "versioned":
        return (
            "Nothing to adopt: Alembic already manages this database "
            f"(`{then[0]}` brings it to the latest revision)."
        )
    what = "does not exist yet" if state.kind == "no database" else "has no tables yet"
    return "\n".join(
        [f"Nothing to adopt: the database {what}.", "", "Next:", *(f"  {c}" for c in then)]
    )


def next_commands(state: State, alembic: str, *, stamped: bool) -> list[str]:
    """The commands to run after adopt, through the project's Alembic (`alembic`: as the
    user's shell runs it, `uv run alembic`, `.venv/bin/alembic`)."""
    if state.kind == "versioned":
        return [f"{alembic} upgrade head"]
    if state.kind != "unversioned":
        return [f'{alembic} revision --autogenerate -m "create tables"', f"{alembic} upgrade head"]
    if stamped:
        return [f"{alembic} check"]
    return [f"{alembic} stamp {state.revisions[0].revision}", f"{alembic} upgrade head"]


def create_all_notes(project: Project) -> list[str]:
    """Where the app creates its tables itself."""
    return [
        f"the app creates its tables itself: {project.rel(c.path)}:{c.line} ({c.code})"
        for c in project.create_all
    ]


def differences(found: Sequence[Mapping[str, Any]]) -> str:
    """The comparison's result, one difference a line."""
    if not found:
        return "Compared with the models (Alembic's autogenerate comparison): no differences."
    lines = [
        f"Compared with the models (Alembic's autogenerate comparison): {len(found)} difference(s):"
    ]
    return "\n".join([*lines, *(f"  - {describe(d)}" for d in found)])


def adopted(project: Project, state: State, files: Sequence[str], alembic: str) -> str:
    """After the stamp: what happened and what to do next."""
    lines = [
        f"Adopted: the database is stamped at {state.revisions[0].revision} ({files[0]}),",
        "which creates the same schema on a fresh database.",
        "",
        "Next:",
        f"  commit {files[0]}",
        f"  {alembic} check    # no new upgrade operations",
    ]
    lines += [
        f"  remove the create_all at {project.rel(c.path)}:{c.line}: migrations make the "
        f"tables now (`{alembic} upgrade head`)"
        for c in project.create_all
    ]
    lines += ["", f"To take it back: `{alembic} stamp --purge base`, then `alembic-wizard undo`."]
    return "\n".join(lines)


def not_stamped(state: State, files: Sequence[str], then: Sequence[str]) -> str:
    """After writing the revisions for a database that differs from the models."""
    align = files[-1]
    return "\n".join(
        [
            "Not stamped: the database does not match the models.",
            f"{files[0]} creates the schema as the database has it; {align} then makes the",
            "differences above (a fresh database gets both: the models' schema).",
            "",
            "Next:",
            f"  review {align} (it drops what the models do not have)",
            f"  {then[0]}    # the database is the baseline",
            f"  {then[1]}    # applies the differences",
        ]
    )
