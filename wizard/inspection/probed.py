"""What the project's interpreter answered, as inspection's own values: each engine's URL
source (a settings field the static reading knows, or a variable, a constant, the engine
object), and the tables with the MetaData env.py targets."""

from __future__ import annotations

import ast
import builtins
import contextlib
from dataclasses import dataclass, replace
from pathlib import Path

from wizard.inspection.models import Metadata, TableDef
from wizard.inspection.ownsync import Candidate, choose, reused
from wizard.inspection.resolve import Resolver
from wizard.inspection.settings import Settings, sync_name
from wizard.inspection.source import SourceKind, UrlSource
from wizard.inspection.sourcevalues import Values
from wizard.probe.protocol import Engine, Expression, Failure, Origin, Table
from wizard.secrets import mask


def failure_note(failure: Failure, rel: Path | None = None) -> str:
    """One line: which module, where, what; and that static reading goes on."""
    where = failure["path"] or ""
    if where and rel is not None:
        with contextlib.suppress(ValueError):  # outside the project: as it is
            where = Path(where).relative_to(rel).as_posix()
    place = f" ({where}:{failure['line']})" if where and failure["line"] else ""
    module = failure["module"] or "the probe"
    what = mask(failure["what"])  # an app's own message may hold its URL
    return (
        f"the project's Python could not import {module}{place}: {what}; "
        "inspection goes on from the source alone"
    )


def tables_of(answer: list[Table]) -> list[TableDef]:
    """The tables the models made, each on the MetaData env.py reaches."""
    found = []
    for table in answer:
        meta = Metadata(table["metadata_module"], table["metadata_name"], table["metadata_expr"])
        name = f"{table['schema']}.{table['name']}" if table["schema"] else table["name"]
        found.append(TableDef(name, table["module"], 1, meta, table["cls"]))
    return found


@dataclass(frozen=True)
class Sources:
    """Each engine's URL source from its origins, the most specific first."""

    settings: tuple[Settings, ...]
    values: Values
    placeheld: bool = False  # the app started on a template's values: URLs are shapes
    filled: frozenset[str] = frozenset()  # variables the probe made up

    @property
    def resolver(self) -> Resolver:
        return self.values.resolver

    def of(self, engine: Engine) -> UrlSource | None:
        """The first origin that names a source; an engine object's URL only after the
        expression that made it when that names one (`make_engine(get_url())`: the helper
        says more), before it when it is a composite (an f-string of a factory's locals)."""
        expression = engine["expression"]
        origins = engine["origins"]
        last = [o for o in origins if o["kind"] == "engine"] if expression else []
        for origin in [o for o in origins if o not in last]:
            found = self._valued(self._origin(origin, engine), engine)
            if found is not None:
                return found
        found = self._expression(expression, engine) if expression else None
        if found is None or found.kind == "expression":
            reached = (self._valued(self._origin(o, engine), engine) for o in last)
            found = next((r for r in reached if r is not None), found)
        return replace(found, imported=engine["imported"]) if found else None

    def _valued(self, found: UrlSource | None, engine: Engine) -> UrlSource | None:
        found = replace(found, imported=engine["imported"]) if found else None
        if found is not None and found.env_key in self.filled:  # a made-up URL: no value
            return replace(found, default=None, shape=None)
        if found is not None and self.placeheld:  # a template's value: its shape only
            kept = found.default if found.kind in ("field", "computed") else None  # code's
            return replace(found, default=kept, shape=found.shape or engine["url"])
        if found is not None:
            return replace(found, default=found.default or engine["url"])
        return None

    def _expression(self, expression: Expression, engine: Engine) -> UrlSource | None:
        """No one place holds the value (`settings.PREFIX + settings.URI` in a function):
        env.py evaluates the same expression on the same module-level names."""
        module = self.resolver.module(expression["module"])
        try:
            node = ast.parse(expression["text"], mode="eval").body
        except SyntaxError:
            return None
        names = sorted({n.id for n in ast.walk(node) if isinstance(n, ast.Name)})
        if module is None or not names:
            return None
        given = expression["names"]
        known = module.defined | set(module.imports) | set(given)
        if any(n not in known and n not in dir(builtins) for n in names):
            return None  # a local name: not reachable from env.py
        own = [n for n in names if n in known]
        text = ast.unparse(_Renamed({n: f"app_{n}" for n in own}).visit(node))
        made_up = self.placeheld  # the app ran on made-up or template values: a shape only
        return UrlSource(
            _kind(node),
            f"{module.name}: {expression['text']}",
            None,
            None,
            "DATABASE_URL_SYNC",
            text,
            tuple(f"from {given.get(n, module.name)} import {n} as app_{n}" for n in own),
            default=None if made_up else engine["url"],
            shape=engine["url"] if made_up else None,
            path=Path(expression["path"]),
            line=expression["line"],
        )

    def _origin(self, origin: Origin, engine: Engine) -> UrlSource | None:
        kind = origin["kind"]
        if kind == "settings":
            return self._settings(origin, engine)
        if kind == "environ":
            return self._environ(origin, engine)
        if kind == "object":
            return self._member(origin, engine)
        return self._reached(origin, engine)

    def _member(self, origin: Origin, engine: Engine) -> UrlSource | None:
        """A property or method of a config object (`conf.db.build_url()`): computed, on the
        class that declares it, reached the way the app reaches the object."""
        module, _, cls = origin["cls"].rpartition(".")
        owner_module, _, owner_cls = origin["owner"].rpartition(".")
        known = next((s for s in self.settings if s.label == origin["cls"]), None)
        function = _function(self.resolver, owner_module, owner_cls, origin["field"])
        line = _field_line(self.resolver, owner_module, owner_cls, origin["field"])
        if function is None and (origin["computed"] or line is None):
            return None
        path, called = origin["path"], origin["called"]
        chosen = replace(
            known or _plain(module, cls),
            instance=None if called else origin["name"],
            getter=origin["name"] if called else None,
            access_module=origin["module"],
            attr_prefix="".join(f"{p}." for p in path[:-1]),
            url_field=origin["field"],
            url_computed=origin["computed"],
            url_called=origin["method"],
            url_alias=None,
            url_default=None,
            owner_module=owner_module,
            owner_cls=owner_cls,
        )
        if function is None:  # a plain field its default factory fills from a variable
            assert line is not None
            found = self.values.settings_kind("field", chosen, None, None, line)
            return _variables(found, origin["env_key"], origin["suffix"])
        source = self.values.settings_kind("computed", chosen, None, None, function.lineno)
        return self._own_sync(replace(source, expr=source.expr + origin["suffix"]), origin, engine)

    def _settings(self, origin: Origin, engine: Engine) -> UrlSource | None:
        """A settings instance the app made: the class static reading knows, reached the way
        the app reaches it (`config = get_config()`, `get_settings()`)."""
        label = origin["cls"]
        known = next((s for s in self.settings if s.label == label), None)
        if known is None:
            return self._reached(origin, engine)
        access = replace(
            known,
            instance=None if origin["called"] else origin["name"],
            getter=origin["name"] if origin["called"] else None,
            access_module=origin["module"],
        )
        found = self.values.settings_source(access, origin["path"])
        if found is None:
            return self._reached(origin, engine)
        # a computed URL (a validator puts the field together) has no variable of its own
        key = (origin["env_key"] or found.env_key) if found.kind == "field" else found.env_key
        found = replace(
            found,
            env_key=key if not found.settings or key else found.env_key,
            expr=found.expr + origin["suffix"],
        )
        return self._own_sync(found, origin, engine)

    def _own_sync(self, found: UrlSource, origin: Origin, engine: Engine) -> UrlSource:
        """The app's own sync member as the running app says (its value compared with the
        engine's URL, password masked); one filled by a made-up variable is not the app's."""
        if found.settings is None:
            return found
        candidates = [Candidate(s["name"], s["method"], s["url"]) for s in origin["siblings"]]
        own = choose(found.settings, engine["url"], candidates)
        return reused(found, None if own and own.env_key in self.filled else own)

    def _environ(self, origin: Origin, engine: Engine) -> UrlSource | None:
        module = self.resolver.module(_module_of(self.resolver, engine["path"]) or "")
        if module is None:
            return None
        return self.values.environ(module, origin["env_key"], None, None, engine["line"])

    def _reached(self, origin: Origin, engine: Engine) -> UrlSource:
        """A module-level name (and attributes after it) env.py imports as the app does."""
        kind = origin["kind"]
        alias = "app_engine" if kind == "engine" else "app_url_owner"
        call = "()" if origin["called"] else ""
        expr = alias + call + "".join(f".{p}" for p in origin["path"]) + origin["suffix"]
        if kind == "engine":
            expr += ".url.render_as_string(hide_password=False)"
        label = ".".join([origin["module"], origin["name"] + call, *origin["path"]])
        path = _path(self.resolver, origin["module"]) or Path(engine["path"])
        return UrlSource(
            "engine" if kind == "engine" else "constant",
            label,
            None,
            None,
            sync_name(origin["name"]) if kind == "constant" else "DATABASE_URL_SYNC",
            expr,
            (f"from {origin['module']} import {origin['name']} as {alias}",),
            default=engine["url"],
            path=path,
            line=engine["line"] if path == Path(engine["path"]) else None,
        )


def one_per_variable(found: list[UrlSource]) -> list[UrlSource]:
    """Without the variable read directly (an engine made from `$DATABASE_URL`) that a field
    also reads (a settings field, a config object's field filled from it): the same value,
    and the field is where the app keeps it."""
    fields = {s.env_key for s in found if s.kind == "field" and s.env_key}
    return [s for s in found if s.kind != "environ" or s.env_key not in fields]


def _kind(node: ast.expr) -> SourceKind:
    """What the expression is, as static reading names it: a function's result (`helper`),
    an object's property or method (`computed`: `config.db.dsn()`), else an `expression`."""
    called = node.func if isinstance(node, ast.Call) else None
    if isinstance(called, ast.Name):
        return "helper"
    if isinstance(called or node, ast.Attribute):
        return "computed"
    return "expression"


def _function(resolver: Resolver, module: str, cls: str, name: str) -> ast.FunctionDef | None:
    """The method `name` of the class `cls` as written."""
    found = resolver.class_def((module, cls))
    body = found[1].body if found else []
    return next((n for n in body if isinstance(n, ast.FunctionDef) and n.name == name), None)


def _variables(found: UrlSource, key: str, suffix: str) -> UrlSource:
    """A plain class's field filled from the variable `key`: env.py reads the field, and the
    sync URL from `key`'s sync twin (the class reads no other variable, so it gets no sync
    field)."""
    expr = found.expr + suffix
    return replace(found, settings=None, env_key=key, sync_key=sync_name(key), expr=expr)


def _field_line(resolver: Resolver, module: str, cls: str, name: str) -> int | None:
    """The line of the annotated field `name` of the class `cls` as written."""
    found = resolver.class_def((module, cls))
    for node in found[1].body if found else []:
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == name:
            return node.lineno
    return None


def _plain(module: str, cls: str) -> Settings:
    """A plain config class (a dataclass, any object): no variables, no env files of its own."""
    return Settings(module, cls, 1, None, None, None, None, "", (), False, None, None, ())


def _module_of(resolver: Resolver, path: str) -> str | None:
    for module in resolver.tree.modules.values():
        if str(module.path) == path:
            return module.name
    return None


def _path(resolver: Resolver, name: str) -> Path | None:
    module = resolver.module(name)
    return module.path if module else None


class _Renamed(ast.NodeTransformer):
    def __init__(self, names: dict[str, str]) -> None:
        self.names = names

    def visit_Name(self, node: ast.Name) -> ast.Name:
        return ast.Name(self.names.get(node.id, node.id), node.ctx)


def filled_note(names: list[str]) -> str:
    """The app could start only with variables the shell lacks: said, as they are needed."""
    shown = ", ".join(dict.fromkeys(names))
    return (
        f"the app starts only with {shown} set: the project's Python was given made-up values "
        "to see where its URL comes from (nothing was written)"
    )


def printed_note(modules: list[str]) -> str:
    """Modules that print at import: harmless (the answer has its own pipe), but said."""
    return f"{', '.join(modules)} printed to stdout when imported (kept out of the answer)"
