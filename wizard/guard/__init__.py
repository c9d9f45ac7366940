"""Guard rails the user opts into, for an existing setup: a migration test (pytest-alembic),
a CI workflow, a pre-commit hook, the project's formatter as a `post_write_hooks` entry.
Planning is pure, as for setup: file changes the command shows, applies and can undo."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from wizard.answers import Answers
from wizard.change import Change
from wizard.decide.decider import Decider
from wizard.errors import WizardError
from wizard.guard import ci, ci_inputs, formatter, migration_test, naming, precommit
from wizard.inspection import Project
from wizard.plan.checks import check_parses
from wizard.target import Target

RAILS = ("test", "ci", "pre-commit", "format")  # the defaults; "naming" only when asked for
RAIL_HELP = {
    "test": "tests/test_migrations.py (pytest-alembic, on a test database)",
    "ci": ".github/workflows/migrations.yml (doctor, one head, alembic check)",
    "pre-commit": ".pre-commit-config.yaml: alembic-wizard doctor",
    "format": "post_write_hooks: new revisions formatted by ruff or black",
    "naming": "a constraint naming convention matching the database (asked, never a default)",
}


def paths(project: Project) -> list[Path]:
    """Every file the guard rails may read or write, for inspection to read once."""
    root, top = project.root, project.top
    return [
        *ci_inputs.paths(project),
        root / migration_test.TEST_FILE,
        top / ci.WORKFLOW,
        top / precommit.CONFIG,
        *(d / n for d in (root, top) for n in ("pyproject.toml", "ruff.toml", ".ruff.toml")),
        project.alembic.ini_path,
        *([project.alembic.toml_path] if project.alembic.toml_path else []),
        *(
            project.module_paths[m.module]
            for m in project.metadatas
            if m.module in project.module_paths
        ),
    ]


def ask_rails(decider: Decider, given: Sequence[str] | None) -> tuple[str, ...]:
    """Which rails: `--rails a,b`, the four defaults under --yes, else a checkbox; then the
    naming convention, only when named in --rails or --naming-convention, or asked."""
    unknown = [r for r in given or () if r not in RAIL_HELP]
    if unknown:
        raise WizardError(f"--rails {','.join(unknown)}: not one of {', '.join(RAIL_HELP)}",
                          hint="--rails test,ci,pre-commit,format,naming")  # fmt: skip
    rails = decider.many("guard rails", "--rails", given, list(RAILS))
    if "naming" in rails:
        return rails
    question = "Add a constraint naming convention, chosen to match the database's names?"
    naming = decider.yes_no(question, "--naming-convention", decider.flags.naming, False)
    return (*rails, "naming") if naming else rails


def plan(
    project: Project, answers: Answers, target: Target, rails: Sequence[str],
    convention: naming.Choice | None = None,
) -> tuple[list[Change], list[str]]:  # fmt: skip
    """The changes for `rails`, each checked to parse, and notes for the user."""
    changes: list[Change] = []
    notes: list[str] = []
    if "naming" in rails and convention is not None:
        changes, notes = _naming_changes(project, answers, convention)
    tested = "test" in rails
    if tested:
        changes.append(migration_test.test_change(project, answers, target))
        key = migration_test.test_env_key(answers)
        notes.append(f"the migration test runs on ${key}: {migration_test.TEST_FILE} says how "
                     "(it needs pytest and pytest-alembic)")  # fmt: skip
    if "ci" in rails:
        changes.append(ci.workflow_change(project, answers, target, tested))
        commands = ci.plain_commands(project, answers, tested)
        notes += [*ci.notes(project), "the same checks for another CI, where Alembic runs:",
                  *(f"    {line}" for line in commands)]  # fmt: skip
    if "pre-commit" in rails:
        changes.append(precommit.precommit_change(project))
    if "format" in rails:
        change, note = _format_change(project)
        changes += [change] if change else []
        notes += [note] if note else []
    for change in changes:
        check_parses(change)
    return changes, notes


def _format_change(project: Project) -> tuple[Change | None, str | None]:
    found = formatter.detect(project.files, project.root, project.top)
    if found is None:
        return None, "no ruff or black configuration found: no post_write_hooks entry"
    setup = project.alembic
    why = f"new revisions formatted by {found}"
    if setup.style == "toml" and setup.toml_path is not None:
        text = project.text(setup.toml_path) or ""
        return Change(setup.toml_path, text, formatter.in_toml(text, found), why), None
    ini = project.text(setup.ini_path)
    if ini is None:
        return None, "no alembic.ini: run alembic-wizard first"
    return Change(setup.ini_path, ini, formatter.in_ini(ini, found), why), None


def _naming_changes(
    project: Project, answers: Answers, choice: naming.Choice
) -> tuple[list[Change], list[str]]:
    from wizard.edits.naming import add_convention  # LibCST, only when asked for

    changes: list[Change] = []
    notes: list[str] = []
    for meta in answers.metadatas:
        path = project.module_paths.get(meta.module)
        text = project.text(path) if path else None
        if path is None or text is None:
            notes.append(
                f"{meta.label}: set its naming_convention by hand: {dict(choice.convention)}"
            )
            continue
        try:
            after = add_convention(text, meta.name, choice.convention)
        except WizardError as exc:
            raise WizardError(
                exc.message, path=path, hint="add naming_convention=... by hand"
            ) from exc
        changes.append(Change(path, text, after, f"{meta.label}: a constraint naming convention"))
    return changes, notes
