"""The migration test: `tests/test_migrations.py` in the project, pytest-alembic's built-in
checks with fixtures that point at a test database, never the development one."""

from __future__ import annotations

import os
from pathlib import Path

from wizard.answers import Answers
from wizard.change import Change
from wizard.inspection import Project
from wizard.plan.render import render
from wizard.target import Target

TEST_FILE = Path("tests/test_migrations.py")


def test_env_key(answers: Answers) -> str:
    """The variable that names the test database: TEST_ + the one Alembic's URL comes from
    (the sync URL's; in async mode the app's own)."""
    key = answers.source.sync_key
    if answers.mode == "async":
        key = answers.source.env_key or "DATABASE_URL"
    return f"TEST_{key}"


def example_url(target: Target) -> str:
    """A test database URL beside the development one (no password shown)."""
    url = target.alembic_url
    if url.get_backend_name() == "sqlite":
        return f"{url.drivername}:///migrations-test.db"
    database = f"{url.database or 'app'}_test"
    url = url.set(database=database, query={})
    return url.render_as_string(hide_password=bool(url.password))  # "" is no secret: not `***`


def test_change(project: Project, answers: Answers, target: Target) -> Change:
    """tests/test_migrations.py, created; an existing one is the user's and kept."""
    path = project.root / TEST_FILE
    existing = project.text(path)
    if existing is not None:
        return Change(path, existing, existing, "the migration test (yours, kept)")
    source, ini = answers.source, project.alembic.ini_path
    dev_keys = [k for k in (source.sync_key, source.env_key) if k]
    env_file = answers.env_file
    text = render(
        "guard/test_migrations.py.j2",
        migrations=answers.migrations,
        root=project.rel(project.root) if project.root != project.top else "the project folder",
        test_env_key=test_env_key(answers),
        dev_keys=dev_keys,
        sqlite=target.alembic_url.get_backend_name() == "sqlite",
        mode=answers.mode,
        drivername=target.alembic_url.drivername,
        backend=target.alembic_url.get_backend_name(),
        example_url=example_url(target),
        test_path=TEST_FILE.as_posix(),
        depth=len(TEST_FILE.parts) - 1,
        toml=project.alembic.style == "toml",
        ini=Path(os.path.relpath(ini, project.root)).as_posix(),
        env_file=Path(os.path.relpath(env_file, project.root)).as_posix() if env_file else None,
    )
    why = "pytest-alembic's checks on a test database (needs pytest and pytest-alembic)"
    return Change(path, None, text, why)
