"""`-c/--config` (and $ALEMBIC_CONFIG), as Alembic has them: the wizard reads, repairs and
writes the config file named there instead of alembic.ini, remembers it, and the printed
commands pass it on. Real Alembic in subprocesses, real SQLite."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from conftest import alembic, copy_project, tree_hash, wizard, wizard_process

SQLITE_TABLES = {"note", "notebook", "tag", "notetaglink"}


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {r[0] for r in db.execute("select name from sqlite_master where type='table'")}


def _next_commands(stdout: str) -> list[str]:
    lines = stdout.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("Next:"))
    return [line.strip() for line in lines[start + 1 :] if line.startswith("  ")]


def test_config_in_a_sub_folder_is_written_remembered_and_passed_on(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    (project / "deploy").mkdir()
    done = wizard("--yes", "-c", "deploy/alembic-dev.ini", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "create  deploy/alembic-dev.ini" in done.stderr
    assert not (project / "alembic.ini").exists()
    ini = (project / "deploy/alembic-dev.ini").read_text()
    assert "script_location = %(here)s/../migrations" in ini and "sqlalchemy.url" not in ini
    commands = _next_commands(done.stdout)
    assert commands[0].startswith("alembic -c deploy/alembic-dev.ini revision --autogenerate")

    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    for command in commands:  # verbatim, as the user's shell runs them
        ran = subprocess.run(["bash", "-c", command], cwd=project, capture_output=True,
                             text=True, env={**os.environ, "PATH": path}, check=False)  # fmt: skip
        assert ran.returncode == 0, command + "\n" + ran.stderr
    assert _tables(project / "notes.db") == SQLITE_TABLES | {"alembic_version"}

    again = wizard("--yes", "--dry-run", cwd=project)  # no -c: remembered in pyproject.toml
    assert "nothing to change" in again.stderr, again.stdout + again.stderr
    assert 'config = "deploy/alembic-dev.ini"' in (project / "pyproject.toml").read_text()
    assert wizard("doctor", cwd=project).returncode == 0
    assert not (project / "alembic.ini").exists()


def test_alembic_config_variable_names_an_existing_setup_to_diagnose_and_repair(
    tmp_path: Path,
) -> None:
    project = copy_project("sqlite_app", tmp_path)
    alembic("-c", "ops.ini", "init", "migrations", cwd=project)  # the generic template
    env = {**os.environ, "ALEMBIC_CONFIG": "ops.ini"}

    found = wizard("doctor", cwd=project, env=env)
    assert found.returncode == 1
    assert "AW104  migrations/env.py" in found.stdout  # target_metadata = None
    assert "AW105  ops.ini:" in found.stdout  # prepend_sys_path without src, in ops.ini
    unnamed = wizard("doctor", cwd=project, env={**os.environ, "ALEMBIC_CONFIG": ""})
    assert "AW118  .  no alembic.ini and no env.py" in unnamed.stdout  # what it sees without

    fixed = wizard("--yes", cwd=project, env=env)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "modify  ops.ini" in fixed.stderr and not (project / "alembic.ini").exists()
    assert "sqlalchemy.url" not in (project / "ops.ini").read_text()
    assert "alembic -c ops.ini revision --autogenerate" in fixed.stdout
    assert wizard("doctor", cwd=project, env=env).returncode == 0
    alembic("-c", "ops.ini", "revision", "--autogenerate", "-m", "tables", cwd=project)
    alembic("-c", "ops.ini", "upgrade", "head", cwd=project)
    assert _tables(project / "notes.db") == SQLITE_TABLES | {"alembic_version"}


def test_a_config_in_a_folder_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    before = tree_hash(project)
    for name, message in (("nowhere/alembic.ini", "no such folder"), ("src", "is a folder")):
        done = wizard("--yes", "--config", name, cwd=project)
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith("error: ") and message in done.stderr
        assert "hint: -c (or ALEMBIC_CONFIG) names Alembic's config file" in done.stderr
    assert tree_hash(project) == before


def test_a_rerun_with_c_after_a_kill_recovers_and_keeps_the_config_it_names(
    tmp_path: Path,
) -> None:
    """Killed mid-apply under `-c`, then run again with the same `-c`: the recovery rolls
    back and reads the project again with that config, so the plan is the one of the first
    run (one config, in deploy/), not a second alembic.ini at the root."""
    project = copy_project("sqlite_app", tmp_path)
    (project / "deploy").mkdir()
    hook = {**os.environ, "ALEMBIC_WIZARD_TEST_KILL_AT": "replace:3"}
    killed = wizard_process("--yes", "--no-verify", "-c", "deploy/alembic-dev.ini",
                            cwd=project, env=hook)  # fmt: skip
    assert killed.returncode == -9, killed.stdout + killed.stderr
    again = wizard("--yes", "--no-verify", "-c", "deploy/alembic-dev.ini", cwd=project)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "its files are back as they were" in again.stderr
    assert "create  deploy/alembic-dev.ini" in again.stderr
    assert not (project / "alembic.ini").exists()
