"""`alembic-wizard doctor`: read-only diagnosis of an Alembic setup. Each finding has a stable
ID, the file and line, what is wrong, why it breaks, and the fix. Every check is a function
`Context -> Iterator[Finding]` over the same inspected project: nothing is read again,
imported or connected to."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict

from wizard.doctor import envfile_checks, envpy_checks, file_checks, ini_checks
from wizard.doctor.context import Context
from wizard.doctor.finding import Finding
from wizard.doctor.risk_checks import risk_findings
from wizard.doctor.rules import RULES, explain, lookup
from wizard.inspection import Project

__all__ = ["RULES", "as_dicts", "diagnose", "explain", "lookup", "report", "risk_findings"]

CHECKS: list[Callable[[Context], Iterator[Finding]]] = [
    ini_checks.check_ini_url,
    envpy_checks.check_env_calls,
    envpy_checks.check_env_settings,
    envpy_checks.check_models,
    ini_checks.check_ini_paths,
    file_checks.check_scripts,
    file_checks.check_files,
    file_checks.check_hooks,
    envfile_checks.check_sync_url,
    envfile_checks.check_env_urls,
]


def diagnose(project: Project) -> list[Finding]:
    """Every finding, in a stable order."""
    context = Context.of(project)
    if context.ini is None and context.toml_path is None and context.env_path is None:
        return [context.find("AW118", project.root, None, "no alembic.ini and no env.py")]
    found = [f for check in CHECKS for f in check(context)]
    return sorted(found, key=lambda f: (f.rule, f.path or "", f.line or 0))


def report(findings: list[Finding]) -> str:
    """The findings for a person."""
    if not findings:
        return "healthy: no findings"
    lines = []
    for f in findings:
        where = f"{f.path}:{f.line}" if f.path and f.line else (f.path or "")
        lines += [f"{f.rule}  {where}  {f.what}", f"       why: {f.why}", f"       fix: {f.fix}"]
    return "\n".join(lines)


def as_dicts(findings: list[Finding]) -> list[dict[str, object]]:
    """For --json."""
    return [asdict(f) for f in findings]
