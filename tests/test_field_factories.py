"""A config object whose URL field a default factory fills from the environment (a dataclass's
`URL: str = field(default_factory=get_env("DATABASE_URL", ...))`, litestar-fullstack's
shape): the URL is that field, its variable the one the factory reads, asked of the running
factory; the app's scheme rewrite (`.replace("postgresql://", "postgresql+asyncpg://")`) is
kept in env.py; the class gets no sync field (nothing would fill it). The factory-reading
itself on small factories; the whole on a fixture project written here, with real Alembic."""

from __future__ import annotations

import functools
import json
import os
import textwrap
from pathlib import Path

from conftest import alembic, wizard
from wizard.probe.factories import variable_read

SETTINGS = """
from dataclasses import dataclass, field

from app.env import get_env


@dataclass
class DatabaseSettings:
    ECHO: bool = field(default_factory=get_env("DATABASE_ECHO", False))
    URL: str = field(default_factory=get_env("DATABASE_URL", "sqlite+aiosqlite:///./app.db"))
"""
# two engine calls: the one taken is made at import from **options, which static reading
# cannot follow (the probe sees it made from $DATABASE_URL); the other is evaluated
ENGINE = """
from sqlalchemy.ext.asyncio import create_async_engine

from app.settings import DatabaseSettings


def make_engine(settings: DatabaseSettings):
    url = settings.URL.replace("postgresql://", "postgresql+asyncpg://")
    if url.startswith("postgresql"):
        return create_async_engine(url, pool_size=5)
    options = {"url": url, "echo": settings.ECHO}
    return create_async_engine(**options)


engine = make_engine(DatabaseSettings())
"""
FILES = {
    "pyproject.toml": '[project]\nname = "proj"\n',
    "app/__init__.py": "",
    "app/env.py": """
        import os


        def get_env(key, default):
            return lambda: os.environ.get(key, default)
    """,
    "app/settings.py": SETTINGS,
    "app/engine.py": ENGINE,
    "app/models.py": """
        from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


        class Base(DeclarativeBase):
            pass


        class User(Base):
            __tablename__ = "users"
            id: Mapped[int] = mapped_column(primary_key=True)
    """,
}


def _project(tmp_path: Path, env_file: str) -> Path:
    root = tmp_path / "proj"
    for name, text in {**FILES, ".env": env_file}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    return root


def _urls(project: Path) -> list[dict[str, str]]:
    done = wizard("inspect", "--json", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    urls: list[dict[str, str]] = json.loads(done.stdout)["urls"]
    return urls


def test_the_variable_a_factory_reads_is_asked_of_the_factory() -> None:
    os.environ.pop("WIZ_TEST_URL", None)
    assert variable_read(lambda: os.environ.get("WIZ_TEST_URL", "sqlite://")) == "WIZ_TEST_URL"
    assert variable_read(functools.partial(os.getenv, "WIZ_TEST_URL", "x")) == "WIZ_TEST_URL"

    def by_stage() -> str:  # reads the stage first, then the URL
        stage = os.environ.get("WIZ_TEST_STAGE", "dev")
        return os.environ.get("WIZ_TEST_URL", f"sqlite:///./{stage}.db")

    assert variable_read(by_stage) == "WIZ_TEST_URL"
    assert variable_read(lambda: "sqlite:///./fixed.db") is None
    assert variable_read(lambda: 1 / 0) is None
    assert "WIZ_TEST_URL" not in os.environ  # the marker is taken back


def test_a_dataclass_field_filled_by_its_default_factory(tmp_path: Path) -> None:
    """.env holds the async URL, so the engine made at import is also `$DATABASE_URL`: one
    source, the field that reads it. Setup keeps the class as it is, env.py reads the field
    through the app's own rewrite, and Alembic migrates."""
    project = _project(tmp_path, "DATABASE_URL=sqlite+aiosqlite:///./app.db\n")
    (url,) = _urls(project)
    assert (url["url"], url["kind"], url["env_key"], url["sync_key"]) == (
        "app.settings.DatabaseSettings.URL",
        "field",
        "DATABASE_URL",
        "DATABASE_URL_SYNC",
    )
    done = wizard("--yes", "--no-db", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    assert (project / "app/settings.py").read_text() == textwrap.dedent(SETTINGS).lstrip()
    env_py = (project / "migrations/env.py").read_text()
    assert "app_settings.URL.replace('postgresql://', 'postgresql+asyncpg://')" in env_py
    alembic("revision", "--autogenerate", "-m", "first", cwd=project)
    alembic("upgrade", "head", cwd=project)
    assert (project / "app.db").is_file()


def test_the_apps_scheme_rewrite_decides_the_driver(tmp_path: Path) -> None:
    """.env holds a plain `postgresql://` URL, which the app rewrites for asyncpg: the
    variable is still the field's, and the driver is the rewritten URL's."""
    project = _project(tmp_path, "DATABASE_URL=postgresql://app:secret@localhost/app\n")
    (url,) = _urls(project)
    assert (url["url"], url["kind"], url["env_key"]) == (
        "app.settings.DatabaseSettings.URL",
        "field",
        "DATABASE_URL",
    )
    done = wizard("--yes", "--no-db", "--dry-run", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "secret" not in done.stdout + done.stderr
    assert "postgresql+asyncpg" in done.stdout
