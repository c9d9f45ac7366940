"""What planning hands to showing and applying: one `Change` per file, gathered in a `Plan`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Action = Literal["create", "modify", "identical"]


@dataclass(frozen=True)
class Change:
    """One file: what it is, what it will be, and why."""

    path: Path
    before: str | None  # None: the file does not exist yet
    after: str
    why: str
    lost: tuple[str, ...] = ()  # lines the user added since the wizard wrote the file, and
    # that the new version would not keep: a conflict to show and ask about

    @property
    def action(self) -> Action:
        if self.before is None:
            return "create"
        return "identical" if self.before == self.after else "modify"


@dataclass(frozen=True)
class Plan:
    """The changes plus the strings that must never be printed."""

    changes: tuple[Change, ...]
    secrets: frozenset[str]

    @property
    def pending(self) -> list[Change]:
        return [c for c in self.changes if c.action != "identical"]
