"""`adopt` in the states where it must not stamp, or has nothing to do (SQLite: a file per
database), and its plain words for Alembic's differences."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from adopt_apps import SQLITE, Adoptable, execute, prepare, tables
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from conftest import copy_project, run, set_env_line, tree_hash, wizard
from wizard.adopt import describe
from wizard.cli import main
from wizard.inspection import inspect


def _adopt(project: Path, *args: str) -> tuple[int, str, str]:
    done = wizard("adopt", *args, "--project", str(project))
    return done.returncode, done.stdout, done.stderr


def test_no_alembic_setup_is_bad_input(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    before = tree_hash(project)
    code, _, err = _adopt(project, "--yes")
    assert code == 2
    assert "no Alembic setup to adopt the database with" in err
    assert "alembic-wizard setup" in err
    assert tree_hash(project) == before


def test_a_database_that_does_not_exist_is_not_created(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    assert wizard("--yes", "--no-verify", cwd=project).returncode == 0
    before = tree_hash(project)
    code, out, _ = _adopt(project, "--yes")
    assert code == 0, out
    assert "notes.db does not exist yet" in out
    assert "alembic upgrade head" in out
    assert tree_hash(project) == before  # no notes.db, no revision


def test_an_empty_database_has_nothing_to_adopt(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    assert wizard("--yes", "--no-verify", cwd=project).returncode == 0
    (project / "notes.db").write_bytes(b"")  # an empty SQLite database
    before = tree_hash(project)
    code, out, _ = _adopt(project, "--yes")
    assert (code, "Nothing to adopt: the database has no tables yet.") == (0, out.splitlines()[1])
    assert tree_hash(project) == before


@pytest.fixture
def adoptable(tmp_path: Path) -> Adoptable:
    return prepare(SQLITE, tmp_path, "notes.db")


def test_dry_run_writes_and_stamps_nothing(adoptable: Adoptable) -> None:
    before = tree_hash(adoptable.repo)
    code, out, err = _adopt(adoptable.repo, "--yes", "--dry-run")
    assert code == 0, err
    assert "create  migrations/versions/" in err and "_baseline.py" in err
    assert "+def upgrade() -> None:" in out  # the revision is shown in full
    assert tree_hash(adoptable.repo) == before
    assert "alembic_version" not in tables(adoptable)


def test_a_second_adopt_has_nothing_to_do(adoptable: Adoptable) -> None:
    assert _adopt(adoptable.repo, "--yes")[0] == 0
    before = tree_hash(adoptable.repo)
    code, out, _ = _adopt(adoptable.repo, "--yes")
    assert code == 0
    assert "Nothing to adopt: Alembic already manages this database" in out
    assert tree_hash(adoptable.repo) == before


def test_a_history_already_begun_is_not_stamped(adoptable: Adoptable) -> None:
    made = adoptable.run("-m", "alembic", "revision", "-m", "first")
    assert made.returncode == 0, made.stderr
    before = tree_hash(adoptable.repo)
    code, _, err = _adopt(adoptable.repo, "--yes")
    assert code == 2
    assert "the database has tables and no alembic_version, but the history already has" in err
    assert "alembic stamp REV" in err
    assert tree_hash(adoptable.repo) == before
    assert "alembic_version" not in tables(adoptable)


def test_adopting_is_undone_as_it_says(adoptable: Adoptable) -> None:
    before = tree_hash(adoptable.repo)
    code, out, _ = _adopt(adoptable.repo, "--yes")
    assert code == 0
    assert "alembic stamp --purge base" in out and "alembic-wizard undo" in out
    purge = adoptable.run("-m", "alembic", "stamp", "--purge", "base")
    assert purge.returncode == 0, purge.stderr
    assert wizard("undo", "--yes", "--project", str(adoptable.repo)).returncode == 0
    after = tree_hash(adoptable.repo)
    assert not list((adoptable.where / "migrations/versions").glob("*.py"))
    assert {k for k in after if ".alembic-wizard" not in k} == {
        k for k in before if ".alembic-wizard" not in k
    }
    assert execute(adoptable, "select * from alembic_version") == []
    assert _adopt(adoptable.repo, "--yes")[0] == 0  # and it can be adopted again


def test_a_database_that_does_not_answer(tmp_path: Path) -> None:
    project = copy_project("pg_app", tmp_path)
    set_env_line(project / ".env", "DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:1/x")
    assert wizard("--yes", "--no-verify", "--project", str(project)).returncode == 0
    before = tree_hash(project)
    code, _, err = _adopt(project, "--yes")
    assert code == 2
    assert "error: the database does not answer: OperationalError" in err
    assert tree_hash(project) == before


def test_create_all_calls_are_found_with_file_and_line(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    (project / "src/notes/main.py").write_text(
        "from sqlmodel import SQLModel\n\nfrom notes.db import engine\n\n\n"
        "async def lifespan(app):\n"
        "    async with engine.begin() as conn:\n"
        "        await conn.run_sync(SQLModel.metadata.create_all)\n"
        "    yield\n"
    )
    (project / "src/notes/tools.py").write_text(
        "def reset(meta, bind):\n    meta.create_all(bind)\n"
    )
    (project / "tests").mkdir()
    (project / "tests/test_db.py").write_text("def test_x(m, e):\n    m.create_all(e)\n")
    found = inspect(project).create_all
    shown = [(p.relative_to(project).as_posix(), line, code) for p, line, code in
             ((c.path, c.line, c.code) for c in found)]  # fmt: skip
    assert shown == [
        ("src/notes/main.py", 8, "SQLModel.metadata.create_all"),
        ("src/notes/tools.py", 2, "meta.create_all"),
    ]


@pytest.mark.parametrize(
    ("diff", "said"),
    [
        ({"op": "add_table", "table": "users"},
         "table `users` is in the models but missing from the database"),
        ({"op": "remove_table", "table": "audit"},
         "table `audit` is in the database but not in the models"),
        ({"op": "add_column", "table": "users", "name": "email"},
         "column `users.email` is in the models but missing from the database"),
        ({"op": "remove_column", "table": "users", "name": "legacy"},
         "column `users.legacy` is in the database but not in the models"),
        ({"op": "add_index", "table": "users", "name": "ix_users_email", "columns": ["email"]},
         "index `ix_users_email` on `users` (email) is in the models but missing from the database"),
        ({"op": "remove_constraint", "table": "tags", "name": None, "columns": ["name"]},
         "unique constraint on `tags` (name) is in the database but not in the models"),
        ({"op": "add_fk", "table": "orders", "name": "fk_user", "columns": ["user_id"]},
         "foreign key `fk_user` on `orders` (user_id) is in the models but missing from the database"),
        ({"op": "modify_type", "table": "users", "name": "name", "old": "VARCHAR(50)",
          "new": "VARCHAR(120)"},
         "column `users.name`: the type differs (database VARCHAR(50), models VARCHAR(120))"),
        ({"op": "modify_nullable", "table": "users", "name": "name", "old": "True",
          "new": "False"},
         "column `users.name`: NULL allowed in the database, NOT NULL in the models"),
        ({"op": "modify_default", "table": "users", "name": "n", "old": "None", "new": "'0'"},
         "column `users.n`: the server default differs (database None, models '0')"),
    ],
)  # fmt: skip
def test_differences_in_plain_words(diff: dict[str, object], said: str) -> None:
    assert describe(diff) == said


def test_rows_survive_a_refused_adopt(adoptable: Adoptable) -> None:
    execute(adoptable, "insert into tag (name) values ('kept')")
    execute(adoptable, "create table alembic_version (version_num varchar(32) not null)",
            "insert into alembic_version values ('feedfacecafe')")  # fmt: skip
    assert _adopt(adoptable.repo, "--yes")[0] == 2
    assert execute(adoptable, "select name from tag") == [("kept",)]


def _created_before_setup(tmp_path: Path) -> Path:
    """The SQLite app with its tables made by its own create_all, and no Alembic yet."""
    project = copy_project("sqlite_app", tmp_path)
    (project / SQLITE.package / "startup.py").write_text(SQLITE.startup)
    made = run("-m", "notes.startup", cwd=project, env={**os.environ, "PYTHONPATH": "src"})
    assert made.returncode == 0, made.stderr
    return project


def test_setup_names_a_database_that_needs_adopting(tmp_path: Path) -> None:
    project = _created_before_setup(tmp_path)
    done = wizard("--yes", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    assert (
        "WARNING  existing database: 4 table(s) and no alembic_version (made by "
        "SQLModel.metadata.create_all at src/notes/startup.py:14?)"
    ) in done.stdout
    assert "fix: adopt it first: alembic-wizard adopt" in done.stdout
    assert not list((project / "migrations/versions").glob("*.py"))  # --yes never adopts


def test_setup_asks_to_adopt_and_does(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _created_before_setup(tmp_path)
    with create_pipe_input() as pipe:
        pipe.send_text("\r" * 4 + "y" + "y" + "y" + "y")  # answers, write, adopt, write
        pipe.close()
        with create_app_session(input=pipe, output=DummyOutput()):
            code = main(["--no-color", "--project", str(project)], interactive=True)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Adopted: the database is stamped at" in out
    (baseline,) = (project / "migrations/versions").glob("*_baseline.py")
    stamped = run("-m", "alembic", "current", cwd=project)
    assert baseline.name.split("_")[0] in stamped.stdout
