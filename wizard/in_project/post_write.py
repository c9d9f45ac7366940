"""Run inside the PROJECT's interpreter, imported by `verify.py`: the post-write hooks this
Alembic runs on a new revision, read from its config as `alembic revision` reads it, and
whether each can run here (asked as inspection asks, `ask_python.hooks_missing`): a console
script no distribution declares stops `alembic revision` with `Could not find entrypoint
console_scripts.NAME` once the revision is written.

Standard library and alembic only.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from .ask_python import hooks_missing

RUNS = {"console_scripts": "entrypoint", "exec": "executable", "module": "module"}


def listed(config: Any) -> list[dict[str, str]]:
    """Every hook's options: Alembic >= 1.16 reads alembic.ini's [post_write_hooks], else
    [tool.alembic]'s list; older ones the ini section, split as here."""
    if hasattr(config, "get_hooks_list"):
        return [dict(h) for h in config.get_hooks_list()]
    section = config.get_section("post_write_hooks", {})
    names = [n for n in re.split(r", *|(?: +)", section.get("hooks", "")) if n]
    return [{**_options(section, n), "_hook_name": n} for n in names]


def _options(section: dict[str, str], name: str) -> dict[str, str]:
    """`NAME.KEY = VALUE` lines of the ini section, as {KEY: VALUE}."""
    return {k[len(name) + 1 :]: v for k, v in section.items() if k.startswith(f"{name}.")}


def hooks(config: Any) -> list[dict[str, Any]]:
    """The hooks of Alembic's own runners: name, type, what they run, and whether it is here."""
    found = []
    for options in listed(config):
        kind = options.get("type", "")
        runs = options.get(RUNS.get(kind, ""), "").strip()
        if kind in RUNS and runs:
            found.append({"hook": options.get("_hook_name", ""), "type": kind, "name": runs})
    keys = [f"{h['type']}:{h['name']}" for h in found]
    missing = set(hooks_missing(keys, sys.path)) if keys else set()
    return [{**h, "found": key not in missing} for h, key in zip(found, keys, strict=True)]
