"""Projects built in memory, for the planner: nothing here exists on disk."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from wizard.answers import Answers
from wizard.drivers import Mode
from wizard.edits import envfile
from wizard.inspection.alembic_setup import AlembicSetup
from wizard.inspection.appurl import AppUrl
from wizard.inspection.envfiles import EnvSource
from wizard.inspection.models import Metadata, TableDef
from wizard.inspection.project import Project
from wizard.inspection.settings import Settings
from wizard.inspection.source import UrlSource
from wizard.target import Target, make_target

ROOT = Path("/nonexistent/alembic-wizard-memory-project")
SETTINGS_PY = (
    "from pydantic_settings import BaseSettings, SettingsConfigDict\n\n\n"
    "class Settings(BaseSettings):\n"
    '    model_config = SettingsConfigDict(env_file=".env")\n\n'
    "    database_url: str\n\n\n"
    "settings = Settings()\n"
)
PYPROJECT = '[project]\nname = "shop"\ndependencies = [\n    "sqlalchemy[asyncio]>=2.0",\n]\n'


def memory_project(url: str, *, files: dict[Path, str | None] | None = None) -> Project:
    """A flat `shop` project whose `.env` holds DATABASE_URL=`url`."""
    meta = Metadata("shop.db", "Base", "Base.metadata")
    settings = Settings(
        module="shop.config", cls="Settings", line=4, url_field="database_url",
        url_field_line=7, url_alias=None, url_default=None, env_prefix="",
        env_files=(".env",), case_sensitive=False, instance="settings", getter=None,
        field_names=("database_url",), owner_module="shop.config", owner_cls="Settings",
    )  # fmt: skip
    env_text = f"# the app's database\nDATABASE_URL={url}\n"
    env = EnvSource(ROOT / ".env", env_text, envfile.parse(env_text, ROOT / ".env"), False)
    snapshot: dict[Path, str | None] = {
        ROOT / "pyproject.toml": PYPROJECT,
        ROOT / "shop" / "config.py": SETTINGS_PY,
        ROOT / ".env": env_text,
        ROOT / "alembic.ini": None,
        ROOT / "migrations" / "env.py": None,
        ROOT / "migrations" / "script.py.mako": None,
        ROOT / ".alembic-wizard" / "written" / "migrations" / "env.py": None,
        ROOT / ".alembic-wizard" / "written" / "migrations" / "script.py.mako": None,
    }
    snapshot.update(files or {})
    return Project(
        top=ROOT, root=ROOT, import_root=ROOT,
        tables=(TableDef("users", "shop.models", 5, meta, "User"),
                TableDef("orders", "shop.models", 12, meta, "Order")),
        settings=(settings,), module_paths={"shop.config": ROOT / "shop" / "config.py"},
        env_files=(env,), python="/nonexistent/python", installed=frozenset(),
        alembic=AlembicSetup(ROOT / "alembic.ini", None, None, None), async_engine=True,
        config_path=ROOT / "pyproject.toml", files=snapshot,
    )  # fmt: skip


def memory_answers(project: Project, *, mode: Mode = "sync", driver: str = "") -> Answers:
    """The answers `--yes` would give for `project`."""
    from wizard import urls

    source = project.env_files[0]
    binding = source.env.get("DATABASE_URL")
    assert binding is not None and binding.value is not None
    app = AppUrl(binding.value, "DATABASE_URL", source.path, binding.line, True)
    parsed = app.parse()
    settings = project.settings[0]
    url_source = UrlSource(
        "field", "shop.config.Settings.database_url", settings, "DATABASE_URL",
        "DATABASE_URL_SYNC", "app_settings.database_url",
        ("from shop.config import settings as app_settings",),
    )  # fmt: skip
    return Answers(
        dialect=urls.dialect_of(parsed).name,
        sync_driver=driver or urls.default_sync_driver(parsed),
        metadata=project.tables[0].metadata,
        model_modules=("shop.models",),
        source=url_source,
        env_file=source.path,
        migrations="migrations",
        app=app,
        mode=mode,
    )


def memory_target(project: Project, answers: Answers) -> Target:
    return make_target(project, answers, answers.app.parse())


def after_apply(project: Project, changes: object) -> Project:
    """The project as it would be read back after writing `changes`."""
    files = dict(project.files)
    dirs = set(project.dirs)
    for change in changes:  # type: ignore[attr-defined]
        files[change.path] = change.after
        if change.path.name == ".gitkeep":
            dirs.add(change.path.parent)
        if change.path.name in ("env.py", "script.py.mako"):
            files[ROOT / ".alembic-wizard" / "written" / "migrations" / change.path.name] = (
                change.after
            )
    env = [
        EnvSource(
            s.path, files[s.path] or "", envfile.parse(files[s.path] or "", s.path), s.example
        )
        for s in project.env_files
    ]
    settings = [
        replace(s, field_names=(*s.field_names, "database_url_sync")) for s in project.settings
    ]
    return replace(project, files=files, dirs=frozenset(dirs), env_files=tuple(env),
                   settings=tuple(settings))  # fmt: skip
