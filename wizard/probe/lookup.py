"""Where a value lives in the running app, asked of the objects themselves: settings
instances (pydantic-settings' own `model_config` and `model_fields`), their fields, computed
fields and properties, module constants, engines. Runs in the project's interpreter;
standard library only (pydantic and SQLAlchemy are looked at, never imported)."""

from __future__ import annotations

import inspect
import os
import re
import sys
from collections.abc import Callable, Iterator
from typing import Any

from . import protocol

_SETTINGS_BASES = {
    "pydantic_settings.main.BaseSettings",
    "pydantic.v1.env_settings.BaseSettings",
    "pydantic.env_settings.BaseSettings",
}


def url_text(value: object) -> str | None:
    """A URL-ish value as the string the engine sees: URL objects with their password,
    SecretStr unwrapped, pydantic's Url types as text."""
    if value is None or isinstance(value, bool | int | float):
        return None
    secret = getattr(value, "get_secret_value", None)
    if callable(secret):
        value = secret()
    render = getattr(value, "render_as_string", None)
    if callable(render):
        return str(render(hide_password=False))
    text = value if isinstance(value, str) else str(value) if _urlish(value) else None
    if text is None or not ("://" in text or text.startswith("sqlite")):
        return None
    return text


def _urlish(value: object) -> bool:
    return type(value).__name__.endswith(("Url", "Dsn", "URL")) or isinstance(value, os.PathLike)


def accessor(value: object) -> str:
    """What env.py calls to get the value's text: a SecretStr's secret, a SQLAlchemy URL
    with its password (`str()` of a URL hides it)."""
    if callable(getattr(value, "get_secret_value", None)):
        return ".get_secret_value()"
    if callable(getattr(value, "render_as_string", None)):
        return ".render_as_string(hide_password=False)"
    return ""


def module_rank(item: tuple[str, Any]) -> tuple[int, int, str]:
    """Where a shared value is defined, most likely: config/settings modules, short names."""
    name = item[0]
    last = name.rsplit(".", 1)[-1]
    named = any(w in last for w in ("config", "settings", "conf", "env"))
    return (0 if named else 1, name.count("."), name)


def origin(
    kind: protocol.OriginKind,
    module: str,
    name: str,
    *,
    called: bool = False,
    path: list[str] | None = None,
    env_key: str = "",
) -> protocol.Origin:
    return {
        "kind": kind,
        "module": module,
        "name": name,
        "called": called,
        "path": path or [],
        "cls": "",
        "field": "",
        "computed": False,
        "method": False,
        "env_key": env_key,
        "env_prefix": "",
        "case_sensitive": False,
        "env_files": [],
        "owner": "",
        "suffix": "",
        "siblings": [],
    }


_URLISH = re.compile("url|uri|dsn", re.IGNORECASE)


def siblings(holder: Any, skip: str) -> list[protocol.Sibling]:
    """The URL members of `holder` besides `skip` (fields, properties, methods that take no
    argument), each value masked here: its password never leaves the app's process."""
    found: list[protocol.Sibling] = []
    for name, method in _url_members(holder):
        if name == skip:
            continue
        try:
            value = getattr(holder, name)
            value = value() if method else value
        except Exception:
            continue
        masked = _masked(url_text(value))
        if masked is not None:
            found.append({"name": name, "method": method, "url": masked})
    return found


def _url_members(holder: Any) -> Iterator[tuple[str, bool]]:
    """(name, is a method) of the URL-named members of `holder`'s class and its own bases."""
    yield from ((n, False) for n in [*_fields(holder), *_computed(holder)] if _URLISH.search(n))
    for klass in type(holder).__mro__:
        if klass.__module__.partition(".")[0] in ("pydantic", "pydantic_settings", "builtins"):
            continue
        for name, value in vars(klass).items():
            method = inspect.isfunction(value) and not name.startswith("_")
            if method and _URLISH.search(name) and _no_arguments(value):
                yield name, True


def _no_arguments(function: Callable[..., Any]) -> bool:
    """A method called with nothing but `self`."""
    try:
        parameters = list(inspect.signature(function).parameters.values())[1:]
    except (TypeError, ValueError):
        return False
    plain = (
        inspect.Parameter.POSITIONAL_ONLY,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        inspect.Parameter.KEYWORD_ONLY,
    )
    return not any(p.default is p.empty and p.kind in plain for p in parameters)


def _masked(text: str | None) -> str | None:
    """`text` with its password hidden, by the SQLAlchemy the app already imported."""
    module = sys.modules.get("sqlalchemy.engine.url")
    if text is None or module is None:
        return None
    try:
        return str(module.make_url(text).render_as_string(hide_password=True))
    except Exception:
        return None


def first_each(origins: list[protocol.Origin]) -> list[protocol.Origin]:
    """One origin per object reached (the same instance imported into many modules)."""
    seen: set[tuple[str, ...]] = set()
    out = []
    for origin in origins:
        key = (origin["kind"], origin["cls"] or origin["name"], *origin["path"])
        if key not in seen:
            seen.add(key)
            out.append(origin)
    return out


def is_settings(value: object) -> bool:
    if isinstance(value, type):
        return False
    names = {f"{c.__module__}.{c.__name__}" for c in type(value).__mro__}
    return bool(names & _SETTINGS_BASES)


def fresh_settings(module: Any) -> Iterator[tuple[str, Any]]:
    """An instance of each settings class `module` defines (the app makes its own inside a
    DI container or a function, where no module-level name holds it)."""
    for name, value in list(vars(module).items()):
        own = getattr(value, "__module__", None) == module.__name__
        if own and isinstance(value, type) and not name.startswith("_"):
            names = {f"{c.__module__}.{c.__name__}" for c in value.__mro__}
            fresh = call_quietly(value) if names & _SETTINGS_BASES else None
            if fresh is not None:
                yield name, fresh


def a_provider(value: object) -> bool:
    """A provider of a DI container (dependency-injector, ...): calling it gives the value."""
    return callable(value) and type(value).__module__.split(".")[0] in (
        "dependency_injector",
        "dishka",
        "punq",
        "lagom",
    )


def is_cached_getter(value: object, name: str) -> bool:
    """`@lru_cache def get_settings()`: a zero-argument getter the app calls the same way."""
    return (
        callable(value)
        and hasattr(value, "cache_info")
        and ("settings" in name.lower() or "config" in name.lower())
    )


def call_quietly(function: Callable[[], Any]) -> Any:
    try:
        return function()
    except Exception:
        return None


def _fields(obj: Any) -> list[str]:
    cls = type(obj)
    fields = getattr(cls, "model_fields", None) or getattr(cls, "__fields__", None)
    return list(fields) if isinstance(fields, dict) else []


def _computed(obj: Any) -> list[str]:
    cls = type(obj)
    declared = getattr(cls, "model_computed_fields", None)  # a property in early pydantic 2
    names = list(declared) if isinstance(declared, dict) else []
    for klass in cls.__mro__:
        for name, value in vars(klass).items():
            if type(value).__name__ in ("property", "cached_property") and name not in names:
                names.append(name)
    return [n for n in names if not n.startswith("_") and n not in ("model_fields_set",)]


def attributes(obj: Any, depth: int) -> Iterator[tuple[list[str], object, bool]]:
    """Every field and property of a settings object, nested models one level down."""
    for name, computed in [
        *((n, False) for n in _fields(obj)),
        *((n, True) for n in _computed(obj)),
    ]:
        try:
            value = getattr(obj, name)
        except Exception:
            continue
        yield [name], value, computed
        if depth > 1 and _fields(value) and not isinstance(value, str):
            for path, inner, inner_computed in attributes(value, depth - 1):
                yield [name, *path], inner, inner_computed


def settings_facts(obj: Any, path: list[str], computed: bool) -> dict[str, Any]:
    """pydantic-settings' own rules for the variable that fills the field."""
    cls = type(obj)
    config, v1 = _config(cls), getattr(cls, "Config", None)
    prefix, case = _rules(cls)
    env_file = config.get("env_file", getattr(v1, "env_file", None))
    files = (
        [str(f) for f in env_file]
        if isinstance(env_file, list | tuple)
        else ([str(env_file)] if env_file else [])
    )
    key = _env_key(cls, path[0], prefix, case) if not computed and len(path) == 1 else ""
    owner = next((c for c in cls.__mro__ if path[0] in vars(c).get("__annotations__", {})), cls)
    return {
        "cls": f"{cls.__module__}.{cls.__qualname__}",
        "field": path[-1],
        "computed": computed,
        "env_key": key,
        "env_prefix": prefix,
        "case_sensitive": case,
        "env_files": files,
        "owner": f"{owner.__module__}.{owner.__qualname__}",
    }


def _config(cls: type | None) -> dict[str, Any]:
    config = getattr(cls, "model_config", None) or {}
    return config if isinstance(config, dict) else {}


def _rules(cls: type | None) -> tuple[str, bool]:
    """`env_prefix` and `case_sensitive`, from `model_config` or a pydantic v1 `Config`."""
    config, v1 = _config(cls), getattr(cls, "Config", None)
    prefix = str(config.get("env_prefix", getattr(v1, "env_prefix", "")) or "")
    return prefix, bool(config.get("case_sensitive", getattr(v1, "case_sensitive", False)))


def env_key_of(cls: type | None, name: str) -> str:
    """The variable that fills the field `name` of the settings class `cls`."""
    return _env_key(cls, name, *_rules(cls))


def _env_key(cls: type | None, name: str, prefix: str, case: bool) -> str:
    """The variable that fills a field: its alias (of `AliasChoices`, the one the environment
    has, else the first), else the prefix and the name."""
    info = (getattr(cls, "model_fields", None) or {}).get(name)
    alias = getattr(info, "validation_alias", None) or getattr(info, "alias", None)
    choices = [c for c in getattr(alias, "choices", ()) if isinstance(c, str)]
    if choices:
        present = {k.lower() for k in os.environ} if not case else set(os.environ)
        alias = next((c for c in choices if (c if case else c.lower()) in present), choices[0])
    key = alias if isinstance(alias, str) else prefix + name
    return key if case else key.upper()


def engine_url(value: object) -> str | None:
    if type(value).__name__ != "AsyncEngine":
        return None
    url = getattr(value, "url", None)
    return url_text(url)
