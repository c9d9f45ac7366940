"""Database URLs: parse, derive the sync URL from the async one, mask passwords.

Table-driven and built on SQLAlchemy's own `make_url` / `URL.set`, never string replacement.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wizard.errors import WizardError

if TYPE_CHECKING:
    from sqlalchemy.engine import URL


@dataclass(frozen=True)
class Dialect:
    """What the wizard knows of one database family."""

    name: str
    async_drivers: tuple[str, ...]
    sync_drivers: tuple[str, ...]  # first is the default
    modules: Mapping[str, str]  # driver -> module that must import


DIALECTS: dict[str, Dialect] = {
    "postgresql": Dialect(
        "postgresql",
        async_drivers=("asyncpg", "psycopg_async"),
        sync_drivers=("psycopg", "psycopg2", "pg8000"),
        modules={
            "asyncpg": "asyncpg",
            "psycopg": "psycopg",
            "psycopg2": "psycopg2",
            "pg8000": "pg8000",
        },
    ),
    "sqlite": Dialect(
        "sqlite",
        async_drivers=("aiosqlite",),
        sync_drivers=("pysqlite",),
        modules={"aiosqlite": "aiosqlite", "pysqlite": "sqlite3"},
    ),
}

# query parameters that mean the same thing under another name, per (async, sync) driver
_QUERY_RENAMES: dict[tuple[str, str], dict[str, str]] = {
    ("asyncpg", "psycopg"): {"ssl": "sslmode"},
    ("asyncpg", "psycopg2"): {"ssl": "sslmode"},
}
# asyncpg's ssl= accepts booleans-as-strings that libpq's sslmode does not
_SSL_VALUES = {"true": "require", "false": "disable", "1": "require", "0": "disable"}


def parse(text: str, *, where: str = "the URL") -> URL:
    """Parse a URL or raise a one-line error that never shows the password."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(text.strip())
    except (ArgumentError, ValueError) as exc:
        raise WizardError(
            f"{where} is not a database URL",
            hint="expected something like postgresql+asyncpg://user:password@host/db",
        ) from exc
    if url.get_backend_name() == "postgres":  # Heroku-style; not a SQLAlchemy dialect name
        driver = url.drivername.partition("+")[2]
        url = url.set(drivername="postgresql" + (f"+{driver}" if driver else ""))
    return url


def dialect_of(url: URL) -> Dialect:
    """The known dialect of a URL, or a clear error."""
    name = url.get_backend_name()
    try:
        return DIALECTS[name]
    except KeyError:
        known = ", ".join(DIALECTS)
        raise WizardError(f"the {name!r} database is not supported yet (known: {known})") from None


def is_async(url: URL) -> bool:
    """True when the URL names an async driver."""
    return url.get_driver_name() in dialect_of(url).async_drivers


def default_sync_driver(url: URL, installed: frozenset[str] = frozenset()) -> str:
    """The sync driver to propose: the dialect's first, unless only another is installed."""
    dialect = dialect_of(url)
    for driver in dialect.sync_drivers:
        if dialect.modules.get(driver) in installed:
            return driver
    return dialect.sync_drivers[0]


def derive_sync(url: URL, sync_driver: str) -> URL:
    """The same database through a sync driver, with query parameters translated."""
    dialect = dialect_of(url)
    if dialect.name == "sqlite" and url.database in (None, "", ":memory:"):
        raise WizardError(
            "an in-memory SQLite database cannot be migrated",
            hint="each connection gets a new empty database; use a file path",
        )
    drivername = dialect.name if sync_driver == "pysqlite" else f"{dialect.name}+{sync_driver}"
    renames = _QUERY_RENAMES.get((url.get_driver_name(), sync_driver), {})
    query: dict[str, str | tuple[str, ...]] = {}
    for key, value in url.query.items():
        new_key = renames.get(key, key)
        if new_key == "sslmode" and isinstance(value, str):
            value = _SSL_VALUES.get(value.lower(), value)
        query[new_key] = value
    return url.set(drivername=drivername, query=query)


def render(url: URL) -> str:
    """The URL as text, password included (for files only, never for output)."""
    return url.render_as_string(hide_password=False)


def literal_password(text: str) -> str | None:
    """The password exactly as written in a URL's text (whatever its encoding)."""
    rest = text.strip().split("://", 1)[-1].split("?", 1)[0]
    userinfo = rest.rsplit("@", 1)[0] if "@" in rest else ""
    return userinfo.split(":", 1)[1] if ":" in userinfo else None


def secrets_of(url: URL) -> set[str]:
    """The strings that must never be printed: the password raw and as rendered."""
    if not url.password:
        return set()
    password = str(url.password)
    rendered = render(url)
    found = {password}
    # the encoded form sits between ':' and the last '@' of the authority
    authority = rendered.split("://", 1)[1].rsplit("@", 1)[0]
    if ":" in authority:
        found.add(authority.split(":", 1)[1])
    return {s for s in found if s}
