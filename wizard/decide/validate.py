"""Answers checked against the project before anything is planned: a typo or a hostile value
is a one-line error naming the file (and line), never something written."""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from wizard import urls
from wizard.errors import WizardError
from wizard.inspection import Project
from wizard.inspection.source import UrlSource


def control_char(text: str) -> str | None:
    """The first control character in `text` (a NUL, a newline, an escape), as `\\x00`."""
    found = next((c for c in text if unicodedata.category(c) == "Cc"), None)
    return None if found is None else repr(found)[1:-1]


def check_models(project: Project, picked: Sequence[str], with_tables: Sequence[str]) -> None:
    """Every model module named is a module of the app (a typo would be written into
    env.py, which would then fail at every run)."""
    for name in picked:
        if name not in with_tables and name not in project.module_names:
            raise WizardError(
                f"--models {name!r} is not a module of the project",
                path=project.import_root,
                hint=f"the modules with tables: {', '.join(with_tables)}",
            )


def migrations_folder(project: Project, folder: str) -> str:
    """The migrations folder relative to the project root; outside it is refused."""
    if Path(folder).is_absolute():
        try:
            folder = Path(os.path.normpath(folder)).relative_to(project.root).as_posix()
        except ValueError:
            raise WizardError(
                f"--migrations {folder!r} is outside the project ({project.root})",
                hint="a folder inside the project, e.g. --migrations migrations",
            ) from None
    folder = folder.strip("/")
    if not folder or "%" in folder or ".." in Path(folder).parts or control_char(folder):
        raise WizardError(
            f"{folder!r} cannot be the migrations folder",
            hint="a folder inside the project, without '%' or '..' (alembic.ini would misread it)",
        )
    return folder


def check_env_file_read(project: Project, source: UrlSource, env_file: Path | None) -> None:
    """The env file to edit is one the settings read: `env_file=".env.local"` with only a
    `.env` beside it means the app never reads `.env`, so an edit there changes nothing."""
    settings = source.settings
    if env_file is None or settings is None or not settings.env_files:
        return
    read = {(project.root / name).resolve() for name in settings.env_files}
    if env_file in read:
        return
    named = ", ".join(settings.env_files)
    where = project.module_paths.get(settings.module)
    raise WizardError(
        f"the settings read {named}, which does not exist; the app never reads "
        f"{project.rel(env_file)}, so the wizard would edit a file nobody reads",
        path=where,
        line=settings.line if where else None,
        hint=f"create {settings.env_files[0]} (e.g. copy {env_file.name}), or pass "
        f"--env-file {project.rel(env_file)} if your app loads it another way",
    )


def check_sync_value(project: Project, source: UrlSource, env_file: Path | None) -> None:
    """An existing sync URL in the env file the app reads must be a URL (else env.py fails
    on it later, and the error would point at env.py instead of the env file)."""
    for env in project.env_files:
        if env.example or env.path != env_file:
            continue
        binding = env.env.get(source.sync_key, case_sensitive=source.case_sensitive)
        if binding is None or not binding.value or "${" in binding.value:
            continue
        check_url_text(binding.value, binding.key, env.path, binding.line)
        urls.parse(binding.value, where=binding.key, path=env.path, line=binding.line)


def check_url_text(text: str, key: str, path: Path | None, line: int | None) -> None:
    """A URL value with a control character in it (a NUL, a newline inside quotes) is
    refused: it would be carried into the sync URL."""
    found = control_char(text)
    if found:
        raise WizardError(
            f"{key} holds a control character ({found}); a URL cannot",
            path=path,
            line=line,
            hint=f"remove it from {key}'s value",
        )
