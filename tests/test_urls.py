"""Sync-URL derivation: each row is checked by parsing the derived URL back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.engine import URL, make_url

from wizard import urls
from wizard.errors import WizardError

PW = "p%40ss%3Aw%25rd%2F%23x y"  # p@ss:w%rd/#x y, encoded as a user would
ROWS = [
    # (async URL, sync driver, expected sync URL)
    ("postgresql+asyncpg://app:secret@db:5432/shop", "psycopg", "postgresql+psycopg://app:secret@db:5432/shop"),
    ("postgresql+asyncpg://app:secret@db/shop?ssl=require", "psycopg", "postgresql+psycopg://app:secret@db/shop?sslmode=require"),
    ("postgresql+asyncpg://app@db/shop?ssl=true", "psycopg2", "postgresql+psycopg2://app@db/shop?sslmode=require"),
    ("postgresql+asyncpg://app@db/shop?ssl=false", "psycopg", "postgresql+psycopg://app@db/shop?sslmode=disable"),
    ("postgresql+asyncpg://app@db/shop?ssl=verify-full", "pg8000", "postgresql+pg8000://app@db/shop?sslmode=verify-full"),
    ("postgres+asyncpg://app@db/shop", "psycopg", "postgresql+psycopg://app@db/shop"),
    (f"postgresql+asyncpg://app:{PW}@[::1]:6543/shop", "psycopg", f"postgresql+psycopg://app:{PW}@[::1]:6543/shop"),
    ("postgresql+asyncpg://app@/shop?host=/var/run/postgresql", "psycopg", "postgresql+psycopg://app@/shop?host=/var/run/postgresql"),
    ("postgresql+asyncpg://app@db/shop?timeout=10&command_timeout=60&prepared_statement_cache_size=0", "psycopg", "postgresql+psycopg://app@db/shop?connect_timeout=10"),
    ("postgresql+asyncpg://app@/shop?host=h1:5432&host=h2:5433", "psycopg", "postgresql+psycopg://app@/shop?host=h1:5432&host=h2:5433"),
    ("postgresql+asyncpg://us%40er:pw@db/shop%20data", "psycopg", "postgresql+psycopg://us%40er:pw@db/shop%20data"),
    ("postgresql+psycopg_async://app:pw@db/shop?sslmode=require", "psycopg", "postgresql+psycopg://app:pw@db/shop?sslmode=require"),
    ("postgresql+psycopg://app:pw@db/shop?application_name=api", "psycopg", "postgresql+psycopg://app:pw@db/shop?application_name=api"),
    ("mysql+asyncmy://root:pw@127.0.0.1:3306/shop?charset=utf8mb4", "pymysql", "mysql+pymysql://root:pw@127.0.0.1:3306/shop?charset=utf8mb4"),
    ("mysql+aiomysql://root:pw@db/shop?charset=utf8mb4", "mysqldb", "mysql+mysqldb://root:pw@db/shop?charset=utf8mb4"),
    ("mariadb+asyncmy://root@db/shop", "pymysql", "mariadb+pymysql://root@db/shop"),
    ("mysql+aiomysql://app:pw@db/shop?ssl_ca=/etc/ssl/ca.pem&ssl_check_hostname=false", "pymysql", "mysql+pymysql://app:pw@db/shop?ssl_ca=/etc/ssl/ca.pem&ssl_check_hostname=false"),
    ("mysql+asyncmy://app@localhost/shop?unix_socket=/run/mysqld/mysqld.sock", "pymysql", "mysql+pymysql://app@localhost/shop?unix_socket=/run/mysqld/mysqld.sock"),
    (f"mariadb+aiomysql://app:{PW}@[::1]:3307/shop", "mysqldb", f"mariadb+mysqldb://app:{PW}@[::1]:3307/shop"),
    ("sqlite+aiosqlite:///./app.db", "pysqlite", "sqlite:///./app.db"),
    ("sqlite+aiosqlite:////var/data/app.db", "pysqlite", "sqlite:////var/data/app.db"),
    ("sqlite+aiosqlite:///data/app.db?timeout=10", "pysqlite", "sqlite:///data/app.db?timeout=10"),
    ("sqlite+aiosqlite:///file:app.db?mode=ro&uri=true", "pysqlite", "sqlite:///file:app.db?mode=ro&uri=true"),
    ("mssql+aioodbc://sa:pw@db:1433/shop?driver=ODBC+Driver+18+for+SQL+Server", "pyodbc", "mssql+pyodbc://sa:pw@db:1433/shop?driver=ODBC+Driver+18+for+SQL+Server"),
    ("mssql+aioodbc://sa:pw@db/shop?driver=ODBC+Driver+18+for+SQL+Server&TrustServerCertificate=yes", "pyodbc", "mssql+pyodbc://sa:pw@db/shop?driver=ODBC+Driver+18+for+SQL+Server&TrustServerCertificate=yes"),
    ("oracle+oracledb_async://scott:tiger@db:1521/?service_name=FREEPDB1", "oracledb", "oracle+oracledb://scott:tiger@db:1521/?service_name=FREEPDB1"),
    ("oracle+oracledb://scott:tiger@db:1521/?service_name=FREEPDB1", "oracledb", "oracle+oracledb://scott:tiger@db:1521/?service_name=FREEPDB1"),
]  # fmt: skip


@pytest.mark.parametrize(("async_text", "driver", "expected"), ROWS)
def test_derivation_table(async_text: str, driver: str, expected: str) -> None:
    derived = make_url(urls.render(urls.derive_sync(urls.parse(async_text), driver)))
    wanted, original = make_url(expected), urls.parse(async_text)
    assert derived.drivername == wanted.drivername
    for part in ("username", "password", "host", "port", "database"):
        assert getattr(derived, part) == getattr(original, part) == getattr(wanted, part), part
    assert dict(derived.query) == dict(wanted.query)


BACK_AND_FORTH = [
    ("postgresql+asyncpg://app:pw@db/shop?ssl=require&timeout=5", "psycopg"),
    ("postgresql+asyncpg://app@/shop?host=/var/run/postgresql&ssl=verify-full", "psycopg2"),
    ("mysql+asyncmy://root:pw@db/shop?charset=utf8mb4", "pymysql"),
    ("mssql+aioodbc://sa:pw@db/shop?driver=ODBC+Driver+18", "pyodbc"),
]


@pytest.mark.parametrize(("async_text", "sync_driver"), BACK_AND_FORTH)
def test_translation_in_both_directions(async_text: str, sync_driver: str) -> None:
    original = urls.parse(async_text)
    there = urls.derive_sync(original, sync_driver)
    back = urls.derive_async(make_url(urls.render(there)), original.get_driver_name())
    assert urls.render(back) == urls.render(original)


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("postgres://u@h/db", "postgresql+psycopg"),
        ("postgresql://u@h/db", "postgresql+psycopg"),
        ("mysql://u@h/db", "mysql+mysqldb"),
        ("mariadb://u@h/db", "mariadb+mysqldb"),
        ("sqlite:///x.db", "sqlite"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg"),
    ],
)
def test_driverless_urls_are_made_explicit(text: str, meant: str) -> None:
    assert urls.explicit(urls.parse(text)).drivername == meant  # SQLAlchemy 2.1 meanings


def test_async_detection_knows_dual_drivers() -> None:
    psycopg = urls.parse("postgresql+psycopg://u@h/db")
    assert not urls.is_async(psycopg)
    assert urls.is_async(psycopg, async_engine=True)
    assert urls.default_sync_driver(psycopg) == "psycopg"
    assert urls.is_async(urls.parse("mysql+asyncmy://u@h/db"))
    assert not urls.is_async(urls.parse("mysql+pymysql://u@h/db"), async_engine=True)
    assert urls.default_sync_driver(urls.parse("mysql+asyncmy://u@h/db")) == "pymysql"
    only_mysqlclient = frozenset({"MySQLdb"})
    assert (
        urls.default_sync_driver(urls.parse("mysql+aiomysql://u@h/db"), only_mysqlclient)
        == "mysqldb"
    )


def test_memory_sqlite_is_refused_with_a_reason() -> None:
    with pytest.raises(WizardError, match="in-memory"):
        urls.derive_sync(urls.parse("sqlite+aiosqlite:///:memory:"), "pysqlite")


def test_unparsable_url_error_does_not_show_it() -> None:
    with pytest.raises(WizardError) as info:
        urls.parse("not a url with secret", where="DATABASE_URL")
    assert "secret" not in str(info.value)


def test_unknown_database_is_a_clear_error() -> None:
    with pytest.raises(WizardError, match="not supported"):
        urls.dialect_of(urls.parse("firebird+fdb://u@h/db"))


# lone surrogates cannot be in a file read as UTF-8 (nor rendered by SQLAlchemy itself)
_TEXT = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")


@given(
    password=st.text(alphabet=_TEXT, min_size=1, max_size=30),
    database=st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/?#\x00"),
        min_size=1,
        max_size=20,
    ),
)
def test_any_password_and_database_survive(password: str, database: str) -> None:
    source = URL.create("postgresql+asyncpg", "user", password, "db.example", 5432, database)
    text = source.render_as_string(hide_password=False)
    derived = make_url(urls.render(urls.derive_sync(urls.parse(text), "psycopg")))
    assert (derived.password, derived.database) == (password, make_url(text).database)
    assert derived.drivername == "postgresql+psycopg"


def test_secrets_cover_raw_and_encoded_password() -> None:
    url = urls.parse("postgresql+asyncpg://u:p%40ss%20x@h/db")
    assert urls.secrets_of(url) >= {"p@ss x", "p%40ss x"}


def test_sqlalchemy_before_2_gets_psycopg2() -> None:
    """SQLAlchemy 1.4 has no psycopg 3 dialect: a project that pins it gets psycopg2 (it
    failed with `Can't load plugin: sqlalchemy.dialects:postgresql.psycopg`)."""
    app = urls.parse("postgresql+asyncpg://u@h/db")
    assert urls.default_sync_driver(app, sqlalchemy="1.4.54") == "psycopg2"
    assert urls.default_sync_driver(app, sqlalchemy="2.0.36") == "psycopg"
    assert urls.default_sync_driver(app) == "psycopg"  # not known: the current default


SAME_DATABASE = [
    # (the app's async URL, another URL of its, the sync driver it reaches the app's with)
    (
        "postgresql+asyncpg://app:pw@db:5432/shop",
        "postgresql+psycopg2://app:***@db:5432/shop",
        "psycopg2",
    ),
    ("postgresql+asyncpg://app:pw@db:5432/shop", "postgresql://app:***@db:5432/shop", ""),
    ("mysql+aiomysql://app:pw@db/shop", "mariadb+pymysql://app:other@db/shop", "pymysql"),
    ("sqlite+aiosqlite:///./app.db", "sqlite:///./app.db", ""),
    (
        "postgresql+asyncpg://app:pw@db:5432/shop",
        "postgresql+psycopg2://app:pw@db:5432/shop_test",
        None,
    ),
    ("postgresql+asyncpg://app:pw@db:5432/shop", "postgresql+psycopg2://app:pw@db:5433/shop", None),
    (
        "postgresql+asyncpg://app:pw@db:5432/shop",
        "postgresql+psycopg2://admin:pw@db:5432/shop",
        None,
    ),
    ("postgresql+asyncpg://app:pw@db:5432/shop", "postgresql+asyncpg://app:pw@db:5432/shop", None),
    ("postgresql+asyncpg://app:pw@db:5432/shop", "mysql+pymysql://app:pw@db:5432/shop", None),
]


@pytest.mark.parametrize(("app", "other", "driver"), SAME_DATABASE)
def test_the_same_database_through_a_sync_driver(app: str, other: str, driver: str | None) -> None:
    """Dialect family, host, port, database and user agree (the password, masked or not,
    is not compared); the other URL's driver is sync."""
    assert urls.same_database_sync(make_url(app), make_url(other)) == driver


def test_a_driverless_url_gets_the_driver_of_the_projects_sqlalchemy() -> None:
    url = make_url("postgresql://app@db/shop")
    assert urls.default_driver(url, sqlalchemy="2.0.45") == "psycopg2"
    assert urls.default_driver(url, sqlalchemy="2.1.0") == "psycopg"
    assert urls.default_driver(make_url("mysql://app@db/shop"), sqlalchemy="2.0") == "mysqldb"
