"""The variables an app's import failed for (its settings require them, the shell has none):
named from the error, so the probe can set a made-up value and import again. Only where the
error names the variable: pydantic-settings' (and pydantic 1's) missing fields,
`os.environ["X"]`, python-decouple, environs and starlette's `Config`. Runs in the project's
interpreter; standard library only."""

from __future__ import annotations

import enum
import importlib.util
import os
import re
import sys
import traceback
import types
import typing
from typing import Any

from .lookup import env_key_of

_NAMED = re.compile(
    r"^(?P<a>[A-Za-z_][A-Za-z0-9_]*) not found\. Declare it"  # python-decouple
    r"|Environment variable \"(?P<b>[A-Za-z_][A-Za-z0-9_]*)\" not set"  # environs
    r"|Config '(?P<c>[A-Za-z_][A-Za-z0-9_]*)' is missing, and has no default"  # starlette
)
_URLISH = re.compile(r"(?i)(url|uri|dsn)$")
_DRIVERS = (
    ("asyncpg", "postgresql+asyncpg"),
    ("aiomysql", "mysql+aiomysql"),
    ("asyncmy", "mysql+asyncmy"),
    ("aiosqlite", "sqlite+aiosqlite"),
)


def missing(exc: BaseException, ours: set[str]) -> dict[str, str]:
    """Variable -> a made-up value, for each variable the error says is not set (or set by
    the probe itself to a value its field refuses: a template's `ADMIN_ID=admin_id`, a
    made-up `placeholder` for a `Literal['dev', 'prod']`)."""
    names = _named(exc, ours)
    return {
        n: placeholder(n, t)
        for n, t in names.items()
        if not os.environ.get(n) or (n in ours and os.environ[n] != placeholder(n, t))
    }


def placeholder(name: str, hint: object) -> str:
    """A value of the field's type (`hint`: its annotation, or a kind the error names): a
    Literal's or an enum's first choice, a number, a flag, an email, a JSON list, a URL (an
    installed async driver's for a database URL)."""
    typed = _typed(hint)
    if typed is not None:
        return typed
    if _URLISH.search(name) or _urlish(hint):
        if not _URLISH.search(name):
            return "http://localhost"
        driver = next((u for m, u in _DRIVERS if importlib.util.find_spec(m)), _DRIVERS[0][1])
        path = "/placeholder.db" if driver.startswith("sqlite") else "user:password@localhost/app"
        return f"{driver}://{path}"
    return "placeholder"


_KINDS = {"int": "0", "float": "0", "bool": "false", "email": "user@example.com"}


def _typed(hint: object) -> str | None:
    if isinstance(hint, str):
        return hint[1:] if hint.startswith("=") else _KINDS.get(hint)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Literal and args:
        return str(args[0].value if isinstance(args[0], enum.Enum) else args[0])
    if origin in (typing.Union, types.UnionType, typing.Annotated):
        return next((v for a in args if a is not type(None) and (v := _typed(a))), None)
    if origin in (list, set, tuple, frozenset) or hint in (list, set, tuple, frozenset):
        return "[]"
    if origin is dict or hint is dict:
        return "{}"
    if not isinstance(hint, type):
        return None
    if issubclass(hint, enum.Enum):
        return str(next(iter(hint)).value) if list(hint) else None
    if issubclass(hint, bool | int | float):
        return _KINDS["bool" if issubclass(hint, bool) else "int"]
    return _KINDS["email"] if "Email" in hint.__name__ else None


def _urlish(hint: object) -> bool:
    args = typing.get_args(hint)
    return any(_urlish(a) for a in args) or "Url" in getattr(hint, "__name__", "")


def _named(exc: BaseException, ours: set[str]) -> dict[str, object]:
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


def _pydantic(exc: Any, ours: set[str]) -> dict[str, object]:
    """Each missing field of the settings class the error is about, as its variable; and
    each the probe set (or a template left empty) that its field refused, with its type."""
    model = getattr(exc, "model", None)  # pydantic 1 names the class itself
    cls = model if isinstance(model, type) else _settings_class(str(getattr(exc, "title", "")), exc)
    found: dict[str, object] = {}
    for error in exc.errors():
        loc: list[object] = list(error.get("loc") or ())
        kind = str(error.get("type", ""))
        if kind in _MISSING and len(loc) == 1 and isinstance(loc[0], str):
            found.update(_nested(cls, loc[0]) or {env_key_of(cls, loc[0]): _hint(cls, loc, error)})
        elif all(isinstance(p, str) for p in loc) and kind not in _MISSING:
            key = _variable(cls, [str(p) for p in loc])
            if key and (error.get("input") == "" or key in ours):
                found[key] = _hint(cls, loc, error)
    return found


_MISSING = ("missing", "value_error.missing")  # pydantic 2's, pydantic 1's
_CHOICE = re.compile(r"'([^']*)'")  # `literal_error`/`enum`: "'dev' or 'prod'"


def _hint(cls: type | None, loc: list[object], error: dict[str, Any]) -> object:
    """The field's annotation; else what the error says it expects."""
    annotation = _annotation(cls, loc)
    if annotation is not None:
        return annotation
    choice = _CHOICE.search(str((error.get("ctx") or {}).get("expected", "")))
    kind = str(error.get("type", "")).removesuffix("_parsing").removesuffix("_type")
    return f"={choice[1]}" if choice else kind


def _annotation(cls: type | None, loc: list[object]) -> object:
    for part in loc:
        fields = getattr(cls, "model_fields", None) or getattr(cls, "__fields__", None) or {}
        info = fields.get(part) if isinstance(part, str) else None
        cls = getattr(info, "annotation", None) or getattr(info, "outer_type_", None)
    return cls


def _variable(cls: type | None, loc: list[str]) -> str | None:
    """A field's variable (`PORT`), or a nested model's field's (`DB__PORT`)."""
    config = getattr(cls, "model_config", None) or {}
    delimiter = config.get("env_nested_delimiter")
    if len(loc) == 1:
        return env_key_of(cls, loc[0])
    if len(loc) == 2 and delimiter:
        return (env_key_of(cls, loc[0]) + str(delimiter) + loc[1]).upper()
    return None


def _nested(cls: type | None, field: str) -> dict[str, object]:
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
        (prefix + name).upper(): getattr(sub, "annotation", None)
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
