"""Apply a plan all-or-nothing: refuse stale files, back up, write atomically, roll back."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
from collections.abc import Sequence
from pathlib import Path

from wizard.change import Change
from wizard.errors import ApplyFailed, StaleFile
from wizard.store import BACKUP_DIR, MANIFEST, WRITTEN_NAMES, backup_name, written_path
from wizard.textio import read_text, write_atomic


def _check_fresh(change: Change) -> None:
    now = read_text(change.path) if change.path.exists() else None
    if now != change.before:
        raise StaleFile(
            "changed since the wizard read it; nothing was written",
            path=change.path,
            hint="run the wizard again",
        )


def backup(changes: Sequence[Change], top: Path) -> Path | None:
    """Copy every file about to be modified under `.alembic-wizard/backup-<time>/`."""
    if not changes:
        return None
    modified = [c for c in changes if c.before is not None]
    stamp = time.strftime("%Y%m%d-%H%M%S")
    folder = top / BACKUP_DIR / f"backup-{stamp}"
    for n in range(2, 100):  # two applies within a second
        if not folder.exists():
            break
        folder = top / BACKUP_DIR / f"backup-{stamp}-{n}"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)  # backups may hold secrets
    for change in modified:
        target = folder / backup_name(change.path, top)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        shutil.copy2(change.path, target)  # bytes and mode, so a 0600 .env stays 0600
    ignore = top / BACKUP_DIR / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# backups of alembic-wizard; never commit them\n*\n", encoding="utf-8")
    return folder


def apply(changes: Sequence[Change], top: Path) -> Path | None:
    """Write every change or none; returns the backup folder."""
    pending = [c for c in changes if c.action != "identical"]
    for change in pending:
        _check_fresh(change)
    had_backups = (top / BACKUP_DIR).exists()
    backups = backup(pending, top)
    done: list[Change] = []
    made_dirs: list[Path] = []
    try:
        for change in pending:
            made_dirs += _missing_dirs(change.path.parent)
            write_atomic(change.path, change.after)
            done.append(change)
        _write_manifest(backups, pending, made_dirs, top)
        _keep_written(pending, top)
    except BaseException as exc:
        _roll_back(done, made_dirs)
        if backups is not None:  # nothing changed, so nothing to keep a backup of
            shutil.rmtree(backups if had_backups else top / BACKUP_DIR, ignore_errors=True)
        if isinstance(exc, OSError):
            where = getattr(exc, "filename", None) or (pending[len(done)].path)
            raise ApplyFailed(
                f"cannot write: {exc.strerror}; every file was put back", path=where
            ) from exc
        raise
    return backups


def _keep_written(done: Sequence[Change], top: Path) -> None:
    """A copy of each env.py and script.py.mako as written, so a re-run can tell the user's
    edits from ours."""
    for change in done:
        if change.path.name in WRITTEN_NAMES:
            copy = written_path(top, change.path)
            copy.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            write_atomic(copy, change.after)


def _write_manifest(backups: Path | None, done: Sequence[Change], dirs: list[Path],
                    top: Path) -> None:  # fmt: skip
    """What `undo` needs: each file written, its backup (None: it was created), its hash."""
    if backups is None:
        return
    entries = [
        {
            "path": os.path.relpath(c.path, top),
            "backup": str(backup_name(c.path, top)) if c.before is not None else None,
            "sha256": hashlib.sha256(c.path.read_bytes()).hexdigest(),
        }
        for c in done
    ]
    manifest = {"files": entries, "dirs": [os.path.relpath(d, top) for d in dirs]}
    (backups / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def _missing_dirs(folder: Path) -> list[Path]:
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    return missing


def _roll_back(done: list[Change], made_dirs: list[Path]) -> None:
    for change in reversed(done):
        with contextlib.suppress(OSError):
            if change.before is None:
                change.path.unlink()
            else:
                write_atomic(change.path, change.before)
    for folder in sorted(set(made_dirs), key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(OSError):
            folder.rmdir()
