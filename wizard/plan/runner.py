"""Plan the start-up runner (`alembic-wizard runner`): a module in the app's package that runs
`alembic upgrade head` under a database lock, so replicas that start together migrate once.
Rendered from templates/runner.py.j2; env.py takes the lock on its own connection (the
`migration_lock` attribute) and leaves the app's logging alone (`configure_logger`)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from wizard.change import Change
from wizard.edits import deps
from wizard.errors import WizardError
from wizard.inspection import Project
from wizard.plan.checks import check_parses
from wizard.plan.render import render
from wizard.store import written_path

RUNNER_FILE = "migrate.py"
SQLITE_LOCK = ("*.migrate-lock", "the start-up runner's lock beside a SQLite database")
HOOKS = ('"migration_lock"', '"configure_logger"')  # what env.py must honour


@dataclass(frozen=True)
class Runner:
    """Where the runner goes and how the app imports it."""

    path: Path
    module: str  # `app.migrate`


def locate(project: Project) -> Runner:
    """In the app's top-level package, the one its models live in (the import root for a
    flat app whose models are top-level modules)."""
    tops = [module.split(".")[0] for module in project.model_modules]
    package = max(dict.fromkeys(tops), key=tops.count)
    if any(name.startswith(f"{package}.") for name in project.module_paths):
        path = project.import_root / package / RUNNER_FILE
        return Runner(path, f"{package}.{Path(RUNNER_FILE).stem}")
    return Runner(project.import_root / RUNNER_FILE, Path(RUNNER_FILE).stem)


def runner_change(project: Project, runner: Runner) -> Change:
    """The runner module; a file of that name the wizard did not write, or that was edited
    since, is a conflict (its lines are shown, kept unless the user says otherwise)."""
    _check_env_py(project)
    after = render("runner.py.j2", **_context(project, runner))
    existing = project.text(runner.path)
    written = project.text(written_path(project.root, runner.path))
    lost: tuple[str, ...] = ()
    if existing is not None and existing != written:
        ours = set(after.splitlines())
        lost = tuple(line for line in existing.splitlines() if line.strip() and line not in ours)
    why = "runs `alembic upgrade head` at start-up, once across replicas"
    change = Change(runner.path, existing, after, why, lost=lost)
    check_parses(change)
    return change


def ignored(project: Project) -> tuple[tuple[str, str], ...]:
    """What the runner leaves beside the database for git to ignore: the SQLite file lock
    (the other databases lock on the server)."""
    return (SQLITE_LOCK,) if project.remembered.get("dialect") == "sqlite" else ()


def framework(project: Project) -> str | None:
    """The ASGI framework whose lifespan runs the app's start-up (FastAPI, Starlette), as
    the project's dependencies name it; None: none of them (a worker, a CLI, another one)."""
    names: set[str] = set()
    text = project.files.get(project.config_path)
    if text and project.config_path.name == "pyproject.toml":
        names |= deps.mentioned(text)
    listed = project.files.get(project.root / "requirements.txt")
    names |= set(deps.requirements_txt(listed or ""))
    return next((shown for name, shown in _LIFESPANS.items() if name in names), None)


_LIFESPANS = {"fastapi": "FastAPI", "starlette": "Starlette"}


def next_steps(runner: Runner, python: str, web: str | None) -> str:
    """How the app calls it: in `web`'s lifespan, else from async or sync code; and as an
    entrypoint (docs/runner.md has the whole snippet)."""
    module = runner.module
    if web is not None:
        calls = [
            (f"{web} lifespan:", f"from {module} import migrate_on_startup"),
            ("", "await migrate_on_startup()  # before `yield`"),
        ]
    else:
        calls = [
            ("async code:", f"from {module} import migrate_on_startup"),
            ("", "await migrate_on_startup()"),
            ("sync code:", f"from {module} import migrate"),
            ("", "migrate()"),
        ]
    calls.append(("an entrypoint:", f"{python} -m {module}"))
    width = max(len(label) for label, _ in calls) + 2
    return "\n".join(
        ["next: call it when the app starts"]
        + [f"  {label:<{width}}{code}" for label, code in calls]
    )


def _check_env_py(project: Project) -> None:
    setup = project.alembic
    if setup.env_text is None or setup.env_path is None:
        raise WizardError(
            "no Alembic setup to run at start-up",
            path=project.root,
            hint="run `alembic-wizard` first, then `alembic-wizard runner`",
        )
    if not all(hook in setup.env_text for hook in HOOKS):
        raise WizardError(
            "env.py neither takes the runner's lock nor keeps the app's logging",
            path=setup.env_path,
            hint="run `alembic-wizard` first: it rewrites env.py (keeping your hooks)",
        )


def _context(project: Project, runner: Runner) -> dict[str, object]:
    setup, folder = project.alembic, runner.path.parent
    ini = setup.ini_path if setup.ini_text is not None else None
    return {
        "module": runner.module,
        "ini": _relative(ini, folder),
        "toml": _relative(setup.toml_path, folder),
        "lock_name": "alembic-" + re.sub(r"[^\w.-]", "-", _project_name(project, runner)),
    }


def _relative(path: Path | None, folder: Path) -> str | None:
    return None if path is None else Path(os.path.relpath(path, folder)).as_posix()


def _project_name(project: Project, runner: Runner) -> str:
    """`[project].name` from pyproject.toml, else the app's package."""
    text = project.files.get(project.config_path)
    if text and project.config_path.name == "pyproject.toml":
        import tomlkit

        try:
            name = tomlkit.parse(text).get("project", {}).get("name")
        except ValueError:
            name = None
        if isinstance(name, str) and name.strip():
            return name.strip()
    return runner.module.split(".")[0] if "." in runner.module else project.root.name
