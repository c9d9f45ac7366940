"""Verify the result in a subprocess with the project's interpreter, rung by rung: env.py
imports; its tables match the models; `alembic upgrade head --sql`; then, when the database
answers, the online checks (read-only)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wizard import urls
from wizard.answers import Answers
from wizard.models import TableDef
from wizard.probeproc import Probe
from wizard.project import Project
from wizard.show import mask

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

# messages that mean "no server answered" (skip the online rungs), as opposed to a server
# that answered and refused (wrong password, no such database: a failure to report)
_UNREACHABLE = (
    "connection refused", "could not connect to server", "connect call failed",
    "could not translate host name", "name or service not known", "no route to host",
    "network is unreachable", "temporary failure in name resolution", "timeout expired",
    "timed out", "can't connect to mysql server", "can't connect to server",
    "nodename nor servname",
)  # fmt: skip


@dataclass(frozen=True)
class Rung:
    """One verification step."""

    name: str
    status: str  # pass, fail, skip
    detail: str = ""
    fix: str = ""


def install_command(project: Project, *packages: str) -> str:
    """How this project adds packages: uv, poetry, or pip (and requirements.txt)."""
    quoted = " ".join(f"'{p}'" for p in packages)
    if any((folder / "uv.lock").exists() for folder in (project.root, project.top)):
        return f"uv add {quoted}"
    if (project.root / "poetry.lock").exists():
        return f"poetry add {quoted}"
    pip = f"{project.python} -m pip install {quoted}"
    if (project.root / "requirements.txt").exists():
        return f"add {', '.join(packages)} to requirements.txt, then {pip}"
    return pip


def needed_drivers(answers: Answers, url: URL) -> dict[str, str]:
    """Module -> package that Alembic's URL needs in the project's interpreter."""
    dialect = urls.dialect_of(url)
    if answers.mode == "async":
        driver = url.get_driver_name()
        module = dialect.modules.get(driver, driver)
        return {"greenlet": "greenlet", module: dialect.packages.get(driver, module)}
    module = dialect.modules.get(answers.sync_driver, answers.sync_driver)
    if module == "sqlite3":
        return {}
    return {module: dialect.packages.get(answers.sync_driver, module)}


_PACKAGES = {
    "psycopg": "psycopg[binary]",
    "psycopg2": "psycopg2-binary",
    "pg8000": "pg8000",
    "asyncpg": "asyncpg",
    "aiosqlite": "aiosqlite",
    "alembic": "alembic",
    "greenlet": "greenlet",
}


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def _probe(
    project: Project, answers: Answers, sync_url: str, online: bool, probe: Probe | None
) -> dict[str, Any]:
    request = {
        "ini": str(project.root / "alembic.ini"),
        "model_modules": sorted({t.module for t in _expected(project, answers)}),
        "url_field": answers.settings.url_field,
        "online": online,
        "drivers": list(needed_drivers(answers, urls.parse(sync_url))),
        "cwd": str(project.root),
    }
    probe = probe or Probe(project.python, project.root)
    try:
        stdout, stderr = probe.ask(request)
    finally:
        probe.close()
    try:
        result: dict[str, Any] = json.loads(_last_line(stdout) or "{}")
    except json.JSONDecodeError:
        result = {}
    if not result:
        result = {"import_error": {"type": "ProbeFailed", "message": _last_line(stderr)}}
    return result


def _error_text(error: dict[str, Any]) -> str:
    where = f" ({error['file']}:{error['line']})" if error.get("file") else ""
    return f"{error['type']}: {error['message']}{where}"


def _import_fix(project: Project, error: dict[str, Any]) -> str:
    message = error.get("message", "")
    if error.get("type") == "ModuleNotFoundError":
        missing = message.split("'")[1] if "'" in message else ""
        if missing.split(".")[0] in _PACKAGES:
            return f"install it: {install_command(project, _PACKAGES[missing.split('.')[0]])}"
        return "run alembic from the project folder; check prepend_sys_path in alembic.ini"
    return "fix the error above; `python -c 'import <your models>'` shows the same"


def _expected(project: Project, answers: Answers) -> list[TableDef]:
    return [t for t in project.tables if t.metadata == answers.metadata]


def _tables_rung(project: Project, answers: Answers, result: dict[str, Any]) -> Rung:
    found = {t.split(".")[-1] for t in result.get("tables", [])}
    expected = _expected(project, answers)
    missing = [t for t in expected if t.name is not None and t.name not in found]
    if result.get("target_metadata_none"):
        return Rung("tables", "fail", "target_metadata is None", "set target_metadata in env.py")
    if missing:
        modules = sorted({t.module for t in missing})
        names = ", ".join(t.name or "?" for t in missing)
        return Rung(
            "tables",
            "fail",
            f"missing from target_metadata: {names}",
            f"import {', '.join(modules)} in env.py (MODEL_MODULES)",
        )
    not_loaded = sorted({t.module for t in expected} - set(result.get("loaded", [])))
    if len(found) < len(expected) or not_loaded:
        return Rung(
            "tables",
            "fail",
            f"{len(found)} tables loaded, {len(expected)} defined",
            f"not imported: {', '.join(not_loaded) or 'unknown'}",
        )
    return Rung("tables", "pass", f"{len(found)} tables in target_metadata, as in the models")


def _offline_rung(result: dict[str, Any]) -> Rung:
    error = result.get("offline_error")
    if error:
        return Rung("upgrade head --sql", "fail", _error_text(error),
                    "run `alembic upgrade head --sql` to see the whole error")  # fmt: skip
    return Rung("upgrade head --sql", "pass", f"{result.get('offline_sql_lines', 0)} lines of SQL")


def _driver_rung(project: Project, answers: Answers, url: str, result: dict[str, Any]) -> Rung:
    needed = needed_drivers(answers, urls.parse(url))
    missing = [needed[m] for m in result.get("missing", []) if m in needed]
    if missing:
        command = install_command(project, *missing)
        return Rung("driver installed", "fail", f"{', '.join(missing)} is not installed",
                    f"install it: {command}")  # fmt: skip
    return Rung("driver installed", "pass", ", ".join(needed) or "sqlite3 (standard library)")


def _wants_online(project: Project, answers: Answers, sync_url: str) -> tuple[bool, str]:
    if answers.dialect == "sqlite":
        database = urls.parse(sync_url).database or ""
        path = Path(database) if Path(database).is_absolute() else project.root / database
        if not path.exists():
            return False, f"{database} does not exist yet; `alembic upgrade head` creates it"
    return True, ""


def _online_rungs(project: Project, answers: Answers, result: dict[str, Any]) -> list[Rung]:
    error = result.get("online_error")
    if error:
        if error["type"] == "ModuleNotFoundError":
            return [
                Rung(
                    "Alembic URL connects", "fail", _error_text(error), _import_fix(project, error)
                )
            ]
        if any(phrase in error["message"].lower() for phrase in _UNREACHABLE):
            return [
                Rung(
                    "database",
                    "skip",
                    f"not reachable, online checks skipped: {error['type']}: {error['message']}",
                )
            ]
        fix = "check the user, password, host and database name in the URL Alembic uses"
        return [Rung("Alembic URL connects", "fail", _error_text(error), fix)]
    online = result["online"]
    rungs = [Rung("Alembic URL connects", "pass")]
    sync_fp, async_fp = online.get("sync_fingerprint"), online.get("async_fingerprint")
    if online.get("async_error"):
        why = _error_text(online["async_error"])
        rungs.append(Rung("same database", "skip", f"the app's URL did not connect as is: {why}"))
    if sync_fp and async_fp:
        same = sync_fp == async_fp
        rungs.append(
            Rung(
                "same database",
                "pass" if same else "fail",
                "" if same else "the sync and async URLs reach different databases",
                "" if same else "make DATABASE_URL_SYNC name the app's database",
            )
        )
    current = ", ".join(online.get("current") or []) or "no revision applied"
    rungs.append(Rung("alembic current", "pass", current))
    pending = online.get("pending", [])
    shown = "; ".join(pending[:5]) + (f"; and {len(pending) - 5} more" if len(pending) > 5 else "")
    rungs.append(
        Rung(
            "pending operations",
            "pass",
            f"{len(pending)} to autogenerate" + (f": {shown}" if pending else ""),
        )
    )
    return rungs


def verify(
    project: Project,
    answers: Answers,
    sync_url: str,
    secrets: frozenset[str],
    *,
    online: bool = True,
    probe: Probe | None = None,
) -> list[Rung]:
    """Run the ladder; every detail is masked before it leaves here."""
    go_online, why_not = _wants_online(project, answers, sync_url) if online else (False, "")
    result = _probe(project, answers, sync_url, go_online, probe)
    error = result.get("import_error")
    if error:
        rungs = [Rung("env.py imports", "fail", _error_text(error), _import_fix(project, error))]
    else:
        rungs = [
            Rung("env.py imports", "pass", "settings, .env and models load"),
            _tables_rung(project, answers, result),
            _offline_rung(result),
            _driver_rung(project, answers, sync_url, result),
        ]
        if go_online:
            rungs += _online_rungs(project, answers, result)
        elif why_not:
            rungs.append(Rung("database", "skip", why_not))
    return [Rung(r.name, r.status, mask(r.detail, secrets), mask(r.fix, secrets)) for r in rungs]
