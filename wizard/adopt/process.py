"""adopt's process, wizard side: `in_project.adopt` run in the project's interpreter (where env.py,
the app's settings and its database driver live), one JSON request and one JSON answer on a
channel of its own (verify's process: a timeout, the module it hangs or exits in named)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from wizard.errors import WizardError
from wizard.in_project.protocol import AdoptRequest, Error
from wizard.inspection import Project
from wizard.secrets import mask
from wizard.verify.process import Probe, Stopped, describe, stopped_fix, timeout

TIMEOUT = 300.0  # seconds: it reads the whole schema, and renders revisions from it

# what a driver says when no server answered (as opposed to one that answered and refused)
_UNREACHABLE = (
    "connection refused",
    "could not connect",
    "connect call failed",
    "can't connect",
    "timed out",
    "timeout expired",
    "name or service not known",
    "unable to open database file",
)


def ask(project: Project, request: AdoptRequest) -> dict[str, Any]:
    """Run the probe with `request`; its answer. A failure (env.py, the database, a process
    that hangs or exits) is a WizardError that names it, passwords masked."""
    request = {"ini": str(project.alembic.ini_path), "cwd": str(project.root), **request}
    probe = Probe(project.python, project.root, "adopt", warm=())
    try:
        reply = probe.ask(request, timeout(TIMEOUT))
    finally:
        probe.close()
    if reply.answer is None:
        assert reply.stopped is not None
        raise _stopped(project, reply.stopped, stamping=request.get("action") == "stamp")
    if "error" in reply.answer:
        raise _failure(project, reply.answer["error"])
    return reply.answer


class Unfinished(WizardError):
    """adopt's process stopped (killed, timed out) while stamping: the stamp may have been
    committed; the caller says what that leaves."""


def _stopped(project: Project, stopped: Stopped, *, stamping: bool) -> WizardError:
    said = mask(describe(stopped, lambda path: project.rel(Path(path))), ())
    if stamping:
        return Unfinished(f"adopt's process {said}", hint=stopped_fix(stopped))
    return WizardError(f"adopt's process {said}; nothing was written", hint=stopped_fix(stopped))


def _failure(project: Project, error: Error) -> WizardError:
    text = mask(f"{error['type']}: {error['message']}", ())
    where = error.get("file") if error.get("file") and "alembic" not in str(error["file"]) else None
    if any(phrase in text.lower() for phrase in _UNREACHABLE):
        return WizardError(
            f"the database does not answer: {text}; nothing was written",
            hint="start it, or check the URL Alembic uses (`alembic-wizard doctor`)",
        )
    return WizardError(
        f"Alembic's environment failed: {text}; nothing was written",
        path=where or project.alembic.env_path,
        line=error.get("line") if where else None,
        hint="`alembic current` shows the same error; `alembic-wizard doctor` may name the cause",
    )
