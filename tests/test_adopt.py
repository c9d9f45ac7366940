"""`alembic-wizard adopt` on real PostgreSQL, MariaDB and SQLite databases whose tables the app
made itself with `metadata.create_all`: stamped only when they match the models, the baseline
reproduces their schema on a fresh database, and real `alembic check` agrees."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from adopt_apps import APPS, Adoptable, execute, fresh_database, prepare, schema, tables

from conftest import tree_hash, wizard

DIALECTS = list(APPS)


@pytest.fixture(params=DIALECTS)
def adoptable(request: pytest.FixtureRequest, tmp_path: Path) -> Adoptable:
    """A set-up fixture app whose database `create_all` made, on each dialect."""
    app = APPS[request.param]
    if app.fixture == "pg_app":
        database = request.getfixturevalue("pg_database")
    elif app.fixture == "mysql_app":
        database = request.getfixturevalue("mysql_database")
    else:
        database = "notes.db"
    return prepare(app, tmp_path, database)


def _revisions(project: Adoptable) -> list[Path]:
    return sorted((project.where / "migrations/versions").glob("*.py"))


def _revision_id(path: Path) -> str:
    found = re.search(r"^revision: str = '(\w+)'", path.read_text(), re.M)
    assert found, path
    return found.group(1)


def _version(project: Adoptable, database: str | None = None) -> list[str]:
    """alembic_version's rows, or [] when the table does not exist."""
    if "alembic_version" not in tables(project, database):
        return []
    rows = execute(project, "select version_num from alembic_version", database=database)
    return [r[0] for r in rows]


def _check(project: Adoptable, database: str | None = None) -> str:
    """Real `alembic check` in a process; its output (fails the test when it fails)."""
    done = project.run("-m", "alembic", "check", database=database)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_a_create_all_database_is_adopted(adoptable: Adoptable) -> None:
    project = adoptable
    before = schema(project)
    done = wizard("adopt", "--yes", "--project", str(project.repo))
    assert done.returncode == 0, done.stderr + done.stdout
    startup = f"{project.app.package}/startup.py:{project.app.create_all_line}"
    assert f"the app creates its tables itself: {startup}" in done.stderr
    assert "no alembic_version" in done.stdout
    assert "no differences" in done.stdout
    (baseline,) = _revisions(project)
    assert _version(project) == [_revision_id(baseline)]
    assert "No new upgrade operations detected." in _check(project)
    assert schema(project) == before  # stamping changed no table

    with fresh_database(project) as fresh:  # the baseline makes the same schema anew
        upgrade = project.run("-m", "alembic", "upgrade", "head", database=fresh)
        assert upgrade.returncode == 0, upgrade.stderr
        assert schema(project, fresh) == before
        assert _version(project, fresh) == [_revision_id(baseline)]
        _check(project, fresh)


def test_rows_are_kept(adoptable: Adoptable) -> None:
    project = adoptable
    table, insert = {
        "pg_app": ("tags", "insert into tags (name) values ('red'), ('blue')"),
        "mysql_app": ("customers",
                      "insert into customers (email, name, is_active) values "
                      "('a@example.com', 'A', 1), ('b@example.com', 'B', 0)"),
        "sqlite_app": ("tag", "insert into tag (name) values ('red'), ('blue')"),
    }[project.app.fixture]  # fmt: skip
    execute(project, insert)
    rows = execute(project, f"select * from {table} order by 1")
    assert len(rows) == 2
    done = wizard("adopt", "--yes", "--project", str(project.repo))
    assert done.returncode == 0, done.stderr + done.stdout
    assert execute(project, f"select * from {table} order by 1") == rows
    assert len(_version(project)) == 1


def test_undo_after_adopt_names_the_stamp_it_leaves(adoptable: Adoptable) -> None:
    project = adoptable
    assert wizard("adopt", "--yes", "--project", str(project.repo)).returncode == 0
    (baseline,) = _revisions(project)
    revision = _revision_id(baseline)
    undone = wizard("undo", "--yes", "--project", str(project.repo))
    assert undone.returncode == 0, undone.stderr
    assert not baseline.exists()
    assert (f"note: adopt stamped the database at {revision}, a revision the scripts no longer "
            "have: `alembic stamp --purge base` removes the stamp") in undone.stderr  # fmt: skip
    assert _version(project) == [revision]  # undo never writes to the database
    assert project.run("-m", "alembic", "current").returncode != 0  # Alembic is lost
    purge = project.run("-m", "alembic", "stamp", "--purge", "base")  # the command, as said
    assert purge.returncode == 0, purge.stderr
    assert _version(project) == []
    again = wizard("adopt", "--yes", "--project", str(project.repo))  # adoptable again
    assert again.returncode == 0, again.stderr + again.stdout


DRIFT = {  # an extra column, and a missing index the models declare
    "pg_app": ("users", "ix_users_email", "email"),
    "mysql_app": ("invoices", "ix_invoices_reference", "reference"),
    "sqlite_app": ("note", "ix_note_title", "title"),
}


def test_a_drifted_database_is_not_stamped(adoptable: Adoptable) -> None:
    project = adoptable
    table, index, column = DRIFT[project.app.fixture]
    drop = f"drop index {index} on {table}" if project.app.fixture == "mysql_app" else \
        f"drop index {index}"  # fmt: skip
    narrower = ["alter table users alter column full_name type varchar(50)"] if \
        project.app.fixture == "pg_app" else []  # fmt: skip
    execute(project, f"alter table {table} add column legacy_code varchar(10)", drop, *narrower)
    live = schema(project)
    done = wizard("adopt", "--yes", "--project", str(project.repo))
    assert done.returncode == 1, done.stderr + done.stdout
    assert f"{2 + len(narrower)} difference(s)" in done.stdout
    if narrower:
        assert (
            "column `users.full_name`: the type differs (database VARCHAR(50), models VARCHAR(120))"
        ) in done.stdout
    assert f"column `{table}.legacy_code` is in the database but not in the models" in done.stdout
    assert f"index `{index}` on `{table}` ({column}) is in the models but missing" in done.stdout
    assert "Not stamped" in done.stdout
    assert "alembic_version" not in tables(project)  # nothing stamped, no table made
    assert schema(project) == live
    baseline, align = sorted(_revisions(project), key=lambda p: "align" in p.name)
    assert re.search(r"drop_column\((.*, )?'legacy_code'\)", align.read_text())
    assert f"alembic stamp {_revision_id(baseline)}" in done.stdout

    with fresh_database(project) as fresh:  # both revisions: the models' schema
        upgrade = project.run("-m", "alembic", "upgrade", "head", database=fresh)
        assert upgrade.returncode == 0, upgrade.stderr
        _check(project, fresh)
    # the next steps it prints bring the live database to the models
    for step in (["stamp", _revision_id(baseline)], ["upgrade", "head"]):
        ran = project.run("-m", "alembic", *step)
        assert ran.returncode == 0, ran.stderr
    _check(project)


def test_a_revision_the_scripts_do_not_have(adoptable: Adoptable) -> None:
    project = adoptable
    execute(project, "create table alembic_version (version_num varchar(32) not null)",
            "insert into alembic_version values ('0badc0ffee42')")  # fmt: skip
    before = tree_hash(project.repo)
    done = wizard("adopt", "--yes", "--project", str(project.repo))
    assert done.returncode == 2, done.stderr + done.stdout
    assert "the database is at revision 0badc0ffee42, which the scripts in" in done.stderr
    assert "nothing was written" in done.stderr
    assert tree_hash(project.repo) == before
    assert _version(project) == ["0badc0ffee42"]
