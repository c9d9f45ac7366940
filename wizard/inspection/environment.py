"""The project's environment as one value: its interpreter and what that has, its package
manager and the tools installed, how the user runs its Alembic, and what to say about
versions below the ones the wizard supports."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from wizard import drivers
from wizard.drivers import PackageManager
from wizard.inspection import floor, pyversion
from wizard.inspection.interpreter import (
    Environment,
    alembic_command,
    foreign_venv,
    locate,
    python_command,
    query,
)
from wizard.inspection.managers import installed_tools, lock_file, package_manager


@dataclass(frozen=True)
class Found:
    """What inspection records of the project's environment."""

    environment: Environment
    manager: PackageManager
    tools: frozenset[str]
    alembic_command: str  # as the user's shell runs it, from the project root
    python_command: str  # the same for the project's Python
    notices: tuple[str, ...]
    lock_file: Path | None
    requirements_txt: bool
    python_mismatch: str = ""  # the interpreter does not meet the project's requires-python

    def project_fields(self) -> dict[str, Any]:
        """The `Project` fields this sets."""
        return {
            "python": self.environment.python,
            "installed": self.environment.modules,
            "environment": self.environment,
            "package_manager": self.manager,
            "tools": self.tools,
            "alembic_command": self.alembic_command,
            "python_command": self.python_command,
            "notices": self.notices,
            "lock_file": self.lock_file,
            "requirements_txt": self.requirements_txt,
            "python_mismatch": self.python_mismatch,
        }


def shown_python(environment: Environment, top: Path) -> str:
    """The interpreter's path as the user types it in `top`: relative inside the project."""
    path = Path(environment.python)
    return os.path.relpath(path, top) if top in path.parents else str(path)


def _requirement_texts(root: Path, top: Path) -> dict[str, str]:
    texts = {}
    for folder in dict.fromkeys((root, top)):
        for name in ("pyproject.toml", "requirements.txt"):
            path = folder / name
            if path.is_file():
                texts[os.path.relpath(path, top)] = path.read_text("utf-8", errors="replace")
    return texts


def _passed_over(root: Path, top: Path, python: str) -> Path | None:
    """The active $VIRTUAL_ENV that is another project's, unless `python` is its own."""
    active = foreign_venv(root, top)
    return None if active == Path(python).parent.parent.resolve() else active


def _passed_over_note(active: Path, manager: str, environment: Environment, top: Path) -> str:
    """What was not used and why, as uv says it (`VIRTUAL_ENV=... does not match the
    project environment path`); for Poetry, which would use it, why commands name a path."""
    own = Path(shown_python(environment, top)).parent.parent
    if manager == "poetry":
        return (
            f"$VIRTUAL_ENV {active} is not this Poetry project's environment: ignored; {own} "
            "is used, by its path in the commands below, as poetry would use the active one "
            "(--python chooses another)"
        )
    return (
        f"$VIRTUAL_ENV {active} is not this uv project's environment: ignored, as uv does; "
        f"{own} is used (--python chooses another)"
    )


def read_environment(root: Path, top: Path, python: str | None, hooks: Sequence[str] = ()) -> Found:
    """Find the project's interpreter and ask it what it has, the post-write `hooks`
    (`TYPE:NAME`) included (one subprocess)."""
    path, found_by = locate(root, top, python)
    manager = package_manager(root, top)
    active = _passed_over(root, top, path)
    environment = query(path, found_by, hooks)
    environment = replace(environment, tool_elsewhere=bool(active) and manager == "poetry")
    tools = installed_tools()
    upgrade = drivers.install_command(
        manager,
        shown_python(environment, top),
        ["alembic>=1.13", "sqlalchemy>=2.0"],
        has_pip=environment.has_pip,
        tools=tools,
        tools_own=environment.tools_own(root, top),
    )
    texts = _requirement_texts(root, top)
    notices = floor.notices(environment.versions, texts, upgrade)
    if active is not None and found_by != "--python":
        notices.insert(0, _passed_over_note(active, manager, environment, top))
    wanted = pyversion.mismatch(environment.version, texts)
    if wanted:
        notices.append(f"{wanted}: the app's code may need that Python (pass it with --python)")
    return Found(
        environment=environment,
        manager=manager,
        tools=tools,
        alembic_command=alembic_command(environment, manager, root, top),
        python_command=python_command(environment, manager, root, top),
        notices=tuple(notices),
        lock_file=lock_file(root, top),
        requirements_txt=(root / "requirements.txt").exists(),
        python_mismatch=wanted,
    )
