"""Run inside the PROJECT's interpreter, by path: `python -B in_project.py --channel-fd N`,
a `Request` on stdin, `Progress` lines then one `Result` on file descriptor N.

It imports the app's modules the way the app does (its env files loaded first, never over a
variable already set), records what the async engine factories receive, evaluates the URL
arguments of engines made inside functions, then looks for where each value lives: a
settings instance (pydantic-settings answers for its own prefix, alias and env file rules), a
variable of the environment, a module constant, an engine object. The models are imported and
every MetaData's tables read, so library base classes and imperative mapping need no special
case. Nothing is written: an audit hook refuses writes in the project, new processes and
listening sockets, and the wizard kills the process when it does not answer in time.

Standard library only, plus whatever the app imports; Python >= 3.10.
"""

from __future__ import annotations

import faulthandler
import importlib
import io
import json
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING or __name__ != "__main__":
    from wizard.probe import protocol
else:  # this script's folder is sys.path[0]; the app must not see it (nor a `protocol` of ours)
    import protocol

    sys.modules["_alembic_wizard_protocol"] = sys.modules.pop("protocol")
    del sys.path[0]

_TIMEOUT = float(os.environ.get("ALEMBIC_WIZARD_PROBE_TIMEOUT", "30"))
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_PATH_EVENTS = {"os.remove", "os.rmdir", "os.mkdir", "os.truncate", "os.chmod", "shutil.rmtree"}
_TWO_PATH_EVENTS = {"os.rename", "os.link", "os.symlink"}
_REFUSED_EVENTS = {
    "subprocess.Popen": "started a process",
    "os.system": "started a process",
    "os.fork": "started a process",
    "os.forkpty": "started a process",
    "os.posix_spawn": "started a process",
    "os.spawn": "started a process",
    "os.exec": "started a process",
    "socket.bind": "opened a listening socket (a server)",
}


_SETTINGS_BASES = {
    "pydantic_settings.main.BaseSettings",
    "pydantic.v1.env_settings.BaseSettings",
    "pydantic.env_settings.BaseSettings",
}


class Refused(PermissionError):
    """What the audit hook raises: the probe never lets the app act on the machine."""


def _inside(path: object, folders: tuple[str, ...]) -> bool:
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not isinstance(path, str):
        return False
    full = os.path.abspath(path)  # noqa: PTH100 (no symlinks resolved: as the app names it)
    return any(full == f or full.startswith(f + os.sep) for f in folders)


def guard(folders: tuple[str, ...]) -> None:
    """Refuse writes under `folders` (the project), new processes and servers."""

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event == "open" and len(args) == 3:
            path, mode, flags = args
            writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & _WRITE_FLAGS
            )
            if writes and _inside(path, folders):
                raise Refused(f"wrote a file: {path}")
        elif event in _PATH_EVENTS and args and _inside(args[0], folders):
            raise Refused(f"changed a file: {args[0]}")
        elif event in _TWO_PATH_EVENTS and any(_inside(a, folders) for a in args[:2]):
            raise Refused(f"changed a file: {args[1]}")
        elif event in _REFUSED_EVENTS:
            raise Refused(_REFUSED_EVENTS[event])

    sys.addaudithook(hook)


def load_env_files(paths: list[str]) -> None:
    """The env files, as python-dotenv reads them (pydantic-settings' own parser), never over
    a variable the environment already has."""
    try:
        from dotenv import dotenv_values
    except ImportError:
        dotenv_values = _plain_values  # type: ignore[assignment]
    for path in paths:
        for key, value in dotenv_values(path).items():
            if value is not None:
                os.environ.setdefault(key, value)


def _plain_values(path: str) -> dict[str, str | None]:
    values: dict[str, str | None] = {}
    for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
        key, sep, value = line.strip().removeprefix("export ").partition("=")
        if sep and key.strip() and not key.startswith("#"):
            values[key.strip()] = value.strip().strip("'\"")
    return values


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


def _accessor(value: object) -> str:
    return ".get_secret_value()" if callable(getattr(value, "get_secret_value", None)) else ""


class Probe:
    """One run: the recorder, the project's modules, the answer."""

    def __init__(self, request: protocol.Request, channel: io.TextIOBase) -> None:
        self.request = request
        self.channel = channel
        folders = {request["root"], *request["paths"]}
        self.folders = tuple(os.path.abspath(p) for p in folders)  # noqa: PTH100
        self.seen: list[tuple[str, str, int]] = []  # (url, file, line) of each factory call
        self.failures: list[protocol.Failure] = []
        self.printed: list[str] = []

    # -- imports -----------------------------------------------------------------------------
    def record_engines(self) -> None:
        """Wrap the async engine factory where the app's imports will find it."""
        try:
            asyncio_ext = importlib.import_module("sqlalchemy.ext.asyncio")
            engine_mod = importlib.import_module("sqlalchemy.ext.asyncio.engine")
        except ImportError:
            return
        real = engine_mod.create_async_engine

        def create_async_engine(*args: Any, **kwargs: Any) -> Any:
            url = url_text(args[0] if args else kwargs.get("url"))
            if url is not None:
                self.seen.append((url, *self._caller()))
            return real(*args, **kwargs)

        for module in (asyncio_ext, engine_mod):
            setattr(module, "create_async_engine", create_async_engine)  # noqa: B010

    def _caller(self) -> tuple[str, int]:
        frame = sys._getframe(2)
        while frame is not None:
            if self._is_project_file(frame.f_code.co_filename):
                return frame.f_code.co_filename, frame.f_lineno
            frame = frame.f_back  # type: ignore[assignment]
        return "", 0

    def _is_project_file(self, filename: str) -> bool:
        return _inside(filename, self.folders) and "site-packages" not in filename

    def load(self, name: str) -> Any:
        """Import one module; a failure (or `sys.exit`, or a refused act) is recorded."""
        if name in sys.modules:
            return sys.modules[name]
        self.channel.write(protocol.encode({"importing": name}))
        self.channel.flush()
        captured, sys.stdout = sys.stdout, io.StringIO()
        try:
            return importlib.import_module(name)
        except BaseException as exc:  # SystemExit too: the app's `sys.exit` at import
            self.failures.append(self._failure(name, exc))
            return None
        finally:
            if isinstance(sys.stdout, io.StringIO) and sys.stdout.getvalue():
                self.printed.append(name)
            sys.stdout = captured

    def _failure(self, name: str, exc: BaseException) -> protocol.Failure:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if _real_file(f.filename)]
        mine = [f for f in frames if self._is_project_file(f.filename)]
        where = mine[-1] if mine else None
        if isinstance(exc, SystemExit):
            what = f"sys.exit({exc.code!r})"
        else:
            message = str(exc).splitlines()[0] if str(exc) else ""
            what = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
        if isinstance(exc, Refused):
            what = str(exc)
        return {
            "module": name,
            "what": what,
            "path": where.filename if where else None,
            "line": where.lineno if where else None,
        }

    def project_modules(self) -> Iterator[tuple[str, Any]]:
        for name, module in list(sys.modules.items()):
            file = getattr(module, "__file__", None)
            if file and self._is_project_file(file) and not name.startswith("_alembic_wizard"):
                yield name, module

    # -- engines -----------------------------------------------------------------------------
    def engines(self) -> list[protocol.Engine]:
        for name in self.request["engine_modules"]:
            self.load(name)
        found: list[protocol.Engine] = []
        for url, path, line in self.seen:
            found.append(
                {"path": path, "line": line, "url": url, "origins": [], "expression": None}
            )
        for expression in self.request["expressions"]:
            value = self._evaluate(expression)
            if value is not None:
                where = {"path": expression["path"], "line": expression["line"]}
                found.append({**where, "url": value, "origins": [], "expression": expression})  # type: ignore[typeddict-item]
        unique = {(e["path"], e["line"], e["url"]): e for e in found}
        for engine in unique.values():
            engine["origins"] = self.origins(engine["url"])
        return list(unique.values())

    def _evaluate(self, expression: protocol.Expression) -> str | None:
        module = self.load(expression["module"])
        if module is None:
            return None
        try:
            code = compile(expression["text"], expression["path"], "eval")
            value = eval(code, dict(vars(module)))  # noqa: S307 (the app's own code)
            if url_text(value) is None and _a_provider(value):  # a DI container's, lazily
                value = value()
            return url_text(value)
        except Exception as exc:
            self.failures.append(self._failure(expression["module"], exc))
            return None

    def origins(self, url: str) -> list[protocol.Origin]:
        """Where `url` lives: settings first, then the environment, constants, engines."""
        settings: list[protocol.Origin] = []
        constants: list[protocol.Origin] = []
        engines: list[protocol.Origin] = []
        for module_name, module in sorted(self.project_modules(), key=_module_rank):
            for name, value in list(vars(module).items()):
                if name.startswith("__"):
                    continue
                if isinstance(value, str):
                    if value == url:
                        constants.append(_origin("constant", module_name, name))
                elif _is_settings(value):
                    settings += self._in_settings(value, url, module_name, name, False)
                elif _is_cached_getter(value, name):
                    got = _call_quietly(value)
                    if _is_settings(got):
                        settings += self._in_settings(got, url, module_name, name, True)
                elif _engine_url(value) == url:
                    engines.append(_origin("engine", module_name, name))
        environ = [_origin("environ", "", "", env_key=k) for k, v in os.environ.items() if v == url]
        return _first_each(settings) + environ + _first_each(constants) + _first_each(engines)

    def _in_settings(
        self, obj: Any, url: str, module: str, name: str, called: bool
    ) -> list[protocol.Origin]:
        found: list[protocol.Origin] = []
        for path, value, computed in _attributes(obj, depth=2):
            if url_text(value) != url:
                continue
            origin = _origin("settings", module, name, called=called, path=path)
            origin.update(_settings_facts(obj, path, computed))  # type: ignore[typeddict-item]
            origin["suffix"] = _accessor(value)
            found.append(origin)
        return found

    # -- models ------------------------------------------------------------------------------
    def tables(self) -> list[protocol.Table]:
        for name in self.request["model_modules"]:
            self.load(name)
        try:
            from sqlalchemy import MetaData, Table
        except ImportError:
            return []
        holders = self._metadata_holders(MetaData)
        defined = self._table_modules(Table)
        found: list[protocol.Table] = []
        for metadata, (module, name, expr) in holders.items():
            for table in metadata.tables.values():
                where, cls = defined.get(id(table), (module, None))
                found.append(
                    {
                        "name": table.name,
                        "schema": table.schema,
                        "module": where,
                        "cls": cls,
                        "metadata_module": module,
                        "metadata_name": name,
                        "metadata_expr": expr,
                    }
                )
        return found

    def _metadata_holders(self, metadata_type: type) -> dict[Any, tuple[str, str, str]]:
        """Each MetaData with tables, and the best way to reach it: a MetaData variable, the
        project's own base class, a library's base class, else a model class."""
        ranked: dict[Any, tuple[int, tuple[str, str, str]]] = {}
        for module_name, module in sorted(self.project_modules(), key=_module_rank):
            for name, value in list(vars(module).items()):
                found = _metadata_of(value, metadata_type)
                if found is None or not found.tables:
                    continue
                rank, place = self._holder(module_name, name, value, metadata_type)
                if found not in ranked or rank < ranked[found][0]:
                    ranked[found] = (rank, place)
        return {m: place for m, (_, place) in ranked.items()}

    def _holder(
        self, module: str, name: str, value: Any, metadata_type: type
    ) -> tuple[int, tuple[str, str, str]]:
        if isinstance(value, metadata_type):
            return 0, (module, name, name)
        if not isinstance(value, type):  # a `registry()`
            return 1, (module, name, f"{name}.metadata")
        owner = value.__module__
        if "__table__" in vars(value):  # a model: it works, a base reads better
            return 3, (owner, value.__name__, f"{value.__name__}.metadata")
        if not self._is_module_of_project(owner):  # `from sqlmodel import SQLModel`
            return 2, (owner, value.__name__, f"{value.__name__}.metadata")
        return 1, (owner, value.__name__, f"{value.__name__}.metadata")

    def _is_module_of_project(self, name: str) -> bool:
        module = sys.modules.get(name)
        file = getattr(module, "__file__", None)
        return bool(file) and self._is_project_file(str(file))

    def _table_modules(self, table_type: type) -> dict[int, tuple[str, str | None]]:
        """Each table's defining module: its mapped class's, else the module holding it."""
        found: dict[int, tuple[str, str | None]] = {}
        for module_name, module in self.project_modules():
            for name, value in list(vars(module).items()):
                if isinstance(value, table_type):
                    found.setdefault(id(value), (module_name, None))
                table = getattr(value, "__table__", None) if isinstance(value, type) else None
                if isinstance(table, table_type) and value.__module__ == module_name:
                    found[id(table)] = (module_name, name)
        for mapper in _all_mappers():
            cls = mapper.class_
            table = getattr(mapper, "local_table", None)
            if table is not None and self._is_module_of_project(cls.__module__):
                found[id(table)] = (cls.__module__, cls.__name__)
        return found

    def answer(self) -> protocol.Result:
        engines = (
            self.engines() if self.request["engine_modules"] or self.request["expressions"] else []
        )
        tables = self.tables() if self.request["model_modules"] else []
        return {
            "engines": engines,
            "tables": tables,
            "failures": self.failures,
            "stdout": self.printed,
        }


def _real_file(name: str) -> bool:
    return not name.startswith("<") and "importlib._bootstrap" not in name


def _module_rank(item: tuple[str, Any]) -> tuple[int, int, str]:
    """Where a shared value is defined, most likely: config/settings modules, short names."""
    name = item[0]
    last = name.rsplit(".", 1)[-1]
    named = any(w in last for w in ("config", "settings", "conf", "env"))
    return (0 if named else 1, name.count("."), name)


def _origin(
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
        "env_key": env_key,
        "env_prefix": "",
        "case_sensitive": False,
        "env_files": [],
        "owner": "",
        "suffix": "",
    }


def _first_each(origins: list[protocol.Origin]) -> list[protocol.Origin]:
    """One origin per object reached (the same instance imported into many modules)."""
    seen: set[tuple[str, ...]] = set()
    out = []
    for origin in origins:
        key = (origin["kind"], origin["cls"] or origin["name"], *origin["path"])
        if key not in seen:
            seen.add(key)
            out.append(origin)
    return out


def _is_settings(value: object) -> bool:
    if isinstance(value, type):
        return False
    names = {f"{c.__module__}.{c.__name__}" for c in type(value).__mro__}
    return bool(names & _SETTINGS_BASES)


def _a_provider(value: object) -> bool:
    """A provider of a DI container (dependency-injector, ...): calling it gives the value."""
    return callable(value) and type(value).__module__.split(".")[0] in (
        "dependency_injector",
        "dishka",
        "punq",
        "lagom",
    )


def _is_cached_getter(value: object, name: str) -> bool:
    """`@lru_cache def get_settings()`: a zero-argument getter the app calls the same way."""
    return (
        callable(value)
        and hasattr(value, "cache_info")
        and ("settings" in name.lower() or "config" in name.lower())
    )


def _call_quietly(function: Callable[[], Any]) -> Any:
    try:
        return function()
    except Exception:
        return None


def _fields(obj: Any) -> list[str]:
    cls = type(obj)
    fields = getattr(cls, "model_fields", None) or getattr(cls, "__fields__", None) or {}
    return list(fields)


def _computed(obj: Any) -> list[str]:
    cls = type(obj)
    names = list(getattr(cls, "model_computed_fields", None) or {})
    for klass in cls.__mro__:
        for name, value in vars(klass).items():
            if type(value).__name__ in ("property", "cached_property") and name not in names:
                names.append(name)
    return [n for n in names if not n.startswith("_") and n not in ("model_fields_set",)]


def _attributes(obj: Any, depth: int) -> Iterator[tuple[list[str], object, bool]]:
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
            for path, inner, inner_computed in _attributes(value, depth - 1):
                yield [name, *path], inner, inner_computed


def _settings_facts(obj: Any, path: list[str], computed: bool) -> dict[str, Any]:
    """pydantic-settings' own rules for the variable that fills the field."""
    cls = type(obj)
    config = getattr(cls, "model_config", None) or {}
    if not isinstance(config, dict):
        config = {}
    v1 = getattr(cls, "Config", None)
    prefix = str(config.get("env_prefix", getattr(v1, "env_prefix", "")) or "")
    case = bool(config.get("case_sensitive", getattr(v1, "case_sensitive", False)))
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


def _env_key(cls: type, name: str, prefix: str, case: bool) -> str:
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


def _engine_url(value: object) -> str | None:
    if type(value).__name__ != "AsyncEngine":
        return None
    url = getattr(value, "url", None)
    return url_text(url)


def _metadata_of(value: object, metadata_type: type) -> Any:
    if isinstance(value, metadata_type):
        return value
    if isinstance(value, type) or type(value).__name__ == "registry":
        found = getattr(value, "metadata", None)
        return found if isinstance(found, metadata_type) else None
    return None


def _all_mappers() -> list[Any]:
    try:
        from sqlalchemy.orm import mapperlib

        registries = list(getattr(mapperlib, "_mapper_registries", {}))
        return [m for r in registries for m in getattr(r, "mappers", ())]
    except Exception:
        return []


def main(argv: list[str]) -> int:
    fd = int(argv[argv.index(protocol.CHANNEL_ARG) + 1])
    channel = io.TextIOWrapper(os.fdopen(fd, "wb"), encoding="utf-8")
    request: protocol.Request = json.loads(sys.stdin.read())
    sys.stdin = io.StringIO()
    os.chdir(request["root"])
    for path in reversed(request["paths"]):
        sys.path.insert(0, path)
    faulthandler.dump_traceback_later(_TIMEOUT, exit=True)  # a hang: where it hangs, on stderr
    load_env_files(request["env_files"])
    probe = Probe(request, channel)
    guard(probe.folders)
    probe.record_engines()
    result = probe.answer()
    channel.write(protocol.encode(result))
    channel.flush()
    return 0


if __name__ == "__main__":
    sys.stderr.flush()
    os._exit(main(sys.argv))  # threads the app started at import are not waited for
