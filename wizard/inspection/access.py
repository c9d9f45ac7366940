"""Before anything is written: every folder the plan writes into can be written, and the
wizard's own folder is a folder. A read-only project is a one-line error, not a failure
halfway through the apply."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from wizard.errors import WizardError
from wizard.store import BACKUP_DIR


def _existing_folder(path: Path) -> Path:
    """The nearest folder above `path` that exists (where a new folder would be made)."""
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def check_can_write(root: Path, paths: Iterable[Path]) -> None:
    """Raise naming the first folder (or the wizard's `.alembic-wizard`) that stops a write."""
    store = root / BACKUP_DIR
    if store.exists() and not store.is_dir():
        raise WizardError(
            "is a file; the wizard keeps its backups in a folder of this name",
            path=store,
            hint="move the file away (or rename it), then run again",
        )
    targets = [store / "x", *paths]
    for path in targets:
        real = Path(os.path.realpath(path))  # a symlinked file is written beside its target
        folder = _existing_folder(real)
        if not folder.is_dir():
            raise WizardError("is not a folder, so nothing can be written under it", path=folder)
        if not os.access(folder, os.W_OK | os.X_OK):
            raise WizardError(
                "the folder is not writable; nothing was written",
                path=folder,
                hint="make it writable (or run the wizard as its owner)",
            )
