"""The `.alembic-wizard/` folder in the project root: a `.gitignore` of `*` (written before
anything else goes in), the `lock` one run holds, `tmp/` for the temp files of atomic writes,
one `backup-<seq>-<time>/` record per apply (backups, `manifest.json`, `journal`), and a copy
of each `env.py`, `script.py.mako` and start-up runner as last written (to tell the user's
edits from ours on a re-run)."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

from wizard import room
from wizard.errors import WizardError

BACKUP_DIR = ".alembic-wizard"
WRITTEN_DIR = "written"
WRITTEN_NAMES = ("env.py", "script.py.mako", "migrate.py")  # the files a copy is kept of
MANIFEST = "manifest.json"
JOURNAL = "journal"
TMP_DIR = "tmp"
LOCK = "lock"
IGNORE = "# alembic-wizard's backups and temp files (they may hold secrets); never commit them\n*\n"
_OURS = {".gitignore", LOCK, TMP_DIR}  # what an otherwise empty folder holds

_held: dict[Path, int] = {}  # project root -> depth: the lock is re-entrant within a run


def backup_name(path: Path, top: Path) -> Path:
    """Where a file's copy goes under a backup folder: its path inside the project, or its
    absolute path (a `../.env` beside a sub-folder project) under `_outside/`."""
    try:
        return path.relative_to(top)
    except ValueError:
        return Path("_outside", *path.resolve().parts[1:])


def written_path(top: Path, path: Path) -> Path:
    """Where the copy of `path` as the wizard last wrote it lives."""
    return top / BACKUP_DIR / WRITTEN_DIR / backup_name(path, top)


def tmp_dir(top: Path) -> Path:
    """Where temp files are made: inside the ignored folder, on the project's filesystem."""
    return top / BACKUP_DIR / TMP_DIR


def check_layout(top: Path) -> bool:
    """Every part of `.alembic-wizard/` that exists is the wizard's own: a real folder or a
    regular file, never a link (a cloned repository may ship one), so a refusal changes
    nothing; True when the folder is still to be made."""
    folder = top / BACKUP_DIR
    made = _own(folder, folder=True)
    for name, is_folder in (
        (".gitignore", False),
        (LOCK, False),
        (TMP_DIR, True),
        (WRITTEN_DIR, True),
    ):
        _own(folder / name, folder=is_folder)
    return made


def prepare(top: Path) -> bool:
    """Make `.alembic-wizard/` with its `.gitignore` first, once its layout is checked; True
    when it was made now."""
    folder = top / BACKUP_DIR
    made = check_layout(top)
    try:
        if made:
            folder.mkdir(mode=0o700)
        ignore = folder / ".gitignore"
        if not ignore.is_file() or ignore.read_text(encoding="utf-8") != IGNORE:
            ignore.write_text(IGNORE, encoding="utf-8")
        tmp_dir(top).mkdir(mode=0o700, exist_ok=True)
    except OSError as exc:
        if made:  # a full disk: no half-made folder left behind
            shutil.rmtree(folder, ignore_errors=True)
        message, hint = room.said(exc, folder)
        raise WizardError(f"{message}; nothing was changed", path=folder, hint=hint) from exc
    return made


def _own(path: Path, *, folder: bool) -> bool:
    """Whether the wizard's own `path` is still to be made; raise when something else is
    there (a link, or a file where a folder belongs)."""
    why = unsafe(path.parent, path.name, folder=folder)
    if why is not None:
        kind = "folder" if folder else "file"
        raise WizardError(
            f"{why}, where the wizard keeps its own {kind}; nothing was changed",
            path=path,
            hint="remove it (the wizard makes its own; a repository should never ship "
            f"{BACKUP_DIR}/)",
        )
    return not os.path.lexists(path)


def unsafe(base: Path, rel: str, *, folder: bool = False) -> str | None:
    """Why `base / rel` is not a plain place inside `base` (None: it is): `rel` relative,
    without `..`, every part below `base` a real folder (lstat: no symlink on the way) and
    the last a regular file (or a folder when `folder`), or not there yet."""
    parts = Path(rel).parts
    if not parts or Path(rel).is_absolute() or "\0" in rel:
        return "an absolute path" if parts and Path(rel).is_absolute() else "not a path"
    if ".." in parts:
        return "a path that climbs out (`..`)"
    here = base
    for index, part in enumerate(parts):
        here = here / part
        try:
            mode = os.lstat(here).st_mode
        except (FileNotFoundError, NotADirectoryError):
            return None  # nothing further on the way exists, so nothing can be followed
        except OSError as exc:
            return f"cannot be checked ({exc.strerror})"
        if stat.S_ISLNK(mode):
            return "a symlink"
        if index < len(parts) - 1 and not stat.S_ISDIR(mode):
            return None  # a file on the way: nothing can be under it, or followed
        if index == len(parts) - 1 and not (stat.S_ISDIR if folder else stat.S_ISREG)(mode):
            return "not a folder" if folder else "not a regular file"
    return None


@contextlib.contextmanager
def locked(top: Path) -> Iterator[None]:
    """Hold `.alembic-wizard/lock` (one run per project); refuse at once when another run
    holds it. Stale temp files are removed once the lock is ours. A folder made only for
    this lock, and left with nothing in it, is removed again."""
    import fcntl

    top = Path(os.path.realpath(top))
    if top in _held:
        _held[top] += 1
        try:
            yield
        finally:
            _held[top] -= 1
        return
    made = prepare(top)
    path = top / BACKUP_DIR / LOCK
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        if exc.errno not in (errno.EAGAIN, errno.EACCES):
            raise
        raise WizardError(
            f"another alembic-wizard run holds {path}; wait for it", hint="run it again after"
        ) from None
    _held[top] = 1
    try:
        clear_tmp(top)
        yield
    finally:
        del _held[top]
        if made:
            _remove_if_empty(top / BACKUP_DIR)
        os.close(fd)


def clear_tmp(top: Path) -> None:
    """Temp files a killed run left behind (only ever called under the lock)."""
    for stale in tmp_dir(top).iterdir():  # a real folder (checked): a link in it is unlinked
        with contextlib.suppress(OSError):
            real_folder = stale.is_dir() and not stale.is_symlink()
            shutil.rmtree(stale) if real_folder else stale.unlink()


def _remove_if_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):
        left = {p.name for p in folder.iterdir()} | {
            p.name for p in tmp_dir(folder.parent).iterdir()
        }
        if left <= _OURS:
            shutil.rmtree(folder)
