"""Bad input: a one-line error naming the file, a non-zero exit, every file as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import copy_project, tree_hash, wizard
from wizard.apply import apply
from wizard.change import Change
from wizard.errors import ApplyFailed, StaleFile

SETTINGS = """\
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env")
    database_url: str


settings = Settings()
"""
MODELS = """\
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "items"
    id: Mapped[int] = mapped_column(primary_key=True)
"""


def _project(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "proj"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def _fails(project: Path, *args: str) -> str:
    before = tree_hash(project)
    done = wizard("--yes", *args, cwd=project)
    assert done.returncode == 2, done.stderr + done.stdout
    assert len([ln for ln in done.stderr.splitlines() if ln.startswith("error:")]) == 1
    assert "Traceback" not in done.stderr
    assert tree_hash(project) == before
    return done.stderr


def test_no_models(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/config.py": SETTINGS,
            ".env": "DATABASE_URL=sqlite+aiosqlite:///./x.db\n",
        },
    )
    assert "no SQLAlchemy or SQLModel tables found" in _fails(project)


def test_no_settings_class(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/models.py": MODELS,
            ".env": "DATABASE_URL=sqlite+aiosqlite:///./x.db\n",
        },
    )
    err = _fails(project)
    assert "no settings class with a database URL field" in err and str(project) in err


def test_settings_file_with_a_syntax_error(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    settings = project / "src/notes/settings.py"
    settings.write_text(settings.read_text() + "\ndef broken(:\n")
    err = _fails(project)
    assert "src/notes/settings.py:" in err and "cannot parse" in err


def test_unparsable_env_line(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    env = project / ".env"
    env.write_text(env.read_text() + "this is not a binding\n")
    lines = env.read_text().count("\n")
    assert f".env:{lines}: cannot parse" in _fails(project)


def test_several_settings_classes_and_yes(tmp_path: Path) -> None:
    other = SETTINGS.replace("class Settings", "class Other").replace("Settings()", "Other()")
    project = _project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/models.py": MODELS,
            "app/config.py": SETTINGS,
            "app/other.py": other,
            ".env": "DATABASE_URL=sqlite+aiosqlite:///./x.db\n",
        },
    )
    err = _fails(project)
    assert "several settings class candidates" in err and "--settings" in err


def test_sync_only_project_is_not_for_us(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/models.py": MODELS,
            "app/config.py": SETTINGS,
            ".env": "DATABASE_URL=postgresql+psycopg2://u@h/db\n",
        },
    )
    assert "not async" in _fails(project)


def test_memory_sqlite_is_refused(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/models.py": MODELS,
            "app/config.py": SETTINGS,
            ".env": "DATABASE_URL=sqlite+aiosqlite:///:memory:\n",
        },
    )
    assert "in-memory" in _fails(project)


def test_a_file_edited_after_planning_is_refused(tmp_path: Path) -> None:
    target = tmp_path / ".env"
    target.write_text("A=1\n")
    change = Change(target, "A=1\n", "A=1\nB=2\n", "test")
    target.write_text("A=2\n")  # the user edits it in the meantime
    with pytest.raises(StaleFile):
        apply([change], tmp_path)
    assert target.read_text() == "A=2\n"
    assert not (tmp_path / ".alembic-wizard").exists()


def test_failure_midway_puts_everything_back(tmp_path: Path) -> None:
    first = tmp_path / "a.txt"
    first.write_bytes(b"original\r\nbytes")
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder must go")
    changes = [
        Change(first, "original\r\nbytes", "new", "test"),
        Change(tmp_path / "new_dir/created.txt", None, "x", "test"),
        Change(blocker / "env.py", None, "x", "test"),  # cannot be written
    ]
    with pytest.raises(ApplyFailed):
        apply(changes, tmp_path)
    assert first.read_bytes() == b"original\r\nbytes"
    assert not (tmp_path / "new_dir").exists()
    assert blocker.read_text() == "a file where a folder must go"


def test_failed_apply_leaves_no_backup_folder_behind(tmp_path: Path) -> None:
    first = tmp_path / "a.txt"
    first.write_text("x")
    changes = [Change(first, "x", "y", "t"), Change(first / "no/such", None, "x", "t")]
    with pytest.raises(ApplyFailed):
        apply(changes, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_backups_keep_the_mode_and_files_outside_the_project(tmp_path: Path) -> None:
    top = tmp_path / "backend"
    top.mkdir()
    env = tmp_path / ".env"  # ../.env, beside the project folder
    env.write_text("A=1\n")
    env.chmod(0o600)
    backups = apply([Change(env, "A=1\n", "A=1\nB=2\n", "t")], top)
    assert backups is not None
    (saved,) = [p for p in backups.rglob(".env")]
    assert saved.read_text() == "A=1\n" and (saved.stat().st_mode & 0o777) == 0o600
    assert (env.stat().st_mode & 0o777) == 0o600 and env.read_text() == "A=1\nB=2\n"


def test_script_location_in_a_package_is_refused(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/models.py": MODELS,
            "app/config.py": SETTINGS,
            ".env": "DATABASE_URL=sqlite+aiosqlite:///./x.db\n",
            "alembic.ini": "[alembic]\nscript_location = app:migrations\n",
        },
    )
    err = _fails(project)
    assert "alembic.ini: script_location 'app:migrations' names a package resource" in err
