"""An existing env.py written for a framework's migration CLI (Advanced Alchemy's `litestar
database upgrade`) reads options off the Config subclass that CLI hands it
(`version_table=config.version_table_name`). Plain `alembic` has no such attributes, and
dropping the options would change what they set (Advanced Alchemy's version table is
`alembic_versions`, not Alembic's `alembic_version`: a migrated database would look empty).
The values come from where the CLI takes them: the app's objects, asked of the project's
Python. Static reading picks the modules that build those objects: a module-level
`name = call(...)` of something imported from the framework env.py imports, or of a
function of the project's that builds one (`alchemy = settings.db.get_config()`)."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from wizard.edits.envmerge import config_reads
from wizard.inspection.asking import object_request, placeholders
from wizard.inspection.envfiles import EnvSource
from wizard.inspection.scan import Module, Tree, name_of
from wizard.probe import runner
from wizard.probe.protocol import Attribute, Scalar

_NOT_FRAMEWORKS = {"alembic", "sqlalchemy", "sqlmodel", "__future__"}


def frameworks(env_text: str, tree: Tree) -> set[str]:
    """The packages env.py imports besides Alembic, SQLAlchemy, the standard library and the
    project's own (`advanced_alchemy`): where its Config subclass comes from."""
    own = {m.name.split(".")[0] for m in tree.modules.values()}
    found = set()
    for node in ast.walk(ast.parse(env_text)):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
    return found - _NOT_FRAMEWORKS - own - set(sys.stdlib_module_names)


def _imported_from(module: Module, packages: set[str]) -> set[str]:
    """Local names bound by imports from `packages`, at any level of the module."""
    names = {k for k, (src, _) in module.imports.items() if src.split(".")[0] in packages}
    for node in ast.walk(module.tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in packages:
            names |= {a.asname or a.name for a in node.names}
    return names


def _builders(modules: Iterable[Module], packages: set[str]) -> set[str]:
    """Functions and methods whose body calls something imported from `packages`."""
    found = set()
    for module in modules:
        imported = _imported_from(module, packages)
        for node in ast.walk(module.tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(
                isinstance(c, ast.Call) and _root(c.func) in imported for c in ast.walk(node)
            ):
                found.add(node.name)
    return found


def _root(node: ast.expr) -> str:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else ""


def _builds(module: Module, packages: set[str], builders: set[str]) -> bool:
    """A module-level `name = call(...)` of a framework's class or of a builder."""
    imported = _imported_from(module, packages)
    return any(
        isinstance(node, ast.Assign | ast.AnnAssign)
        and isinstance(node.value, ast.Call)
        and (_root(node.value.func) in imported or name_of(node.value.func) in builders)
        for node in module.tree.body
    )


def object_modules(tree: Tree, packages: set[str]) -> list[str]:
    """The project's modules that build the framework's objects at import."""
    needles = [p.encode() for p in packages]
    framework_users = [
        *tree.modules.values(),
        *tree.read_past(lambda data: any(n in data for n in needles)),
    ]
    builders = _builders(framework_users, packages)
    calls = [f"{b}(".encode() for b in builders]
    candidates = {m.name: m for m in framework_users}
    candidates.update({m.name: m for m in tree.read_past(lambda d: any(c in d for c in calls))})
    return sorted(n for n, m in candidates.items() if _builds(m, packages, builders))


def carried_values(
    tree: Tree, env_text: str | None, python: str, where: tuple[Path, list[EnvSource]]
) -> tuple[dict[str, str], list[str]]:
    """The attributes env.py reads off a framework CLI's Config, as Python literals of the
    values the app's objects hold, and notes for the user."""
    names = config_reads(env_text) if env_text else []
    if not names or env_text is None:
        return {}, []
    root, env_files = where
    modules = object_modules(tree, frameworks(env_text, tree))
    real = [e.path for e in env_files if not e.example]
    request = object_request(tree, root, real, names, modules)
    request["placeholders"] = placeholders(env_files)
    answer = runner.ask(python, request)
    found = answer.result["attributes"] if answer.result else []
    return _literals(names, found)


def _literals(names: list[str], found: list[Attribute]) -> tuple[dict[str, str], list[str]]:
    values: dict[str, str] = {}
    notes: list[str] = []
    for name in names:
        held = [a for a in found if a["name"] == name]
        if held:
            values[name] = _literal(held[0]["value"])
            notes += _several(name, held)
        else:
            notes.append(
                f"env.py's option that reads config.{name} is left out (Alembic's default "
                "applies): only a framework's migration CLI sets it, and no object of the app "
                "holds it"
            )
    return values, notes


def _literal(value: Scalar) -> str:
    """The value as Python source, a string in double quotes as env.py writes them."""
    text = repr(value)
    if isinstance(value, str) and '"' not in value and text.startswith("'"):
        return f'"{text[1:-1]}"'
    return text


def _several(name: str, held: list[Attribute]) -> Iterator[str]:
    if len(held) > 1:
        others = ", ".join(f"{a['value']!r} ({a['where']})" for a in held[1:])
        yield (
            f"env.py reads config.{name}: {held[0]['value']!r} ({held[0]['where']}) is "
            f"written in, the app also holds {others}"
        )
