"""Where the app's async URL comes from, found by following each async engine's URL
argument back to its source: a settings field (of any name, or of a nested model), a
property that assembles it from parts, `os.getenv`/`os.environ`/`config("X")`, a helper
function, or a literal."""

from __future__ import annotations

import ast
from dataclasses import dataclass, replace

from wizard.inspection.engines import EngineCall
from wizard.inspection.evaluate import ACCESSORS
from wizard.inspection.resolve import Resolver
from wizard.inspection.scan import Module, bound_value, name_of
from wizard.inspection.settings import Settings, describe_class
from wizard.inspection.source import UrlSource
from wizard.inspection.sourcevalues import PLACEHOLDER, Values

_ENV_CALLS = {"getenv", "get", "config", "env", "str"}


def _unwrap(node: ast.expr) -> tuple[ast.expr, str]:
    """`str(X)`, `f"{X}"`, `X.get_secret_value()` -> X, and the accessor calls env.py must
    keep to get a string, not a masked `SecretStr` (`.get_secret_value()`)."""
    suffix = ""
    while True:
        func = node.func if isinstance(node, ast.Call) else None
        if isinstance(node, ast.Call) and not node.args and isinstance(func, ast.Attribute):
            if func.attr not in ACCESSORS:
                return node, suffix
            keywords = ", ".join(ast.unparse(k) for k in node.keywords)
            suffix = f".{func.attr}({keywords})" + suffix
            node = func.value
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "str" and node.args:
            node = node.args[0]
        elif isinstance(node, ast.JoinedStr) and len(node.values) == 1:
            inner = node.values[0]
            if not isinstance(inner, ast.FormattedValue):
                return node, suffix
            node = inner.value
        else:
            return node, suffix


def env_call(node: ast.expr) -> tuple[str, ast.expr | None] | None:
    """`os.getenv("K", d)`, `os.environ.get("K")`, `os.environ["K"]`, `config("K", default=d)`
    -> (K, d)."""
    if isinstance(node, ast.Subscript) and ast.unparse(node.value).endswith("environ"):
        key = node.slice
        return (
            (key.value, None)
            if isinstance(key, ast.Constant) and isinstance(key.value, str)
            else None
        )
    if not isinstance(node, ast.Call) or not node.args:
        return None
    func = node.func
    name = name_of(func)
    if name not in _ENV_CALLS or (name == "get" and not ast.unparse(func).endswith("environ.get")):
        return None
    key = node.args[0]
    if not isinstance(key, ast.Constant) or not isinstance(key.value, str):
        return None
    default = node.args[1] if len(node.args) > 1 else None
    default = next((k.value for k in node.keywords if k.arg == "default"), default)
    return key.value, default


@dataclass
class SourceFinder:
    """Follows URL expressions through the project's modules."""

    resolver: Resolver
    settings: tuple[Settings, ...]
    values: Values

    def of(self, engine: EngineCall) -> UrlSource | None:
        """The source of one engine's URL, or None when it cannot be followed."""
        if engine.url is None:
            return None
        found = self._wrapped(engine.module, engine.url, engine.local, engine.line, 0)
        if found is None and engine.name:  # an expression of its own: its shape, if any
            found = self.values.put_together(engine.module, engine.url, engine.line)
        if found is None or not engine.name or found.kind not in ("literal", "environ", "engine"):
            return found
        if found.imports:  # the app's own variable: its defaults and dotenv loading come along
            return found
        # written in the engine call itself: env.py asks the app's engine for its URL
        return replace(
            found,
            expr="app_engine.url.render_as_string(hide_password=False)",
            imports=(f"from {engine.module.name} import {engine.name} as app_engine",),
        )

    def _wrapped(
        self, module: Module, node: ast.expr, local: dict[str, ast.expr], line: int, depth: int
    ) -> UrlSource | None:
        """Follow `str(X)`/`X.get_secret_value()` to X; env.py keeps the accessor calls."""
        inner, suffix = _unwrap(node)
        found = self._follow(module, inner, local, line, depth)
        if found is None or not suffix or found.kind in ("literal", "environ"):
            return found
        return replace(found, expr=found.expr + suffix)

    def _follow(
        self, module: Module, node: ast.expr, local: dict[str, ast.expr], line: int, depth: int
    ) -> UrlSource | None:
        if depth > 8:
            return None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return self.values.literal(module, node.value, line)
        found = env_call(node)
        if found is not None:
            return self.values.environ(module, found[0], found[1], None, line)
        if isinstance(node, ast.Name) and node.id in local:
            return self._wrapped(module, local[node.id], {}, line, depth + 1)
        if isinstance(node, ast.Name):
            return self._name(module, node.id, line, depth)
        if isinstance(node, ast.Attribute):
            found_in_settings = self._attribute(module, node, local)
            target = self.resolver.expr(module, node) if found_in_settings is None else None
            if target is not None and ":" not in target[0]:  # `config.DATABASE_URL`, a module's
                return self._symbol(target[0], target[1], line, depth + 1)
            return found_in_settings
        if isinstance(node, ast.Call) and not node.args and not node.keywords:
            return self._helper(module, node)
        return None

    def _name(self, module: Module, name: str, line: int, depth: int) -> UrlSource | None:
        """A module-level name: `DATABASE_URL = os.getenv(...)`, a literal, another name."""
        return self._symbol(*self.resolver.symbol(module, name), line, depth)

    def _symbol(self, where: str, attr: str, line: int, depth: int) -> UrlSource | None:
        owner = self.resolver.module(where)
        value = _assigned(owner, attr) if owner else None
        if owner is None or value is None:
            return None
        found = env_call(_unwrap(value)[0])
        if found is not None:
            return self.values.environ(owner, found[0], found[1], attr, line)
        return self._wrapped(owner, value, {}, line, depth + 1)

    def _attribute(
        self, module: Module, node: ast.Attribute, local: dict[str, ast.expr]
    ) -> UrlSource | None:
        """`settings.X`, `settings.db.url`, `get_settings().X`, `Settings().X`,
        `config.settings.X` (a module's instance)."""
        chain: list[ast.expr] = [node]
        while isinstance(chain[0], ast.Attribute):
            chain.insert(0, chain[0].value)
        root = chain[0]
        if isinstance(root, ast.Name) and root.id in local:
            chain[0] = local[root.id]
        for at, owner in enumerate(chain[:-1]):  # the shortest prefix that is the settings
            settings = self.settings_of(module, owner)
            if settings is not None:
                path = [n.attr for n in chain[at + 1 :] if isinstance(n, ast.Attribute)]
                return self.values.settings_source(settings, path)
        return None

    def settings_of(self, module: Module, root: ast.expr) -> Settings | None:
        """The settings class whose instance `root` is (a name, a getter or a class call)."""
        call = isinstance(root, ast.Call)
        target = self.resolver.expr(module, root.func if isinstance(root, ast.Call) else root)
        if target is None:
            return None
        for settings in self.settings:
            if settings.module != target[0]:
                continue
            if (call and target[1] in (settings.getter, settings.cls)) or (
                not call and target[1] == settings.instance
            ):
                return settings
        return self._unseen_settings(target, call)

    def _unseen_settings(self, target: tuple[str, str], call: bool) -> Settings | None:
        """`Cls()` or `x = Cls()` for a settings class inspection had not parsed."""
        owner = self.resolver.module(target[0])
        if owner is None:
            return None
        if not call:  # an instance: `name = Cls()` in its module
            value = _assigned(owner, target[1])
            if not isinstance(value, ast.Call):
                return None
            target = self.resolver.expr(owner, value.func) or ("", "")
            owner = self.resolver.module(target[0]) or owner
        found = self.resolver.class_def(target)
        settings = describe_class(self.resolver, *found) if found else None
        if settings is None:
            return None
        self.settings = (*self.settings, settings)  # env.py reaches it the same way
        return settings

    def _helper(self, module: Module, node: ast.Call) -> UrlSource | None:
        """`get_database_url()`: a project function env.py can call the same way."""
        target = self.resolver.expr(module, node.func)
        owner = self.resolver.module(target[0]) if target else None
        function = _function(owner, target[1]) if owner and target else None
        if owner is None or function is None or function.args.args:
            return None
        return self.values.helper(owner, function, self.settings_of)


def _assigned(module: Module, name: str) -> ast.expr | None:
    """The value a module-level statement binds `name` to."""
    found = (bound_value(node, name) for node in module.tree.body)
    return next((value for value in found if value is not None), None)


def _function(module: Module, name: str) -> ast.FunctionDef | None:
    for node in module.tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return node
    return None


def urlish(text: str) -> bool:
    """A database URL, not a part of one (`user:pw@host/db` put after a prefix elsewhere)."""
    return "://" in text or text.startswith("sqlite:")


def _a_part(source: UrlSource) -> bool:
    """`POSTGRES_URI = f"{USER}:{PW}@{HOST}/{DB}"`: a value that is no URL (put after a
    prefix elsewhere), not merely unknown (`f"{X}"`) or empty."""
    text = source.default if source.default is not None else source.shape
    return bool(text) and text != PLACEHOLDER and not urlish(text or "")


def static_sources(
    values: Values, settings: list[Settings], engines: list[EngineCall]
) -> tuple[list[UrlSource], bool]:
    """Each engine's URL source; without one that can be followed, the settings fields whose
    names say they hold the database URL."""
    finder = SourceFinder(values.resolver, tuple(settings), values)
    found = [source for engine in engines if (source := finder.of(engine)) is not None]
    followed = bool(found)
    if not found:
        named = [s for s in settings if s.url_field]
        found = [x for s in named if (x := values.settings_source(s, [s.url_field or ""]))]
        found = [s for s in found if not _a_part(s)]
    return list({s.label: s for s in found}.values()), followed
