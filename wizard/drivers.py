"""Which packages Alembic needs in the project's interpreter, and how this project installs
them (uv, poetry, pdm, hatch or pip)."""

from __future__ import annotations

import shlex
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Literal

from wizard import urls

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

Mode = Literal["sync", "async"]
PackageManager = Literal["uv", "poetry", "pdm", "hatch", "pip"]

# modules whose presence in the project's interpreter inspection records
DRIVER_MODULES = (
    "asyncpg",
    "psycopg",
    "psycopg2",
    "pg8000",
    "aiosqlite",
    "asyncmy",
    "aiomysql",
    "pymysql",
    "MySQLdb",
    "aioodbc",
    "pyodbc",
    "oracledb",
    "sqlmodel",
    "alembic",
    "pydantic_settings",
    "greenlet",
)
# module -> the package that provides it, for the ones verification may find missing
PACKAGES = {
    "psycopg": "psycopg[binary]",
    "psycopg2": "psycopg2-binary",
    "pg8000": "pg8000",
    "asyncpg": "asyncpg",
    "aiosqlite": "aiosqlite",
    "alembic": "alembic",
    "greenlet": "greenlet",
}


def needed(mode: Mode, sync_driver: str, url: URL) -> dict[str, str]:
    """Module -> package that Alembic's URL needs in the project's interpreter."""
    dialect = urls.dialect_of(url)
    if mode == "async":
        driver = url.get_driver_name()
        module = dialect.modules.get(driver, driver)
        return {"greenlet": "greenlet", module: dialect.packages.get(driver, module)}
    module = dialect.modules.get(sync_driver, sync_driver)
    if module == "sqlite3":
        return {}
    return {module: dialect.packages.get(sync_driver, module)}


def install_command(
    manager: PackageManager,
    python: str,
    packages: Sequence[str],
    *,
    has_pip: bool = True,
    tools: Collection[str] = (),
    requirements_txt: bool = False,
    tools_own: bool = True,
) -> str:
    """One command that installs every package in `packages` the way this project does:
    `uv add`, `poetry add`, `pdm add` in projects of those tools where the tool is installed
    (or the interpreter has no pip to do it); else pip of the project's interpreter where it
    has pip (a Poetry project installed with pip into a venv: `poetry` cannot run, and the
    dependency is declared in pyproject.toml anyway), `uv pip install --python` where it has
    not (a venv made by `uv venv`) and uv is installed, `ensurepip` first otherwise; with
    `-r requirements.txt` where a pip project has one. Not the tool's add where the
    interpreter is not the environment the tool installs into (`tools_own`: a venv passed
    with --python, elsewhere): `uv add` would sync the project's own .venv instead."""
    quoted = " ".join(f"'{p}'" for p in packages)
    tool = manager in ("uv", "poetry", "pdm") and tools_own
    if tool and (manager in tools or not has_pip):
        return f"{manager} add {quoted}"
    py = shlex.quote(python)
    if requirements_txt and manager == "pip":  # what the project declares, and the rest
        quoted = " ".join(["-r requirements.txt", *(f"'{p}'" for p in packages)])
    if has_pip:
        return f"{py} -m pip install {quoted}"
    if "uv" in tools:
        return f"uv pip install --python {py} {quoted}"
    return f"{py} -m ensurepip && {py} -m pip install {quoted}"
