"""How the project makes an instance of one of its classes, so that the probe makes one the
same way: a function of the project that returns one (`get_config() -> AppConfig`, a
`DbConfig.from_env(env)` that returns `DbConfig(...)`), its own class-typed parameters made
the same way one level down; else the class called without arguments (a settings class
fills itself from the environment)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from wizard.inspection.resolve import Resolver, Symbol
from wizard.inspection.scan import Module

_PLAIN = {"str", "URL", "Any", "object", "AnyUrl", "PostgresDsn", "MySQLDsn", "SecretStr"}
_BUILDERS = ("staticmethod", "classmethod")


@dataclass(frozen=True)
class Made:
    """An expression that makes the instance, and where each name in it is imported from."""

    node: ast.expr
    names: dict[str, str]  # name -> the module it is imported from


def class_name(annotation: ast.expr | None) -> ast.expr | None:
    """`Settings`, `config.Settings`, `"Settings"`, `Annotated[Settings, Depends(...)]`: the
    class, when it is one the probe can make (not `str`, `URL`)."""
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            annotation = ast.parse(annotation.value, mode="eval").body
        except SyntaxError:
            return None
    if isinstance(annotation, ast.Subscript):
        inner = annotation.slice
        annotation = inner.elts[0] if isinstance(inner, ast.Tuple) else inner
    if not isinstance(annotation, ast.Name | ast.Attribute):
        return None
    last = annotation.id if isinstance(annotation, ast.Name) else annotation.attr
    return annotation if last[0].isupper() and last not in _PLAIN else None


def instance(
    resolver: Resolver, module: Module, annotation: ast.expr, depth: int = 1
) -> Made | None:
    """How to make an instance of the class `annotation` names in `module`."""
    named = class_name(annotation)
    symbol = resolver.expr(module, named) if named is not None else None
    if symbol is None or ":" in symbol[0] or not symbol[1]:
        return None
    found = resolver.class_def(symbol)
    makers = _makers(resolver, symbol, found[1] if found else None) if depth > 0 else iter(())
    for maker_module, function, owner in makers:
        made = _call(resolver, maker_module, function, owner, depth)
        if made is not None:
            return made
    return Made(ast.Call(ast.Name(symbol[1]), [], []), {symbol[1]: symbol[0]})


def _makers(
    resolver: Resolver, symbol: Symbol, cls: ast.ClassDef | None
) -> Iterator[tuple[Module, ast.FunctionDef, Symbol | None]]:
    """Functions that return an instance: module-level ones anywhere in the project first
    (`get_config()`, the app's own getter), then the class's static and class methods."""
    needle = symbol[1].encode()
    tree = resolver.tree
    for module in [*tree.modules.values(), *tree.read_past(lambda data: needle in data)]:
        for node in module.tree.body:
            if isinstance(node, ast.FunctionDef) and _returns(resolver, module, node, symbol):
                yield module, node, None
    owner = resolver.module(symbol[0])
    for node in cls.body if cls is not None and owner is not None else ():
        if not isinstance(node, ast.FunctionDef):
            continue
        builder = any(ast.unparse(d) in _BUILDERS for d in node.decorator_list)
        if owner is not None and builder and _returns(resolver, owner, node, symbol, True):
            yield owner, node, symbol


def _returns(
    resolver: Resolver,
    module: Module,
    function: ast.FunctionDef,
    symbol: Symbol,
    cls_name: bool = False,
) -> bool:
    """Annotated `-> Cls`, or a `return Cls(...)` (`return cls(...)` in a class method)."""
    named = class_name(function.returns)
    if named is not None and resolver.expr(module, named) == symbol:
        return True
    for node in ast.walk(function):
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Call):
            func = node.value.func
            if cls_name and isinstance(func, ast.Name) and func.id == "cls":
                return True
            if isinstance(func, ast.Name | ast.Attribute) and resolver.expr(module, func) == symbol:
                return True
    return False


def _call(
    resolver: Resolver,
    module: Module,
    function: ast.FunctionDef,
    owner: Symbol | None,
    depth: int,
) -> Made | None:
    """`get_config()`, `DbConfig.from_env(Env())`: each required parameter made in turn."""
    args = function.args
    if args.vararg is not None or None in args.kw_defaults:  # not ours to guess
        return None
    params = [*args.posonlyargs, *args.args]
    if owner is not None and any(ast.unparse(d) == "classmethod" for d in function.decorator_list):
        params = params[1:]
    required = params[: len(params) - len(args.defaults)]
    names: dict[str, str] = {}
    given: list[ast.expr] = []
    for param in required:
        made = instance(resolver, module, param.annotation, depth - 1) if param.annotation else None
        if made is None:
            return None
        given.append(made.node)
        names.update(made.names)
    if owner is not None:
        func: ast.expr = ast.Attribute(ast.Name(owner[1]), function.name)
        names[owner[1]] = owner[0]
    else:
        func = ast.Name(function.name)
        names[function.name] = module.name
    return Made(ast.Call(func, given, []), names)


def typed_locals(
    resolver: Resolver, module: Module, function: ast.FunctionDef | ast.AsyncFunctionDef
) -> dict[str, Made]:
    """`config: Config = container.resolve(Config)`: a local the annotation says is an
    instance of a class of the app's, made the app's own way (a DI container the function
    fills itself answers nothing from outside it)."""
    found: dict[str, Made] = {}
    for node in ast.walk(function):
        if not isinstance(node, ast.AnnAssign) or not isinstance(node.target, ast.Name):
            continue
        named = class_name(node.annotation) if node.value is not None else None
        symbol = resolver.expr(module, named) if named is not None else None
        if symbol is None or resolver.class_def(symbol) is None:
            continue
        made = instance(resolver, module, node.annotation)
        if made is not None:
            found.setdefault(node.target.id, made)
    return found
