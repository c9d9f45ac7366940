"""Build each kind of URL source with what the code and the env files say of its value."""

from __future__ import annotations

import ast
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from wizard.inspection import ownsync
from wizard.inspection.evaluate import Scope, evaluate, evaluate_body
from wizard.inspection.fields import Field, assembled, model_fields, properties_of
from wizard.inspection.resolve import Resolver
from wizard.inspection.scan import Module
from wizard.inspection.settings import Settings, sync_name
from wizard.inspection.source import UrlSource

PLACEHOLDER = "0"  # an unknown part: `postgresql+asyncpg://0:0@0:0/0` still has a dialect


def settings_access(settings: Settings) -> tuple[tuple[str, ...], str]:
    """The import and the set-up statement that give env.py `app_settings`."""
    module = settings.access_module or settings.module
    if settings.instance:
        return (f"from {module} import {settings.instance} as app_settings",), ""
    factory = settings.getter or settings.cls
    return (f"from {module} import {factory}",), f"app_settings = {factory}()\n\n"


@dataclass
class Values:
    """What the env files and the code say; builds sources from it."""

    resolver: Resolver
    env: Mapping[str, str]  # every non-example env file's bindings, later files winning

    def lookup(self, key: str, case_sensitive: bool) -> str | None:
        if case_sensitive:
            return self.env.get(key)
        return next((v for k, v in self.env.items() if k.lower() == key.lower()), None)

    def literal(self, module: Module, text: str, line: int) -> UrlSource:
        return UrlSource(
            "literal",
            f"the URL written in {module.name} (line {line})",
            None,
            "DATABASE_URL",
            "DATABASE_URL_SYNC",
            'os.environ["DATABASE_URL"]',
            default=text,
            default_is_literal=True,
            shape=text,
            path=module.path,
            line=line,
        )

    def environ(
        self, module: Module, key: str, default: ast.expr | None, name: str | None, line: int
    ) -> UrlSource:
        """`os.getenv("K")` & co.; `name`: the module-level variable that holds it."""
        text = default.value if isinstance(default, ast.Constant) else None
        value = text if isinstance(text, str) else None
        imports: tuple[str, ...] = ()
        expr = f"os.environ[{json.dumps(key)}]"
        if name:  # env.py imports the app's own variable: same defaults, same dotenv loading
            imports, expr = (
                (f"from {module.name} import {name} as app_database_url",),
                ("app_database_url"),
            )
        label = f"{module.name}.{name} (${key})" if name else f"${key} ({module.name})"
        return UrlSource(
            "environ",
            label,
            None,
            key,
            sync_name(key),
            expr,
            imports,
            default=value,
            default_is_literal=value is not None,
            shape=value,
            path=module.path,
            line=line,
        )

    def put_together(self, module: Module, node: ast.expr, line: int) -> UrlSource | None:
        """`create_async_engine(f"postgresql+asyncpg://{USER}:{PW}@...")`: env.py asks the
        app's engine; the wizard knows the URL's shape when the literal parts name a driver."""
        scope = Scope(lambda _: PLACEHOLDER, lambda _: False, {}, PLACEHOLDER)
        shape = evaluate(node, scope)
        if not isinstance(shape, str) or "://" not in shape:
            return None
        return UrlSource(
            "engine",
            f"the URL put together in {module.name} (line {line})",
            None,
            None,
            "DATABASE_URL_SYNC",
            "",
            shape=shape,
            path=module.path,
            line=line,
        )

    def helper(
        self,
        module: Module,
        function: ast.FunctionDef,
        settings_of: Callable[[Module, ast.expr], Settings | None],
    ) -> UrlSource:
        """`get_database_url()`: env.py calls it; its value is evaluated where possible."""
        found: list[Settings] = []

        def is_owner(node: ast.expr) -> bool:
            owner = settings_of(module, node) if isinstance(node, ast.Call | ast.Name) else None
            found.extend([owner] if owner else [])
            return owner is not None

        def run(fallback: str | None) -> object:
            def attribute(name: str) -> str | None:
                return self.field_value(found[-1], name, fallback) if found else fallback

            return evaluate_body(function, Scope(attribute, is_owner, {}, fallback))

        value, shape = run(None), run(PLACEHOLDER)
        return UrlSource(
            "helper",
            f"{module.name}.{function.name}()",
            None,
            None,
            "DATABASE_URL_SYNC",
            f"{function.name}()",
            (f"from {module.name} import {function.name}",),
            default=value if isinstance(value, str) else None,
            shape=shape if isinstance(shape, str) else None,
            path=module.path,
            line=function.lineno,
        )

    def settings_source(self, settings: Settings, path: list[str]) -> UrlSource | None:
        """`settings.X` (a field or a property) or `settings.db.url` (a nested model)."""
        first = path[0]
        if len(path) == 1 and first in settings.properties:
            return self._computed(settings, first)
        field = next((f for f in settings.fields if f.name == first), None)
        if field is None or len(path) > 2:
            return None
        alias, from_json = field.alias, None
        if len(path) == 2:
            parent = settings
            computed = self._nested_computed(settings, field, path[1])
            if computed is not None:
                return computed
            nested = self._nested(settings, field, path[1])
            if nested is None:
                return None
            if not parent.nested_delimiter:  # the model comes whole, as JSON in one variable
                from_json = self._json_part(parent, field, nested[1])
            settings, field = nested
            # a nested alias replaces the field's name after the prefix; without a delimiter
            # pydantic-settings reads the whole model as JSON: no variable of its own
            alias = settings.env_prefix + field.alias if field.alias else None
        chosen = replace(
            settings,
            url_field=field.name,
            url_field_line=field.line,
            url_alias=alias,
            url_default=field.default,
            owner_module=field.owner_module,
            owner_cls=field.owner_cls,
            url_computed=bool(settings.attr_prefix)
            and not settings.nested_delimiter
            or field.name in settings.assembled,
        )
        value, shape = (from_json or self._default(chosen, field, f) for f in (None, PLACEHOLDER))
        kind = "computed" if chosen.url_computed else "field"
        source = self.settings_kind(kind, chosen, value, shape, field.line)
        return replace(source, default_is_literal=field.default is not None)

    def settings_kind(
        self, kind: str, settings: Settings, value: str | None, shape: str | None, line: int
    ) -> UrlSource:
        imports, setup = settings_access(settings)
        given = settings  # the app's own sync member, as the code and the env files say
        own = ownsync.from_code(self.resolver, given, lambda n: self.field_value(given, n, None))
        settings = replace(settings, own_sync=own)
        sync = ownsync.sync_key(settings)
        attr = f"{settings.attr_prefix}{settings.url_field}"
        call = "()" if settings.url_called else ""
        return UrlSource(
            "field" if kind == "field" else "computed",
            f"{settings.label}.{attr}",
            settings,
            settings.env_key,
            sync,
            f"app_settings.{attr}{call}",
            imports,
            setup,
            default=value,
            shape=shape,
            path=self._path(settings.owner_module),
            line=line,
            settings_path=self._path(settings.owner_module),
        )

    def _path(self, module: str) -> Path | None:
        found = self.resolver.module(module)
        return found.path if found else None

    def _computed(
        self, settings: Settings, name: str, function: ast.FunctionDef | None = None
    ) -> UrlSource | None:
        """A property (or computed field) of the settings or of a model nested in them."""
        nested = bool(settings.attr_prefix)  # the model's own class, else the settings'
        chosen = replace(
            settings,
            url_field=name,
            url_computed=True,
            url_alias=None,
            url_default=None,
            owner_module=settings.owner_module if nested else settings.module,
            owner_cls=settings.owner_cls if nested else settings.cls,
        )
        function = function or self._property(settings, name)
        if function is None:
            return None
        value, shape = (self._evaluate_method(settings, function, f) for f in (None, PLACEHOLDER))
        return self.settings_kind("computed", chosen, value, shape, function.lineno)

    def _evaluate_method(
        self, settings: Settings, function: ast.FunctionDef, fallback: str | None
    ) -> str | None:
        scope = Scope(
            lambda n: self.field_value(settings, n, fallback),
            lambda node: isinstance(node, ast.Name) and node.id == "self",
            {},
            fallback,
        )
        value = evaluate_body(function, scope)
        return value if isinstance(value, str) else None

    def _property(self, settings: Settings, name: str) -> ast.FunctionDef | None:
        for label in (f"{settings.module}.{settings.cls}", *reversed(settings.ancestors)):
            module, _, cls = label.rpartition(".")
            found = self.resolver.class_def((module, cls))
            for node in found[1].body if found else ():
                if isinstance(node, ast.FunctionDef) and node.name == name:
                    return node
        return None

    def _nested(self, settings: Settings, field: Field, sub: str) -> tuple[Settings, Field] | None:
        """A field of a model nested in the settings (`settings.db.url`)."""
        nested = self._nested_model(settings, field)
        chosen = next((f for f in nested.fields if f.name == sub), None) if nested else None
        return (nested, chosen) if nested and chosen else None

    def _nested_computed(self, settings: Settings, field: Field, sub: str) -> UrlSource | None:
        """A property of a model nested in the settings (`settings.postgres.url`): the model
        is the class a sync sibling goes in."""
        nested = self._nested_model(settings, field)
        if nested is None or sub not in nested.properties:
            return None
        found = self.resolver.class_def((nested.owner_module, nested.owner_cls))
        body = found[1].body if found else []
        function = next((n for n in body if isinstance(n, ast.FunctionDef) and n.name == sub), None)
        return self._computed(nested, sub, function)

    def _nested_model(self, settings: Settings, field: Field) -> Settings | None:
        """The model class a settings field holds, described as settings one level down."""
        owner = self.resolver.module(field.owner_module)
        try:
            annotation = ast.parse(field.annotation, mode="eval").body
        except SyntaxError:
            return None
        target = self.resolver.expr(owner, annotation) if owner else None
        found = self.resolver.class_def(target) if target else None
        if found is None:
            return None
        fields = tuple(model_fields(found[1], found[0].name))
        prefix = settings.env_prefix + field.name + (settings.nested_delimiter or "_")
        return replace(
            settings,
            env_prefix=prefix,
            attr_prefix=f"{field.name}.",
            fields=fields,
            field_names=tuple(f.name for f in fields),
            properties=tuple(properties_of(found[1])),
            assembled=tuple(assembled(found[1])),
            owner_module=found[0].name,
            owner_cls=found[1].name,
        )

    def _json_part(self, settings: Settings, parent: Field, field: Field) -> str | None:
        """`DATABASE={"url": "..."}`: a nested model's field from the JSON pydantic reads."""
        found = self.lookup(
            parent.alias or settings.env_prefix + parent.name, settings.case_sensitive
        )
        try:
            data = json.loads(found) if found else None
        except ValueError:
            return None
        value = data.get(field.alias or field.name) if isinstance(data, dict) else None
        return value if isinstance(value, str) else None

    def _default(self, settings: Settings, field: Field, fallback: str | None) -> str | None:
        if field.default is not None or field.default_expr is None:
            return field.default
        scope = Scope(
            lambda n: self.field_value(settings, n, fallback), lambda _: False, {}, fallback
        )
        value = evaluate(ast.parse(field.default_expr, mode="eval").body, scope)
        return value if isinstance(value, str) else None

    def field_value(self, settings: Settings, name: str, fallback: str | None) -> str | None:
        """A settings attribute's value: the env files, else its default, else a property."""
        field = next((f for f in settings.fields if f.name == name), None)
        if field is None:
            function = self._property(settings, name) if name in settings.properties else None
            return self._evaluate_method(settings, function, fallback) if function else fallback
        key = field.alias or settings.env_prefix + name
        found = self.lookup(key, settings.case_sensitive)
        if found is not None:
            return found
        return field.default if field.default is not None else fallback
