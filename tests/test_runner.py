"""`alembic-wizard runner`: the start-up runner module, written through the plan (shown,
atomic, undoable); its refusals; the module run as `python -m`, from the event loop, and
with the app's logging kept. (Replicas racing on real servers: test_runner_replicas.py.)"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import copy_project, run, tree_hash, wizard
from memory_project import ROOT, memory_answers, memory_project, memory_target
from wizard.inspection.models import TableDef
from wizard.plan import build, runner
from wizard.store import written_path

REPLICA = Path(__file__).parent / "runner_replica.py"
SLOW_REVISION = '''"""a slow revision"""
import time

import sqlalchemy as sa
from alembic import op

revision = "b0b0b0b0b0b0"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("things", sa.Column("id", sa.Integer, primary_key=True))
    time.sleep(0.5)


def downgrade() -> None:
    op.drop_table("things")
'''


def _setup(tmp_path: Path, *args: str, name: str = "sqlite_app") -> Path:
    project = copy_project(name, tmp_path)
    done = wizard("--yes", "--no-db", *args, cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    return project


def test_runner_is_shown_written_and_undone(tmp_path: Path) -> None:
    project = _setup(tmp_path)
    before = tree_hash(project)
    dry = wizard("runner", "--dry-run", cwd=project)
    assert dry.returncode == 0, dry.stderr
    assert [line.split()[:2] for line in dry.stderr.splitlines() if "migrate.py" in line] == [
        ["create", "src/notes/migrate.py"]
    ]
    assert "+async def migrate_on_startup() -> None:" in dry.stdout
    assert tree_hash(project) == before

    done = wizard("runner", "--yes", cwd=project)
    assert done.returncode == 0, done.stderr
    written = (project / "src/notes/migrate.py").read_text()
    assert 'LOCK_NAME = "alembic-notes"' in written
    assert 'ALEMBIC_INI = HERE / "../../alembic.ini"' in written
    assert "backups" not in done.stderr  # a new file only: no backup to point at
    assert done.stdout.splitlines()[-5:] == [  # no web framework: async, sync, entrypoint
        "  async code:     from notes.migrate import migrate_on_startup",
        "                  await migrate_on_startup()",
        "  sync code:      from notes.migrate import migrate",
        "                  migrate()",
        "  an entrypoint:  python -m notes.migrate",
    ]

    again = wizard("runner", "--yes", cwd=project)
    assert again.returncode == 0 and "nothing to change" in again.stderr, again.stderr
    undone = wizard("undo", "--yes", cwd=project)
    assert undone.returncode == 0, undone.stderr
    assert not (project / "src/notes/migrate.py").exists()


def test_a_fastapi_project_is_told_to_call_it_in_its_lifespan(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace("dependencies = [", 'dependencies = [\n    "fastapi>=0.110",')
    )
    assert wizard("--yes", "--no-db", cwd=project).returncode == 0
    done = wizard("runner", "--yes", cwd=project)
    assert done.returncode == 0, done.stderr
    assert "  FastAPI lifespan:  from notes.migrate import migrate_on_startup" in done.stdout
    assert "await migrate_on_startup()  # before `yield`" in done.stdout
    assert "sync code" not in done.stdout


def test_the_sqlite_lock_file_is_git_ignored_with_the_runner(tmp_path: Path) -> None:
    sqlite = copy_project("sqlite_app", tmp_path / "sqlite")
    (sqlite / ".gitignore").write_text(".env\n*.db\n")
    for project in (sqlite, _setup(tmp_path / "pg", name="pg_app")):  # pg_app has a .gitignore
        if project is sqlite:
            assert wizard("--yes", "--no-db", cwd=project).returncode == 0
        before = (project / ".gitignore").read_bytes()
        done = wizard("runner", "--yes", cwd=project)
        assert done.returncode == 0, done.stderr
        after = (project / ".gitignore").read_text()
        lock = "# the start-up runner's lock beside a SQLite database\n*.migrate-lock\n"
        assert (lock in after) is (project is sqlite), after
        assert wizard("undo", "--yes", cwd=project).returncode == 0
        assert (project / ".gitignore").read_bytes() == before


def test_runner_needs_a_setup_first(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    before = tree_hash(project)
    done = wizard("runner", "--yes", cwd=project)
    assert done.returncode == 2
    assert "no Alembic setup to run at start-up" in done.stderr
    assert "run `alembic-wizard` first" in done.stderr
    assert tree_hash(project) == before


def test_runner_refuses_an_env_py_without_the_lock(tmp_path: Path) -> None:
    """A hand-made env.py would migrate without the lock: say so, write nothing."""
    project = _setup(tmp_path)
    env_py = project / "migrations/env.py"
    env_py.write_text(env_py.read_text().replace('"migration_lock"', '"lock"'))
    before = tree_hash(project)
    done = wizard("runner", "--yes", cwd=project)
    assert done.returncode == 2
    assert "migrations/env.py: env.py neither takes the runner's lock" in done.stderr
    assert tree_hash(project) == before


def test_the_hint_works_setup_adds_the_hooks_to_an_older_env_py(tmp_path: Path) -> None:
    """An env.py from a wizard before the runner (no hooks, as last written): `runner`
    refuses it, the `alembic-wizard` the hint names rewrites it, then `runner` writes."""
    project = _setup(tmp_path)
    lock = "with lock(connection):"
    for env_py in (project / "migrations/env.py",
                   project / ".alembic-wizard/written/migrations/env.py"):  # fmt: skip
        text = env_py.read_text()
        assert '"configure_logger"' in text and lock in text
        env_py.write_text(text.replace('"configure_logger", True', '"quiet", True'))
    assert wizard("runner", "--yes", cwd=project).returncode == 2
    again = wizard("--yes", "--no-db", cwd=project)
    assert again.returncode == 0, again.stderr
    assert '"configure_logger"' in (project / "migrations/env.py").read_text()
    done = wizard("runner", "--yes", cwd=project)
    assert done.returncode == 0, done.stderr
    assert (project / "src/notes/migrate.py").is_file()


def test_runner_keeps_a_migrate_py_of_the_users(tmp_path: Path) -> None:
    project = _setup(tmp_path)
    mine = project / "src/notes/migrate.py"
    mine.write_text("def migrate():\n    print('mine')\n")
    before = tree_hash(project)
    done = wizard("runner", "--yes", cwd=project)
    assert done.returncode == 2
    assert "your edits would be lost" in done.stderr and "print('mine')" in done.stderr
    assert "pass --force to overwrite them" in done.stderr
    assert tree_hash(project) == before
    forced = wizard("runner", "--yes", "--force", cwd=project)
    assert forced.returncode == 0, forced.stderr
    assert "async def migrate_on_startup" in mine.read_text()
    backups = list((project / ".alembic-wizard").glob("backup-*/src/notes/migrate.py"))
    assert [b.read_text() for b in backups] == ["def migrate():\n    print('mine')\n"]


def test_python_m_runner_with_tool_alembic_from_any_folder(tmp_path: Path) -> None:
    """[tool.alembic] in pyproject.toml, the runner started from another folder: the config
    is found from the module's own path and the database reaches head."""
    project = _setup(tmp_path, name="alembic_pyproject")
    assert wizard("runner", "--yes", cwd=project).returncode == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    database = project / "kitchen.db"
    env = {**os.environ, "PYTHONPATH": str(project),
           "DATABASE_URL_SYNC": f"sqlite:///{database}",
           "DATABASE_URL": f"sqlite+aiosqlite:///{database}"}  # fmt: skip
    done = run("-m", "kitchen.migrate", cwd=elsewhere, env=env)
    assert done.returncode == 0, done.stderr
    assert "Running upgrade  -> 3f2a9c1d7b10" in done.stderr
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
            ("3f2a9c1d7b10",)
        ]


def test_migrate_raises_when_env_py_ignores_the_lock(tmp_path: Path) -> None:
    """env.py edited after the runner was written, its hook gone: `migrate()` says so
    (exit 1) instead of reporting a migration that other replicas may have raced."""
    project = _setup(tmp_path)
    assert wizard("runner", "--yes", cwd=project).returncode == 0
    env_py = project / "migrations/env.py"
    env_py.write_text(env_py.read_text().replace('"migration_lock"', '"no_lock"'))
    env = {**os.environ, "PYTHONPATH": str(project / "src")}
    done = run("-m", "notes.migrate", cwd=project, env=env)
    assert done.returncode == 1
    assert "RuntimeError: env.py did not take the migration lock" in done.stderr


def _replica(project: Path, how: str) -> dict[str, object]:
    (project / "go").touch()
    env = {**os.environ, "PYTHONPATH": str(project / "src")}
    args = [str(project / "go"), str(project / "ready"), "notes.migrate", how, "notes.db"]
    done = run(str(REPLICA), *args, cwd=project, env=env)
    assert done.returncode == 0, done.stderr
    report: dict[str, object] = json.loads(done.stdout)
    return report


def test_startup_runs_off_the_event_loop_and_keeps_the_apps_logging(tmp_path: Path) -> None:
    """The lifespan call, async mode: the loop keeps ticking while Alembic runs (in a thread,
    where env.py starts its own loop), the app's root handler is still the only one and
    receives its records, and Alembic's messages reach it too."""
    project = _setup(tmp_path, "--mode", "async")
    assert wizard("runner", "--yes", cwd=project).returncode == 0
    versions = project / "migrations/versions"
    versions.mkdir(exist_ok=True)
    (versions / "b0b0b0b0b0b0_slow.py").write_text(SLOW_REVISION)
    report = _replica(project, "startup")
    assert report["current"] == "b0b0b0b0b0b0 (head)"
    assert int(report["ticks"]) >= 10, report  # type: ignore[call-overload]
    assert report["handler_kept"] is True
    messages = report["messages"]
    assert "app: the app logs after migrating" in messages  # type: ignore[operator]
    assert any("Running upgrade  -> b0b0b0b0b0b0" in m for m in messages)  # type: ignore[union-attr]


def test_without_configure_logger_the_apps_handler_is_lost(tmp_path: Path) -> None:
    """The twin of the test above: alembic.ini's logging applied replaces the app's handler
    (what `configure_logger = False` prevents)."""
    project = _setup(tmp_path)
    assert wizard("runner", "--yes", cwd=project).returncode == 0
    runner = project / "src/notes/migrate.py"
    text = runner.read_text()
    assert 'config.attributes["configure_logger"] = False' in text
    runner.write_text(text.replace('config.attributes["configure_logger"] = False', "pass"))
    report = _replica(project, "lock")
    assert report["handler_kept"] is False
    assert "app: the app logs after migrating" not in report["messages"]  # type: ignore[operator]


@pytest.mark.parametrize(
    ("name", "module"),
    [("sqlite_app", "src/notes/migrate.py"), ("alembic_pyproject", "kitchen/migrate.py")],
)
def test_the_runner_passes_default_linters(tmp_path: Path, name: str, module: str) -> None:
    """It lives in the user's package: ruff's defaults (black's 88 columns) leave it as it
    is, for alembic.ini and [tool.alembic] alike."""
    project = _setup(tmp_path, name=name)
    assert wizard("runner", "--yes", cwd=project).returncode == 0
    runner = str(project / module)
    for args in (
        ["ruff", "check", "--isolated", "--select", "E,F,W,I,B,UP,SIM", runner],
        ["ruff", "format", "--isolated", "--check", runner],
    ):
        done = run("-m", *args, cwd=project)
        assert done.returncode == 0, done.stdout + done.stderr


def _planned_runner(
    pyproject: str | None, tables_in: str = "shop.models", toml: bool = False
) -> tuple[runner.Runner, str]:
    """The runner planned for a project built in memory (the planner reads no file)."""
    project = memory_project("postgresql+asyncpg://u:p@db/shop")
    plan = build(project, memory_answers(project), memory_target(project, memory_answers(project)))
    files = {**project.files, **{c.path: c.after for c in plan.changes}}
    files[ROOT / "pyproject.toml"] = pyproject
    meta = project.tables[0].metadata
    setup = replace(
        project.alembic,
        ini_text=files[ROOT / "alembic.ini"],
        env_text=files[ROOT / "migrations/env.py"],
        scripts=ROOT / "migrations",
        toml_path=ROOT / "pyproject.toml" if toml else None,
    )
    project = replace(
        project, files=files, alembic=setup, tables=(TableDef("t", tables_in, 1, meta, "T"),),
        module_paths={} if "." not in tables_in else project.module_paths,
    )  # fmt: skip
    where = runner.locate(project)
    files[where.path] = files[written_path(ROOT, where.path)] = None
    return where, runner.runner_change(replace(project, files=files), where).after


def test_runner_goes_into_the_models_package_or_beside_a_flat_app() -> None:
    where, text = _planned_runner('[project]\nname = "shop"\n')
    assert (where.path, where.module) == (ROOT / "shop/migrate.py", "shop.migrate")
    assert 'ALEMBIC_INI = HERE / "../alembic.ini"' in text
    assert "PYPROJECT_TOML" not in text
    flat, text = _planned_runner(None, tables_in="models")
    assert (flat.path, flat.module) == (ROOT / "migrate.py", "migrate")
    assert 'ALEMBIC_INI = HERE / "alembic.ini"' in text
    assert "python -m migrate" in text


def test_lock_name_comes_from_the_project_name_and_is_a_safe_literal() -> None:
    _, text = _planned_runner('[project]\nname = "my shop\\"s api"\n', toml=True)
    assert 'LOCK_NAME = "alembic-my-shop-s-api"' in text
    assert "config = Config(ini, toml_file=str(PYPROJECT_TOML))" in text
    _, text = _planned_runner("[tool.x]\ny = 1\n")  # no [project].name: the package's
    assert 'LOCK_NAME = "alembic-shop"' in text
