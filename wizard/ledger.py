"""What this run has written and kept: the record folder of each apply that completed. An
undo renames its record, so a folder still there is an apply still in place. Whatever stops
the run afterwards (an internal error, a Ctrl-C, a report that cannot be printed) says
what the ledger says, never "nothing was written" by default."""

from __future__ import annotations

from pathlib import Path

from wizard.stamps import stamped

_written: list[Path] = []


def begin() -> None:
    """A new run (in-process callers run many)."""
    _written.clear()


def wrote(folder: Path) -> None:
    """An apply completed: every file of `folder`'s record is written."""
    _written.append(folder)


def kept() -> list[Path]:
    """The records of this run's applies that are still in place (not undone)."""
    return [f for f in _written if f.is_dir()]


def left() -> str:
    """What the run leaves, for the end of a message that stops it."""
    found = kept()
    if not found:
        return "nothing was written"
    revision = stamped(found[-1])
    also = "" if revision is None else f", and the database stamped at {revision}"
    return f"the files were written ({found[-1].name}){also}: undo with `alembic-wizard undo`"
