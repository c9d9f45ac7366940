"""Which packages Alembic needs in the project's interpreter, and how this project installs
them (uv, poetry or pip)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from wizard import urls

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

Mode = Literal["sync", "async"]
PackageManager = Literal["uv", "poetry", "pip"]

# modules whose presence in the project's interpreter inspection records
DRIVER_MODULES = (
    "asyncpg", "psycopg", "psycopg2", "pg8000", "aiosqlite", "asyncmy", "aiomysql", "pymysql",
    "MySQLdb", "aioodbc", "pyodbc", "oracledb", "sqlmodel", "alembic", "pydantic_settings",
    "greenlet",
)  # fmt: skip
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
    manager: PackageManager, python: str, requirements_txt: bool, *packages: str
) -> str:
    """How this project adds packages."""
    quoted = " ".join(f"'{p}'" for p in packages)
    if manager != "pip":
        return f"{manager} add {quoted}"
    pip = f"{python} -m pip install {quoted}"
    if requirements_txt:
        return f"add {', '.join(packages)} to requirements.txt, then {pip}"
    return pip
