"""Apply a plan all-or-nothing, journaled: under the project's lock, refuse stale files, copy
backups, write the manifest (every file, its backup, its hash before and after) and sync it
BEFORE the first replace; then replace file by file (symlinks followed: the target is
edited, the link kept), each replace and its journal line with Ctrl-C held back, the hash
checked again right before it. Any failure or Ctrl-C rolls every file back. After a kill the
record says exactly which files are old and which new (`undo` and a re-run put them back)."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from wizard import ledger, room
from wizard.change import Change
from wizard.errors import ApplyFailed, Interrupted, StaleFile, WizardError
from wizard.interrupts import deferred, step, terminate_as_interrupt
from wizard.journal import (
    APPLIED,
    Entry,
    drop_unfinished,
    interrupted,
    load,
    new_folder,
    note,
    write_manifest,
)
from wizard.store import (
    BACKUP_DIR,
    MANIFEST,
    WRITTEN_NAMES,
    backup_name,
    check_layout,
    locked,
    tmp_dir,
    unsafe,
    written_path,
)
from wizard.textio import (
    default_mode,
    digest,
    real_path,
    same_filesystem,
    stage,
    sync_folder,
    temp_beside,
    write_synced,
)
from wizard.undo import put_back


@dataclass
class Applied:
    """How far an apply got, for a caller that catches Ctrl-C after it."""

    replaced: int = 0  # files replaced so far
    folder: Path | None = None  # set once every file is written (the record's folder)


@dataclass(frozen=True)
class _Step:
    path: Path  # as planned
    real: Path  # where the bytes land
    old: bytes | None
    new: bytes
    mode: int
    entry: Entry


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def outside_links(changes: Sequence[Change], bounds: Sequence[Path]) -> list[tuple[Path, Path]]:
    """Planned files that are symlinks (or inside linked folders) to somewhere outside every
    folder of `bounds`: the link and where it leads."""
    roots = [real_path(b) for b in bounds]
    found = []
    for change in changes:
        real = real_path(change.path)
        if change.action == "identical" or str(real) == os.path.normpath(Path.cwd() / change.path):
            continue
        if not any(real == r or real.is_relative_to(r) for r in roots):
            found.append((change.path, real))
    return found


def apply(
    changes: Sequence[Change],
    top: Path,
    progress: Applied | None = None,
    read: Mapping[Path, str | None] | None = None,
) -> Path | None:
    """Write every change or none; the apply's record folder (its backups and manifest).
    `read`: every file the plan was made from, as inspection read it (None: not there);
    each is checked again under the lock, not only those the plan changes."""
    pending = [c for c in changes if c.action != "identical"]
    if not pending:
        return None
    relied = _relied(changes, read or {})
    _check_fresh(relied)  # before anything at all is written (the lock file too)
    own_copies(pending, top)
    progress = progress if progress is not None else Applied()
    with locked(top), terminate_as_interrupt():
        if interrupted(top):
            raise WizardError(
                "an earlier apply was cut short (killed); nothing was written",
                path=interrupted(top)[-1],
                hint="run the wizard again (it puts those files back first), or run undo",
            )
        drop_unfinished(top)
        _check_fresh(relied)  # again: no other run (an undo) can write now
        steps = _steps(pending, top)
        try:
            folder, seq = new_folder(top)
        except OSError as exc:
            raise _cannot_write(exc, top / BACKUP_DIR, 0) from exc
        try:
            _write(steps, folder, seq, top, progress)
        except BaseException as exc:
            if progress.folder is not None:  # every file is written: keep them
                raise
            error = _rolled_back(exc, top, folder, progress)
            if error is exc:
                raise
            raise error from exc
    return folder


def _relied(
    changes: Sequence[Change], read: Mapping[Path, str | None]
) -> list[tuple[Path, str | None]]:
    """Each file the plan relies on and its text as read: the planned ones (left unchanged
    too), then every other file inspection read (a settings module env.py reads a field of)."""
    planned = {c.path: c.before for c in changes}
    return [*planned.items(), *((p, t) for p, t in read.items() if p not in planned)]


def _check_fresh(relied: Sequence[tuple[Path, str | None]]) -> None:
    for path, before in relied:
        real = real_path(path)
        now = digest(real) if real.is_file() else None
        if now != (None if before is None else _sha(before.encode("utf-8"))):
            raise StaleFile(
                "changed since the wizard read it; nothing was written",
                path=path,
                hint="run the wizard again",
            )


def _steps(pending: Sequence[Change], top: Path) -> list[_Step]:
    """Each file to write (the user's, then the wizard's copies of env.py and
    script.py.mako as written), with its manifest entry."""
    steps = [_step(c.path, c.before, c.after, top) for c in pending]
    for change, copy in own_copies(pending, top):
        old = copy.read_text(encoding="utf-8") if copy.is_file() else None
        steps.append(_step(copy, old, change.after, top, internal=True))
    reals = [s.real for s in steps]
    for twice in {r for r in reals if reals.count(r) > 1}:
        raise WizardError(
            "two planned files are this one file (a symlink); nothing was written",
            path=twice,
            hint="replace the link with a copy of the file",
        )
    return steps


def own_copies(pending: Sequence[Change], top: Path) -> list[tuple[Change, Path]]:
    """The wizard's copy under `written/` of each env.py, script.py.mako and runner it
    writes: a regular file (or none yet) with no link on the way, never written through
    (checked before the lock is taken, and again under it)."""
    check_layout(top)  # the folders on the way first, each named when it is a link
    copies = [(c, written_path(top, c.path)) for c in pending if c.path.name in WRITTEN_NAMES]
    for change, copy in copies:
        why = unsafe(top, os.path.relpath(copy, top))
        if why is not None:
            raise WizardError(
                f"{why}, where the wizard keeps its own copy of {change.path.name}; "
                "nothing was written",
                path=copy,
                hint="remove it (the wizard makes a new copy)",
            )
    return copies


def _step(
    path: Path, before: str | None, after: str, top: Path, *, internal: bool = False
) -> _Step:
    real = real_path(path)
    old = None if before is None else before.encode("utf-8")
    new = after.encode("utf-8")
    mode = real.stat().st_mode & 0o7777 if old is not None else default_mode()
    beside = not same_filesystem(tmp_dir(top), real)  # os.replace cannot cross filesystems
    entry = Entry(
        path=os.path.relpath(path, top),
        backup=None if old is None else str(backup_name(path, top)),
        before=None if old is None else _sha(old),
        after=_sha(new),
        tmp=str(temp_beside(real)) if beside else None,
        internal=internal,
    )
    return _Step(path, real, old, new, mode, entry)


def _write(steps: list[_Step], folder: Path, seq: int, top: Path, progress: Applied) -> None:
    for item in steps:  # backups first: a manifest always has every backup beside it
        if item.old is not None and item.entry.backup is not None:
            saved = folder / item.entry.backup
            saved.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            step("backup")
            write_synced(saved, item.old, item.mode)  # a 0600 .env stays 0600
            sync_folder(saved.parent)
    dirs = _missing_dirs([s.real.parent for s in steps])
    room.check((s.real.parent, len(s.new) + len(s.old or b"")) for s in steps if s.entry.tmp)
    step("manifest")
    write_manifest(folder, seq, [s.entry for s in steps], [os.path.relpath(d, top) for d in dirs])
    for index, item in enumerate(steps):
        _replace(index, item, folder, top, progress)
    with deferred():
        step("applied")
        note(folder, APPLIED)
        progress.folder = folder
        ledger.wrote(folder)


def _replace(index: int, item: _Step, folder: Path, top: Path, progress: Applied) -> None:
    """One file: its temp file, then (Ctrl-C held back) the hash checked again, the
    replace, and its journal line."""
    item.real.parent.mkdir(parents=True, exist_ok=True)
    step("temp")
    staged = stage(item.new, item.mode, item.real, None if item.entry.tmp else tmp_dir(top))
    try:
        with deferred():
            step("replace")
            if digest(item.real) != item.entry.before:  # an edit since the check above
                raise StaleFile(
                    "changed while the wizard was writing; every file was put back",
                    path=item.path,
                    hint="run the wizard again",
                )
            staged.replace(item.real)
            sync_folder(item.real.parent)  # the rename is on disk before the journal says so
            progress.replaced += 1
            step("journal")
            note(folder, f"replaced {index}")
    finally:
        staged.unlink(missing_ok=True)


def _missing_dirs(parents: list[Path]) -> list[Path]:
    missing: list[Path] = []
    for folder in parents:
        while not folder.exists() and folder not in missing:
            missing.append(folder)
            folder = folder.parent
    return missing


def _rolled_back(exc: BaseException, top: Path, folder: Path, progress: Applied) -> BaseException:
    """Put every file back (the manifest's hashes say which were replaced); the error to
    raise, saying exactly what was and was not written."""
    try:
        with deferred(raise_after=False):  # a second Ctrl-C must not cut the rollback
            if (folder / MANIFEST).exists():  # the backups renamed back: no new file needed
                put_back(top, load(top, folder, outside=True), progress.replaced, consume=True)
            shutil.rmtree(folder, ignore_errors=True)
    except WizardError as failed:
        return ApplyFailed(
            f"{failed.message.split(';')[0]} while putting files back after an error; "
            f"the record {folder.name} keeps every backup",
            path=failed.path,
            hint="run `alembic-wizard undo` once the file can be written",
        )
    if isinstance(exc, KeyboardInterrupt):
        wrote = "every file was put back" if progress.replaced else "nothing was written"
        return Interrupted(f"interrupted; {wrote}")
    if isinstance(exc, OSError):
        return _cannot_write(exc, folder, progress.replaced)
    return exc


def _cannot_write(exc: OSError, folder: Path, replaced: int) -> ApplyFailed:
    """A write that failed, after the rollback: a full disk named with where it is mounted."""
    left = "every file was put back" if replaced else "nothing was changed"
    where = Path(exc.filename) if exc.filename else folder
    message, hint = room.said(exc, where)
    return ApplyFailed(f"{message}; {left}", path=where, hint=hint)
