"""Checks of Alembic's configuration, in alembic.ini and in pyproject.toml's [tool.alembic]:
credentials and driver in `sqlalchemy.url`, `path_separator`, `prepend_sys_path`, and a
script_location that alembic.ini shadows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from wizard import urls
from wizard.doctor.context import Context, driverless, is_async
from wizard.doctor.finding import Finding
from wizard.edits import tomledit
from wizard.edits.iniedit import split_paths
from wizard.errors import WizardError
from wizard.inspection.alembic_config import resolve


def _written_urls(c: Context) -> Iterator[tuple[Path | None, int | None, str, str]]:
    """Each URL written in the configuration: file, line, URL, and where it is."""
    ini_url = c.ini_url()
    if ini_url is not None:
        yield c.ini_path, c.ini_line("sqlalchemy.url"), ini_url, "alembic.ini"
    toml_url = tomledit.url(dict(c.toml))
    if toml_url and "driver://" not in toml_url:  # Alembic never reads it: only a secret in git
        line = c.toml_line("sqlalchemy.url") or c.toml_line('"sqlalchemy.url"')
        yield c.toml_path, line, toml_url, "[tool.alembic]"


def check_ini_url(c: Context) -> Iterator[Finding]:
    """A URL in the configuration: a password (AW106), no driver (AW109); in alembic.ini, the
    wrong kind of driver for env.py (AW101, AW102), and `alembic init`'s placeholder where
    env.py reads it (AW122)."""
    yield from _placeholder(c)
    for path, line, text, where in _written_urls(c):
        try:
            url = urls.parse(text)
        except WizardError:
            continue
        if url.password:
            yield c.find("AW106", path, line, f"sqlalchemy.url in {where} holds a password")
        if driverless(url):
            yield c.find("AW109", path, line, f"driver-less URL ({url.drivername}://)")
        if c.env_path is None or where != "alembic.ini":
            continue
        url_is_async = is_async(url)
        if c.is_async_env and url_is_async is False:
            what = f"async env.py, sync driver {url.drivername!r} in alembic.ini"
            yield c.find("AW102", path, line, what)
        if not c.is_async_env and url_is_async:
            what = f"sync env.py, async driver {url.drivername!r} in alembic.ini"
            yield c.find("AW101", path, line, what)


def _placeholder(c: Context) -> Iterator[Finding]:
    """`driver://user:pass@localhost/dbname` left by `alembic init`, in an env.py that reads
    sqlalchemy.url (engine_from_config, get_main_option): every command fails on it."""
    raw = c.ini.get("alembic", "sqlalchemy.url", fallback=None) if c.ini is not None else None
    if not raw or "driver://" not in raw or c.env_path is None:
        return
    reads = [*c.calls("engine_from_config"), *c.calls("async_engine_from_config")]
    for call in c.calls("get_main_option"):
        if call.args and getattr(call.args[0], "value", None) == "sqlalchemy.url":
            reads.append(call)
    if reads:
        what = f"alembic init's placeholder URL, read by env.py:{reads[0].lineno}"
        yield c.find("AW122", c.ini_path, c.ini_line("sqlalchemy.url"), what)


def check_ini_paths(c: Context) -> Iterator[Finding]:
    """No `path_separator` (AW112); the app's package not on `prepend_sys_path` (AW105);
    [tool.alembic]'s script_location shadowed by alembic.ini's (AW121)."""
    yield from _separator(c)
    yield from _sys_path(c)
    yield from _shadowed(c)


def _separator(c: Context) -> Iterator[Finding]:
    """Alembic (>= 1.16) warns, and splits on spaces, when alembic.ini lists paths (a TOML
    list needs no separator)."""
    if c.ini is None or c.ini_path is None or c.ini.has_option("alembic", "path_separator"):
        return
    if any(c.ini.has_option("alembic", k) for k in ("prepend_sys_path", "version_locations")):
        yield c.find("AW112", c.ini_path, c.ini_line("[alembic]") or 1,
                     "no path_separator under [alembic]")  # fmt: skip


Where = tuple[Path, int | None, Path, list[str] | None]


def _prepend_sys_path(c: Context) -> Where | None:
    """prepend_sys_path where Alembic reads it (alembic.ini first, then [tool.alembic]): the
    file, the line, what `%(here)s` is, the entries (None: a TOML string, not a list)."""
    if c.ini is not None and c.ini_path and c.ini.has_option("alembic", "prepend_sys_path"):
        separator = c.ini.get("alembic", "path_separator", fallback=None)
        entries = split_paths(c.ini.get("alembic", "prepend_sys_path"), separator, colons=True)
        return c.ini_path, c.ini_line("prepend_sys_path"), c.ini_path.parent, entries
    if c.toml_path is not None and c.toml.get("prepend_sys_path") is not None:
        raw = c.toml["prepend_sys_path"]
        listed = split_paths(raw, None) if isinstance(raw, list) else None
        return c.toml_path, c.toml_line("prepend_sys_path"), c.toml_path.parent, listed
    path = c.ini_path or c.toml_path
    return (path, None, c.project.root, []) if path else None


def _sys_path(c: Context) -> Iterator[Finding]:
    """The app's import root on sys.path; relative entries are relative to where Alembic runs
    (the root, or the ini's folder when run from there)."""
    found = _prepend_sys_path(c)
    if found is None:
        return
    path, line, here, entries = found
    if entries is None:  # Alembic would put each letter of the string on sys.path
        yield c.find("AW105", path, line, "prepend_sys_path in [tool.alembic] is not a list")
        return
    root, import_root = c.project.root, c.project.import_root
    folders = {(base / e.replace("%(here)s", str(here))).resolve()
               for e in entries for base in (root, here)}  # fmt: skip
    if import_root not in (root, here) and import_root.resolve() not in folders:
        rel = Path(c.project.rel(import_root))
        yield c.find("AW105", path, line, f"prepend_sys_path does not include {rel}")


def _shadowed(c: Context) -> Iterator[Finding]:
    """script_location in both files, naming different folders: alembic.ini's wins."""
    ini = c.ini.get("alembic", "script_location", fallback=None) if c.ini else None
    toml = c.toml.get("script_location")
    if not ini or not isinstance(toml, str) or c.ini_path is None or c.toml_path is None:
        return
    root = c.project.root
    if resolve(ini, c.ini_path.parent, root)[:1] != resolve(toml, c.toml_path.parent, root)[:1]:
        what = f"[tool.alembic] script_location {toml!r} is ignored: alembic.ini says {ini!r}"
        yield c.find("AW121", c.toml_path, c.toml_line("script_location"), what)
