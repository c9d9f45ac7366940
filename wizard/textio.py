"""Read and write user files exactly: UTF-8, newlines untouched, atomic replacement."""

from __future__ import annotations

import contextlib
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


def _default_mode() -> int:
    """0o666 less the umask, as `open()` would give a new file."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomic(path: Path, text: str) -> None:
    """Replace `path` with `text` in one step: temp file in the same folder, same mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o7777 if path.exists() else _default_mode()
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        tmp.chmod(mode)
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
