"""stdout on a full device (`> /dev/full`): the report cannot be written, yet the run does all
it does, and says at the end, on stderr, that the report was lost and what it wrote; never
"nothing was written" and never a traceback (`--json` included). A Ctrl-C or an internal
error after an apply says what this run's ledger says."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, copy_project, tree_hash, wizard

ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def _theirs(top: Path) -> dict[str, str]:
    return {k: v for k, v in tree_hash(top).items() if not k.startswith(".alembic-wizard/")}


def _to_full(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "wizard", "--no-color", *args]
    with open("/dev/full", "w") as full:
        return subprocess.run(
            command, cwd=project, env=ENV, stdout=full, stderr=subprocess.PIPE, text=True
        )


@pytest.mark.parametrize("flags", [(), ("--json",)])
def test_a_report_stdout_cannot_take_is_told_with_what_was_written(
    tmp_path: Path, flags: tuple[str, ...]
) -> None:
    reference = copy_project("sqlite_app", tmp_path / "reference")
    assert wizard("--yes", "--no-db", cwd=reference).returncode == 0
    project = copy_project("sqlite_app", tmp_path)
    original = _theirs(project)
    done = _to_full(project, "--yes", "--no-db", *flags)
    assert done.returncode == 1
    (record,) = (project / ".alembic-wizard").glob("backup-*")
    assert done.stderr.endswith(
        "error: the report could not be written to stdout (No space left on device); the "
        f"files were written ({record.name}): undo with `alembic-wizard undo`\n"
    ), done.stderr
    assert "Traceback" not in done.stderr
    assert _theirs(project) == _theirs(reference)  # verified and kept, as without the report
    assert wizard("undo", "--yes", cwd=project).returncode == 0
    assert _theirs(project) == original


def test_a_report_lost_when_nothing_was_written_says_so(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    before = tree_hash(project)
    done = _to_full(project, "inspect")
    assert done.returncode == 1
    assert done.stderr.endswith(
        "error: the report could not be written to stdout (No space left on device); "
        "nothing was written\n"
    ), done.stderr
    assert tree_hash(project) == before


def test_an_internal_error_after_the_files_were_written_says_they_were(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wizard import outcome

    def broken(*args: object, **kwargs: object) -> int:
        raise RuntimeError("a bug of ours, after the apply")

    monkeypatch.setattr("wizard.commands.finish", broken)
    assert outcome.finish is not broken
    project = copy_project("sqlite_app", tmp_path)
    done = wizard("--yes", "--no-verify", cwd=project)
    assert done.returncode == 1
    (record,) = (project / ".alembic-wizard").glob("backup-*")
    assert done.stderr.endswith(
        f"error: internal error (RuntimeError); the files were written ({record.name}): undo "
        "with `alembic-wizard undo`\nhint: rerun with --traceback and report it\n"
    ), done.stderr
