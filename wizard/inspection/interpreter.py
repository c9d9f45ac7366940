"""The project's interpreter, found as the project's own tools find it, and what it has: asked
of that interpreter itself (a subprocess of it), never guessed from the wizard's own
packages. Every virtualenv made from one base Python resolves to the same binary, so a path
comparison cannot tell them apart."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wizard.drivers import DRIVER_MODULES
from wizard.errors import WizardError
from wizard.in_project import ask_python
from wizard.in_project.protocol import command
from wizard.inspection.managers import package_manager

OWN = "the wizard's own"
# how an interpreter is found when it is the one the project's tool installs into
_TOOLS_OWN = (
    ".venv",
    ".pdm-python",
    "$UV_PROJECT_ENVIRONMENT",
    "`poetry env info -p`",
    "`hatch env find`",
)


@dataclass(frozen=True)
class Environment:
    """The project's interpreter, how it was found, and what it has."""

    python: str  # absolute, symlinks kept (a venv's python is a link to its base)
    found_by: str  # "--python", "$VIRTUAL_ENV", ".venv", "`poetry env info -p`", ...
    version: str = ""  # "3.12.4"
    modules: frozenset[str] = frozenset()  # which of DRIVER_MODULES it can import
    versions: Mapping[str, str] = field(default_factory=dict)  # alembic, sqlalchemy
    has_pip: bool = True
    venv: bool = False  # a virtual environment (pyvenv.cfg beside its bin folder)
    made_by_uv: bool = False  # `uv venv` writes `uv = ...` in pyvenv.cfg, and no pip
    active: bool = False  # activated in the user's shell: its commands are on PATH
    # Poetry's `add` and `run` use the active $VIRTUAL_ENV, another project's that the run
    # passed over (`foreign_venv`): they do not reach this interpreter
    tool_elsewhere: bool = False
    hooks_missing: frozenset[str] = frozenset()  # post-write hooks (`TYPE:NAME`) it cannot run

    @property
    def bin_dir(self) -> Path:
        return Path(self.python).parent

    def tools_own(self, *folders: Path) -> bool:
        """The environment the project's tool (`uv add`, `poetry add`, `pdm add`) installs
        into: found as the tool finds it, a `.venv` of `folders`, or none of the project's
        (the wizard's own: the tool makes one); not another one named with --python or
        active in the shell, which the tool's `add` would leave as it is."""
        if self.tool_elsewhere:
            return False
        if self.found_by in (*_TOOLS_OWN, OWN):
            return True
        home = Path(self.python).parent.parent
        return any(home == (folder / ".venv").absolute() for folder in folders)


def _exe(env: Path) -> Path:
    return env / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _tool_answer(root: Path, *command: str) -> str | None:
    """The environment path a tool prints (`poetry env info -p`, `hatch env find`)."""
    if shutil.which(command[0]) is None:
        return None
    try:
        done = subprocess.run(
            command,
            cwd=root,
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    lines = done.stdout.strip().splitlines()
    return lines[-1].strip() if done.returncode == 0 and lines else None


def foreign_venv(root: Path, top: Path) -> Path | None:
    """$VIRTUAL_ENV when it is another project's: outside the project root, in a uv or
    Poetry project that has an environment of its own (`.venv`, uv's
    $UV_PROJECT_ENVIRONMENT). uv ignores it too ("does not match the project environment
    path"). A Poetry environment outside the project is not looked for (that is asking
    `poetry env info -p`): without a `.venv`, the active one is the project's."""
    active = os.environ.get("VIRTUAL_ENV")
    manager = package_manager(root, top) if active else None
    if not active or manager not in ("uv", "poetry"):
        return None
    path = Path(active).resolve()
    own = [folder / ".venv" for folder in (root, top)]
    if manager == "uv" and os.environ.get("UV_PROJECT_ENVIRONMENT"):
        own.append(root / os.environ["UV_PROJECT_ENVIRONMENT"])
    if path == root or root in path.parents or path in {o.resolve() for o in own}:
        return None
    return path if any(_exe(o).is_file() for o in own) else None


def _candidates(root: Path, top: Path) -> Iterator[tuple[Path, str]]:
    """Interpreters to try, in order; the tools are asked only when nothing before answers."""
    environ = os.environ
    if environ.get("VIRTUAL_ENV") and foreign_venv(root, top) is None:
        yield _exe(Path(environ["VIRTUAL_ENV"])), "$VIRTUAL_ENV"
    for folder in dict.fromkeys((root, top)):
        pointer = folder / ".pdm-python"  # pdm's choice of interpreter, one line
        if pointer.is_file():
            yield Path(pointer.read_text(encoding="utf-8").strip()), ".pdm-python"
        for name in (".venv", "venv"):
            yield _exe(folder / name), name
    manager = package_manager(root, top)
    if manager == "uv" and environ.get("UV_PROJECT_ENVIRONMENT"):
        yield _exe(root / environ["UV_PROJECT_ENVIRONMENT"]), "$UV_PROJECT_ENVIRONMENT"
    tool = {"poetry": ("poetry", "env", "info", "-p"), "hatch": ("hatch", "env", "find")}
    if manager in tool and (answer := _tool_answer(root, *tool[manager])):
        yield _exe(Path(answer)), f"`{' '.join(tool[manager])}`"
    if environ.get("CONDA_PREFIX"):
        prefix = Path(environ["CONDA_PREFIX"])
        yield (prefix / "python.exe" if os.name == "nt" else prefix / "bin/python"), "$CONDA_PREFIX"


def locate(root: Path, top: Path, explicit: str | None) -> tuple[str, str]:
    """The project's interpreter and how it was found: --python, $VIRTUAL_ENV (unless it is
    another project's: `foreign_venv`), .pdm-python, .venv/, venv/ (the root's, then the top
    folder's), $UV_PROJECT_ENVIRONMENT, poetry's or hatch's environment (asked of the tool,
    when the project uses it and it is installed), $CONDA_PREFIX; else the wizard's own."""
    if explicit:
        found = shutil.which(explicit) if os.sep not in explicit else explicit
        return str(Path(found or explicit).absolute()), "--python"
    for exe, how in _candidates(root, top):
        if exe.is_file():
            return str(exe.absolute()), how
    return sys.executable, OWN


def find_python(root: Path, top: Path, explicit: str | None) -> str:
    """The project's interpreter (see `locate`)."""
    python, how = locate(root, top, explicit)
    if how == "--python" and not (Path(python).is_file() and os.access(python, os.X_OK)):
        raise WizardError(
            "--python: no such interpreter (not an executable file)",
            path=python,
            hint="pass the project's interpreter, e.g. --python .venv/bin/python",
        )
    return python


def _ask(python: str, hooks: Sequence[str]) -> dict[str, Any]:
    args = [*DRIVER_MODULES, *(f"{ask_python.HOOK_ARG}{h}" for h in hooks)]
    try:
        done = subprocess.run(
            [*command(python, "ask_python"), *args],
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
            check=True,
        )
        answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    except (OSError, subprocess.SubprocessError, ValueError, IndexError) as exc:
        raise WizardError(
            f"cannot ask the project's Python what it has: {exc}",
            path=python,
            hint="pass the project's interpreter with --python",
        ) from exc
    return answer


def query(python: str, found_by: str, hooks: Sequence[str] = ()) -> Environment:
    """Ask `python` (once) for its version, driver modules, Alembic and SQLAlchemy versions,
    pip, and which of the post-write `hooks` it cannot run. Only the wizard's own
    interpreter, chosen because the project has none, is answered in this process."""
    facts: dict[str, Any]
    if found_by == OWN:
        facts = ask_python.facts(list(DRIVER_MODULES), ask_python.site_paths(), hooks)
    else:
        facts = _ask(python, hooks)
    cfg = Path(python).parent.parent / "pyvenv.cfg"
    cfg_text = cfg.read_text(encoding="utf-8", errors="replace") if cfg.is_file() else ""
    versions = facts.get("versions")
    return Environment(
        python=python,
        found_by=found_by,
        version=str(facts.get("version", "")),
        modules=frozenset(str(m) for m in facts.get("modules") or []),
        versions={str(k): str(v) for k, v in (versions or {}).items() if v},
        has_pip=bool(facts.get("pip")),
        venv=bool(cfg_text),
        made_by_uv=any(line.split("=")[0].strip() == "uv" for line in cfg_text.splitlines()),
        active=found_by in ("$VIRTUAL_ENV", "$CONDA_PREFIX"),
        hooks_missing=frozenset(str(h) for h in facts.get("hooks_missing") or []),
    )


def _shown(path: Path, root: Path, top: Path) -> str:
    """`path` as the user types it after `cd root`: relative inside the project."""
    return os.path.relpath(path, root) if top == path or top in path.parents else str(path)


def alembic_command(env: Environment, manager: str, root: Path, top: Path) -> str:
    """How the user's shell runs the project's Alembic: through the project's runner
    (`uv run alembic`), `alembic` when the environment is active, else by its path."""
    if manager in ("uv", "poetry", "pdm", "hatch") and not env.tool_elsewhere:
        return f"{manager} run alembic"
    if env.active or (env.found_by == OWN and shutil.which("alembic")):
        return "alembic"
    if env.venv:  # the script is there once alembic is installed
        script = env.bin_dir / ("alembic.exe" if os.name == "nt" else "alembic")
        return shlex.quote(_shown(script, root, top))
    return f"{python_command(env, manager, root, top)} -m alembic"


def python_command(env: Environment, manager: str, root: Path, top: Path) -> str:
    """How the user's shell runs the project's Python (`uv run python`, `python` when the
    environment is active, else by its path)."""
    if manager in ("uv", "poetry", "pdm", "hatch") and not env.tool_elsewhere:
        return f"{manager} run python"
    if env.active or (env.found_by == OWN and shutil.which("python")):
        return "python"
    return shlex.quote(_shown(Path(env.python), root, top))
