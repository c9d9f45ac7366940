"""The project's existing Alembic setup, read once: `alembic.ini`, where the scripts live,
`env.py` (its text, its kind, the modules it loads), the revision heads."""

from __future__ import annotations

import ast
import configparser
import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from wizard.errors import WizardError
from wizard.inspection.resolve import Resolver
from wizard.textio import read_text

EnvKind = Literal["none", "ours", "async", "sync"]
DEFAULT_FOLDER = "migrations"


@dataclass(frozen=True)
class AlembicSetup:
    """What exists of Alembic in the project root."""

    ini_path: Path  # where alembic.ini is, or would go
    ini_text: str | None
    script_location: str | None  # as written in alembic.ini
    env_text: str | None  # the env.py under script_location
    heads: tuple[str, ...] = ()
    env_imports: frozenset[str] = frozenset()  # modules env.py loads, directly or not

    @property
    def ini(self) -> configparser.ConfigParser | None:
        """alembic.ini parsed without interpolation (None: there is none)."""
        if self.ini_text is None:
            return None
        parser = configparser.ConfigParser(interpolation=None)
        parser.read_string(self.ini_text, source=str(self.ini_path))
        return parser

    @property
    def folder(self) -> str | None:
        """script_location as a folder relative to the project root (None: not set)."""
        return folder_of(self.script_location)

    @property
    def env_path(self) -> Path | None:
        """The existing env.py (None: there is none)."""
        folder = self.folder
        if folder is None or self.env_text is None:
            return None
        return self.ini_path.parent / folder / "env.py"

    @property
    def env_kind(self) -> EnvKind:
        text = self.env_text or ""
        if not text:
            return "none"
        if "written by alembic-wizard" in text:
            return "ours"
        if any(w in text for w in ("run_sync", "async_engine_from_config", "create_async_engine")):
            return "async"
        return "sync"

    def env_tree(self) -> ast.Module | None:
        """env.py parsed (None: there is none); a syntax error names the file and line."""
        if self.env_text is None:
            return None
        try:
            return ast.parse(self.env_text)
        except SyntaxError as exc:
            raise WizardError(
                f"cannot parse: {exc.msg}", path=self.env_path, line=exc.lineno
            ) from exc

    def ini_line(self, key: str) -> int | None:
        """The line of `key` (or of a `[section]` header) in alembic.ini."""
        import re

        for number, line in enumerate((self.ini_text or "").splitlines(), 1):
            if re.match(rf"\s*{re.escape(key)}\s*[=:]", line) or line.strip() == key:
                return number
        return None


def folder_of(script_location: str | None) -> str | None:
    """`%(here)s/migrations` -> `migrations`; `%(here)s` -> `.`."""
    if not script_location:
        return None
    folder = script_location.replace("%(here)s", ".").strip()
    return Path(folder).as_posix().strip("/") or "."


def read_setup(root: Path, resolver: Resolver, import_root: Path) -> AlembicSetup:
    """Read alembic.ini and the env.py it points at."""
    ini_path = root / "alembic.ini"
    ini_text = read_text(ini_path) if ini_path.is_file() else None
    setup = AlembicSetup(ini_path, ini_text, None, None)
    try:
        parser = setup.ini
    except configparser.Error as exc:
        raise WizardError(f"cannot parse: {exc.message}", path=ini_path) from exc
    location = parser.get("alembic", "script_location", fallback=None) if parser else None
    folder = folder_of(location)
    scripts = root / folder if folder else None
    env_path = scripts / "env.py" if scripts else None
    env_text = read_text(env_path) if env_path and env_path.is_file() else None
    return AlembicSetup(
        ini_path,
        ini_text,
        location,
        env_text,
        heads=heads(scripts / "versions") if scripts else (),
        env_imports=_env_imports(env_text, resolver) if env_text else frozenset(),
    )


def _env_imports(text: str, resolver: Resolver) -> frozenset[str]:
    """Modules env.py loads: its imports, importlib strings, and what those import in turn."""
    try:
        tree = ast.parse(text)
    except SyntaxError:  # doctor says so (AlembicSetup.env_tree); setup rewrites the file
        return frozenset()
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.add(node.value)  # MODEL_MODULES = ("app.models", ...) / import_module("...")
    return frozenset(_closure(resolver, [m for m in found if resolver.module(m)]))


def _closure(resolver: Resolver, todo: list[str]) -> set[str]:
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        module = resolver.module(name) if name not in seen else None
        seen.add(name)
        if module is None:
            continue
        for source, attr in module.imports.values():
            for candidate in (source, f"{source}.{attr}" if attr else source):
                if resolver.module(candidate) is not None:
                    todo.append(candidate)
        todo.extend(module.star_imports)
        parts = name.split(".")  # importing a.b.c runs a/__init__ and a/b/__init__ too
        todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))
    return seen


def heads(versions: Path) -> tuple[str, ...]:
    """The revisions no other revision names as its down_revision."""
    revisions: dict[str, set[str]] = {}
    for script in sorted(versions.glob("*.py")) if versions.is_dir() else ():
        values = _literals(script)
        if isinstance(values.get("revision"), str):
            down = values.get("down_revision")
            downs = set(down) if isinstance(down, tuple | list) else {down} if down else set()
            revisions[str(values["revision"])] = {str(d) for d in downs}
    parents = set().union(*revisions.values()) if revisions else set()
    return tuple(sorted(set(revisions) - parents))


def _literals(script: Path) -> dict[str, object]:
    """The module-level literal assignments of a revision file."""
    try:
        tree = ast.parse(read_text(script))
    except (SyntaxError, WizardError):
        return {}
    values: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            target = node.target if isinstance(node, ast.AnnAssign) else node.targets[0]
            if isinstance(target, ast.Name):
                with contextlib.suppress(ValueError):
                    values[target.id] = ast.literal_eval(node.value)
    return values
