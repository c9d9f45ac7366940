"""The last word of a run: what was verified, and the next command to run."""

from __future__ import annotations

from wizard.inspection import Project
from wizard.verify import Rung

_MARKS = {"pass": "ok", "fail": "FAILED", "skip": "skipped", "warn": "WARNING"}


def report(project: Project, rungs: list[Rung], *, rolled_back: bool = False) -> str:
    """What was verified, and the next command to run."""
    lines = ["", "Verification:"]
    for rung in rungs:
        detail = f": {rung.detail}" if rung.detail else ""
        lines.append(f"  {_MARKS[rung.status]:>7}  {rung.name}{detail}")
        if rung.fix:
            lines.append(f"           fix: {rung.fix}")
    if rolled_back:
        lines += ["", "Nothing was kept: fix the failure above, then run alembic-wizard again."]
    elif all(r.status != "fail" for r in rungs):
        where = project.rel(project.root)
        command = "alembic" if where in (".", "") else f"cd {where} && alembic"
        ini = project.alembic.ini_path  # in a sub-folder: named, as Alembic runs in the root
        if ini.parent != project.root and project.alembic.style == "ini":
            command += f" -c {ini.relative_to(project.root).as_posix()}"
        if any(r.status == "warn" for r in rungs):
            lines += ["", "Read the WARNING lines above before you write a revision."]
        lines += [
            "",
            "Next:",
            f'  {command} revision --autogenerate -m "create tables"',
            f"  {command} upgrade head",
        ]
    return "\n".join(lines)
