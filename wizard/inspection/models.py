"""Find the tables: declarative classes, SQLModel tables, Core `Table()` objects, and the
MetaData each belongs to. Static only."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from wizard.inspection.resolve import Resolver, Symbol
from wizard.inspection.scan import Module, name_of

_DECLARATIVE_ROOTS = {"DeclarativeBase", "DeclarativeBaseNoMeta"}
_BASE_FACTORIES = {"declarative_base", "generate_base", "registry"}  # registry(): its .metadata
_MAPPED = {"mapped", "mapped_as_dataclass"}  # `@mapper_registry.mapped`
# modules whose classes never name a table (SQLAlchemy's own, the standard library's)
_NOT_LIBRARY_MODELS = ("sqlalchemy", "sqlmodel", "typing", "abc", "enum", "pydantic")


@dataclass(frozen=True)
class Metadata:
    """A MetaData object as env.py will reach it: `from module import name` then `expr`."""

    module: str
    name: str
    expr: str

    @property
    def label(self) -> str:
        return f"{self.module}.{self.expr}"


@dataclass(frozen=True)
class TableDef:
    """A table found in the source."""

    name: str | None  # None when computed at run time (a declared_attr __tablename__)
    module: str
    line: int
    metadata: Metadata
    cls: str | None = None  # the mapped class, None for Core tables
    unparsed: bool = False  # a model module read in outline that shows no table (see recover)


def _external(symbol: Symbol, names: set[str], prefixes: tuple[str, ...]) -> bool:
    mod, name = symbol
    return name in names and mod.startswith(prefixes)


def _literal_str(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _class_attr(cls: ast.ClassDef, attr: str) -> ast.expr | None | bool:
    """The value of `attr` in the class body; True when it is a function (declared_attr)."""
    for node in cls.body:
        if isinstance(node, ast.Assign):
            if any(isinstance(t, ast.Name) and t.id == attr for t in node.targets):
                return node.value
        elif isinstance(node, ast.AnnAssign):
            if isinstance(node.target, ast.Name) and node.target.id == attr:
                return node.value
        elif isinstance(node, ast.FunctionDef) and node.name == attr:
            return True
    return None


@dataclass
class _Finder:
    resolver: Resolver

    @cached_property
    def classes(self) -> dict[Symbol, tuple[Module, ast.ClassDef]]:
        found = {}
        for module in list(self.resolver.tree.modules.values()):
            for node in module.tree.body:
                if isinstance(node, ast.ClassDef):
                    found[(module.name, node.name)] = (module, node)
        return found

    def _class(self, symbol: Symbol, _depth: int = 0) -> tuple[Module, ast.ClassDef] | None:
        """The project class `symbol` names, through aliases (`Base = ModelBase`)."""
        if symbol not in self.classes:
            found = self.resolver.class_def(symbol)
            alias = self.resolver.alias(symbol) if found is None and _depth < 10 else None
            if alias is not None and alias != symbol:
                found = self._class(alias, _depth + 1)
            if found is not None:
                self.classes[symbol] = found
        return self.classes.get(symbol)

    def base_metadata(
        self, symbol: Symbol, _seen: frozenset[Symbol] = frozenset()
    ) -> Metadata | None:
        """The MetaData of the declarative registry that `symbol` belongs to, if any."""
        if symbol in _seen:
            return None
        if _external(symbol, {"SQLModel"}, ("sqlmodel",)):
            return Metadata("sqlmodel", "SQLModel", "SQLModel.metadata")
        factory = self._factory_base(symbol)
        if factory is not None:
            return factory
        found = self._class(symbol)
        if found is None:
            alias = self.resolver.alias(symbol)  # `Model = Base` where `Base = declarative_base()`
            return self.base_metadata(alias, _seen | {symbol}) if alias else None
        module, cls = found
        if _declarative_decorator(cls):
            return Metadata(module.name, cls.name, f"{cls.name}.metadata")
        for base in cls.bases:
            target = self.resolver.expr(module, base)
            if target is None:
                continue
            if _external(target, _DECLARATIVE_ROOTS, ("sqlalchemy",)):
                return Metadata(module.name, cls.name, f"{cls.name}.metadata")
            meta = self.base_metadata(target, _seen | {symbol})
            if meta is not None:
                return meta
        return None

    def _factory_base(self, symbol: Symbol) -> Metadata | None:
        """`Base = declarative_base()` or `Base = registry().generate_base()`."""
        found = self._assigned_call(symbol)
        if found is None:
            return None
        module, call = found
        func = call.func
        name = name_of(func)
        if name in _BASE_FACTORIES:
            return Metadata(module.name, symbol[1], f"{symbol[1]}.metadata")
        return None

    def _assigned_call(self, symbol: Symbol) -> tuple[Module, ast.Call] | None:
        """The call whose result a module-level name is bound to: `name = f(...)`."""
        module = self.resolver.module(symbol[0])
        for node in module.tree.body if module else ():
            if (
                isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == symbol[1] for t in node.targets)
                and isinstance(node.value, ast.Call)
            ):
                assert module is not None
                return module, node.value
        return None

    def lineage(self, symbol: Symbol) -> list[tuple[Module, ast.ClassDef]]:
        """The project classes from `symbol` up through its bases (depth first)."""
        out: list[tuple[Module, ast.ClassDef]] = []
        stack, seen = [symbol], set()
        while stack:
            current = stack.pop()
            found = self._class(current) if current not in seen else None
            seen.add(current)
            if found is None:
                continue
            out.append(found)
            module, cls = found
            for base in reversed(cls.bases):
                target = self.resolver.expr(module, base)
                if target is not None:
                    stack.append(target)
        return out

    def _mapped_by(self, module: Module, cls: ast.ClassDef) -> Metadata | None:
        """`@mapper_registry.mapped` on a plain class: the registry's MetaData."""
        for node in cls.decorator_list:
            func = node.func if isinstance(node, ast.Call) else node
            if isinstance(func, ast.Attribute) and func.attr in _MAPPED:
                target = self.resolver.expr(module, func.value)
                return self.base_metadata(target) if target else None
        return None

    def table_of_class(self, module: Module, cls: ast.ClassDef) -> TableDef | None:
        meta = self._mapped_by(module, cls) or self.base_metadata((module.name, cls.name))
        if meta is None or self.is_declarative_root(module, cls):
            return None
        if meta.module == "sqlmodel":
            if not any(
                k.arg == "table" and getattr(k.value, "value", None) is True for k in cls.keywords
            ):
                return None
            named = _literal_str(_attr_expr(cls, "__tablename__")) or cls.name.lower()
            return TableDef(named, module.name, cls.lineno, meta, cls.name)
        if _literal_true(_class_attr(cls, "__abstract__")):
            return None
        own = _class_attr(cls, "__tablename__")
        if own is not None or _class_attr(cls, "__table__") is not None:
            name = _literal_str(own) if isinstance(own, ast.expr) else None
            return TableDef(name, module.name, cls.lineno, meta, cls.name)
        ancestors = self.lineage((module.name, cls.name))[1:]
        if any(self.table_of_class(m, c) for m, c in ancestors):
            return None  # single-table inheritance: no table of its own
        if self._library_base(module, cls):  # the library's class names the table
            return TableDef(None, module.name, cls.lineno, meta, cls.name)
        if any(_class_attr(c, "__tablename__") is not None for _, c in ancestors):
            return TableDef(None, module.name, cls.lineno, meta, cls.name)
        return None

    def _library_base(self, module: Module, cls: ast.ClassDef) -> bool:
        """A base from an installed library that is not SQLAlchemy's (a FastAPI-Users
        `SQLAlchemyBaseUserTableUUID`): its `__tablename__` is the table's name."""
        for base in cls.bases:
            target = self.resolver.expr(module, base)
            if target is None or self.resolver.module(target[0]) is not None:
                continue
            if target[0] and not target[0].startswith(_NOT_LIBRARY_MODELS):
                return True
        return False

    def is_declarative_root(self, module: Module, cls: ast.ClassDef) -> bool:
        return _declarative_decorator(cls) or any(
            (t := self.resolver.expr(module, b)) is not None
            and _external(t, _DECLARATIVE_ROOTS, ("sqlalchemy",))
            for b in cls.bases
        )

    def core_tables(self, module: Module) -> list[TableDef]:
        found: list[TableDef] = []
        for node in ast.walk(module.tree) if module.names_table else ():
            if not (isinstance(node, ast.Call) and len(node.args) >= 2):
                continue
            if len(node.args) == 2 and not node.keywords:  # Table(name, metadata): a lookup
                continue  # of a table defined elsewhere (`Table(User.__tablename__, meta)`)
            if not _may_be_table(module, node.func):  # before resolving: that loads modules
                continue
            func = self.resolver.expr(module, node.func)
            if func is None or not _external(func, {"Table"}, ("sqlalchemy", "sqlmodel")):
                continue
            meta = self.metadata_expr(module, node.args[1])
            if meta is not None:
                found.append(TableDef(_literal_str(node.args[0]), module.name, node.lineno, meta))
        return found

    def unread(self, module: Module, found: list[TableDef]) -> list[TableDef]:
        """A model module whose classes could not be read: listed from its name, on the
        metadata that its imports name (else the one found elsewhere), so that env.py imports
        it and verification compares what it defines."""
        metas = (self.base_metadata(self.resolver.symbol(module, name)) for name in module.imports)
        meta = next(filter(None, metas), None) or (found[0].metadata if found else None)
        return [TableDef(None, module.name, 1, meta, unparsed=True)] if meta else []

    def metadata_expr(self, module: Module, node: ast.expr) -> Metadata | None:
        """`Base.metadata`, `SQLModel.metadata` or a name bound to `MetaData()`."""
        if isinstance(node, ast.Attribute) and node.attr == "metadata":
            owner = self.resolver.expr(module, node.value)
            return self.base_metadata(owner) if owner else None
        target = self.resolver.expr(module, node)
        found = self._assigned_call(target) if target else None
        if target is None or found is None:
            return None
        source, call = found
        func = self.resolver.expr(source, call.func)
        if func and _external(func, {"MetaData"}, ("sqlalchemy", "sqlmodel")):
            return Metadata(source.name, target[1], target[1])
        return None


def _declarative_decorator(cls: ast.ClassDef) -> bool:
    """`@as_declarative()` or `@mapper_registry.as_declarative_base()`: a declarative base."""
    for node in cls.decorator_list:
        func = node.func if isinstance(node, ast.Call) else node
        name = name_of(func)
        if name in ("as_declarative", "as_declarative_base"):
            return True
    return False


def _may_be_table(module: Module, func: ast.expr) -> bool:
    """`Table(...)`, `sa.Table(...)`, or a name imported as `Table` under another name."""
    if isinstance(func, ast.Attribute):
        return func.attr == "Table"
    if isinstance(func, ast.Name):
        return func.id == "Table" or module.imports.get(func.id, ("", None))[1] == "Table"
    return False


def _attr_expr(cls: ast.ClassDef, attr: str) -> ast.expr | None:
    value = _class_attr(cls, attr)
    return value if isinstance(value, ast.expr) else None


def _literal_true(value: ast.expr | None | bool) -> bool:
    return isinstance(value, ast.Constant) and value.value is True


def computes_table_names(modules: Iterable[Module]) -> bool:
    """Whether a class computes `__tablename__` (a `declared_attr`, an expression): then its
    subclasses are tables without saying `__tablename__` in their own modules."""
    for module in modules:
        for node in module.tree.body:
            value = _class_attr(node, "__tablename__") if isinstance(node, ast.ClassDef) else None
            if value is True or (isinstance(value, ast.expr) and _literal_str(value) is None):
                return True
    return False


def find_tables(resolver: Resolver) -> list[TableDef]:
    """Every table defined in the project, in module order."""
    finder = _Finder(resolver)
    tables: list[TableDef] = []
    # a copy: following a name parses its module on demand, which adds to the tree
    for module in sorted(resolver.tree.modules.values(), key=lambda m: m.name):
        with resolver.tree.noting(module):
            tables.extend(_module_tables(finder, module))
    for module in list(resolver.tree.modules.values()):
        if module.outline and not any(t.module == module.name for t in tables):
            with resolver.tree.noting(module):
                tables.extend(finder.unread(module, tables))
    return tables


def _module_tables(finder: _Finder, module: Module) -> list[TableDef]:
    found = []
    for node in module.tree.body:
        if isinstance(node, ast.ClassDef):
            table = finder.table_of_class(module, node)
            if table is not None:
                found.append(table)
    return found + list(finder.core_tables(module))


def names_schema(module: Module) -> bool:
    """The module names a database schema for its tables: `schema=` in a call (`Table`,
    `MetaData`) or a `"schema"` key (`__table_args__`). Autogenerate compares only the
    default schema unless env.py asks for others."""
    for node in ast.walk(module.tree):
        if isinstance(node, ast.keyword) and node.arg == "schema":
            return True
        if isinstance(node, ast.Dict) and any(
            isinstance(k, ast.Constant) and k.value == "schema" for k in node.keys
        ):
            return True
    return False
