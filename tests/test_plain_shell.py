"""env.py works from a plain shell (issue 17, point 3): a revision imports the module of every
column type from outside SQLAlchemy (env.py's render_item hook), and env.py loads the env file
before the app's modules when the app reads the environment but loads no file itself."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import alembic, run, wizard, wizard_process
from memory_project import after_apply, memory_answers, memory_project, memory_target
from wizard.plan import build

HOOK = "        render_item=import_type_modules,\n"
USERS_RENDER_ITEM = '''

def render_item(type_, obj, autogen_context):
    """mine: the app's types under their short names"""
    if type_ == "type" and type(obj).__module__ == "shop.types":
        autogen_context.imports.add("from shop import types")
        return f"types.{obj!r}"
    return False
'''


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_env_py_passes_its_render_item_hook_and_a_second_plan_is_empty(mode: str) -> None:
    project = memory_project("sqlite+aiosqlite:///./shop.db")
    answers = memory_answers(project, mode="async" if mode == "async" else "sync")
    target = memory_target(project, answers)
    plan = build(project, answers, target)
    env_py = next(c for c in plan.changes if c.path.name == "env.py").after
    assert env_py.count(HOOK) == 1
    assert "\ndef import_type_modules(type_: str, obj: object, autogen_context:" in env_py
    assert 'autogen_context.imports.add(f"import {module}")' in env_py
    after = after_apply(project, plan.changes)
    assert list(build(after, memory_answers(after, mode=answers.mode), target).pending) == []


def test_a_users_own_render_item_is_kept_instead_of_ours() -> None:
    project = memory_project("postgresql+asyncpg://u:p@db/shop")
    answers = memory_answers(project)
    target = memory_target(project, answers)
    plan = build(project, answers, target)
    env_py = next(c for c in plan.changes if c.path.name == "env.py")
    mine = env_py.after.replace(HOOK, "        render_item=render_item,\n")
    mine = mine.replace("\ndef configure(", USERS_RENDER_ITEM + "\n\ndef configure(", 1)
    after = after_apply(project, plan.changes)
    after = replace(after, files={**after.files, env_py.path: mine})
    again = next(
        c for c in build(after, memory_answers(after), target).changes if c.path == env_py.path
    )
    assert "import_type_modules" not in again.after
    assert again.after.count("render_item=render_item,") == 1
    assert '"""mine: the app\'s types under their short names"""' in again.after
    compile(again.after, "env.py", "exec")


TYPES = '''\
import uuid

from sqlalchemy import String
from sqlalchemy.types import TypeDecorator


class GUID(TypeDecorator[uuid.UUID]):
    """A UUID stored as text."""

    impl = String(36)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else str(value)

    def process_result_value(self, value, dialect):
        return None if value is None else uuid.UUID(value)
'''
KINDS = '''\
from sqlalchemy import String
from sqlalchemy.types import TypeDecorator


class Slug(TypeDecorator[str]):
    """Lower-case text."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else value.lower()
'''
DB = """\
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.orm import DeclarativeBase

from app.config import settings

engine = create_async_engine(settings.database_url)


class Base(DeclarativeBase):
    pass
"""
MODELS = """\
import uuid

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.kinds import Slug
from app.types import GUID


class Item(Base):
    __tablename__ = "items"
    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True, default=uuid.uuid4)
    # a variant: the SQLite column is the app's own type, another database's plain text
    slug: Mapped[str] = mapped_column(String(40).with_variant(Slug(), "sqlite"))
"""
SETTINGS = """\
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env")
    database_url: str


settings = Settings()
"""


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_revision_imports_the_module_of_the_apps_own_column_types(
    tmp_path: Path, mode: str
) -> None:
    project = _write(tmp_path / "shop", {
        "app/__init__.py": "", "app/config.py": SETTINGS, "app/db.py": DB,
        "app/types.py": TYPES, "app/kinds.py": KINDS, "app/models.py": MODELS,
        ".env": "DATABASE_URL=sqlite+aiosqlite:///./shop.db\n",
    })  # fmt: skip
    done = wizard("--yes", "--mode", mode, "--project", str(project))
    assert done.returncode == 0, done.stderr + done.stdout
    assert HOOK in (project / "migrations/env.py").read_text()

    alembic("revision", "--autogenerate", "-m", "create items", cwd=project)
    (revision,) = (project / "migrations/versions").glob("*.py")
    text = revision.read_text()
    assert "app.types.GUID(" in text and "with_variant(app.kinds.Slug(" in text
    imports = set(re.findall(r"(?m)^import [\w.]+$", text))
    assert {"import app.types", "import app.kinds"} <= imports
    assert not any(line.startswith("import sqlalchemy.") for line in imports)
    alembic("upgrade", "head", cwd=project)
    assert "(head)" in alembic("current", cwd=project).stdout


CONFIG_FROM_ENVIRON = """\
import os

DATABASE_URL = os.environ["DATABASE_URL"]  # set by docker compose in production
"""
DB_FROM_ENVIRON = """\
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.orm import DeclarativeBase

from app.config import DATABASE_URL

engine = create_async_engine(DATABASE_URL)


class Base(DeclarativeBase):
    pass
"""
ITEMS = """\
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class Item(Base):
    __tablename__ = "items"
    id: Mapped[int] = mapped_column(primary_key=True)
"""
# an interpreter where python-dotenv is not installed (the app never needed it: docker compose
# loads its env file): a package of that name first on sys.path, which fails to import
NO_DOTENV = "raise ModuleNotFoundError(\"No module named 'dotenv'\", name='dotenv')\n"


def _plain_shell(**extra: str) -> dict[str, str]:
    """The environment of a shell that never loaded the app's env file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_URL")}
    return {**env, **extra}


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_env_py_loads_the_env_file_before_the_apps_config_module(tmp_path: Path, mode: str) -> None:
    project = _write(tmp_path / "tracker", {
        "app/__init__.py": "", "app/config.py": CONFIG_FROM_ENVIRON, "app/db.py": DB_FROM_ENVIRON,
        "app/models.py": ITEMS,
        ".env": "# local development\nDATABASE_URL='sqlite+aiosqlite:///./tracker.db'\n",
    })  # fmt: skip
    shell = _plain_shell()
    done = wizard_process("--yes", "--mode", mode, "--project", str(project), env=shell)
    assert done.returncode == 0, done.stderr + done.stdout
    env_py = (project / "migrations/env.py").read_text()
    assert env_py.index("\nload_env_file(") < env_py.index("\nfrom app.config import")

    hidden = _write(tmp_path / "no_dotenv", {"dotenv/__init__.py": NO_DOTENV})
    without = _plain_shell(PYTHONPATH=str(hidden))
    assert run("-c", "import dotenv", cwd=project, env=without).returncode != 0
    for env in (shell, without):
        offline = run("-m", "alembic", "upgrade", "head", "--sql", cwd=project, env=env)
        assert offline.returncode == 0, offline.stderr
    created = run("-m", "alembic", "revision", "--autogenerate", "-m", "items", cwd=project,
                  env=without)  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert "Detected added table 'items'" in created.stderr
    for command in (["upgrade", "head"], ["current"]):
        done = run("-m", "alembic", *command, cwd=project, env=without)
        assert done.returncode == 0, done.stderr
    assert (project / "tracker.db").is_file()  # the URL from .env, its quotes taken off


def test_a_variable_already_set_wins_over_the_env_file(tmp_path: Path) -> None:
    project = _write(tmp_path / "tracker", {
        "app/__init__.py": "", "app/config.py": CONFIG_FROM_ENVIRON, "app/db.py": DB_FROM_ENVIRON,
        "app/models.py": ITEMS,
        ".env": "export DATABASE_URL=sqlite+aiosqlite:///./dev.db  # mine\n",
    })  # fmt: skip
    done = wizard("--yes", "--mode", "async", "--no-verify", "--project", str(project))
    assert done.returncode == 0, done.stderr + done.stdout
    hidden = _write(tmp_path / "no_dotenv", {"dotenv/__init__.py": NO_DOTENV})
    for extra in ({}, {"PYTHONPATH": str(hidden)}):
        env = _plain_shell(DATABASE_URL="sqlite+aiosqlite:///./ci.db", **extra)
        done = run("-m", "alembic", "upgrade", "head", cwd=project, env=env)
        assert done.returncode == 0, done.stderr
        assert (project / "ci.db").is_file() and not (project / "dev.db").exists()
        (project / "ci.db").unlink()
        env = _plain_shell(**extra)  # without it: the env file's, `export` and comment taken off
        done = run("-m", "alembic", "upgrade", "head", cwd=project, env=env)
        assert done.returncode == 0, done.stderr
        assert (project / "dev.db").is_file()
        (project / "dev.db").unlink()
