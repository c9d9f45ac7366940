"""The rungs of the online look (read-only): Alembic's URL connects, it reaches the app's
database, where the history is, and what the next autogenerate would do."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from wizard import drivers
from wizard.inspection import Project
from wizard.verify import risk
from wizard.verify.rungs import Rung, Status, error_text, missing_module, packages_rung

# messages that mean "no server answered" (skip the online rungs), as opposed to a server
# that answered and refused (wrong password, no such database: a failure to report)
_UNREACHABLE = (
    "connection refused",
    "could not connect to server",
    "connect call failed",
    "could not translate host name",
    "name or service not known",
    "no route to host",
    "network is unreachable",
    "temporary failure in name resolution",
    "timeout expired",
    "timed out",
    "can't connect to mysql server",
    "can't connect to server",
    "nodename nor servname",
)


_LOCATE = "Can't locate revision identified by"


def online_rungs(project: Project, result: dict[str, Any], models: risk.Models) -> list[Rung]:
    error = result.get("online_error")
    if error:
        return [_connect_failure(project, error)]
    online = result["online"]
    rungs = [Rung("Alembic URL connects", "pass"), *_same_database(project, online)]
    unknown = online.get("unknown_revisions") or []
    if unknown:
        rungs.append(_unknown_revision(project, unknown, online.get("versions") or ""))
    else:
        applied = tuple(online.get("current") or [])
        rungs.append(
            Rung(
                "alembic current",
                "pass",
                ", ".join(applied) or "no revision applied",
                values=applied,
            )
        )
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
    status: Status = "warn" if found else "pass"
    rungs = [Rung("pending operations", status, detail, values=tuple(pending))]
    return rungs + [Rung(f"risk: {r.kind}", "warn", r.what, r.fix) for r in found]


def _unknown_revision(project: Project, unknown: list[str], versions: str) -> Rung:
    """The database is at a revision this checkout does not have: not a connection problem."""
    folder = project.rel(Path(versions)) if versions else "the versions folder"
    revs = ", ".join(unknown)
    what = "revision" if len(unknown) == 1 else "revisions"
    return Rung(
        "database revision",
        "fail",
        f"the database is at {what} {revs}, which is not in {folder}",
        f"fetch the revision file of {revs} into {folder} (git pull, or the branch that made"
        " it); if it is lost, `alembic stamp <revision>` with care: it records a revision and"
        " changes no table",
    )


def _connect_failure(project: Project, error: dict[str, Any]) -> Rung:
    if _LOCATE in error["message"]:  # env.py's own version table, read by `alembic current`
        fix = "get the missing revision file (git pull), or `alembic stamp` with care"
        return Rung("database revision", "fail", error_text(error), fix)
    module = missing_module(error)
    if module:
        package = drivers.PACKAGES.get(module, module.replace("_", "-"))
        return packages_rung(project, [package])
    if error.get("step", "connect") != "connect":
        return Rung(
            "alembic current",
            "fail",
            error_text(error),
            "run `alembic current` to see the whole error",
        )
    if any(phrase in error["message"].lower() for phrase in _UNREACHABLE):
        why = f"not reachable, online checks skipped: {error['type']}: {error['message']}"
        return Rung("database", "skip", why)
    fix = "check the user, password, host and database name in the URL Alembic uses"
    return Rung("Alembic URL connects", "fail", error_text(error), fix)


def _same_database(project: Project, online: dict[str, Any]) -> list[Rung]:
    rungs = []
    sync_fp, async_fp = online.get("sync_fingerprint"), online.get("async_fingerprint")
    if online.get("async_error"):
        why = error_text(online["async_error"])
        rungs.append(Rung("same database", "skip", f"the app's URL did not connect as is: {why}"))
    if sync_fp and async_fp:
        if sync_fp == async_fp:
            rungs.append(Rung("same database", "pass"))
        else:
            rungs.append(
                Rung(
                    "same database",
                    "fail",
                    "the sync and async URLs reach different databases",
                    _other_database_fix(project),
                )
            )
    return rungs


def _other_database_fix(project: Project) -> str:
    """Why the two URLs differ: a variable exported in this shell that differs from the env
    file's (the app's settings read the environment first; the sync URL came from the file)."""
    for source in project.sources:
        shell = os.environ.get(source.env_key) if source.env_key else None
        files = [e for e in project.env_files if not e.example] if shell is not None else []
        for env in files:
            found = env.env.get(source.env_key or "", case_sensitive=source.case_sensitive)
            if found is not None and found.value and found.value != shell:
                where = f"{project.rel(env.path)}:{found.line}"
                key = source.env_key
                return (
                    f"${key} is set in this shell and differs from {where}; the app reads the "
                    f"environment first, and {source.sync_key} came from the file: unset "
                    f"{key}, or make the two agree"
                )
    sync = project.sources[0].sync_key if project.sources else "the sync URL"
    return f"make {sync} name the app's database"
