"""Declare what Alembic needs in the project's `pyproject.toml` (tomlkit: formatting kept):
PEP 621's `[project].dependencies`, or Poetry's `[tool.poetry.dependencies]`; or, where a
pip project keeps them there, in `requirements.txt` (lines appended, the rest kept)."""

from __future__ import annotations

import re
from typing import Any, Literal

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

Table = Literal["project", "poetry"]
TABLE_NAMES: dict[Table, str] = {
    "project": "[project].dependencies",
    "poetry": "[tool.poetry.dependencies]",
}

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?\s*(.*?)\s*$")


def _parsed(requirement: str) -> Requirement | None:
    try:
        return Requirement(requirement.strip())
    except InvalidRequirement:
        return None


def _name(requirement: str) -> str:
    """The normalised distribution name (packaging's), or the leading name of what is not a
    PEP 508 requirement (a Poetry key, a line with a pip option after it)."""
    parsed = _parsed(requirement)
    if parsed is not None:
        return canonicalize_name(parsed.name)
    found = _NAME.match(requirement)
    return _normal(found.group(1)) if found else ""


def applies(requirement: str, python_version: str = "") -> bool:
    """Whether a requirement's environment marker holds for the project's interpreter (its
    Python version, where known; the rest as the wizard's own platform): a dependency with
    `; python_version < "3.11"` is not missing from a 3.12 venv."""
    parsed = _parsed(requirement)
    if parsed is None or parsed.marker is None:
        return parsed is not None or ";" not in requirement
    environment = {}
    if python_version:
        environment = {
            "python_full_version": python_version,
            "python_version": ".".join(python_version.split(".")[:2]),
        }
    return parsed.marker.evaluate(environment)


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _tables(doc: Any) -> tuple[Any, Any]:
    """`[project]` and `[tool.poetry]`, each None when absent or not a table."""
    project, tool = doc.get("project"), doc.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    return (
        project if isinstance(project, dict) else None,
        poetry if isinstance(poetry, dict) else None,
    )


def where(pyproject: str) -> Table | None:
    """Where this project declares its dependencies: an existing list or table first, then
    a `[project]` whose dependencies are not dynamic, then `[tool.poetry]`; None when there
    is no such place (no `[project]` nor `[tool.poetry]`, or dynamic dependencies)."""
    import tomlkit

    project, poetry = _tables(tomlkit.parse(pyproject))
    if project is not None and isinstance(project.get("dependencies"), list):
        return "project"
    if poetry is not None and isinstance(poetry.get("dependencies"), dict):
        return "poetry"
    if project is not None and "dependencies" not in project.get("dynamic", []):
        return "project"
    return "poetry" if poetry is not None else None


def misshapen(pyproject: str) -> str | None:
    """What is wrong with the place `where` names, when it is no list (PEP 621) or table
    (Poetry) of requirements: a string, say, which no installer takes (None: nothing)."""
    import tomlkit

    project, poetry = _tables(tomlkit.parse(pyproject))
    table = where(pyproject)
    found = ((project if table == "project" else poetry) or {}).get("dependencies")
    wanted = list if table == "project" else dict
    if table is None or found is None or isinstance(found, wanted):
        return None
    shape = "a list of requirement strings" if wanted is list else "a table of name = version"
    return f"{TABLE_NAMES[table]} is {_kind(found)}, not {shape}"


def _kind(value: object) -> str:
    kinds = {bool: "true or false", str: "a string", int: "a number", float: "a number"}
    kinds |= {list: "a list", dict: "a table"}
    return next((word for kind, word in kinds.items() if isinstance(value, kind)), "a value")


def declared(pyproject: str) -> set[str]:
    """The normalised names of every runtime dependency, in either table."""
    import tomlkit

    project, poetry = _tables(tomlkit.parse(pyproject))
    names = set()
    if project is not None and isinstance(project.get("dependencies"), list):
        names |= {_name(str(d)) for d in project["dependencies"]}
    if poetry is not None and isinstance(poetry.get("dependencies"), dict):
        names |= {_normal(str(key)) for key in poetry["dependencies"]}
    return names


def mentioned(pyproject: str) -> set[str]:
    """The normalised names of every dependency, optional ones and groups included."""
    import tomlkit

    doc = tomlkit.parse(pyproject)
    project, poetry = _tables(doc)
    lists = [*((project or {}).get("optional-dependencies") or {}).values()]
    lists += [*(doc.get("dependency-groups") or {}).values()]
    names = {_name(str(d)) for group in lists if isinstance(group, list) for d in group}
    groups = ((poetry or {}).get("group") or {}).values()
    tables = [g.get("dependencies") for g in groups if isinstance(g, dict)]
    names |= {_normal(str(k)) for table in tables if isinstance(table, dict) for k in table}
    return declared(pyproject) | names


def runtime_requirements(pyproject: str, python_version: str = "") -> list[str]:
    """`[project].dependencies` as written, those whose marker does not hold for the
    project's interpreter left out: what installing the project's dependencies installs."""
    import tomlkit

    project, _ = _tables(tomlkit.parse(pyproject))
    if project is None or not isinstance(project.get("dependencies"), list):
        return []
    found = [str(d).strip() for d in project["dependencies"]]
    return [d for d in found if _name(d) and applies(d, python_version)]


def name_of(requirement: str) -> str:
    """The normalised distribution name of a requirement (`Pydantic_Settings>=2` ->
    `pydantic-settings`)."""
    return _name(requirement)


def missing(pyproject: str, wanted: list[str]) -> list[str]:
    """The requirements in `wanted` that the project does not declare yet."""
    names = declared(pyproject)
    return [w for w in wanted if _name(w) not in names]


def _poetry_entry(requirement: str) -> tuple[str, Any]:
    """`psycopg[binary]>=3.1` as Poetry writes it: `psycopg = {version = ">=3.1", extras =
    ["binary"]}`; a bare name is `"*"`."""
    import tomlkit

    found = _REQUIREMENT.match(requirement)
    if found is None:
        raise ValueError(f"not a requirement: {requirement!r}")
    name, extras, version = found.group(1), found.group(2), found.group(3) or "*"
    if not extras:
        return name, version
    entry = tomlkit.inline_table()
    entry["version"] = version
    entry["extras"] = [e.strip() for e in extras.split(",") if e.strip()]
    return name, entry


def add(pyproject: str, requirements: list[str]) -> str:
    """`pyproject` with `requirements` declared where `where` says (unchanged when None)."""
    import tomlkit

    table = where(pyproject)
    doc = tomlkit.parse(pyproject)
    project, poetry = _tables(doc)
    if table == "project":
        if "dependencies" not in project:
            project["dependencies"] = tomlkit.array().multiline(True)
        for requirement in requirements:
            project["dependencies"].append(requirement)
    elif table == "poetry":
        created = "dependencies" not in poetry
        if created:
            poetry["dependencies"] = tomlkit.table()
        for requirement in requirements:
            name, entry = _poetry_entry(requirement)
            poetry["dependencies"][name] = entry
        if created:  # a blank line before whatever table follows
            poetry["dependencies"].add(tomlkit.nl())
    text = tomlkit.dumps(doc)
    return text[:-1] if text.endswith("\n\n") and not pyproject.endswith("\n\n") else text


def requirements_txt(text: str, python_version: str = "") -> dict[str, str]:
    """The plain requirements of a requirements.txt, by distribution name: options (`-r`,
    `-e`, `--index-url`), URLs, direct references and lines whose marker does not hold for
    the project's interpreter are left out."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        requirement = line.split(" #")[0].strip()
        if not requirement or requirement.startswith(("#", "-")):
            continue
        parsed = _parsed(requirement)
        if parsed is None or parsed.url or not applies(requirement, python_version):
            continue
        found[canonicalize_name(parsed.name)] = requirement
    return found


def missing_requirements(text: str, wanted: list[str]) -> list[str]:
    """The requirements in `wanted` that a requirements.txt does not list yet."""
    present = requirements_txt(text)
    return [w for w in wanted if _name(w) not in present]


def append_requirements(text: str, requirements: list[str]) -> str:
    """`text` (a requirements.txt) with `requirements` appended, one per line, in its own
    line endings."""
    newline = "\r\n" if "\r\n" in text else "\n"
    sep = newline if text and not text.endswith(("\n", "\r")) else ""
    return text + sep + "".join(f"{r}{newline}" for r in requirements)
