"""Where the app's async URL comes from, and its value as the app sees it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from wizard import urls
from wizard.edits import envfile
from wizard.edits.remembered import parse_toml
from wizard.errors import WizardError
from wizard.inspection.envfiles import EXAMPLE_SUFFIXES
from wizard.inspection.project import Project
from wizard.inspection.source import UrlSource

if TYPE_CHECKING:
    from sqlalchemy.engine import URL


@dataclass(frozen=True)
class AppUrl:
    """The app's async URL and where it came from."""

    text: str  # as the app sees it (`${VAR}` references resolved)
    key: str  # the environment variable (or expression) that holds it
    path: Path | None
    line: int | None
    literal: bool  # True: written as is in the env file the app reads
    from_code: bool = False  # a literal in the code (a default, a hard-coded URL)
    shape: bool = False  # only its shape is known (parts read at run time): dialect, driver
    unset: bool = False  # a template's value: the app cannot start until the user sets it
    compose: bool = False  # set in a docker compose file: in the containers, not in a shell
    typed: bool = False  # given by the user (--database-url, or asked): goes into the env file

    def parse(self) -> URL:
        """The parsed URL; a bad one is an error naming the file and line."""
        return urls.parse(self.text, where=self.key, path=self.path, line=self.line)


def find_app_url(project: Project, source: UrlSource, env_file: Path | None) -> AppUrl:
    """The app's async URL: the env file, else the code (a default, a literal, parts put
    together), else an example file, else its shape."""
    key = source.env_key or source.label
    found = _from_env(project, source, env_file)
    if found is not None:
        return found
    if source.default is not None:
        written = source.default_is_literal
        return AppUrl(source.default, key, source.path, source.line, False, written)
    composed = _from_compose(project, source)
    if composed is not None:
        return composed
    example = _from_env(project, source, None, examples=True)
    if example is not None:
        return example
    if source.shape is not None:
        return AppUrl(source.shape, key, source.path, source.line, False, shape=True)
    declared = declared_shape(project)
    if declared is not None:  # set nowhere yet: the driver the project declares says the rest
        return AppUrl(declared, key, None, None, False, shape=True, unset=True)
    where = env_file or project.root / ".env"
    raise WizardError(
        f"no value for {key} found",
        path=where,
        hint=f"set {key} in {where.name} (the URL the app's engine uses)",
    )


def _from_compose(project: Project, source: UrlSource) -> AppUrl | None:
    """`DATABASE_URL: postgresql+asyncpg://...` under a service's `environment:`: the URL the
    app's containers get (`${VAR}` references are not values)."""
    key = source.env_key
    for found in project.compose if key else ():
        binding = found.env.get(key or "")
        if binding is not None and binding.value and "${" not in binding.value:
            return AppUrl(
                binding.value,
                binding.key,
                found.path,
                binding.line,
                False,
                unset=True,
                compose=True,
            )
    return None


def _from_env(
    project: Project, source: UrlSource, env_file: Path | None, *, examples: bool = False
) -> AppUrl | None:
    key = source.env_key
    if key is None:
        return None
    candidates = [s for s in project.env_files if (s.example if examples else s.path == env_file)]
    candidates.sort(key=lambda s: not s.path.name.endswith(EXAMPLE_SUFFIXES))  # .env.example first
    for env in candidates:
        binding = env.env.get(key, case_sensitive=source.case_sensitive)
        if binding is None or not binding.value:
            continue
        text, literal = binding.value, not env.example
        if "${" in text:  # resolved the way pydantic-settings (python-dotenv) resolves it
            text = envfile.resolved(env.env).get(binding.key) or text
            literal = False
        return AppUrl(text, key, env.path, binding.line, literal)
    return None


# async driver package -> the URL it makes, for a project that sets its URL nowhere yet
_DECLARED = {
    "asyncpg": "postgresql+asyncpg",
    "aiomysql": "mysql+aiomysql",
    "asyncmy": "mysql+asyncmy",
    "aiosqlite": "sqlite+aiosqlite",
    "psycopg": "postgresql+psycopg",
}
_REQUIREMENT = re.compile(
    r"""(?im)(?:^|["'\s,\[])(asyncpg|aiomysql|asyncmy|aiosqlite|psycopg)(?=[\s"'\[<>=~!;,\]]|$|-binary)"""
)


def declared_shape(project: Project) -> str | None:
    """`postgresql+asyncpg://...`: the one async driver the project declares (pyproject.toml,
    requirements.txt), as a placeholder URL; None when it declares none or several dialects.
    The app's own dependencies speak first: `aiosqlite` among the dev ones is for the tests."""
    pyproject = project.files.get(project.config_path) or ""
    requirements = project.files.get(project.root / "requirements.txt") or ""
    runtime = _one_driver([_runtime(pyproject), requirements])
    return runtime or _one_driver([pyproject, requirements])


def _one_driver(texts: list[str]) -> str | None:
    found = {m.lower() for text in texts for m in _REQUIREMENT.findall(text)}
    if "asyncpg" in found:
        found.discard("psycopg")  # psycopg beside asyncpg: the sync driver, for Alembic
    drivers = {_DECLARED[f] for f in found}
    if len({d.split("+")[0] for d in drivers}) != 1 or len(drivers) != 1:
        return None
    driver = drivers.pop()
    if driver.startswith("sqlite"):
        return f"{driver}:///./app.db"
    return f"{driver}://user:password@localhost/app"


def _runtime(pyproject: str) -> str:
    """The names of the main dependencies (PEP 621's, Poetry's), one a line."""
    try:
        doc = parse_toml(pyproject)
    except ValueError:
        return ""
    project, tool = doc.get("project"), doc.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    names = [
        *(project.get("dependencies") or [] if isinstance(project, dict) else []),
        *(poetry.get("dependencies") or {} if isinstance(poetry, dict) else {}),
    ]
    return "\n".join(str(n) for n in names)
