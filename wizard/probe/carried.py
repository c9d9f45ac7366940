"""Values the app's objects hold under names an existing env.py reads off Alembic's Config
that Alembic's own Config lacks: a framework's migration CLI (Advanced Alchemy's
`litestar database upgrade`) hands env.py a Config subclass filled from the app's objects
(`config.version_table_name` from `alchemy_config.alembic_config.version_table_name`). Plain
`alembic` has no such Config, so the values are read here, from the objects themselves.
Runs in the project's interpreter; standard library only."""

from __future__ import annotations

import types
from collections.abc import Iterable, Iterator
from typing import Any

from . import protocol

_SCALARS = (str, int, float, bool, type(None))
_NOT_OBJECTS = (*_SCALARS, types.ModuleType, property)  # and whatever is callable


def _fields(obj: object) -> dict[str, Any]:
    """What an instance holds (its __dict__ or __slots__), read without running a property."""
    found = dict(getattr(obj, "__dict__", None) or {})
    for klass in type(obj).__mro__:
        slots = vars(klass).get("__slots__", ())
        for slot in (slots,) if isinstance(slots, str) else slots:
            try:
                found.setdefault(slot, object.__getattribute__(obj, slot))
            except AttributeError:
                continue
    return found


def _walk(obj: object, where: str, depth: int) -> Iterator[tuple[str, dict[str, Any]]]:
    """`obj`'s fields, then those of the objects it holds, `depth` levels down."""
    if isinstance(obj, _NOT_OBJECTS) or callable(obj):
        return
    fields = _fields(obj)
    yield where, fields
    if depth > 0:
        for name, value in fields.items():
            if not name.startswith("__"):
                yield from _walk(value, f"{where}.{name}", depth - 1)


def attribute_values(
    modules: Iterable[tuple[str, Any]], names: Iterable[str], depth: int = 2
) -> list[protocol.Attribute]:
    """Each scalar value held under one of `names` by an object the modules hold (or by one
    those hold, `depth` levels down), with where it was found; one per (name, value)."""
    wanted = set(names)
    found: dict[tuple[str, object], protocol.Attribute] = {}
    for module_name, module in modules:
        for name, value in list(vars(module).items()):
            if name.startswith("__"):
                continue
            for where, fields in _walk(value, f"{module_name}.{name}", depth):
                for key in wanted & set(fields):
                    held = fields[key]
                    if isinstance(held, _SCALARS):
                        entry: protocol.Attribute = {"name": key, "value": held, "where": where}
                        found.setdefault((key, repr(held)), entry)
    return list(found.values())
