"""The project's own environment wins: in a uv or Poetry project with its own `.venv`, an
activated venv of another project is said and not used (uv ignores it too), and what is
missing, and the command that installs it, is what the project's `.venv` lacks. A plain
project keeps the activated venv."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import copy_project, wizard_process, write_project
from memory_project import memory_project
from wizard.inspection.environment import read_environment
from wizard.inspection.interpreter import locate
from wizard.verify.rungs import install

pytestmark = pytest.mark.skipif(os.name == "nt", reason="venv layout")
UV_PYPROJECT = '[project]\nname = "app"\ndependencies = []\n\n[tool.uv]\npackage = false\n'
POETRY_PYPROJECT = '[tool.poetry]\nname = "app"\n'


def venv(folder: Path, *, site: bool = False) -> Path:
    """A real venv of the test interpreter's base Python, without pip; with the base's
    packages (alembic, SQLAlchemy, the app's) when `site`."""
    flags = ["--system-site-packages"] if site else []
    command = [sys.executable, "-m", "venv", "--without-pip", *flags, str(folder)]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    return folder / "bin" / "python"


@pytest.fixture
def other(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Another project's venv, activated in the shell: it has nothing installed."""
    monkeypatch.delenv("UV_PROJECT_ENVIRONMENT", raising=False)
    monkeypatch.delenv("CONDA_PREFIX", raising=False)
    folder = tmp_path / "other-project" / ".venv"
    venv(folder)
    monkeypatch.setenv("VIRTUAL_ENV", str(folder))
    return folder


@pytest.mark.parametrize(
    "files",
    [
        {"uv.lock": ""},
        {"pyproject.toml": UV_PYPROJECT},
        {"poetry.lock": ""},
        {"pyproject.toml": POETRY_PYPROJECT},
    ],
    ids=["uv.lock", "tool.uv", "poetry.lock", "tool.poetry"],
)
def test_another_projects_venv_is_passed_over_for_the_projects_own(
    tmp_path: Path, other: Path, files: dict[str, str]
) -> None:
    root = write_project(tmp_path, files)
    assert locate(root, root, None) == (str(other / "bin/python"), "$VIRTUAL_ENV")  # no .venv
    own = venv(root / ".venv")
    assert locate(root, root, None) == (str(own), ".venv")


def test_a_plain_project_keeps_the_activated_venv(tmp_path: Path, other: Path) -> None:
    root = write_project(tmp_path, {"requirements.txt": "sqlalchemy\n"})
    venv(root / ".venv")
    assert locate(root, root, None) == (str(other / "bin/python"), "$VIRTUAL_ENV")


def test_the_projects_own_activated_venv_is_kept(
    tmp_path: Path, other: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Active and inside the project (its .venv, or a venv/ beside it): the project's."""
    root = write_project(tmp_path, {"uv.lock": ""})
    own = venv(root / ".venv")
    monkeypatch.setenv("VIRTUAL_ENV", str(root / ".venv"))
    assert locate(root, root, None) == (str(own), "$VIRTUAL_ENV")
    inside = venv(root / "venv")
    monkeypatch.setenv("VIRTUAL_ENV", str(root / "venv"))
    assert locate(root, root, None) == (str(inside), "$VIRTUAL_ENV")


def test_uv_project_environment_is_the_projects_own(
    tmp_path: Path, other: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`$UV_PROJECT_ENVIRONMENT` outside the project, activated: the project's (uv's own
    rule); another one active: passed over for it."""
    root = write_project(tmp_path, {"uv.lock": ""})
    env = tmp_path / "envs" / "app"
    python = venv(env)
    monkeypatch.setenv("UV_PROJECT_ENVIRONMENT", str(env))
    assert locate(root, root, None) == (str(python), "$UV_PROJECT_ENVIRONMENT")
    monkeypatch.setenv("VIRTUAL_ENV", str(env))
    assert locate(root, root, None) == (str(python), "$VIRTUAL_ENV")


def test_what_is_missing_is_what_the_projects_venv_lacks(tmp_path: Path, other: Path) -> None:
    """The active venv has nothing, the project's .venv has Alembic and SQLAlchemy: they
    are not reported missing, and the one install command is uv's, for the project."""
    root = write_project(tmp_path, {"uv.lock": "", "pyproject.toml": UV_PYPROJECT})
    own = venv(root / ".venv", site=True)
    found = read_environment(root, root, None)
    assert (found.environment.python, found.environment.found_by) == (str(own), ".venv")
    assert {"alembic", "sqlalchemy"} <= set(found.environment.versions)
    assert found.notices[0] == (
        f"$VIRTUAL_ENV {other} is not this uv project's environment: ignored, as uv does; "
        ".venv is used (--python chooses another)"
    )
    assert found.alembic_command == "uv run alembic"
    shop = replace(memory_project("sqlite+aiosqlite:///./shop.db"), root=root, top=root)
    assert install(replace(shop, **found.project_fields()), "psycopg[binary]").startswith(
        "uv add 'psycopg[binary]'"
    )


def test_poetry_would_use_the_active_venv_so_commands_name_the_projects(
    tmp_path: Path, other: Path
) -> None:
    """Poetry (unlike uv) runs and installs into an active venv: the commands name the
    project's .venv by its path, and the note says why."""
    root = write_project(tmp_path, {"poetry.lock": "", "pyproject.toml": POETRY_PYPROJECT})
    venv(root / ".venv")
    found = read_environment(root, root, None)
    assert found.notices[0] == (
        f"$VIRTUAL_ENV {other} is not this Poetry project's environment: ignored; .venv is "
        "used, by its path in the commands below, as poetry would use the active one "
        "(--python chooses another)"
    )
    assert (found.alembic_command, found.python_command) == (
        ".venv/bin/alembic",
        ".venv/bin/python",
    )
    shop = replace(memory_project("sqlite+aiosqlite:///./shop.db"), root=root, top=root)
    command = install(replace(shop, **found.project_fields()), "alembic")
    assert "poetry" not in command and "--python .venv/bin/python 'alembic'" in command


def test_the_run_says_which_venv_it_passed_over(tmp_path: Path, other: Path) -> None:
    """The user's view, in a process: a uv project whose .venv has what the app needs,
    another project's bare venv active. The run reads .venv, says so once, and verifies
    green (the active venv would have lacked everything)."""
    root = copy_project("sqlite_app", tmp_path)
    (root / "uv.lock").write_text("")
    venv(root / ".venv", site=True)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    done = wizard_process("--yes", "--no-db", cwd=root, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "python  .venv/bin/python (Python " in done.stderr
    assert "found: .venv;" in done.stderr and "uv project)" in done.stderr
    said = [line for line in done.stderr.splitlines() if "$VIRTUAL_ENV" in line]
    assert said == [
        f"note: $VIRTUAL_ENV {other} is not this uv project's environment: ignored, as uv "
        "does; .venv is used (--python chooses another)"
    ]
    assert "ok  env.py imports" in done.stdout and "FAILED" not in done.stdout
    assert "uv run alembic upgrade head" in done.stdout
