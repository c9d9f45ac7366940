"""When env.py cannot import the app's modules, the run says what a careful user needs to
hear: a file the app reads that a fresh clone makes from its template (a step to name, not
a failure), an interpreter older than the project requires, the app's own import failing the
same way. Fixture projects written here, the wizard run as a user runs it."""

from __future__ import annotations

from pathlib import Path

from conftest import wizard, write_project

MODELS = """
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
"""


TOML_CONFIG = {
    "config.toml.example": '[database]\npath = "app.db"\n',
    "app/config.py": """
        import tomllib
        from pathlib import Path

        with Path("config.toml").open("rb") as f:
            config = tomllib.load(f)

        DATABASE_URL = f"sqlite+aiosqlite:///./{config['database']['path']}"
    """,
    "app/db.py": """
        from sqlalchemy.ext.asyncio import create_async_engine
        from app.config import DATABASE_URL

        engine = create_async_engine(DATABASE_URL)
    """,
    "app/models.py": "from app.db import engine\n" + MODELS,
}


def test_a_config_file_only_its_template_holds_is_the_next_step_not_a_failure(
    tmp_path: Path,
) -> None:
    """The app reads `config.toml` from the folder it runs in; a fresh clone has only
    `config.toml.example`. env.py cannot load until the user makes the file, as the app
    cannot start: the setup is kept and the copy is the first step named."""
    project = write_project(tmp_path, TOML_CONFIG)
    done = wizard("--yes", "--no-db", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    out = done.stdout + done.stderr
    assert "not until config.toml exists, made from config.toml.example" in out
    assert "cp config.toml.example config.toml" in done.stdout.split("Next:")[-1]
    assert (project / "migrations" / "env.py").is_file()
    assert not (project / "config.toml").exists()


def test_a_missing_file_without_a_template_is_still_a_failure(tmp_path: Path) -> None:
    """No template beside it: nothing tells the user how to make the file; env.py's
    failure stands and nothing is kept."""
    files = {k: v for k, v in TOML_CONFIG.items() if k != "config.toml.example"}
    project = write_project(tmp_path, files)
    done = wizard("--yes", "--no-db", cwd=project)
    assert done.returncode != 0
    assert "FileNotFoundError" in done.stdout + done.stderr
    assert not (project / "migrations" / "env.py").exists()


def test_an_interpreter_older_than_the_project_requires_is_named_where_the_import_fails(
    tmp_path: Path,
) -> None:
    """The models use what only a newer Python allows (3.14 reads annotations lazily, so a
    class may name one defined below it); the interpreter found is older. The NameError says
    nothing of versions: the run says which Python the project requires and which it has."""
    project = write_project(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "proj"\nrequires-python = ">=3.99"\n',
            "app/db.py": """
                from sqlalchemy.ext.asyncio import create_async_engine

                engine = create_async_engine("sqlite+aiosqlite:///./app.db")
            """,
            "app/models.py": MODELS
            + """

class Team(Base):
    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(primary_key=True)
    lead: Mapped[Lead | None] = None


class Lead(Base):
    __tablename__ = "leads"
    id: Mapped[int] = mapped_column(primary_key=True)
""",
        },
    )
    done = wizard("--yes", "--no-db", cwd=project)
    assert done.returncode != 0
    wanted = "pyproject.toml requires Python >=3.99 and the project's Python is 3."
    assert f"note: {wanted}" in done.stderr
    assert "NameError: name 'Lead' is not defined" in done.stdout
    assert f"fix: {wanted}" in done.stdout
    assert "run with --python <a Python it allows>" in done.stdout


def test_requires_python_is_read_as_pep_440_and_poetry_write_it() -> None:
    """Release numbers only; what is not understood never raises a false alarm."""
    from wizard.inspection.pyversion import mismatch, satisfies

    met = [("3.13.0", ">=3.13,<3.14"), ("3.10.2", "==3.10.*"), ("3.13.0", "~=3.11"),
           ("3.13.0", "^3.11"), ("3.11.7", "~3.11"), ("3.14.0", "==3.14.0"),
           ("3.9.1", "^3.8 || ^3.9"), ("3.11.0", "anything else")]  # fmt: skip
    unmet = [("3.13.0", ">=3.14"), ("3.13.0", "==3.14.0"), ("3.12.1", ">=3.13,<3.14"),
             ("3.11.0", "==3.10.*"), ("3.13.0", "^3.14"), ("3.12.0", "~3.11")]  # fmt: skip
    assert all(satisfies(v, spec) for v, spec in met)
    assert not any(satisfies(v, spec) for v, spec in unmet)
    poetry = '[tool.poetry.dependencies]\npython = "^3.12"\n'
    assert mismatch("3.11.7", {"pyproject.toml": poetry}).endswith("is 3.11.7")
    assert mismatch("3.12.1", {"pyproject.toml": poetry}) == ""


def test_an_error_in_the_apps_own_module_names_the_import_that_shows_it(tmp_path: Path) -> None:
    """`create_async_engine(..., poolclass=QueuePool)` raises when the module is imported:
    the app cannot start either. The fix names the app's module, not env.py, and nothing
    is kept."""
    project = write_project(
        tmp_path,
        {
            "app/db.py": """
                from sqlalchemy.ext.asyncio import create_async_engine
                from sqlalchemy.orm import DeclarativeBase
                from sqlalchemy.pool import QueuePool

                class Base(DeclarativeBase):
                    pass

                engine = create_async_engine("sqlite+aiosqlite:///./app.db", poolclass=QueuePool)
            """,
            "app/models.py": """
                from sqlalchemy.orm import Mapped, mapped_column
                from app.db import Base

                class User(Base):
                    __tablename__ = "users"
                    id: Mapped[int] = mapped_column(primary_key=True)
            """,
        },
    )
    done = wizard("--yes", "--no-db", cwd=project)
    assert done.returncode != 0
    assert "ArgumentError: Pool class QueuePool cannot be used with asyncio engine" in done.stdout
    assert "-c 'import app.db'` shows it without Alembic" in done.stdout
    assert not (project / "migrations" / "env.py").exists()
