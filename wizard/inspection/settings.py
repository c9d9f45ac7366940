"""Find the settings class that holds the database URL, statically."""

from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass
from pathlib import Path

from wizard.inspection.fields import (
    Field,
    alias,
    annotated,
    assembled,
    default,
    field_of,
    properties_of,
)
from wizard.inspection.paths import PathValue, path_value
from wizard.inspection.resolve import Resolver
from wizard.inspection.scan import Module, bound_value

_URL_NAME = re.compile(
    r"^(async_)?(sqlalchemy_)?(database|db|postgres|pg|sql|mysql|sqlite)(_async)?_(url|uri|dsn)$"
    r"|^(dsn|sqlalchemy_url)$",
    re.IGNORECASE,
)


def sync_name(name: str) -> str:
    """`DATABASE_URL` -> `DATABASE_URL_SYNC`, `db_url` -> `db_url_sync`: the name's own style."""
    return name + ("_SYNC" if name.isupper() else "_sync")


@dataclass(frozen=True)
class OwnSync:
    """The app's own sync URL member beside its async one, for the same database: env.py
    reads it, and nothing new is written (`SYNC_DATABASE_URL`, `sync_url()`)."""

    name: str
    driver: str  # as its URL names it; "": the dialect's default driver
    called: bool = False  # a method env.py calls
    env_key: str | None = None  # a field: the variable that fills it


@dataclass(frozen=True)
class Settings:
    """A pydantic-settings class and what env.py needs to reach its URL."""

    module: str
    cls: str
    line: int
    url_field: str | None
    url_field_line: int | None
    url_alias: str | None
    url_default: str | None  # a literal default of the URL field
    env_prefix: str
    env_files: tuple[str, ...]
    case_sensitive: bool
    instance: str | None  # `settings` for `settings = Settings()`
    getter: str | None  # `get_settings` for a function returning Settings()
    field_names: tuple[str, ...]  # inherited ones included
    owner_module: str = ""  # the class that declares the URL field (where the sync one goes)
    owner_cls: str = ""
    ancestors: tuple[str, ...] = ()  # labels of the project settings classes it inherits
    fields: tuple[Field, ...] = ()  # every annotated field, inherited ones included
    properties: tuple[str, ...] = ()  # @property / @computed_field / cached_property names
    nested_delimiter: str = ""  # env_nested_delimiter
    pydantic_v1: bool = False  # `pydantic.BaseSettings`: cannot import under pydantic 2
    url_computed: bool = False  # the URL is a property that assembles it, not a field
    attr_prefix: str = ""  # `db.` when the URL is a field of a model nested in the settings
    access_module: str = ""  # where env.py imports `instance`/`getter` from, when not `module`
    assembled: tuple[str, ...] = ()  # fields a validator puts together from other fields
    url_called: bool = False  # the URL is a method env.py calls (`build_url()`)
    own_sync: OwnSync | None = None  # the app's own sync member, reused

    @property
    def env_key(self) -> str | None:
        """The environment variable that fills the URL field."""
        if self.url_field is None:
            return None
        if self.url_computed:
            return None
        if self.url_alias:
            return self.url_alias
        key = self.env_prefix + self.url_field
        return key if self.case_sensitive else key.upper()

    @property
    def sync_field(self) -> str | None:
        """The sync URL member's name: the app's own, else the URL field's in its style."""
        if self.own_sync is not None:
            return self.own_sync.name
        return sync_name(self.url_field) if self.url_field else None

    @property
    def sync_env_key(self) -> str | None:
        """The environment variable for the sync field, which has no alias: its own name
        (a `DB_URL_SYNC` beside an aliased `DB_URL` would be an unknown key to the app); the
        app's own sync member's, if a field fills it."""
        if self.own_sync is not None:
            return self.own_sync.env_key
        if self.sync_field is None:
            return None
        key = self.env_prefix + self.sync_field
        return key if self.case_sensitive else key.upper()

    @property
    def label(self) -> str:
        return f"{self.module}.{self.cls}"


def _settings_base(
    resolver: Resolver, module: Module, cls: ast.ClassDef, depth: int = 0
) -> str | None:
    """The module `BaseSettings` comes from (`pydantic_settings`, or `pydantic` for v1), or
    None when the class is not a settings class."""
    if depth > 10:
        return None
    for base in cls.bases:
        target = resolver.expr(module, base)
        if target is None:
            continue
        if target[1] == "BaseSettings" and target[0].startswith(("pydantic", "pydantic_settings")):
            return target[0]
        parent = resolver.class_def(target)
        found = _settings_base(resolver, parent[0], parent[1], depth + 1) if parent else None
        if found:
            return found
    return None


def _is_settings(resolver: Resolver, module: Module, cls: ast.ClassDef) -> bool:
    return _settings_base(resolver, module, cls) is not None


def _const(node: ast.expr | None) -> object:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Tuple | ast.List):
        return tuple(_const(e) for e in node.elts)
    return None


def _config(cls: ast.ClassDef) -> dict[str, object]:
    return {k: _const(v) for k, v in _config_nodes(cls).items()}


def _config_nodes(cls: ast.ClassDef) -> dict[str, ast.expr]:
    """`model_config = SettingsConfigDict(...)` / `{...}` or the inner `class Config:`."""
    found: dict[str, ast.expr] = {}
    for node in cls.body:
        if isinstance(node, ast.ClassDef) and node.name == "Config":
            for stmt in node.body:
                if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
                    found[stmt.targets[0].id] = stmt.value
        value = bound_value(node, "model_config")
        if isinstance(value, ast.Call):
            found.update({k.arg: k.value for k in value.keywords if k.arg})
        elif isinstance(value, ast.Dict):
            for k, v in zip(value.keys, value.values, strict=True):
                if isinstance(k, ast.Constant) and isinstance(k.value, str):
                    found[k.value] = v
    return found


def _env_files(
    resolver: Resolver, lineage: list[tuple[Module, ast.ClassDef]], root: Path
) -> tuple[str, ...]:
    """The `env_file` of the nearest class that sets one, relative to `root`: a literal, or
    a path the app builds (`BASE_DIR / ".env"`, a constant of another module)."""
    for module, cls in reversed(lineage):
        node = _config_nodes(cls).get("env_file")
        if node is None:
            continue
        nodes = node.elts if isinstance(node, ast.Tuple | ast.List) else [node]
        values = [path_value(resolver, module, n) for n in nodes]
        return tuple(_relative(v, root) for v in values if v)
    return ()


def _relative(value: PathValue, root: Path) -> str:
    return os.path.relpath(value, root) if isinstance(value, Path) else value


def _url_field(fields: list[ast.AnnAssign]) -> ast.AnnAssign | None:
    for field in fields:
        assert isinstance(field.target, ast.Name)
        if _URL_NAME.match(field.target.id):
            return field
    for field in fields:  # a DSN type under another name
        if "Dsn" in ast.unparse(field.annotation):
            return field
    return None


def _calls(value: ast.expr | None, name: str) -> bool:
    return isinstance(value, ast.Call) and getattr(value.func, "id", None) == name


def _instance(module: Module, cls_name: str) -> tuple[str | None, str | None]:
    instance = getter = None
    for node in module.tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and _calls(node.value, cls_name):
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            if isinstance(target, ast.Name) and instance is None:
                instance = target.id
        if isinstance(node, ast.FunctionDef) and not node.args.args:
            for sub in ast.walk(node):
                if (
                    isinstance(sub, ast.Return)
                    and isinstance(sub.value, ast.Call)
                    and getattr(sub.value.func, "id", None) == cls_name
                ):
                    getter = getter or node.name
    return instance, getter


def describe_class(resolver: Resolver, module: Module, cls: ast.ClassDef) -> Settings | None:
    """A settings class the byte prefilter did not see (its file never says `Settings`); its
    env files are named relative to the project's top (they were looked for already)."""
    return (
        _describe(resolver, module, cls, resolver.tree.top)
        if _is_settings(resolver, module, cls)
        else None
    )


def find_settings(resolver: Resolver, root: Path) -> list[Settings]:
    """Every settings class, the most useful first: with a URL field, used by the app (an
    instance or a getter), and not merely the base of another one. `root`: where the app
    (and Alembic) runs, which its env files are named relative to."""
    found: list[Settings] = []
    for module in sorted(resolver.tree.modules.values(), key=lambda m: m.name):
        with resolver.tree.noting(module):
            found += [
                _describe(resolver, module, node, root)
                for node in module.tree.body
                if isinstance(node, ast.ClassDef) and _is_settings(resolver, module, node)
            ]
    bases = {label for s in found for label in s.ancestors}
    return sorted(
        found,
        key=lambda s: (s.url_field is None, s.label in bases, not (s.instance or s.getter)),
    )


def _lineage(
    resolver: Resolver, module: Module, cls: ast.ClassDef
) -> list[tuple[Module, ast.ClassDef]]:
    """The project's settings classes this one inherits from, farthest first, then itself."""
    chain: list[tuple[Module, ast.ClassDef]] = []
    for base in cls.bases:
        target = resolver.expr(module, base)
        parent = resolver.class_def(target) if target else None
        if parent and parent[1] is not cls and len(chain) < 20:
            chain += [c for c in _lineage(resolver, *parent) if c not in chain]
    return [*chain, (module, cls)]


def _describe(resolver: Resolver, module: Module, cls: ast.ClassDef, root: Path) -> Settings:
    lineage = _lineage(resolver, module, cls)
    config: dict[str, object] = {}
    fields: list[tuple[Module, ast.ClassDef, ast.AnnAssign]] = []
    for owner_module, owner in lineage:  # a subclass overrides its bases
        config.update(_config(owner))
        fields += [(owner_module, owner, f) for f in annotated(owner)]
    url = _url_field([f for _, _, f in fields])
    owner_module, owner, field = next(
        ((m, c, f) for m, c, f in fields if f is url), (module, cls, None)
    )
    files = _env_files(resolver, lineage, root)
    instance, getter = _instance(module, cls.name)
    return Settings(
        module=module.name,
        cls=cls.name,
        line=cls.lineno,
        url_field=field.target.id if field and isinstance(field.target, ast.Name) else None,
        url_field_line=field.lineno if field else None,
        url_alias=alias(field) if field else None,
        url_default=default(field) if field else None,
        env_prefix=str(config.get("env_prefix") or ""),
        env_files=files,
        case_sensitive=bool(config.get("case_sensitive", False)),
        instance=instance,
        getter=getter,
        field_names=tuple(f.target.id for _, _, f in fields if isinstance(f.target, ast.Name)),
        owner_module=owner_module.name,
        owner_cls=owner.name,
        ancestors=tuple(f"{m.name}.{c.name}" for m, c in lineage[:-1]),
        fields=tuple(field_of(f, m.name, c.name) for m, c, f in fields),
        properties=tuple(p for _, c in lineage for p in properties_of(c)),
        assembled=tuple(a for _, c in lineage for a in assembled(c)),
        nested_delimiter=str(config.get("env_nested_delimiter") or ""),
        pydantic_v1=not (_settings_base(resolver, module, cls) or "").startswith(
            "pydantic_settings"
        ),
    )
