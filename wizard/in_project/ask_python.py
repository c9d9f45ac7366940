"""Run inside the PROJECT's interpreter (`protocol.command(python, "ask_python")`), or
imported by the wizard when the project has no interpreter of its own: what that interpreter
is and has.

Output: one JSON object on stdout. Standard library only; any Python 3 the project may use.
"""

from __future__ import annotations

import importlib.machinery
import json
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

DISTRIBUTIONS = ("alembic", "sqlalchemy")
HOOK_ARG = "--hook="  # `--hook=console_scripts:black`: a post-write hook to look for


def _version(name: str, path: list[str]) -> str | None:
    """The installed version of `name`: read off its one `.dist-info` folder on `path`
    (importing importlib.metadata would cost 15 ms of every run), else metadata's answer."""
    prefix = name.lower() + "-"
    for folder in path:
        try:
            entries = os.listdir(folder)  # noqa: PTH208 (names only)
        except OSError:
            continue
        found = [e for e in entries if e.lower().startswith(prefix) and e.endswith(".dist-info")]
        if len(found) == 1:
            return found[0][len(prefix) : -len(".dist-info")]
        if found:
            break  # several: metadata's rules decide
    try:
        from importlib import metadata

        return metadata.version(name)
    except Exception:  # not installed, or metadata that does not parse
        return None


def site_paths(*not_these: str) -> list[str]:
    """The interpreter's own paths: never the working folder (a project's `alembic/`
    migrations folder is not the alembic package) nor `not_these` folders."""
    skip = {Path.cwd(), *(Path(p).absolute() for p in not_these)}
    return [p for p in sys.path if p not in ("", ".") and Path(p).absolute() not in skip]


def _console_scripts() -> set[str]:
    """The names of the console scripts the installed distributions declare (what Alembic's
    `console_scripts` hook runner looks an `entrypoint` up in)."""
    from importlib import metadata

    try:
        return {e.name for e in metadata.entry_points(group="console_scripts")}
    except TypeError:  # Python < 3.10: a dict of groups, no keywords
        groups: Any = metadata.entry_points()
        return {e.name for e in groups.get("console_scripts", [])}


def hooks_missing(hooks: Sequence[str], path: list[str]) -> list[str]:
    """Which post-write hooks (`TYPE:NAME`) cannot run here, as Alembic runs them: a
    console script no distribution declares, an executable neither absolute nor on PATH
    with this interpreter's bin folder first, a module that cannot be found."""
    wanted = any(h.startswith("console_scripts:") for h in hooks)
    scripts = _console_scripts() if wanted else set()  # importing metadata only then
    missing = []
    where = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    for hook in hooks:
        kind, _, name = hook.partition(":")
        if kind == "console_scripts":
            found = name in scripts
        elif kind == "exec":
            found = shutil.which(name, path=where) is not None
        else:  # module: `python -m NAME`
            found = importlib.machinery.PathFinder.find_spec(name.split(".")[0], path) is not None
        if not found:
            missing.append(hook)
    return missing


def facts(modules: list[str], path: list[str], hooks: Sequence[str] = ()) -> dict[str, Any]:
    """Python version, which of `modules` can be imported from `path` (found, not
    imported), the installed Alembic and SQLAlchemy versions, whether pip is there, which
    post-write `hooks` cannot run."""
    find = importlib.machinery.PathFinder.find_spec
    return {
        "version": ".".join(str(n) for n in sys.version_info[:3]),
        "prefix": sys.prefix,
        "modules": [m for m in modules if find(m, path) is not None],
        "versions": {name: _version(name, path) for name in DISTRIBUTIONS},
        "pip": find("pip", path) is not None,
        "hooks_missing": hooks_missing(hooks, path) if hooks else [],
    }


def main() -> int:
    here = str(Path(__file__).absolute().parent)
    sys.path[:] = site_paths(here)  # importlib.metadata reads sys.path too
    args = sys.argv[1:]
    hooks = [a[len(HOOK_ARG) :] for a in args if a.startswith(HOOK_ARG)]
    modules = [a for a in args if not a.startswith(HOOK_ARG)]
    print(json.dumps(facts(modules, sys.path, hooks)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
