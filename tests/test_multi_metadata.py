"""Several MetaData objects: env.py targets a list, chosen with a checkbox or `--metadata a,b`
(every one under --yes); verification counts the tables of all; autogenerate creates them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from conftest import alembic, copy_project, wizard
from wizard.cli import main
from wizard.inspection.models import Metadata
from wizard.plan.migrations import metadata_target

AUDIT = """\
from sqlalchemy import Column, Integer, MetaData, String, Table

audit_metadata = MetaData()

audit_log = Table(
    "audit_log", audit_metadata, Column("id", Integer, primary_key=True), Column("action", String(50))
)
"""
ANALYTICS = """\
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class PageView(Base):
    __tablename__ = "page_views"

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str]
"""
DB, AUDIT_LABEL, ANALYTICS_LABEL = (
    "blog.db.Base.metadata", "blog.audit.audit_metadata", "blog.analytics.Base.metadata",
)  # fmt: skip


def _blog(tmp_path: Path) -> Path:
    project = copy_project("blog", tmp_path)
    (project / "blog/audit.py").write_text(AUDIT)
    (project / "blog/analytics.py").write_text(ANALYTICS)
    return project


def _tables(project: Path) -> set[str]:
    with sqlite3.connect(project / "blog.db") as db:
        rows = db.execute("select name from sqlite_master where type = 'table'").fetchall()
    return {r[0] for r in rows} - {"alembic_version"}


def test_every_metadata_is_targeted_and_autogenerate_creates_their_tables(tmp_path: Path) -> None:
    project = _blog(tmp_path)
    done = wizard("--yes", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    env_py = (project / "migrations/env.py").read_text()
    assert (
        "from blog.analytics import Base\nfrom blog.audit import audit_metadata\nfrom blog.db import Base as Base_3\n"
        in env_py
    )
    assert "target_metadata = [Base.metadata, audit_metadata, Base_3.metadata]\n" in env_py
    assert "ok  tables: 5 tables in target_metadata, as in the models" in done.stdout
    assert (
        f'metadata = "{ANALYTICS_LABEL},{AUDIT_LABEL},{DB}"'
        in (project / "pyproject.toml").read_text()
    )

    alembic("revision", "--autogenerate", "-m", "create tables", cwd=project)
    alembic("upgrade", "head", cwd=project)
    assert _tables(project) == {"authors", "posts", "comments", "audit_log", "page_views"}
    alembic("check", cwd=project)  # nothing pending across all three
    again = wizard("--yes", "--no-db", cwd=project)  # remembered: asks nothing, changes nothing
    assert "nothing to change" in again.stderr, again.stderr


def test_metadata_flag_picks_some_and_verification_counts_across_them(tmp_path: Path) -> None:
    project = _blog(tmp_path)
    done = wizard("--yes", "--metadata", f"{DB},{AUDIT_LABEL}", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    env_py = (project / "migrations/env.py").read_text()
    assert "target_metadata = [Base.metadata, audit_metadata]\n" in env_py
    assert "blog.analytics" not in env_py
    assert "ok  tables: 4 tables in target_metadata" in done.stdout
    alembic("revision", "--autogenerate", "-m", "create tables", cwd=project)
    alembic("upgrade", "head", cwd=project)
    assert _tables(project) == {"authors", "posts", "comments", "audit_log"}
    bad = wizard(
        "--yes", "--metadata", f"{DB},blog.nope.metadata", "--dry-run", cwd=_blog(tmp_path / "2")
    )
    assert bad.returncode == 2 and "--metadata" in bad.stderr and "blog.nope.metadata" in bad.stderr


def test_the_metadata_checkbox(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _blog(tmp_path)
    down, space, enter = "\x1b[B", " ", "\r"
    # mode: the default; MetaData: untick the second (audit); models: all; folder:
    # the default; declare alembic: yes; write: yes (the database is the URL's: not asked)
    keys = enter + down + space + enter + enter + enter + "y" + "y"
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        pipe.close()
        with create_app_session(input=pipe, output=DummyOutput()):
            code = main(["--no-color", "--project", str(project), "--no-db"], interactive=True)
    out = capsys.readouterr()
    assert code == 0, out.err + out.out
    env_py = (project / "migrations/env.py").read_text()
    assert "target_metadata = [Base.metadata, Base_2.metadata]\n" in env_py
    assert "from blog.analytics import Base\nfrom blog.db import Base as Base_2\n" in env_py


def test_one_metadata_stays_one_expression() -> None:
    one = Metadata("app.db", "Base", "Base.metadata")
    assert metadata_target([one]) == ("from app.db import Base", "Base.metadata")
    other = Metadata("app.audit", "Base", "Base.metadata")
    assert metadata_target([one, other]) == (
        "from app.db import Base\nfrom app.audit import Base as Base_2",
        "[Base.metadata, Base_2.metadata]",
    )
