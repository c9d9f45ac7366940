"""Sync-URL derivation: each row is checked by parsing the derived URL back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.engine import URL, make_url

from wizard import urls
from wizard.errors import WizardError

ROWS = [
    (
        "postgresql+asyncpg://app:secret@db:5432/shop",
        "psycopg",
        "postgresql+psycopg://app:secret@db:5432/shop",
    ),
    (
        "postgresql+asyncpg://app:secret@db/shop?ssl=require",
        "psycopg",
        "postgresql+psycopg://app:secret@db/shop?sslmode=require",
    ),
    (
        "postgresql+asyncpg://app@db/shop?ssl=true",
        "psycopg2",
        "postgresql+psycopg2://app@db/shop?sslmode=require",
    ),
    ("postgres+asyncpg://app@db/shop", "psycopg", "postgresql+psycopg://app@db/shop"),
    (
        "postgresql+asyncpg://app:p%40ss%3Aw%25rd%2F%23x y@[::1]:6543/shop",
        "psycopg",
        "postgresql+psycopg://app:p%40ss%3Aw%25rd%2F%23x y@[::1]:6543/shop",
    ),
    (
        "postgresql+asyncpg://app@/shop?host=/var/run/postgresql",
        "psycopg",
        "postgresql+psycopg://app@/shop?host=%2Fvar%2Frun%2Fpostgresql",
    ),
    ("sqlite+aiosqlite:///./app.db", "pysqlite", "sqlite:///./app.db"),
    ("sqlite+aiosqlite:////var/data/app.db", "pysqlite", "sqlite:////var/data/app.db"),
    ("sqlite+aiosqlite:///data/app.db?timeout=10", "pysqlite", "sqlite:///data/app.db?timeout=10"),
]


@pytest.mark.parametrize(("async_text", "driver", "expected"), ROWS)
def test_derivation_table(async_text: str, driver: str, expected: str) -> None:
    derived = urls.derive_sync(urls.parse(async_text), driver)
    assert urls.render(derived) == expected
    back, original = make_url(urls.render(derived)), urls.parse(async_text)
    for part in ("username", "password", "host", "port", "database"):
        assert getattr(back, part) == getattr(make_url(expected), part), part
        assert getattr(back, part) == getattr(original, part), part


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


@given(
    password=st.text(min_size=1, max_size=30).filter(lambda s: "\x00" not in s),
    database=st.text(
        alphabet=st.characters(blacklist_characters="/?#\x00"), min_size=1, max_size=20
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
