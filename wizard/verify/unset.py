"""The app's variables set nowhere the shell sees yet (only in a template, or put together at
run time): what verification does instead (offline, with the template's placeholders) and
how it says so."""

from __future__ import annotations

from dataclasses import replace

from wizard.answers import Answers
from wizard.inspection import Project
from wizard.verify import rungs as r
from wizard.verify.rungs import Rung


def placeholders(project: Project, answers: Answers) -> dict[str, str]:
    """Every value of the template the user is to copy (the app may need more than the
    URL to start), for an offline verification only: when the URL is a placeholder, or
    when the project has no env file of its own yet (a fresh clone)."""
    if answers.app.typed or (not answers.app.unset and not fresh_clone(project)):
        return {}  # typed: the env file written from the template holds the real values
    if answers.app.compose:
        return {answers.app.key: answers.app.text}
    templates = [e for e in project.env_files if e.example]
    templates.sort(key=lambda e: e.path != answers.app.path)  # the URL's own template wins
    values = {k: v for e in reversed(templates) for k, v in e.values()}
    return {**values, answers.app.key: answers.app.text} if answers.app.unset else values


def fresh_clone(project: Project) -> bool:
    """No env file of the project's own (only templates, or none): the app reads its
    variables from files or an environment the user has not made yet."""
    return all(e.example for e in project.env_files)


def unverified(rung: Rung) -> Rung:
    """The app cannot start until its variables are set: not a failure of the setup."""
    if rung.status != "fail" or not rung.detail.startswith(UNSET_ERRORS):
        return rung
    return replace(
        rung,
        status="skip",
        detail=f"not until the app's variables are set ({rung.detail})",
        fix="set them (a .env from the project's template), then run `alembic-wizard verify`",
    )


# what an app's config raises for a variable that is not set: pydantic's, os.environ[...],
# int(os.getenv(...)) on None or "", python-decouple's, environs'
UNSET_ERRORS = (
    "ValidationError",
    "KeyError",
    "SettingsError",
    "TypeError",
    "ValueError",
    "UndefinedValueError",
    "EnvError",
)


def unset_rung(project: Project, answers: Answers) -> Rung:
    """The URL is a placeholder (a template's, or the declared driver's): the first step is
    to set the real one."""
    app, settings = answers.app, answers.source.settings
    names = settings.env_files if settings and settings.env_files else (".env",)
    if app.compose and app.path is not None:
        step = f"# set {app.key} in {names[0]} or the environment to run alembic from a shell"
        return Rung(
            r.UNSET,
            "skip",
            f"{app.key} is set in {project.rel(app.path)} (the "
            "containers'): verified with it, offline",
            fix=step[2:],
            values=(step,),
        )
    if app.path is None:
        what = f"set {app.key}" if answers.source.env_key else f"set what {app.key} is made of"
        step = f"# {what} (the URL the app's engine uses) in {names[0]} or the environment"
        return Rung(
            r.UNSET,
            "skip",
            f"{app.key} is set nowhere in the project: verified "
            "offline with a placeholder of the declared driver",
            fix=step[2:],
            values=(step,),
        )
    template = project.rel(app.path)
    copy = f"cp {template} {names[0]}  # then set {app.key} in it"
    return Rung(
        r.UNSET,
        "skip",
        f"{app.key} is set only in {template}: verified with its placeholder, offline",
        fix=copy,
        values=(copy,),
    )
