"""Plan the edits of the project's own files: the settings class (a sync URL field),
`pyproject.toml` (dependencies, remembered answers), `.gitignore` (the wizard's backups)."""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path
from typing import Any

from wizard import urls
from wizard.answers import Answers
from wizard.change import Change
from wizard.edits import deps, pyedit, remembered, syncmember
from wizard.errors import WizardError
from wizard.inspection import Project
from wizard.inspection.alembic_setup import line_of
from wizard.inspection.settings import Settings
from wizard.inspection.source import UrlSource
from wizard.store import BACKUP_DIR
from wizard.target import Target


def settings_change(project: Project, answers: Answers, target: Target) -> list[Change]:
    """A `database_url_sync` field after the URL field, in the class that declares it; for
    a URL the app computes, its sync sibling beside it."""
    settings = answers.settings
    if settings is None or settings.own_sync is not None:  # the app's own: read as it is
        return []
    if answers.source.kind == "computed" and sync_member(answers.source) is not None:
        return _sibling_change(project, answers, settings, target)
    if answers.source.kind != "field":
        return []
    field = settings.sync_field
    if field is None or field in settings.field_names or settings.url_field is None:
        return []
    path = answers.source.settings_path or project.module_paths[settings.owner_module]
    before = project.text(path) or ""
    after = pyedit.add_field(
        before, settings.owner_cls, settings.url_field, f"{field}: str | None = None\n"
    )
    why = f"the {field} field, so the app accepts {settings.sync_env_key}"
    return [Change(path, before, after, why)]


def sync_member(source: UrlSource) -> str | None:
    """env.py's expression for the sync member: the app's own (`app_settings.sync_url()`),
    the field the plan adds, or the sibling it writes beside a computed URL
    (`app_settings.db.url_sync`, `app_settings.build_url_sync()`); None for other sources."""
    settings = source.settings
    if settings is None or settings.sync_field is None:
        return None
    own = settings.own_sync
    if own is None and source.kind not in ("field", "computed"):
        return None
    in_class = "." not in settings.owner_cls and bool(settings.owner_module)
    if own is None and source.kind == "computed" and not in_class:  # a class inside a class
        return None
    call = "()" if (own.called if own else settings.url_called) else ""
    return f"app_settings.{settings.attr_prefix}{settings.sync_field}{call}"


def _sibling_change(
    project: Project, answers: Answers, settings: Settings, target: Target
) -> list[Change]:
    """The computed URL's sync sibling (a property, or a method for a method) in its class."""
    assert settings.url_field is not None and settings.sync_field is not None
    path = answers.source.settings_path or project.module_paths.get(settings.owner_module)
    before = project.text(path) if path else None
    if path is None or before is None:
        return []
    reached = f"app_settings.{settings.attr_prefix}"
    read = "self." + answers.source.expr.removeprefix(reached)
    renames = urls.query_renames(urls.driver_of(target.app_url), answers.sync_driver)
    driver = target.sync_url.drivername
    definition = syncmember.sync_member(
        settings.sync_field, read, driver, renames, method=settings.url_called
    )
    after = pyedit.add_member(before, settings.owner_cls, settings.url_field, definition)
    if after == before:
        return []
    kind = "method" if settings.url_called else "property"
    why = f"the {settings.sync_field} {kind}: {settings.url_field} made sync, for Alembic"
    return [Change(path, before, after, why)]


def remembered_table(
    answers: Answers, root: Path, env_file: Path | None, config: Path | None = None
) -> dict[str, Any]:
    """What is worth remembering of the answers, as TOML-ready values (no secrets); `config`:
    Alembic's config file when it was named (`-c`), so a re-run finds it without."""
    table: dict[str, Any] = {
        "dialect": answers.dialect,
        "mode": answers.mode,
        "url": answers.source.label,
        "metadata": answers.metadata_labels,
        "models": list(answers.model_modules),
        "migrations": answers.migrations,
        "add-deps": answers.add_deps,
    }
    if answers.settings is not None:
        table["settings"] = answers.settings.label
    if answers.mode == "sync":
        table["sync-driver"] = answers.sync_driver
    if env_file is not None:
        table["env-file"] = Path(os.path.relpath(env_file, root)).as_posix()
    if config is not None:
        table["config"] = Path(os.path.relpath(config, root)).as_posix()
    return table


def _check_declarable(path: Path, pyproject: str) -> None:
    """The dependencies are a list (or Poetry's table) to add to, or the error says what
    they are instead, where."""
    wrong = deps.misshapen(pyproject)
    if wrong is not None:
        line = line_of(pyproject, "dependencies", after="[project]")
        hint = "fix it (no installer reads it either), then run again"
        raise WizardError(wrong, path=path, line=line, hint=hint)


def config_change(
    project: Project, answers: Answers, target: Target, env_file: Path | None
) -> list[Change]:
    """`pyproject.toml` (or `.alembic-wizard.toml`): the answers to remember (`env_file`: the
    one the app reads, or the one this plan creates), and alembic and the driver in
    `[project].dependencies` (or Poetry's table) when asked. One change for both edits."""
    path = project.config_path
    in_pyproject = path.name == "pyproject.toml"
    before = project.text(path)
    after = before or ""
    whys = []
    declare_in = deps.where(after) if before is not None and in_pyproject else None
    if answers.add_deps and declare_in is not None and project.requirements_path is None:
        _check_declarable(path, after)
        adding = deps.missing(after, target.requirements)
        if adding:
            after = deps.add(after, adding)
            whys.append(f"declares {', '.join(adding)} in {deps.TABLE_NAMES[declare_in]}")
    setup = project.alembic
    named = setup.ini_path if setup.named and setup.style == "ini" else None
    table = remembered_table(answers, project.root, env_file, named)
    stored = remembered.store(after, table, in_pyproject=in_pyproject)
    if stored is not None:
        after = stored
        whys.append(f"remembers the answers in [{remembered.TABLE}]")
    if not whys:
        return []
    return [Change(path, before, after, "; ".join(whys))]


def requirements_change(project: Project, answers: Answers, target: Target) -> list[Change]:
    """alembic and the driver appended to requirements.txt, when asked and it is the place."""
    path = project.requirements_path
    before = project.files.get(path) if path is not None else None
    if path is None or before is None or not answers.add_deps:
        return []
    adding = deps.missing_requirements(before, target.requirements)
    if not adding:
        return []
    after = deps.append_requirements(before, adding)
    return [Change(path, before, after, f"declares {', '.join(adding)} in requirements.txt")]


def _ignored(rel: str, patterns: list[str]) -> bool:
    """`rel` (a path from the root) is matched by a pattern: its name, itself, or a folder
    it is in (`.envs` ignores `.envs/.local`)."""
    parts = rel.split("/")
    names = {*parts, rel, *("/".join(parts[: i + 1]) for i in range(len(parts) - 1))}
    return any(fnmatch.fnmatch(n, p) for n in names for p in patterns if p)


def gitignore_change(
    project: Project, created: list[str], also: tuple[tuple[str, str], ...] = ()
) -> list[Change]:
    """`.alembic-wizard/` (backups, which may hold secrets), any env file the wizard creates
    and the patterns in `also` (pattern, why), in the project's .gitignore. Without one, the
    backup folder ignores itself (apply writes a `*` .gitignore inside it)."""
    path = project.gitignore
    before = project.text(path) if path else None
    if path is None or before is None:
        return []
    patterns = [line.strip().strip("/") for line in before.splitlines()]
    wanted = [(f"{BACKUP_DIR}/", "alembic-wizard's backups")] if BACKUP_DIR not in patterns else []
    wanted += [(n, "the database URLs") for n in created if not _ignored(n, patterns)]
    wanted += [(pattern, why) for pattern, why in also if pattern not in patterns]
    if not wanted:
        return []
    newline = "\r\n" if "\r\n" in before else "\n"
    sep = "" if not before or before.endswith(("\n", "\r")) else newline
    after = before + sep + "".join(f"# {why}{newline}{name}{newline}" for name, why in wanted)
    why = ", ".join(dict.fromkeys(why for _, why in wanted))
    return [Change(path, before, after, f"keeps {why} out of git")]
