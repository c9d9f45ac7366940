"""Inspect a project (read-only, static) into a frozen `Project`: everything later stages
read from disk is read here, once."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from wizard.edits import remembered
from wizard.errors import NotForUs, WizardError
from wizard.inspection.alembic_setup import read_setup
from wizard.inspection.asked import probed_sources, probed_tables
from wizard.inspection.asking import engine_request, placeholders
from wizard.inspection.carried import carried_values
from wizard.inspection.compose import env_file_names, find_compose
from wizard.inspection.constants import url_constants
from wizard.inspection.create_all import find_create_all
from wizard.inspection.engines import EngineCall, find_engines, uses_asyncio
from wizard.inspection.envfiles import EnvSource, find_env_files
from wizard.inspection.environment import read_environment
from wizard.inspection.follow import static_sources, urlish
from wizard.inspection.hooks import declared
from wizard.inspection.interpreter import find_python
from wizard.inspection.models import TableDef, computes_table_names, find_tables, names_schema
from wizard.inspection.project import Project, blame_skipped
from wizard.inspection.rebound import rebound
from wizard.inspection.recover import recover
from wizard.inspection.resolve import Resolver
from wizard.inspection.scan import Tree, scan, scan_more
from wizard.inspection.settings import Settings, find_settings
from wizard.inspection.snapshot import read_files, read_folder, snapshot, with_remembered
from wizard.inspection.source import UrlSource
from wizard.inspection.sourcevalues import Values
from wizard.inspection.words import can_matter, models_only, names_columns
from wizard.textio import read_if_file

__all__ = ["Project", "inspect", "read_files", "read_folder"]

_PROJECT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", "requirements.txt", "alembic.ini")


def inspect(
    top: Path, python: str | None = None, *, env_imports: bool = False, config: str | None = None
) -> Project:
    """Read the project under `top`; raise NotForUs when it has no SQLAlchemy tables.
    `env_imports`: also follow every import of the existing env.py (what doctor checks);
    `config`: Alembic's config file as `-c` names it (else the remembered one, else found)."""
    top = top.resolve()
    if not top.is_dir():
        raise WizardError("not a folder", path=top)
    tree = scan(top, prefilter=can_matter, skimmable=models_only)
    if computes_table_names(tree.modules.values()):  # models that never say __tablename__
        scan_more(tree, names_columns, models_only)
    resolver = Resolver(tree)
    guess = (*tree.roots, top)[0]  # the project's interpreter, asked only for unparsed files
    outlined = recover(tree, lambda: find_python(_project_root(top, guess), top, python))
    tables, asked = _tables(tree, resolver, (top, guess), python)
    if not tables:
        unread = [*tree.skipped, *(item for item, _ in outlined)]
        blame_skipped(unread, (b"__tablename__", b"table=True", b"Table("))
        why = f" ({asked[0]})" if asked else ""  # the project's Python could not import them
        raise NotForUs(
            f"no SQLAlchemy or SQLModel tables found{why}",
            path=top,
            hint="point --project at the folder that holds your models",
        )
    tables = rebound(resolver, tables)
    project = _describe(tree, resolver, top, tables, python, (env_imports, config))
    where = (project.root, list(project.env_files))
    carried, noted = carried_values(tree, project.alembic.env_text, project.python, where)
    notices = (*(n for _, n in outlined), *asked, *project.notices, *noted)
    project = replace(project, notices=notices, carried=carried)
    return with_remembered(snapshot(project, project.default_migrations))


def _tables(
    tree: Tree, resolver: Resolver, where: tuple[Path, Path], python: str | None
) -> tuple[list[TableDef], list[str]]:
    """The models' tables, as static reading finds them, or where it cannot tell (a
    library's base class, imperative mapping, names made at run time), as the project's
    interpreter imports them; and what that said."""
    tables = find_tables(resolver)
    if tables and all(t.name is not None for t in tables):
        return tables, []
    top, guess = where
    root = _project_root(top, guess)
    notes: list[str] = []
    known = {t.module for t in tables}
    probed, whole = probed_tables(tree, find_python(root, top, python), (root, top), known, notes)
    # the model modules the scan read past (no word of a table in them): parsed now
    probed = [t for t in probed if resolver.module(t.module) is not None]
    if probed and (whole or not tables) or not tables:  # else static reading's, silently
        return probed or tables, notes
    return tables, []


def _describe(
    tree: Tree,
    resolver: Resolver,
    top: Path,
    tables: list[TableDef],
    python: str | None,
    alembic: tuple[bool, str | None],
) -> Project:
    import_root = _import_root(tree, tables)
    root = _project_root(top, import_root)
    config_path = _config_path(root, top)
    env_imports, config = alembic[0], alembic[1] or _remembered_config(config_path)
    setup = read_setup(root, resolver, import_root, env_imports=env_imports, config=config)
    found = read_environment(root, top, python, [h.key for h in declared(setup)])
    settings = _settings(resolver, root, found.environment.modules)
    composes = find_compose(root, top)
    names = [f for s in settings for f in s.env_files] + env_file_names(composes, root)
    env_files = find_env_files(root, top, list(dict.fromkeys(names)))
    engines = find_engines(tree)
    values = Values(resolver, {k: v for e in env_files if not e.example for k, v in e.values()})
    asked: list[str] = []
    where = (root, found.environment.python)
    sources, followed = _url_sources(tree, values, (settings, engines, env_files), where, asked)
    return Project(
        top=top,
        root=root,
        import_root=import_root,
        tables=tuple(tables),
        settings=tuple(settings),
        env_files=tuple(env_files),
        sources=tuple(sources),
        followed=followed,
        alembic=setup,
        config_path=config_path,
        gitignore=_gitignore(top, root),
        compose=tuple(composes),
        **_read_from(tree, engines),
        **{**found.project_fields(), "notices": (*found.notices, *asked)},
    )


def _settings(resolver: Resolver, root: Path, modules: frozenset[str]) -> list[Settings]:
    """The settings classes; pydantic 1's BaseSettings only where pydantic 2 is not in use
    (pydantic_settings installed: pydantic.BaseSettings no longer exists)."""
    settings = find_settings(resolver, root)
    if "pydantic_settings" in modules:
        return [s for s in settings if not s.pydantic_v1]
    return settings


def _read_from(tree: Tree, engines: list[EngineCall]) -> dict[str, Any]:
    """The Project's fields that come from the scanned modules alone."""
    modules = tree.modules.values()
    return {
        "module_paths": {m.name: m.path for m in modules},
        "module_names": ModuleNames(tree),
        "engines": tuple((e.module.path, e.line) for e in engines),
        "create_all": find_create_all(tree),
        "async_engine": any(uses_asyncio(module) for module in modules),
        "schemas": any(names_schema(module) for module in modules),
        "skipped": tuple(tree.skipped),
    }


def _url_sources(
    tree: Tree,
    values: Values,
    found: tuple[list[Settings], list[EngineCall], list[EnvSource]],
    where: tuple[Path, str],
    asked: list[str],
) -> tuple[list[UrlSource], bool]:
    """Where the engine's URL comes from, and whether its trail was followed: static
    reading first; where it lost the trail, or found no value on it, the app's own answer;
    where nothing was followed, a URL put together at module level."""
    settings, engines, env_files = found
    sources, followed = static_sources(values, settings, engines)
    if not followed or not any(_valued(s, env_files) for s in sources):
        root, python = where
        request = engine_request(tree, engines, root, [e.path for e in env_files if not e.example])
        request["placeholders"] = placeholders(env_files)
        probed = probed_sources(values, settings, python, request, asked)
        sources, followed = (probed, True) if probed else (sources, followed)
    if not sources:
        sources = url_constants(tree, values)
        followed = bool(sources)
    return sources, followed


def _valued(source: UrlSource, env_files: list[EnvSource]) -> bool:
    """Static reading knows the source's value, or its shape, or a template's value."""
    if source.default is not None and urlish(source.default) or source.shape is not None:
        return True
    key = source.env_key
    if key is None:
        return False
    return any(e.env.get(key, case_sensitive=source.case_sensitive) for e in env_files)


class ModuleNames:
    """Every dotted name a file of the app's is imported by, and its packages (what a
    `--models` answer may name), worked out at the first question: only a `--models` answer
    that names no table asks, and naming every file cost each run of a 2,000-module tree
    30 ms (an eighth of its inspect)."""

    def __init__(self, tree: Tree) -> None:
        self._parsed = [m.name for m in tree.modules.values()]
        self._unparsed = [path for path, _ in tree.unparsed]
        self._name_of = tree.namer()
        self._names: frozenset[str] | None = None

    def __contains__(self, name: object) -> bool:
        if self._names is None:
            names = {*self._parsed, *map(self._name_of, self._unparsed)}
            self._names = frozenset(
                n.rsplit(".", k)[0] for n in names for k in range(n.count(".") + 1)
            )
        return name in self._names


def _gitignore(top: Path, root: Path) -> Path | None:
    return next((f / ".gitignore" for f in (top, root) if (f / ".gitignore").is_file()), None)


def _remembered_config(path: Path) -> str | None:
    """The Alembic config file a setup with `-c` remembered (a re-run needs no `-c`)."""
    text = read_if_file(path)
    try:
        found = remembered.load(text, in_pyproject=path.name == "pyproject.toml").get("config")
    except ValueError:  # said with file and line where the remembered answers are read
        return None
    return found if isinstance(found, str) else None


def _config_path(root: Path, top: Path) -> Path:
    """The nearest pyproject.toml at or above the project root (inside `top`): where the
    dependencies are declared, also when Alembic runs from `src/`."""
    for folder in (root, *root.parents):
        if (folder / "pyproject.toml").is_file():
            return folder / "pyproject.toml"
        if folder == top or top not in folder.parents:
            break
    return root / remembered.SMALL_FILE


def _import_root(tree: Tree, tables: list[TableDef]) -> Path:
    roots_of: dict[str, set[Path]] = {}
    for module in tree.modules.values():
        roots_of.setdefault(module.name, set()).add(module.root)
    roots = set().union(*(roots_of[t.module] for t in tables))
    if len(roots) > 1:  # two applications in one tree (or a stray copy of one)
        shown = sorted(r.relative_to(tree.top).as_posix() if r != tree.top else "." for r in roots)
        raise WizardError(
            f"models live under several import roots: {', '.join(shown)}",
            path=tree.top,
            hint=f"point --project at the application to migrate, e.g. --project {shown[0]}",
        )
    return roots.pop()


def _project_root(top: Path, import_root: Path) -> Path:
    """The nearest folder at or above the import root (inside `top`) that looks like a project."""
    folder = import_root
    while True:
        if any((folder / m).exists() for m in _PROJECT_MARKERS):
            return folder
        if folder == top or top not in folder.parents:
            break
        folder = folder.parent
    return import_root.parent if import_root.name == "src" else import_root
