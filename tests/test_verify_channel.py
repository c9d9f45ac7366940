"""Verification talks to the project's process over a channel of its own, not stdout: a model
module that prints a fake answer (at import, at exit), blocks at import, exits at import or
forks cannot make a verification pass or fail. A hang is stopped after the timeout and named
(the module, its line), what was written is kept with the way to undo it, and the lock is
released; an exit at import is named with its module and status, and rolled back as any other
failure of env.py.

Fixture projects written here; the wizard runs in this process, verification in a real
subprocess of the project's interpreter (the test's own)."""

from __future__ import annotations

import json
import os
import sqlite3
import textwrap
import time
from pathlib import Path

import pytest

from conftest import tree_hash, wizard

USER = """
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
"""
# a second model module: what it does at import is each test's subject (placed after the class,
# so static reading finds its table whatever the module does when run)
HOSTILE = """
from sqlalchemy.orm import Mapped, mapped_column

from app.models.user import Base


class Audit(Base):
    __tablename__ = "audit"
    id: Mapped[int] = mapped_column(primary_key=True)


{code}
"""
FILES = {
    "pyproject.toml": '[project]\nname = "proj"\n',
    ".env": "DATABASE_URL=sqlite+aiosqlite:///./app.db\n",
    "app/config.py": """
        from pydantic_settings import BaseSettings, SettingsConfigDict

        class Settings(BaseSettings):
            model_config = SettingsConfigDict(env_file=".env")
            database_url: str

        settings = Settings()
    """,
    "app/db.py": """
        from sqlalchemy.ext.asyncio import create_async_engine
        from app.config import settings

        engine = create_async_engine(settings.database_url)
    """,
    "app/models/user.py": USER,
}
FAKE_PASS = {"heads": [], "tables": ["audit", "users"], "offline_sql_lines": 9, "missing": []}
FAKE_FAIL = {"import_error": {"type": "FakeError", "message": "printed by the app"}}


def _project(tmp_path: Path, code: str) -> Path:
    root = tmp_path / "proj"
    files = {**FILES, "app/models/hostile.py": HOSTILE.replace("{code}", textwrap.dedent(code))}
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    for package in {p.parent for p in root.rglob("*.py")} - {root}:
        (package / "__init__.py").touch()
    return root


def _prints(answer: dict[str, object]) -> str:
    """Code that prints `answer` as the old protocol's last line, at import and at exit."""
    line = json.dumps(answer)
    return f"import atexit\nprint({line!r})\natexit.register(print, {line!r})\n"


def _line_of(root: Path, text: str) -> int:
    lines = (root / "app/models/hostile.py").read_text().splitlines()
    return next(n for n, line in enumerate(lines, 1) if text in line)


def _project_files(root: Path) -> dict[str, str]:
    """The project as the user sees it (the wizard's own records aside)."""
    return {k: v for k, v in tree_hash(root).items() if not k.startswith(".alembic-wizard/")}


def _left_running(root: Path) -> list[str]:
    """Processes still working in the project's folder (the verification's, its children)."""
    if not Path("/proc").is_dir():
        return []
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if (entry / "cwd").readlink() == root.resolve():
                    found.append(entry.name)
            except OSError:
                continue
    return found


@pytest.fixture(autouse=True)
def _short_timeouts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALEMBIC_WIZARD_PROBE_TIMEOUT", "2")  # inspection's probe hangs too
    monkeypatch.setenv("ALEMBIC_WIZARD_VERIFY_TIMEOUT", "3")


def test_a_fake_failure_printed_at_import_and_exit_does_not_fail_it(tmp_path: Path) -> None:
    """The app prints what the old protocol read as env.py's failure: it passes."""
    project = _project(tmp_path, _prints(FAKE_FAIL))
    done = wizard("--yes", "--no-db", cwd=project)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert "FakeError" not in out
    assert "ok  env.py imports" in done.stdout
    assert (project / "migrations" / "env.py").is_file()


def test_a_fake_pass_printed_at_import_and_exit_does_not_pass_it(tmp_path: Path) -> None:
    """The app prints a plausible "all ok", then fails to import: the failure is reported
    and rolled back."""
    project = _project(tmp_path, "")
    code = _prints(FAKE_PASS) + "raise RuntimeError('the app refuses to load')\n"
    (project / "app/models/hostile.py").write_text(HOSTILE.replace("{code}", code))
    before = _project_files(project)
    done = wizard("--yes", "--no-db", cwd=project)
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "RuntimeError: the app refuses to load" in out
    assert "every file the wizard wrote was put back" in done.stderr
    assert _project_files(project) == before


def test_a_module_that_blocks_at_import_is_named_and_the_files_kept(tmp_path: Path) -> None:
    """A hang is stopped after the timeout: the module and its line named, the files kept
    with the way to undo them, the lock released, no process left behind."""
    project = _project(tmp_path, "import time\nwhile True:\n    time.sleep(0.1)\n")
    before = _project_files(project)
    started = time.monotonic()
    done = wizard("--yes", "--no-db", cwd=project)
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert time.monotonic() - started < 60
    line = _line_of(project, "time.sleep")
    said = (
        "did not finish within 3 s: still importing app.models.hostile "
        f"(app/models/hostile.py:{line})"
    )
    assert said in out
    assert f"written, not verified: {said}; undo with `alembic-wizard undo`" in done.stderr
    assert "put back" not in out and "internal error" not in out
    assert (project / "migrations" / "env.py").is_file()  # kept: a timeout is no verdict
    assert _left_running(project) == []
    undone = wizard("undo", "--yes", cwd=project)  # the lock was released
    assert undone.returncode == 0, undone.stdout + undone.stderr
    assert _project_files(project) == before


def test_after_a_hang_is_fixed_a_second_run_works(tmp_path: Path) -> None:
    project = _project(tmp_path, "import time\nwhile True:\n    time.sleep(0.1)\n")
    first = wizard("--yes", "--no-db", cwd=project)
    assert first.returncode == 1, first.stdout + first.stderr
    (project / "app/models/hostile.py").write_text(HOSTILE.replace("{code}", ""))
    again = wizard("--yes", "--no-db", cwd=project)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "ok  env.py imports" in again.stdout


def test_os_exit_at_import_is_named_with_its_module(tmp_path: Path) -> None:
    """`os._exit(0)` at import: no answer, and a status that says "fine"; named, and rolled
    back as any failure of env.py to load."""
    project = _project(tmp_path, "import os\nos._exit(0)\n")
    before = _project_files(project)
    done = wizard("--yes", "--no-db", cwd=project)
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    line = _line_of(project, "os._exit(0)")
    said = f"app.models.hostile exited at import (status 0) (app/models/hostile.py:{line})"
    assert f"FAILED  env.py imports: {said}" in done.stdout
    assert "ProbeFailed" not in out
    assert "every file the wizard wrote was put back" in done.stderr
    assert _project_files(project) == before


def test_a_child_forked_at_import_neither_answers_nor_holds_the_run(tmp_path: Path) -> None:
    """A forked copy of the process would go on to verify, and a child holds its pipes:
    the answer is the process's own, it comes at once, and the child is stopped."""
    code = f"""
        import json, os, time
        if os.fork() == 0:
            print({json.dumps(FAKE_FAIL)!r}, flush=True)
            time.sleep(30)
    """
    project = _project(tmp_path, code)
    started = time.monotonic()
    done = wizard("--yes", "--no-db", cwd=project)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert time.monotonic() - started < 20
    assert "ok  env.py imports" in done.stdout and "FakeError" not in out
    assert _left_running(project) == []


def test_a_hang_in_env_py_itself_is_said_in_json(tmp_path: Path) -> None:
    """`verify --json` on a set-up project whose env.py hangs: the rung says where."""
    project = _project(tmp_path, "")
    assert wizard("--yes", "--no-db", cwd=project).returncode == 0
    env = project / "migrations/env.py"
    env.write_text(env.read_text() + "\nimport time\nwhile True:\n    time.sleep(0.1)\n")
    line = len(env.read_text().splitlines())
    done = wizard("verify", "--yes", "--no-db", "--json", cwd=project)
    assert done.returncode == 1, done.stdout + done.stderr
    body = json.loads(done.stdout)
    assert body["verification"] == [
        {
            "name": "verification ran",
            "status": "fail",
            "detail": f"did not finish within 3 s: still loading env.py (migrations/env.py:{line})",
            "fix": "find why loading env.py hangs (a server, a lock, input); "
            "ALEMBIC_WIZARD_VERIFY_TIMEOUT=<seconds> gives it longer",
        }
    ]
    assert _left_running(project) == []


# -- adopt's process talks over the same channel --------------------------------------------


def _set_up_with_tables(tmp_path: Path) -> Path:
    """A project set up by the wizard, its SQLite database made by the app (no Alembic)."""
    project = _project(tmp_path, "")
    done = wizard("--yes", "--no-db", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    with sqlite3.connect(project / "app.db") as db:
        db.execute("create table users (id integer not null primary key)")
        db.execute("create table audit (id integer not null primary key)")
    return project


def test_adopt_names_a_module_that_blocks_and_writes_nothing(tmp_path: Path) -> None:
    project = _set_up_with_tables(tmp_path)
    (project / "app/models/hostile.py").write_text(
        HOSTILE.replace("{code}", "import time\nwhile True:\n    time.sleep(0.1)\n")
    )
    before = tree_hash(project)
    done = wizard("adopt", "--yes", cwd=project)
    out = done.stdout + done.stderr
    assert done.returncode == 2, out
    line = _line_of(project, "time.sleep")
    assert (
        "adopt's process did not finish within 3 s: still importing app.models.hostile "
        f"(app/models/hostile.py:{line}); nothing was written"
    ) in done.stderr
    assert tree_hash(project) == before
    assert _left_running(project) == []


def test_adopt_is_not_fooled_by_a_fake_answer_printed_at_exit(tmp_path: Path) -> None:
    project = _set_up_with_tables(tmp_path)
    fake = {"error": {"type": "FakeError", "message": "printed by the app"}}
    (project / "app/models/hostile.py").write_text(HOSTILE.replace("{code}", _prints(fake)))
    done = wizard("adopt", "--yes", cwd=project)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert "FakeError" not in out
    assert "no differences" in done.stdout


def test_an_app_module_named_like_the_wizards_package_stays_the_apps(tmp_path: Path) -> None:
    """The wizard's code in the project's process is the package `in_project`, found by a
    finder of its own and forgotten before env.py runs: the app's `in_project` is imported."""
    project = _project(tmp_path, 'import in_project\nassert in_project.OWNER == "app"\n')
    (project / "in_project.py").write_text('OWNER = "app"\n')
    done = wizard("--yes", "--no-db", cwd=project)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert "ok  env.py imports" in done.stdout
