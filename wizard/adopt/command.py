"""`alembic-wizard adopt`: the database's state, its differences from the models in plain
words, the baseline revision (shown, confirmed, undoable), and the stamp, only on a match.
With --json the words go to stderr and stdout holds one object (docs/json.md)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from wizard import jsonout
from wizard.adopt import State, describe, examine, refuse
from wizard.adopt import changes as revision_changes
from wizard.adopt import report as adopt_report
from wizard.adopt.stamping import settle, stamp_baseline
from wizard.apply import Applied
from wizard.change import Plan
from wizard.errors import Interrupted
from wizard.inspection import Project
from wizard.options import Options, read_project
from wizard.report import alembic_command
from wizard.undo import undo
from wizard.writing import say, show_and_confirm, write, writing


def adopt_command(options: Options) -> int:
    """Adopt the database that exists: a baseline revision, stamped only when the database
    matches the models; 1 when it does not (nothing stamped)."""
    project = read_project(options)
    return adopt_project(project, options)


def adopt_project(project: Project, options: Options) -> int:
    """Adopt the database of `project` (read before): state, differences, revisions, stamp."""
    tell = say if options.json else print  # with --json, stdout holds the object alone
    for note in adopt_report.create_all_notes(project):
        say(f"note: {note}")
    state = settle(project, examine(project), dry_run=options.dry_run)  # a stamp cut short
    tell(f"Database: {adopt_report.state_line(state)}")
    refuse(project, state)  # a revision the scripts lack, a history already begun
    alembic = alembic_command(project)
    if state.kind != "unversioned":
        then = adopt_report.next_commands(state, alembic, stamped=False)
        tell(adopt_report.nothing_to_adopt(state, then))
        return _answer(options, 0, state, [], False, then=then)
    tell(adopt_report.differences(state.differences))
    plan = Plan(revision_changes(state), frozenset())
    shown = jsonout.changes(plan.changes, {str(c.path): project.rel(c.path) for c in plan.changes})
    if show_and_confirm(project, plan, options) != "write":
        return _answer(options, 1 if state.differences else 0, state, shown, False, then=[])
    progress = Applied()
    with writing(project, progress, ""):  # the lock, held until the stamp is journaled
        try:
            record = write(project, plan, progress)
            assert record is not None  # a new revision is always to write
            files = [project.rel(c.path) for c in plan.changes]
            code, then = _stamp(project, state, record, files, tell)
        except KeyboardInterrupt as exc:  # the stamp's own window says what it knows
            if isinstance(exc, Interrupted) or progress.folder is None:
                raise
            undo(project.root, progress.folder)
            raise Interrupted(
                "interrupted before the stamp: the database was not stamped, and the "
                "baseline revision was put back; nothing changed"
            ) from None
    return _answer(options, code, state, shown, True, then=then, stamped=code == 0)


def _answer(
    options: Options,
    code: int,
    state: State,
    changes: list[dict[str, object]],
    written: bool,
    *,
    then: list[str],
    stamped: bool = False,
) -> int:
    """adopt's exit status; with --json, its object on stdout (docs/json.md)."""
    if options.json:
        body = {
            "state": state.kind,
            "tables": list(state.tables),
            "current": list(state.current),
            "differences": [describe(d) for d in state.differences],
            "changes": changes,
            "written": written,
            "stamped": state.revisions[0].revision if stamped else None,
            "next": then,
        }
        print(jsonout.dumps("adopt", code, body))
    return code


def _stamp(
    project: Project, state: State, record: Path, files: list[str], tell: Callable[[str], None]
) -> tuple[int, list[str]]:
    """The stamp, on a match (journaled in `record`); the exit status and the next commands.
    On a database that differs, or that changed since it was compared, nothing is stamped."""
    alembic = alembic_command(project)
    if state.differences:
        then = adopt_report.next_commands(state, alembic, stamped=False)
        tell(adopt_report.not_stamped(state, files, then))
        return 1, then
    left = stamp_baseline(project, state, record, alembic)
    if left:  # the database changed since it was compared
        tell(adopt_report.differences(left))
        say("the database changed meanwhile: nothing stamped, the revision was put back")
        return 1, adopt_report.next_commands(state, alembic, stamped=False)
    tell(adopt_report.adopted(project, state, files, alembic))
    return 0, adopt_report.next_commands(state, alembic, stamped=True)
