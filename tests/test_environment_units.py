"""In-process: which package manager a project uses, where its interpreter is, how packages
are installed (one command), how its Alembic runs, what "Next" says for each database state,
and the supported-version floor."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import copy_project, wizard
from memory_project import ROOT, memory_project
from wizard.drivers import install_command
from wizard.inspection import floor
from wizard.inspection.interpreter import (
    OWN,
    Environment,
    alembic_command,
    locate,
    python_command,
)
from wizard.inspection.managers import lock_file, package_manager
from wizard.report import next_steps
from wizard.verify import Rung
from wizard.verify.rungs import import_rungs

# --- package manager --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "manager"),
    [
        ({"uv.lock": ""}, "uv"),
        ({"pyproject.toml": '[project]\nname = "a"\n\n[tool.uv]\ndev-dependencies = []\n'}, "uv"),
        ({"pyproject.toml": '[tool.uv.sources]\nx = { path = "x" }\n'}, "uv"),
        ({"poetry.lock": ""}, "poetry"),
        ({"pyproject.toml": '[tool.poetry]\nname = "a"\n'}, "poetry"),
        ({"pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.11"\n'}, "poetry"),
        ({"pdm.lock": ""}, "pdm"),
        ({"pyproject.toml": "[tool.pdm]\ndistribution = false\n"}, "pdm"),
        ({"pyproject.toml": "[tool.hatch.envs.default]\ndependencies = []\n"}, "hatch"),
        ({"hatch.toml": "[envs.default]\n"}, "hatch"),
        ({"pyproject.toml": '[tool.hatch.version]\npath = "a/__init__.py"\n'}, "pip"),
        ({"pyproject.toml": '[project]\nname = "a"\n', "requirements.txt": "x\n"}, "pip"),
        ({"pyproject.toml": '[tool.poetry]\nname = "a"\n', "uv.lock": ""}, "uv"),  # lock wins
        ({"pyproject.toml": "# [tool.uv] in a comment\n[tool.ruff]\nx = 1\n"}, "pip"),
    ],
)
def test_package_manager_from_the_project_files(
    tmp_path: Path, files: dict[str, str], manager: str
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    assert package_manager(tmp_path, tmp_path) == manager


def test_a_workspace_members_lock_file_is_the_workspaces(tmp_path: Path) -> None:
    """A uv workspace: the member is the project root, uv.lock lives in the workspace."""
    member = tmp_path / "packages" / "api"
    member.mkdir(parents=True)
    (tmp_path / "uv.lock").write_text("")
    assert package_manager(member, tmp_path) == "uv"
    assert lock_file(member, tmp_path) == tmp_path / "uv.lock"
    assert package_manager(member, member) == "pip"  # never above the folder pointed at


# --- the install command ----------------------------------------------------------------

TWO = ["alembic", "psycopg[binary]"]


@pytest.mark.parametrize(
    ("manager", "has_pip", "tools", "expected"),
    [
        ("pip", True, (), ".venv/bin/python -m pip install 'alembic' 'psycopg[binary]'"),
        ("pip", False, ("uv",),
         "uv pip install --python .venv/bin/python 'alembic' 'psycopg[binary]'"),
        ("pip", False, (), ".venv/bin/python -m ensurepip && "
         ".venv/bin/python -m pip install 'alembic' 'psycopg[binary]'"),
        ("hatch", True, (), ".venv/bin/python -m pip install 'alembic' 'psycopg[binary]'"),
        ("uv", False, ("uv",), "uv add 'alembic' 'psycopg[binary]'"),
        ("poetry", True, ("poetry",), "poetry add 'alembic' 'psycopg[binary]'"),
        ("pdm", True, ("pdm", "uv"), "pdm add 'alembic' 'psycopg[binary]'"),
        # a Poetry project installed with pip into a venv, no poetry on PATH: pip installs
        ("poetry", True, ("uv",), ".venv/bin/python -m pip install 'alembic' 'psycopg[binary]'"),
        ("poetry", False, (), "poetry add 'alembic' 'psycopg[binary]'"),
    ],
)  # fmt: skip
def test_one_install_command_names_every_package(
    manager: str, has_pip: bool, tools: tuple[str, ...], expected: str
) -> None:
    command = install_command(manager, ".venv/bin/python", TWO, has_pip=has_pip, tools=tools)  # type: ignore[arg-type]
    assert command == expected
    if not has_pip:
        assert "-m pip install" not in command or "ensurepip" in command


def test_install_command_quotes_a_path_with_spaces_and_names_requirements_txt() -> None:
    command = install_command("pip", "/home/a b/.venv/bin/python", ["alembic"],
                              requirements_txt=True)  # fmt: skip
    assert command == "'/home/a b/.venv/bin/python' -m pip install -r requirements.txt 'alembic'"


# --- where the interpreter is -----------------------------------------------------------


def _python(env: Path) -> Path:
    exe = env / "bin" / "python"
    exe.parent.mkdir(parents=True)
    exe.write_text("")
    return exe


@pytest.fixture
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("VIRTUAL_ENV", "CONDA_PREFIX", "UV_PROJECT_ENVIRONMENT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")  # no poetry, no hatch


@pytest.mark.usefixtures("clean_environ")
def test_locate_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """.venv before venv; the root's before the top folder's; $VIRTUAL_ENV before both;
    $CONDA_PREFIX after them; the wizard's own last."""
    root = tmp_path / "backend"
    root.mkdir()
    assert locate(root, tmp_path, None)[1] == OWN
    conda = _python(tmp_path / "conda")
    monkeypatch.setenv("CONDA_PREFIX", str(tmp_path / "conda"))
    assert locate(root, tmp_path, None) == (str(conda), "$CONDA_PREFIX")
    top_venv = _python(tmp_path / ".venv")
    assert locate(root, tmp_path, None) == (str(top_venv), ".venv")
    root_venv = _python(root / "venv")
    assert locate(root, tmp_path, None) == (str(root_venv), "venv")
    root_dot = _python(root / ".venv")
    assert locate(root, tmp_path, None) == (str(root_dot), ".venv")
    active = _python(tmp_path / "active")
    monkeypatch.setenv("VIRTUAL_ENV", str(tmp_path / "active"))
    assert locate(root, tmp_path, None) == (str(active), "$VIRTUAL_ENV")
    assert locate(root, tmp_path, "/opt/py/bin/python3") == ("/opt/py/bin/python3", "--python")


@pytest.mark.usefixtures("clean_environ")
def test_locate_pdm_and_uv_project_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _python(tmp_path / ".venv")
    chosen = _python(tmp_path / "envs" / "pdm")
    (tmp_path / ".pdm-python").write_text(f"{chosen}\n")
    assert locate(tmp_path, tmp_path, None) == (str(chosen), ".pdm-python")
    (tmp_path / ".pdm-python").unlink()
    shutil.rmtree(tmp_path / ".venv")
    (tmp_path / "uv.lock").write_text("")
    uv_env = _python(tmp_path / "build-env")
    monkeypatch.setenv("UV_PROJECT_ENVIRONMENT", "build-env")
    assert locate(tmp_path, tmp_path, None) == (str(uv_env), "$UV_PROJECT_ENVIRONMENT")


# --- how the user runs Alembic ----------------------------------------------------------


@pytest.mark.parametrize(
    ("manager", "env", "expected"),
    [
        ("uv", {}, "uv run alembic"),
        ("poetry", {}, "poetry run alembic"),
        ("pdm", {}, "pdm run alembic"),
        ("pip", {}, ".venv/bin/alembic"),
        ("pip", {"active": True}, "alembic"),
        ("pip", {"venv": False}, ".venv/bin/python -m alembic"),
    ],
)
def test_alembic_command(manager: str, env: dict[str, bool], expected: str) -> None:
    found = Environment(str(ROOT / ".venv/bin/python"), ".venv", venv=True)
    assert alembic_command(replace(found, **env), manager, ROOT, ROOT) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("manager", "env", "expected"),
    [
        ("uv", {}, "uv run python"),
        ("hatch", {}, "hatch run python"),
        ("pip", {}, ".venv/bin/python"),
        ("pip", {"active": True}, "python"),
    ],
)
def test_python_command(manager: str, env: dict[str, bool], expected: str) -> None:
    """The project's Python as the shell runs it (the runner's `-m <pkg>.migrate`)."""
    found = Environment(str(ROOT / ".venv/bin/python"), ".venv", venv=True)
    assert python_command(replace(found, **env), manager, ROOT, ROOT) == expected  # type: ignore[arg-type]


def test_alembic_command_from_a_sub_folder_and_outside_the_project() -> None:
    found = Environment(str(ROOT / ".venv/bin/python"), ".venv", venv=True)
    assert alembic_command(found, "pip", ROOT / "backend", ROOT) == "../.venv/bin/alembic"
    outside = Environment("/opt/envs/app env/bin/python", "$VIRTUAL_ENV", venv=True)
    assert alembic_command(outside, "pip", ROOT, ROOT) == "'/opt/envs/app env/bin/alembic'"


# --- Next, per state --------------------------------------------------------------------


def _project(**fields: object) -> object:
    return replace(memory_project("sqlite+aiosqlite:///./shop.db"), **fields)


def _rungs(
    heads: tuple[str, ...], current: tuple[str, ...] | None, pending: tuple[str, ...] | None
) -> list[Rung]:
    rungs = [Rung("env.py imports", "pass"), Rung("upgrade head --sql", "pass", values=heads)]
    if current is not None:
        rungs.append(Rung("alembic current", "pass", values=current))
    if pending is not None:
        rungs.append(Rung("pending operations", "pass", values=pending))
    return rungs


A = "uv run alembic"


@pytest.mark.parametrize(
    ("heads", "current", "pending", "words", "commands"),
    [
        ((), None, None, "no revision yet",
         [f'{A} revision --autogenerate -m "create tables"', f"{A} upgrade head"]),
        ((), (), ("add_table users", "add_table orders"), "no revision yet",
         [f'{A} revision --autogenerate -m "create tables"', f"{A} upgrade head"]),
        ((), (), (), "already matches the models",
         [f'{A} revision -m "baseline"', f"{A} stamp head"]),
        (("abc",), None, None, "the database was not checked",
         [f"{A} upgrade head", f"{A} check"]),
        (("abc",), (), ("add_table users",), "at no revision, not at head", [f"{A} upgrade head"]),
        (("abc",), ("abc",), (), "nothing to migrate", []),
        (("abc",), ("abc",), ("add_column users.age", "add_index ix_users_age", "add_table tags"),
         "3 operations pending",
         [f'{A} revision --autogenerate -m "update schema"', f"{A} upgrade head"]),
        (("abc",), ("abc",), ("add_table tags",), "1 operation pending",
         [f'{A} revision --autogenerate -m "update schema"', f"{A} upgrade head"]),
    ],
)  # fmt: skip
def test_next_follows_the_state(
    heads: tuple[str, ...], current: tuple[str, ...] | None, pending: tuple[str, ...] | None,
    words: str, commands: list[str],
) -> None:  # fmt: skip
    project = _project(alembic_command=A)
    what, shown = next_steps(project, _rungs(heads, current, pending))  # type: ignore[arg-type]
    assert words in what
    assert shown == commands


def test_next_starts_with_the_install_and_goes_to_the_root() -> None:
    project = _project(alembic_command=".venv/bin/alembic", top=ROOT.parent)
    install = Rung("packages installed", "fail", values=("uv pip install --python x 'alembic'",))
    _, shown = next_steps(project, [install, Rung("env.py imports", "skip")])  # type: ignore[arg-type]
    where = ROOT.name
    assert shown == [
        "uv pip install --python x 'alembic'",
        f'cd {where} && .venv/bin/alembic revision --autogenerate -m "create tables"',
        f"cd {where} && .venv/bin/alembic upgrade head",
    ]


# --- the supported versions -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ('dependencies = ["alembic==1.12.1", "sqlalchemy[asyncio]>=2.0"]', ["alembic==1.12.1"]),
        ("alembic<1.13\nSQLAlchemy<2\n", ["alembic<1.13", "sqlalchemy<2"]),
        ("alembic~=1.12.0\nalembic~=1.12\nalembic<1.13.1\nalembic<=1.13\n", ["alembic~=1.12.0"]),
        ('alembic = "~1.12"\nsqlalchemy = "1.4.52"\n', ["alembic~1.12", "sqlalchemy==1.4.52"]),
        ('alembic = {version = "<1.13", extras = ["tz"]}\n', ["alembic<1.13"]),
        ('sqlalchemy = "^1.4"\nalembic = "^1.12"\n', ["sqlalchemy^1.4"]),
        ("sqlalchemy-utils==0.41\nflask-alembic==2.0\nalembic>=1.13\n", []),
    ],
)
def test_pins_below_the_floor(text: str, found: list[str]) -> None:
    assert [r for _, _, r in floor.pinned_below({"pyproject.toml": text})] == found


def test_floor_notices_name_the_versions_and_the_upgrade() -> None:
    notes = floor.notices(
        {"alembic": "1.12.1", "sqlalchemy": "2.0.0"}, {}, "uv add 'alembic>=1.13'"
    )
    assert notes == [
        "the project's Python has Alembic 1.12.1; alembic-wizard supports Alembic >= 1.13 and "
        "SQLAlchemy >= 2.0: upgrade with uv add 'alembic>=1.13'"
    ]
    assert floor.notices({"alembic": "1.13.0", "sqlalchemy": "2.0.0"}, {}, "x") == []


# --- a Poetry project -------------------------------------------------------------------

POETRY_PYPROJECT = """\
[tool.poetry]
name = "blog"
version = "0.1.0"
description = "Example async blog backend"
authors = ["Blog Team <dev@example.com>"]

[tool.poetry.dependencies]
python = "^3.10"
sqlalchemy = {version = ">=2.0", extras = ["asyncio"]}
aiosqlite = ">=0.20"
pydantic-settings = ">=2.0"
alembic = "1.12.1"

[build-system]
requires = ["poetry-core"]
build-backend = "poetry.core.masonry.api"
"""


def test_poetry_project_declares_in_its_table_and_runs_through_poetry(tmp_path: Path) -> None:
    """`add-deps` in a Poetry project: the table gets what is missing, the lock file's refresh
    is named, the old pin is reported, and the next commands go through `poetry run`."""
    project = copy_project("blog", tmp_path)
    (project / "pyproject.toml").write_text(POETRY_PYPROJECT.replace('alembic = "1.12.1"\n', ""))
    (project / "poetry.lock").write_text("# poetry.lock\n")
    environ = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "CONDA_PREFIX")}
    done = wizard("--yes", "--no-db", cwd=project, env=environ)
    assert done.returncode == 0, done.stdout + done.stderr
    text = (project / "pyproject.toml").read_text()
    assert 'pydantic-settings = ">=2.0"\nalembic = ">=1.13"\n' in text
    assert "refresh poetry.lock with `poetry lock`" in done.stderr
    assert 'poetry run alembic revision --autogenerate -m "create tables"' in done.stdout

    (project / "pyproject.toml").write_text(POETRY_PYPROJECT)
    pinned = wizard("inspect", cwd=project, env=environ)
    assert (
        "pyproject.toml pins alembic==1.12.1; alembic-wizard supports Alembic >= 1.13"
        in pinned.stdout
    )


def test_nowhere_to_declare_is_said(tmp_path: Path) -> None:
    project = copy_project("blog", tmp_path)
    (project / "pyproject.toml").write_text(
        '[project]\nname = "blog"\ndynamic = ["dependencies"]\n'
    )
    environ = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "CONDA_PREFIX")}
    done = wizard("--yes", "--no-db", cwd=project, env=environ)
    assert (
        "note: alembic>=1.13 not declared: pyproject.toml has no [project] dependencies"
        in done.stderr
    )
    assert "alembic>=1.13" not in (project / "pyproject.toml").read_text()


def test_an_app_that_cannot_import_gets_every_declared_package_it_lacks_in_one_command() -> None:
    """pydantic_settings is what env.py tripped on; the project declares it and aiosqlite,
    both absent: one command for those and alembic, and no guess from the module's name."""
    project = _project(python=str(ROOT / ".venv/bin/python"))
    error = {"type": "ModuleNotFoundError", "message": "No module named 'pydantic_settings'"}
    absent = ["aiosqlite>=0.20", "pydantic-settings>=2.0"]
    found = import_rungs(project, error, {"alembic": "alembic"}, ["alembic"], absent)  # type: ignore[arg-type]
    assert found[0].detail.startswith("alembic, aiosqlite>=0.20, pydantic-settings>=2.0 are not")
    assert (
        found[0].values[0].endswith("install 'alembic' 'aiosqlite>=0.20' 'pydantic-settings>=2.0'")
    )
    alone = import_rungs(project, error, {"alembic": "alembic"}, [], [])  # type: ignore[arg-type]
    assert alone[0].detail.startswith("pydantic-settings is not installed")


def test_a_venv_passed_from_elsewhere_is_installed_into_with_its_own_pip(tmp_path: Path) -> None:
    """A uv project verified in a venv outside it (`--python /elsewhere/bin/python`): `uv add`
    would sync the project's own .venv (and fetch the Python it asks for), never that venv;
    its pip installs there. The project's .venv, however named, stays uv's."""
    elsewhere = Environment("/opt/envs/app/bin/python", "--python", venv=True)
    own = Environment(str(tmp_path / ".venv/bin/python"), "--python", venv=True)
    assert not elsewhere.tools_own(tmp_path) and own.tools_own(tmp_path)
    assert Environment(str(tmp_path / "x/bin/python"), ".venv").tools_own(tmp_path)
    command = install_command(
        "uv",
        "/opt/envs/app/bin/python",
        ["pre-commit"],
        tools=("uv",),
        tools_own=elsewhere.tools_own(tmp_path),
    )
    assert command == "/opt/envs/app/bin/python -m pip install 'pre-commit'"
    assert install_command("uv", ".venv/bin/python", ["pre-commit"], tools=("uv",)) == (
        "uv add 'pre-commit'"
    )
