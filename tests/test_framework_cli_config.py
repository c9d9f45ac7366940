"""An existing env.py written for a framework's migration CLI (Advanced Alchemy's shape: its
Config subclass carries `version_table_name`, `version_table_pk`, `user_module_prefix`) keeps
those options with the values the app's objects hold written in, so plain `alembic` and the
framework's CLI use the same version table."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import run, wizard

FRAMEWORK = """\
from dataclasses import dataclass, field


@dataclass
class MigrationConfig:
    version_table_name: str = "migrakit_versions"
    user_module_prefix: str | None = "sa."


@dataclass
class DatabaseConfig:
    connection_string: str
    migrations: MigrationConfig = field(default_factory=MigrationConfig)
"""

ENV_PY = """\
import asyncio
from typing import TYPE_CHECKING

from alembic import context

from app.models import Base

if TYPE_CHECKING:
    from migrakit.commands import CommandConfig

config: "CommandConfig" = context.config  # type: ignore


def run_migrations_offline() -> None:
    context.configure(
        url=config.db_url,
        target_metadata=Base.metadata,
        literal_binds=True,
        version_table=config.version_table_name,
        version_table_pk=config.version_table_pk,
        user_module_prefix=config.user_module_prefix,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    raise SystemExit("run through the framework's CLI")
"""

SETTINGS = """\
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    database_url: str = "sqlite+aiosqlite:///./app.db"
"""

MODELS = """\
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "item"
    id: Mapped[int] = mapped_column(primary_key=True)
"""


def _project(
    tmp_path: Path, config_py: str, settings_tail: str = ""
) -> tuple[Path, dict[str, str]]:
    site, repo = tmp_path / "site", tmp_path / "repo"
    (site / "migrakit").mkdir(parents=True)
    (site / "migrakit/__init__.py").write_text(FRAMEWORK)
    (repo / "app").mkdir(parents=True)
    (repo / "migrations/versions").mkdir(parents=True)
    (repo / "app/__init__.py").write_text("")
    (repo / "app/settings.py").write_text(SETTINGS + settings_tail + "\n\nsettings = Settings()\n")
    (repo / "app/models.py").write_text(MODELS)
    (repo / "app/config.py").write_text(config_py)
    (repo / "migrations/env.py").write_text(ENV_PY)
    (repo / "migrations/versions/0001_first.py").write_text(
        'revision = "0001"\ndown_revision = None\n\n\ndef upgrade():\n    pass\n'
    )
    (repo / "alembic.ini").write_text("[alembic]\nscript_location = migrations\n")
    (repo / "pyproject.toml").write_text('[project]\nname = "app"\nversion = "0"\n')
    return repo, {**os.environ, "PYTHONPATH": str(site)}


def _configure_options(env_py: str) -> str:
    return env_py[env_py.index("def configure(") : env_py.index("def run_migrations_offline")]


def test_the_framework_objects_version_table_is_written_in(tmp_path: Path) -> None:
    """`db = DatabaseConfig(..., migrations=MigrationConfig(version_table_name="ddl_version"))`
    at module level: its values, found on the object, replace `config.X`; an attribute no
    object holds (version_table_pk) is left out, with a note."""
    repo, env = _project(
        tmp_path,
        "from migrakit import DatabaseConfig, MigrationConfig\n\n"
        "from app.settings import settings\n\n"
        "db = DatabaseConfig(\n    connection_string=settings.database_url,\n"
        '    migrations=MigrationConfig(version_table_name="ddl_version"),\n)\n',
    )
    done = wizard("--yes", "--no-db", "--project", str(repo), env=env)
    assert done.returncode == 0, done.stderr + done.stdout
    options = _configure_options((repo / "migrations/env.py").read_text())
    assert 'version_table="ddl_version",' in options
    assert 'user_module_prefix="sa.",' in options
    assert "config.version_table" not in options and "version_table_pk" not in options
    assert "config.version_table_pk is left out (Alembic's default applies)" in done.stderr
    sql = run("-m", "alembic", "upgrade", "head", "--sql", cwd=repo, env=env)
    assert "CREATE TABLE ddl_version" in sql.stdout, sql.stderr
    again = wizard("--yes", "--dry-run", "--project", str(repo), env=env)
    assert "nothing to change" in again.stderr, again.stderr


def test_a_settings_method_that_builds_the_framework_config(tmp_path: Path) -> None:
    """`alchemy = settings.get_config()` where the settings' method imports the framework in
    its body: the module that calls it is imported, and the framework's default is read."""
    method = (
        "\n    def get_config(self):\n"
        "        from migrakit import DatabaseConfig\n\n"
        "        return DatabaseConfig(connection_string=self.database_url)\n"
    )
    repo, env = _project(
        tmp_path, "from app.settings import settings\n\nalchemy = settings.get_config()\n", method
    )
    done = wizard("--yes", "--no-db", "--project", str(repo), env=env)
    assert done.returncode == 0, done.stderr + done.stdout
    options = _configure_options((repo / "migrations/env.py").read_text())
    assert 'version_table="migrakit_versions",' in options
