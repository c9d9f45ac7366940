"""`adopt` cut short in its stamp (SQLite, real processes): the stamp is in the apply's journal
before it can commit, a Ctrl-C says what is known and keeps the revision, and the next
`adopt` (or `undo`) acts on what the database says. The interrupts are real: the wizard's
test hook sends its own process SIGINT or SIGKILL at the stamp (`stamp`: under way) or right
after it committed (`stamped`: before the journal says so)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from adopt_apps import SQLITE, Adoptable, execute, prepare, tables

from conftest import REPO, run, tree_hash

OURS = ".alembic-wizard/"


@pytest.fixture
def adoptable(tmp_path: Path) -> Adoptable:
    return prepare(SQLITE, tmp_path, "notes.db")


def _adopt(project: Adoptable, at: str | None = None, sig: str = "INT") -> tuple[int, str, str]:
    """`alembic-wizard adopt --yes` in its own process (this checkout's wizard)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    if at is not None:
        env |= {"ALEMBIC_WIZARD_TEST_KILL_AT": at, "ALEMBIC_WIZARD_TEST_KILL_SIGNAL": sig}
    args = ["-m", "wizard", "--no-color", "adopt", "--yes", "--project", str(project.repo)]
    done = run(*args, cwd=project.repo, env=env)
    return done.returncode, done.stdout, done.stderr


def _undo(project: Adoptable) -> tuple[int, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    args = ["-m", "wizard", "--no-color", "undo", "--yes", "--project", str(project.repo)]
    done = run(*args, cwd=project.repo, env=env)
    return done.returncode, done.stderr


def _theirs(project: Adoptable) -> dict[str, str]:
    found = tree_hash(project.repo)
    return {k: v for k, v in found.items() if not k.startswith(OURS) and k != "notes.db"}


def _revision(project: Adoptable) -> tuple[str, str]:
    """The one revision file (relative path) and its id."""
    (path,) = (project.where / "migrations/versions").glob("*.py")
    found = re.search(r"^revision: str = '(\w+)'", path.read_text(), re.M)
    assert found, path
    return path.relative_to(project.repo).as_posix(), found.group(1)


def _record(project: Adoptable, kind: str = "backup") -> Path:
    """adopt's apply record (the setup's is the first)."""
    return sorted((project.repo / OURS).glob(f"{kind}-*"))[-1]


def _journal(project: Adoptable) -> list[str]:
    return (_record(project) / "journal").read_text().splitlines()


def _version(project: Adoptable) -> list[str]:
    if "alembic_version" not in tables(project):
        return []
    return [r[0] for r in execute(project, "select version_num from alembic_version")]


def test_ctrl_c_right_after_the_stamp_keeps_the_revision_and_says_it_is_adopted(
    adoptable: Adoptable,
) -> None:
    before = _theirs(adoptable)
    code, _, err = _adopt(adoptable, "stamped")
    assert code == 130, err
    name, revision = _revision(adoptable)
    assert err.endswith(
        f"\ninterrupted after the database was stamped at {revision}: it is adopted, and "
        f"{name} is kept; to take it back: `alembic stamp --purge base`, then "
        "`alembic-wizard undo`\n"
    ), err
    assert _theirs(adoptable) == {**before, name: tree_hash(adoptable.repo)[name]}
    assert _journal(adoptable)[-2:] == [f"stamping {revision}", f"stamped {revision}"]
    assert _version(adoptable) == [revision]
    current = adoptable.run("-m", "alembic", "current")  # Alembic finds its revision
    assert current.returncode == 0 and revision in current.stdout, current.stderr
    again = _adopt(adoptable)  # and adopt says the database is managed
    assert again[0] == 0 and "Nothing to adopt: Alembic already manages" in again[1]


def test_a_kill_right_after_the_stamp_is_settled_by_the_next_adopt(adoptable: Adoptable) -> None:
    before = _theirs(adoptable)
    code, _, _ = _adopt(adoptable, "stamped", "KILL")
    assert code == -signal.SIGKILL
    name, revision = _revision(adoptable)
    killed = _theirs(adoptable)
    assert killed == {**before, name: tree_hash(adoptable.repo)[name]}
    assert _journal(adoptable)[-1] == f"stamping {revision}"  # written before the stamp
    assert _version(adoptable) == [revision]  # the stamp had committed
    code, out, err = _adopt(adoptable)
    assert code == 0, err
    record = _record(adoptable)
    assert (
        f"note: the adopt cut short in {record.name} had stamped the database at {revision}\n"
        in err
    )
    assert "Nothing to adopt: Alembic already manages this database" in out
    assert _journal(adoptable)[-1] == f"stamped {revision}"  # settled: undo now says so
    assert _theirs(adoptable) == killed  # nothing else written
    code, err = _undo(adoptable)
    assert code == 0, err
    assert f"note: adopt stamped the database at {revision}, a revision the scripts" in err
    assert "`alembic stamp --purge base` removes the stamp" in err
    assert _theirs(adoptable) == before


def test_ctrl_c_during_the_stamp_keeps_the_revision_and_the_next_adopt_settles_it(
    adoptable: Adoptable,
) -> None:
    before = _theirs(adoptable)
    code, _, err = _adopt(adoptable, "stamp")  # under way: it may or may not commit
    assert code == 130, err
    name, revision = _revision(adoptable)
    assert err.endswith(
        f"\ninterrupted while stamping the database at {revision} (the stamp may have been "
        "written); the revision is kept: `alembic-wizard adopt` settles it from the database; "
        "to take it all back: `alembic stamp --purge base`, then `alembic-wizard undo`\n"
    ), err
    assert _theirs(adoptable) == {**before, name: tree_hash(adoptable.repo)[name]}
    assert _journal(adoptable)[-1] == f"stamping {revision}"
    assert _version(adoptable) == []  # here it did not commit
    code, out, err = _adopt(adoptable)  # settles: puts the revision back, adopts afresh
    assert code == 0, err + out
    undone = _record(adoptable, "undone")
    cut = undone.name.replace("undone-", "backup-")
    said = f"the adopt cut short in {cut} did not stamp the database: its revision {revision}"
    assert f"{said} was put back\n" in err
    new_name, new_revision = _revision(adoptable)
    assert new_revision != revision
    assert _version(adoptable) == [new_revision]
    assert _theirs(adoptable) == {**before, new_name: tree_hash(adoptable.repo)[new_name]}


def test_undo_after_a_stamp_cut_short_names_the_command_that_removes_it(
    adoptable: Adoptable,
) -> None:
    before = _theirs(adoptable)
    assert _adopt(adoptable, "stamp", "KILL")[0] == -signal.SIGKILL
    _, revision = _revision(adoptable)
    code, err = _undo(adoptable)
    assert code == 0, err
    assert err.endswith(
        f"note: adopt was cut short while stamping the database at {revision}; if the stamp "
        f"was written (`alembic current` then fails: Can't locate revision {revision}), "
        "`alembic stamp --purge base` removes it (tables and rows stay)\n"
    ), err
    assert _theirs(adoptable) == before
    assert _version(adoptable) == []
    assert _adopt(adoptable)[0] == 0  # adoptable again


def test_adopt_with_stdout_on_a_full_device_says_what_it_wrote(adoptable: Adoptable) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    args = [sys.executable, "-m", "wizard", "--no-color", "adopt", "--yes"]
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            args, cwd=adoptable.repo, env=env, stdout=full, stderr=subprocess.PIPE, text=True
        )
    _, revision = _revision(adoptable)
    record = _record(adoptable)
    assert done.returncode == 1
    assert done.stderr.endswith(
        "error: the report could not be written to stdout (No space left on device); the "
        f"files were written ({record.name}), and the database stamped at {revision}: undo "
        "with `alembic-wizard undo`\n"
    ), done.stderr
    assert _version(adoptable) == [revision]


def test_ctrl_c_after_the_revision_is_written_and_before_the_stamp_puts_it_back(
    adoptable: Adoptable,
) -> None:
    """Interrupted once the baseline is written and before the stamp began: the database is
    not stamped, so the revision goes too (left alone, the next adopt refuses a history that
    the database does not have), and the run says both; the next adopt adopts."""
    before = _theirs(adoptable)
    code, _, err = _adopt(adoptable, "applied")
    assert code == 130, err
    assert err.endswith(
        "\ninterrupted before the stamp: the database was not stamped, and the baseline "
        "revision was put back; nothing changed\n"
    ), err
    assert _theirs(adoptable) == before
    assert _version(adoptable) == []
    code, out, err = _adopt(adoptable)
    assert code == 0, err + out
    assert _version(adoptable) == [_revision(adoptable)[1]]
