"""`alembic-wizard inspect`: a summary of what inspection found, as text or JSON. Nothing
is written and no heavy library is imported, so this is also the cheapest way to check a
large tree."""

from __future__ import annotations

import json
from pathlib import Path

from wizard.inspection.models import TableDef
from wizard.inspection.project import Project


def as_dict(project: Project) -> dict[str, object]:
    """The findings as plain data (no secrets: env values are not included)."""
    return {
        "root": project.rel(project.root),
        "prepend_sys_path": project.import_root.relative_to(project.root).as_posix(),
        **_interpreter(project),
        "metadata": [
            {
                "name": meta.label,
                "tables": [
                    {"name": t.name, "module": t.module, "line": t.line, "class": t.cls}
                    for t in project.tables
                    if t.metadata == meta
                ],
            }
            for meta in project.metadatas
        ],
        "settings": [
            {
                "class": s.label,
                "url_field": s.url_field,
                "env_key": s.env_key,
                "env_files": list(s.env_files),
                "instance": s.instance,
                "getter": s.getter,
            }
            for s in project.settings
        ],
        "urls": _urls(project),
        "env_files": [
            {"path": project.rel(e.path), "example": e.example, "keys": e.env.keys()}
            for e in project.env_files
        ],
        **_alembic(project),
        "skipped": [
            {"path": project.rel(s.path), "line": s.line, "why": s.why} for s in project.skipped
        ],
        "notices": list(project.notices),
    }


def _interpreter(project: Project) -> dict[str, object]:
    """The project's interpreter as it answered for itself, and how its packages are managed."""
    env = project.environment
    interpreter = {
        "python": env.python,
        "found_by": env.found_by,
        "version": env.version,
        "alembic": env.versions.get("alembic"),
        "sqlalchemy": env.versions.get("sqlalchemy"),
        "pip": env.has_pip,
        "package_manager": project.package_manager,
        "alembic_command": project.alembic_command,
    }
    return {
        "python": project.python,
        "installed": sorted(project.installed),
        "interpreter": interpreter,
    }


def interpreter_line(project: Project) -> str:
    """One line: which interpreter the run reads, how it was found, what it has."""
    env = project.environment
    names = {"alembic": "alembic", "sqlalchemy": "SQLAlchemy"}
    has = [f"{name} {env.versions[key]}" for key, name in names.items() if key in env.versions]
    if "alembic" not in env.versions:
        has.insert(0, "no alembic")
    manager = "" if project.package_manager == "pip" else f"; {project.package_manager} project"
    return (
        f"{project.rel(Path(env.python))} (Python {env.version}, found: {env.found_by}; "
        f"{', '.join(has)}{manager})"
    )


def _urls(project: Project) -> list[dict[str, object]]:
    return [
        {"url": u.label, "kind": u.kind, "env_key": u.env_key, "sync_key": u.sync_key}
        for u in project.sources
    ]


def _alembic(project: Project) -> dict[str, object]:
    """The existing Alembic setup: its configuration files, scripts folder and heads."""
    setup = project.alembic
    return {
        "alembic_ini": project.rel(setup.ini_path) if setup.ini_text is not None else None,
        "tool_alembic": project.rel(setup.toml_path) if setup.toml_path else None,
        "migrations": project.default_migrations,
        "heads": list(setup.heads),
    }


def _table_name(table: TableDef) -> str:
    return table.name or ("(not read)" if table.unparsed else "(computed name)")


def as_text(project: Project) -> str:
    """The findings for a person."""
    data = as_dict(project)
    lines = [
        f"project root      {data['root']}  (Alembic runs here)",
        f"prepend_sys_path  {data['prepend_sys_path']}",
        f"python            {interpreter_line(project)}",
        f"installed         {', '.join(sorted(project.installed)) or 'none of the drivers'}",
    ]
    for meta in project.metadatas:
        tables = [t for t in project.tables if t.metadata == meta]
        lines.append(f"metadata          {meta.label} ({len(tables)} tables)")
        lines += [f"  {_table_name(t):<24}{t.module}:{t.line}" for t in tables]
    for s in project.settings:
        field = f": {s.url_field} <- {s.env_key}" if s.url_field else ""
        lines.append(f"settings          {s.label}{field}")
    for u in project.sources:
        fed = f" <- ${u.env_key}" if u.env_key else ""
        lines.append(f"url               {u.label} ({u.kind}){fed}")
    for e in project.env_files:
        kind = " (example)" if e.example else ""
        lines.append(f"env file          {project.rel(e.path)}{kind}")
    if data["tool_alembic"]:
        lines.append(f"[tool.alembic]    {data['tool_alembic']}")
    if data["alembic_ini"] or not data["tool_alembic"]:
        lines.append(f"alembic.ini       {data['alembic_ini'] or 'none yet'}")
    heads = ", ".join(project.alembic.heads) or "no revisions"
    lines.append(f"migrations        {data['migrations']} ({heads})")
    lines += [f"skipped           {project.rel(s.path)} ({s.said})" for s in project.skipped]
    lines += [f"note              {notice}" for notice in project.notices]
    return "\n".join(lines)


def describe(project: Project, *, as_json: bool) -> str:
    """Text or JSON."""
    return json.dumps(as_dict(project), indent=2) if as_json else as_text(project)
