"""Read and write user files exactly: UTF-8, newlines untouched, atomic replacement."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

from wizard.errors import WizardError


def read_text(path: Path) -> str:
    """The file's text with its newlines as they are; a clear error if it is not UTF-8."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise WizardError(f"cannot read: {exc.strerror}", path=path) from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise WizardError(
            f"not UTF-8 (byte {exc.start})", path=path, line=line, hint="save it as UTF-8"
        ) from exc


def read_if_file(path: Path) -> str | None:
    """The file's text, None where there is none; a folder of its name is a one-line error
    (Alembic and the wizard read a file there)."""
    if path.is_dir():
        raise WizardError(
            "is a folder, where a file of this name is read",
            path=path,
            hint="move the folder away (or rename it), then run again",
        )
    return read_text(path) if path.is_file() else None


def default_mode() -> int:
    """0o666 less the umask, as `open()` would give a new file."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def real_path(path: Path) -> Path:
    """Where a write to `path` lands: every symlink followed, so the link itself is kept and
    its target edited (as for a symlinked `.env`)."""
    return Path(os.path.realpath(path))


def digest(path: Path) -> str | None:
    """sha256 of the file's bytes; None when it does not exist."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except (FileNotFoundError, NotADirectoryError):
        return None


def temp_beside(real: Path) -> Path:
    """The temp file next to a target on another filesystem than the project (fixed, so a
    run that dies is cleaned up after by the next)."""
    return real.with_name(f".{real.name}.alembic-wizard-tmp")


def same_filesystem(folder: Path, path: Path) -> bool:
    """Whether a file renamed from `folder` can land at `path` (its nearest existing folder
    is on the same filesystem)."""
    near = path.parent
    while not near.exists() and near != near.parent:
        near = near.parent
    return folder.stat().st_dev == near.stat().st_dev


def stage(data: bytes, mode: int, real: Path, tmp: Path | None) -> Path:
    """`data` in a new temp file (mode set, synced to disk) from which `real` is replaced:
    inside the folder `tmp`, or beside the target when `tmp` is None."""
    if tmp is not None:
        fd, name = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp", dir=tmp)
        path = Path(name)
    else:
        path = temp_beside(real)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
    except BaseException as exc:
        with contextlib.suppress(OSError):
            path.unlink()
        if isinstance(exc, OSError) and exc.filename is None:  # a write names no file
            exc.filename = str(real)  # the one being written (its disk is the full one)
        raise
    return path


def write_synced(path: Path, data: bytes, mode: int) -> None:
    """`data` in the file `path` with `mode`, on disk before this returns (a backup must
    outlive a power cut that the replace after it survives)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fchmod(handle.fileno(), mode)
        os.fsync(handle.fileno())


def sync_folder(folder: Path) -> None:
    """Make a rename or a new file in `folder` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, text: str, tmp: Path | None = None) -> None:
    """Replace the file `path` leads to with `text` in one step, keeping its mode (and a
    symlink `path` stays a link): temp file in `tmp` (or beside the target), `os.replace`."""
    real = real_path(path)
    real.parent.mkdir(parents=True, exist_ok=True)
    mode = real.stat().st_mode & 0o7777 if real.exists() else default_mode()
    near = tmp if tmp is not None and same_filesystem(tmp, real) else None
    staged = stage(text.encode("utf-8"), mode, real, near)
    try:
        staged.replace(real)
    except BaseException:
        with contextlib.suppress(OSError):
            staged.unlink()
        raise
