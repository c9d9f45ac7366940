"""Find the app's async engines and the expression each is given as its URL:
`create_async_engine(X)`, `async_engine_from_config({"sqlalchemy.url": X})`,
`AsyncEngine(create_engine(X))`, `create_async_engine(url=X)`."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from wizard.inspection.scan import Module, Tree, name_of
from wizard.inspection.walk import is_test_file

_ASYNC_MODULES = ("sqlalchemy.ext.asyncio", "sqlmodel.ext.asyncio")
_FACTORIES = {"create_async_engine", "async_engine_from_config", "AsyncEngine"}


@dataclass(frozen=True)
class EngineCall:
    """One async engine the app creates, and what it is given as its URL."""

    module: Module
    line: int
    url: ast.expr | None  # None: an argument the wizard cannot follow
    local: dict[str, ast.expr]  # assignments in the enclosing scope, by name
    name: str | None = None  # `engine` for a module-level `engine = create_async_engine(...)`


def uses_asyncio(module: Module) -> bool:
    """The module imports SQLAlchemy's (or SQLModel's) asyncio extension."""
    return any(src.startswith(_ASYNC_MODULES) for src, _ in module.imports.values())


def find_engines(tree: Tree) -> list[EngineCall]:
    """Every async engine call outside tests, in module order."""
    found = []
    for module in sorted(tree.modules.values(), key=lambda m: m.name):
        if not uses_asyncio(module) or is_test_file(module.path.name):
            continue
        with tree.noting(module):
            found += _module_engines(module)
    return found


def _module_engines(module: Module) -> list[EngineCall]:
    names = _module_names(module.tree)
    # `from sqlalchemy.ext.asyncio import create_async_engine as create_sqlalchemy_engine`
    aliases = {k: v for k, (_, v) in module.imports.items() if v in _FACTORIES}
    found = []
    for scope, local in _scopes(module.tree):
        for node in _calls(scope):
            if aliases.get(_called(node), _called(node)) in _FACTORIES:
                url, where = _url_argument(node), node.lineno
                found.append(EngineCall(module, where, url, local, names.get(id(node))))
    return found


def _module_names(tree: ast.Module) -> dict[int, str]:
    """Module-level `name = call(...)`: the call's id -> the name (env.py can import it)."""
    return {
        id(n.value): t.id
        for n in tree.body
        if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call)
        for t in n.targets
        if isinstance(t, ast.Name)
    }


def _assignments(nodes: Iterator[ast.AST]) -> dict[str, ast.expr]:
    return {
        t.id: n.value
        for n in nodes
        if isinstance(n, ast.Assign)
        for t in n.targets
        if isinstance(t, ast.Name)
    }


def _parameters(function: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, ast.expr]:
    """`settings: Settings` / `Annotated[Settings, Depends(get_settings)]` -> `Settings()`:
    a parameter is the instance its annotation names."""
    found: dict[str, ast.expr] = {}
    for arg in [*function.args.args, *function.args.kwonlyargs]:
        annotation = arg.annotation
        if isinstance(annotation, ast.Subscript) and ast.unparse(annotation.value).endswith(
            "Annotated"
        ):
            inner = annotation.slice
            annotation = inner.elts[0] if isinstance(inner, ast.Tuple) else inner
        if isinstance(annotation, ast.Name | ast.Attribute):
            found[arg.arg] = ast.Call(func=annotation, args=[], keywords=[])
    return found


def _scopes(tree: ast.Module) -> Iterator[tuple[list[ast.stmt], dict[str, ast.expr]]]:
    """The module body, then each function's body with its local assignments."""
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    top = [n for n in tree.body if not isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    module_level = _assignments(iter(tree.body))
    yield [n for n in top if not isinstance(n, ast.ClassDef)], module_level
    for function in functions:
        local = {**module_level, **_parameters(function), **_assignments(ast.walk(function))}
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
    return name_of(node.func)


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
