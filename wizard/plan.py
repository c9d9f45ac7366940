"""Planning: a pure function from (project, answers) to the file changes. No writes here."""

from __future__ import annotations

import ast
import configparser
import contextlib
import io
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from wizard import deps, envfile, envmerge, iniedit, memory, pyedit, urls
from wizard.answers import Answers
from wizard.errors import WizardError
from wizard.project import EnvSource, Project
from wizard.questions import find_app_url
from wizard.render import render
from wizard.textio import read_text

if TYPE_CHECKING:
    from sqlalchemy.engine import URL


@dataclass(frozen=True)
class Change:
    """One file: what it is, what it will be, and why."""

    path: Path
    before: str | None  # None: the file does not exist yet
    after: str
    why: str
    lost: tuple[str, ...] = ()  # lines the user added since the wizard wrote the file, and
    # that the new version would not keep: a conflict to show and ask about

    @property
    def action(self) -> str:
        if self.before is None:
            return "create"
        return "identical" if self.before == self.after else "modify"


@dataclass(frozen=True)
class Plan:
    """The changes plus what the report needs to know."""

    changes: tuple[Change, ...]
    async_url: str
    sync_url: str  # the URL Alembic uses: the sync one, or the app's own in async mode
    secrets: frozenset[str]

    @property
    def pending(self) -> list[Change]:
        return [c for c in self.changes if c.action != "identical"]


def _existing(path: Path) -> str | None:
    return read_text(path) if path.exists() else None


def build(project: Project, answers: Answers) -> Plan:
    """Every change the wizard would make, each output checked to parse."""
    settings = answers.settings
    app_url = find_app_url(project, settings, answers.env_file)
    async_text = app_url.text
    async_url = app_url.parse(settings.env_key or "the URL")
    sync_url = urls.derive_sync(async_url, answers.sync_driver)
    sync_text = urls.render(sync_url)
    if answers.mode == "async":  # Alembic uses the app's own URL: nothing to add
        changes = _alembic_files(project, answers, async_url.drivername, async_url)
        migration_text = async_text
        changes += _config_change(project, answers, async_url)
    else:
        changes = [
            *_env_changes(project, answers, sync_text if app_url.literal else None),
            *_settings_change(project, answers),
            *_alembic_files(project, answers, sync_url.drivername, async_url),
            *_config_change(project, answers, sync_url),
        ]
        migration_text = sync_text
    changes += _gitignore_change(project)
    for change in changes:
        _check_parses(change)
    secrets = frozenset(
        urls.secrets_of(async_url) | urls.secrets_of(sync_url) | env_secrets(project)
    )
    return Plan(tuple(changes), async_text, migration_text, secrets)


_SECRET_KEY = re.compile(r"PASS|SECRET|TOKEN|KEY|CREDENTIAL|AUTH", re.IGNORECASE)


def env_secrets(project: Project) -> set[str]:
    """Values in the env files that must not be printed: secret-looking keys, URL passwords."""
    found: set[str] = set()
    for source in project.env_files:
        for binding in source.env.pieces:
            if isinstance(binding, str) or not binding.value:
                continue
            value = binding.value
            if _SECRET_KEY.search(binding.key) and len(value) >= 4:
                found.add(value)
            if "://" in value:
                literal = urls.literal_password(value)
                found.update({literal} if literal else set())
                with contextlib.suppress(WizardError):
                    found |= urls.secrets_of(urls.parse(value))
    return {s for s in found if s}


def _env_changes(project: Project, answers: Answers, sync_text: str | None) -> list[Change]:
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


def _gitignore_change(project: Project) -> list[Change]:
    """`.alembic-wizard/` (backups, which may hold secrets) in the project's .gitignore.
    Without one, the folder ignores itself (apply writes a `*` .gitignore inside it)."""
    path = next(
        (f / ".gitignore" for f in (project.top, project.root) if (f / ".gitignore").is_file()),
        None,
    )
    if path is None:
        return []
    before = read_text(path)
    if any(line.strip().strip("/") == ".alembic-wizard" for line in before.splitlines()):
        return []
    newline = "\r\n" if "\r\n" in before else "\n"
    sep = "" if not before or before.endswith(("\n", "\r")) else newline
    after = f"{before}{sep}# alembic-wizard's backups{newline}.alembic-wizard/{newline}"
    return [Change(path, before, after, "keeps the wizard's backups out of git")]


def _config_change(project: Project, answers: Answers, url: URL) -> list[Change]:
    """`pyproject.toml` (or `.alembic-wizard.toml`): the answers to remember, and alembic and
    the driver in `[project].dependencies` when asked. One change for both edits."""
    from wizard.verify import needed_drivers

    path = memory.config_path(project.root)
    before = _existing(path)
    after = before or ""
    whys = []
    if answers.add_deps and before is not None and path.name == "pyproject.toml":
        adding = deps.missing(after, ["alembic>=1.13", *needed_drivers(answers, url).values()])
        if adding:
            after = deps.add(after, adding)
            whys.append(f"declares {', '.join(adding)}")
    remembered = memory.remember(after, project.root, answers)
    if remembered is not None:
        after = remembered
        whys.append(f"remembers the answers in [{memory.TABLE}]")
    if not whys:
        return []
    return [Change(path, before, after, "; ".join(whys))]


def _settings_change(project: Project, answers: Answers) -> list[Change]:
    settings = answers.settings
    field = settings.sync_field
    if field is None or field in settings.field_names or settings.url_field is None:
        return []
    path = project.module_paths[settings.owner_module]
    before = read_text(path)
    after = pyedit.add_field(
        before, settings.owner_cls, settings.url_field, f"{field}: str | None = None\n"
    )
    return [
        Change(
            path, before, after, f"the {field} field, so the app accepts {settings.sync_env_key}"
        )
    ]


def _alembic_files(
    project: Project, answers: Answers, sync_drivername: str, async_url: URL
) -> list[Change]:
    folder = project.root / answers.migrations
    prepend = (
        Path(project.import_root).relative_to(project.root).as_posix()
        if (project.import_root != project.root)
        else "."
    )
    context = _env_context(project, answers, sync_drivername, async_url)
    env_py = render("env.py.j2", **context)
    existing_env = _existing(folder / "env.py")
    parts = envmerge.extract(existing_env, envmerge.bindings(env_py)) if existing_env else None
    if parts:  # the user's hooks and configure() options survive the rewrite
        env_py = render("env.py.j2", **{**context, **_user_context(parts)})
    existing_ini = _existing(project.root / "alembic.ini")
    paths, separator = iniedit.merged_paths(
        iniedit.value(existing_ini, "prepend_sys_path") if existing_ini else None, prepend
    )
    managed = {
        "script_location": f"%(here)s/{answers.migrations}",
        "prepend_sys_path": paths,  # the user's own entries kept
        "path_separator": separator,
    }
    lost = _lost_user_lines(existing_env, written_copy(project.root, folder / "env.py"), env_py)
    files = {
        folder / "env.py": (env_py, f"runs migrations ({answers.mode} mode)"),
        project.root / "alembic.ini": (
            iniedit.update(existing_ini, managed)  # the user's own lines kept
            if existing_ini is not None
            else render(
                "alembic.ini.j2",
                migrations=answers.migrations,
                prepend_sys_path=prepend,
                sync_env_key=context["sync_env_key"],
                mode=answers.mode,
            ),
            "Alembic's configuration, without credentials",
        ),
        folder / "script.py.mako": (
            render("script.py.mako", sqlmodel=project.uses_sqlmodel),
            "the revision template",
        ),
    }
    out = [Change(path, _existing(path), text, why) for path, (text, why) in files.items()]
    out[0] = replace(out[0], lost=lost)
    if not (folder / "versions").is_dir():
        out.append(Change(folder / "versions" / ".gitkeep", None, "", "the revisions folder"))
    return out


WRITTEN_DIR = "written"  # under .alembic-wizard/: what the wizard last wrote, to tell user edits


def written_copy(top: Path, path: Path) -> str | None:
    """What the wizard last wrote to `path`, if it kept a copy."""
    from wizard.apply import BACKUP_DIR, _backup_name

    copy = top / BACKUP_DIR / WRITTEN_DIR / _backup_name(path, top)
    return read_text(copy) if copy.is_file() else None


def _lost_user_lines(current: str | None, written: str | None, new: str) -> tuple[str, ...]:
    """Lines the user added to the wizard's last output that `new` drops. Without a copy of
    that output (a hand-written file) there is nothing to tell apart: the diff is shown."""
    if current is None or written is None or current == written:
        return ()
    ours = set(written.splitlines()) | set(new.splitlines())
    return tuple(line for line in current.splitlines() if line.strip() and line not in ours)


def _user_context(parts: envmerge.UserParts) -> dict[str, object]:
    return {
        "user_imports": "\n".join(parts.imports),
        "user_code": "\n\n\n".join(parts.code),
        "extra_options": list(parts.options),
    }


def _env_context(
    project: Project, answers: Answers, sync_drivername: str, async_url: URL
) -> dict[str, object]:
    settings, meta = answers.settings, answers.metadata
    if settings.instance:
        settings_import = f"from {settings.module} import {settings.instance} as app_settings"
        settings_setup = ""
    else:
        factory = settings.getter or settings.cls
        settings_import = f"from {settings.module} import {factory}"
        settings_setup = f"app_settings = {factory}()\n\n"
    renames = urls.query_renames(urls.driver_of(async_url), answers.sync_driver)
    return {
        "settings_import": settings_import,
        "settings_setup": settings_setup,
        "metadata_import": f"from {meta.module} import {meta.name}",
        "metadata_expr": meta.expr,
        "model_modules": answers.model_modules,
        "sync_env_key": settings.sync_env_key,
        "drivername": sync_drivername,
        "mode": answers.mode,
        "sync_field": settings.sync_field,
        "url_field": settings.url_field,
        "query_renames": _py_dict(renames),
        "render_as_batch": answers.dialect == "sqlite",
        "user_imports": "",
        "user_code": "",
        "extra_options": [],
    }


def _py_dict(mapping: dict[str, str | None]) -> str:
    """A dict literal as ruff format writes it: double quotes, one item a line."""
    if not mapping:
        return "{}"
    items = "".join(
        f"    {json.dumps(k)}: {'None' if v is None else json.dumps(v)},\n"
        for k, v in mapping.items()
    )
    return "{\n" + items + "}"


def _check_parses(change: Change) -> None:
    """A bug of ours fails here, at plan time, not in the user's repository."""
    name = change.path.name
    try:
        if name.endswith(".py"):
            ast.parse(change.after, filename=str(change.path))
        elif name.endswith(".ini"):
            configparser.ConfigParser().read_string(change.after, source=str(change.path))
        elif name.startswith(".env"):
            envfile.parse(change.after, change.path)
        elif name.endswith(".toml"):
            import tomlkit  # tomllib only from Python 3.11; tomlkit's errors are ValueErrors

            tomlkit.parse(change.after)
    except (SyntaxError, configparser.Error, WizardError, ValueError) as exc:
        raise WizardError(
            f"internal error: the planned file does not parse: {exc}", path=change.path
        ) from exc
