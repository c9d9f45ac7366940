"""Turn what the verification process found into rungs: pass, fail or skip, with the fix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from wizard import drivers
from wizard.inspection import Project
from wizard.inspection.models import TableDef
from wizard.verify import risk

Status = Literal["pass", "fail", "skip", "warn"]  # warn: a risk to read, not a failure

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
    status: Status
    detail: str = ""
    fix: str = ""


def error_text(error: dict[str, Any]) -> str:
    where = f" ({error['file']}:{error['line']})" if error.get("file") else ""
    return f"{error['type']}: {error['message']}{where}"


def install(project: Project, *packages: str) -> str:
    """The install command for this project's package manager."""
    return drivers.install_command(
        project.package_manager, project.python, project.requirements_txt, *packages
    )


def import_fix(project: Project, error: dict[str, Any]) -> str:
    message = error.get("message", "")
    if error.get("type") == "ModuleNotFoundError":
        missing = message.split("'")[1] if "'" in message else ""
        package = drivers.PACKAGES.get(missing.split(".")[0])
        if package:
            return f"install it: {install(project, package)}"
        return "run alembic from the project folder; check prepend_sys_path in alembic.ini"
    return "fix the error above; `python -c 'import <your models>'` shows the same"


def tables_rung(expected: list[TableDef], result: dict[str, Any]) -> Rung:
    found = {t.split(".")[-1] for t in result.get("tables", [])}
    missing = [t for t in expected if t.name is not None and t.name not in found]
    if result.get("target_metadata_none"):
        return Rung("tables", "fail", "target_metadata is None", "set target_metadata in env.py")
    if missing:
        modules = sorted({t.module for t in missing})
        names = ", ".join(t.name or "?" for t in missing)
        return Rung("tables", "fail", f"missing from target_metadata: {names}",
                    f"import {', '.join(modules)} in env.py (MODEL_MODULES)")  # fmt: skip
    not_loaded = sorted({t.module for t in expected} - set(result.get("loaded", [])))
    if not_loaded:  # a model module env.py does not import: autogenerate would drop its tables
        return Rung("tables", "fail", f"model modules not imported: {', '.join(not_loaded)}",
                    "add them to MODEL_MODULES in env.py")  # fmt: skip
    counted = [t for t in expected if not t.unparsed]  # a module read in outline: 1 or more
    if len(found) < len(counted):
        return Rung("tables", "fail", f"{len(found)} tables loaded, {len(counted)} defined",
                    "check that env.py imports every model module")  # fmt: skip
    return Rung("tables", "pass", f"{len(found)} tables in target_metadata, as in the models")


def offline_rung(result: dict[str, Any]) -> Rung:
    error = result.get("offline_error")
    if error:
        return Rung("upgrade head --sql", "fail", error_text(error),
                    "run `alembic upgrade head --sql` to see the whole error")  # fmt: skip
    return Rung("upgrade head --sql", "pass", f"{result.get('offline_sql_lines', 0)} lines of SQL")


def driver_rung(project: Project, needed: dict[str, str], result: dict[str, Any]) -> Rung:
    missing = [needed[m] for m in result.get("missing", []) if m in needed]
    if missing:
        return Rung("driver installed", "fail", f"{', '.join(missing)} is not installed",
                    f"install it: {install(project, *missing)}")  # fmt: skip
    return Rung("driver installed", "pass", ", ".join(needed) or "sqlite3 (standard library)")


def online_rungs(project: Project, result: dict[str, Any], models: risk.Models) -> list[Rung]:
    error = result.get("online_error")
    if error:
        return [_connect_failure(project, error)]
    online = result["online"]
    rungs = [Rung("Alembic URL connects", "pass"), *_same_database(online)]
    current = ", ".join(online.get("current") or []) or "no revision applied"
    rungs.append(Rung("alembic current", "pass", current))
    if online.get("pending_error"):
        fix = "`alembic check` fails the same way: fix the models (or the modules env.py imports)"
        return [
            *rungs,
            Rung("pending operations", "fail", error_text(online["pending_error"]), fix),
        ]
    return rungs + pending_rungs(online.get("pending", []), models)


def pending_rungs(items: list[dict[str, Any]], models: risk.Models) -> list[Rung]:
    """What autogenerate would do, then each risky operation with what to do instead."""
    found = risk.review(items, models)
    pending = [risk.summary(i) for i in items]
    shown = "; ".join(pending[:5]) + (f"; and {len(pending) - 5} more" if len(pending) > 5 else "")
    detail = f"{len(pending)} to autogenerate" + (f": {shown}" if pending else "")
    if found:
        detail += f" ({len(found)} to review before a revision)"
    rungs = [Rung("pending operations", "warn" if found else "pass", detail)]
    return rungs + [Rung(f"risk: {r.kind}", "warn", r.what, r.fix) for r in found]


def _connect_failure(project: Project, error: dict[str, Any]) -> Rung:
    if error["type"] == "ModuleNotFoundError":
        return Rung("Alembic URL connects", "fail", error_text(error), import_fix(project, error))
    if any(phrase in error["message"].lower() for phrase in _UNREACHABLE):
        why = f"not reachable, online checks skipped: {error['type']}: {error['message']}"
        return Rung("database", "skip", why)
    fix = "check the user, password, host and database name in the URL Alembic uses"
    return Rung("Alembic URL connects", "fail", error_text(error), fix)


def _same_database(online: dict[str, Any]) -> list[Rung]:
    rungs = []
    sync_fp, async_fp = online.get("sync_fingerprint"), online.get("async_fingerprint")
    if online.get("async_error"):
        why = error_text(online["async_error"])
        rungs.append(Rung("same database", "skip", f"the app's URL did not connect as is: {why}"))
    if sync_fp and async_fp:
        if sync_fp == async_fp:
            rungs.append(Rung("same database", "pass"))
        else:
            rungs.append(Rung("same database", "fail",
                              "the sync and async URLs reach different databases",
                              "make DATABASE_URL_SYNC name the app's database"))  # fmt: skip
    return rungs
