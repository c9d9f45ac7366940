"""What every writing command shares: show a plan and ask, then write it under the project's
lock, saying exactly what a Ctrl-C left; and, before anything is planned, the rollback of an
apply a kill cut short."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

from wizard.apply import Applied, apply, outside_links, own_copies
from wizard.change import Plan
from wizard.decide import prompts
from wizard.errors import Interrupted, WizardError
from wizard.inspection import Project
from wizard.inspection.access import check_can_write
from wizard.journal import interrupted
from wizard.options import Options, read_project
from wizard.secrets import mask
from wizard.show import colored_diff, diff, show, status_line, summary
from wizard.store import locked
from wizard.textio import real_path
from wizard.undo import recover


def say(message: str) -> None:
    """A status line, on stderr."""
    sys.stderr.write(message + "\n")


def recovered(project: Project, options: Options) -> Project:
    """An apply a kill cut short is rolled back before anything is planned (so no plan, and
    no backup, is ever taken of a half-applied project); the project is then read afresh."""
    cut = interrupted(project.root)
    if not cut:
        return project
    if options.dry_run or options.command != "setup":
        say(
            f"note: an apply was cut short ({project.rel(cut[-1])}); run `alembic-wizard` or "
            "`alembic-wizard undo` to put its files back"
        )
        return project
    for path in recover(project.root, outside=options.follow_outside, project=project.top):
        say(status_line("restore", project.rel(path), color=options.color))
    say(f"an apply was cut short ({cut[-1].name}): its files are back as they were")
    return read_project(options)


def show_and_confirm(project: Project, plan: Plan, options: Options) -> str:
    """Show the plan and ask: `write`, `verify` (nothing to write) or `stop` (dry run, or
    the user said no)."""
    labels = {str(c.path): project.rel(c.path) for c in plan.changes}
    diffs = (options.diff or options.dry_run) and not options.json  # stdout is the JSON's
    show(
        plan.changes,
        labels,
        plan.secrets,
        sys.stdout,
        sys.stderr,
        color=options.color,
        diffs=diffs,
        color_out=options.color_out,
    )
    _check_conflicts(plan, project, options)
    if not plan.pending:
        say("nothing to change: the setup is up to date")
        return "verify"
    say(summary(plan.changes) + ("" if diffs or options.json else " (--diff shows every change)"))
    if options.dry_run:
        say(f"dry run: {len(plan.pending)} file(s) would change; nothing was written")
        return "stop"
    _check_outside(plan, project, options)
    if not options.yes and not _confirmed(project, plan, options, shown=diffs or options.json):
        say("nothing was written")
        return "stop"
    check_can_write(project.root, [c.path for c in plan.pending])  # read-only: one line
    own_copies(plan.pending, project.root)  # before the lock is taken: a refusal writes nothing
    return "write"


def _confirmed(project: Project, plan: Plan, options: Options, *, shown: bool) -> bool:
    """Yes to writing the plan; until then, `d` shows the diff of every file to be written
    (unless it is on the screen already, or stdout holds the JSON)."""
    question = f"Write these {len(plan.pending)} file(s)?"
    if shown:
        return prompts.confirm(question)
    while (answer := prompts.confirm_or_diff(question)) == "diff":
        for change in plan.pending:
            text = mask(diff(change, project.rel(change.path)), plan.secrets)
            sys.stdout.write(colored_diff(text, color=options.color_out))
        sys.stdout.flush()
    return answer == "yes"


def _check_outside(plan: Plan, project: Project, options: Options) -> None:
    """A symlink that leads out of the project is followed only with the user's yes."""
    bounds = [project.top, project.root]
    for link, real in outside_links(plan.pending, bounds) + _outside_env_links(plan, project):
        if options.follow_outside:
            continue
        question = f"{project.rel(link)} is a link to {real}, outside the project: write there?"
        if options.yes or not prompts.confirm(question, default=False):
            raise WizardError(
                f"a link to {real}, outside the project; nothing was written",
                path=link,
                hint="pass --follow-outside to edit the file it leads to (the link is kept)",
            )


def _outside_env_links(plan: Plan, project: Project) -> list[tuple[Path, Path]]:
    """Env files reached through a link out of the project: inspection reads them at the
    link's target, so the plan's change is there and not at a link."""
    bounds = [real_path(b) for b in (project.top, project.root)]
    links = {s.path: s.link for s in project.env_files if s.link is not None}
    return [
        (links[c.path], c.path)
        for c in plan.pending
        if c.path in links and not any(c.path.is_relative_to(b) for b in bounds)
    ]


def write(project: Project, plan: Plan, progress: Applied) -> Path | None:
    """Apply the plan (inside `writing`); the record folder, its backups."""
    folder = apply(plan.changes, project.root, progress, project.files)
    if folder is not None and any(c.action == "modify" for c in plan.pending):
        say(f"backups of the modified files: {project.rel(folder)}")  # none when all are new
    return folder


@contextlib.contextmanager
def _told(progress: Applied, when: str) -> Iterator[None]:
    """Ctrl-C once every file is written says so, and how to undo them (an interrupted apply
    has put everything back and says that itself)."""
    try:
        yield
    except KeyboardInterrupt as exc:
        if progress.folder is None or isinstance(exc, Interrupted):
            raise
        raise Interrupted(
            f"interrupted{when}; the files were written: undo with `alembic-wizard undo`"
        ) from None


def _check_conflicts(plan: Plan, project: Project, options: Options) -> None:
    """Edits of the user's that the new files would drop: shown, and asked about."""
    for change in plan.pending:
        if not change.lost or options.force or options.dry_run:
            continue
        shown = mask("\n".join(f"    {line}" for line in change.lost[:10]), plan.secrets)
        say(f"{project.rel(change.path)}: your edits would be lost:\n{shown}")
        if options.yes or not prompts.confirm("Overwrite them (a backup is kept)?", default=False):
            raise WizardError(
                "your edits would be lost; nothing was written",
                path=change.path,
                hint="move them into a hook function (kept across runs), or pass --force"
                if change.path.name == "env.py"
                else "pass --force to overwrite them (a backup is kept)",
            )


def show_and_apply(project: Project, plan: Plan, options: Options) -> Path | bool | None:
    """Show the plan, and write it once confirmed: the record folder of what was written,
    None when there was nothing to write, False when nothing is written."""
    go = show_and_confirm(project, plan, options)
    if go != "write":
        return None if go == "verify" else False
    progress = Applied()
    with writing(project, progress, ""):
        return write(project, plan, progress)


@contextlib.contextmanager
def writing(project: Project, progress: Applied, when: str) -> Iterator[None]:
    """The project's lock, held for the whole block (an apply and the verification that may
    undo it), and Ctrl-C after the last file was written told as such."""
    with _told(progress, when), locked(project.root):
        yield
