"""The answers to the wizard's questions: everything planning needs beyond inspection."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from wizard.drivers import Mode
from wizard.inspection.appurl import AppUrl
from wizard.inspection.models import Metadata
from wizard.inspection.settings import Settings
from wizard.inspection.source import UrlSource

MODES: tuple[Mode, ...] = ("sync", "async")


@dataclass(frozen=True)
class Answers:
    """One decision per question."""

    dialect: str
    sync_driver: str
    metadata: Metadata
    model_modules: tuple[str, ...]
    source: UrlSource  # where the app's URL comes from (a settings field, os.getenv, ...)
    env_file: Path | None
    migrations: str  # folder, relative to the project root
    app: AppUrl  # the app's URL, from the chosen settings class and env file
    mode: Mode = "sync"  # sync: a sync driver and URL for Alembic; async: the app's own URL
    add_deps: bool = True  # declare alembic and the driver in pyproject.toml
    notes: tuple[str, ...] = ()  # what the user should know about how these were decided
    more_metadata: tuple[Metadata, ...] = ()  # target_metadata is a list when there are several

    @property
    def metadatas(self) -> tuple[Metadata, ...]:
        """Every MetaData env.py targets, the first one first."""
        return (self.metadata, *self.more_metadata)

    @property
    def metadata_labels(self) -> str:
        """As `--metadata` takes them (and the remembered answers keep them)."""
        return ",".join(m.label for m in self.metadatas)

    @property
    def settings(self) -> Settings | None:
        """The settings class that holds the URL (None: no settings class is involved)."""
        return self.source.settings
