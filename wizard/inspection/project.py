"""The frozen description of a project that every later stage reads: what inspection found,
and a snapshot of every file the plan may touch."""

from __future__ import annotations

import os
from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from wizard.drivers import PackageManager
from wizard.edits import deps
from wizard.errors import WizardError
from wizard.inspection.alembic_setup import DEFAULT_FOLDER, AlembicSetup
from wizard.inspection.compose import ComposeFile
from wizard.inspection.create_all import CreateAll
from wizard.inspection.envfiles import EnvSource
from wizard.inspection.interpreter import Environment
from wizard.inspection.models import Metadata, TableDef
from wizard.inspection.scan import Skipped
from wizard.inspection.settings import Settings
from wizard.inspection.source import UrlSource


@dataclass(frozen=True)
class Project:
    """Everything inspection found. Paths are absolute."""

    top: Path  # the folder the wizard was pointed at
    root: Path  # where alembic.ini goes and Alembic runs
    import_root: Path  # what goes on sys.path
    tables: tuple[TableDef, ...]
    settings: tuple[Settings, ...]
    module_paths: Mapping[str, Path]
    env_files: tuple[EnvSource, ...]
    python: str
    installed: frozenset[str]
    alembic: AlembicSetup
    async_engine: bool  # the project imports SQLAlchemy's asyncio extension
    config_path: Path  # pyproject.toml, or .alembic-wizard.toml without one
    sources: tuple[UrlSource, ...] = ()  # where the app's URL comes from, per async engine
    engines: tuple[tuple[Path, int], ...] = ()  # where the app creates async engines
    create_all: tuple[CreateAll, ...] = ()  # where the app creates its tables itself
    followed: bool = False  # the sources come from the engines, not from field names
    remembered: Mapping[str, object] = field(default_factory=dict)  # `[tool.alembic-wizard]`
    skipped: tuple[Skipped, ...] = ()
    notices: tuple[str, ...] = ()  # what inspection could read only in part, for the user
    package_manager: PackageManager = "pip"
    requirements_txt: bool = False
    environment: Environment = field(default_factory=lambda: Environment("", ""))
    tools: frozenset[str] = frozenset()  # uv, poetry, pdm, hatch: the ones on PATH
    alembic_command: str = "alembic"  # how the user's shell runs the project's Alembic
    python_command: str = "python"  # and the project's Python
    lock_file: Path | None = None  # uv.lock, poetry.lock, pdm.lock
    gitignore: Path | None = None
    files: Mapping[Path, str | None] = field(default_factory=dict)  # None: does not exist
    dirs: frozenset[Path] = frozenset()  # folders that exist, among those the plan may create
    module_names: Container[str] = frozenset()  # every module and package of the app's files
    schemas: bool = False  # the models name a database schema (`schema=`, `__table_args__`)
    compose: tuple[ComposeFile, ...] = ()  # docker compose files: the containers' variables
    python_mismatch: str = ""  # the interpreter does not meet the project's requires-python
    # what the existing env.py reads off a framework CLI's Config (`version_table_name`), as
    # Python literals of the values the app's objects hold
    carried: Mapping[str, str] = field(default_factory=dict)

    @property
    def metadatas(self) -> list[Metadata]:
        """Distinct MetaData objects that hold tables, in first-seen order."""
        return list(dict.fromkeys(t.metadata for t in self.tables))

    @property
    def model_modules(self) -> list[str]:
        """Every module that defines a table."""
        return sorted({t.module for t in self.tables})

    @property
    def uses_sqlmodel(self) -> bool:
        return any(m.module == "sqlmodel" for m in self.metadatas)

    @property
    def default_migrations(self) -> str:
        """The migrations folder, relative to the root: where script_location points, else
        `migrations`."""
        scripts = self.alembic.scripts
        if scripts is None:
            return DEFAULT_FOLDER
        return Path(os.path.relpath(scripts, self.root)).as_posix()

    @property
    def requirements_path(self) -> Path | None:
        """requirements.txt, where this project declares its dependencies there: a pip
        project with one, whose pyproject.toml (if any) lists none."""
        if not self.requirements_txt or self.package_manager != "pip":
            return None
        text = self.files.get(self.config_path)
        if text and self.config_path.name == "pyproject.toml" and deps.declared(text):
            return None
        return self.root / "requirements.txt"

    def text(self, path: Path) -> str | None:
        """A file's text as inspection read it (None: it does not exist)."""
        try:
            return self.files[path]
        except KeyError:
            what = "internal error: a file was planned that inspection did not read"
            raise WizardError(what, path=path) from None

    def rel(self, path: Path) -> str:
        """`path` relative to the folder the wizard was pointed at, for messages."""
        try:
            return path.relative_to(self.top).as_posix()
        except ValueError:
            return str(path)


def blame_skipped(skipped: Sequence[Skipped], words: tuple[bytes, ...]) -> None:
    """When nothing was found, a file we could not read, or could not parse and that
    mentions `words`, is the cause."""
    for item in skipped:
        if item.unreadable:
            raise WizardError(
                f"cannot read this file: {item.why}",
                path=item.path,
                hint="make it readable (the wizard reads every file that may hold the app's "
                "models and settings)",
            )
        if any(w in item.source for w in words):
            raise WizardError(
                f"cannot parse this file: {item.why}",
                path=item.path,
                line=item.line,
                hint="fix the syntax error; if it is valid in a newer Python (3.12's f-strings, "
                "say), pass that interpreter with --python (the project's venv)",
            )
