"""A disk that fills up during an apply, on a real tmpfs mounted for the test: the run stops
itself (SIGSTOP, the wizard's test hook) at a step of its apply, the test fills the disk to
the last byte, and the run goes on. Every file ends as it was (the rollback renames the
backups back: it needs no room), the message names the disk, and once room is made a
re-run writes the setup whole."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import FIXTURES, REPO, tree_hash, wizard

# the run's own process is this checkout's wizard, and its modules are never cached on the disk
ENV = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1"}

MESSAGE = (
    r"error: {where}: the disk is full \(the file system mounted "
    r"at {disk}: No space left on device\); {left}\n"
    r"hint: free some space on {disk}, then run the wizard again\n"
)


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB tmpfs of its own, unmounted after the test."""
    where = tmp_path / "disk"
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m,mode=0755", "tmpfs", str(where)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _fill(disk: Path) -> Path:
    """Write to the disk until it has no byte left."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        with contextlib.suppress(OSError):
            while os.write(fd, b"x" * 4096):
                pass
    finally:
        os.close(fd)
    assert os.statvfs(disk).f_bavail == 0
    return filler


def _stopped_run(project: Path, at: str) -> subprocess.Popen[str]:
    """A run that stops itself at step `at` of its apply (its messages go to a file)."""
    env = {**ENV, "ALEMBIC_WIZARD_TEST_KILL_AT": at, "ALEMBIC_WIZARD_TEST_KILL_SIGNAL": "STOP"}
    child = subprocess.Popen(
        [sys.executable, "-m", "wizard", "--no-color", "--yes", "--no-verify"],
        cwd=project,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=(project.parent.parent / "run.err").open("w"),
        text=True,
    )
    _, status = os.waitpid(child.pid, os.WUNTRACED)
    assert os.WIFSTOPPED(status), status
    return child


@pytest.mark.parametrize(
    ("at", "where", "left"),
    [  # two files replaced, the third's temp file; the last file's; the second backup
        ("temp:3", "src/notes/settings.py", "every file was put back"),
        ("temp:8", "pyproject.toml", "every file was put back"),
        ("backup:2", r".alembic-wizard/backup-0001-[\d-]+", "nothing was changed"),
    ],
)
def test_a_disk_filling_up_during_apply_leaves_every_file_as_it_was(
    disk: Path, tmp_path: Path, at: str, where: str, left: str
) -> None:
    project = disk / "sqlite_app"
    shutil.copytree(
        FIXTURES / "sqlite_app", project, ignore=shutil.ignore_patterns("__pycache__", "*.db")
    )
    original = tree_hash(project)
    run = _stopped_run(project, at)
    filler = _fill(disk)
    run.send_signal(signal.SIGCONT)
    assert run.wait(timeout=120) == 1
    err = (tmp_path / "run.err").read_text()
    said = err[err.index("error: ") :]
    expected = MESSAGE.format(where=where, disk=re.escape(str(disk)), left=left)
    assert re.fullmatch(expected, said), err
    assert tree_hash(project) == original  # byte for byte and mode, .alembic-wizard/ gone
    assert sorted(p.name for p in disk.iterdir()) == ["filler", "sqlite_app"]

    filler.unlink()  # room again: a re-run writes the whole setup, and undo takes it back
    done = subprocess.run(
        [sys.executable, "-m", "wizard", "--no-color", "--yes", "--no-verify"],
        cwd=project,
        env=ENV,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (project / "migrations/env.py").is_file()
    assert wizard("undo", "--yes", cwd=project).returncode == 0
    assert {k: v for k, v in tree_hash(project).items() if ".alembic-wizard" not in k} == original


def test_a_full_disk_before_the_first_write_changes_nothing(disk: Path) -> None:
    project = disk / "sqlite_app"
    shutil.copytree(
        FIXTURES / "sqlite_app", project, ignore=shutil.ignore_patterns("__pycache__", "*.db")
    )
    original = tree_hash(project)
    _fill(disk)
    done = wizard("--yes", "--no-verify", cwd=project)
    assert done.returncode == 2
    assert done.stderr.endswith(
        f"error: .alembic-wizard: the disk is full (the file system mounted at {disk}: "
        f"No space left on device); nothing was changed\n"
        f"hint: free some space on {disk}, then run the wizard again\n"
    )
    assert tree_hash(project) == original
    assert not (project / ".alembic-wizard").exists()


def test_a_file_on_another_full_disk_is_refused_before_the_first_replace(
    disk: Path, tmp_path: Path
) -> None:
    """A settings module linked onto another file system (the full one): it is replaced, and
    would be restored, through a temp file beside it, so the room for both is checked before
    anything is replaced."""
    project = tmp_path / "sqlite_app"
    shutil.copytree(
        FIXTURES / "sqlite_app", project, ignore=shutil.ignore_patterns("__pycache__", "*.db")
    )
    settings = project / "src/notes/settings.py"
    shared = disk / "settings.py"
    shutil.move(settings, shared)
    settings.symlink_to(shared)
    original, outside = tree_hash(project), shared.read_bytes()
    _fill(disk)
    done = wizard("--yes", "--no-verify", "--follow-outside", cwd=project)
    assert done.returncode == 1
    assert done.stderr.endswith(
        f"error: {disk}: the disk is full (the file system mounted at {disk}: No space left "
        f"on device); nothing was changed\nhint: free some space on {disk}, then run the "
        "wizard again\n"
    ), done.stderr
    assert tree_hash(project) == original
    assert shared.read_bytes() == outside
    assert sorted(p.name for p in disk.iterdir()) == ["filler", "settings.py"]
