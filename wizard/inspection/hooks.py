"""The post-write hooks Alembic runs on each new revision, as its config declares them:
alembic.ini's `[post_write_hooks]` (when there is that section), else the
`[[tool.alembic.post_write_hooks]]` list in pyproject.toml. Each names what it runs: a
console script (`console_scripts`, its `entrypoint`), a program (`exec`, its `executable`)
or a module (`module`, `python -m`); whether the project's interpreter has it is asked of
that interpreter (`ask_python.hooks_missing`).
https://alembic.sqlalchemy.org/en/latest/autogenerate.html#applying-post-processing-and-python-code-formatters-to-generated-revisions
"""

from __future__ import annotations

import configparser
import re
from dataclasses import dataclass
from pathlib import Path

from wizard.inspection.alembic_setup import AlembicSetup

# Alembic's own runners, and the option naming what each runs
RUNS = {"console_scripts": "entrypoint", "exec": "executable", "module": "module"}
_SPLIT = re.compile(r", *|(?: +)")  # how Alembic splits `hooks = a, b`


@dataclass(frozen=True)
class Hook:
    """One post-write hook of a runner Alembic ships."""

    name: str
    type: str  # console_scripts, exec, module
    runs: str  # the entry point, executable or module
    path: Path  # the file that declares it
    line: int | None = None

    @property
    def key(self) -> str:
        """`TYPE:NAME`, as the interpreter is asked about it."""
        return f"{self.type}:{self.runs}"


def declared(setup: AlembicSetup) -> tuple[Hook, ...]:
    """The hooks Alembic would run (an unparsable alembic.ini: none, said elsewhere)."""
    try:
        parser = setup.ini
    except configparser.Error:
        return ()
    if parser is not None and parser.has_section("post_write_hooks"):
        return _from_ini(setup, dict(parser.items("post_write_hooks")))
    listed = setup.toml.get("post_write_hooks")
    if setup.toml_path is None or not isinstance(listed, list):
        return ()
    found = []
    for item in (i for i in listed if isinstance(i, dict)):
        options = {str(k): str(v) for k, v in item.items()}
        hook = _hook(options.get("name", ""), options, setup.toml_path, None)
        found += [hook] if hook else []
    return tuple(found)


def _from_ini(setup: AlembicSetup, section: dict[str, str]) -> tuple[Hook, ...]:
    here = str(setup.ini_path.parent)
    found = []
    for name in (n for n in _SPLIT.split(section.get("hooks", "")) if n):
        options = {
            k[len(name) + 1 :]: v.replace("%(here)s", here).replace("%%", "%")
            for k, v in section.items()
            if k.startswith(f"{name}.")
        }
        runs = RUNS.get(options.get("type", ""), "")
        hook = _hook(name, options, setup.ini_path, setup.ini_line(f"{name}.{runs}"))
        found += [hook] if hook else []
    return tuple(found)


def _hook(name: str, options: dict[str, str], path: Path, line: int | None) -> Hook | None:
    kind = options.get("type", "")
    runs = options.get(RUNS.get(kind, ""), "").strip()
    return Hook(name, kind, runs, path, line) if kind in RUNS and runs else None
