"""The project's environment: its own interpreter (never the wizard's packages), its package
manager, one install command for everything missing, and "Next" commands that run as printed
in a shell where the project's venv is not on PATH."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import IN_CI, copy_project, wizard

BLOG_DEPS = ("sqlalchemy[asyncio]>=2.0", "aiosqlite>=0.20", "pydantic-settings>=2.0")


def _uv() -> str:
    uv = pytest.importorskip("uv", reason="uv is in the test extra")
    return str(uv.find_uv_bin())


def shell_env(tmp_path: Path) -> dict[str, str]:
    """An environment like a user's shell outside any venv: PATH holds the system folders and
    uv, never the project's venv nor the test interpreter's folder; no venv is active."""
    tools = tmp_path / "tools-bin"
    tools.mkdir(exist_ok=True)
    if not (tools / "uv").exists():
        (tools / "uv").symlink_to(_uv())
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "CONDA_PREFIX", "UV_PROJECT_ENVIRONMENT", "PYTHONPATH",
                        "PYTHONHOME")}  # fmt: skip
    env["PATH"] = os.pathsep.join([str(tools), "/usr/bin", "/bin"])
    return env


def _uv_run(args: list[str], cwd: Path, env: dict[str, str]) -> None:
    """A uv command that fetches packages: from uv's cache first (offline), then the index.
    Without either, skip (fail under CI)."""
    for extra in (["--no-db"], []):
        done = subprocess.run([_uv(), *args, *extra], cwd=cwd, env=env, capture_output=True,
                              text=True, timeout=600, check=False)  # fmt: skip
        if done.returncode == 0:
            return
    message = f"uv {' '.join(args)} failed (no package index?): {done.stderr[-500:]}"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def bare_venv(folder: Path) -> Path:
    """A venv of the test interpreter's base Python, without pip and without packages."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True,
                   capture_output=True, timeout=300)  # fmt: skip
    return folder / "bin" / "python"


def bash(commands: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The printed commands, verbatim, in a shell."""
    return subprocess.run(["bash", "-c", " && ".join(commands)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600, check=False)  # fmt: skip


def next_commands(stdout: str) -> list[str]:
    """The commands printed under "Next:"."""
    lines = stdout.split("\nNext:", 1)[1].splitlines()[1:]
    return [line.strip() for line in lines if line.startswith("  ") and line.strip()]


def tables(database: Path) -> set[str]:
    with sqlite3.connect(database) as conn:
        return {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}


@pytest.mark.skipif(os.name == "nt", reason="venv layout")
def test_project_venv_from_the_same_base_python_is_read_not_the_wizards(tmp_path: Path) -> None:
    """Point 1: the project's .venv and the wizard's interpreter come from one base Python
    (their interpreters resolve to one binary); the wizard has alembic and asyncpg, the
    project's venv has neither, and that is what the wizard reports."""
    import alembic  # noqa: F401  the wizard's side has it
    import asyncpg  # noqa: F401

    project = copy_project("pg_app", tmp_path)
    python = bare_venv(project / ".venv")
    base = Path(getattr(sys, "_base_executable", sys.executable)).resolve()
    assert python.resolve() == base  # what the old path comparison could not tell apart
    env = shell_env(tmp_path)

    found = json.loads(wizard("inspect", "--json", cwd=project, env=env).stdout)
    assert found["python"] == str(python)
    assert "alembic" not in found["installed"] and "asyncpg" not in found["installed"]
    assert found["interpreter"]["found_by"] == ".venv"
    assert found["interpreter"]["alembic"] is None and found["interpreter"]["pip"] is False

    done = wizard("--yes", "--no-db", cwd=project, env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "python  .venv/bin/python (Python " in done.stderr  # says which one it used
    # what Alembic needs and what the project declares: the venv has none of them
    wanted = ["alembic", "psycopg[binary]", "sqlalchemy[asyncio]>=2.0", "asyncpg>=0.29",
              "pydantic-settings>=2.0"]  # fmt: skip
    assert f"FAILED  packages installed: {', '.join(wanted)} are not installed" in done.stdout
    # one command for all, with uv (the venv has no pip): never `python -m pip` here
    quoted = " ".join(f"'{w}'" for w in wanted)
    assert f"fix: install: uv pip install --python .venv/bin/python {quoted}" in done.stdout
    assert "-m pip" not in done.stdout
    assert (project / "backend" / "migrations" / "env.py").is_file()  # an install fixes it: kept


@pytest.mark.skipif(os.name == "nt", reason="bash")
@pytest.mark.parametrize("declared_in", ["pyproject.toml", "requirements.txt"])
def test_next_commands_run_as_printed_in_a_plain_venv_project(
    tmp_path: Path, declared_in: str
) -> None:
    """A `.venv` made with `python -m venv` holding SQLAlchemy only: not alembic, nor two of
    the app's declared dependencies; the shell's PATH has no venv. One install (all three,
    as pyproject.toml or requirements.txt declares them), revision and upgrade, as printed,
    create the tables."""
    project = copy_project("blog", tmp_path)
    if declared_in == "requirements.txt":  # a pyproject.toml that declares nothing
        (project / "pyproject.toml").write_text('[project]\nname = "blog"\nversion = "0.1.0"\n')
        (project / "requirements.txt").write_text("\n".join(BLOG_DEPS) + "  # the app's\n")
    env = shell_env(tmp_path)
    subprocess.run([sys.executable, "-m", "venv", str(project / ".venv")], check=True,
                   capture_output=True, timeout=300)  # fmt: skip
    python = str(project / ".venv" / "bin" / "python")
    _uv_run(["pip", "install", "--python", python, BLOG_DEPS[0]], project, env)

    done = wizard("--yes", cwd=project, env=env)
    assert (
        "FAILED  packages installed: alembic, aiosqlite>=0.20, pydantic-settings>=2.0 are not "
        "installed in .venv/bin/python" in done.stdout
    ), done.stdout
    commands = next_commands(done.stdout)
    install = {
        "pyproject.toml": "'alembic' 'aiosqlite>=0.20' 'pydantic-settings>=2.0'",
        "requirements.txt": "-r requirements.txt",  # alembic>=1.13 now among them
    }[declared_in]
    if declared_in == "requirements.txt":
        assert (project / "requirements.txt").read_text().endswith("# the app's\nalembic>=1.13\n")
    assert commands == [
        f".venv/bin/python -m pip install {install}",
        '.venv/bin/alembic revision --autogenerate -m "create tables"',
        ".venv/bin/alembic upgrade head",
    ], done.stdout
    ran = bash(commands, project, env)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert {"authors", "posts", "comments", "alembic_version"} <= tables(project / "blog.db")

    again = wizard("verify", "--yes", cwd=project, env=env)  # the state moved on
    assert again.returncode == 0, again.stdout + again.stderr
    assert (
        "Next: nothing to migrate: the database is at head and matches the models" in again.stdout
    )


@pytest.mark.skipif(os.name == "nt", reason="bash")
def test_next_commands_run_as_printed_in_a_uv_project(tmp_path: Path) -> None:
    """A uv project (uv.lock, a .venv made by uv: no pip) without alembic: the wizard declares
    it, and `uv add` + `uv run alembic ...` as printed create the tables."""
    project = copy_project("blog", tmp_path)
    env = shell_env(tmp_path)
    _uv_run(["sync", "--python", sys.executable], project, env)
    assert "uv =" in (project / ".venv" / "pyvenv.cfg").read_text()

    done = wizard("--yes", cwd=project, env=env)
    assert "refresh uv.lock with `uv lock`" in done.stderr
    assert '"alembic>=1.13"' in (project / "pyproject.toml").read_text()
    commands = next_commands(done.stdout)
    assert commands == [
        "uv add 'alembic'",
        'uv run alembic revision --autogenerate -m "create tables"',
        "uv run alembic upgrade head",
    ], done.stdout
    ran = bash(commands, project, env)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert {"authors", "posts", "comments", "alembic_version"} <= tables(project / "blog.db")


@pytest.mark.skipif(os.name == "nt", reason="venv layout")
def test_sync_is_the_default_and_install_runs_the_one_command_then_verifies(
    tmp_path: Path,
) -> None:
    """A fresh PostgreSQL project whose venv has the app's async driver and greenlet but no
    sync driver (every fresh project): sync mode all the same (DATABASE_URL_SYNC and the
    settings field are written), and `--install` runs the one install command, psycopg in
    it, then verifies in the same run, which ends green."""
    project = copy_project("pg_app", tmp_path)
    env = shell_env(tmp_path)
    subprocess.run([sys.executable, "-m", "venv", str(project / ".venv")], check=True,
                   capture_output=True, timeout=300)  # fmt: skip
    python = str(project / ".venv" / "bin" / "python")
    app_deps = ["sqlalchemy[asyncio]>=2.0", "asyncpg>=0.29", "pydantic-settings>=2.0"]
    _uv_run(["pip", "install", "--python", python, *app_deps, "alembic"], project, env)

    done = wizard("--yes", "--no-db", "--install", cwd=project, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "installing: .venv/bin/python -m pip install 'psycopg[binary]'" in done.stderr
    assert "FAILED" not in done.stdout and "ok  env.py imports" in done.stdout
    written = (project / ".env").read_text()
    assert "DATABASE_URL_SYNC=postgresql+psycopg://postgres@127.0.0.1:5432/shop" in written
    installed = subprocess.run([python, "-c", "import psycopg"], check=False)
    assert installed.returncode == 0  # in the project's venv, not the wizard's

    again = wizard("--yes", "--no-db", "--dry-run", cwd=project, env=env)
    assert again.returncode == 0 and "installing" not in again.stderr  # nothing left to do
