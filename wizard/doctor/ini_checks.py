"""Checks of alembic.ini: credentials and driver in `sqlalchemy.url`, `path_separator`,
`prepend_sys_path`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from wizard import urls
from wizard.doctor.context import Context, driverless, is_async
from wizard.doctor.rules import Finding
from wizard.errors import WizardError


def check_ini_url(c: Context) -> Iterator[Finding]:
    """A URL in alembic.ini: a password (AW106), no driver (AW109), the wrong kind of driver
    for env.py (AW101, AW102)."""
    url_text = c.ini_url()
    if url_text is None:
        return
    try:
        url = urls.parse(url_text)
    except WizardError:
        return
    line = c.ini_line("sqlalchemy.url")
    if url.password:
        yield c.find("AW106", c.ini_path, line, "sqlalchemy.url holds a password")
    if driverless(url):
        yield c.find("AW109", c.ini_path, line, f"driver-less URL ({url.drivername}://)")
    if c.env_path is None:
        return
    url_is_async = is_async(url)
    if c.is_async_env and url_is_async is False:
        what = f"async env.py, sync driver {url.drivername!r} in alembic.ini"
        yield c.find("AW102", c.ini_path, line, what)
    if not c.is_async_env and url_is_async:
        what = f"sync env.py, async driver {url.drivername!r} in alembic.ini"
        yield c.find("AW101", c.ini_path, line, what)


def check_ini_paths(c: Context) -> Iterator[Finding]:
    """No `path_separator` (AW112); the app's package not on `prepend_sys_path` (AW105)."""
    if c.ini is None or c.ini_path is None:
        return
    if not c.ini.has_option("alembic", "path_separator"):
        yield c.find("AW112", c.ini_path, c.ini_line("[alembic]") or 1,
                     "no path_separator under [alembic]")  # fmt: skip
    prepend = c.ini.get("alembic", "prepend_sys_path", fallback="")
    here = c.ini_path.parent
    paths = {(here / p.replace("%(here)s", str(here))).resolve()
             for p in re.split(r"[\s,:;]+", prepend) if p}  # fmt: skip
    import_root = c.project.import_root
    if import_root.resolve() not in paths and import_root != here:
        rel = Path(c.project.rel(import_root))
        yield c.find("AW105", c.ini_path, c.ini_line("prepend_sys_path"),
                     f"prepend_sys_path does not include {rel}")  # fmt: skip
