"""A constraint naming convention for a MetaData that has none, chosen to reproduce the
names the database already uses (so adding it changes nothing autogenerate compares), with
the reason. Pure: the names come from verification's process, read-only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# https://alembic.sqlalchemy.org/en/latest/naming.html (SQLAlchemy's recommended one)
RECOMMENDED = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
# what PostgreSQL names unnamed constraints (and SQLAlchemy's own default for indexes)
POSTGRESQL = {
    "ix": "ix_%(column_0_label)s",
    "uq": "%(table_name)s_%(column_0_N_name)s_key",
    "fk": "%(table_name)s_%(column_0_N_name)s_fkey",
    "pk": "%(table_name)s_pkey",
}
# MariaDB/MySQL: a unique key is named after its first column; primary keys are PRIMARY
MYSQL = {"ix": "ix_%(column_0_label)s", "uq": "%(column_0_name)s"}
CANDIDATES = {
    "SQLAlchemy's recommended convention": RECOMMENDED,
    "PostgreSQL's own names": POSTGRESQL,
    "MariaDB/MySQL's own names": MYSQL,
}


@dataclass(frozen=True)
class Choice:
    """The convention to add, and why."""

    convention: Mapping[str, str]
    why: str


def render(template: str, item: Mapping[str, Any]) -> str:
    """The name `template` gives a reflected constraint (the tokens SQLAlchemy knows)."""
    columns = list(item["columns"]) or [""]
    tokens = {
        "table_name": item["table"],
        "column_0_name": columns[0],
        "column_0_label": f"{item['table']}_{columns[0]}",
        "column_0_N_name": "_".join(columns),
        "referred_table_name": item.get("referred_table") or "",
        "constraint_name": item.get("name") or "",
    }
    return template % tokens


def _score(
    convention: Mapping[str, str], names: Sequence[Mapping[str, Any]]
) -> tuple[int, list[str]]:
    """How many names the convention reproduces, and the ones it would rename."""
    matched, renamed = 0, []
    for item in names:
        template = convention.get(item["kind"])
        if template is None:  # left unnamed: the database keeps naming it as it does
            continue
        if render(template, item) == item["name"]:
            matched += 1
        else:
            renamed.append(f"{item['name']} -> {render(template, item)}")
    return matched, renamed


def choose(names: Sequence[Mapping[str, Any]]) -> Choice:
    """The candidate that renames nothing and reproduces the most names; with an empty
    database, SQLAlchemy's recommended one."""
    if not names:
        return Choice(
            RECOMMENDED,
            "the database has no constraints of these tables yet: "
            "SQLAlchemy's recommended convention",
        )
    scored = [(label, conv, *_score(conv, names)) for label, conv in CANDIDATES.items()]
    label, conv, matched, renamed = min(scored, key=lambda s: (len(s[3]), -s[2]))
    why = f"{label}: it reproduces {matched} of the {len(names)} names in the database"
    if renamed:
        shown = ", ".join(renamed[:3]) + (" ..." if len(renamed) > 3 else "")
        why += f"; {len(renamed)} would differ ({shown}), so autogenerate would rename them"
    else:
        why += ", so adding it changes nothing autogenerate compares"
    return Choice(conv, why)
