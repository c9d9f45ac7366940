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

from wizard.errors import ApplyFailed, StaleFile, WizardError
from wizard.plan import Change
from wizard.textio import read_text, write_atomic

BACKUP_DIR = ".alembic-wizard"


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
        target = folder / _backup_name(change.path, top)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        shutil.copy2(change.path, target)  # bytes and mode, so a 0600 .env stays 0600
    ignore = top / BACKUP_DIR / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# backups of alembic-wizard; never commit them\n*\n", encoding="utf-8")
    return folder


def _backup_name(path: Path, top: Path) -> Path:
    """Where a file's backup goes: its path inside the project, or its absolute path
    (a `../.env` beside a sub-folder project) under `_outside/`."""
    try:
        return path.relative_to(top)
    except ValueError:
        return Path("_outside", *path.resolve().parts[1:])


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


MANIFEST = "manifest.json"


def _keep_written(done: Sequence[Change], top: Path) -> None:
    """A copy of each env.py as written, so a re-run can tell the user's edits from ours."""
    for change in done:
        if change.path.name == "env.py":
            copy = top / BACKUP_DIR / "written" / _backup_name(change.path, top)
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
            "backup": str(_backup_name(c.path, top)) if c.before is not None else None,
            "sha256": hashlib.sha256(c.path.read_bytes()).hexdigest(),
        }
        for c in done
    ]
    manifest = {"files": entries, "dirs": [os.path.relpath(d, top) for d in dirs]}
    (backups / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def undo(top: Path) -> tuple[Path, list[Path]]:
    """Put back what the last apply changed, byte for byte; the backup and the files it
    touched. Refuses when a file changed since the wizard wrote it."""
    folder = _last_backup(top)
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    files = manifest["files"]
    for entry in files:
        path = top / entry["path"]  # relative: a moved or copied project undoes itself
        now = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None
        if now != entry["sha256"]:
            raise StaleFile(
                "changed since the wizard wrote it; nothing was undone",
                path=path,
                hint="restore it by hand from the backup folder, or keep it",
            )
    for entry in files:
        path = top / entry["path"]
        if entry["backup"] is None:
            path.unlink()
        else:
            _restore(folder / entry["backup"], path)
        (top / BACKUP_DIR / "written" / _backup_name(path, top)).unlink(missing_ok=True)
    for name in sorted(manifest["dirs"], key=lambda d: len(Path(d).parts), reverse=True):
        with contextlib.suppress(OSError):
            (top / name).rmdir()
    folder.rename(folder.with_name(folder.name.replace("backup-", "undone-", 1)))
    return folder, [Path(os.path.normpath(top / e["path"])) for e in files]


def _last_backup(top: Path) -> Path:
    found = sorted((top / BACKUP_DIR).glob(f"backup-*/{MANIFEST}"), key=lambda p: p.stat().st_mtime)
    if not found:
        raise WizardError("nothing to undo: no apply recorded", path=top / BACKUP_DIR)
    return found[-1].parent


def _restore(saved: Path, path: Path) -> None:
    """Copy the backup back in one step (bytes and mode)."""
    tmp = path.with_name(f".{path.name}.undo.tmp")
    shutil.copy2(saved, tmp)
    tmp.replace(path)


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
