"""The app's own sync URL member, when inspection found one: its driver is the default sync
driver, and a different one asked for (`--sync-driver`) sets it aside."""

from __future__ import annotations

from typing import TYPE_CHECKING

from wizard import urls
from wizard.drivers import Mode
from wizard.inspection import Project
from wizard.inspection.ownsync import reused
from wizard.inspection.settings import sync_name
from wizard.inspection.source import UrlSource

if TYPE_CHECKING:
    from sqlalchemy.engine import URL


def own_driver(project: Project, source: UrlSource, url: URL) -> str | None:
    """The sync driver the app's own sync member names (a driver-less URL: the one the
    project's SQLAlchemy picks), or None when there is none."""
    own = source.settings.own_sync if source.settings else None
    if own is None:
        return None
    if own.driver:
        return own.driver
    version = project.environment.versions.get("sqlalchemy", "")
    return urls.default_driver(url, sqlalchemy=version)


def own_kept(
    project: Project, source: UrlSource, decided: tuple[URL, str, Mode], notes: list[str]
) -> UrlSource:
    """`source` with the app's own sync member kept when Alembic uses its driver (`decided`:
    the app's URL, the sync driver, the mode); what the user should know goes in `notes`."""
    url, sync_driver, mode = decided
    settings = source.settings
    own = settings.own_sync if settings else None
    if own is None or settings is None or mode != "sync":
        return source
    member = f"{settings.attr_prefix}{own.name}{'()' if own.called else ''}"
    if own_driver(project, source, url) != sync_driver:
        notes.append(f"the app's own {member} uses another driver than {sync_driver}: not reused")
        return reused(source, None)
    if own.name != sync_name(settings.url_field or ""):  # else the name the wizard gives it
        notes.append(
            f"env.py reads the app's own {member} (the same database through {sync_driver}): "
            "nothing is added to the settings or the env file"
        )
    return source
