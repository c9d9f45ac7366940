"""adopt's stamp, journaled in the record of the apply that wrote the baseline (see
`wizard.stamps`): a Ctrl-C, a kill or a stopped process in the stamp keeps the revision and
says what is known, with the commands; the next adopt settles it from the database."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from wizard import stamps
from wizard.adopt import State, examine, stamp
from wizard.adopt.process import Unfinished
from wizard.errors import Interrupted, WizardError
from wizard.inspection import Project
from wizard.interrupts import deferred, step
from wizard.store import locked
from wizard.undo import undo
from wizard.writing import say


def stamp_baseline(
    project: Project, state: State, record: Path, alembic: str
) -> tuple[Mapping[str, Any], ...]:
    """Stamp the baseline `record` wrote; the differences that stopped it (empty: stamped,
    and journaled so). Not stamped, or failed before the stamp: the revision is put back."""
    revision = state.revisions[0].revision
    cut = _cut_short(project, revision, alembic)
    stamps.noted(record, stamps.STAMPING, revision)  # before it can commit
    try:
        step("stamp")  # the stamp is under way (the test hook's kill point)
        left = stamp(project, revision)
    except KeyboardInterrupt:
        raise Interrupted(f"interrupted while stamping {cut}") from None
    except Unfinished as exc:
        raise WizardError(f"{exc.message} while stamping {cut}", hint=exc.hint) from None
    except BaseException:  # env.py or the database failed before the stamp was made
        stamps.noted(record, stamps.UNSTAMPED, revision)
        undo(project.root, record)
        raise
    if left:
        stamps.noted(record, stamps.UNSTAMPED, revision)
        undo(project.root, record)
        return left
    try:
        with deferred():  # a Ctrl-C now is told once the journal says it
            step("stamped")
            stamps.noted(record, stamps.STAMPED, revision)
    except KeyboardInterrupt:
        raise Interrupted(
            f"interrupted after the database was stamped at {revision}: it is adopted, and "
            f"{_file(project, state)} is kept; to take it back: `{alembic} stamp --purge base`,"
            " then `alembic-wizard undo`"
        ) from None
    return ()


def _cut_short(project: Project, revision: str, alembic: str) -> str:
    """What a stamp cut short leaves (the end of the message)."""
    return (
        f"the database at {revision} (the stamp may have been written); the revision is kept: "
        "`alembic-wizard adopt` settles it from the database; to take it all back: "
        f"`{alembic} stamp --purge base`, then `alembic-wizard undo`"
    )


def _file(project: Project, state: State) -> str:
    return project.rel(state.versions / state.revisions[0].name)


def settle(project: Project, state: State, *, dry_run: bool) -> State:
    """A stamp an earlier adopt was cut short in, settled from the database as `state` saw
    it: kept when it was written; else its revision put back, and the database examined
    again (what a fresh adopt then does)."""
    record = stamps.cut_short(project.root)
    revision = None if record is None else stamps.pending(record)
    if record is None or revision is None:
        return state
    if revision in state.current:  # it committed: the database is adopted
        if not dry_run:
            with locked(project.root):
                stamps.noted(record, stamps.STAMPED, revision)
        say(f"note: the adopt cut short in {record.name} had stamped the database at {revision}")
        return state
    if state.current or revision not in state.heads:
        return state  # something else happened since: what follows says what
    if dry_run:
        say(
            f"note: the adopt cut short in {record.name} did not stamp the database at "
            f"{revision}; a run without --dry-run puts that revision back first"
        )
        return state
    undo(project.root, record)
    say(
        f"the adopt cut short in {record.name} did not stamp the database: its revision "
        f"{revision} was put back"
    )
    return examine(project)
