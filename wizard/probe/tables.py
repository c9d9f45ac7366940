"""The models' tables as the running app has them: every MetaData the project's modules
hold (a variable, a base class, a library's base, a registry), each table with the module
and class that define it. Runs in the project's interpreter; standard library only."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from typing import Any

from . import protocol
from .lookup import module_rank


class Tables:
    """Reads the tables once the model modules are imported."""

    def __init__(
        self,
        modules: Callable[[], Iterator[tuple[str, Any]]],
        is_project_file: Callable[[str], bool],
    ) -> None:
        self.modules = modules
        self.is_project_file = is_project_file

    def tables(self) -> list[protocol.Table]:
        """Every table of every MetaData the project's modules hold."""
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
        for module_name, module in sorted(self.modules(), key=module_rank):
            for name, value in list(vars(module).items()):
                found = metadata_of(value, metadata_type)
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
        # else made by a factory (`Base = declarative_base(cls=...)`): the module holding it
        owner, called = _where_bound(value) or (module, name)
        place = (owner, called, f"{called}.metadata")
        if "__table__" in vars(value):  # a model: it works, a base reads better
            return 3, place
        if not self._is_module_of_project(owner):  # `from sqlmodel import SQLModel`
            return 2, place
        return 1, place

    def _is_module_of_project(self, name: str) -> bool:
        module = sys.modules.get(name)
        file = getattr(module, "__file__", None)
        return bool(file) and self.is_project_file(str(file))

    def _table_modules(self, table_type: type) -> dict[int, tuple[str, str | None]]:
        """Each table's defining module: its mapped class's, else the module holding it."""
        found: dict[int, tuple[str, str | None]] = {}
        for module_name, module in self.modules():
            for name, value in list(vars(module).items()):
                if isinstance(value, table_type):
                    found.setdefault(id(value), (module_name, None))
                table = getattr(value, "__table__", None) if isinstance(value, type) else None
                if isinstance(table, table_type) and value.__module__ == module_name:
                    found[id(table)] = (module_name, name)
        for mapper in all_mappers():
            cls = mapper.class_
            table = getattr(mapper, "local_table", None)
            if table is not None and self._is_module_of_project(cls.__module__):
                found[id(table)] = (cls.__module__, cls.__name__)
        return found


def _where_bound(cls: type) -> tuple[str, str] | None:
    """The module and name that hold `cls`: its own, or those of the class it was made from
    (`@as_declarative() class Base` binds a new class, a subclass of the one written)."""
    for klass in cls.__mro__[:2]:
        if getattr(sys.modules.get(klass.__module__), klass.__name__, None) is cls:
            return klass.__module__, klass.__name__
    return None


def metadata_of(value: object, metadata_type: type) -> Any:
    if isinstance(value, metadata_type):
        return value
    if isinstance(value, type) or type(value).__name__ == "registry":
        found = getattr(value, "metadata", None)
        return found if isinstance(found, metadata_type) else None
    return None


def all_mappers() -> list[Any]:
    try:
        from sqlalchemy.orm import mapperlib

        registries = list(getattr(mapperlib, "_mapper_registries", {}))
        return [m for r in registries for m in getattr(r, "mappers", ())]
    except Exception:
        return []
