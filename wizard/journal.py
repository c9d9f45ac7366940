"""The record of one apply, in `.alembic-wizard/backup-<seq>-<time>/`: `manifest.json`, the
intent (every file, its backup, its hash before and after), written and synced before the
first replace; `journal`, one line per completed step and `applied` at the end. After a
crash at any point the hashes say which files are old and which new."""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from wizard.errors import WizardError
from wizard.store import BACKUP_DIR, JOURNAL, MANIFEST, WRITTEN_DIR, unsafe
from wizard.textio import sync_folder, temp_beside

_NAME = re.compile(r"(backup|undone)-(?:(\d+)-)?\d{8}-\d{6}(?:-\d+)?")
APPLIED = "applied"


@dataclass(frozen=True)
class Entry:
    """One file of an apply."""

    path: str  # relative to the project root (`../.env` beside a sub-folder project)
    backup: str | None  # its copy in the record's folder; None: the apply created it
    before: str | None  # sha256 before the apply; None: it did not exist
    after: str  # sha256 as written
    tmp: str | None = None  # a temp file beside the target (another filesystem)
    internal: bool = False  # the wizard's own copy under .alembic-wizard/, not shown


@dataclass(frozen=True)
class Record:
    """A manifest as read back, with what its journal says."""

    folder: Path
    seq: int
    entries: tuple[Entry, ...]
    dirs: tuple[str, ...]  # folders the apply made (relative), removed by undo when empty
    applied: bool  # False: the apply was cut short (a kill) and is half done
    replaced: frozenset[int] = frozenset()  # entries the journal says were replaced

    def maybe_replaced(self, index: int) -> bool:
        """Whether the apply may have replaced entry `index`: journaled, or the one after
        the last journaled (a kill between a replace and its journal line)."""
        if self.applied or index in self.replaced:
            return True
        return index == max(self.replaced, default=-1) + 1

    @property
    def manifest(self) -> Path:
        return self.folder / MANIFEST


def seq_of(folder: Path) -> int:
    """The apply's sequence number from its folder's name (0: a record of an older wizard)."""
    found = _NAME.fullmatch(folder.name)
    return int(found.group(2)) if found and found.group(2) else 0


def folders(top: Path, kind: str = "backup") -> list[Path]:
    """The record folders of one kind (`backup`: not undone yet), oldest first: by sequence
    number, never by modification time."""
    base = top / BACKUP_DIR
    if not base.is_dir():
        return []
    found = [p for p in base.iterdir() if (m := _NAME.fullmatch(p.name)) and m.group(1) == kind]
    return sorted(found, key=lambda p: (seq_of(p), p.name))


def new_folder(top: Path) -> tuple[Path, int]:
    """A fresh record folder, numbered after every apply recorded so far, its journal begun
    (a journal without a manifest: a run that died before touching any file)."""
    seq = max((seq_of(p) for p in folders(top) + folders(top, "undone")), default=0) + 1
    folder = top / BACKUP_DIR / f"backup-{seq:04d}-{time.strftime('%Y%m%d-%H%M%S')}"
    folder.mkdir(mode=0o700)
    try:
        note(folder, "begun")
    except OSError:  # a full disk: no record of a run that wrote nothing
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder, seq


def write_manifest(folder: Path, seq: int, entries: list[Entry], dirs: list[str]) -> None:
    """The intent, in one atomic step, synced (file and folder) before anything is replaced."""
    data = {"seq": seq, "files": [asdict(e) for e in entries], "dirs": dirs}
    tmp = folder / f"{MANIFEST}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(folder / MANIFEST)
    sync_folder(folder)


def note(folder: Path, line: str) -> None:
    """One completed step, synced before the next begins."""
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW
    fd = os.open(folder / JOURNAL, flags, 0o600)
    try:
        os.write(fd, f"{line}\n".encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def load(top: Path, folder: Path, *, outside: bool = False, project: Path | None = None) -> Record:
    """Read a record back, every place it names checked before anything acts on it (it may
    have come with a cloned repository); a manifest that is empty or not ours, or a place
    that is not a plain file inside the project, is a one-line error naming the record.
    The project: `top` (where `.alembic-wizard/` is) and `project`, the folder the user
    named (`--project`). `outside`: files anywhere are allowed (reached through links too),
    the user having said so (`--follow-outside`), or the record being this run's own."""
    _check_layout(top, folder)
    path = folder / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _unreadable(path, getattr(exc, "strerror", None) or "not UTF-8") from exc
    if not text.strip():
        raise _unreadable(path, "empty")
    try:
        data = json.loads(text)
        entries = tuple(_entry(e) for e in data["files"])
        dirs = tuple(_no_nul(str(d)) for d in data.get("dirs", []))
    except json.JSONDecodeError as exc:
        raise _unreadable(path, f"not JSON (line {exc.lineno})") from exc
    except (KeyError, TypeError, AttributeError) as exc:
        raise _unreadable(path, "not an alembic-wizard manifest") from exc
    record = Record(folder, seq_of(folder), entries, dirs, _applied(folder), _replaced(folder))
    real = Path(os.path.realpath(top))
    bounds = None if outside else (real, *([Path(os.path.realpath(project))] if project else []))
    _check_places(real, record, bounds)
    return record


def _check_layout(top: Path, folder: Path) -> None:
    """The record's folder right inside `.alembic-wizard/`, its manifest and journal: real
    folders and regular files, never links."""
    for label, base, rel in (
        ("its folder", top, f"{BACKUP_DIR}/{folder.name}"),
        (f"its {MANIFEST}", folder, MANIFEST),
        (f"its {JOURNAL}", folder, JOURNAL),
    ):
        why = unsafe(base, rel, folder=base == top)
        if why is not None:
            raise _rejected(folder, f"{label} is {why}")


def _check_places(top: Path, record: Record, bounds: tuple[Path, ...] | None) -> None:
    """Every file, backup, temp file and folder the record names, before any is touched.
    `bounds`: the folders they must lie in (None: anywhere)."""
    for entry in record.entries:
        why = _target_unsafe(top, entry, bounds)
        if why is not None:
            consent = bounds is not None and _target_unsafe(top, entry, None) is None
            raise _rejected(record.folder, f"it names `{entry.path}`, {why}", consent=consent)
        why = _aside_unsafe(top, record.folder, entry)
        if why is not None:
            raise _rejected(record.folder, f"for `{entry.path}`: {why}")
    for name in record.dirs:
        why = _place_unsafe(top, name, bounds, folder=True)
        if why is not None:
            consent = bounds is not None and _place_unsafe(top, name, None, folder=True) is None
            raise _rejected(record.folder, f"it names the folder `{name}`, {why}", consent=consent)


def _target_unsafe(top: Path, entry: Entry, bounds: tuple[Path, ...] | None) -> str | None:
    """Why an entry's file may not be touched: the wizard's own copies only under
    `written/`, with no link on the way; the user's files inside `bounds` (links that stay
    inside are followed) or, without bounds, a regular file anywhere."""
    if entry.internal:
        if Path(entry.path).parts[:2] != (BACKUP_DIR, WRITTEN_DIR):
            return f"not under {BACKUP_DIR}/{WRITTEN_DIR}/"
        return unsafe(top, entry.path)
    return _place_unsafe(top, entry.path, bounds)


def _place_unsafe(
    top: Path, name: str, bounds: tuple[Path, ...] | None, *, folder: bool = False
) -> str | None:
    """Why the file (or folder) `name` (relative to `top`) may not be touched: where it
    really is (every link followed) must lie in one of `bounds`, and from there hold no link
    on the way (lstat) and be a regular file, a folder, or nothing yet."""
    real = Path(os.path.realpath(top / name))
    if bounds is None:
        return unsafe(real.parent, real.name, folder=folder)
    if Path(name).is_absolute():
        return "an absolute path"
    for bound in bounds:
        if real.is_relative_to(bound):
            return unsafe(bound, str(real.relative_to(bound)), folder=folder)
    if ".." in Path(name).parts:
        return "a path that climbs out of the project (`..`)"
    return f"a link out of the project (to {real})"


def _aside_unsafe(top: Path, folder: Path, entry: Entry) -> str | None:
    """The backup (a regular file inside the record's folder) and the temp file (exactly
    the one the wizard makes beside the target, and a regular file)."""
    if entry.backup is not None:
        why = unsafe(folder, entry.backup)
        if why is not None:
            return f"its backup `{entry.backup}` is {why}"
    if entry.tmp is None:
        return None
    beside = temp_beside(Path(os.path.realpath(top / entry.path)))
    if entry.tmp != str(beside):
        return f"its temp file `{entry.tmp}` is not the one beside it"
    why = unsafe(beside.parent, beside.name)
    return None if why is None else f"its temp file `{entry.tmp}` is {why}"


def _rejected(folder: Path, why: str, *, consent: bool = False) -> WizardError:
    """A record that names a place the wizard will not touch: left as it is."""
    hint = (
        "if this record is yours (a file outside the project the wizard wrote), pass "
        "--follow-outside; if not, remove the folder"
        if consent
        else "it is not a record alembic-wizard wrote: remove the folder"
    )
    message = f"this apply record cannot be trusted: {why}; it was left as it is"
    return WizardError(f"{message} and nothing was changed", path=folder, hint=hint)


def _entry(raw: dict[str, object]) -> Entry:
    after = raw.get("after", raw.get("sha256"))  # `sha256`: an older wizard's manifest
    if not isinstance(raw["path"], str) or not isinstance(after, str):
        raise TypeError("path and hash")
    backup, before, tmp = raw.get("backup"), raw.get("before"), raw.get("tmp")
    return Entry(
        _no_nul(raw["path"]),
        _no_nul(str(backup)) if backup is not None else None,
        str(before) if before is not None else None,
        after,
        _no_nul(str(tmp)) if tmp is not None else None,
        bool(raw.get("internal", False)),
    )


def _no_nul(name: str) -> str:
    """A name the file system can take (a NUL byte is no path: not a manifest of ours)."""
    if "\0" in name:
        raise TypeError("NUL in a path")
    return name


def _replaced(folder: Path) -> frozenset[int]:
    journal = folder / JOURNAL
    lines = journal.read_text(encoding="utf-8").splitlines() if journal.exists() else []
    return frozenset(
        int(n)
        for word, _, n in (x.partition(" ") for x in lines)
        if word == "replaced" and n.isdigit()
    )


def _applied(folder: Path) -> bool:
    journal = folder / JOURNAL
    if not journal.exists():  # an older wizard's record: its manifest was written last
        return True
    lines = journal.read_text(encoding="utf-8", errors="replace").split()
    return APPLIED in lines


def _unreadable(path: Path, why: str) -> WizardError:
    return WizardError(
        f"cannot read this apply record ({why}); nothing was changed",
        path=path,
        hint=f"restore from the backups beside it by hand, or remove {path.parent.name} "
        "if you no longer need it",
    )


def interrupted(top: Path) -> list[Path]:
    """Records of applies cut short (a kill): a manifest but no `applied` in the journal."""
    return [f for f in folders(top) if (f / MANIFEST).exists() and not _applied(f)]


def drop_unfinished(top: Path) -> None:
    """Record folders with no manifest (a run killed while copying backups, before touching
    any file): nothing in them is needed, and they may hold secrets. Under the lock only."""
    for folder in folders(top):
        if folder.is_symlink() or not folder.is_dir():
            continue  # not the wizard's: left as it is (undo and recovery refuse it)
        if not (folder / MANIFEST).exists():
            shutil.rmtree(folder, ignore_errors=True)
