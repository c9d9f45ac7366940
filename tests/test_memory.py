"""Remembered answers: a re-run asks nothing it knows, flags override, changes are noticed."""

from __future__ import annotations

from pathlib import Path

import pytest
import tomlkit
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from conftest import copy_project, set_env_line, tree_hash, wizard
from wizard.cli import main


def _remembered(pyproject: Path) -> dict[str, object]:
    return dict(tomlkit.parse(pyproject.read_text()).unwrap()["tool"]["alembic-wizard"])


def test_answers_are_remembered_without_secrets(tmp_path: Path) -> None:
    repo = copy_project("pg_app", tmp_path)
    set_env_line(repo / ".env", "DATABASE_URL", "postgresql+asyncpg://app:s3cr3t@db/shop")
    assert wizard("--yes", "--no-verify", "--project", str(repo)).returncode == 0
    table = _remembered(repo / "backend/pyproject.toml")
    assert table["settings"] == "app.core.config.Settings"
    assert table["env-file"] == "../.env" and table["sync-driver"] == "psycopg"
    assert table["models"] == ["app.catalog.models", "app.orders.models.line",
                               "app.orders.models.order", "app.users.models"]  # fmt: skip
    assert "s3cr3t" not in (repo / "backend/pyproject.toml").read_text()


def test_a_rerun_asks_nothing_it_knows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = copy_project("sqlite_app", tmp_path)
    assert wizard("--yes", "--no-verify", cwd=project).returncode == 0
    before = tree_hash(project)
    with create_pipe_input() as pipe:
        pipe.close()  # any question would hit the end of the input
        with create_app_session(input=pipe, output=DummyOutput()):
            code = main(["--no-color", "--no-verify", "--project", str(project)], interactive=True)
    err = capsys.readouterr().err
    assert code == 0, err
    assert "nothing to change" in err
    assert tree_hash(project) == before


def test_a_flag_overrides_and_is_then_remembered(tmp_path: Path) -> None:
    repo = copy_project("pg_app", tmp_path)
    first = wizard("--yes", "--no-verify", "--sync-driver", "psycopg2", "--project", str(repo))
    assert first.returncode == 0, first.stderr
    assert (
        'SYNC_DRIVERNAME = "postgresql+psycopg2"'
        in (repo / "backend/migrations/env.py").read_text()
    )
    second = wizard("--yes", "--dry-run", "--project", str(repo))
    assert "nothing to change" in second.stderr, second.stderr


def test_a_new_models_module_is_noticed(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    assert wizard("--yes", "--no-verify", cwd=project).returncode == 0
    (project / "src/notes/models/reminder.py").write_text(
        "from sqlmodel import Field, SQLModel\n\n\n"
        "class Reminder(SQLModel, table=True):\n    id: int | None = Field(default=None, primary_key=True)\n"
    )
    done = wizard("--yes", "--no-db", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "note: new model modules since the last run: notes.models.reminder" in done.stderr
    assert '"notes.models.reminder",' in (project / "migrations/env.py").read_text()
    assert "notes.models.reminder" in _remembered(project / "pyproject.toml")["models"]  # type: ignore[operator]
    assert "ok  tables: 5 tables" in done.stdout


def test_a_changed_database_drops_the_remembered_driver(tmp_path: Path) -> None:
    repo = copy_project("pg_app", tmp_path)
    assert wizard("--yes", "--no-verify", "--project", str(repo)).returncode == 0
    set_env_line(repo / ".env", "DATABASE_URL", "mysql+aiomysql://root@127.0.0.1:3306/shop")
    set_env_line(repo / ".env", "DATABASE_URL_SYNC", "mysql+pymysql://root@127.0.0.1:3306/shop")
    done = wizard("--yes", "--no-verify", "--project", str(repo))
    assert done.returncode == 0, done.stderr
    assert "note: the database changed to mysql" in done.stderr
    assert 'SYNC_DRIVERNAME = "mysql+pymysql"' in (repo / "backend/migrations/env.py").read_text()


def test_an_env_file_created_under_its_settings_name_is_remembered(tmp_path: Path) -> None:
    """The settings read `.envs/.local` (not a `.env*` name), which does not exist yet: the
    file the first run creates is the remembered env file (a re-run plans nothing), and a
    .gitignore that already ignores its folder is not given the file again."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app/__init__.py").write_text("")
    (tmp_path / "app/config.py").write_text(
        "from pydantic_settings import BaseSettings, SettingsConfigDict\n\n\n"
        "class Settings(BaseSettings):\n"
        '    model_config = SettingsConfigDict(env_file=".envs/.local")\n'
        '    database_url: str = "postgresql+asyncpg://app:pw@localhost/app"\n\n\n'
        "settings = Settings()\n"
    )
    (tmp_path / "app/models.py").write_text(
        "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\n"
        "class Base(DeclarativeBase):\n    pass\n\n\n"
        "class Item(Base):\n"
        '    __tablename__ = "item"\n'
        "    id: Mapped[int] = mapped_column(primary_key=True)\n"
    )
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "app"\nversion = "0"\n')
    (tmp_path / ".gitignore").write_text(".envs\n")
    first = wizard("--yes", "--no-verify", "--project", str(tmp_path))
    assert first.returncode == 0, first.stderr
    assert (tmp_path / ".envs/.local").is_file()
    assert _remembered(tmp_path / "pyproject.toml")["env-file"] == ".envs/.local"
    assert ".envs/.local" not in (tmp_path / ".gitignore").read_text()
    second = wizard("--yes", "--dry-run", "--project", str(tmp_path))
    assert "nothing to change" in second.stderr, second.stderr
