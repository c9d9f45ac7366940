"""What every doctor check reads: the inspected project, its alembic.ini, [tool.alembic] and
env.py parsed once, and how to word a finding."""

from __future__ import annotations

import ast
import configparser
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wizard import urls
from wizard.doctor.finding import Finding
from wizard.doctor.rules import RULES
from wizard.errors import WizardError
from wizard.inspection import Project
from wizard.inspection.alembic_setup import line_of
from wizard.inspection.scan import name_of
from wizard.inspection.source import UrlSource

if TYPE_CHECKING:
    from sqlalchemy.engine import URL


@dataclass(frozen=True)
class Context:
    """One project's Alembic setup, ready to check."""

    project: Project
    ini: configparser.ConfigParser | None
    env_tree: ast.Module | None

    @classmethod
    def of(cls, project: Project) -> Context:
        """Parse what inspection read (a bad env.py is an error naming its line)."""
        try:
            ini = project.alembic.ini
        except configparser.Error as exc:
            raise WizardError(
                f"cannot parse: {exc.message}", path=project.alembic.ini_path
            ) from exc
        return cls(project, ini, project.alembic.env_tree())

    @property
    def source(self) -> UrlSource | None:
        """The app's URL as the last setup chose it (the remembered `url`), else the first
        engine's."""
        sources = self.project.sources
        chosen = self.project.remembered.get("url")
        return next((s for s in sources if s.label == chosen), sources[0] if sources else None)

    def app_url(self) -> tuple[URL, Path, int] | None:
        """The app's URL as the env files the app reads set it (None: absent, unreadable)."""
        source = self.source
        if source is None or source.env_key is None:
            return None
        for env in self.project.env_files:
            found = env.env.get(source.env_key, case_sensitive=source.case_sensitive)
            if not env.example and found and found.value:
                url = parsed(found.value)
                return (url, env.path, found.line) if url is not None else None
        return None

    @property
    def ini_path(self) -> Path | None:
        return self.project.alembic.ini_path if self.ini is not None else None

    @property
    def env_path(self) -> Path | None:
        return self.project.alembic.env_path

    @property
    def env_text(self) -> str:
        return self.project.alembic.env_text or ""

    @property
    def is_async_env(self) -> bool:
        return any(w in self.env_text for w in ("async_engine_from_config", "create_async_engine"))

    def find(self, rule: str, path: Path | None, line: int | None, what: str) -> Finding:
        r = RULES[rule]
        return Finding(rule, self.project.rel(path) if path else None, line, what, r.why, r.fix)

    def ini_line(self, key: str) -> int | None:
        return self.project.alembic.ini_line(key) if self.ini is not None else None

    @property
    def toml_path(self) -> Path | None:
        """The pyproject.toml with [tool.alembic] (None: there is none)."""
        return self.project.alembic.toml_path

    @property
    def toml(self) -> Mapping[str, Any]:
        """[tool.alembic] as plain values (empty: there is none)."""
        return self.project.alembic.toml

    def toml_line(self, key: str) -> int | None:
        """The line of `key` under [tool.alembic] in pyproject.toml."""
        if self.toml_path is None:
            return None
        return line_of(self.project.files.get(self.toml_path), key, after="[tool.alembic]")

    def ini_url(self) -> str | None:
        if self.ini is None:
            return None
        url = self.ini.get("alembic", "sqlalchemy.url", fallback=None)
        return url if url and "driver://" not in url else None

    def calls(self, name: str) -> Iterator[ast.Call]:
        for node in ast.walk(self.env_tree) if self.env_tree else ():
            if isinstance(node, ast.Call):
                func = node.func
                called = name_of(func)
                if called == name:
                    yield node


def parsed(value: str | None) -> URL | None:
    """A URL of a known dialect, or None (absent, `${VAR}`-built, or unreadable)."""
    if not value or "${" in value:
        return None
    try:
        url = urls.parse(value)
        urls.dialect_of(url)
    except WizardError:
        return None
    return url


def driverless(url: URL) -> bool:
    """`postgres://`, `postgresql://`, `mysql://`: the driver left to SQLAlchemy's default
    (plain `sqlite://` is fine: the standard library's driver is always there)."""
    return "+" not in url.drivername and url.get_backend_name() != "sqlite"


def place(url: URL) -> tuple[object, ...]:
    """What names one database: a sync and an async URL for it agree on these."""
    return (url.get_backend_name(), url.host, url.port, url.username, url.database)


def is_async(url: URL) -> bool | None:
    """Whether the URL's driver is async (None: an unknown dialect)."""
    try:
        return urls.is_async(url)
    except WizardError:
        return None
