"""What to ask the project's interpreter, found statically: the modules that make engines
(their calls are recorded at import), and for engines made inside functions the URL argument
as an expression to evaluate in its module, or in a caller's when it is a parameter."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from pathlib import Path

from wizard.inspection.engines import EngineCall, uses_asyncio
from wizard.inspection.envfiles import EnvSource
from wizard.inspection.makers import instance, typed_locals
from wizard.inspection.resolve import Resolver
from wizard.inspection.scan import Module, Tree, name_of
from wizard.inspection.words import mentions_models, names_columns
from wizard.probe.protocol import Expression, Request

_FUNCTION = (ast.FunctionDef, ast.AsyncFunctionDef)
_DI_FACTORIES = {"create_async_engine", "async_engine_from_config"}


def engine_request(
    tree: Tree, engines: list[EngineCall], root: Path, env_files: list[Path]
) -> Request:
    """Import the engine modules; evaluate what static reading could not follow."""
    expressions = [e for engine in engines for e in expressions_of(tree, engine)]
    expressions += list(provided(tree))
    return _request(
        tree,
        root,
        env_files,
        engine_modules=_names(e.module for e in engines),
        expressions=expressions,
    )


def model_request(
    tree: Tree, root: Path, env_files: list[Path], known: Iterable[str] = ()
) -> Request:
    """Import every module that may define tables (and those static reading found tables
    in); read the MetaData objects they fill."""
    name_of_path = tree.namer()
    parsed = [m.name for m in tree.modules.values() if _may_model(m.path)]
    unparsed = [name_of_path(p) for p, data in tree.unparsed if _models_in(data)]
    return _request(tree, root, env_files, model_modules=sorted({*parsed, *unparsed, *known}))


def object_request(
    tree: Tree, root: Path, env_files: list[Path], attributes: list[str], modules: list[str]
) -> Request:
    """Import `modules`; read what the app's objects hold under `attributes`."""
    return _request(tree, root, env_files, attributes=attributes, object_modules=modules)


def placeholders(env_files: Iterable[EnvSource]) -> dict[str, str]:
    """A fresh clone (no env file of its own, only templates): the templates' values, so
    that the app can start in the probe; none when the project has a real env file."""
    found = list(env_files)
    if any(not e.example for e in found):
        return {}
    # `${VAR}` references are not values: unset, the app's own defaults apply
    return {k: v for e in reversed(found) for k, v in e.values() if "${" not in v}


def _request(tree: Tree, root: Path, env_files: list[Path], **asked: object) -> Request:
    request: Request = {
        "root": str(root),
        "paths": [str(r) for r in tree.roots],
        "env_files": [],
        "engine_modules": [],
        "expressions": [],
        "model_modules": [],
        "settings_modules": [],
        "placeholders": {},
        "attributes": [],
        "object_modules": [],
    }
    request.update(asked)  # type: ignore[typeddict-item]
    request["env_files"] = [str(p) for p in env_files]
    return request


def _names(modules: Iterator[Module]) -> list[str]:
    return list(dict.fromkeys(m.name for m in modules))


def _models_in(data: bytes) -> bool:
    return mentions_models(data) or names_columns(data) or b"map_imperatively" in data


def _may_model(path: Path) -> bool:
    try:
        return _models_in(path.read_bytes())
    except OSError:
        return False


def expressions_of(tree: Tree, engine: EngineCall) -> list[Expression]:
    """An engine made in a function: its URL argument in the module's terms (local names
    put back, a local typed with a class of the app's made as the app makes one), or each
    caller's argument when it is a parameter."""
    function = _enclosing(engine.module.tree, engine.line)
    if function is None or engine.url is None:
        return []  # module level: the call is recorded when the module is imported
    resolver = Resolver(tree)
    made = typed_locals(resolver, engine.module, function)
    node = _inline(engine.url, {**_locals(function), **{k: m.node for k, m in made.items()}})
    used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    params = _parameters(function)
    fed = [p for p in params if p.arg in used]
    for p in fed:  # `settings: Settings` (dishka, Depends): made as the app does
        found = instance(resolver, engine.module, p.annotation) if p.annotation else None
        made.update({p.arg: found} if found else {})
    if any(p.arg not in made for p in fed):
        return list(_from_callers(tree, engine, function, node, params))
    node = _inline(node, {p.arg: made[p.arg].node for p in fed})
    used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    names = {k: v for m in made.values() for k, v in m.names.items() if k in used}
    return [_expression(engine.module, node, engine, names)]


def _from_callers(
    tree: Tree,
    engine: EngineCall,
    function: ast.FunctionDef | ast.AsyncFunctionDef,
    node: ast.expr,
    params: list[ast.arg],
) -> Iterator[Expression]:
    """`make_engine(settings.db.url)` wherever `make_engine` is called with what it needs."""
    offset = 1 if params and params[0].arg in ("self", "cls") else 0
    positional = [p.arg for p in params[offset:]]
    for module, call in _calls_to(tree, _called_as(engine.module.tree, function)):
        given: dict[str, ast.expr] = dict(zip(positional, call.args, strict=False))
        given.update({k.arg: k.value for k in call.keywords if k.arg})
        caller = _enclosing(module.tree, call.lineno)
        inner = {n.id for v in given.values() for n in ast.walk(v) if isinstance(n, ast.Name)}
        if caller is not None and inner & {p.arg for p in _parameters(caller)}:
            continue  # fed from further out: one level is what static reading can afford
        local = _locals(caller) if caller is not None else {}
        filled = {k: _inline(v, local) for k, v in given.items()}
        yield _expression(module, _inline(node, filled), engine)


def _called_as(tree: ast.Module, function: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    """What a call of `function` is written as: its class's name for an `__init__`."""
    if function.name != "__init__":
        return function.name
    owner = next(
        (c for c in ast.walk(tree) if isinstance(c, ast.ClassDef) and function in c.body), None
    )
    return owner.name if owner is not None else function.name


def _calls_to(tree: Tree, name: str) -> Iterator[tuple[Module, ast.Call]]:
    """Calls of `name` in the parsed modules and in the files the scan only read."""
    needle = name.encode() + b"("
    for module in [*tree.modules.values(), *tree.read_past(lambda data: needle in data)]:
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Call) and name_of(node.func) == name:
                yield module, node


def provided(tree: Tree) -> Iterator[Expression]:
    """`providers.Singleton(create_async_engine, url=X)` and its kind (a DI container): X,
    with class attributes reached through their class."""
    for module in tree.modules.values():
        if not uses_asyncio(module):
            continue
        for cls, node in _calls_with_classes(module.tree):
            if not node.args or name_of(node.args[0]) not in _DI_FACTORIES:
                continue
            url = next((k.value for k in node.keywords if k.arg == "url"), None)
            url = url if url is not None else (node.args[1] if len(node.args) > 1 else None)
            if url is None:
                continue
            if cls is not None:
                own = {n for s in cls.body for n in _targets(s)}
                url = _inline(url, {n: ast.Attribute(ast.Name(cls.name), n) for n in own})
            text = ast.unparse(url)
            yield {
                "module": module.name,
                "text": text,
                "path": str(module.path),
                "line": node.lineno,
                "names": {},
            }


def _calls_with_classes(tree: ast.Module) -> Iterator[tuple[ast.ClassDef | None, ast.Call]]:
    for node in tree.body:
        owner = node if isinstance(node, ast.ClassDef) else None
        for inner in ast.walk(node):
            if isinstance(inner, ast.Call):
                yield owner, inner


def _targets(statement: ast.stmt) -> list[str]:
    if isinstance(statement, ast.Assign):
        return [t.id for t in statement.targets if isinstance(t, ast.Name)]
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        return [statement.target.id]
    return []


def _expression(
    module: Module, node: ast.expr, engine: EngineCall, names: dict[str, str] | None = None
) -> Expression:
    return {
        "module": module.name,
        "text": ast.unparse(node),
        "path": str(engine.module.path),
        "line": engine.line,
        "names": names or {},
    }


def _enclosing(tree: ast.Module, line: int) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The innermost function whose lines hold `line`."""
    found: ast.FunctionDef | ast.AsyncFunctionDef | None = None
    for node in ast.walk(tree):
        if not isinstance(node, _FUNCTION):
            continue
        inside = node.lineno <= line <= (node.end_lineno or line)
        if inside and (found is None or node.lineno >= found.lineno):
            found = node
    return found


def _parameters(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.arg]:
    args = function.args
    return [*args.posonlyargs, *args.args, *args.kwonlyargs]


def _locals(function: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, ast.expr]:
    found: dict[str, ast.expr] = {}
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                found.setdefault(target.id, node.value)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            found.setdefault(node.target.id, node.value)
    return found


class _Inline(ast.NodeTransformer):
    def __init__(self, values: dict[str, ast.expr], depth: int) -> None:
        self.values = values
        self.depth = depth

    def visit_Name(self, node: ast.Name) -> ast.expr:
        value = self.values.get(node.id)
        if value is None or self.depth <= 0:
            return node
        rest = {k: v for k, v in self.values.items() if k != node.id}  # `x = x + 1`
        inlined: ast.expr = _Inline(rest, self.depth - 1).visit(_copy(value))
        return inlined


def _copy(node: ast.expr) -> ast.expr:
    copied: ast.expr = ast.parse(ast.unparse(node), mode="eval").body
    return copied


def _inline(node: ast.expr, values: dict[str, ast.expr]) -> ast.expr:
    """`node` with the names bound in `values` replaced by what they are bound to."""
    if not values:
        return node
    result = _Inline(values, 4).visit(_copy(node))
    assert isinstance(result, ast.expr)
    return result
