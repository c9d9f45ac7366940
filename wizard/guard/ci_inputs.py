"""What the CI workflow takes from the project rather than assumes: the Python it runs on
(`.python-version`, `requires-python`), the variables the app reads at import (its env
template, `.env.example` & co.), and whether it installs alembic-wizard at all."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from wizard.edits import envfile
from wizard.edits.remembered import parse_toml
from wizard.inspection import Project

PYTHON_VERSION = ".python-version"
REQUIREMENTS = (
    "requirements.txt",
    "requirements-dev.txt",
    "dev-requirements.txt",
    "requirements/dev.txt",
    "requirements/test.txt",
)
DEFAULT_PYTHON = "3.12"
_VERSION = re.compile(r"(?<![\d.])(3\.\d+(?:\.\d+)?)")
# the lowest version a `requires-python` (or Poetry's `python`) allows: `>=3.11`, `~=3.11`,
# `==3.11.*`, `^3.11`; an upper bound alone (`<3.13`) says none
_LOWER = re.compile(r"(?:>=|~=|==|\^|~|>)\s*v?(3\.\d+)")
_DECLARED = re.compile(r"""(?m)^\s*(?:requires-python|python)\s*=\s*["']([^"'\n]+)["']""")
_WIZARD = re.compile(r"^\s*alembic[-_.]wizard(?![\w.-])", re.IGNORECASE)


def paths(project: Project) -> list[Path]:
    """The files these read, for inspection to read once."""
    folders = list(dict.fromkeys((project.root, project.top)))
    return [f / name for f in folders for name in (PYTHON_VERSION, *REQUIREMENTS)]


def python_version(project: Project) -> tuple[str, str]:
    """The Python version CI sets up, and where it comes from: `.python-version`, else the
    lowest `requires-python` allows, else the project's interpreter's."""
    for folder in dict.fromkeys((project.root, project.top)):
        text = project.files.get(folder / PYTHON_VERSION)
        found = _VERSION.search(text or "")
        if found:
            return found[1], project.rel(folder / PYTHON_VERSION)
        declared = _DECLARED.search(project.files.get(folder / "pyproject.toml") or "")
        lowest = _LOWER.search(declared[1]) if declared else None
        if lowest and declared:
            return lowest[1], f"requires-python {declared[1]}"
    interpreter = _VERSION.match(project.environment.version)
    if interpreter:
        return ".".join(interpreter[1].split(".")[:2]), "the project's interpreter"
    return DEFAULT_PYTHON, "no version found"


def template_variables(project: Project) -> list[tuple[str, str]]:
    """Every variable of the project's env templates (`.env.example`, ...) with the value the
    template gives it (its placeholder, or empty): what the app needs set to import. The real
    env files are never read here (they hold secrets, and are not in git)."""
    found: dict[str, str] = {}
    for source in project.env_files:
        if source.example:
            for piece in source.env.pieces:
                if isinstance(piece, envfile.Binding):
                    found.setdefault(piece.key, piece.value or "")
    return list(found.items())


def wizard_requirement(project: Project) -> str | None:
    """How the project declares alembic-wizard (its requirement, `alembic-wizard` for a
    Poetry table entry), in pyproject.toml or a requirements file; None when it does not:
    CI then cannot install it (it is not on a package index) and runs no `doctor`."""
    for folder in dict.fromkeys((project.root, project.top)):
        for requirement in _pyproject_requirements(project.files.get(folder / "pyproject.toml")):
            if _WIZARD.match(requirement):
                return requirement
        for name in REQUIREMENTS:
            for line in (project.files.get(folder / name) or "").splitlines():
                if _WIZARD.match(line):
                    return line.split(" #")[0].strip()
    return None


def _pyproject_requirements(text: str | None) -> Iterator[str]:
    """Every dependency pyproject.toml declares: PEP 621's lists and extras, dependency
    groups, uv's dev-dependencies, Poetry's tables (as their names)."""
    try:
        doc = parse_toml(text or "")
    except ValueError:  # tomllib's and tomlkit's errors both are
        return
    project, tool = doc.get("project", {}), doc.get("tool", {})
    poetry = tool.get("poetry", {})
    lists = [
        project.get("dependencies", []),
        *project.get("optional-dependencies", {}).values(),
        *doc.get("dependency-groups", {}).values(),
        tool.get("uv", {}).get("dev-dependencies", []),
    ]
    yield from (r for each in lists for r in each if isinstance(r, str))
    tables = [
        poetry.get("dependencies", {}),
        poetry.get("dev-dependencies", {}),
        *(group.get("dependencies", {}) for group in poetry.get("group", {}).values()),
    ]
    yield from (name for table in tables for name in table)
