"""Inspect a project (read-only, static) into a frozen description the other stages use."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from wizard import envfile
from wizard.errors import NotForUs, WizardError
from wizard.models import Metadata, TableDef, find_tables
from wizard.resolve import Resolver
from wizard.scan import Skipped, Tree, scan
from wizard.settings import Settings, find_settings
from wizard.textio import read_text

# bytes that a file must contain to be worth parsing (keeps 5,000-file trees fast)
_PREFILTER = (
    b"sqlalchemy", b"sqlmodel", b"__tablename__", b"table=True", b"Settings", b"MetaData",
    b"declarative", b"Mapped", b"Column(", b"relationship(",
)  # fmt: skip
_PROJECT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", "requirements.txt", "alembic.ini")
EXAMPLE_SUFFIXES = (".example", ".sample", ".template", ".dist")
DRIVER_MODULES = (
    "asyncpg", "psycopg", "psycopg2", "pg8000", "aiosqlite", "asyncmy", "aiomysql", "pymysql",
    "MySQLdb", "aioodbc", "pyodbc", "oracledb", "sqlmodel", "alembic", "pydantic_settings",
    "greenlet",
)  # fmt: skip
_ASYNC_MODULES = ("sqlalchemy.ext.asyncio", "sqlmodel.ext.asyncio")


@dataclass(frozen=True)
class EnvSource:
    """An env file that exists, parsed."""

    path: Path
    text: str
    env: envfile.EnvFile
    example: bool


@dataclass(frozen=True)
class Project:
    """Everything inspection found. Paths are absolute."""

    top: Path  # the folder the wizard was pointed at
    root: Path  # where alembic.ini goes and Alembic runs
    import_root: Path  # what goes on sys.path
    tables: tuple[TableDef, ...]
    settings: tuple[Settings, ...]
    module_paths: dict[str, Path]
    env_files: tuple[EnvSource, ...]
    python: str
    installed: frozenset[str]
    skipped: tuple[Skipped, ...]
    alembic_ini: Path | None
    script_location: str | None
    async_engine: bool  # the project imports SQLAlchemy's asyncio extension
    remembered: dict[str, object]  # the answers of the last run (`[tool.alembic-wizard]`)

    @property
    def metadatas(self) -> list[Metadata]:
        """Distinct MetaData objects that hold tables, in first-seen order."""
        return list(dict.fromkeys(t.metadata for t in self.tables))

    @property
    def model_modules(self) -> list[str]:
        """Every module that defines a table."""
        return sorted({t.module for t in self.tables})

    @property
    def uses_sqlmodel(self) -> bool:
        return any(m.module == "sqlmodel" for m in self.metadatas)

    def rel(self, path: Path) -> str:
        """`path` relative to the folder the wizard was pointed at, for messages."""
        try:
            return path.relative_to(self.top).as_posix()
        except ValueError:
            return str(path)


def inspect(top: Path, python: str | None = None) -> Project:
    """Read the project under `top`; raise NotForUs when it has no SQLAlchemy tables."""
    top = top.resolve()
    if not top.is_dir():
        raise WizardError("not a folder", path=top)
    tree = scan(top, prefilter=_PREFILTER)
    resolver = Resolver(tree, tuple(sorted({m.root for m in tree.modules.values()})))
    tables = find_tables(resolver)
    if not tables:
        blame_skipped(tree.skipped, (b"__tablename__", b"table=True", b"Table("))
        raise NotForUs(
            "no SQLAlchemy or SQLModel tables found",
            path=top,
            hint="point --project at the folder that holds your models",
        )
    settings = find_settings(resolver)
    import_root = _import_root(tree, tables)
    root = _project_root(top, import_root)
    interpreter = find_python(root, top, python)
    ini = root / "alembic.ini"
    return Project(
        top=top,
        root=root,
        import_root=import_root,
        tables=tuple(tables),
        settings=tuple(settings),
        module_paths={m.name: m.path for m in tree.modules.values()},
        env_files=tuple(_env_files(root, top, settings)),
        python=interpreter,
        installed=installed_modules(interpreter),
        skipped=tuple(tree.skipped),
        alembic_ini=ini if ini.exists() else None,
        script_location=_script_location(ini) if ini.exists() else None,
        remembered=_remembered(root),
        async_engine=any(
            source.startswith(_ASYNC_MODULES)
            for module in tree.modules.values()
            for source, _ in module.imports.values()
        ),
    )


def blame_skipped(skipped: list[Skipped], words: tuple[bytes, ...]) -> None:
    """When nothing was found, a file we could not parse that mentions `words` is the cause."""
    for item in skipped:
        try:
            data = item.path.read_bytes()
        except OSError:
            continue
        if any(w in data for w in words):
            raise WizardError(
                f"cannot parse this file: {item.why}",
                path=item.path,
                line=item.line,
                hint="fix the syntax error (the wizard reads files, it does not run them)",
            )


def _import_root(tree: Tree, tables: list[TableDef]) -> Path:
    roots = {tree.modules[t.module].root for t in tables}
    if len(roots) > 1:
        shown = ", ".join(sorted(str(r) for r in roots))
        raise WizardError(
            f"models live under several import roots: {shown}",
            hint="point --project at the folder of the application whose models you migrate",
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


def _env_files(root: Path, top: Path, settings: list[Settings]) -> list[EnvSource]:
    """The settings' env files (relative to where Alembic runs), `.env`, and example files."""
    names = [f for s in settings[:1] for f in s.env_files] or [".env"]
    candidates = [root / n for n in names] + [root / ".env", top / ".env"]
    for folder in dict.fromkeys(c.parent for c in candidates):
        candidates += [folder / f".env{suffix}" for suffix in EXAMPLE_SUFFIXES]
    found = []
    for path in dict.fromkeys(c.resolve() for c in candidates):
        if path.is_file():
            text = read_text(path)
            example = path.name.endswith(EXAMPLE_SUFFIXES)
            found.append(EnvSource(path, text, envfile.parse(text, path), example))
    return found


def find_python(root: Path, top: Path, explicit: str | None) -> str:
    """The project's interpreter: --python, $VIRTUAL_ENV, .venv/, venv/, else ours."""
    if explicit:
        return explicit
    candidates = []
    if os.environ.get("VIRTUAL_ENV"):
        candidates.append(Path(os.environ["VIRTUAL_ENV"]))
    candidates += [root / ".venv", root / "venv", top / ".venv", top / "venv"]
    for env in candidates:
        exe = env / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
        if exe.exists():
            return str(exe)
    return sys.executable


def installed_modules(python: str) -> frozenset[str]:
    """Which driver modules the project's interpreter can import (found, not imported)."""
    if Path(python).resolve() == Path(sys.executable).resolve():
        from importlib.util import find_spec

        return frozenset(m for m in DRIVER_MODULES if find_spec(m) is not None)
    code = (
        "import importlib.util as u, sys;print(' '.join(m for m in sys.argv[1:] if u.find_spec(m)))"
    )
    try:
        out = subprocess.run(
            [python, "-c", code, *DRIVER_MODULES],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise WizardError(f"cannot run the project's Python: {exc}", path=python) from exc
    return frozenset(out.split())


def _remembered(root: Path) -> dict[str, object]:
    from wizard import memory

    path = memory.config_path(root)
    if not path.is_file():
        return {}
    try:
        return memory.load(root, read_text(path))
    except ValueError as exc:  # tomlkit's parse errors
        raise WizardError(f"cannot parse: {exc}", path=path) from exc


def _script_location(ini: Path) -> str | None:
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(read_text(ini), source=str(ini))
    except configparser.Error as exc:
        raise WizardError(f"cannot parse: {exc.message}", path=ini) from exc
    return parser.get("alembic", "script_location", fallback=None)
