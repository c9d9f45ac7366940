"""Inspect a project (read-only, static) into a frozen `Project`: everything later stages
read from disk is read here, once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from wizard.edits import remembered
from wizard.errors import NotForUs, WizardError
from wizard.inspection.alembic_setup import read_setup
from wizard.inspection.asking import engine_request, model_request, placeholders
from wizard.inspection.carried import carried_values
from wizard.inspection.compose import env_file_names, find_compose
from wizard.inspection.constants import url_constants
from wizard.inspection.create_all import find_create_all
from wizard.inspection.engines import find_engines, uses_asyncio
from wizard.inspection.envfiles import EnvSource, find_env_files
from wizard.inspection.environment import read_environment
from wizard.inspection.follow import static_sources, urlish
from wizard.inspection.hooks import declared
from wizard.inspection.interpreter import find_python
from wizard.inspection.models import TableDef, computes_table_names, find_tables, names_schema
from wizard.inspection.probed import (
    Sources,
    failure_note,
    filled_note,
    one_per_variable,
    printed_note,
    tables_of,
)
from wizard.inspection.project import Project, blame_skipped
from wizard.inspection.rebound import rebound
from wizard.inspection.recover import recover
from wizard.inspection.resolve import Resolver
from wizard.inspection.scan import Tree, scan, scan_more
from wizard.inspection.settings import Settings, find_settings
from wizard.inspection.source import UrlSource
from wizard.inspection.sourcevalues import Values
from wizard.inspection.words import can_matter, models_only, names_columns
from wizard.probe import runner
from wizard.probe.protocol import Failure, Request
from wizard.store import written_path
from wizard.textio import read_if_file, read_text

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
    tables = find_tables(resolver)
    asked: list[str] = []
    if not tables or any(t.name is None for t in tables):
        # a library's base class, imperative mapping, names made at run time: the models' own
        root = _project_root(top, guess)
        notes: list[str] = []
        python_path = find_python(root, top, python)
        known = {t.module for t in tables}
        probed, whole = _probed_tables(tree, python_path, (root, top), known, notes)
        # the model modules the scan read past (no word of a table in them): parsed now
        probed = [t for t in probed if resolver.module(t.module) is not None]
        if probed and (whole or not tables) or not tables:  # else static reading's, silently
            tables = probed or tables
            asked += notes
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
    return _with_remembered(_snapshot(project, project.default_migrations))


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
    settings = find_settings(resolver, root)
    if "pydantic_settings" in found.environment.modules:  # pydantic 2: no pydantic.BaseSettings
        settings = [s for s in settings if not s.pydantic_v1]
    composes = find_compose(root, top)
    names = [f for s in settings for f in s.env_files] + env_file_names(composes, root)
    env_files = find_env_files(root, top, list(dict.fromkeys(names)))
    engines = find_engines(tree)
    values = Values(resolver, {k: v for e in env_files if not e.example for k, v in e.values()})
    sources, followed = static_sources(values, settings, engines)
    asked: list[str] = []
    if not followed or not any(_valued(s, env_files) for s in sources):
        # static reading lost the URL's trail, or found no value on it: the app's own answer
        env_paths = [e.path for e in env_files if not e.example]
        request = engine_request(tree, engines, root, env_paths)
        request["placeholders"] = placeholders(env_files)
        python = found.environment.python
        probed = _probed_sources(values, settings, python, request, asked)
        sources, followed = (probed, True) if probed else (sources, followed)
    if not sources:  # nothing followed, nothing started: a URL put together at module level
        sources = url_constants(tree, values)
        followed = bool(sources)
    return Project(
        top=top,
        root=root,
        import_root=import_root,
        tables=tuple(tables),
        settings=tuple(settings),
        module_paths={m.name: m.path for m in tree.modules.values()},
        module_names=ModuleNames(tree),
        env_files=tuple(env_files),
        sources=tuple(sources),
        followed=followed,
        engines=tuple((e.module.path, e.line) for e in engines),
        create_all=find_create_all(tree),
        alembic=setup,
        async_engine=any(uses_asyncio(module) for module in tree.modules.values()),
        schemas=any(names_schema(module) for module in tree.modules.values()),
        config_path=config_path,
        skipped=tuple(tree.skipped),
        gitignore=_gitignore(top, root),
        compose=tuple(composes),
        **{**found.project_fields(), "notices": (*found.notices, *asked)},
    )


def _valued(source: UrlSource, env_files: list[EnvSource]) -> bool:
    """Static reading knows the source's value, or its shape, or a template's value."""
    if source.default is not None and urlish(source.default) or source.shape is not None:
        return True
    key = source.env_key
    if key is None:
        return False
    return any(e.env.get(key, case_sensitive=source.case_sensitive) for e in env_files)


def _probed_tables(
    tree: Tree, python: str, where: tuple[Path, Path], known: set[str], notes: list[str]
) -> tuple[list[TableDef], bool]:
    """The tables the models make, and whether every model module imported (only then do
    they replace what static reading found)."""
    root, top = where
    found_env = find_env_files(root, top, ())
    env_files = [e.path for e in found_env if not e.example]
    request = model_request(tree, root, env_files, known)
    request["placeholders"] = placeholders(found_env)
    answer = runner.ask(python, request)
    failures = _failures(answer)
    notes += [failure_note(f, top) for f in failures]
    found = tables_of(answer.result["tables"]) if answer.result else []
    return found, not failures


def _probed_sources(
    values: Values, settings: list[Settings], python: str, request: Request, notes: list[str]
) -> list[UrlSource]:
    if not request["engine_modules"] and not request["expressions"]:
        return []
    answer = runner.ask(python, request)
    notes += [failure_note(f, values.resolver.tree.top) for f in _failures(answer)]
    if answer.result is None:
        return []
    if answer.result["stdout"]:
        notes.append(printed_note(answer.result["stdout"]))
    filled = answer.result["filled"]
    placeheld = bool(request["placeholders"]) or bool(filled)
    sources = Sources(tuple(settings), values, placeheld, frozenset(filled))
    notes += [filled_note(filled)] if filled else []
    found = [s for e in answer.result["engines"] if (s := sources.of(e)) is not None]
    return one_per_variable(list({s.label: s for s in found}.values()))


def _failures(answer: runner.Answer) -> list[Failure]:
    if answer.failure is not None:
        return [answer.failure]
    return answer.result["failures"] if answer.result else []


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


def read_folder(project: Project, migrations: str) -> Project:
    """The project with the files of another migrations folder read too (`--migrations`)."""
    return _snapshot(project, migrations)


def read_files(project: Project, paths: Iterable[Path]) -> Project:
    """The project with `paths` read too (the files `guard` may write)."""
    files = dict(project.files)
    for path in paths:
        if path not in files:
            files[path] = read_if_file(path)
    return replace(project, files=files)


def _snapshot(project: Project, migrations: str) -> Project:
    """Read every file the plan may touch, once."""
    project = _readable_requirements(project)
    folder = project.root / migrations
    paths = [
        project.config_path,
        project.alembic.ini_path,
        folder / "env.py",
        folder / "script.py.mako",
        written_path(project.root, folder / "env.py"),
        written_path(project.root, folder / "script.py.mako"),
        *(project.module_paths[s.owner_module] for s in project.settings if s.owner_module),
        *(u.settings_path for u in project.sources if u.settings_path),
        *([project.gitignore] if project.gitignore else []),
        *([project.root / "requirements.txt"] if project.requirements_txt else []),
    ]
    files = dict(project.files)
    for path in paths:
        if path not in files:
            files[path] = read_if_file(path)
    files.update({s.path: s.text for s in project.env_files})
    files.update({c.path: c.text for c in project.compose})
    versions = folder / "versions"  # an empty one is as good as none: git keeps no folder
    dirs = project.dirs | ({versions} if versions.is_dir() and any(versions.iterdir()) else set())
    return replace(project, files=files, dirs=frozenset(dirs))


def _readable_requirements(project: Project) -> Project:
    """A requirements.txt that is not UTF-8 (pip reads UTF-16 with a BOM too) is left alone,
    with a note: the dependencies are then the user's to declare."""
    path = project.root / "requirements.txt"
    if not project.requirements_txt or path in project.files:
        return project
    try:
        text = read_text(path)
    except WizardError as exc:
        note = f"{project.rel(path)}: {exc.message}; left alone (declare alembic there yourself)"
        return replace(project, requirements_txt=False, notices=(*project.notices, note))
    return replace(project, files={**project.files, path: text})  # read once: the snapshot


def _with_remembered(project: Project) -> Project:
    text = project.files[project.config_path]
    try:
        found = remembered.load(text, in_pyproject=project.config_path.name == "pyproject.toml")
    except ValueError as exc:  # tomlkit's parse errors
        raise WizardError(f"cannot parse: {exc}", path=project.config_path) from exc
    return replace(project, remembered=found)


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
