"""A history with two heads (two branches each added a revision): verification renders every
head offline instead of failing `upgrade head --sql`, and warns with the merge command."""

from __future__ import annotations

import shlex
from pathlib import Path

from conftest import alembic, copy_project, wizard


def test_two_heads_are_rendered_and_named_with_the_merge(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    first = wizard("--yes", "--no-db", cwd=project)
    assert first.returncode == 0, first.stderr + first.stdout
    alembic("revision", "-m", "base", "--rev-id", "base0001", cwd=project)
    for branch in ("left0001", "right0001"):
        alembic(
            "revision",
            "-m",
            branch,
            "--rev-id",
            branch,
            "--head",
            "base0001",
            "--splice",
            cwd=project,
        )
    done = wizard("verify", "--yes", "--no-db", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "ok  upgrade head --sql" in done.stdout
    assert "WARNING  single head: 2 heads: " in done.stdout
    assert 'alembic merge heads -m "merge heads"' in done.stdout

    # "Next" merges before it upgrades (`upgrade head` alone refuses two heads), and the
    # commands, run as printed, bring the database to the one merged head
    online = wizard("verify", "--yes", cwd=project)
    block = online.stdout.split("\nNext:", 1)[1].splitlines()[1:]
    commands = [line.strip() for line in block if line.startswith("  ") and line.strip()]
    assert commands[:2] == ['alembic merge heads -m "merge heads"', "alembic upgrade head"], online
    for command in commands[:2]:
        alembic(*shlex.split(command)[1:], cwd=project)
    after = wizard("verify", "--yes", cwd=project)
    assert "single head" not in after.stdout and after.returncode == 0, after.stdout
