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
from collections.abc import Iterator
from pathlib import Path

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


def prepare(top: Path) -> bool:
    """Make `.alembic-wizard/` with its `.gitignore` first; True when it was made now."""
    folder = top / BACKUP_DIR
    made = not folder.exists()
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.is_file() or ignore.read_text(encoding="utf-8") != IGNORE:
            ignore.write_text(IGNORE, encoding="utf-8")
        tmp_dir(top).mkdir(mode=0o700, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        raise WizardError("is not a folder", path=folder, hint="move it away") from exc
    except OSError as exc:
        raise WizardError(f"cannot write: {exc.strerror}", path=folder) from exc
    return made


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
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
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
    for stale in tmp_dir(top).iterdir():
        with contextlib.suppress(OSError):
            shutil.rmtree(stale) if stale.is_dir() else stale.unlink()


def _remove_if_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):
        left = {p.name for p in folder.iterdir()} | {
            p.name for p in tmp_dir(folder.parent).iterdir()
        }
        if left <= _OURS:
            shutil.rmtree(folder)
