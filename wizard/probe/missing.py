"""The variables an app's import failed for (its settings require them, the shell has none):
named from the error, so the probe can set a made-up value and import again. Only where the
error names the variable: pydantic-settings' missing fields, `os.environ["X"]`, python-decouple
and environs. Runs in the project's interpreter; standard library only."""

from __future__ import annotations

import importlib.util
import os
import re
import sys
import traceback
from typing import Any

_NAMED = re.compile(
    r"^(?P<a>[A-Za-z_][A-Za-z0-9_]*) not found\. Declare it"  # python-decouple
    r"|Environment variable \"(?P<b>[A-Za-z_][A-Za-z0-9_]*)\" not set"  # environs
)
_URLISH = re.compile(r"(?i)(url|uri|dsn)$")
_DRIVERS = (("asyncpg", "postgresql+asyncpg"), ("aiomysql", "mysql+aiomysql"),
            ("asyncmy", "mysql+asyncmy"), ("aiosqlite", "sqlite+aiosqlite"))  # fmt: skip


def missing(exc: BaseException) -> dict[str, str]:
    """Variable -> a made-up value, for each variable the error says is not set."""
    names = _named(exc)
    return {n: placeholder(n, t) for n, t in names.items() if n not in os.environ}


def placeholder(name: str, kind: str) -> str:
    """A value of the right shape: a number, a flag, a URL of an installed async driver."""
    if kind in ("int", "float"):
        return "0"
    if kind == "bool":
        return "false"
    if _URLISH.search(name):
        driver = next((u for m, u in _DRIVERS if importlib.util.find_spec(m)), _DRIVERS[0][1])
        path = "/placeholder.db" if driver.startswith("sqlite") else "user:password@localhost/app"
        return f"{driver}://{path}"
    return "placeholder"


def _named(exc: BaseException) -> dict[str, str]:
    if type(exc).__name__ == "ValidationError" and callable(getattr(exc, "errors", None)):
        return _pydantic(exc)
    found = _NAMED.search(str(exc))
    if found:
        return {found["a"] or found["b"]: "str"}
    if isinstance(exc, KeyError) and exc.args and _reads_environ(exc):
        return {str(exc.args[0]): "str"}
    return {}


def _reads_environ(exc: BaseException) -> bool:
    frames = traceback.extract_tb(exc.__traceback__)
    return bool(frames) and "environ" in (frames[-1].line or "")


def _pydantic(exc: Any) -> dict[str, str]:
    """Each missing field of the settings class the error is about, as its variable."""
    cls = _settings_class(str(getattr(exc, "title", "")))
    found = {}
    for error in exc.errors():
        loc: list[object] = list(error.get("loc") or ())
        field = loc[0] if len(loc) == 1 else None
        if error.get("type") == "missing" and isinstance(field, str):
            found[_variable(cls, field)] = _kind(cls, field)
    return found


def _settings_class(title: str) -> type | None:
    for module in list(sys.modules.values()):
        found = getattr(module, title, None)
        if isinstance(found, type) and hasattr(found, "model_config"):
            return found
    return None


def _variable(cls: type | None, field: str) -> str:
    config = getattr(cls, "model_config", None) or {}
    info = (getattr(cls, "model_fields", None) or {}).get(field)
    alias = getattr(info, "validation_alias", None) or getattr(info, "alias", None)
    choices = [c for c in getattr(alias, "choices", ()) if isinstance(c, str)]
    alias = choices[0] if choices else alias
    key = alias if isinstance(alias, str) else str(config.get("env_prefix", "") or "") + field
    return key if config.get("case_sensitive") else key.upper()


def _kind(cls: type | None, field: str) -> str:
    info = (getattr(cls, "model_fields", None) or {}).get(field)
    annotation = getattr(info, "annotation", None)
    return getattr(annotation, "__name__", "str")
