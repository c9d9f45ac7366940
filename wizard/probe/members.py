"""Which property or method of a config object an engine's URL argument reads
(`conf.db.build_connection_url()`, `Settings().postgres.url.get_secret_value()`), asked of
the object itself: the class that declares the member is where a sync sibling goes. Runs in
the project's interpreter; standard library only."""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING or __package__:
    from wizard.probe import protocol
    from wizard.probe.lookup import accessor, module_rank, origin, siblings
else:  # run beside in_project.py, whose folder is on sys.path while it imports its siblings
    import protocol
    from lookup import accessor, module_rank, origin, siblings


def _unwrap(node: ast.expr) -> ast.expr:
    """`str(X)`, `f"{X}"`, `X.get_secret_value()` -> X: what turns the value into text is
    asked of the value itself."""
    while True:
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "str" and node.args:
            node = node.args[0]
        elif isinstance(node, ast.JoinedStr) and len(node.values) == 1:
            inner = node.values[0]
            if not isinstance(inner, ast.FormattedValue):
                return node
            node = inner.value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("get_secret_value", "render_as_string", "unicode_string")
        ):
            node = node.func.value
        else:
            return node


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
    """The origin of `text`'s value when it is a project class's property or method."""
    try:
        node = _unwrap(ast.parse(text, mode="eval").body)
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
    declaring = _declaring(type(owner), member.attr, method)
    home = _home(namespace[name], name, modules())
    if declaring is None or not is_project(declaring) or home is None:
        return None
    found = origin("object", home, name, called=called, path=[*path, member.attr])
    found["cls"] = _label(type(root))
    found["field"] = member.attr
    found["computed"] = True
    found["method"] = method
    found["owner"] = _label(declaring)
    found["suffix"] = accessor(value)
    found["siblings"] = siblings(owner, member.attr)
    return found


def _eval(node: ast.expr, namespace: dict[str, Any]) -> Any:
    return eval(compile(ast.Expression(node), "<url>", "eval"), dict(namespace))  # noqa: S307


def _label(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def expression_member(
    expression: protocol.Expression | None,
    modules: Callable[[], Iterable[tuple[str, Any]]],
    is_project_file: Callable[[str], bool],
) -> list[protocol.Origin]:
    """The property or method of a project class an evaluated expression reads, if any."""
    module = sys.modules.get(expression["module"]) if expression else None
    if expression is None or module is None:
        return []

    def mine(cls: type) -> bool:
        return is_project_file(str(getattr(sys.modules.get(cls.__module__), "__file__", "")))

    found = member_origin(expression["text"], dict(vars(module)), modules, mine)
    return [found] if found else []
