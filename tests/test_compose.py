"""docker compose: the URL set under a service's `environment:` (map or list style) is the
app's, the sync URL goes beside it in the same style, every other byte kept; `env_file:`
names real env files (`.env.dev`), not templates."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from conftest import alembic, run, wizard
from wizard.edits import compose

MAP = """\
services:
  api:
    image: app  # the API
    environment:
      DEBUG: "true"
      DATABASE_URL: postgresql+asyncpg://app:pw@db:5432/shop
    env_file: .env.dev
  db:
    image: postgres:16
"""
LIST = """\
services:
  bot:
    environment:
      - BOT_TOKEN=abc
      - "DATABASE_URL=mysql+aiomysql://root:pw@mariadb/bot"\r
    env_file:
      - .env.bot
      - path: .env.local
"""


def test_parse_reads_both_styles_and_env_files() -> None:
    found = compose.parse(MAP)
    binding = found.get("DATABASE_URL")
    assert binding is not None and (binding.value, binding.line, binding.style) == (
        "postgresql+asyncpg://app:pw@db:5432/shop",
        6,
        "map",
    )
    assert found.get("DEBUG").value == "true"  # type: ignore[union-attr]
    assert found.env_files == (".env.dev",)
    listed = compose.parse(LIST)
    assert listed.get("DATABASE_URL").value == "mysql+aiomysql://root:pw@mariadb/bot"  # type: ignore[union-attr]
    assert listed.env_files == (".env.bot", ".env.local")
    assert compose.parse("services:\n  db:\n    image: postgres\n").bindings == ()  # no-op twin


@pytest.mark.parametrize(
    ("text", "key", "expected_line"),
    [
        (
            MAP,
            "DATABASE_URL",
            '      DATABASE_URL_SYNC: "postgresql+psycopg://app:pw@db:5432/shop"\n',
        ),
        (
            LIST,
            "DATABASE_URL",
            '      - "DATABASE_URL_SYNC=postgresql+psycopg://app:pw@db:5432/shop"\r\n',
        ),
    ],
)
def test_insert_after_keeps_every_other_byte(text: str, key: str, expected_line: str) -> None:
    anchor = compose.parse(text).get(key)
    assert anchor is not None
    after = compose.insert_after(
        text, anchor, "DATABASE_URL_SYNC", "postgresql+psycopg://app:pw@db:5432/shop"
    )
    before_lines, after_lines = text.splitlines(keepends=True), after.splitlines(keepends=True)
    assert after_lines[anchor.line] == expected_line
    assert after_lines[: anchor.line] + after_lines[anchor.line + 1 :] == before_lines
    yaml = pytest.importorskip("yaml")
    parsed = yaml.safe_load(after)
    assert parsed is not None


APP = {
    "app/__init__.py": "",
    "app/config.py": """
        from pydantic_settings import BaseSettings

        class Settings(BaseSettings):
            database_url: str

        settings = Settings()
    """,
    "app/db.py": """
        from sqlalchemy.ext.asyncio import create_async_engine
        from app.config import settings

        engine = create_async_engine(settings.database_url)
    """,
    "app/models.py": """
        from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

        class Base(DeclarativeBase):
            pass

        class User(Base):
            __tablename__ = "users"
            id: Mapped[int] = mapped_column(primary_key=True)
    """,
    "pyproject.toml": '[project]\nname = "app"\n',
}


def _project(tmp_path: Path, extra: dict[str, str]) -> Path:
    root = tmp_path / "proj"
    for name, text in {**APP, **extra}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip() if name.endswith(".py") else text)
    return root


def test_a_url_set_only_in_compose_gets_its_sync_url_there(tmp_path: Path) -> None:
    """The URL lives in docker-compose.yml: the sync URL goes beside it, the dialect and
    driver come from it, and a shell run needs the variable set (said, and shown to work)."""
    project = _project(
        tmp_path, {"docker-compose.yml": MAP.replace("    env_file: .env.dev\n", "")}
    )
    done = wizard("--yes", "--no-db", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    assert (
        "note: DATABASE_URL is set in docker-compose.yml (for the app's containers)" in done.stderr
    )
    text = (project / "docker-compose.yml").read_text()
    assert '      DATABASE_URL_SYNC: "postgresql+psycopg://app:pw@db:5432/shop"\n' in text
    assert text.replace(
        '      DATABASE_URL_SYNC: "postgresql+psycopg://app:pw@db:5432/shop"\n', ""
    ) == MAP.replace("    env_file: .env.dev\n", "")
    assert "pw@db" not in done.stdout + done.stderr  # the password is never shown
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": "postgresql+asyncpg://u:p@localhost/x"}
    sql = run("-m", "alembic", "upgrade", "head", "--sql", cwd=project, env=env)
    assert sql.returncode == 0, sql.stderr


def test_an_env_file_compose_loads_is_the_apps_not_a_template(tmp_path: Path) -> None:
    """`env_file: .env.dev`: the sync URL goes into .env.dev, the file the app really gets."""
    project = _project(tmp_path, {
        "docker-compose.yml": "services:\n  api:\n    image: app\n    env_file: .env.dev\n",
        ".env.dev": "DATABASE_URL=sqlite+aiosqlite:///./dev.db\n",
    })  # fmt: skip
    done = wizard("--yes", "--no-db", "--env-file", ".env.dev", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "DATABASE_URL_SYNC=sqlite:///./dev.db" in (project / ".env.dev").read_text()
    alembic("upgrade", "head", "--sql", cwd=project)
