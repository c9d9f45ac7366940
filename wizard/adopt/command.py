"""`alembic-wizard adopt`: the database's state, its differences from the models in plain
words, the baseline revision (shown, confirmed, undoable), and the stamp, only on a match.
With --json the words go to stderr and stdout holds one object (docs/json.md)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from wizard import jsonout
from wizard.adopt import State, describe, examine, refuse, stamp
from wizard.adopt import changes as revision_changes
from wizard.adopt import report as adopt_report
from wizard.change import Plan
from wizard.inspection import Project, inspect
from wizard.journal import STAMPED
from wizard.journal import note as journal_note
from wizard.options import Options
from wizard.report import alembic_command
from wizard.undo import undo
from wizard.writing import say, show_and_apply


def adopt_command(options: Options) -> int:
    """Adopt the database that exists: a baseline revision, stamped only when the database
    matches the models; 1 when it does not (nothing stamped)."""
    project = inspect(options.project, python=options.python, config=options.config)
    return adopt_project(project, options)


def adopt_project(project: Project, options: Options) -> int:
    """Adopt the database of `project` (read before): state, differences, revisions, stamp."""
    tell = say if options.json else print  # with --json, stdout holds the object alone
    for note in adopt_report.create_all_notes(project):
        say(f"note: {note}")
    state = examine(project)
    tell(f"Database: {adopt_report.state_line(state)}")
    refuse(project, state)  # a revision the scripts lack, a history already begun
    alembic = alembic_command(project)
    if state.kind != "unversioned":
        then = adopt_report.next_commands(state, alembic, stamped=False)
        tell(adopt_report.nothing_to_adopt(state, then))
        return _answer(options, 0, state, [], False, then=then)
    tell(adopt_report.differences(state.differences))
    plan = Plan(revision_changes(state), frozenset())
    files = [project.rel(c.path) for c in plan.changes]
    record = show_and_apply(project, plan, options)
    written = record is not False
    shown = jsonout.changes(plan.changes, {str(c.path): project.rel(c.path) for c in plan.changes})
    if not written:
        return _answer(options, 1 if state.differences else 0, state, shown, False, then=[])
    if state.differences:
        then = adopt_report.next_commands(state, alembic, stamped=False)
        tell(adopt_report.not_stamped(state, files, then))
        return _answer(options, 1, state, shown, True, then=then)
    stamped = _stamp(project, state, files, tell, alembic)
    if stamped and isinstance(record, Path):  # undo then says the stamp stays
        journal_note(record, f"{STAMPED} {state.revisions[0].revision}")
    then = adopt_report.next_commands(state, alembic, stamped=stamped)
    return _answer(options, 0 if stamped else 1, state, shown, True, then=then, stamped=stamped)


def _answer(
    options: Options, code: int, state: State, changes: list[dict[str, object]], written: bool,
    *, then: list[str], stamped: bool = False,
) -> int:  # fmt: skip
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
    project: Project, state: State, files: list[str], tell: Callable[[str], None],
    alembic: str,
) -> bool:  # fmt: skip
    """Stamp the baseline; any failure puts the written revision back. False: the database
    changed since it was compared (nothing stamped)."""
    try:
        left = stamp(project, state.revisions[0].revision)
    except BaseException:
        undo(project.root)
        raise
    if left:  # the database changed since it was compared
        undo(project.root)
        tell(adopt_report.differences(left))
        say("the database changed meanwhile: nothing stamped, the revision was put back")
        return False
    tell(adopt_report.adopted(project, state, files, alembic))
    return True
