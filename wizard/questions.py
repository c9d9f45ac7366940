"""Decide every answer: from a flag, else the detected default (`--yes`), else by asking."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wizard import deps, prompts, urls
from wizard.answers import Answers, Flags
from wizard.errors import Ambiguous, NotForUs, NotInteractive, WizardError
from wizard.project import Project, blame_skipped
from wizard.settings import Settings
from wizard.textio import read_text

if TYPE_CHECKING:
    from sqlalchemy.engine import URL


class Decider:
    """Answers one question at a time, the same way for every question."""

    def __init__(self, flags: Flags, *, yes: bool, interactive: bool) -> None:
        self.flags = flags
        self.yes = yes
        self.interactive = interactive

    def _may_ask(self, what: str, flag: str) -> bool:
        if self.yes:
            return False
        if not self.interactive:
            raise NotInteractive(
                f"no terminal to ask about the {what}",
                hint=f"pass --yes to take the detected defaults, or {flag}",
            )
        return True

    def choose(
        self, what: str, flag: str, given: str | None, choices: Sequence[str], default: str | None
    ) -> str:
        """One of `choices`; `default` None means there is no single sensible default."""
        if given is not None:
            if given not in choices:
                raise WizardError(
                    f"{flag} {given!r} is not one of: {', '.join(choices)}", hint=f"{flag} VALUE"
                )
            return given
        if len(choices) == 1:
            return choices[0]
        if not self._may_ask(what, flag):
            if default is None:
                raise Ambiguous(
                    f"several {what} candidates: {', '.join(choices)}",
                    hint=f"choose one with {flag}",
                )
            return default
        return prompts.select(f"Which {what}?", choices, default or choices[0])

    def many(
        self, what: str, flag: str, given: Sequence[str] | None, choices: Sequence[str]
    ) -> tuple[str, ...]:
        """Some of `choices`, all of them by default."""
        if given is not None:
            return tuple(given)
        if not self._may_ask(what, flag):
            return tuple(choices)
        picked = prompts.checkbox(f"Which {what}?", choices, choices)
        if not picked:
            raise WizardError(f"no {what} chosen", hint="tick at least one with the space bar")
        return tuple(picked)

    def yes_no(self, question: str, flag: str, given: bool | None, default: bool) -> bool:
        """A yes-or-no question."""
        if given is not None:
            return given
        if not self._may_ask(question, flag):
            return default
        return prompts.confirm(question, default)

    def text(self, what: str, flag: str, given: str | None, default: str) -> str:
        """Free text with a default."""
        if given is not None:
            return given
        if not self._may_ask(what, flag):
            return default
        return prompts.text(f"The {what}?", default)


def _settings(project: Project, decider: Decider) -> Settings:
    with_url = [s for s in project.settings if s.url_field]
    if not with_url:
        blame_skipped(list(project.skipped), (b"BaseSettings",))
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


@dataclass(frozen=True)
class AppUrl:
    """The app's async URL and where it came from."""

    text: str  # as the app sees it (`${VAR}` references resolved)
    path: Path | None
    line: int | None
    literal: bool  # False: built from `${VAR}`s or only an example file has it

    def parse(self, key: str) -> URL:
        """The parsed URL; a bad one is an error naming the file and line."""
        return urls.parse(self.text, where=key, path=self.path, line=self.line)


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
        return AppUrl(text, source.path, binding.line, literal)
    if settings.url_default:
        path = project.module_paths.get(settings.module)
        return AppUrl(settings.url_default, path, settings.url_field_line, False)
    where = env_file or project.root / ".env"
    raise WizardError(
        f"no value for {key} found",
        path=where,
        hint=f"add {key}=postgresql+asyncpg://user:password@host/db to {where.name}",
    )


def _remembered_text(
    memory: dict[str, Any], key: str, allowed: list[str] | None = None
) -> str | None:
    value = memory.get(key)
    if not isinstance(value, str) or (allowed is not None and value not in allowed):
        return None
    return value


def _with_memory(project: Project, flags: Flags) -> tuple[Flags, list[str]]:
    """Flags win; remembered answers fill the rest, where they still fit the project."""
    memory: dict[str, Any] = dict(project.remembered)
    notes: list[str] = []
    static = set(project.model_modules)
    models: tuple[str, ...] | None = None
    if isinstance(memory.get("models"), list):
        new = sorted(static - set(memory["models"]))
        if new:  # the project changed since: ask again (all ticked by default)
            notes.append(f"new model modules since the last run: {', '.join(new)}")
        else:
            models = tuple(m for m in memory["models"] if m in static) or None
    env_file = _remembered_text(memory, "env-file")
    add_deps = memory.get("add-deps")
    remembered = Flags(
        settings=_remembered_text(memory, "settings", [s.label for s in project.settings]),
        metadata=_remembered_text(memory, "metadata", [m.label for m in project.metadatas]),
        env_file=str(project.root / env_file) if env_file else None,
        mode=_remembered_text(memory, "mode", list(MODES)),
        dialect=_remembered_text(memory, "dialect", list(urls.DIALECTS)),
        sync_driver=_remembered_text(memory, "sync-driver"),
        models=models,
        migrations=_remembered_text(memory, "migrations"),
        add_deps=add_deps if isinstance(add_deps, bool) else None,
    )
    merged = {name: getattr(flags, name) for name in Flags.__dataclass_fields__}
    for name, value in merged.items():
        if value is None:
            merged[name] = getattr(remembered, name)
    return Flags(**merged), notes


def decide(project: Project, flags: Flags, *, yes: bool, interactive: bool) -> Answers:
    """Every answer, asked in the order a user thinks about them."""
    from_user = flags
    flags, notes = _with_memory(project, flags)
    decider = Decider(flags, yes=yes, interactive=interactive)
    settings = _settings(project, decider)
    env_paths = [str(s.path) for s in project.env_files if not s.example]
    key = settings.env_key or ""
    holding = [
        str(s.path)
        for s in project.env_files
        if not s.example and s.env.get(key, case_sensitive=settings.case_sensitive)
    ]
    # pydantic-settings lets a later env_file override an earlier one: the last one wins
    env_default = holding[-1] if holding else (env_paths[0] if env_paths else None)
    env_file = None
    if env_paths:
        given = str(Path(flags.env_file).resolve()) if flags.env_file else None
        env_file = Path(decider.choose("env file", "--env-file", given, env_paths, env_default))
    url = find_app_url(project, settings, env_file).parse(key)
    detected = urls.dialect_of(url).name
    # a driver-less URL (`postgres://` from a PaaS) in an app that uses create_async_engine:
    # the app swaps in its async driver at run time; only the sync mode fits it
    driverless = "+" not in url.drivername and project.async_engine
    if not driverless and not urls.is_async(url, async_engine=project.async_engine):
        raise NotForUs(
            f"{key} uses the sync driver {url.drivername!r}: this app is not async",
            hint="plain `alembic init` fits a sync project",
        )
    if from_user.dialect is None and flags.dialect not in (None, detected):  # the URL changed
        notes.append(f"the database changed to {detected}: its driver is asked again")
        flags = replace(flags, dialect=None, sync_driver=from_user.sync_driver)
        decider.flags = flags
    dialect = decider.choose("database", "--dialect", flags.dialect, list(urls.DIALECTS), detected)
    if dialect != detected:
        raise WizardError(f"the URL in {key} is {detected}, not {dialect}")
    mode = decider.choose(
        f"migration mode ({MODE_HELP})", "--mode", flags.mode,
        ["sync"] if driverless else list(MODES), recommend_mode(project, url),
    )  # fmt: skip
    drivers = urls.DIALECTS[dialect].sync_drivers
    default_driver = urls.default_sync_driver(url, project.installed)
    sync_driver = (
        default_driver
        if mode == "async"
        else decider.choose(
            "sync driver for Alembic",
            "--sync-driver",
            flags.sync_driver,
            list(drivers),
            default_driver,
        )  # fmt: skip
    )
    labels = [m.label for m in project.metadatas]
    meta_label = decider.choose(
        "MetaData", "--metadata", flags.metadata, labels, labels[0] if len(labels) == 1 else None
    )
    metadata = project.metadatas[labels.index(meta_label)]
    modules = sorted({t.module for t in project.tables if t.metadata == metadata})
    chosen = decider.many("model modules", "--models", flags.models, modules)
    migrations = decider.text(
        "migrations folder", "--migrations", flags.migrations, _default_migrations(project)
    ).strip("/")
    if not migrations or "%" in migrations or ".." in Path(migrations).parts:
        raise WizardError(
            f"{migrations!r} cannot be the migrations folder",
            hint="a folder inside the project, without '%' (alembic.ini would misread it)",
        )
    answers = Answers(dialect, sync_driver, metadata, chosen, settings, env_file, migrations, mode)
    pyproject = project.root / "pyproject.toml"
    if pyproject.is_file():
        from wizard.verify import needed_drivers

        wanted = [
            "alembic>=1.13",
            *needed_drivers(
                answers, urls.derive_sync(url, sync_driver) if mode == "sync" else url
            ).values(),
        ]
        adding = deps.missing(read_text(pyproject), wanted)
        if adding:
            add = decider.yes_no(
                f"Declare {', '.join(adding)} in pyproject.toml?",
                "--add-deps",
                flags.add_deps,
                True,
            )
            answers = replace(answers, add_deps=add)
    return replace(answers, notes=tuple(notes))


MODES = ("sync", "async")
MODE_HELP = (
    "sync: Alembic gets its own sync driver and URL, the app is untouched; "
    "async: Alembic runs on the app's async URL through run_sync, no extra driver"
)


def existing_env(project: Project) -> str | None:
    """The text of the project's current env.py, if there is one."""
    folder = project.root / _default_migrations(project)
    path = folder / "env.py"
    return read_text(path) if path.is_file() else None


def recommend_mode(project: Project, url: URL) -> str:
    """Keep a working async env.py async; async when no sync driver is installed but the
    app's own driver is (nothing to install); otherwise the sync-driver mode."""
    text = existing_env(project) or ""
    if "run_sync" in text or "async_engine_from_config" in text:
        return "async"
    dialect = urls.dialect_of(url)
    installed = project.installed | {"sqlite3"}  # the standard library's
    sync_installed = any(dialect.modules.get(d) in installed for d in dialect.sync_drivers)
    own_installed = dialect.modules.get(url.get_driver_name()) in project.installed
    if not sync_installed and own_installed and "greenlet" in project.installed:
        return "async"
    return "sync"


def _default_migrations(project: Project) -> str:
    location = project.script_location
    if location:
        return location.replace("%(here)s/", "").strip("/") or "migrations"
    return "migrations"
