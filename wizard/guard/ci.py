"""The CI step: `.github/workflows/migrations.yml` (doctor, one head, the migration test,
`alembic check` on a service database) and the same commands for any other CI."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from wizard.answers import Answers
from wizard.change import Change
from wizard.guard import ci_inputs
from wizard.guard.migration_test import TEST_FILE, test_env_key
from wizard.inspection import Project
from wizard.plan.render import render
from wizard.target import Target

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

WORKFLOW = Path(".github/workflows/migrations.yml")

_SERVICES = {
    "postgresql": (["image: postgres:16", "env:", "  POSTGRES_PASSWORD: postgres",
                    "  POSTGRES_DB: app", "ports: ['5432:5432']",
                    "options: --health-cmd pg_isready --health-interval 5s --health-retries 10"],
                   {"username": "postgres", "password": "postgres", "port": 5432},
                   "PGPASSWORD=postgres psql -h 127.0.0.1 -U postgres -c 'create database app_test'"),  # noqa: E501
    "mysql": (["image: mariadb:11", "env:", "  MARIADB_ROOT_PASSWORD: root",
               "  MARIADB_DATABASE: app", "ports: ['3306:3306']",
               "options: --health-cmd 'healthcheck.sh --connect' --health-interval 5s "
               "--health-retries 10"],
              {"username": "root", "password": "root", "port": 3306},
              'mysql -h 127.0.0.1 -uroot -proot -e "create database app_test"'),
}  # fmt: skip


def alembic_command(project: Project) -> str:
    """`alembic`, with `-c` when Alembic would not find its config by itself (another name,
    a sub-folder of where it runs)."""
    return "alembic" + project.alembic.config_option(project.root)


def _ci_url(url: URL, database: str) -> str:
    backend = url.get_backend_name()
    if backend == "sqlite":
        return url.set(database=f"ci-{database}.db", query={}).render_as_string(False)
    service = _SERVICES["mysql" if backend in ("mysql", "mariadb") else backend][1]
    return url.set(host="127.0.0.1", database=database, query={},
                   **service).render_as_string(hide_password=False)  # type: ignore[arg-type]  # fmt: skip


def _env(project: Project, answers: Answers, target: Target, tested: bool) -> dict[str, str]:
    """The job's variables: the env template's (what the app reads at import), then the
    database URLs on the service (over the template's placeholders)."""
    env = dict(ci_inputs.template_variables(project))
    source = answers.source
    if source.env_key:
        env[source.env_key] = _ci_url(target.app_url, "app")
    if answers.mode == "sync":
        env[source.sync_key] = _ci_url(target.sync_url, "app")
    if tested:
        env[test_env_key(answers)] = _ci_url(target.alembic_url, "app_test")
    return env


# how a uv or Poetry project is installed in CI (its lock file is the truth, and a project
# without a build system cannot be `pip install -e .`-ed): a setup step, the install, and
# what runs a command in its environment
_MANAGED = {
    "uv": ("astral-sh/setup-uv@v6", "uv sync && uv pip install", "uv run "),
    "poetry": (None, "pipx install poetry && poetry install && poetry run python -m pip install",
               "poetry run "),
}  # fmt: skip


def _install(project: Project, target: Target, tested: bool) -> str:
    """The install command: the project, then what the checks need that it may not declare
    (Alembic and the driver, the test packages). The wizard is on no package index: only as
    the project declares it (uv and Poetry install it from the lock with the rest)."""
    extra = [*target.requirements, *(["pytest", "pytest-alembic"] * tested)]
    wizard = ci_inputs.wizard_requirement(project)
    if wizard and project.package_manager not in _MANAGED:
        extra.append(wizard)
    quoted = " ".join(f"'{p}'" for p in extra)
    if project.package_manager in _MANAGED:
        return f"{_MANAGED[project.package_manager][1]} {quoted}"
    own = "-r requirements.txt" if project.requirements_txt else "-e ."
    return f"python -m pip install {own} {quoted}"


def workflow_change(project: Project, answers: Answers, target: Target, tested: bool) -> Change:
    """The GitHub Actions workflow, created at the top of the repository; an existing one
    is the user's and kept."""
    path = project.top / WORKFLOW
    existing = project.text(path)
    if existing is not None:
        return Change(path, existing, existing, "the migrations workflow (yours, kept)")
    backend = target.sync_url.get_backend_name()
    kind = "mysql" if backend in ("mysql", "mariadb") else backend
    service = _SERVICES.get(kind)
    python, python_source = ci_inputs.python_version(project)
    text = render(
        "guard/migrations.yml.j2",
        service=service[0] if service else None,
        env=[(k, json.dumps(v)) for k, v in _env(project, answers, target, tested).items()],
        python=python,
        python_source=python_source,
        doctor=ci_inputs.wizard_requirement(project) is not None,
        template=", ".join(project.rel(s.path) for s in project.env_files if s.example),
        workdir=Path(os.path.relpath(project.root, project.top)).as_posix(),
        install=_install(project, target, tested),
        setup_step=_MANAGED.get(project.package_manager, (None,))[0],
        run=_MANAGED[project.package_manager][2] if project.package_manager in _MANAGED else "",
        create_test_db=service[2] if service and tested else None,
        alembic=alembic_command(project),
        test_path=TEST_FILE.as_posix() if tested else None,
    )
    return Change(path, None, text, "CI: doctor, one head, migration tests, alembic check")


def plain_commands(project: Project, answers: Answers, tested: bool) -> list[str]:
    """The same checks for any other CI, to run where Alembic runs."""
    alembic = alembic_command(project)
    doctor = ["alembic-wizard doctor"] if ci_inputs.wizard_requirement(project) else []
    lines = [*doctor, f'test "$({alembic} heads | wc -l)" -le 1']
    if tested:
        lines.append(f"{test_env_key(answers)}=<a test database> "
                     f"python -m pytest {TEST_FILE.as_posix()}")  # fmt: skip
    return [*lines, f"{alembic} upgrade head && {alembic} check"]


NO_DOCTOR = (
    "no `alembic-wizard doctor` step: the project does not install alembic-wizard (no package "
    "index has it); declare it in your dev dependencies and add the step"
)
NO_TEMPLATE = (
    "no env template (.env.example): the workflow sets only the database URLs; add what else "
    "the app reads at import to the job's env"
)


def notes(project: Project) -> list[str]:
    """What the workflow leaves out, and why."""
    found = []
    if ci_inputs.wizard_requirement(project) is None:
        found.append(NO_DOCTOR)
    if not any(source.example for source in project.env_files):
        found.append(NO_TEMPLATE)
    return found
