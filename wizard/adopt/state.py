"""What the adopt process found, as a value: the database's state, its differences from the
models, and the revision scripts Alembic rendered for it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

Kind = Literal["no database", "empty", "unversioned", "versioned", "unknown revision"]


@dataclass(frozen=True)
class Revision:
    """One revision script, rendered by Alembic, not written yet."""

    name: str  # the file name under versions/
    revision: str
    text: str


@dataclass(frozen=True)
class State:
    """The database as the adopt process saw it."""

    tables: tuple[str, ...]  # without alembic_version
    current: tuple[str, ...]  # the revisions in alembic_version
    unknown: tuple[str, ...]  # those the scripts do not have
    heads: tuple[str, ...]  # the scripts' heads
    versions: Path  # where a new revision goes
    differences: tuple[Mapping[str, Any], ...] = ()  # Alembic's comparison, as plain data
    revisions: tuple[Revision, ...] = ()
    missing_file: str | None = None  # a SQLite file that does not exist (not created)

    @property
    def kind(self) -> Kind:
        if self.missing_file is not None:
            return "no database"
        if self.unknown:
            return "unknown revision"
        if self.current:
            return "versioned"
        return "unversioned" if self.tables else "empty"


def state_of(answer: Mapping[str, Any]) -> State:
    """The process's JSON answer as a State."""
    return State(
        tables=tuple(answer.get("tables", ())),
        current=tuple(answer.get("current", ())),
        unknown=tuple(answer.get("unknown", ())),
        heads=tuple(answer.get("heads", ())),
        versions=Path(answer.get("versions", ".")),
        differences=tuple(answer.get("differences", ())),
        revisions=tuple(
            Revision(r["name"], r["revision"], r["text"]) for r in answer.get("revisions", ())
        ),
        missing_file=answer.get("no_file"),
    )
