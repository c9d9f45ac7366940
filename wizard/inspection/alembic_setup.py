"""The project's existing Alembic setup, read once: its configuration (`alembic.ini`, in the
root or a sub-folder, and `[tool.alembic]` in pyproject.toml), where the scripts live, `env.py`
(its text, its kind, the modules it loads), the revision heads."""

from __future__ import annotations

import ast
import configparser
import contextlib
import os
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from wizard.edits.iniedit import split_paths
from wizard.errors import WizardError
from wizard.inspection.alembic_config import (
    INI,
    ini_candidates,
    is_resource,
    named_config,
    read_tool_alembic,
    resolve,
)
from wizard.inspection.env_imports import loaded_by
from wizard.inspection.resolve import Resolver
from wizard.textio import read_if_file, read_text

ConfigStyle = Literal["ini", "toml"]
DEFAULT_FOLDER = "migrations"


@dataclass(frozen=True)
class AlembicSetup:
    """What exists of Alembic in the project."""

    ini_path: Path  # where alembic.ini is, or would go
    ini_text: str | None
    script_location: str | None  # as written where Alembic reads it (alembic.ini first)
    env_text: str | None
    heads: tuple[str, ...] = ()
    env_imports: frozenset[str] = frozenset()  # what env.py loads; read for doctor only
    scripts: Path | None = None  # the folder script_location names
    toml_path: Path | None = None  # the pyproject.toml that has [tool.alembic] (None: none has)
    toml: Mapping[str, Any] = field(default_factory=dict)  # [tool.alembic], plain values
    version_dirs: tuple[Path, ...] = ()  # `version_locations`, when set
    named: bool = False  # the config file was named (-c, $ALEMBIC_CONFIG, remembered)
    # the scripts are alembic.ini's own folder, which script_location does not name: a
    # framework's migration CLI (Advanced Alchemy's) sets script_location itself
    beside_ini: bool = False

    @property
    def ini(self) -> configparser.ConfigParser | None:
        """alembic.ini parsed without interpolation (None: there is none)."""
        if self.ini_text is None:
            return None
        parser = configparser.ConfigParser(interpolation=None)
        parser.read_string(self.ini_text, source=str(self.ini_path))
        return parser

    def ini_value(self, key: str) -> str | None:
        """`key` under alembic.ini's [alembic], as written (None: not there)."""
        parser = self.ini
        return parser.get("alembic", key, fallback=None) if parser else None

    def ini_read(self, key: str) -> str | None:
        """`key` as Alembic reads it, `[DEFAULT]`'s `%(name)s` filled in, `%%` and `%(here)s`
        kept for `resolve` (as written where it does not interpolate: Alembic says why)."""
        if self.ini_text is None:
            return None
        here = "\0here\0"  # a name no path holds, put back as %(here)s after
        parser = configparser.ConfigParser(defaults={"here": here})
        try:
            parser.read_string(self.ini_text, source=str(self.ini_path))
            value = parser.get("alembic", key, fallback=None)
        except configparser.Error:
            return self.ini_value(key)
        return value.replace("%", "%%").replace(here, "%(here)s") if value else value

    @property
    def style(self) -> ConfigStyle:
        """Where script_location belongs: [tool.alembic] when Alembic reads it from there."""
        in_ini = self.ini_value("script_location") is not None
        new_named = self.named and self.ini_text is None  # -c names a file to write
        return "toml" if self.toml_path is not None and not in_ini and not new_named else "ini"

    def config_option(self, root: Path) -> str:
        """` -c FILE` for Alembic run in `root` when it would not find this config by itself
        (named otherwise, or in a sub-folder); '' when it would."""
        if self.style != "ini" or self.ini_path == root / INI:
            return ""
        return f" -c {shlex.quote(Path(os.path.relpath(self.ini_path, root)).as_posix())}"

    @property
    def env_path(self) -> Path | None:
        """The existing env.py (None: there is none)."""
        if self.scripts is None or self.env_text is None:
            return None
        return self.scripts / "env.py"

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
        return line_of(self.ini_text, key)


def line_of(text: str | None, key: str, after: str | None = None) -> int | None:
    """The line of `key = ...` (or of the header `key`) in an ini or TOML text, from the
    line `after` on (a section header) when given."""
    lines = (text or "").splitlines()
    start = next((n for n, line in enumerate(lines) if line.strip() == after), None)
    if after is not None and start is None:
        return None
    for number, line in enumerate(lines[start or 0 :], (start or 0) + 1):
        if re.match(rf"\s*{re.escape(key)}\s*[=:]", line) or line.strip() == key:
            return number
    return None


def read_setup(
    root: Path,
    resolver: Resolver,
    import_root: Path,
    *,
    env_imports: bool = False,
    config: str | None = None,
) -> AlembicSetup:
    """Read Alembic's configuration (`config`: the file -c names) and the env.py it points at."""
    toml_path = root / "pyproject.toml"
    toml = read_tool_alembic(read_if_file(toml_path), toml_path)
    ini_path = named_config(config, root) if config else _ini_path(root, toml, import_root)
    setup = AlembicSetup(
        ini_path,
        read_if_file(ini_path),
        None,
        None,
        toml_path=toml_path if toml is not None else None,
        toml=toml or {},
        named=bool(config),
    )
    try:
        location = setup.ini_value("script_location")
    except configparser.Error as exc:
        raise WizardError(f"cannot parse: {exc.message}", path=ini_path) from exc
    here, read = ini_path.parent, setup.ini_read("script_location")  # as Alembic reads it
    if location is None and isinstance(setup.toml.get("script_location"), str):
        location, here = setup.toml["script_location"], toml_path.parent
        read = location
    if location and is_resource(location):
        raise WizardError(
            f"script_location {location.strip()!r} names a package resource, not a folder",
            path=ini_path if setup.ini_text is not None else toml_path,
            hint="the wizard edits migrations in a folder of the project: point "
            "script_location at it (%(here)s/migrations)",
        )
    scripts, beside = _script_folder(setup, resolve(read, here, root))
    env_path = scripts / "env.py" if scripts else None
    env_text = read_if_file(env_path) if env_path else None
    version_dirs = _version_dirs(setup, root)
    return replace(
        setup,
        script_location=location,
        env_text=env_text,
        scripts=scripts,
        beside_ini=beside,
        version_dirs=version_dirs,
        heads=heads(*(version_dirs or ([scripts / "versions"] if scripts else []))),
        env_imports=loaded_by(env_text, resolver) if env_text and env_imports else frozenset(),
    )


def _ini_path(root: Path, toml: Mapping[str, Any] | None, import_root: Path) -> Path:
    """alembic.ini in the root; else, unless [tool.alembic] names the scripts, the one in a
    sub-folder (of the root, or of the import root) whose script_location names a folder, or
    that sits beside an env.py; else where a new one goes."""
    default = root / INI
    if default.is_file() or (toml and "script_location" in toml):
        return default
    working = []
    for path in ini_candidates(root, import_root):
        parser = configparser.ConfigParser(interpolation=None)
        with contextlib.suppress(configparser.Error, WizardError):
            parser.read_string(read_text(path))
        location = parser.get("alembic", "script_location", fallback=None)
        scripts = _scripts(resolve(location, path.parent, root))
        if scripts or _beside(path, scripts):
            working.append(path)
    if len(working) > 1 and len(working[0].parts) == len(working[1].parts):
        shown = ", ".join(p.relative_to(root).as_posix() for p in working)
        raise WizardError(
            f"several Alembic setups: {shown}",
            path=root,
            hint="alembic-wizard sets up one Alembic environment; move the others aside",
        )
    return working[0] if working else default


def _scripts(candidates: list[Path]) -> Path | None:
    """The first candidate folder that holds an env.py, else the first one."""
    found = next((c for c in candidates if (c / "env.py").is_file()), None)
    return found or (candidates[0] if candidates else None)


def _script_folder(setup: AlembicSetup, candidates: list[Path]) -> tuple[Path | None, bool]:
    """The folder script_location names; else alembic.ini's own, when env.py is beside it
    (and whether it is)."""
    scripts = _scripts(candidates)
    if setup.ini_text is not None and _beside(setup.ini_path, scripts):
        return setup.ini_path.parent, True
    return scripts, False


def _beside(ini_path: Path, scripts: Path | None) -> bool:
    """script_location names no folder with an env.py, and alembic.ini sits beside one: the
    layout of a framework CLI that passes the ini and the scripts folder itself (Advanced
    Alchemy's `AlembicAsyncConfig(script_config=..., script_location=...)`)."""
    named = scripts is not None and (scripts / "env.py").is_file()
    return not named and (ini_path.parent / "env.py").is_file()


def _version_dirs(setup: AlembicSetup, root: Path) -> tuple[Path, ...]:
    """`version_locations`, from alembic.ini or [tool.alembic], as folders."""
    raw: object = setup.ini_read("version_locations")
    here = setup.ini_path.parent
    if raw is None:
        raw, here = setup.toml.get("version_locations"), root
    separator = setup.ini_value("path_separator") or setup.ini_value("version_path_separator")
    paths = split_paths(raw, separator)
    return tuple(p for entry in paths for p in resolve(entry, here, root)[:1])


def heads(*folders: Path) -> tuple[str, ...]:
    """The revisions no other revision names as its down_revision."""
    revisions: dict[str, set[str]] = {}
    scripts = [s for f in folders if f.is_dir() for s in sorted(f.glob("*.py"))]
    for script in scripts:
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
