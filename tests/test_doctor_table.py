"""The doctor table: every failure in the book, one test per row. A healthy project (the
wizard's own setup of the SQLite fixture) is broken in one way; doctor names the rule with the
file and line; where a real Alembic command fails, `doctor --error` on what it printed names
the same rule; a re-run of the wizard repairs it and doctor says healthy again. The rows only
an error message shows (the database and the revisions) follow: the fix they print, done by
hand, makes the command work."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import alembic as alembic_package
import pytest

from conftest import REPO, alembic, copy_project, run, wizard, wizard_process

TEMPLATES = Path(alembic_package.__file__).parent / "templates"
MODELS = (
    "from sqlmodel import SQLModel\n"
    "import notes.models.note, notes.models.notebook, notes.models.tag\n\n"
    "target_metadata = SQLModel.metadata"
)


@pytest.fixture(scope="module")
def healthy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The SQLite fixture set up by the wizard, once for the module: doctor finds nothing."""
    project = copy_project("sqlite_app", tmp_path_factory.mktemp("healthy"))
    done = wizard("--yes", "--no-verify", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert doctor(project) == (0, "healthy: no findings\n")
    return project


@pytest.fixture
def project(healthy: Path, tmp_path: Path) -> Path:
    """A copy of the healthy project, to break."""
    return Path(shutil.copytree(healthy, tmp_path / "notes", symlinks=True))


def doctor(project: Path, *args: str) -> tuple[int, str]:
    done = wizard("doctor", *args, cwd=project)
    return done.returncode, done.stdout + done.stderr


def line_of(path: Path, text: str) -> int:
    """The first line of `path` that holds `text`."""
    lines = path.read_text().splitlines()
    return next(n for n, line in enumerate(lines, 1) if text in line)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def hand_written(project: Path, template: str = "generic", extra: str = "") -> None:
    """env.py replaced by Alembic's own template, edited as its tutorial says (and `extra`)."""
    text = (TEMPLATES / template / "env.py").read_text()
    text = text.replace("target_metadata = None", MODELS + extra)
    (project / "migrations/env.py").write_text(text)


def ini_url(project: Path, url: str) -> None:
    edit(project / "alembic.ini", "[alembic]\n", f"[alembic]\nsqlalchemy.url = {url}\n")


@dataclass(frozen=True)
class Row:
    """One way to break the healthy project, and what doctor must say about it."""

    breaks: Callable[[Path], None]
    rule: str
    file: str
    marker: str  # the text on the line the finding names
    fails: tuple[str, ...] = ()  # an alembic command that fails on it, for `doctor --error`
    force: bool = False  # env.py rewritten by hand: the wizard asks before overwriting it
    by_hand: Callable[[Path], None] | None = None  # what the fix says to do before the re-run


SETTINGS = "\nfrom notes.settings import get_settings\n"
LABEL = """\
from sqlmodel import Field, SQLModel


class Label(SQLModel, table=True):
    __tablename__ = "labels"
    id: int | None = Field(default=None, primary_key=True)
"""
ROWS = {
    "async driver in the sync URL (MissingGreenlet)": Row(
        lambda p: edit(p / ".env", "_SYNC=sqlite:", "_SYNC=sqlite+aiosqlite:"),
        "AW125",
        ".env",
        "NOTES_DATABASE_URL_SYNC=",
        ("upgrade", "head"),
    ),
    "async URL in alembic.ini, sync env.py (MissingGreenlet)": Row(
        lambda p: (hand_written(p), ini_url(p, "sqlite+aiosqlite:///./notes.db")),
        "AW101",
        "alembic.ini",
        "sqlalchemy.url",
        ("upgrade", "head"),
        force=True,
    ),
    "sync env.py on the app's async URL (MissingGreenlet)": Row(
        lambda p: hand_written(
            p,
            extra=SETTINGS + "config.set_main_option("
            "'sqlalchemy.url', get_settings().database_url)",
        ),
        "AW101",
        "migrations/env.py",
        "get_settings().database_url",
        ("upgrade", "head"),
        force=True,
    ),
    "async template, sync driver (asyncio extension requires an async driver)": Row(
        lambda p: (hand_written(p, "async"), ini_url(p, "sqlite:///./notes.db")),
        "AW102",
        "alembic.ini",
        "sqlalchemy.url",
        ("upgrade", "head"),
        force=True,
    ),
    "a model module env.py does not import (autogenerate drops its table)": Row(
        lambda p: (p / "src/notes/models/label.py").write_text(LABEL),
        "AW103",
        "migrations/env.py",
        "MODEL_MODULES = (",
    ),
    "a model module reached only for type checkers (autogenerate drops its table)": Row(
        # note.py imports notebook under `if TYPE_CHECKING:`, which never runs
        lambda p: edit(p / "migrations/env.py", '    "notes.models.notebook",\n', ""),
        "AW103",
        "migrations/env.py",
        "MODEL_MODULES = (",
    ),
    "the app not on sys.path (ModuleNotFoundError)": Row(
        lambda p: edit(p / "alembic.ini", "prepend_sys_path = src", "prepend_sys_path = ."),
        "AW105",
        "alembic.ini",
        "prepend_sys_path",
        ("upgrade", "head", "--sql"),
    ),
    "'%' in the password in alembic.ini (InterpolationSyntaxError)": Row(
        lambda p: (hand_written(p), ini_url(p, "postgresql+psycopg://notes:p%40ss@db/notes")),
        "AW106",
        "alembic.ini",
        "sqlalchemy.url",
        ("upgrade", "head", "--sql"),
        force=True,
    ),
    "the URL through set_main_option ('%' breaks configparser)": Row(
        lambda p: hand_written(
            p,
            extra=SETTINGS + "config.set_main_option('sqlalchemy.url', "
            "get_settings().database_url.replace('+aiosqlite', ''))",
        ),
        "AW107",
        "migrations/env.py",
        "config.set_main_option(",
        force=True,
    ),
    "str(engine.url) writes *** as the password": Row(
        lambda p: hand_written(
            p,
            extra="\nfrom notes.db import engine\nconfig.set_main_option("
            "'sqlalchemy.url', str(engine.url).replace('+aiosqlite', ''))",
        ),
        "AW108",
        "migrations/env.py",
        "str(engine.url)",
        force=True,
    ),
    "env.py reads a sync URL that is not set": Row(
        lambda p: (
            hand_written(
                p,
                extra="\nimport os\nconfig.set_main_option('sqlalchemy.url', "
                "os.environ['NOTES_DATABASE_URL_SYNC'])",
            ),
            edit(p / ".env", "NOTES_DATABASE_URL_SYNC=sqlite:///./notes.db\n", ""),
        ),
        "AW119",
        ".env",
        "NOTES_DATABASE_URL=",
        ("upgrade", "head", "--sql"),
        force=True,
    ),
    "the sync URL names another database than the app's": Row(
        lambda p: edit(p / ".env", "_SYNC=sqlite:///./notes.db", "_SYNC=sqlite:///./old.db"),
        "AW120",
        ".env",
        "NOTES_DATABASE_URL_SYNC=",
        by_hand=lambda p: edit(p / ".env", "NOTES_DATABASE_URL_SYNC=sqlite:///./old.db\n", ""),
    ),
    "env.py deleted": Row(
        lambda p: (p / "migrations/env.py").unlink(),
        "AW126",
        "alembic.ini",
        "script_location",
        ("upgrade", "head", "--sql"),
    ),
    "the scripts folder deleted": Row(
        lambda p: shutil.rmtree(p / "migrations"),
        "AW127",
        "alembic.ini",
        "script_location",
        ("upgrade", "head", "--sql"),
    ),
}


@pytest.mark.parametrize("name", ROWS)
def test_doctor_names_it_and_a_rerun_repairs_it(project: Path, name: str) -> None:
    row = ROWS[name]
    row.breaks(project)
    line = line_of(project / row.file, row.marker)

    code, found = doctor(project)
    assert code == 1
    assert f"{row.rule}  {row.file}:{line}  " in found, found
    if row.fails:  # what the real command prints is explained by the same rule
        failed = run("-m", "alembic", *row.fails, cwd=project)
        assert failed.returncode != 0, failed.stdout
        printed = failed.stdout + failed.stderr  # Alembic's own `FAILED:` is on stdout
        explained = wizard("doctor", "--error", printed, cwd=project)
        assert f"{row.rule} " in explained.stdout, printed

    if row.by_hand is not None:  # the fix says what to do first: the wizard cannot guess
        row.by_hand(project)
    if row.force:  # the hand-written env.py is not dropped silently: the wizard says how
        refused = wizard("--yes", "--no-verify", cwd=project)
        assert refused.returncode == 2 and "pass --force" in refused.stderr
    again = wizard("--yes", "--no-verify", *(["--force"] if row.force else []), cwd=project)
    assert again.returncode == 0, again.stdout + again.stderr
    assert doctor(project) == (0, "healthy: no findings\n")
    assert run("-m", "alembic", "upgrade", "head", cwd=project).returncode == 0


def test_exit_status_in_a_process(project: Path) -> None:
    """The reported false-healthy case, as CI sees it: exit 1 with env.py gone, 0 once the
    wizard wrote it again."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}  # this checkout's wizard
    (project / "migrations/env.py").unlink()
    found = wizard_process("doctor", cwd=project, env=env)
    assert found.returncode == 1 and found.stdout.startswith("AW126  alembic.ini:"), found.stdout
    assert wizard_process("--yes", "--no-verify", cwd=project, env=env).returncode == 0
    healthy = wizard_process("doctor", cwd=project, env=env)
    assert (healthy.returncode, healthy.stdout) == (0, "healthy: no findings\n")


# The rows only an error message shows: the database and the revisions. The fix each prints is
# for the user to do (the wizard cannot choose), and doing it makes the command work.


def explained(printed: str, rule: str) -> str:
    """What `doctor --error` says about what a command printed: `rule`'s fix, which does not
    send the user back to the wizard."""
    done = wizard("doctor", "--error", printed)
    assert done.returncode == 0 and f"{rule} " in done.stdout, printed
    fix = done.stdout.split(f"{rule} ", 1)[1].split("fix: ", 1)[1].splitlines()[0]
    assert "alembic-wizard" not in fix
    return fix


def fails(project: Path, *args: str) -> str:
    done = run("-m", "alembic", *args, cwd=project)
    assert done.returncode != 0, done.stdout
    return done.stdout + done.stderr


def test_target_database_is_not_up_to_date(project: Path) -> None:
    alembic("revision", "-m", "first", cwd=project)
    printed = fails(project, "revision", "--autogenerate", "-m", "second")
    assert "Target database is not up to date" in printed
    assert "alembic upgrade head" in explained(printed, "AW150")
    alembic("upgrade", "head", cwd=project)  # the fix, then the command again
    assert (
        "Detected added table"
        in alembic("revision", "--autogenerate", "-m", "x", cwd=project).stderr
    )


def test_cant_locate_revision(project: Path, tmp_path: Path) -> None:
    alembic("revision", "-m", "first", "--rev-id", "aaa111", cwd=project)
    alembic("upgrade", "head", cwd=project)
    (script,) = (project / "migrations/versions").glob("aaa111_*.py")
    kept = shutil.move(script, tmp_path / script.name)  # deleted, or on another branch
    printed = fails(project, "upgrade", "head")
    assert "Can't locate revision identified by 'aaa111'" in printed
    assert "restore that revision's file" in explained(printed, "AW151")
    shutil.move(kept, script)
    alembic("upgrade", "head", cwd=project)


def test_several_heads(project: Path) -> None:
    alembic("revision", "-m", "one", "--rev-id", "aaa", cwd=project)
    alembic("revision", "-m", "two", "--rev-id", "bbb", "--head", "base", "--splice", cwd=project)
    printed = fails(project, "upgrade", "head")
    assert "Multiple head revisions are present" in printed
    assert "alembic merge heads" in explained(printed, "AW116")
    assert "AW116  migrations/versions  2 heads: aaa, bbb" in doctor(project)[1]
    alembic("merge", "heads", "-m", "merge", cwd=project)
    alembic("upgrade", "head", cwd=project)
    assert doctor(project) == (0, "healthy: no findings\n")


ENUM_REVISION = """\
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "aaa111"
down_revision = None


def upgrade():
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("status", sa.Enum("open", "closed", name="status")),
    )
"""


def test_type_already_exists(tmp_path: Path, pg_database: str) -> None:
    import psycopg

    alembic("init", "migrations", cwd=tmp_path)
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{pg_database}"
    edit(tmp_path / "alembic.ini", "driver://user:pass@localhost/dbname", url)
    revision = tmp_path / "migrations/versions/aaa111_tickets.py"
    revision.write_text(ENUM_REVISION)
    with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={pg_database}") as conn:
        conn.execute("create type status as enum ('open', 'closed')")  # create_all made it
    printed = fails(tmp_path, "upgrade", "head")
    assert 'type "status" already exists' in printed
    assert "create_type=False" in explained(printed, "AW152")
    enum = 'sa.Enum("open", "closed", name="status")'
    edit(revision, enum, enum.replace("sa.Enum", "postgresql.ENUM")[:-1] + ", create_type=False)")
    alembic("upgrade", "head", cwd=tmp_path)


def test_every_fix_that_sends_the_user_to_the_wizard_is_repaired_by_it() -> None:
    """No loop: a rule whose fix says to re-run alembic-wizard has a row above that shows the
    re-run repairs it (or a test elsewhere, named here)."""
    from wizard.doctor import RULES

    elsewhere = {
        "AW118": "test_doctor.py::test_no_setup_at_all",
        "AW122": "test_doctor.py::test_alembic_inits_placeholder_url_is_named_and_repaired",
        "AW123": "test_schemas.py",
        "AW124": "test_post_write_hooks.py (verify --install)",
        "AW130": "test_empty_baseline.py (stamp base, delete, adopt)",
    }
    sends = {r.id for r in RULES.values() if "alembic-wizard" in r.fix}
    assert sends - {row.rule for row in ROWS.values()} - set(elsewhere) == set()


def test_every_error_pattern_is_recognised() -> None:
    from wizard.doctor import RULES, lookup

    for rule in RULES.values():
        for pattern in rule.patterns:
            assert rule.id in [r.id for r in lookup(pattern.upper())], pattern


def test_the_rules_page_is_generated_from_the_rule_table() -> None:
    """docs/doctor.md's tables are RULES; `python3 -m wizard.doctor.page docs/doctor.md`
    rewrites them after a rule changes."""
    from wizard.doctor.page import with_tables

    page = (Path(__file__).parent.parent / "docs/doctor.md").read_text(encoding="utf-8")
    assert with_tables(page) == page, "run: python3 -m wizard.doctor.page docs/doctor.md"
