"""What the answers mean for the database, computed once: the app's URL, the URL Alembic
uses, the packages that needs, and the strings never to print."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from wizard import drivers, secrets, urls
from wizard.answers import Answers
from wizard.inspection import Project

if TYPE_CHECKING:
    from sqlalchemy.engine import URL


@dataclass(frozen=True)
class Target:
    """The URLs and packages of one setup."""

    app_url: URL  # the app's async URL, parsed
    sync_url: URL  # derived from it for the sync driver
    alembic_url: URL  # what Alembic connects with: sync_url, or app_url in async mode
    drivers: dict[str, str]  # module -> package Alembic's URL needs
    secrets: frozenset[str]
    alembic: str = "alembic>=1.13"  # >= 1.16 reads [tool.alembic]

    @property
    def requirements(self) -> list[str]:
        """What `[project].dependencies` should declare for Alembic."""
        return [self.alembic, *self.drivers.values()]


def make_target(project: Project, answers: Answers, app_url: URL) -> Target:
    """The target of `answers`; `app_url` is `answers.app` parsed."""
    sync_url = urls.derive_sync(app_url, answers.sync_driver)
    alembic_url = app_url if answers.mode == "async" else sync_url
    found = secrets.in_bindings(kv for source in project.env_files for kv in source.values())
    return Target(
        app_url=app_url,
        sync_url=sync_url,
        alembic_url=alembic_url,
        drivers=drivers.needed(answers.mode, answers.sync_driver, alembic_url),
        secrets=frozenset(urls.secrets_of(app_url) | urls.secrets_of(sync_url) | found),
        alembic="alembic>=1.16" if project.alembic.style == "toml" else "alembic>=1.13",
    )
