"""adopt's stamp of the database, in the journal of the apply that wrote its baseline:
`stamping REV` before the stamp is asked (synced: it may commit at any moment after), then
`stamped REV` once it has, or `unstamped REV` when it was not made. A journal whose last
word of these is `stamping` is a run cut short in the stamp: only the database's own
alembic_version says whether it committed."""

from __future__ import annotations

from pathlib import Path

from wizard.journal import folders, note
from wizard.store import JOURNAL, MANIFEST

STAMPING, STAMPED, UNSTAMPED = "stamping", "stamped", "unstamped"


def noted(folder: Path, word: str, revision: str) -> None:
    """One step of the stamp, synced before the next begins."""
    note(folder, f"{word} {revision}")


def _last(folder: Path) -> tuple[str, str] | None:
    journal = folder / JOURNAL
    if not journal.is_file():
        return None
    lines = journal.read_text(encoding="utf-8", errors="replace").splitlines()
    words = (x.partition(" ") for x in lines)
    found = [(w, rev) for w, _, rev in words if w in (STAMPING, STAMPED, UNSTAMPED) and rev]
    return found[-1] if found else None


def stamped(folder: Path) -> str | None:
    """The revision adopt stamped the database at after this apply (None: no stamp): undoing
    the files leaves the database at a revision the scripts no longer have."""
    last = _last(folder)
    return last[1] if last is not None and last[0] == STAMPED else None


def pending(folder: Path) -> str | None:
    """The revision of a stamp this apply's run was cut short in (None: none)."""
    last = _last(folder)
    return last[1] if last is not None and last[0] == STAMPING else None


def cut_short(top: Path) -> Path | None:
    """The last apply record (not undone) whose run was cut short in adopt's stamp."""
    found = [f for f in folders(top) if (f / MANIFEST).is_file() and pending(f) is not None]
    return found[-1] if found else None
