"""A rule (one known way an Alembic setup breaks) and a finding (a rule that applies here):
the values every doctor module shares."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """One known way an Alembic setup breaks."""

    id: str
    name: str
    why: str  # what the user sees when it breaks
    fix: str
    # error messages (lower case) that this rule explains; `...` stands for a name
    patterns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    """A rule that applies here."""

    rule: str
    path: str | None
    line: int | None
    what: str
    why: str
    fix: str
