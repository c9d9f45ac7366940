"""Put back what the last apply changed, byte for byte, from its manifest and backups."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from pathlib import Path

from wizard.errors import StaleFile, WizardError
from wizard.store import BACKUP_DIR, MANIFEST, written_path


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
        written_path(top, path).unlink(missing_ok=True)
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
