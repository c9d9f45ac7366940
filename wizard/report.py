"""The last word of a run: what was verified, and the next commands to run, as the user's
shell runs them (the project's runner: `uv run alembic`, `.venv/bin/alembic`) and as the
state calls for (a first revision, pending operations, or nothing to do)."""

from __future__ import annotations

import shlex

from wizard.inspection import Project
from wizard.show import MARK_COLORS, paint
from wizard.verify import Rung
from wizard.verify.baseline import ADOPT, EXISTING
from wizard.verify.rungs import INSTALL, UNSET

_MARKS = {"pass": "ok", "fail": "FAILED", "skip": "skipped", "warn": "WARNING"}
# failures an install fixes: the next steps start with that install


def report(
    project: Project, rungs: list[Rung], *, rolled_back: bool = False, color: bool = False
) -> str:
    """What was verified, and the next commands to run."""
    lines = ["", "Verification:"]
    for rung in rungs:
        detail = f": {rung.detail}" if rung.detail else ""
        mark = _MARKS[rung.status]
        shown = paint(f"{mark:>7}", MARK_COLORS[mark], color=color)
        lines.append(f"  {shown}  {rung.name}{detail}")
        if rung.fix:
            lines.append(f"           fix: {rung.fix}")
    if rolled_back:
        lines += ["", "Nothing was kept: fix the failure above, then run alembic-wizard again."]
    elif all(r.status != "fail" or r.name == INSTALL for r in rungs):
        what, commands = next_steps(project, rungs)
        if any(r.status == "warn" and r.name != EXISTING for r in rungs):
            lines += ["", "Read the WARNING lines above before you write a revision."]
        lines += ["", f"Next: {what}", *(f"  {c}" for c in commands)]
    return "\n".join(lines)


def alembic_command(project: Project) -> str:
    """The project's Alembic as the user's shell runs it from the folder the wizard was
    pointed at: `cd` to the root, the project's runner, `-c` for a config Alembic would not
    find by itself (another name, a sub-folder)."""
    where = project.rel(project.root)
    command = project.alembic_command
    if where not in (".", ""):
        command = f"cd {shlex.quote(where)} && {command}"
    return command + project.alembic.config_option(project.root)  # another name or folder


def next_commands(project: Project, rungs: list[Rung]) -> list[str]:
    """The commands to run next, as printed under "Next:"."""
    return next_steps(project, rungs)[1]


def next_steps(project: Project, rungs: list[Rung]) -> tuple[str, list[str]]:
    """What the state calls for, in words, and the commands that do it."""
    found = {r.name: r for r in rungs}
    alembic = alembic_command(project)
    install = [r.values[0] for r in rungs if r.name == INSTALL and r.values]
    offline = found.get("upgrade head --sql")
    heads = offline.values if offline is not None else project.alembic.heads
    current, pending = found.get("alembic current"), found.get("pending operations")
    first = [found.get(UNSET), found.get("env.py imports")]  # the app's URL, its files
    install = [*(v for r in first if r and r.status == "skip" for v in r.values), *install]
    if EXISTING in found:  # create_all made the tables: a first revision would be empty
        return ("the database already has tables: adopt it (a baseline revision that creates "
                "them on a fresh database, stamped here only if it matches the models)",
                [*install, ADOPT])  # fmt: skip
    if not heads:
        if pending is not None and not pending.values:
            return ("no revision yet, and the database already matches the models: record "
                    "that as the first revision", [f'{alembic} revision -m "baseline"',
                    f"{alembic} stamp head"])  # fmt: skip
        return ("no revision yet: create the first one from the models, then apply it",
                [*install, f'{alembic} revision --autogenerate -m "create tables"',
                 f"{alembic} upgrade head"])  # fmt: skip
    # `upgrade head` and `revision` refuse until the branches are merged
    merge = [f'{alembic} merge heads -m "merge heads"'] if len(heads) > 1 else []
    if current is None or pending is None:
        return ("apply the existing revisions, then see whether the models changed since "
                "(the database was not checked)",
                [*install, *merge, f"{alembic} upgrade head", f"{alembic} check"])  # fmt: skip
    if set(current.values) != set(heads) or merge:
        at = ", ".join(current.values) or "no revision"
        return f"the database is at {at}, not at head: apply the revisions", [
            *merge,
            f"{alembic} upgrade head",
        ]
    count = len(pending.values)
    if not count:
        return "nothing to migrate: the database is at head and matches the models", []
    noun = "operation" if count == 1 else "operations"
    return (f"{count} {noun} pending: generate a revision, review it, then apply it",
            [f'{alembic} revision --autogenerate -m "update schema"',
             f"{alembic} upgrade head"])  # fmt: skip
