"""adopt's process, wizard side: `in_project.py` run in the project's interpreter (where env.py,
the app's settings and its database driver live), one JSON request and one JSON answer."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from wizard.errors import WizardError
from wizard.inspection import Project
from wizard.secrets import mask

PROBE = Path(__file__).with_name("in_project.py")

# what a driver says when no server answered (as opposed to one that answered and refused)
_UNREACHABLE = ("connection refused", "could not connect", "connect call failed",
                "can't connect", "timed out", "timeout expired", "name or service not known",
                "unable to open database file")  # fmt: skip


def ask(project: Project, request: dict[str, Any]) -> dict[str, Any]:
    """Run the probe with `request`; its answer. A failure (env.py, the database) is a
    WizardError that names it, passwords masked."""
    request = {"ini": str(project.alembic.ini_path), "cwd": str(project.root), **request}
    done = subprocess.run(
        [project.python, str(PROBE)], input=json.dumps(request), cwd=project.root,
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    try:
        answer: dict[str, Any] = json.loads(lines[-1]) if lines else {}
    except json.JSONDecodeError:
        answer = {}
    if not answer:
        last = next((x for x in reversed(done.stderr.splitlines()) if x.strip()), "no answer")
        raise WizardError(
            f"the adopt process failed: {mask(last.strip(), ())}",
            path=project.python,
            hint="rerun with --traceback and report it",
        )
    if "error" in answer:
        raise _failure(project, answer["error"])
    return answer


def _failure(project: Project, error: dict[str, Any]) -> WizardError:
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
