"""Where the app's async URL comes from, and its value as the app sees it."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from wizard import urls
from wizard.errors import WizardError
from wizard.inspection.project import Project
from wizard.inspection.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.engine import URL


@dataclass(frozen=True)
class AppUrl:
    """The app's async URL and where it came from."""

    text: str  # as the app sees it (`${VAR}` references resolved)
    key: str  # the environment variable (or field) that holds it
    path: Path | None
    line: int | None
    literal: bool  # False: built from `${VAR}`s or only an example file has it

    def parse(self) -> URL:
        """The parsed URL; a bad one is an error naming the file and line."""
        return urls.parse(self.text, where=self.key, path=self.path, line=self.line)


def find_app_url(project: Project, settings: Settings, env_file: Path | None) -> AppUrl:
    """The app's async URL: the env file, else the field's default, else an example file."""
    key = settings.env_key or ""
    sources = [s for s in project.env_files if s.path == env_file]
    sources += [s for s in project.env_files if s.example]
    for source in sources:
        binding = source.env.get(key, case_sensitive=settings.case_sensitive)
        if binding is None or not binding.value:
            continue
        if source.example and settings.url_default:
            break
        text, literal = binding.value, not source.example
        if "${" in text:  # resolved the way pydantic-settings (python-dotenv) resolves it
            from dotenv import dotenv_values

            text = dotenv_values(stream=io.StringIO(source.text)).get(binding.key) or text
            literal = False
        return AppUrl(text, key, source.path, binding.line, literal)
    if settings.url_default:
        path = project.module_paths.get(settings.module)
        return AppUrl(settings.url_default, key, path, settings.url_field_line, False)
    where = env_file or project.root / ".env"
    raise WizardError(
        f"no value for {key} found",
        path=where,
        hint=f"add {key}=postgresql+asyncpg://user:password@host/db to {where.name}",
    )


def env_url(project: Project) -> tuple[Settings, URL, int] | None:
    """The app's URL as the first settings class with a URL field reads it from the first
    env file (not an example) that sets it, with its line; None when absent or unreadable."""
    for settings in project.settings:
        for source in project.env_files:
            if source.example or not settings.env_key:
                continue
            binding = source.env.get(settings.env_key)
            if binding and binding.value:
                url = parsed(binding.value)
                return (settings, url, binding.line) if url is not None else None
    return None


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
