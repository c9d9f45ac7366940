"""Database URLs: parse, derive the sync URL from the async one, mask passwords.

Table-driven and built on SQLAlchemy's own `make_url` / `URL.set`, never string replacement.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from wizard.errors import WizardError

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy.engine import URL


@dataclass(frozen=True)
class Dialect:
    """What the wizard knows of one database family."""

    name: str
    async_drivers: tuple[str, ...]  # drivers that are async whatever engine they are given
    dual_drivers: tuple[str, ...]  # async only when given to create_async_engine
    sync_drivers: tuple[str, ...]  # the first is the default
    modules: Mapping[str, str]  # driver -> module that must import
    packages: Mapping[str, str] = field(default_factory=dict)  # driver -> what to install


_PG = Dialect(
    "postgresql",
    async_drivers=("asyncpg", "psycopg_async"),
    dual_drivers=("psycopg",),
    sync_drivers=("psycopg", "psycopg2", "pg8000"),
    modules={
        "asyncpg": "asyncpg",
        "psycopg": "psycopg",
        "psycopg_async": "psycopg",
        "psycopg2": "psycopg2",
        "pg8000": "pg8000",
    },
    packages={"psycopg": "psycopg[binary]", "psycopg2": "psycopg2-binary", "pg8000": "pg8000"},
)
_MYSQL_MODULES = {
    "asyncmy": "asyncmy",
    "aiomysql": "aiomysql",
    "pymysql": "pymysql",
    "mysqldb": "MySQLdb",
}
_MYSQL_PACKAGES = {"pymysql": "pymysql", "mysqldb": "mysqlclient"}
DIALECTS: dict[str, Dialect] = {
    "postgresql": _PG,
    "mysql": Dialect(
        "mysql",
        ("asyncmy", "aiomysql"),
        (),
        ("pymysql", "mysqldb"),
        _MYSQL_MODULES,
        _MYSQL_PACKAGES,
    ),
    "mariadb": Dialect(
        "mariadb",
        ("asyncmy", "aiomysql"),
        (),
        ("pymysql", "mysqldb"),
        _MYSQL_MODULES,
        _MYSQL_PACKAGES,
    ),
    "sqlite": Dialect(
        "sqlite",
        ("aiosqlite",),
        (),
        ("pysqlite",),
        {"aiosqlite": "aiosqlite", "pysqlite": "sqlite3"},
    ),
    "mssql": Dialect(
        "mssql",
        ("aioodbc",),
        (),
        ("pyodbc",),
        {"aioodbc": "aioodbc", "pyodbc": "pyodbc"},
        {"pyodbc": "pyodbc"},
    ),
    "oracle": Dialect(
        "oracle",
        ("oracledb_async",),
        ("oracledb",),
        ("oracledb",),
        {"oracledb": "oracledb", "oracledb_async": "oracledb"},
        {"oracledb": "oracledb"},
    ),
}

# asyncpg's connect() arguments and what libpq (psycopg, psycopg2, pg8000) calls them;
# None: asyncpg-only, no libpq meaning, dropped from the sync URL
_ASYNCPG_TO_LIBPQ: dict[str, str | None] = {
    "ssl": "sslmode",
    "timeout": "connect_timeout",
    "command_timeout": None,
    "prepared_statement_cache_size": None,
    "statement_cache_size": None,
    "max_cached_statement_lifetime": None,
    "max_cacheable_statement_size": None,
}
# asyncpg's ssl= also takes booleans, which libpq's sslmode does not
_SSL_VALUES = {"true": "require", "false": "disable", "1": "require", "0": "disable"}
# a driver-less URL means the dialect's default DBAPI (SQLAlchemy 2.1: psycopg for postgresql)
_DEFAULT_DRIVERS = {
    "postgresql": "psycopg",
    "mysql": "mysqldb",
    "mariadb": "mysqldb",
    "sqlite": "pysqlite",
    "mssql": "pyodbc",
    "oracle": "oracledb",
}


def query_renames(async_driver: str, sync_driver: str) -> dict[str, str | None]:
    """Query parameters spelled differently (or meaningless) for the sync driver."""
    if async_driver == "asyncpg" and sync_driver in ("psycopg", "psycopg2", "pg8000"):
        return dict(_ASYNCPG_TO_LIBPQ)
    return {}


def parse(
    text: str, *, where: str = "the URL", path: Path | None = None, line: int | None = None
) -> URL:
    """Parse a URL or raise a one-line error that never shows the password."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(text)
    except (ArgumentError, ValueError) as exc:
        raise WizardError(
            f"{where} is not a database URL",
            path=path,
            line=line,
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


def driver_of(url: URL) -> str:
    """The URL's driver, made explicit for a driver-less URL."""
    if "+" in url.drivername:
        return url.drivername.partition("+")[2]
    return _DEFAULT_DRIVERS.get(url.get_backend_name(), "")


def explicit(url: URL) -> URL:
    """`postgresql://` as `postgresql+psycopg://`: what the URL means, said out loud."""
    if "+" in url.drivername:
        return url
    driver = driver_of(url)
    if driver == "pysqlite":
        return url
    if url.get_backend_name() == "postgresql" and _sqlalchemy_before_2_1():
        driver = "psycopg2"
    return url.set(drivername=f"{url.get_backend_name()}+{driver}")


def default_driver(url: URL, *, sqlalchemy: str) -> str:
    """The driver a driver-less URL gets from SQLAlchemy `sqlalchemy` (its version):
    psycopg2 for PostgreSQL before 2.1, psycopg from then on."""
    name = url.get_backend_name()
    parts = [int(p) if p.isdigit() else 0 for p in sqlalchemy.split(".")[:2]]
    if name == "postgresql" and tuple(parts) < (2, 1):
        return "psycopg2"
    return _DEFAULT_DRIVERS.get(name, "")


def _sqlalchemy_before_2_1() -> bool:
    import sqlalchemy

    major, minor = (int(p) for p in sqlalchemy.__version__.split(".")[:2])
    return (major, minor) < (2, 1)


def is_async(url: URL, *, async_engine: bool = False) -> bool:
    """True when the app reaches the URL asynchronously; `async_engine`: the project calls
    create_async_engine (psycopg and oracledb serve both worlds)."""
    dialect = dialect_of(url)
    driver = url.get_driver_name() if "+" in url.drivername else ""
    return driver in dialect.async_drivers or (async_engine and driver in dialect.dual_drivers)


def default_sync_driver(
    url: URL, installed: frozenset[str] = frozenset(), *, sqlalchemy: str = ""
) -> str:
    """The sync driver to propose: the app's own when it serves both worlds, else the
    dialect's first, unless only another is installed. `sqlalchemy`: the project's version;
    before 2.0 there is no psycopg 3 dialect (`Can't load plugin: ...postgresql.psycopg`)."""
    dialect = dialect_of(url)
    own = url.get_driver_name()
    if own in dialect.dual_drivers:
        return own
    drivers = [d for d in dialect.sync_drivers if d != "psycopg" or _two_or_later(sqlalchemy)]
    if own == "psycopg_async" and "psycopg" in drivers:
        return "psycopg"
    for driver in drivers:
        if dialect.modules.get(driver) in installed:
            return driver
    return drivers[0]


def _two_or_later(version: str) -> bool:
    major = version.split(".")[0]
    return not major.isdigit() or int(major) >= 2


def derive_sync(url: URL, sync_driver: str) -> URL:
    """The same database through a sync driver, with query parameters translated."""
    dialect = dialect_of(url)
    if dialect.name == "sqlite" and url.database in (None, "", ":memory:"):
        raise WizardError(
            "an in-memory SQLite database cannot be migrated",
            hint="each connection gets a new empty database; give the app a file path",
        )
    if sync_driver not in dialect.sync_drivers:
        choices = ", ".join(dialect.sync_drivers)
        raise WizardError(f"{sync_driver!r} is not a sync driver for {dialect.name} ({choices})")
    drivername = dialect.name if sync_driver == "pysqlite" else f"{dialect.name}+{sync_driver}"
    renames = query_renames(driver_of(url), sync_driver)
    query: dict[str, str | tuple[str, ...]] = {}
    for key, value in url.query.items():
        new_key = renames.get(key, key)
        if new_key is None:
            continue
        if new_key == "sslmode" and key == "ssl" and isinstance(value, str):
            value = _SSL_VALUES.get(value.lower(), value)
        query[new_key] = value
    return url.set(drivername=drivername, query=query)


def derive_async(url: URL, async_driver: str) -> URL:
    """The other direction: a sync URL for an async driver (libpq's `sslmode` becomes
    asyncpg's `ssl`, `connect_timeout` its `timeout`)."""
    dialect = dialect_of(url)
    if async_driver not in dialect.async_drivers + dialect.dual_drivers:
        choices = ", ".join(dialect.async_drivers + dialect.dual_drivers)
        raise WizardError(f"{async_driver!r} is not an async driver for {dialect.name} ({choices})")
    back = {new: old for old, new in query_renames(async_driver, driver_of(url)).items() if new}
    query = {back.get(key, key): value for key, value in url.query.items()}
    return url.set(drivername=f"{dialect.name}+{async_driver}", query=query)


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
    found = {str(url.password)}
    literal = literal_password(render(url))
    if literal:
        found.add(literal)
    return {s for s in found if s}


_FAMILIES = {"mariadb": "mysql"}


def same_database_sync(app_url: URL, other: URL) -> str | None:
    """The sync driver through which `other` reaches the database `app_url` names (the same
    dialect family, host, port, database and user; the password is not compared): "" for
    the dialect's default driver; None for another database, or an async driver."""
    try:
        dialect, other_dialect = dialect_of(app_url), dialect_of(other)
    except WizardError:
        return None
    family = _FAMILIES.get(dialect.name, dialect.name)
    if family != _FAMILIES.get(other_dialect.name, other_dialect.name):
        return None
    place = (app_url.host, app_url.port, app_url.database, app_url.username)
    if place != (other.host, other.port, other.database, other.username):
        return None
    driver = other.get_driver_name() if "+" in other.drivername else ""
    return driver if driver == "" or driver in other_dialect.sync_drivers else None
