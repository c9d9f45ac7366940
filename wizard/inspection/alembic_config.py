"""Where Alembic's configuration is, found the way Alembic finds it when run from the project
root: `alembic.ini` (in the root, or in a sub-folder that is passed with `-c`) and
`[tool.alembic]` in the root's `pyproject.toml` (Alembic >= 1.16). Alembic reads each key from
alembic.ini's `[alembic]` section first, then from `[tool.alembic]`
(`Config.get_alembic_option`); `%(here)s` is the folder of the file the value came from, and a
relative path is relative to the folder Alembic runs in.
https://alembic.sqlalchemy.org/en/latest/tutorial.html#using-pyproject-toml-for-configuration
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from wizard.edits import tomledit
from wizard.errors import WizardError
from wizard.inspection.walk import SKIP_DIRS

INI = "alembic.ini"
_DEPTH = 3  # sub-folders searched for an alembic.ini: `deploy/db/alembic.ini` at most
# alembic.ini often lives in `migrations/` or `alembic/`; one in tests, docs or examples is
# not the app's setup
_SKIP = SKIP_DIRS - {"migrations", "alembic"} | {"tests", "test", "docs", "doc", "examples"}
_RESOURCE = re.compile(r"^[A-Za-z_][\w.]+:(?![\\/])")  # `myapp:migrations`, not `C:/x`


def read_tool_alembic(text: str | None, path: Path) -> dict[str, Any] | None:
    """`[tool.alembic]` of a pyproject.toml as plain values (None: there is no such table)."""
    if not text or "alembic" not in text:
        return None
    try:
        return tomledit.table(text)
    except ValueError as exc:  # tomlkit's parse errors
        raise WizardError(f"cannot parse: {exc}", path=path) from exc


def named_config(name: str, root: Path) -> Path:
    """The config file `-c` (or $ALEMBIC_CONFIG) names, as Alembic run in the project root reads
    it: absolute, or relative to the root (or to the current folder, where only that exists).
    It may not exist yet (the wizard writes it); its folder must."""
    path = Path(name).expanduser()
    if not path.is_absolute():
        here = Path.cwd() / path
        path = here if not (root / path).exists() and here.exists() else root / path
    path = Path(os.path.normpath(path.absolute()))
    _check_inherited(name, path, root)
    if path.is_dir() or not path.parent.is_dir():
        raise WizardError(
            "is a folder" if path.is_dir() else "no such folder for Alembic's config file",
            path=path,
            hint="-c (or ALEMBIC_CONFIG) names Alembic's config file, relative to the project "
            "root where Alembic runs, e.g. -c deploy/alembic.ini",
        )
    return path


def _check_inherited(name: str, path: Path, root: Path) -> None:
    """$ALEMBIC_CONFIG (no -c) naming a file outside the project: a variable this shell kept
    from another project, which Alembic reads too; said by its name."""
    if os.environ.get("ALEMBIC_CONFIG") != name or path.is_relative_to(root.resolve()):
        return
    raise WizardError(
        f"$ALEMBIC_CONFIG names {path}, outside this project ({root})",
        hint="unset ALEMBIC_CONFIG (Alembic reads it too), or pass -c with this project's "
        "Alembic config file",
    )


def ini_candidates(root: Path, *more: Path) -> list[Path]:
    """Every alembic.ini in a sub-folder of `root` or of the folders in `more` (the import
    root, where the app's package keeps its own, `src/py/app/db/migrations/alembic.ini`), not
    in virtualenvs, caches, backups, tests, docs; the shallowest first."""
    found: dict[Path, None] = {}
    for top in (root, *(m for m in more if root in m.parents)):
        for folder, dirnames, filenames in os.walk(top):
            depth = len(Path(folder).relative_to(top).parts)
            if "pyvenv.cfg" in filenames or depth > _DEPTH:
                dirnames[:] = []
                continue
            dirnames[:] = sorted(d for d in dirnames if d not in _SKIP and not d.startswith("."))
            if depth and INI in filenames:
                found[Path(folder) / INI] = None
    return sorted(found, key=lambda p: (len(p.parts), p.as_posix()))


def is_resource(location: str) -> bool:
    """`myapp:migrations`: a package resource, not a folder of the project."""
    return bool(_RESOURCE.match(location.strip()))


def resolve(location: str | None, here: Path, root: Path) -> list[Path]:
    """The folders `script_location` may name, the likeliest first: `%(here)s` is `here`; a
    relative path is relative to where Alembic runs (the root), or, for an alembic.ini in a
    sub-folder, to that folder when run from there. A package resource names no folder."""
    if not location or is_resource(location):
        return []
    text = location.strip().replace("%%", "%")
    if "%(here)s" in text:
        return [Path(os.path.normpath(text.replace("%(here)s", str(here))))]
    path = Path(text)
    if path.is_absolute():
        return [Path(os.path.normpath(path)), *_copied(path, here, root)]
    return list(dict.fromkeys(Path(os.path.normpath(b / path)) for b in (root, here)))


def _copied(path: Path, here: Path, root: Path) -> list[Path]:
    """An absolute path of another machine (`/app/infra/migrations`, where a Dockerfile copies
    the project): the project's folders its trailing parts name, the longest first."""
    parts = Path(os.path.normpath(path)).parts[1:]
    tails = [Path(*parts[i:]) for i in range(len(parts))]
    return [b / t for t in tails for b in (root, here) if (b / t / "env.py").is_file()]
