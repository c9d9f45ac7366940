"""Install what verification found missing, with the user's consent, so a first run on a
fresh project can end green in the same run (`--install`, or a question at a terminal)."""

from __future__ import annotations

import shlex
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from wizard.inspection import Project
from wizard.inspection.environment import read_environment
from wizard.inspection.hooks import declared
from wizard.verify.rungs import INSTALL, Rung

_SEPARATOR = "&&"  # `python -m ensurepip && python -m pip install ...`


def install_command(rungs: Sequence[Rung]) -> str | None:
    """The one command a failed `packages installed` rung names, if any."""
    failed = (r for r in rungs if r.name == INSTALL and r.status == "fail")
    return next((r.values[0] for r in failed if r.values), None)


def run_install(command: str, cwd: Path) -> int:
    """Run the printed command as printed, without a shell (a package name a cloned
    repository declares is an argument, never shell text); its output goes to stderr, so
    a `--json` report on stdout stays whole. The first non-zero exit, else 0."""
    words = shlex.split(command)
    steps: list[list[str]] = [[]]
    for word in words:
        if word == _SEPARATOR:
            steps.append([])
        else:
            steps[-1].append(word)
    for step in (s for s in steps if s):
        code = _run(step, cwd)
        if code != 0:
            return code
    return 0


def _run(step: list[str], cwd: Path) -> int:
    try:
        sys.stderr.flush()
        out: int | None = sys.stderr.fileno()  # as it goes, for a long install
    except (AttributeError, OSError, ValueError):  # a stream without a file (captured)
        out = subprocess.PIPE
    try:
        done = subprocess.run(step, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, check=False)
    except OSError as exc:  # `uv`/`poetry` not on PATH
        sys.stderr.write(f"error: {step[0]}: {exc.strerror or exc}\n")
        return 127
    if done.stdout:
        sys.stderr.write(done.stdout.decode(errors="replace"))
    return done.returncode


def reread(project: Project) -> Project:
    """The project with its interpreter asked again what it has (after an install)."""
    hooks = [h.key for h in declared(project.alembic)]
    found = read_environment(project.root, project.top, project.python, hooks)
    fields = found.project_fields()
    fields.pop("notices")  # said once already
    return replace(project, **fields)
