"""Edit Python source with LibCST: add a field to a class, leave every other byte alone."""

from __future__ import annotations

from wizard.errors import WizardError


def add_field(source: str, cls: str, after: str, statement: str) -> str:
    """`source` with `statement` added to class `cls` on the line after field `after`."""
    import libcst as cst

    bom = "\ufeff" if source.startswith("\ufeff") else ""  # LibCST would drop it
    module = cst.parse_module(source[len(bom) :])
    new_stmt = cst.parse_statement(statement, config=module.config_for_parsing)

    class AddField(cst.CSTTransformer):
        def __init__(self) -> None:
            self.done = False
            self.depth = 0  # only the module-level class: the one the app imports

        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            self.depth += 1
            return True

        def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
            self.depth -= 1
            if self.depth or original.name.value != cls:
                return updated
            if not isinstance(updated.body, cst.IndentedBlock):
                return updated
            body = list(updated.body.body)
            for index, stmt in enumerate(body):
                if _assigns(stmt, after):
                    body.insert(index + 1, new_stmt)
                    self.done = True
                    break
            return updated.with_changes(body=updated.body.with_changes(body=body))

    transformer = AddField()
    result = bom + module.visit(transformer).code
    if not transformer.done:
        raise WizardError(f"class {cls} has no field {after} to add {statement.strip()} after")
    return result


def _assigns(stmt: object, name: str) -> bool:
    import libcst as cst

    if not isinstance(stmt, cst.SimpleStatementLine):
        return False
    for small in stmt.body:
        if (
            isinstance(small, cst.AnnAssign)
            and isinstance(small.target, cst.Name)
            and small.target.value == name
        ):
            return True
    return False


def add_member(source: str, cls: str, after: str, definition: str) -> str:
    """`source` with the method or property `definition` in class `cls`, after the member
    `after` when it is a method (else at the end of the class). Unchanged when the class
    already has a member of that name: a second run, or the user's own."""
    import libcst as cst

    bom = "\ufeff" if source.startswith("\ufeff") else ""
    module = cst.parse_module(source[len(bom) :])
    parsed = cst.parse_statement(definition, config=module.config_for_parsing)
    assert isinstance(parsed, cst.FunctionDef)
    new = parsed.with_changes(leading_lines=[cst.EmptyLine(indent=False)])
    name = parsed.name.value
    found = [False]

    class AddMember(cst.CSTTransformer):
        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            return False  # module-level classes only: the one the app imports

        def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
            if updated.name.value != cls or not isinstance(updated.body, cst.IndentedBlock):
                return updated
            found[0] = True
            body = list(updated.body.body)
            if any(_named(stmt, name) for stmt in body):
                return updated
            methods = [isinstance(s, cst.FunctionDef) and s.name.value == after for s in body]
            at = methods.index(True) + 1 if any(methods) else len(body)
            body.insert(at, new)
            return updated.with_changes(body=updated.body.with_changes(body=body))

    result = bom + module.visit(AddMember()).code
    if not found[0]:
        raise WizardError(f"no class {cls} to add {name} to")
    return result


def _named(stmt: object, name: str) -> bool:
    """A method, property or field called `name`."""
    import libcst as cst

    return (isinstance(stmt, cst.FunctionDef) and stmt.name.value == name) or _assigns(stmt, name)
