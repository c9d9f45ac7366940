"""Put back what an apply changed, byte for byte, from its record: all or nothing. Every file
is checked first (as the wizard wrote it, or never replaced: a crash cut the apply short)
and every backup found; then the files are restored with Ctrl-C held back, and a restore
that fails puts back what it had already restored."""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from wizard.errors import StaleFile, WizardError
from wizard.interrupts import deferred, step
from wizard.journal import Entry, Record, drop_unfinished, folders, interrupted, load
from wizard.store import BACKUP_DIR, MANIFEST, check_layout, locked, tmp_dir
from wizard.textio import digest, real_path, same_filesystem, stage


@dataclass(frozen=True)
class _Restore:
    entry: Entry
    path: Path  # as the plan named it
    real: Path  # where it lands (symlinks followed: the link stays)
    now: bytes  # what is there now: the undo's own way back
    mode: int


def undo(
    top: Path, folder: Path | None = None, *, outside: bool = False, project: Path | None = None
) -> tuple[Path, list[Path]]:
    """Put back what the last apply (by sequence number) changed; the record's folder and
    the files restored. Refuses, changing nothing, when a file changed since the wizard
    wrote it, a backup is missing, or the record names a place it may not touch (inside
    `top` or the folder `project` the user named; `outside`: anywhere; see `journal.load`)."""
    check_layout(top)  # before anything else: `_last` reads it
    _checked(top, [folder or _last(top)], outside, project)
    with locked(top):
        drop_unfinished(top)
        folder = folder or _last(top)
        record = load(top, folder, outside=outside, project=project)
        restored = put_back(top, record)
        with deferred(raise_after=False):  # every file is back: the record says so too
            step("undone")
            folder.rename(folder.with_name(folder.name.replace("backup-", "undone-", 1)))
    return folder, restored


def last_record(top: Path, *, outside: bool = False, project: Path | None = None) -> Record:
    """The record `undo` would act on, checked as `undo` checks it, nothing changed: what
    the question before an undo names."""
    check_layout(top)
    return load(top, _last(top), outside=outside, project=project)


def recover(top: Path, *, outside: bool = False, project: Path | None = None) -> list[Path]:
    """Applies a kill cut short, rolled back to the files as they were (their records are
    then removed: nothing of them stays written); the files put back. Every record is
    checked before any is acted on: one that names a place it may not touch stops it all."""
    _checked(top, interrupted(top), outside, project)
    restored: list[Path] = []
    with locked(top):
        drop_unfinished(top)
        records = [load(top, f, outside=outside, project=project) for f in interrupted(top)]
        for record in records:
            restored += put_back(top, record)
            shutil.rmtree(record.folder, ignore_errors=True)
    return restored


def _checked(top: Path, records: list[Path], outside: bool, project: Path | None) -> None:
    """The wizard's folder and the records, checked before the lock is taken (taking it
    writes the lock file): a refusal then leaves every file as it was."""
    check_layout(top)
    for folder in records:
        load(top, folder, outside=outside, project=project)


def _last(top: Path) -> Path:
    """The record of the last apply (one with a manifest: the others are dropped)."""
    found = [f for f in folders(top) if (f / MANIFEST).exists()]
    if not found:
        raise WizardError("nothing to undo: no apply recorded", path=top / BACKUP_DIR)
    return found[-1]


def put_back(
    top: Path, record: Record, replaced: int | None = None, *, consume: bool = False
) -> list[Path]:
    """Restore every file of `record` the apply replaced, or none; the files restored.
    `replaced`: how many entries the apply is known to have replaced (a rollback).
    `consume`: each backup is renamed into place where it can be (a rollback, whose record
    goes after it), so a full disk cannot stop it: no new file is needed."""
    entries = list(enumerate(record.entries))[:replaced]
    todo = [r for r in (_check(top, record, i, e) for i, e in entries) if r is not None]
    with deferred(raise_after=False):  # a Ctrl-C now would leave it half undone
        done: list[_Restore] = []
        try:
            for item in todo:
                step("restore")  # the test hook's kill point (an undo's own writes)
                _restore(top, record, item, consume=consume)
                done.append(item)
        except OSError as exc:
            _undo_the_undo(top, done)
            raise WizardError(
                f"cannot restore: {exc.strerror}; nothing was undone", path=item.path
            ) from exc
        _tidy(top, record)
    return [Path(os.path.normpath(r.path)) for r in todo if not r.entry.internal]


def _check(top: Path, record: Record, index: int, entry: Entry) -> _Restore | None:
    """The file as the wizard wrote it (to restore), or never replaced (None: as it was, or
    edited by someone else after a kill cut the apply short before it); else refuse."""
    path = top / entry.path
    real = real_path(path)
    now = digest(real)
    if now != entry.after:
        if now == entry.before or entry.internal or not record.maybe_replaced(index):
            return None
        raise StaleFile(
            "changed since the wizard wrote it; nothing was undone",
            path=path,
            hint="restore it by hand from the backup folder, or keep it",
        )
    if entry.backup is not None:
        saved = record.folder / entry.backup
        if digest(saved) is None or entry.before not in (None, digest(saved)):
            why = "missing" if not saved.exists() else "not the file it saved"
            raise WizardError(
                f"its backup {saved} is {why}; nothing was undone",
                path=path,
                hint="restore it by hand, or keep the files as they are",
            )
    return _Restore(entry, path, real, real.read_bytes(), real.stat().st_mode & 0o7777)


def _restore(top: Path, record: Record, item: _Restore, *, consume: bool) -> None:
    if item.entry.backup is None:
        item.real.unlink()
        return
    saved = record.folder / item.entry.backup
    if consume and same_filesystem(saved.parent, item.real):  # written with the file's mode
        saved.replace(item.real)
        return
    _put(top, item.real, saved.read_bytes(), saved.stat().st_mode & 0o7777)


def _put(top: Path, real: Path, data: bytes, mode: int) -> None:
    """Replace `real` with `data` atomically, the temp file in `.alembic-wizard/tmp/`."""
    tmp = tmp_dir(top)
    staged = stage(data, mode, real, tmp if same_filesystem(tmp, real) else None)
    try:
        staged.replace(real)
    finally:
        with contextlib.suppress(FileNotFoundError):
            staged.unlink()


def _undo_the_undo(top: Path, done: list[_Restore]) -> None:
    """A restore failed midway: the files already restored go back to what the apply wrote."""
    for item in reversed(done):
        with contextlib.suppress(OSError):
            item.real.parent.mkdir(parents=True, exist_ok=True)
            _put(top, item.real, item.now, item.mode)


def _tidy(top: Path, record: Record) -> None:
    """The folders the apply made (when empty) and a temp file a kill left beside a target."""
    for entry in record.entries:  # `tmp`: checked by `load` to be the one beside its file
        stale = None if entry.tmp is None else Path(entry.tmp)
        if stale is not None and stale.is_file() and not stale.is_symlink():
            stale.unlink()
    for name in sorted(record.dirs, key=lambda d: len(Path(d).parts), reverse=True):
        with contextlib.suppress(OSError):
            (top / name).rmdir()
