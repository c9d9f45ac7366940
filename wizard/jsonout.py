"""`--json`: one object on stdout per run, in the shapes docs/json.md documents. Paths and
actions only, never a file's contents; every detail was masked before it got here.
Standard library only: the error path of the CLI imports this."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wizard.change import Change
    from wizard.verify.rungs import Rung

VERSION = 1


def dumps(command: str, exit_status: int, body: Mapping[str, object]) -> str:
    """The object for `command`: version, command and exit status first."""
    head: dict[str, object] = {"version": VERSION, "command": command, "exit_status": exit_status}
    return json.dumps({**head, **body}, indent=2)


def error_object(
    command: str, exit_status: int, exc: BaseException, message: str, hint: str | None
) -> str:
    """What stopped the run: the message and hint the user sees on stderr."""
    path = getattr(exc, "path", None)
    where = None
    if path is not None:
        where = Path(path)
        if where.is_absolute() and Path.cwd() in where.parents:
            where = where.relative_to(Path.cwd())
    error = {
        "message": message,
        "path": where.as_posix() if where is not None else None,
        "line": getattr(exc, "line", None),
        "hint": hint,
    }
    return dumps(command, exit_status, {"error": error})


def changes(items: Iterable[Change], labels: Mapping[str, str]) -> list[dict[str, object]]:
    """Per file: the action and the path (relative to the project folder)."""
    return [{"action": c.action, "path": labels[str(c.path)]} for c in items]


def rungs(items: Iterable[Rung]) -> list[dict[str, object]]:
    """The verification ladder: name, status (pass, fail, skip), detail and fix."""
    return [{"name": r.name, "status": r.status, "detail": r.detail, "fix": r.fix} for r in items]
