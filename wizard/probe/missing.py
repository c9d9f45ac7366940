"""The variables an app's import failed for (its settings require them, the shell has none):
named from the error, so the probe can set a made-up value and import again. Only where the
error names the variable: pydantic-settings' (and pydantic 1's) missing fields,
`os.environ["X"]`, python-decouple, environs and starlette's `Config`. Runs in the project's
interpreter; standard library only."""

from __future__ import annotations

import importlib.util
import os
import re
import sys
import traceback
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING or __package__:
    from wizard.probe.lookup import env_key_of
else:  # run beside in_project.py, whose folder is on sys.path while it imports its siblings
    from lookup import env_key_of

_NAMED = re.compile(
    r"^(?P<a>[A-Za-z_][A-Za-z0-9_]*) not found\. Declare it"  # python-decouple
    r"|Environment variable \"(?P<b>[A-Za-z_][A-Za-z0-9_]*)\" not set"  # environs
    r"|Config '(?P<c>[A-Za-z_][A-Za-z0-9_]*)' is missing, and has no default"  # starlette
)
_URLISH = re.compile(r"(?i)(url|uri|dsn)$")
_DRIVERS = (("asyncpg", "postgresql+asyncpg"), ("aiomysql", "mysql+aiomysql"),
            ("asyncmy", "mysql+asyncmy"), ("aiosqlite", "sqlite+aiosqlite"))  # fmt: skip


def missing(exc: BaseException, ours: set[str]) -> dict[str, str]:
    """Variable -> a made-up value, for each variable the error says is not set (or set by
    the probe itself to a template's value of the wrong type: `ADMIN_ID=admin_id`)."""
    names = _named(exc, ours)
    return {
        n: placeholder(n, t)
        for n, t in names.items()
        if not os.environ.get(n) or (n in ours and os.environ[n] != placeholder(n, t))
    }


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


def _named(exc: BaseException, ours: set[str]) -> dict[str, str]:
    if type(exc).__name__ == "ValidationError" and callable(getattr(exc, "errors", None)):
        return _pydantic(exc, ours)
    found = _NAMED.search(str(exc))
    if found:
        return {found["a"] or found["b"] or found["c"]: "str"}
    if isinstance(exc, KeyError) and exc.args and _reads_environ(exc):
        return {str(exc.args[0]): "str"}
    return {}


def _reads_environ(exc: BaseException) -> bool:
    """`os.environ["X"]` in the innermost frame outside `os` (`<frozen os>` on 3.11+)."""
    frames = traceback.extract_tb(exc.__traceback__)
    outside = [f for f in frames if f.filename not in ("<frozen os>", os.__file__)]
    return bool(outside) and "environ" in (outside[-1].line or "")


def _pydantic(exc: Any, ours: set[str]) -> dict[str, str]:
    """Each missing field of the settings class the error is about, as its variable."""
    model = getattr(exc, "model", None)  # pydantic 1 names the class itself
    cls = model if isinstance(model, type) else _settings_class(str(getattr(exc, "title", "")), exc)
    found = {}
    for error in exc.errors():
        loc: list[object] = list(error.get("loc") or ())
        field = loc[0] if len(loc) == 1 else None
        if error.get("type") in _MISSING and isinstance(field, str):
            found.update(_nested(cls, field) or {env_key_of(cls, field): _kind(cls, field)})
        elif all(isinstance(p, str) for p in loc) and str(error.get("type")).endswith(_WRONG):
            wrong = _empty(cls, [str(p) for p in loc], str(error.get("type", "")))
            found.update((k, t) for k, t in wrong.items() if error.get("input") == "" or k in ours)
    return found


_MISSING = ("missing", "value_error.missing")  # pydantic 2's, pydantic 1's
_WRONG = ("_parsing", "_type")  # `int_parsing`: a value of the wrong type


def _empty(cls: type | None, loc: list[str], kind: str) -> dict[str, str]:
    """`PORT=` in the env file (a template's empty value): the variable, and its type."""
    typed = kind.removesuffix("_parsing").removesuffix("_type")
    typed = typed if typed in ("int", "float", "bool") else "str"
    config = getattr(cls, "model_config", None) or {}
    delimiter = config.get("env_nested_delimiter")
    if len(loc) == 1:
        return {env_key_of(cls, loc[0]): typed}
    if len(loc) == 2 and delimiter:
        return {(env_key_of(cls, loc[0]) + str(delimiter) + loc[1]).upper(): typed}
    return {}


def _nested(cls: type | None, field: str) -> dict[str, str]:
    """A missing model field (`db: DatabaseSettings`) read through `env_nested_delimiter`:
    each of its required fields as its own variable (`DB__HOST`)."""
    config = getattr(cls, "model_config", None) or {}
    delimiter = config.get("env_nested_delimiter")
    info = (getattr(cls, "model_fields", None) or {}).get(field)
    inner = getattr(info, "annotation", None)
    fields = getattr(inner, "model_fields", None)
    if not delimiter or not fields:
        return {}
    prefix = env_key_of(cls, field) + str(delimiter)
    return {
        (prefix + name).upper(): getattr(getattr(sub, "annotation", None), "__name__", "str")
        for name, sub in fields.items()
        if callable(getattr(sub, "is_required", None)) and sub.is_required()
    }


def _settings_class(title: str, exc: BaseException) -> type | None:
    """The class named in the error, as the code that made it sees the name (the frames of
    the traceback, innermost first), else any loaded module's."""
    frames: list[Any] = []
    tb = exc.__traceback__
    while tb is not None:
        frames.insert(0, tb.tb_frame)
        tb = tb.tb_next
    spaces = [n for f in frames for n in (f.f_locals, f.f_globals)]
    spaces += [vars(m) for m in list(sys.modules.values()) if hasattr(m, "__dict__")]
    for space in spaces:
        found = space.get(title)
        if isinstance(found, type) and hasattr(found, "model_config"):
            return found
    return None


def _kind(cls: type | None, field: str) -> str:
    info = (getattr(cls, "model_fields", None) or {}).get(field)
    annotation = getattr(info, "annotation", None)
    return getattr(annotation, "__name__", "str")
