"""One function per command, each taking the typed `Options`: the stages in order,
inspect -> decide -> plan -> show -> apply -> verify -> report. (`inspect` is in cli.py: the
light path, which imports none of the later stages.)"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from wizard import doctor, guard, jsonout, secrets
from wizard.adopt import after_setup
from wizard.adopt.command import adopt_command, adopt_project
from wizard.answers import Answers
from wizard.apply import Applied
from wizard.change import Plan
from wizard.decide import decide, prompts
from wizard.decide.decider import Decider
from wizard.errors import WizardError
from wizard.inspection import Project, read_files, read_folder
from wizard.inspection.summary import interpreter_line
from wizard.options import Options, read_project
from wizard.outcome import Outcome, finish, planned
from wizard.plan import build, runner
from wizard.plan.project_files import gitignore_change
from wizard.show import status_line
from wizard.store import written_path
from wizard.target import Target
from wizard.undo import undo
from wizard.undo_command import undo_command
from wizard.verify import Probe, baseline, constraint_names, install, review, verify
from wizard.verify.rungs import HOOKS, STOPPED
from wizard.writing import recovered, say, show_and_apply, show_and_confirm, write, writing


def run(options: Options, probe: Probe | None = None) -> int:
    """The command `options` names; returns the exit status."""
    if options.command == "undo":
        return undo_command(options)
    if options.command == "guard":
        return guard_command(options)
    if options.command == "adopt":
        return adopt_command(options)
    if options.command == "doctor":
        return explain_command(options) if options.error is not None else doctor_command(options)
    if options.command == "runner":
        return runner_command(options)
    code = setup_command(options, probe)
    rails = options.flags.rails is not None or options.flags.naming
    if code == 0 and options.command == "setup" and rails and not options.dry_run:
        return guard_command(options)  # `alembic-wizard --rails ...`: the guard rails next
    return code


def explain_command(options: Options) -> int:
    """`doctor --error`: the rule that explains a pasted error message."""
    text = sys.stdin.read() if options.error == "-" else options.error or ""
    explained = doctor.explain(text)
    code = 0 if explained else 1
    if options.json:
        rules = [
            {"rule": r.id, "name": r.name, "why": r.why, "fix": r.fix} for r in doctor.lookup(text)
        ]
        print(jsonout.dumps("doctor", code, {"rules": rules}))
    else:
        print(explained or "no known rule explains this message")
    return code


def doctor_command(options: Options) -> int:
    """Read-only diagnosis; 1 when anything is found."""
    project = read_project(options, env_imports=True)
    findings = doctor.diagnose(project)
    if options.review:
        findings += doctor.risk_findings(project, review(project))
    known = secrets.in_bindings(kv for env in project.env_files for kv in env.values())
    if options.json:
        found = [
            {k: secrets.mask(v, known) if isinstance(v, str) else v for k, v in d.items()}
            for d in doctor.as_dicts(findings)
        ]
        print(jsonout.dumps("doctor", 1 if findings else 0, {"findings": found}))
    else:
        print(secrets.mask(doctor.report(findings), known))
    return 1 if findings else 0


def guard_command(options: Options) -> int:
    """Guard rails for an existing setup, shown as a plan and written once confirmed."""
    project = read_project(options)
    answers, target = decide(
        project, options.flags, yes=options.yes, interactive=options.interactive
    )
    project = read_files(read_folder(project, answers.migrations), guard.paths(project))
    decider = Decider(options.flags, yes=options.yes, interactive=options.interactive)
    rails = guard.ask_rails(decider, options.flags.rails)
    convention = choose_convention(project) if "naming" in rails else None
    changes, notes = guard.plan(project, answers, target, rails, convention)
    if convention is not None:  # the reason, before anything is written
        say(f"naming convention: {convention.why}")
    plan = Plan(tuple(changes), target.secrets)
    applied = show_and_apply(project, plan, options)
    for note in notes:
        say(note)
    return finish(options, project, Outcome(planned(project, plan), applied), [], 0, then=[])


def runner_command(options: Options) -> int:
    """`runner`: write the start-up runner module (shown, confirmed, undoable)."""
    project = read_project(options)
    where = runner.locate(project)
    project = read_files(project, [where.path, written_path(project.root, where.path)])
    ignores = gitignore_change(project, [], runner.ignored(project))
    plan = Plan((runner.runner_change(project, where), *ignores), frozenset())
    applied = show_and_apply(project, plan, options)
    if applied is not False and not options.json:
        print(runner.next_steps(where, project.python_command, runner.framework(project)))
    outcome = Outcome(planned(project, plan), applied)
    then = [f"{project.python_command} -m {where.module}"]
    return finish(options, project, outcome, [], 0, then=then)


def choose_convention(project: Project) -> guard.naming.Choice:
    """The naming convention that reproduces the database's names (read-only)."""
    try:
        names = constraint_names(project)
    except WizardError as exc:  # asked for explicitly: say what it is based on
        why = f"{_unread(exc.message)}: SQLAlchemy's recommended one; "
        return guard.naming.Choice(guard.naming.RECOMMENDED, why + "check `alembic check` after")
    return guard.naming.choose(names)


_REFUSALS = ("access denied", "authentication failed", "password", "does not exist")


def _unread(message: str) -> str:
    """Why the database's names could not be read: a server that refused the login is not
    one that did not answer."""
    if any(word in message.lower() for word in _REFUSALS):
        return f"the database refused the connection ({message})"
    return f"the database could not be read ({message})"


def setup_command(options: Options, probe: Probe | None) -> int:
    """setup and verify: inspect, decide, plan; then show and apply, or only verify."""
    project = read_project(options)
    project = recovered(project, options)
    for item in project.skipped:
        where = f"{project.rel(item.path)}:{item.line}" if item.line else project.rel(item.path)
        say(status_line("skip", f"{where} ({item.said})", color=options.color))
    say(status_line("python", interpreter_line(project), color=options.color))
    for notice in project.notices:
        say(f"note: {notice}")
    if probe is not None and probe.python != project.python:  # started with a wrong guess
        probe.close()
        probe = Probe(project.python, project.root)
    try:
        answers, target = decide(
            project, options.flags, yes=options.yes, interactive=options.interactive
        )
        for note in answers.notes:
            say(f"note: {note}")
        project = read_folder(project, answers.migrations)
        plan = build(project, answers, target)
        if options.command == "verify":
            return _verify_and_report(project, answers, target, options, probe, Outcome())
        go = show_and_confirm(project, plan, options)
        outcome = Outcome(planned(project, plan), None if go == "verify" else False)
        if go == "write":
            return _apply_and_verify(project, plan, (answers, target), options, probe, outcome)
        if go == "verify" and options.verify and not options.dry_run:
            return _verify_and_report(project, answers, target, options, probe, outcome)
        return finish(options, project, outcome, [], 0)
    finally:
        if probe is not None:
            probe.close()


def _apply_and_verify(
    project: Project,
    plan: Plan,
    decided: tuple[Answers, Target],
    options: Options,
    probe: Probe | None,
    outcome: Outcome,
) -> int:
    """Write under the project's lock, held until verification (which may undo) is over."""
    progress = Applied()
    with writing(project, progress, " during verification"):
        outcome = replace(outcome, applied=write(project, plan, progress))
        if not options.verify:
            return finish(options, project, outcome, [], 0)
        answers, target = decided
        return _verify_and_report(project, answers, target, options, probe, outcome)


# failures that a package install or the database explain, and a verification that did not
# finish (no verdict on the files): what was written stays
_NOT_OURS = {
    "driver installed",
    "packages installed",
    "Alembic URL connects",
    "same database",
    "database",
    "pending operations",
    "database revision",
    STOPPED,
    HOOKS,
    baseline.UNCREATED,
}


def _verify_and_report(
    project: Project,
    answers: Answers,
    target: Target,
    options: Options,
    probe: Probe | None,
    outcome: Outcome,
) -> int:
    rungs = verify(project, answers, target, online=options.online, probe=probe)
    command = install.install_command(rungs)
    if command is not None and _may_install(options, command):
        say(f"installing: {command}")
        code = install.run_install(command, project.top)
        if code == 0:
            project = install.reread(project)
            rungs = verify(project, answers, target, online=options.online)
        else:
            say(f"the install failed (exit {code}); verification shows what is still missing")
    existing = after_setup.existing_tables(project, rungs)
    if existing is not None:
        rungs = [*rungs, baseline.existing_rung(project, len(existing.tables))]
    failed = [r for r in rungs if r.status == "fail"]
    ours = [r for r in failed if r.name not in _NOT_OURS]
    applied = outcome.applied
    rolled_back = isinstance(applied, Path) and bool(ours)
    stopped = next((r for r in failed if r.name == STOPPED), None)
    code = finish(options, project, outcome, rungs, 1 if failed else 0, rolled_back=rolled_back)
    if rolled_back and isinstance(applied, Path):
        undo(project.root, applied, outside=True)  # this run's own record
        say(f"verification failed ({ours[0].name}): every file the wizard wrote was put back")
    elif stopped is not None and isinstance(applied, Path):  # no verdict on the files
        say(f"written, not verified: {stopped.detail}; undo with `alembic-wizard undo`")
    elif existing is not None and _ask_to_adopt(options):
        again = read_project(options)
        return adopt_project(again, options)
    return code


def _may_install(options: Options, command: str) -> bool:
    """`--install`, or yes to the question at a terminal (never under plain --yes: it
    changes the project's environment)."""
    if options.install:
        return True
    if not options.interactive or options.yes or options.json:
        return False
    return prompts.confirm(f"Install what is missing now ({command})?")


def _ask_to_adopt(options: Options) -> bool:
    """At the end of setup, for a database with tables and no alembic_version; never under
    --yes (stamping a database is adopt's to do, when asked)."""
    if not options.interactive or options.yes or options.json:
        return False
    return prompts.confirm("Adopt the existing database now (a baseline revision)?")
