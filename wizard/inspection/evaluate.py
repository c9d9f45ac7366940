"""Evaluate, without running anything, the expressions real projects build their database
URL with: f-strings of settings fields, `quote_plus`, `URL.create(...)`,
`MultiHostUrl.build(...)`, `str(...)`, a helper's local variables. Anything else is unknown
(None): the URL is then only known at run time, which env.py handles."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote, quote_plus

from wizard.inspection.scan import name_of

OWNER = object()  # the settings object: `self`, `settings`, `get_settings()`
# calls that give the same URL as text: `SecretStr.get_secret_value()`, pydantic `Url`s'
ACCESSORS = frozenset({"get_secret_value", "unicode_string", "render_as_string"})
_PASSTHROUGH = ACCESSORS | {"str", "strip"}
_QUOTES: dict[str, Callable[[str], str]] = {"quote_plus": quote_plus, "quote": quote}


@dataclass
class Scope:
    """What names mean while evaluating: the settings object's attributes, other names."""

    attribute: Callable[[str], str | None]  # `settings.X` / `self.X` -> its value
    is_owner: Callable[[ast.expr], bool]  # does this expression denote the settings object?
    names: dict[str, object] = field(default_factory=dict)  # locals and module constants
    placeholder: str | None = None  # stands for an unknown part of an f-string (a shape)


def evaluate(node: ast.expr | None, scope: Scope) -> object:
    """The value of `node` (a str, an int, OWNER), or None when it cannot be known."""
    if node is None:
        return None
    if scope.is_owner(node):
        return OWNER
    if isinstance(node, ast.Constant) and isinstance(node.value, str | int):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = [evaluate(v, scope) for v in node.values]
        ok = all(isinstance(p, str | int) for p in parts)
        return "".join(str(p) for p in parts) if ok else None
    if isinstance(node, ast.FormattedValue):
        value = evaluate(node.value, scope)
        return scope.placeholder if value is None else value
    if isinstance(node, ast.Name):
        return scope.names.get(node.id)
    if isinstance(node, ast.Attribute):
        owner = evaluate(node.value, scope)
        return scope.attribute(node.attr) if owner is OWNER else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = evaluate(node.left, scope), evaluate(node.right, scope)
        return left + right if isinstance(left, str) and isinstance(right, str) else None
    if isinstance(node, ast.Call):
        return _call(node, scope)
    return None


def _call(node: ast.Call, scope: Scope) -> object:
    func = node.func
    name = name_of(func)
    args = [evaluate(a, scope) for a in node.args]
    if name in _QUOTES and len(args) == 1 and isinstance(args[0], str | int):
        return _QUOTES[name](str(args[0]))
    if name in _PASSTHROUGH:
        target = func.value if isinstance(func, ast.Attribute) and name != "str" else None
        value = evaluate(target, scope) if target is not None else (args[0] if args else None)
        return str(value) if isinstance(value, str | int) else None
    if name == "getenv" or ast.unparse(func).endswith("environ.get"):  # its default, if any
        return args[1] if len(args) > 1 else None
    keywords = {k.arg: evaluate(k.value, scope) for k in node.keywords if k.arg}
    if name == "create" and isinstance(func, ast.Attribute):  # sqlalchemy URL.create(...)
        return _url_create(args, keywords)
    if name == "build" and isinstance(func, ast.Attribute):  # pydantic MultiHostUrl.build(...)
        return _url_build(keywords)
    return None


def _url_create(args: list[object], keywords: dict[str, object]) -> str | None:
    from sqlalchemy.engine import URL

    drivername = args[0] if args else keywords.get("drivername")
    if not isinstance(drivername, str):
        return None
    text = {
        k: str(keywords[k])
        for k in ("username", "password", "host", "database")
        if isinstance(keywords.get(k), str | int)
    }
    if len(text) + ("drivername" in keywords) + ("port" in keywords) < len(keywords):
        return None  # a part that cannot be known
    port = keywords.get("port")
    url = URL.create(
        drivername,
        username=text.get("username"),
        password=text.get("password"),
        host=text.get("host"),
        port=int(port) if isinstance(port, str | int) else None,
        database=text.get("database"),
    )
    return url.render_as_string(hide_password=False)


def _url_build(keywords: dict[str, object]) -> str | None:
    """As pydantic builds it: the parts joined, nothing escaped."""
    scheme, host = keywords.get("scheme"), keywords.get("host")
    if not isinstance(scheme, str) or not isinstance(host, str):
        return None
    user, password = keywords.get("username"), keywords.get("password")
    auth = f"{user}:{password}@" if password is not None else f"{user}@" if user else ""
    port = f":{keywords['port']}" if keywords.get("port") is not None else ""
    path = keywords.get("path")
    return f"{scheme}://{auth}{host}{port}/{path if path is not None else ''}"


def evaluate_body(function: ast.FunctionDef, scope: Scope) -> object:
    """A straight-line function's return value: local assignments, then `return`."""
    names = dict(scope.names)
    local = Scope(scope.attribute, scope.is_owner, names, scope.placeholder)
    for statement in function.body:
        if isinstance(statement, ast.Return):
            return evaluate(statement.value, local)
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
            if isinstance(target, ast.Name):
                names[target.id] = evaluate(statement.value, local)
                continue
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue  # a docstring
        return None
    return None
