"""The post-write hooks the verification process found that cannot run in the project's
interpreter, and the package that makes each runnable: `alembic revision` writes the file,
then stops on a hook it cannot run (`Could not find entrypoint console_scripts.pre-commit`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from wizard import drivers

Hook = dict[str, Any]  # {"hook": name, "type": ..., "name": what it runs, "found": bool}

_RUNS = {"console_scripts": "the console script", "exec": "the program", "module": "`python -m`"}
# how `alembic revision` stops on each
_STOPS = {
    "console_scripts": "Could not find entrypoint console_scripts.{}",
    "exec": "FileNotFoundError: '{}'",
    "module": "Could not find module {}",
}


def missing(hooks: Sequence[Hook]) -> list[Hook]:
    return [h for h in hooks if not h.get("found", True)]


def package_of(hook: Hook, python: str) -> str | None:
    """The distribution to install: a console script's or a program's own name (usually
    its distribution's: pre-commit, black, ruff, isort, autoflake), a module's top level;
    None for a program at a path outside the interpreter's bin folder (not pip's to put)."""
    name = str(hook["name"])
    if hook["type"] == "module":
        top = name.split(".")[0]
        return drivers.PACKAGES.get(top, top.replace("_", "-"))
    if hook["type"] == "exec" and "/" in name:
        path = Path(name)
        return path.name if path.is_absolute() and path.parent == Path(python).parent else None
    return name


def installable(hooks: Sequence[Hook], python: str) -> list[Hook]:
    return [h for h in missing(hooks) if package_of(h, python)]


def packages(hooks: Sequence[Hook], python: str) -> list[str]:
    found = (package_of(h, python) for h in installable(hooks, python))
    return list(dict.fromkeys(p for p in found if p))


def what(hook: Hook) -> str:
    """One hook and how `alembic revision` stops on it."""
    runs, stops = _RUNS[hook["type"]], _STOPS[hook["type"]].format(hook["name"])
    return (
        f"post-write hook {hook['hook']} runs {runs} {hook['name']}: `alembic revision` "
        f'writes the file, then stops with "{stops}"'
    )


def note(hooks: Sequence[Hook], python: str) -> str:
    """Why the packages rung names the hooks' packages ('' when it names none)."""
    found = installable(hooks, python)
    if not found:
        return ""
    said = "; ".join(what(h) for h in found)
    if any(h["type"] != "module" for h in found):
        said += "; a script is usually named after its distribution"
    return f" ({said})"
