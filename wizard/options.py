"""What the command line asked for, as one typed value: no argparse below `cli.py`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from wizard.inspection import Project


@dataclass(frozen=True)
class Flags:
    """The command-line answers; None means 'not given'."""

    dialect: str | None = None
    sync_driver: str | None = None
    metadata: str | None = None
    models: tuple[str, ...] | None = None
    settings: str | None = None
    url: str | None = None  # which URL source, by its label
    env_file: str | None = None
    database_url: str | None = None  # the app's URL, when it is set nowhere a shell sees
    migrations: str | None = None
    mode: str | None = None
    add_deps: bool | None = None
    rails: tuple[str, ...] | None = None  # guard: which guard rails
    naming: bool | None = None  # guard: add a constraint naming convention


Command = Literal["setup", "verify", "inspect", "undo", "doctor", "guard", "runner", "adopt"]
COMMANDS: tuple[Command, ...] = (
    "setup",
    "verify",
    "inspect",
    "undo",
    "doctor",
    "guard",
    "runner",
    "adopt",
)

# the databases the wizard knows (wizard.urls.DIALECTS), spelled here so --help needs no urls
DIALECTS = ("postgresql", "mysql", "mariadb", "sqlite", "mssql", "oracle")


@dataclass(frozen=True)
class Options:
    """One run's options; `flags` answer the questions."""

    command: Command = "setup"
    project: Path = Path()
    dry_run: bool = False
    yes: bool = False
    force: bool = False
    follow_outside: bool = False  # write through symlinks that lead out of the project
    python: str | None = None
    config: str | None = None  # Alembic's config file: -c, else $ALEMBIC_CONFIG
    verify: bool = True
    install: bool = False  # run the install command verification names, then verify again
    online: bool = True
    error: str | None = None  # doctor: a pasted error message ('-': standard input)
    review: bool = False  # doctor --online: also review pending operations on the database
    json: bool = False
    color: bool = False  # for stderr (status lines)
    color_out: bool = False  # for stdout (diffs, the report)
    diff: bool = False  # every file's full diff, not only the status lines (--diff)
    interactive: bool = False
    flags: Flags = field(default_factory=Flags)

    @property
    def probes(self) -> bool:
        """Whether this run ends in verification (its process can start early)."""
        if self.command == "verify":
            return True
        return self.command == "setup" and self.verify and not self.dry_run


def read_project(options: Options, *, env_imports: bool = False) -> Project:
    """The project as every command reads it, in one place: the folder, the interpreter and
    the Alembic config the options name (a re-read after a recovery keeps `-c`)."""
    from wizard.inspection import inspect  # not at import: `--help` stays light

    return inspect(
        options.project, python=options.python, env_imports=env_imports, config=options.config
    )
