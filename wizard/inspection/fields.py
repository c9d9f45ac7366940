"""The fields of a settings class or of a model nested in one, as the URL lookup reads them."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from wizard.inspection.scan import name_of


@dataclass(frozen=True)
class Field:
    """One annotated field of a settings class (or of a model nested in one)."""

    name: str
    line: int
    alias: str | None
    default: str | None  # a literal string default
    annotation: str  # as written
    owner_module: str = ""  # the class that declares it
    owner_cls: str = ""
    default_expr: str | None = None  # the default as written, when it is not a literal


def annotated(cls: ast.ClassDef) -> list[ast.AnnAssign]:
    return [
        n
        for n in cls.body
        if isinstance(n, ast.AnnAssign)
        and isinstance(n.target, ast.Name)
        and n.target.id != "model_config"
    ]


def alias(field: ast.AnnAssign) -> str | None:
    if isinstance(field.value, ast.Call):
        for kw in field.value.keywords:
            if kw.arg in ("alias", "validation_alias", "env") and isinstance(
                kw.value, ast.Constant
            ):
                return str(kw.value.value)
    return None


def default(field: ast.AnnAssign) -> str | None:
    value = field.value
    func = value.func if isinstance(value, ast.Call) else None
    called = name_of(func)
    if isinstance(value, ast.Call) and called == "Field":  # Field("..."), Field(default="...")
        value = next((k.value for k in value.keywords if k.arg == "default"), None) or (
            value.args[0] if value.args else None
        )
    return value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None


def field_of(node: ast.AnnAssign, module: str, cls: str) -> Field:
    """A field as the URL lookup needs it."""
    name = node.target.id if isinstance(node.target, ast.Name) else ""
    annotation = ast.unparse(node.annotation)
    literal = default(node)
    written = ast.unparse(node.value) if node.value is not None and literal is None else None
    return Field(name, node.lineno, alias(node), literal, annotation, module, cls, written)


def properties_of(cls: ast.ClassDef) -> list[str]:
    """Methods read as attributes: @property, @computed_field, @cached_property."""
    found = []
    for node in cls.body:
        if isinstance(node, ast.FunctionDef):
            names = {ast.unparse(d).rsplit(".", 1)[-1] for d in node.decorator_list}
            if names & {"property", "computed_field", "cached_property"}:
                found.append(node.name)
    return found


def model_fields(cls: ast.ClassDef, module: str) -> list[Field]:
    """The annotated fields of a (nested) model class."""
    return [field_of(f, module, cls.name) for f in annotated(cls)]


def assembled(cls: ast.ClassDef) -> list[str]:
    """Fields a validator puts together from the other fields (`info.data["DB_USER"]`,
    pydantic v1's `values.get(...)`, `self.url = f"..."` after validation): the value is the
    parts', not a variable's of its own."""
    found: list[str] = []
    for node in cls.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        called = {name_of(d.func) for d in node.decorator_list if isinstance(d, ast.Call)}
        params = [a.arg for a in node.args.args]
        if called & {"field_validator", "validator"} and len(params) > 2:
            reads = any(isinstance(n, ast.Name) and n.id == params[2] for n in _inside(node))
            found += [n for d in node.decorator_list for n in _named(d)] if reads else []
        elif called & {"model_validator", "root_validator"} and params:
            found += [x for n in _inside(node) for p in params[:2] if (x := _set_on(n, p))]
    return list(dict.fromkeys(found))


def _inside(function: ast.FunctionDef) -> list[ast.AST]:
    return [n for stmt in function.body for n in ast.walk(stmt)]


def _named(decorator: ast.expr) -> list[str]:
    """The field names a validator decorator lists."""
    args = decorator.args if isinstance(decorator, ast.Call) else []
    return [a.value for a in args if isinstance(a, ast.Constant) and isinstance(a.value, str)]


def _set_on(node: ast.AST, owner: str) -> str:
    """`self.X = ...` or `values["X"] = ...`: X."""
    targets = node.targets if isinstance(node, ast.Assign) else []
    for target in targets:
        if isinstance(target, ast.Attribute) and getattr(target.value, "id", "") == owner:
            return target.attr
        key = target.slice if isinstance(target, ast.Subscript) else None
        if key is not None and getattr(getattr(target, "value", None), "id", "") == owner:
            return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else ""
    return ""
