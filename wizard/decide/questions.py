"""The questions, one small function each, asked in the order a user thinks about them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from wizard import urls
from wizard.answers import MODES, Answers, Flags
from wizard.decide.decider import Decider
from wizard.decide.recall import recall
from wizard.drivers import Mode
from wizard.edits import deps
from wizard.errors import NotForUs, WizardError
from wizard.inspection import Project
from wizard.inspection.appurl import find_app_url
from wizard.inspection.models import Metadata
from wizard.inspection.project import blame_skipped
from wizard.inspection.settings import Settings
from wizard.target import Target, make_target

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

MODE_HELP = (
    "sync: Alembic gets its own sync driver and URL, the app is untouched; "
    "async: Alembic runs on the app's async URL through run_sync, no extra driver"
)


def ask_settings(project: Project, decider: Decider) -> Settings:
    with_url = [s for s in project.settings if s.url_field]
    if not with_url:
        blame_skipped(project.skipped, (b"BaseSettings",))
        found = ", ".join(s.label for s in project.settings) or "none"
        raise WizardError(
            f"no settings class with a database URL field (settings classes found: {found})",
            path=project.top,
            hint="add `database_url: str` to your pydantic-settings class",
        )
    labels = [s.label for s in with_url]
    bases = {a for s in with_url for a in s.ancestors}
    # the one the app uses: not just a base of another, and instantiated somewhere
    used = [s.label for s in with_url if s.label not in bases and (s.instance or s.getter)]
    leaves = [s.label for s in with_url if s.label not in bases]
    default = next((c[0] for c in (labels, used, leaves) if len(c) == 1), None)
    label = decider.choose("settings class", "--settings", decider.flags.settings, labels, default)
    return with_url[labels.index(label)]


def ask_env_file(project: Project, decider: Decider, settings: Settings) -> Path | None:
    env_paths = [str(s.path) for s in project.env_files if not s.example]
    if not env_paths:
        return None
    key = settings.env_key or ""
    holding = [
        str(s.path)
        for s in project.env_files
        if not s.example and s.env.get(key, case_sensitive=settings.case_sensitive)
    ]
    # pydantic-settings lets a later env_file override an earlier one: the last one wins
    default = holding[-1] if holding else env_paths[0]
    flag = decider.flags.env_file
    given = str(Path(flag).resolve()) if flag else None
    return Path(decider.choose("env file", "--env-file", given, env_paths, default))


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
    detected = urls.dialect_of(url).name
    flags = decider.flags
    if from_user.dialect is None and flags.dialect not in (None, detected):  # the URL changed
        notes.append(f"the database changed to {detected}: its driver is asked again")
        decider.flags = replace(flags, dialect=None, sync_driver=from_user.sync_driver)
    given = decider.flags.dialect
    dialect = decider.choose("database", "--dialect", given, list(urls.DIALECTS), detected)
    if dialect != detected:
        raise WizardError(f"the URL in {key} is {detected}, not {dialect}")
    return dialect


def ask_mode(project: Project, decider: Decider, url: URL, driverless: bool) -> Mode:
    choices: list[str] = ["sync"] if driverless else list(MODES)
    default = recommend_mode(project, url)
    picked = decider.choose(
        f"migration mode ({MODE_HELP})", "--mode", decider.flags.mode, choices, default
    )
    return "async" if picked == "async" else "sync"


def ask_sync_driver(project: Project, decider: Decider, url: URL, mode: Mode) -> str:
    default = urls.default_sync_driver(url, project.installed)
    if mode == "async":
        return default
    drivers = list(urls.dialect_of(url).sync_drivers)
    given = decider.flags.sync_driver
    return decider.choose("sync driver for Alembic", "--sync-driver", given, drivers, default)


def ask_metadata(project: Project, decider: Decider) -> Metadata:
    labels = [m.label for m in project.metadatas]
    default = labels[0] if len(labels) == 1 else None
    label = decider.choose("MetaData", "--metadata", decider.flags.metadata, labels, default)
    return project.metadatas[labels.index(label)]


def ask_models(project: Project, decider: Decider, metadata: Metadata) -> tuple[str, ...]:
    modules = sorted({t.module for t in project.tables if t.metadata == metadata})
    return decider.many("model modules", "--models", decider.flags.models, modules)


def ask_migrations(project: Project, decider: Decider) -> str:
    given = decider.flags.migrations
    folder = decider.text(
        "migrations folder", "--migrations", given, project.default_migrations
    ).strip("/")
    if not folder or "%" in folder or ".." in Path(folder).parts:
        raise WizardError(
            f"{folder!r} cannot be the migrations folder",
            hint="a folder inside the project, without '%' (alembic.ini would misread it)",
        )
    return folder


def ask_add_deps(project: Project, decider: Decider, target: Target) -> bool:
    """Whether to declare what Alembic needs in pyproject.toml (asked when something is missing)."""
    text = project.files.get(project.config_path)
    if project.config_path.name != "pyproject.toml" or text is None:
        return True
    adding = deps.missing(text, target.requirements)
    if not adding:
        return True
    question = f"Declare {', '.join(adding)} in pyproject.toml?"
    return decider.yes_no(question, "--add-deps", decider.flags.add_deps, True)


def recommend_mode(project: Project, url: URL) -> Mode:
    """Keep a working async env.py async; async when no sync driver is installed but the
    app's own driver is (nothing to install); otherwise the sync-driver mode."""
    text = project.text(project.root / project.default_migrations / "env.py") or ""
    if "run_sync" in text or "async_engine_from_config" in text:
        return "async"
    dialect = urls.dialect_of(url)
    installed = project.installed | {"sqlite3"}  # the standard library's
    sync_installed = any(dialect.modules.get(d) in installed for d in dialect.sync_drivers)
    own_installed = dialect.modules.get(url.get_driver_name()) in project.installed
    if not sync_installed and own_installed and "greenlet" in project.installed:
        return "async"
    return "sync"


def decide(
    project: Project, flags: Flags, *, yes: bool, interactive: bool
) -> tuple[Answers, Target]:
    """Every answer, and what they mean for the database."""
    remembered, notes = recall(project, flags)
    decider = Decider(remembered, yes=yes, interactive=interactive)
    settings = ask_settings(project, decider)
    env_file = ask_env_file(project, decider, settings)
    app = find_app_url(project, settings, env_file)
    url = app.parse()
    driverless = check_async(project, url, app.key)
    dialect = ask_dialect(decider, flags, url, app.key, notes)
    mode = ask_mode(project, decider, url, driverless)
    sync_driver = ask_sync_driver(project, decider, url, mode)
    metadata = ask_metadata(project, decider)
    answers = Answers(
        dialect=dialect,
        sync_driver=sync_driver,
        metadata=metadata,
        model_modules=ask_models(project, decider, metadata),
        settings=settings,
        env_file=env_file,
        migrations=ask_migrations(project, decider),
        app=app,
        mode=mode,
    )
    target = make_target(project, answers, url)
    add_deps = ask_add_deps(project, decider, target)
    return replace(answers, add_deps=add_deps, notes=tuple(notes)), target
