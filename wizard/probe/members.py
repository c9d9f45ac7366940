"""Which property or method of a config object an engine's URL argument reads
(`conf.db.build_connection_url()`, `Settings().postgres.url.get_secret_value()`), asked of
the object itself: the class that declares the member is where a sync sibling goes. A plain
field whose default factory reads a variable (a dataclass's `URL = field(default_factory=
get_env("DATABASE_URL", ...))`) is that variable's. String methods the app applies after it
(`.replace("postgresql://", "postgresql+psycopg://")`) are kept for env.py. Runs in the
project's interpreter; standard library only."""

from __future__ import annotations

import ast
import inspect
import sys
from collections.abc import Callable, Iterable
from typing import Any

from . import protocol
from .factories import field_factory, variable_read
from .lookup import accessor, module_rank, origin, siblings

_TEXT_METHODS = {n for n in dir(str) if not n.startswith("_")}  # `.replace(...)`, `.strip()`


def _unwrap(node: ast.expr) -> tuple[ast.expr, str]:
    """`str(X)`, `f"{X}"`, `X.get_secret_value()` -> X: what turns the value into text is
    asked of the value itself; `X.replace(a, b)` -> X and `.replace(a, b)`, as env.py
    applies it again."""
    after = ""
    while True:
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "str" and node.args:
            node = node.args[0]
        elif isinstance(node, ast.JoinedStr) and len(node.values) == 1:
            inner = node.values[0]
            if not isinstance(inner, ast.FormattedValue):
                return node, after
            node = inner.value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("get_secret_value", "render_as_string", "unicode_string")
        ):
            node = node.func.value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _TEXT_METHODS
        ):
            call = ast.unparse(ast.Call(ast.Name("_"), node.args, node.keywords))[1:]
            after = f".{node.func.attr}{call}{after}"
            node = node.func.value
        else:
            return node, after


def _chain(node: ast.expr) -> tuple[str, bool, list[str]] | None:
    """`conf.db` -> ("conf", False, ["db"]); `Settings().db` -> ("Settings", True, ["db"])."""
    attrs: list[str] = []
    while isinstance(node, ast.Attribute):
        attrs.insert(0, node.attr)
        node = node.value
    called = isinstance(node, ast.Call) and not node.args and not node.keywords
    if called:
        assert isinstance(node, ast.Call)
        node = node.func
    return (node.id, called, attrs) if isinstance(node, ast.Name) else None


def _declaring(cls: type, name: str, method: bool) -> type | None:
    """The class of `cls`'s MRO that defines `name` as a method (or as a property)."""
    for klass in cls.__mro__:
        member = vars(klass).get(name)
        if member is None:
            continue
        kind = type(member).__name__
        if method and callable(member) and kind not in ("staticmethod", "classmethod"):
            return klass
        if not method and kind in ("property", "cached_property", "PydanticDescriptorProxy"):
            return klass
        return None
    return None


def _home(value: object, name: str, modules: Iterable[tuple[str, Any]]) -> str | None:
    """The module env.py imports `name` from: where the object is defined, else the
    likeliest of the project's modules that hold it."""
    holders = [m for m, module in modules if vars(module).get(name) is value]
    defined = getattr(value, "__module__", None) or type(value).__module__
    if defined in holders:
        return str(defined)
    return min(((m, None) for m in holders), key=module_rank)[0] if holders else None


def member_origin(
    text: str,
    namespace: dict[str, Any],
    modules: Callable[[], Iterable[tuple[str, Any]]],
    is_project: Callable[[type], bool],
) -> protocol.Origin | None:
    """The origin of `text`'s value when it is a project class's property or method, or a
    field its default factory fills from a variable."""
    try:
        node, after = _unwrap(ast.parse(text, mode="eval").body)
    except SyntaxError:
        return None
    method = isinstance(node, ast.Call) and not node.args and not node.keywords
    member = node.func if isinstance(node, ast.Call) and method else node
    chain = _chain(member.value) if isinstance(member, ast.Attribute) else None
    if chain is None or not isinstance(member, ast.Attribute) or chain[0] not in namespace:
        return None
    name, called, path = chain
    try:  # the app's own expression, already evaluated once: its parts again
        root, owner, value = (
            _eval(part, namespace)
            for part in (ast.parse(name + "()" * called, mode="eval").body, member.value, node)
        )
    except Exception:
        return None
    if after and not isinstance(value, str) and not accessor(value):  # not a str's method
        return None
    found = _member(type(owner), member.attr, method, is_project)
    home = _home(namespace[name], name, modules())
    if found is None or home is None:
        return None
    made = origin("object", home, name, called=called, path=[*path, member.attr])
    made.update(found)  # type: ignore[typeddict-item]
    made["cls"] = _label(type(root))
    made["field"] = member.attr
    made["suffix"] = accessor(value) + after
    made["siblings"] = siblings(owner, member.attr)
    return made


def _member(
    cls: type, name: str, method: bool, is_project: Callable[[type], bool]
) -> dict[str, Any] | None:
    """A property or method of a project class; else a field its default factory fills from
    a variable (its class, the variable)."""
    declaring = _declaring(cls, name, method)
    if declaring is not None:
        good = is_project(declaring)
        return {"computed": True, "method": method, "owner": _label(declaring)} if good else None
    factory = None if method or not is_project(cls) else field_factory(cls, name)
    key = variable_read(factory) if factory else None
    if key is None:
        return None
    owner = next((k for k in cls.__mro__ if name in inspect.get_annotations(k)), cls)
    return {"computed": False, "owner": _label(owner), "env_key": key}


def _eval(node: ast.expr, namespace: dict[str, Any]) -> Any:
    return eval(compile(ast.Expression(node), "<url>", "eval"), dict(namespace))  # noqa: S307


def _label(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def expression_member(
    expression: protocol.Expression | None,
    modules: Callable[[], Iterable[tuple[str, Any]]],
    is_project_file: Callable[[str], bool],
) -> list[protocol.Origin]:
    """The property or method of a project class (or the field filled from a variable) an
    evaluated expression reads, if any."""
    module = sys.modules.get(expression["module"]) if expression else None
    if expression is None or module is None:
        return []

    def mine(cls: type) -> bool:
        return is_project_file(str(getattr(sys.modules.get(cls.__module__), "__file__", "")))

    found = member_origin(expression["text"], dict(vars(module)), modules, mine)
    names = {  # the names the expression was evaluated with
        n: getattr(sys.modules[m], n)
        for n, m in expression["names"].items()
        if hasattr(sys.modules.get(m), n)
    }
    # through names the module itself lacks (a caller's getter, a class imported for type
    # checking) only a field filled from a variable is taken: a property or method reached
    # that way stays the expression, which env.py repeats as the app wrote it
    if found is None and names:
        found = member_origin(expression["text"], {**vars(module), **names}, modules, mine)
        found = found if found and not found["computed"] else None
    return [found] if found else []
