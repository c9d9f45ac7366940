"""Plan Alembic's own files: `env.py` (the user's hooks kept), `alembic.ini` (the user's
lines kept), `script.py.mako` and `versions/`."""

from __future__ import annotations

import json
import os
from pathlib import Path

from wizard import urls
from wizard.answers import Answers
from wizard.change import Change
from wizard.edits import envmerge, iniedit
from wizard.inspection import Project
from wizard.plan.render import render
from wizard.store import written_path
from wizard.target import Target


def alembic_files(project: Project, answers: Answers, target: Target) -> list[Change]:
    """env.py, alembic.ini, script.py.mako, and versions/ when it is missing."""
    folder = project.root / answers.migrations
    context = env_context(answers, target, folder, project.root)
    out = [
        env_py_change(project, folder / "env.py", context),
        ini_change(project, answers, str(context["sync_env_key"])),
        Change(
            folder / "script.py.mako",
            project.text(folder / "script.py.mako"),
            render("script.py.mako", sqlmodel=project.uses_sqlmodel),
            "the revision template",
        ),
    ]
    if folder / "versions" not in project.dirs:
        out.append(Change(folder / "versions" / ".gitkeep", None, "", "the revisions folder"))
    return out


def env_py_change(project: Project, path: Path, context: dict[str, object]) -> Change:
    """The rendered env.py, carrying over the user's hooks and configure() options."""
    env_py = render("env.py.j2", **context)
    existing = project.text(path)
    parts = envmerge.extract(existing, envmerge.bindings(env_py)) if existing else None
    if parts:
        env_py = render("env.py.j2", **{**context, **_user_context(parts)})
    written = project.text(written_path(project.root, path))
    lost = _lost_user_lines(existing, written, env_py)
    why = f"runs migrations ({context['mode']} mode)"
    return Change(path, existing, env_py, why, lost=lost)


def ini_change(project: Project, answers: Answers, sync_env_key: str) -> Change:
    """alembic.ini: an existing one edited in place (only the keys the wizard manages)."""
    prepend = _prepend(project)
    path = project.alembic.ini_path
    existing = project.text(path)
    why = "Alembic's configuration, without credentials"
    if existing is None:
        new = render("alembic.ini.j2", migrations=answers.migrations, prepend_sys_path=prepend,
                     sync_env_key=sync_env_key, mode=answers.mode)  # fmt: skip
        return Change(path, None, new, why)
    paths, separator = iniedit.merged_paths(iniedit.value(existing, "prepend_sys_path"), prepend)
    managed = {
        "script_location": f"%(here)s/{answers.migrations}",
        "prepend_sys_path": paths,  # the user's own entries kept
        "path_separator": separator,
    }
    return Change(path, existing, iniedit.update(existing, managed), why)


def _prepend(project: Project) -> str:
    if project.import_root == project.root:
        return "."
    return Path(project.import_root).relative_to(project.root).as_posix()


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


def env_context(answers: Answers, target: Target, folder: Path, root: Path) -> dict[str, object]:
    """What the env.py template needs."""
    source, meta = answers.source, answers.metadata
    settings = source.settings
    sync_expr = None
    if settings is not None and source.kind == "field" and settings.sync_field:
        sync_expr = f"app_settings.{settings.attr_prefix}{settings.sync_field}"
    renames = urls.query_renames(urls.driver_of(target.app_url), answers.sync_driver)
    env_file = answers.env_file or root / ".env"
    return {
        "app_imports": "\n".join(source.imports),
        "app_setup": source.setup,
        "app_url_expr": source.expr,
        "load_dotenv": source.loads_dotenv,
        "env_file": Path(os.path.relpath(env_file, folder)).as_posix(),
        "metadata_import": f"from {meta.module} import {meta.name}",
        "metadata_expr": meta.expr,
        "model_modules": answers.model_modules,
        "sync_env_key": source.sync_key,
        "sync_expr": sync_expr,
        "drivername": target.alembic_url.drivername,
        "mode": answers.mode,
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
