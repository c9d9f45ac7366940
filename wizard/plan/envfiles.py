"""Plan the env-file edits: `DATABASE_URL_SYNC` after the app's URL in the env file the app
reads, and a placeholder in the example files."""

from __future__ import annotations

from pathlib import Path

from wizard import urls
from wizard.answers import Answers
from wizard.change import Change
from wizard.edits import compose, envfile
from wizard.errors import WizardError
from wizard.inspection import Project
from wizard.inspection.envfiles import EnvSource


def env_changes(project: Project, answers: Answers, sync_text: str | None) -> list[Change]:
    """The env file the app reads gets the sync URL (None: the URL is put together at run
    time, so env.py derives it instead of freezing a copy); templates get a placeholder."""
    source = answers.source
    key, sync_key = source.env_key or "DATABASE_URL", source.sync_key
    out = []
    for env in project.env_files:
        if env.example:
            value = _placeholder(env, key, source.case_sensitive, answers.sync_driver)
            why = f"a placeholder for {sync_key}, derived from the file's own {key}"
        elif env.path == answers.env_file:
            value, why = sync_text, f"{sync_key}: the sync URL Alembic uses"
        else:
            continue
        written = env.env.get(sync_key, case_sensitive=source.case_sensitive)
        if written is not None:
            out += _made_sync(env, written, answers.sync_driver)
        elif value is not None:
            out.append(_insert(env, answers, key, sync_key, value, why))
    if answers.env_file is None and sync_text is not None:
        out.append(_new_env_file(project, answers, sync_text))
    return out


def _insert(env: EnvSource, answers: Answers, key: str, sync_key: str, value: str,
            why: str) -> Change:  # fmt: skip
    """`sync_key=value` after the app's URL (a hard-coded URL moves in first)."""
    text, parsed = env.text, env.env
    anchor = parsed.get(key, case_sensitive=answers.source.case_sensitive)
    moves_in = answers.source.kind == "literal" or answers.app.typed
    if anchor is None and moves_in and not env.example:
        text = envfile.insert_after(parsed, text, key, key, answers.app.text)
        parsed = envfile.parse(text, env.path)
        given = "the URL you gave" if answers.app.typed else "the URL written in the code"
        why = f"{key} ({given}) and {why}"
    after = envfile.insert_after(parsed, text, anchor.key if anchor else key, sync_key, value)
    line = envfile.format_binding(
        anchor or envfile.Binding(key, value, 0, ""), sync_key, value, "\n"
    )
    # the rest of the file is kept byte for byte: the new line alone says how it reads back,
    # unless its value could refer to the lines above (`${VAR}`)
    alone = "$" not in value and line.rstrip("\n") in after
    _check_reads_back(env.path, line if alone else after, sync_key, value)
    return Change(env.path, env.text, after, why)


def _made_sync(env: EnvSource, written: envfile.Binding, driver: str) -> list[Change]:
    """A sync URL written with an async driver (every Alembic command fails with
    MissingGreenlet): the same URL with the sync driver; any other value is the user's."""
    try:
        url = urls.parse(written.value or "")
        if not urls.is_async(url):
            return []
        value = urls.render(urls.derive_sync(url, driver))
    except WizardError:
        return []
    after = envfile.set_value(env.env, written.key, value)
    _check_reads_back(env.path, after, written.key, value)
    why = f"{written.key}: the sync driver in place of the async {url.drivername!r}"
    return [Change(env.path, env.text, after, why)]


def compose_changes(project: Project, answers: Answers, sync_text: str) -> list[Change]:
    """The sync URL beside the async one in the compose file that sets it, written the same
    way (a map entry or a list item), for Alembic run in the app's containers."""
    app, sync_key = answers.app, answers.source.sync_key
    found = next((c for c in project.compose if c.path == app.path), None)
    if not app.compose or found is None or found.env.get(sync_key) is not None:
        return []
    anchor = found.env.get(app.key)
    if anchor is None:
        return []
    after = compose.insert_after(found.text, anchor, sync_key, sync_text)
    read_back = compose.parse(after).get(sync_key)
    if read_back is None or read_back.value != sync_text:
        raise WizardError(f"internal error: {sync_key} would not read back", path=found.path)
    why = f"{sync_key}: the sync URL Alembic uses in the app's containers"
    return [Change(found.path, found.text, after, why)]


def new_env_path(project: Project, answers: Answers) -> Path:
    """The env file to create: the settings' `env_file`, else `.env` where Alembic runs."""
    return project.root / (named_env_file(project, answers) or ".env")


def named_env_file(project: Project, answers: Answers) -> str | None:
    """The `env_file` the app's settings name (the source's, else the one every settings
    class that names one agrees on: a helper's URL is read from them), even before it exists."""
    settings = answers.settings
    if settings and settings.env_files:
        return settings.env_files[0]
    named = {s.env_files[0] for s in project.settings if s.env_files}
    return named.pop() if len(named) == 1 and settings is None else None


def _from_template(project: Project, answers: Answers, sync_text: str) -> Change | None:
    """A URL the user gave, and a template that has its key: the new env file is the
    template with that URL in it and the sync URL after it (`cp .env.example .env`, filled
    in): the app needs the template's other variables too."""
    key, sync_key = answers.source.env_key, answers.source.sync_key
    templates = [e for e in project.env_files if e.example and key and e.env.get(key)]
    templates.sort(key=lambda e: e.path != answers.app.path)  # the one it was offered from
    template = templates[0] if templates else None
    if not answers.app.typed or template is None or key is None:
        return None
    binding = template.env.get(key)
    assert binding is not None
    text = envfile.set_value(template.env, binding.key, answers.app.text)
    text = envfile.insert_after(envfile.parse(text, template.path), text, binding.key, sync_key,
                                sync_text)  # fmt: skip
    path = new_env_path(project, answers)
    _check_reads_back(path, text, sync_key, sync_text)
    why = f"{template.path.name} with the URL you gave in {key}, and {sync_key} (new file)"
    return Change(path, None, text, why)


def _new_env_file(project: Project, answers: Answers, sync_text: str) -> Change:
    """No env file yet: one with the sync URL (and a hard-coded URL moved in)."""
    copied = _from_template(project, answers, sync_text)
    if copied is not None:
        return copied
    source = answers.source
    moves_in = source.kind == "literal" or answers.app.typed
    lines = [f"{source.env_key}={answers.app.text}"] if moves_in else []
    lines.append(f"{source.sync_key}={sync_text}")
    path = new_env_path(project, answers)
    body = "".join(
        envfile.format_binding(envfile.Binding(k, v, 0, ""), k, v, "\n")
        for k, _, v in (line.partition("=") for line in lines)
    )
    text = "# written by alembic-wizard: the database URLs (keep this file out of git)\n" + body
    _check_reads_back(path, text, source.sync_key, sync_text)
    return Change(path, None, text, f"{source.sync_key}: the sync URL Alembic uses (new file)")


def _check_reads_back(path: Path, text: str, key: str, value: str) -> None:
    """python-dotenv (what pydantic-settings uses) must read back exactly what we wrote."""
    if envfile.resolved(envfile.parse(text, path)).get(key) != value:
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
