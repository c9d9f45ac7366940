"""Checks of the URLs in the env files: the sync URL missing, with an async driver or with one
not installed, asyncpg given `sslmode`, a driver-less sync URL, a sync URL naming another
database, a sync URL given to an async env.py."""

from __future__ import annotations

from collections.abc import Iterator

from wizard import urls
from wizard.doctor.context import Context, driverless, parsed, place
from wizard.doctor.finding import Finding
from wizard.errors import WizardError


def check_sync_url(c: Context) -> Iterator[Finding]:
    """The sync URL env.py reads: present unless env.py can derive it (AW119), a sync driver
    (AW125), and installed in the project's interpreter (AW117)."""
    chosen = c.source
    key = chosen.sync_key if chosen else ""
    if chosen and key and key in c.env_text:
        for source in c.project.env_files:
            if source.example:
                continue
            binding = source.env.get(key, case_sensitive=chosen.case_sensitive)
            if binding is None:
                app = source.env.get(chosen.env_key or "", case_sensitive=chosen.case_sensitive)
                if "drivername=" not in c.env_text:  # no derivation; named where it belongs
                    where = app.line if app else None
                    yield c.find("AW119", source.path, where, f"{key} is not set")
                continue
            try:
                url = urls.parse(binding.value or "")
                dialect = urls.dialect_of(url)
            except WizardError:
                continue
            if urls.is_async(url) and not c.is_async_env:
                what = f"{key} has the async driver {url.drivername!r}"
                yield c.find("AW125", source.path, binding.line, what)
                continue
            module = dialect.modules.get(urls.driver_of(url), "")
            if module and module != "sqlite3" and module not in c.project.installed:
                what = f"{key} needs {module}, which {c.project.python} lacks"
                yield c.find("AW117", source.path, binding.line, what)


def check_env_urls(c: Context) -> Iterator[Finding]:
    """AW110, AW102, AW109 and AW120, from the app's and the sync URL in each env file."""
    chosen = c.source
    if chosen is None:
        return
    cs = chosen.case_sensitive
    for source in c.project.env_files:
        if source.example:
            continue
        app = source.env.get(chosen.env_key, case_sensitive=cs) if chosen.env_key else None
        sync = source.env.get(chosen.sync_key, case_sensitive=cs)
        app_url = parsed(app.value if app else None)
        sync_url = parsed(sync.value if sync else None)
        if app and app_url is not None:
            if app_url.get_driver_name() == "asyncpg" and "sslmode" in app_url.query:
                yield c.find("AW110", source.path, app.line, f"{app.key} has sslmode")
            field = chosen.settings.url_field if chosen.settings else None
            uses_app_url = (f".{field}" if field else chosen.env_key or "") in c.env_text
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
