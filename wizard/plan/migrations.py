"""Plan Alembic's own files: `env.py` (the user's hooks kept), its configuration (the user's
lines kept: plan/alembic_config.py), `script.py.mako` (the user's kept) and `versions/`."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

from wizard import urls
from wizard.answers import Answers
from wizard.change import Change
from wizard.edits import envmerge, makoedit
from wizard.inspection import Project
from wizard.inspection.models import Metadata
from wizard.plan.alembic_config import config_changes
from wizard.plan.envfiles import new_env_path
from wizard.plan.project_files import sync_member
from wizard.plan.render import render
from wizard.store import written_path
from wizard.target import Target

MAKO_MARK = "## alembic-wizard's revision template"  # a Mako comment: not in the revisions


def alembic_files(project: Project, answers: Answers, target: Target) -> list[Change]:
    """env.py, Alembic's configuration, script.py.mako, and versions/ when it is missing."""
    folder = project.root / answers.migrations
    context = env_context(answers, target, folder, project.root)
    env_file = answers.env_file or new_env_path(project, answers)  # before the app makes it
    context["env_file"] = Path(os.path.relpath(env_file, folder)).as_posix()
    context["schemas"] = project.schemas
    out = [
        env_py_change(project, folder / "env.py", context),
        *config_changes(project, answers, str(context["sync_env_key"])),
        mako_change(project, folder / "script.py.mako"),
    ]
    if folder / "versions" not in project.dirs and not project.alembic.version_dirs:
        out.append(Change(folder / "versions" / ".gitkeep", None, "", "the revisions folder"))
    return out


def mako_change(project: Project, path: Path) -> Change:
    """The revision template: ours when there is none or it is ours as last written; the
    user's own (or ours, edited) kept, with `import sqlmodel` added where revisions need it."""
    ours = render("script.py.mako", sqlmodel=project.uses_sqlmodel)
    existing = project.text(path)
    written = project.text(written_path(project.root, path))
    if existing is None or (existing == written and MAKO_MARK in existing):
        return Change(path, existing, ours, "the revision template")
    kept = makoedit.add_import(existing, "import sqlmodel") if project.uses_sqlmodel else existing
    why = "your revision template, kept" + ("; imports sqlmodel" if kept != existing else "")
    return Change(path, existing, kept, why)


def env_py_change(project: Project, path: Path, context: dict[str, object]) -> Change:
    """The rendered env.py, carrying over the user's hooks and configure() options."""
    env_py = render("env.py.j2", **context)
    existing = project.text(path)
    own = envmerge.bindings(env_py)
    parts = envmerge.extract(existing, own, project.carried) if existing else None
    if parts:
        env_py = render("env.py.j2", **{**context, **_user_context(parts)})
    written = project.text(written_path(project.root, path))
    lost = _lost_user_lines(existing, written, env_py)
    why = f"runs migrations ({context['mode']} mode)"
    return Change(path, existing, env_py, why, lost=lost)


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
    source = answers.source
    metadata_import, metadata_expr = metadata_target(answers.metadatas)
    sync_expr = sync_member(source) if answers.mode == "sync" or source.kind == "field" else None
    renames = urls.query_renames(urls.driver_of(target.app_url), answers.sync_driver)
    env_file = answers.env_file or root / ".env"
    return {
        "app_imports": "\n".join(source.imports),
        "app_setup": source.setup,
        "app_url_expr": source.expr,
        "load_dotenv": source.loads_dotenv,
        "env_file": Path(os.path.relpath(env_file, folder)).as_posix(),
        "metadata_import": metadata_import,
        "metadata_expr": metadata_expr,
        "model_modules": answers.model_modules,
        "sync_env_key": source.sync_key,
        "sync_expr": sync_expr,
        "drivername": target.alembic_url.drivername,
        "mode": answers.mode,
        "query_renames": _py_dict(renames),
        "render_as_batch": answers.dialect == "sqlite",
        "downgrades": _downgrade_fix(target.alembic_url.get_backend_name()),
        "schemas": False,
        "user_imports": "",
        "user_code": "",
        "extra_options": [],
    }


def _downgrade_fix(backend: str) -> str | None:
    """Which of env.py's fixes to autogenerated downgrades the database needs: PostgreSQL's
    enum types dropped, MariaDB's and MySQL's foreign keys' indexes dropped with the table."""
    return {"postgresql": "postgresql", "mysql": "mysql", "mariadb": "mysql"}.get(backend)


def metadata_target(metadatas: Sequence[Metadata]) -> tuple[str, str]:
    """env.py's imports of the MetaData objects and target_metadata's value: one object, or a
    list (`[Base.metadata, audit_metadata]`); a name imported twice gets an alias."""
    aliases: dict[tuple[str, str], str] = {}
    for meta in metadatas:
        if (meta.module, meta.name) not in aliases:
            taken = meta.name in aliases.values()
            aliases[(meta.module, meta.name)] = (
                f"{meta.name}_{len(aliases) + 1}" if taken else meta.name
            )
    imports = [
        f"from {m} import {n}" + (f" as {a}" if a != n else "") for (m, n), a in aliases.items()
    ]
    exprs = [aliases[(m.module, m.name)] + m.expr[len(m.name) :] for m in metadatas]
    expr = exprs[0] if len(exprs) == 1 else "[" + ", ".join(dict.fromkeys(exprs)) + "]"
    return "\n".join(imports), expr


def _py_dict(mapping: dict[str, str | None]) -> str:
    """A dict literal as ruff format writes it: double quotes, one item a line."""
    if not mapping:
        return "{}"
    items = "".join(
        f"    {json.dumps(k)}: {'None' if v is None else json.dumps(v)},\n"
        for k, v in mapping.items()
    )
    return "{\n" + items + "}"
