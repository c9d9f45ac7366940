"""Run inside the PROJECT's interpreter (`runner.py`: `protocol.command`, `--channel-fd N`),
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
from typing import Any, NoReturn

from . import protocol
from .carried import attribute_values
from .lookup import (
    a_provider,
    accessor,
    attributes,
    call_quietly,
    engine_url,
    first_each,
    fresh_settings,
    is_cached_getter,
    is_settings,
    module_rank,
    origin,
    settings_facts,
    siblings,
    url_text,
)
from .members import expression_member
from .missing import missing
from .sandbox import (
    Refused,
    guard,
    inside,
    load_env_files,
    quiet_log_files,
    set_unless_set,
)
from .tables import Tables

_TIMEOUT = float(os.environ.get("ALEMBIC_WIZARD_PROBE_TIMEOUT", "30"))


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
        self.filled: list[str] = []  # variables made up so that the app could start
        self.ours = set(request["placeholders"])  # set by the probe: may be set again

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
        return inside(filename, self.folders) and "site-packages" not in filename

    def load(self, name: str) -> Any:
        """Import one module; a failure (or `sys.exit`, or a refused act) is recorded."""
        if name in sys.modules:
            return sys.modules[name]
        self.channel.write(protocol.encode({"importing": name}))
        self.channel.flush()
        captured, sys.stdout = sys.stdout, io.StringIO()
        try:
            return self._import(name)
        except BaseException as exc:  # SystemExit too: the app's `sys.exit` at import
            self.failures.append(self._failure(name, exc))
            return None
        finally:
            if isinstance(sys.stdout, io.StringIO) and sys.stdout.getvalue():
                self.printed.append(name)
            sys.stdout = captured

    def _import(self, name: str) -> Any:
        return self._made_up(lambda: importlib.import_module(name))

    def _made_up(self, run: Callable[[], Any]) -> Any:
        """`run()`; a variable the app requires and the shell lacks is made up (and said in
        the answer) and `run` tried again, a few times at most."""
        for _ in range(8):
            try:
                return run()
            except Exception as exc:
                needed = missing(exc, self.ours)
                if not needed:
                    raise
                os.environ.update(needed)
                self.filled += list(needed)
                self.ours |= set(needed)
        return run()

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
        found = [protocol.engine(path, line, url) for url, path, line in self.seen]
        made = {(e["path"], e["line"], e["url"]) for e in found}
        for expression in self.request["expressions"]:
            value = self._evaluate(expression)
            if value is not None:
                path, line = expression["path"], expression["line"]
                imported = (path, line, value) in made
                found.append(protocol.engine(path, line, value, expression, imported))
        unique = {(e["path"], e["line"], e["url"]): e for e in found}
        for engine in unique.values():
            engine["origins"] = self.origins(engine["url"], engine["expression"])
        return list(unique.values())

    def _evaluate(self, expression: protocol.Expression) -> str | None:
        module = self.load(expression["module"])
        if module is None:
            return None
        namespace = dict(vars(module))
        for name, source in expression["names"].items():
            owner = self.load(source)
            if owner is None or not hasattr(owner, name):
                return None
            namespace[name] = getattr(owner, name)
        try:
            code = compile(expression["text"], expression["path"], "eval")
            value = self._made_up(lambda: eval(code, namespace))  # noqa: S307 (the app's own)
            if a_provider(value):  # a DI container's, lazily (asked first: a provided
                value = value()  # attribute answers any attribute, `get_secret_value` too)
            return url_text(value)
        except Exception as exc:
            self.failures.append(self._failure(expression["module"], exc))
            return None

    def origins(
        self, url: str, expression: protocol.Expression | None = None
    ) -> list[protocol.Origin]:
        """Where `url` lives: settings first (and a config object's field filled from a
        variable), then the environment, the config object's member the expression reads,
        constants, engines."""
        settings: list[protocol.Origin] = []
        constants: list[protocol.Origin] = []
        engines: list[protocol.Origin] = []
        for module_name, module in sorted(self.project_modules(), key=module_rank):
            for name, value in list(vars(module).items()):
                if name.startswith("__"):
                    continue
                if isinstance(value, str):
                    if value == url:
                        constants.append(origin("constant", module_name, name))
                elif is_settings(value):
                    settings += self._in_settings(value, url, module_name, name, False)
                elif is_cached_getter(value, name):
                    got = call_quietly(value)
                    if is_settings(got):
                        settings += self._in_settings(got, url, module_name, name, True)
                elif engine_url(value) == url:
                    engines.append(origin("engine", module_name, name))
        if not settings:  # made inside a DI container or a function: a fresh one says it
            for module_name, module in sorted(self.project_modules(), key=module_rank):
                for name, fresh in fresh_settings(module):
                    settings += self._in_settings(fresh, url, module_name, name, True)
        environ = [origin("environ", "", "", env_key=k) for k, v in os.environ.items() if v == url]
        member = expression_member(expression, self.project_modules, self._is_project_file)
        fields = [m for m in member if not m["computed"]]  # a field that reads the variable
        member = [m for m in member if m["computed"]]
        found = first_each(settings) + fields + environ + member
        return found + first_each(constants) + first_each(engines)

    def _in_settings(
        self, obj: Any, url: str, module: str, name: str, called: bool
    ) -> list[protocol.Origin]:
        found: list[protocol.Origin] = []
        for path, value, computed in attributes(obj, depth=2):
            if url_text(value) != url:
                continue
            found_here = origin("settings", module, name, called=called, path=path)
            found_here.update(settings_facts(obj, path, computed))  # type: ignore[typeddict-item]
            found_here["suffix"] = accessor(value)
            holder = getattr(obj, path[0]) if len(path) > 1 else obj
            found_here["siblings"] = siblings(holder, path[-1])
            found.append(found_here)
        return found

    def tables(self) -> list[protocol.Table]:
        for name in self.request["model_modules"]:
            self.load(name)
        return Tables(self.project_modules, self._is_project_file).tables()

    def attributes(self) -> list[protocol.Attribute]:
        """What the app's objects hold under the names asked (read after every import)."""
        for name in self.request.get("object_modules", []):
            self.load(name)
        return attribute_values(
            sorted(self.project_modules(), key=module_rank), self.request["attributes"]
        )

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
            "filled": self.filled,
            "attributes": self.attributes() if self.request.get("attributes") else [],
        }


def _real_file(name: str) -> bool:
    return not name.startswith("<") and "importlib._bootstrap" not in name


def _run(argv: list[str]) -> int:
    fd = int(argv[argv.index(protocol.CHANNEL_ARG) + 1])
    channel = io.TextIOWrapper(os.fdopen(fd, "wb"), encoding="utf-8")
    request: protocol.Request = json.loads(sys.stdin.read())
    sys.stdin = io.StringIO()
    os.chdir(request["root"])
    for path in reversed(request["paths"]):
        sys.path.insert(0, path)
    faulthandler.dump_traceback_later(_TIMEOUT, exit=True)  # a hang: where it hangs, on stderr
    load_env_files(request["env_files"])
    set_unless_set(request["placeholders"])
    probe = Probe(request, channel)
    quiet_log_files()
    guard(probe.folders)
    probe.record_engines()
    result = probe.answer()
    channel.write(protocol.encode(result))
    channel.flush()
    return 0


def main() -> NoReturn:
    """The process: the answer, then exit at once (threads the app started at import are
    not waited for)."""
    status = _run(sys.argv)
    sys.stderr.flush()
    os._exit(status)
