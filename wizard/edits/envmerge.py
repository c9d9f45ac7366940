"""Keep what the user added to env.py when the wizard rewrites it: hook functions
(`include_object`, `process_revision_directives`, ...), the extra `context.configure(...)`
options that use them, and the imports and constants those need."""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass

# what the wizard's own env.py defines, and Alembic's templates' names for the same things
OWN_FUNCTIONS = frozenset(
    {
        "get_url",
        "app_url",
        "configure",
        "run_migrations_offline",
        "run_migrations_online",
        "run_migrations_with",
        "run_async_migrations",
        "do_run_migrations",
        "caller_url",
        "_set_by_caller",
        "sync_url",
        "run_async",
        "include_models_schemas",
        "create_models_schemas",
        "complete_downgrades",
        "new_enum_columns",
        "import_type_modules",
        "load_env_file",
    }
)
OWN_NAMES = frozenset(
    {
        "config",
        "target_metadata",
        "app_settings",
        "MODEL_MODULES",
        "_module",
        "SYNC_URL_ENV",
        "SYNC_DRIVERNAME",
        "QUERY_RENAMES",
        "SSL_MODES",
        "app_database_url",
        "X_ARGS",
        "SCHEMAS",
    }
)
# what Alembic's Config sets on itself in __init__ (dir(Config) does not list them)
_CONFIG_INSTANCE_ATTRIBUTES = frozenset(
    {
        "config_file_name",
        "config_ini_section",
        "cmd_opts",
        "output_buffer",
        "messaging_opts",
        "config_args",
        "toml_file_name",
        "stdout",
    }
)
CARRIED_HEADING = "# kept from your env.py"  # templates/env.py.j2 writes it above user_code
OWN_SCHEMA_HOOK = "include_models_schemas"  # env.py's include_name for the models' schemas
OWN_CREATE_HOOK = "create_models_schemas"  # and its process_revision_directives
OWN_DOWNGRADE_HOOK = "complete_downgrades"  # or this one (and the schemas' hook inside)
OWN_RENDER_HOOK = "import_type_modules"  # and its render_item
MANAGED_OPTIONS = frozenset(
    {
        "url",
        "connection",
        "target_metadata",
        "literal_binds",
        "dialect_opts",
        "compare_type",
        "render_as_batch",
    }
)


@dataclass(frozen=True)
class UserParts:
    """What to carry into the new env.py."""

    imports: tuple[str, ...] = ()
    code: tuple[str, ...] = ()  # top-level definitions, in their order
    options: tuple[tuple[str, str], ...] = ()  # extra context.configure keyword arguments

    def __bool__(self) -> bool:
        return bool(self.imports or self.code or self.options)


def _names_used(nodes: list[ast.AST]) -> set[str]:
    return {n.id for node in nodes for n in ast.walk(node) if isinstance(n, ast.Name)}


def _bound(node: ast.stmt) -> set[str]:
    if isinstance(node, ast.Import | ast.ImportFrom):
        return {(a.asname or a.name).split(".")[0] for a in node.names}
    if isinstance(node, ast.Assign):  # `A = ...` and `A, B = ...`
        return {n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return {node.target.id}
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {node.name}
    return set()


def _configure_options(tree: ast.Module) -> list[ast.keyword]:
    found: dict[str, ast.keyword] = {}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "configure"
        ):
            for kw in node.keywords:
                if kw.arg and kw.arg not in MANAGED_OPTIONS:
                    found.setdefault(kw.arg, kw)
    return _own_hooks_left_out(found)


def _own_hooks_left_out(found: dict[str, ast.keyword]) -> list[ast.keyword]:
    if _is_ours(found.get("include_name"), OWN_SCHEMA_HOOK):
        found.pop("include_name")  # the wizard's schema filter, with its include_schemas
        found.pop("include_schemas", None)
    directives = found.get("process_revision_directives")
    if _is_ours(directives, OWN_CREATE_HOOK) or _is_ours(directives, OWN_DOWNGRADE_HOOK):
        found.pop("process_revision_directives")
    if _is_ours(found.get("render_item"), OWN_RENDER_HOOK):
        found.pop("render_item")
    return list(found.values())


def _is_ours(option: ast.keyword | None, hook: str) -> bool:
    return option is not None and isinstance(option.value, ast.Name) and option.value.id == hook


def _cli_config_reads(node: ast.expr) -> list[str]:
    """`config.X` in an option's value where Alembic's Config has no X."""
    from alembic.config import Config

    return [
        n.attr
        for n in ast.walk(node)
        if isinstance(n, ast.Attribute)
        and isinstance(n.value, ast.Name)
        and n.value.id == "config"
        and not hasattr(Config, n.attr)
        and n.attr not in _CONFIG_INSTANCE_ATTRIBUTES
    ]


def config_reads(source: str) -> list[str]:
    """What the configure() options of `source` (an env.py) read off Alembic's Config that
    Alembic's own Config does not have: a framework's migration CLI hands env.py a Config
    subclass that has them (`config.version_table_name`); plain `alembic` does not."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names = [n for kw in _configure_options(tree) for n in _cli_config_reads(kw.value)]
    return list(dict.fromkeys(names))


def _carried(
    options: list[ast.keyword], values: Mapping[str, str]
) -> tuple[list[ast.keyword], dict[str, str]]:
    """Options that read a framework CLI's Config (`version_table=config.version_table_name`)
    with the value the app's objects hold written in (`"alembic_versions"`), so that plain
    `alembic` and the framework's CLI use the same table; left out when no object holds it
    (Alembic's default applies)."""
    kept: list[ast.keyword] = []
    written: dict[str, str] = {}
    for kw in options:
        reads = _cli_config_reads(kw.value)
        if not reads:
            kept.append(kw)
        elif isinstance(kw.value, ast.Attribute) and reads[0] in values and kw.arg:
            written[kw.arg] = values[reads[0]]
    return kept, written


def extract(
    source: str, own_bindings: set[str], carried: Mapping[str, str] | None = None
) -> UserParts:
    """The user's additions in `source` (an env.py), given the names the new one binds;
    `carried`: the values a framework CLI's Config would hold, as Python literals."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return UserParts()
    options, written = _carried(_configure_options(tree), carried or {})
    functions = [
        n
        for n in tree.body
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        and n.name not in OWN_FUNCTIONS | own_bindings
    ]
    needed = _names_used([*functions, *(kw.value for kw in options)])
    chosen: list[ast.stmt] = list(functions)
    for _ in range(5):  # constants used by the hooks, and what those use
        extra = [
            n
            for n in tree.body
            if isinstance(n, ast.Assign | ast.AnnAssign)
            and n not in chosen
            and _bound(n) & needed
            and not _bound(n) & (OWN_NAMES | own_bindings)
        ]
        if not extra:
            break
        chosen += extra
        needed |= _names_used(list(extra))
    imports = [
        n
        for n in tree.body
        if isinstance(n, ast.Import | ast.ImportFrom)
        and _bound(n) & needed
        and not _bound(n) <= own_bindings
    ]
    code = [n for n in tree.body if n in chosen]  # in the file's order
    lifted = _nested_hooks(source, tree, options)
    reachable = {n for node in tree.body for n in _bound(node)} | set(lifted)
    options = [o for o in options if not isinstance(o.value, ast.Name) or o.value.id in reachable]
    return UserParts(
        imports=tuple(ast.get_source_segment(source, n) or "" for n in imports),
        code=(*(_segment(source, n) for n in code), *lifted.values()),
        options=(
            *((kw.arg or "", ast.get_source_segment(source, kw.value) or "") for kw in options),
            *written.items(),
        ),
    )


def _nested_hooks(source: str, tree: ast.Module, options: list[ast.keyword]) -> dict[str, str]:
    """A hook defined inside the function that configures (`def process_revision_directives`
    in `do_run_migrations`, which the new env.py replaces): moved to the top level, where
    the option that names it can reach it. Only one that needs nothing of its function."""
    top = {name for node in tree.body for name in _bound(node)}
    named = {kw.value.id for kw in options if isinstance(kw.value, ast.Name)} - top
    found: dict[str, str] = {}
    for outer in tree.body:
        if not isinstance(outer, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        local = {a.arg for a in ast.walk(outer.args) if isinstance(a, ast.arg)}
        local |= {n for stmt in outer.body for n in _bound(stmt)}
        for inner in outer.body:
            if not isinstance(inner, ast.FunctionDef) or inner.name not in named:
                continue
            if not (_names_used([inner]) & local) - {inner.name}:
                found[inner.name] = textwrap.dedent(_segment(source, inner))
    return found


def _segment(source: str, node: ast.stmt) -> str:
    """The statement's source, with its decorators (`ast.get_source_segment` leaves them out)
    and the comment lines right above it (what the user wrote about it)."""
    lines = source.splitlines(keepends=True)
    first = min([d.lineno for d in getattr(node, "decorator_list", [])] + [node.lineno]) - 1
    while first > 0 and lines[first - 1].lstrip().startswith("#") and not _ours(lines[first - 1]):
        first -= 1
    if first == node.lineno - 1 and node.end_lineno == node.lineno:  # one line: exact columns
        return ast.get_source_segment(source, node) or ""
    text = "".join(lines[first : node.end_lineno])
    return text.strip("\r\n")


def _ours(line: str) -> bool:
    """The heading the wizard writes above the carried code (not the user's comment)."""
    return line.strip() == CARRIED_HEADING


def bindings(source: str) -> set[str]:
    """The top-level names an env.py binds (to tell the user's additions from ours)."""
    return {name for node in ast.parse(source).body for name in _bound(node)}
