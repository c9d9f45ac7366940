"""`alembic-wizard inspect`: a summary of what inspection found, as text or JSON. Nothing
is written and no heavy library is imported, so this is also the cheapest way to check a
large tree."""

from __future__ import annotations

import json

from wizard.inspection.models import TableDef
from wizard.inspection.project import Project


def as_dict(project: Project) -> dict[str, object]:
    """The findings as plain data (no secrets: env values are not included)."""
    return {
        "root": project.rel(project.root),
        "prepend_sys_path": project.import_root.relative_to(project.root).as_posix(),
        "python": project.python,
        "installed": sorted(project.installed),
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
        ],  # fmt: skip
        "env_files": [
            {"path": project.rel(e.path), "example": e.example, "keys": e.env.keys()}
            for e in project.env_files
        ],
        "alembic_ini": project.rel(project.alembic.ini_path) if project.alembic.ini_text else None,
        "skipped": [
            {"path": project.rel(s.path), "line": s.line, "why": s.why} for s in project.skipped
        ],
        "notices": list(project.notices),
    }


def _table_name(table: TableDef) -> str:
    return table.name or ("(not read)" if table.unparsed else "(computed name)")


def as_text(project: Project) -> str:
    """The findings for a person."""
    data = as_dict(project)
    lines = [
        f"project root      {data['root']}  (alembic.ini goes here; Alembic runs here)",
        f"prepend_sys_path  {data['prepend_sys_path']}",
        f"python            {project.python}",
        f"installed         {', '.join(sorted(project.installed)) or 'none of the drivers'}",
    ]
    for meta in project.metadatas:
        tables = [t for t in project.tables if t.metadata == meta]
        lines.append(f"metadata          {meta.label} ({len(tables)} tables)")
        lines += [f"  {_table_name(t):<24}{t.module}:{t.line}" for t in tables]
    for s in project.settings:
        field = f"{s.url_field} <- {s.env_key}" if s.url_field else "no URL field"
        lines.append(f"settings          {s.label}: {field}")
    for e in project.env_files:
        kind = " (example)" if e.example else ""
        lines.append(f"env file          {project.rel(e.path)}{kind}")
    lines.append(f"alembic.ini       {data['alembic_ini'] or 'none yet'}")
    lines += [f"skipped           {project.rel(s.path)} (does not parse)" for s in project.skipped]
    lines += [f"note              {notice}" for notice in project.notices]
    return "\n".join(lines)


def describe(project: Project, *, as_json: bool) -> str:
    """Text or JSON."""
    return json.dumps(as_dict(project), indent=2) if as_json else as_text(project)
