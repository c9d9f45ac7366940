"""The run, stage by stage: inspect -> questions -> plan -> show -> apply -> verify -> report."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from wizard import prompts
from wizard.answers import Answers, Flags
from wizard.apply import apply, undo
from wizard.errors import WizardError
from wizard.plan import Plan, build
from wizard.probeproc import Probe
from wizard.project import Project, inspect
from wizard.questions import decide
from wizard.show import show, status_line
from wizard.verify import Rung, verify

_MARKS = {"pass": "ok", "fail": "FAILED", "skip": "skipped"}


def _flags(args: argparse.Namespace) -> Flags:
    models = tuple(m.strip() for m in args.models.split(",") if m.strip()) if args.models else None
    return Flags(
        dialect=args.dialect,
        sync_driver=args.sync_driver,
        metadata=args.metadata,
        models=models,
        settings=args.settings,
        env_file=args.env_file,
        migrations=args.migrations,
        mode=args.mode,
        add_deps=args.add_deps,
    )


def _say(message: str) -> None:
    sys.stderr.write(message + "\n")


def run_wizard(
    args: argparse.Namespace, *, interactive: bool, color: bool, probe: Probe | None = None
) -> int:
    """Every stage in order; returns the exit status."""
    if args.command == "undo":
        return _undo(Path(args.project).resolve(), color)
    if args.command == "doctor" and args.error is not None:
        from wizard.doctor import explain

        text = sys.stdin.read() if args.error == "-" else args.error
        explained = explain(text)
        print(explained or "no known rule explains this message")
        return 0 if explained else 1
    project = inspect(Path(args.project), python=args.python)
    if args.command == "doctor":
        from wizard import doctor

        findings = doctor.diagnose(project)
        if args.json:
            print(json.dumps(doctor.as_dicts(findings), indent=2))
        else:
            print(doctor.report(findings))
        return 1 if findings else 0
    for item in project.skipped:
        where = f"{project.rel(item.path)}:{item.line}" if item.line else project.rel(item.path)
        _say(status_line("skip", f"{where} (does not parse: {item.why})", color=color))
    if probe is not None and probe.python != project.python:  # started with a wrong guess
        probe.close()
        probe = Probe(project.python, project.root)
    try:
        return _stages(project, args, probe, interactive=interactive, color=color)
    finally:
        if probe is not None:
            probe.close()


def _check_conflicts(plan: Plan, project: Project, args: argparse.Namespace) -> None:
    """Edits of the user's that the new files would drop: shown, and asked about."""
    for change in plan.pending:
        if not change.lost or args.force or args.dry_run:
            continue
        shown = "\n".join(f"    {line}" for line in change.lost[:10])
        _say(f"{project.rel(change.path)}: your edits would be lost:\n{shown}")
        if args.yes or not prompts.confirm("Overwrite them (a backup is kept)?", default=False):
            raise WizardError(
                "your edits would be lost; nothing was written",
                path=change.path,
                hint="move them into a hook function (kept across runs), or pass --force",
            )


def _undo(top: Path, color: bool) -> int:
    from wizard.apply import BACKUP_DIR

    if not (top / BACKUP_DIR).is_dir():  # backups live beside alembic.ini, in the project root
        top = inspect(top).root
    folder, paths = undo(top)
    for path in paths:
        try:
            shown = path.relative_to(top).as_posix()
        except ValueError:
            shown = str(path)
        _say(status_line("restore", shown, color=color))
    kept = folder.name.replace("backup-", "undone-", 1)
    _say(f"undone: the apply recorded in {folder.name} (its backups are kept in {kept})")
    return 0


def _stages(
    project: Project,
    args: argparse.Namespace,
    probe: Probe | None,
    *,
    interactive: bool,
    color: bool,
) -> int:
    answers = decide(project, _flags(args), yes=args.yes, interactive=interactive)
    for note in answers.notes:
        _say(f"note: {note}")
    plan = build(project, answers)
    if args.command == "verify":
        return _verify_and_report(project, answers, plan, args, probe)
    labels = {str(c.path): project.rel(c.path) for c in plan.changes}
    show(plan.changes, labels, plan.secrets, sys.stdout, sys.stderr, color=color)
    _check_conflicts(plan, project, args)
    if not plan.pending:
        _say("nothing to change: the setup is up to date")
    elif args.dry_run:
        _say(f"dry run: {len(plan.pending)} file(s) would change; nothing was written")
        return 0
    else:
        if not args.yes and not prompts.confirm(f"Write these {len(plan.pending)} file(s)?"):
            _say("nothing was written")
            return 0
        backups = apply(plan.changes, project.root)
        if backups is not None:
            _say(f"backups of the modified files: {project.rel(backups)}")
    if args.no_verify or args.dry_run:
        return 0
    return _verify_and_report(project, answers, plan, args, probe)


def _verify_and_report(
    project: Project, answers: Answers, plan: Plan, args: argparse.Namespace, probe: Probe | None
) -> int:
    rungs = verify(
        project, answers, plan.sync_url, plan.secrets, online=not args.offline, probe=probe
    )
    print(report(project, rungs))
    return 1 if any(r.status == "fail" for r in rungs) else 0


def report(project: Project, rungs: list[Rung]) -> str:
    """What was verified, and the next command to run."""
    lines = ["", "Verification:"]
    for rung in rungs:
        detail = f": {rung.detail}" if rung.detail else ""
        lines.append(f"  {_MARKS[rung.status]:>7}  {rung.name}{detail}")
        if rung.fix:
            lines.append(f"           fix: {rung.fix}")
    if all(r.status != "fail" for r in rungs):
        where = project.rel(project.root)
        cd = "" if where in (".", "") else f"cd {where} && "
        lines += [
            "",
            "Next:",
            f'  {cd}alembic revision --autogenerate -m "create tables"',
            f"  {cd}alembic upgrade head",
        ]
    return "\n".join(lines)
