"""Checks of the URLs in the env files: the sync URL missing or its driver not installed,
asyncpg given `sslmode`, a driver-less sync URL, a sync URL naming another database, a sync
URL given to an async env.py."""

from __future__ import annotations

from collections.abc import Iterator

from wizard import urls
from wizard.doctor.context import Context, driverless, place
from wizard.doctor.rules import Finding
from wizard.errors import WizardError
from wizard.inspection.appurl import parsed


def check_sync_url(c: Context) -> Iterator[Finding]:
    """The sync URL env.py reads: present unless env.py can derive it (AW119), and its driver
    installed in the project's interpreter (AW117)."""
    for settings in c.project.settings[:1]:
        key = settings.sync_env_key
        if not key or key not in c.env_text:
            continue
        for source in c.project.env_files:
            if source.example:
                continue
            binding = source.env.get(key, case_sensitive=settings.case_sensitive)
            if binding is None:
                if "drivername=" not in c.env_text:  # no derivation to fall back on
                    yield c.find("AW119", source.path, None, f"{key} is not set")
                continue
            try:
                url = urls.parse(binding.value or "")
                dialect = urls.dialect_of(url)
            except WizardError:
                continue
            module = dialect.modules.get(urls.driver_of(url), "")
            if module and module != "sqlite3" and module not in c.project.installed:
                what = f"{key} needs {module}, which {c.project.python} lacks"
                yield c.find("AW117", source.path, binding.line, what)


def check_env_urls(c: Context) -> Iterator[Finding]:
    """AW110, AW102, AW109 and AW120, from the app's and the sync URL in each env file."""
    settings = next((s for s in c.project.settings if s.url_field), None)
    if settings is None:
        return
    for source in c.project.env_files:
        if source.example:
            continue
        app = source.env.get(settings.env_key or "", case_sensitive=settings.case_sensitive)
        sync = source.env.get(settings.sync_env_key or "", case_sensitive=settings.case_sensitive)
        app_url = parsed(app.value if app else None)
        sync_url = parsed(sync.value if sync else None)
        if app and app_url is not None:
            if app_url.get_driver_name() == "asyncpg" and "sslmode" in app_url.query:
                yield c.find("AW110", source.path, app.line, f"{app.key} has sslmode")
            uses_app_url = f".{settings.url_field}" in c.env_text
            sync_driver = (
                not urls.is_async(app_url, async_engine=True) and "+" in app_url.drivername
            )
            if c.is_async_env and uses_app_url and sync_driver:
                what = f"async env.py, sync driver {app_url.drivername!r} in {app.key}"
                yield c.find("AW102", source.path, app.line, what)
        if sync and sync_url is not None:
            if driverless(sync_url):
                yield c.find("AW109", source.path, sync.line, f"{sync.key} has no driver")
            if app_url is not None and place(app_url) != place(sync_url):
                yield c.find("AW120", source.path, sync.line,
                             f"{sync.key} and {app.key if app else 'the app URL'} differ in "
                             "host, port, user or database")  # fmt: skip
