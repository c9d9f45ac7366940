"""Give a MetaData a constraint naming convention with LibCST, every other byte kept: the
`MetaData(...)` call (`metadata = MetaData()`, a declarative base's `metadata = MetaData()`,
`declarative_base(metadata=...)`), or a new `metadata = MetaData(naming_convention=...)` in a
DeclarativeBase subclass. https://docs.sqlalchemy.org/en/20/core/constraints.html#constraint-naming-conventions
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import libcst as cst  # imported by guard only when a convention is added

from wizard.errors import WizardError

_EQUAL = cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))


def _dict_text(convention: Mapping[str, str], indent: str) -> str:
    items = "".join(f'{indent}    "{k}": "{v}",\n' for k, v in convention.items())
    return "{\n" + items + indent + "}"


def _call_name(node: cst.Call) -> str:
    func = node.func
    if isinstance(func, cst.Name):
        return func.value
    return func.attr.value if isinstance(func, cst.Attribute) else ""


def add_convention(source: str, name: str, convention: Mapping[str, str]) -> str:
    """`source` with `naming_convention=` on the MetaData that module-level `name` holds (a
    MetaData, a declarative base class, a declarative_base() result); unchanged when it has
    one already."""
    if "naming_convention" in source:
        return source
    bom = "\ufeff" if source.startswith("\ufeff") else ""
    module = cst.parse_module(source[len(bom) :])
    config = module.config_for_parsing
    value = cst.parse_expression(_dict_text(convention, ""), config=config)
    kwarg = cst.Arg(keyword=cst.Name("naming_convention"), value=value, equal=_EQUAL)
    editor = _Editor(name, kwarg, config)
    result = module.visit(editor)
    if not editor.done:
        raise WizardError(f"cannot find where {name}'s MetaData is made in this module")
    if not editor.uses_metadata_name:
        return bom + result.code
    return bom + str(_with_import(result, config).code)


class _Editor(cst.CSTTransformer):
    """Find the definition of `name` at module level and give its MetaData the kwarg."""

    def __init__(self, name: str, kwarg: cst.Arg, config: cst.PartialParserConfig) -> None:
        super().__init__()
        self.name, self.kwarg, self.config = name, kwarg, config
        self.done = self.uses_metadata_name = False
        self.depth = 0
        self.assigned_to: str | None = None

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.depth += 1
        return self.depth == 1 and node.name.value == self.name

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        self.depth -= 1
        if self.depth or original.name.value != self.name or self.done:
            return updated
        self.done = self.uses_metadata_name = True  # no metadata = ... in the class: add one
        call = cst.Call(func=cst.Name("MetaData"), args=[self.kwarg])
        assign = cst.SimpleStatementLine(
            [cst.Assign(targets=[cst.AssignTarget(cst.Name("metadata"))], value=call)]
        )
        body = [s for s in updated.body.body if not _is_pass(s)]
        body.insert(1 if body and _is_docstring(body[0]) else 0, assign)
        return updated.with_changes(body=updated.body.with_changes(body=body))

    def visit_Assign(self, node: cst.Assign) -> bool:
        target = node.targets[0].target
        self.assigned_to = target.value if isinstance(target, cst.Name) else None
        return True

    def leave_Assign(self, original: cst.Assign, updated: cst.Assign) -> cst.Assign:
        self.assigned_to = None
        return updated

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        if not self._target(original):
            return updated
        self.done = True
        if _call_name(original) == "MetaData":
            return updated.with_changes(args=[*updated.args, self.kwarg])
        self.uses_metadata_name = True  # declarative_base(metadata=MetaData(...))
        inner = cst.Call(func=cst.Name("MetaData"), args=[self.kwarg])
        arg = cst.Arg(keyword=cst.Name("metadata"), value=inner, equal=_EQUAL)
        return updated.with_changes(args=[*updated.args, arg])

    def _target(self, call: cst.Call) -> bool:
        """`name = MetaData(...)` / `name = declarative_base(...)` at module level, or
        `metadata = MetaData(...)` in the class `name`."""
        if self.done or _call_name(call) not in ("MetaData", "declarative_base", "generate_base"):
            return False
        if any(a.keyword and a.keyword.value == "metadata" for a in call.args):
            return False
        top = self.depth == 0 and self.assigned_to == self.name
        return top or (self.depth == 1 and self.assigned_to == "metadata")


def _is_pass(stmt: Any) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and all(
        isinstance(s, cst.Pass) for s in stmt.body
    )


def _is_docstring(stmt: Any) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, cst.SimpleString | cst.ConcatenatedString)
    )


def _with_import(module: Any, config: Any) -> Any:
    """`from sqlalchemy import MetaData` after the last top-level import, unless imported."""
    code = module.code
    if "import MetaData" in code or "MetaData," in code or ", MetaData" in code:
        return module
    body = list(module.body)
    last = max((i for i, s in enumerate(body) if _is_import(s)), default=-1)
    body.insert(last + 1, cst.parse_statement("from sqlalchemy import MetaData\n", config))
    return module.with_changes(body=body)


def _is_import(stmt: Any) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and isinstance(
        stmt.body[0], cst.Import | cst.ImportFrom
    )
