"""The questions, one small function each, asked in the order a user thinks about them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from wizard import urls
from wizard.answers import MODES, Answers
from wizard.decide import validate
from wizard.decide.decider import Decider
from wizard.decide.declare import ask_add_deps
from wizard.decide.factory import factory_note, one_factory
from wizard.decide.ownsync import own_driver, own_kept
from wizard.decide.recall import recall
from wizard.drivers import Mode
from wizard.errors import NotForUs, WizardError
from wizard.inspection import Project
from wizard.inspection.appurl import AppUrl, find_app_url
from wizard.inspection.models import Metadata
from wizard.inspection.project import blame_skipped
from wizard.inspection.settings import Settings
from wizard.inspection.source import UrlSource
from wizard.options import Flags
from wizard.target import Target, make_target

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

MODE_HELP = {
    "sync": "Alembic gets its own sync driver and URL; the app is untouched",
    "async": "Alembic runs on the app's async URL through run_sync; no extra driver",
}


def ask_source(project: Project, decider: Decider) -> UrlSource:
    """Which of the app's engines (its URL source) Alembic migrates."""
    sources = list(project.sources)
    if not sources:
        _no_source(project)
    default = default_source(sources)
    if not project.followed and decider.flags.url is None:  # found by field names: by class
        labels = [s.settings.label if s.settings else s.label for s in sources]
        given = decider.flags.settings
        default = labels[[s.label for s in sources].index(default)] if default else None
        places = [_place(project, s.settings) for s in sources]
        label = decider.choose(
            "settings class", "--settings", given, labels, default, places=places
        )
        return sources[labels.index(label)]
    labels = [s.label for s in sources]
    given = decider.flags.url or _by_settings(sources, decider.flags.settings)
    places = [f"{project.rel(s.path)}:{s.line}" if s.path and s.line else "" for s in sources]
    label = decider.choose(
        "database URL (the app's async engine)", "--url", given, labels, default, places=places
    )
    return sources[labels.index(label)]


def _place(project: Project, settings: Settings | None) -> str:
    """`app/config.py:4`: where a settings class is written."""
    path = project.module_paths.get(settings.module) if settings else None
    return f"{project.rel(path)}:{settings.line}" if path and settings else ""


def _by_settings(sources: list[UrlSource], label: str | None) -> str | None:
    """`--settings module.Class`: the source in that settings class."""
    if label is None:
        return None
    found = [s.label for s in sources if s.settings and s.settings.label == label]
    if not found:
        known = sorted({s.settings.label for s in sources if s.settings})
        raise WizardError(
            f"--settings {label!r} is not one of: {', '.join(known)}", hint="--settings VALUE"
        )
    return found[0]


_TEST = re.compile(r"(?i)(^|_)(test|testing|tests)(_|$)")
_PRIMARY = re.compile(r"(?i)(^|_)(writer?|primary|master|rw)(_|$)")


def default_source(sources: list[UrlSource]) -> str | None:
    """One engine: its URL. Several: the writer/primary one, else the settings class the
    app uses (instantiated, not merely the base of another); None: no single default."""
    if len(sources) == 1:
        return sources[0].label
    primary = [s for s in sources if _PRIMARY.search(s.label.rsplit(".", 1)[-1])]
    if len(primary) == 1:
        return primary[0].label
    own = [s for s in sources if not _TEST.search(s.label.rsplit(".", 1)[-1])]
    if len(own) == 1 and len(sources) > 1:  # `test_database_url` beside the app's own
        return own[0].label
    bases = {a for s in sources if s.settings for a in s.settings.ancestors}
    leaves = [s for s in sources if s.settings and s.settings.label not in bases]
    used = [s for s in leaves if s.settings and (s.settings.instance or s.settings.getter)]
    found = next((c[0].label for c in (used, leaves) if len(c) == 1), None)
    return found or (made[0].label if (made := one_factory(sources)) else None)


def _no_source(project: Project) -> NoReturn:
    blame_skipped(project.skipped, (b"BaseSettings", b"create_async_engine"))
    found = ", ".join(s.label for s in project.settings) or "none"
    if not project.async_engine:
        raise NotForUs(
            "the app is not async: no async SQLAlchemy engine found (nothing imports "
            "sqlalchemy.ext.asyncio), and no settings class with a database URL field",
            path=project.top,
            hint="plain `alembic init` fits a sync project",
        )
    engines = ", ".join(f"{project.rel(p)}:{n}" for p, n in project.engines)
    what = (
        f"cannot tell where the URL of the async engine ({engines}) comes from"
        if engines
        else "no settings class with a database URL field"
    )
    raise WizardError(
        f"{what} (settings classes found: {found})",
        path=project.top,
        hint="give create_async_engine a settings field, os.getenv(...) or a literal URL",
    )


def ask_env_file(project: Project, decider: Decider, source: UrlSource) -> Path | None:
    env_paths = [str(s.path) for s in project.env_files if not s.example]
    if not env_paths:
        return None
    key = source.env_key or ""
    holding = [
        str(s.path)
        for s in project.env_files
        if not s.example and key and s.env.get(key, case_sensitive=source.case_sensitive)
    ]
    # pydantic-settings lets a later env_file override an earlier one: the last one wins
    default = holding[-1] if holding else env_paths[0]
    flag = decider.flags.env_file
    given = str(Path(flag).resolve()) if flag else None
    return Path(decider.choose("env file", "--env-file", given, env_paths, default))


def check_readable(project: Project, source: UrlSource, app: AppUrl) -> AppUrl:
    """A URL that only a template sets, for settings that cannot start without it: the app
    cannot run yet, so neither can Alembic. The setup goes on (env.py derives the sync URL
    at run time from the variable the user sets; the template's value is a placeholder that
    tells the dialect and driver and lets verification render SQL offline)."""
    templates = {e.path for e in project.env_files if e.example}
    real = [e for e in project.env_files if not e.example]
    if app.path not in templates or source.default is not None or real:
        return app
    return replace(app, unset=True)


def ask_database_url(decider: Decider, source: UrlSource, app: AppUrl) -> AppUrl:
    """The app's URL is set nowhere a shell sees (a template's placeholder, or only the
    driver the project declares): at a terminal, ask for it, pre-filled with the template's
    value, and write it where the app reads it; `--yes` leaves it for the user to set."""
    given = decider.flags.database_url
    if not app.unset or app.compose or source.env_key is None:
        return app
    if given is None and (decider.yes or not decider.interactive):
        return app
    where = f"only {app.path.name} has it" if app.path else "the app's env file has none"
    typed = decider.text(
        f"database URL for {app.key} ({where}; it goes into the env file the app reads)",
        "--database-url",
        given,
        app.text,
        _url_problem,
    )
    return AppUrl(typed.strip(), app.key, app.path, app.line, True, typed=True)


def _url_problem(text: str) -> str | None:
    try:
        validate.check_url_text(text.strip(), "the URL", None, None)
        urls.parse(text.strip(), where="the URL")
    except WizardError as exc:
        return exc.message
    return None


def unset_note(source: UrlSource, app: AppUrl) -> str:
    """What the user must do before Alembic can run: set the variable the app reads."""
    names = source.settings.env_files if source.settings and source.settings.env_files else ()
    wanted = names[0] if names else ".env"
    if app.compose and app.path is not None:
        return (
            f"{app.key} is set in {app.path.name} (for the app's containers): env.py derives "
            f"the sync URL from it there; to run alembic from a shell, set {app.key} in "
            f"{wanted} or the environment"
        )
    if app.path is None:
        return (
            f"{app.key} is set nowhere in the project: the setup takes the dialect from the "
            f"driver the project declares; set it in {wanted} or the environment before "
            "running alembic (env.py derives the sync URL from it)"
        )
    return (
        f"{app.key} is set only in {app.path.name}, a template: before running alembic, copy "
        f"{app.path.name} to {wanted} and fill it in (or set {app.key} in the environment); "
        "env.py derives the sync URL from it"
    )


def check_async(project: Project, url: URL, key: str) -> bool:
    """NotForUs when the app's URL is sync; True when it names no driver at all."""
    # a driver-less URL (`postgres://` from a PaaS) in an app that uses create_async_engine:
    # the app swaps in its async driver at run time; only the sync mode fits it
    driverless = "+" not in url.drivername and project.async_engine
    if not driverless and not urls.is_async(url, async_engine=project.async_engine):
        raise NotForUs(
            f"{key} uses the sync driver {url.drivername!r}: this app is not async",
            hint="plain `alembic init` fits a sync project",
        )
    return driverless


def ask_dialect(decider: Decider, from_user: Flags, url: URL, key: str, notes: list[str]) -> str:
    """The URL decides the database: never asked. A --dialect that disagrees is an error, or,
    at a terminal, a question whether to go on with the URL's."""
    detected = urls.dialect_of(url).name
    flags = decider.flags
    if from_user.dialect is None and flags.dialect not in (None, detected):  # the URL changed
        notes.append(f"the database changed to {detected}: its driver is asked again")
        decider.flags = replace(flags, dialect=None, sync_driver=from_user.sync_driver)
    given = decider.flags.dialect
    if given in (None, detected):
        return detected
    why = f"the URL in {key} is {detected}, not {given}"
    if decider.insist(f"{why[0].upper()}{why[1:]} (--dialect). Go on with {detected}?"):
        return detected
    raise WizardError(why, hint=f"drop --dialect, or set {key} to a {given} URL")


def ask_mode(decider: Decider, driverless: bool) -> Mode:
    """Sync, always, unless asked (the headline: DATABASE_URL_SYNC and the settings field);
    a sync driver that is not installed yet goes into the one install command."""
    choices: list[str] = ["sync"] if driverless else list(MODES)
    picked = decider.choose(
        "migration mode", "--mode", decider.flags.mode, choices, "sync", MODE_HELP
    )
    return "async" if picked == "async" else "sync"


def ask_sync_driver(
    project: Project, decider: Decider, url: URL, mode: Mode, own: str | None = None
) -> str:
    """`own`: the driver of the app's own sync URL, the default when there is one."""
    version = project.environment.versions.get("sqlalchemy", "")
    default = own or urls.default_sync_driver(url, project.installed, sqlalchemy=version)
    if mode == "async":
        return default
    drivers = list(urls.dialect_of(url).sync_drivers)
    given = decider.flags.sync_driver
    return decider.choose("sync driver for Alembic", "--sync-driver", given, drivers, default)


def ask_metadata(project: Project, decider: Decider) -> tuple[Metadata, ...]:
    """The MetaData env.py targets: one, or a list when the project really has several
    (a checkbox; `--metadata a,b`; under --yes every one, so no table looks dropped)."""
    labels = [m.label for m in project.metadatas]
    given = decider.flags.metadata
    if given is not None:
        picked = [g.strip() for g in given.split(",") if g.strip()]
        unknown = [g for g in picked if g not in labels]
        if unknown or not picked:
            raise WizardError(
                f"--metadata {given!r}: not among {', '.join(labels)}",
                hint="--metadata a.Base.metadata,b.Base.metadata",
            )
    elif len(labels) == 1:
        picked = labels
    else:
        picked = list(decider.many("MetaData objects", "--metadata", None, labels))
    return tuple(project.metadatas[labels.index(label)] for label in picked)


def ask_models(
    project: Project, decider: Decider, metadatas: Sequence[Metadata]
) -> tuple[str, ...]:
    modules = sorted({t.module for t in project.tables if t.metadata in metadatas})
    picked = decider.many("model modules", "--models", decider.flags.models, modules)
    validate.check_models(project, picked, modules)
    return picked


def folder_problem(folder: str) -> str | None:
    """Why `folder` cannot be the migrations folder (None: it can)."""
    folder = folder.strip().strip("/")
    if not folder or "%" in folder or ".." in Path(folder).parts:
        return "not a folder inside the project without '%' (alembic.ini would misread it)"
    return None


def ask_migrations(project: Project, decider: Decider) -> str:
    given = decider.flags.migrations
    folder = decider.text(
        "migrations folder", "--migrations", given, project.default_migrations, folder_problem
    )
    return validate.migrations_folder(project, folder.strip())


def decide(
    project: Project, flags: Flags, *, yes: bool, interactive: bool
) -> tuple[Answers, Target]:
    """Every answer, and what they mean for the database."""
    remembered, notes = recall(project, flags)
    decider = Decider(remembered, yes=yes, interactive=interactive)
    source = ask_source(project, decider)
    notes += [n for n in [factory_note(list(project.sources), source)] if n and not flags.url]
    env_file = ask_env_file(project, decider, source)
    if decider.flags.env_file is None:  # a file named on purpose may be loaded another way
        validate.check_env_file_read(project, source, env_file)
    app = check_readable(project, source, find_app_url(project, source, env_file))
    app = ask_database_url(decider, source, app)
    if app.unset:
        notes.append(unset_note(source, app))
    validate.check_url_text(app.text, app.key, app.path, app.line)
    url = app.parse()
    driverless = check_async(project, url, app.key)
    dialect = ask_dialect(decider, flags, url, app.key, notes)
    mode = ask_mode(decider, driverless)
    if mode == "sync":
        validate.check_sync_value(project, source, env_file)
    sync_driver = ask_sync_driver(project, decider, url, mode, own_driver(project, source, url))
    source = own_kept(project, source, (url, sync_driver, mode), notes)
    metadata, *more_metadata = ask_metadata(project, decider)
    answers = Answers(
        dialect=dialect,
        sync_driver=sync_driver,
        metadata=metadata,
        more_metadata=tuple(more_metadata),
        model_modules=ask_models(project, decider, (metadata, *more_metadata)),
        source=source,
        env_file=env_file,
        migrations=ask_migrations(project, decider),
        app=app,
        mode=mode,
    )
    target = make_target(project, answers, url)
    add_deps = ask_add_deps(project, decider, target, notes)
    return replace(answers, add_deps=add_deps, notes=tuple(notes)), target
