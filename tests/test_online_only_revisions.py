"""A revision of the project's own history that reads the database (a data step: it looks up
a row it then writes with) cannot render as `--sql`: its own code stops there, the setup is
not at fault, so the rung is skipped with the revision named and the files stay. An error
Alembic or SQLAlchemy raises while rendering what a revision asked for stays a failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import alembic, copy_project, wizard

READS_A_ROW = """\
    role_id = op.get_bind().execute(sa.text("SELECT 1")).fetchone()[0]
    op.execute(sa.text(f"UPDATE notes SET id = {role_id} WHERE 0 = 1"))
"""
INSPECTS = """\
    if "notes" not in sa.inspect(op.get_bind()).get_table_names():
        op.execute("SELECT 1")
"""
# SQLite has no ALTER for constraints: Alembic's SQLite dialect raises, not the revision
ALTERS_A_CONSTRAINT = """\
    op.create_foreign_key("fk_self", "notes", "notes", ["id"], ["id"])
"""


def _history(tmp_path: Path, upgrade: str) -> Path:
    """The fixture set up once, then a revision whose upgrade() is `upgrade`."""
    project = copy_project("sqlite_app", tmp_path)
    first = wizard("--yes", "--no-db", cwd=project)
    assert first.returncode == 0, first.stderr + first.stdout
    alembic("revision", "-m", "data", "--rev-id", "data0001", cwd=project)
    (script,) = project.glob("**/versions/data0001_*.py")
    text = script.read_text()
    body = text.split("def upgrade() -> None:\n", 1)
    head, rest = body[0], body[1].split("\n\n", 1)[1]
    script.write_text(f"{head}def upgrade() -> None:\n{upgrade}\n\n{rest}")
    return project


@pytest.mark.parametrize("upgrade", [READS_A_ROW, INSPECTS], ids=["fetchone", "inspect"])
def test_a_revision_that_reads_the_database_is_skipped_not_failed(
    tmp_path: Path, upgrade: str
) -> None:
    project = _history(tmp_path, upgrade)
    done = wizard("verify", "--yes", "--no-db", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    line = next(x for x in done.stdout.splitlines() if "upgrade head --sql" in x)
    assert line.split()[0] == "skipped", done.stdout
    assert "revision data0001 runs only against a database" in line
    assert "versions/data0001_data.py:" in line and str(project) not in line
    assert "Next:" in done.stdout


def test_an_error_rendering_what_a_revision_asked_for_still_fails(tmp_path: Path) -> None:
    project = _history(tmp_path, ALTERS_A_CONSTRAINT)
    done = wizard("verify", "--yes", "--no-db", cwd=project)
    assert done.returncode != 0, done.stdout
    line = next(x for x in done.stdout.splitlines() if "upgrade head --sql" in x)
    assert line.split()[0] == "FAILED" and "runs only against" not in line, done.stdout
