"""Plan the env-file edits: `DATABASE_URL_SYNC` after the app's URL in the env file the app
reads, and a placeholder in the example files."""

from __future__ import annotations

import io
from pathlib import Path

from wizard import urls
from wizard.answers import Answers
from wizard.change import Change
from wizard.edits import envfile
from wizard.errors import WizardError
from wizard.inspection import Project
from wizard.inspection.envfiles import EnvSource


def env_changes(project: Project, answers: Answers, sync_text: str | None) -> list[Change]:
    """`.env` gets the sync URL (None: it is built from `${VAR}`s, so env.py derives it at
    run time instead of freezing a copy); example files get a placeholder."""
    settings = answers.settings
    key, sync_key = settings.env_key, settings.sync_env_key
    assert key and sync_key
    out = []
    for source in project.env_files:
        if source.example:
            value = _placeholder(source, key, settings.case_sensitive, answers.sync_driver)
            why = f"a placeholder for {sync_key}, derived from the example's {key}"
        elif source.path == answers.env_file:
            value, why = sync_text, f"{sync_key}: the sync URL Alembic uses"
        else:
            continue
        anchor = source.env.get(key, case_sensitive=settings.case_sensitive)
        if value is None or source.env.get(sync_key, case_sensitive=settings.case_sensitive):
            continue
        after = envfile.insert_after(
            source.env, source.text, anchor.key if anchor else key, sync_key, value
        )
        _check_reads_back(source.path, after, sync_key, value)
        out.append(Change(source.path, source.text, after, why))
    return out


def _check_reads_back(path: Path, text: str, key: str, value: str) -> None:
    """python-dotenv (what pydantic-settings uses) must read back exactly what we wrote."""
    from dotenv import dotenv_values

    if dotenv_values(stream=io.StringIO(text)).get(key) != value:
        raise WizardError(f"internal error: {key} would not read back as written", path=path)


def _placeholder(source: EnvSource, key: str, case_sensitive: bool, driver: str) -> str | None:
    """The example's own URL with the sync driver: same shape, never a real secret."""
    binding = source.env.get(key, case_sensitive=case_sensitive)
    if binding is None or not binding.value or "${" in binding.value:
        return None
    try:
        return urls.render(urls.derive_sync(urls.parse(binding.value), driver))
    except WizardError:
        return None
