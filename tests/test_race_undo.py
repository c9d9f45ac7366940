"""A setup that waits at its question while an `undo` runs: under the project's lock it
checks again every file its plan was made from, not only those it changes. Here the plan
only creates env.py, which reads the sync URL field the earlier setup added to the settings
class; the undo takes that field away (and env.py was never there to be stale), so the
setup must stop, writing nothing, rather than leave an env.py that reads a missing field."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect

from conftest import REPO, copy_project, tree_hash, wizard

SETTINGS = "src/notes/settings.py"


def _theirs(top: Path) -> dict[str, str]:
    return {k: v for k, v in tree_hash(top).items() if not k.startswith(".alembic-wizard/")}


def _waiting_setup(project: Path) -> pexpect.spawn:
    """A setup (in a terminal) whose plan only creates env.py, waiting at its question: the
    plan is made and no lock is held while it asks."""
    child = pexpect.spawn(
        sys.executable,
        ["-m", "wizard", "--no-color", "--no-verify", "--project", str(project)],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        encoding="utf-8",
        timeout=120,
        dimensions=(40, 120),
    )
    child.expect(r"create  migrations/env\.py")
    child.expect(r"Write these 1 file")
    return child


def _refused(child: pexpect.spawn, path: Path) -> None:
    """Yes to the question; the run stops, naming the file that changed."""
    child.send("y")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    said = child.before.replace("\r\n", "\n")
    assert said.endswith(
        f"error: {path}: changed since the wizard read it; nothing was written\n"
        "hint: run the wizard again\n"
    ), said


def _set_up_without_env_py(tmp_path: Path) -> Path:
    project = copy_project("sqlite_app", tmp_path)
    assert wizard("--yes", "--no-verify", cwd=project).returncode == 0
    assert "database_url_sync" in (project / SETTINGS).read_text()
    (project / "migrations/env.py").unlink()  # the user wants it made again
    return project


def test_a_setup_waiting_at_its_question_while_undo_runs_stops_and_writes_nothing(
    tmp_path: Path,
) -> None:
    original = _theirs(copy_project("sqlite_app", tmp_path / "original"))
    project = _set_up_without_env_py(tmp_path)
    child = _waiting_setup(project)
    undone = wizard("undo", "--yes", cwd=project)  # alembic.ini goes, the settings field too
    assert undone.returncode == 0, undone.stderr
    assert _theirs(project) == original
    _refused(child, project / "alembic.ini")  # the first file the plan relies on (unchanged)
    assert _theirs(project) == original  # byte for byte: no env.py reading a missing field
    assert not list((project / ".alembic-wizard").glob("backup-*"))  # no new record


def test_a_file_read_but_not_in_the_plan_is_checked_again_under_the_lock(tmp_path: Path) -> None:
    project = _set_up_without_env_py(tmp_path)
    child = _waiting_setup(project)
    settings = project / SETTINGS  # read by inspection, not planned: its field is there
    settings.write_text(
        settings.read_text().replace("    database_url_sync: str | None = None\n", "")
    )
    before = _theirs(project)
    _refused(child, settings)
    assert _theirs(project) == before
    assert not (project / "migrations/env.py").exists()
