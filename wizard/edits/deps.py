"""Declare what Alembic needs in the project's `pyproject.toml` (tomlkit: formatting kept)."""

from __future__ import annotations

import re

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _name(requirement: str) -> str:
    found = _NAME.match(requirement)
    return re.sub(r"[-_.]+", "-", found.group(1)).lower() if found else ""


def missing(pyproject: str, wanted: list[str]) -> list[str]:
    """The requirements in `wanted` that `[project].dependencies` does not declare yet;
    empty when there is no such list (poetry, hatch envs: the report names the command)."""
    import tomlkit

    project = tomlkit.parse(pyproject).get("project")
    if not isinstance(project, dict) or not isinstance(project.get("dependencies"), list):
        return []
    declared = {_name(str(d)) for d in project["dependencies"]}
    return [w for w in wanted if _name(w) not in declared]


def add(pyproject: str, requirements: list[str]) -> str:
    """`pyproject` with `requirements` appended to `[project].dependencies`."""
    import tomlkit

    doc = tomlkit.parse(pyproject)
    dependencies = doc["project"]["dependencies"]
    for requirement in requirements:
        dependencies.append(requirement)
    return tomlkit.dumps(doc)
