"""Find the app's async engines and the expression each is given as its URL:
`create_async_engine(X)`, `async_engine_from_config({"sqlalchemy.url": X})`,
`AsyncEngine(create_engine(X))`, `create_async_engine(url=X)`."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from wizard.inspection.scan import Module, Tree

_ASYNC_MODULES = ("sqlalchemy.ext.asyncio", "sqlmodel.ext.asyncio")
_FACTORIES = {"create_async_engine", "async_engine_from_config", "AsyncEngine"}
_TEST_FILE = ("test_", "conftest")


@dataclass(frozen=True)
class EngineCall:
    """One async engine the app creates, and what it is given as its URL."""

    module: Module
    line: int
    url: ast.expr | None  # None: an argument the wizard cannot follow
    local: dict[str, ast.expr]  # assignments in the enclosing function, by name


def uses_asyncio(module: Module) -> bool:
    """The module imports SQLAlchemy's (or SQLModel's) asyncio extension."""
    return any(src.startswith(_ASYNC_MODULES) for src, _ in module.imports.values())


def find_engines(tree: Tree) -> list[EngineCall]:
    """Every async engine call outside tests, in module order."""
    found = []
    for module in sorted(tree.modules.values(), key=lambda m: m.name):
        if not uses_asyncio(module) or module.path.name.startswith(_TEST_FILE):
            continue
        for scope, local in _scopes(module.tree):
            for node in _calls(scope):
                name = _called(node)
                if name in _FACTORIES:
                    found.append(EngineCall(module, node.lineno, _url_argument(node), local))
    return found


def _scopes(tree: ast.Module) -> Iterator[tuple[list[ast.stmt], dict[str, ast.expr]]]:
    """The module body, then each function's body with its local assignments."""
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    top = [n for n in tree.body if not isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    yield [n for n in top if not isinstance(n, ast.ClassDef)], {}
    for function in functions:
        local = {
            t.id: n.value
            for n in ast.walk(function)
            if isinstance(n, ast.Assign)
            for t in n.targets
            if isinstance(t, ast.Name)
        }
        yield list(function.body), local


def _calls(statements: list[ast.stmt]) -> Iterator[ast.Call]:
    """Calls in these statements, not inside nested functions (their own scope)."""
    todo: list[ast.AST] = list(statements)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        if isinstance(node, ast.Call):
            yield node
        todo.extend(ast.iter_child_nodes(node))


def _called(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _url_argument(node: ast.Call) -> ast.expr | None:
    name = _called(node)
    arg = (
        node.args[0]
        if node.args
        else next((k.value for k in node.keywords if k.arg == "url"), None)
    )
    if name == "AsyncEngine" and isinstance(arg, ast.Call):  # AsyncEngine(create_engine(X))
        return _url_argument(arg)
    if name == "async_engine_from_config":
        if isinstance(arg, ast.Dict):
            for key, value in zip(arg.keys, arg.values, strict=True):
                if isinstance(key, ast.Constant) and str(key.value).endswith("url"):
                    return value
        return None
    return arg
