"""Turn what the verification process found into rungs: pass, fail or skip, with the fix."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from wizard import drivers
from wizard.edits import deps
from wizard.inspection import Project
from wizard.inspection.models import TableDef
from wizard.verify import hooks
from wizard.verify.hooks import Hook
from wizard.verify.import_fix import import_fix

Status = Literal["pass", "fail", "skip", "warn"]  # warn: a risk to read, not a failure


UNSET = "database URL"  # a template's placeholder until the user sets the real one
INSTALL = "packages installed"  # the rung that names the one install command
STOPPED = "verification ran"  # no answer (a hang, a crash): no verdict on the files
HOOKS = "post-write hooks"  # what `alembic revision` runs on each file it writes


@dataclass(frozen=True)
class Rung:
    """One verification step."""

    name: str
    status: Status
    detail: str = ""
    fix: str = ""
    # what the report acts on: the heads ("upgrade head --sql"), the revisions applied
    # ("alembic current"), the pending operations, the install command ("packages installed")
    values: tuple[str, ...] = ()


def error_text(error: dict[str, Any]) -> str:
    where = f" ({error['file']}:{error['line']})" if error.get("file") else ""
    return f"{error['type']}: {error['message']}{where}"


def in_requirements_txt(project: Project) -> dict[str, str]:
    """A pip project's requirements.txt as it is now, by distribution name ({}: none)."""
    if not project.requirements_txt or project.package_manager != "pip":
        return {}
    try:
        text = (project.root / "requirements.txt").read_text("utf-8", errors="replace")
    except OSError:
        return {}
    return deps.requirements_txt(text, project.environment.version)


def install(project: Project, *packages: str) -> str:
    """One command that installs every package in `packages`, for this project (with
    `-r requirements.txt`, those it declares are not named again)."""
    env = project.environment
    shown = project.rel(Path(project.python))
    listed = in_requirements_txt(project)
    packages = tuple(p for p in packages if deps.name_of(p) not in listed)
    return drivers.install_command(
        project.package_manager,
        shown,
        packages,
        has_pip=env.has_pip,
        tools=project.tools,
        requirements_txt=project.requirements_txt,
        tools_own=env.tools_own(project.root, project.top),
    )


def missing_module(error: dict[str, Any]) -> str:
    """The top-level module a ModuleNotFoundError names ('' for any other error)."""
    message = error.get("message", "")
    if error.get("type") != "ModuleNotFoundError" or "'" not in message:
        return ""
    return str(message.split("'")[1].split(".")[0])


def packages_rung(project: Project, packages: list[str], hooked: Sequence[Hook] = ()) -> Rung:
    """What the project's interpreter lacks, and the one command that installs it all (what
    the post-write hooks run included)."""
    named = {deps.name_of(p) for p in packages}
    extra = [p for p in hooks.packages(hooked, project.python) if deps.name_of(p) not in named]
    packages = [*packages, *extra]
    command = install(project, *packages)
    what = f"{', '.join(packages)} {'is' if len(packages) == 1 else 'are'} not installed"
    where = f"{project.rel(Path(project.python))}{hooks.note(hooked, project.python)}"
    return Rung(
        INSTALL,
        "fail",
        f"{what} in {where}",
        f"install: {command} (or run again with --install)",
        values=(command,),
    )


def hook_rungs(project: Project, hooked: Sequence[Hook], packaged: bool) -> list[Rung]:
    """The post-write hooks: each runnable (pass); a missing one a package provides goes into
    the packages rung (made here unless `packaged`); one no install provides fails."""
    python = project.python
    installable = hooks.installable(hooked, python)
    rungs = [packages_rung(project, [], hooked)] if installable and not packaged else []
    stuck = [h for h in hooks.missing(hooked) if h not in installable]
    if stuck:
        fix = "install it where the hook finds it, or remove the hook from Alembic's config"
        rungs.append(Rung(HOOKS, "fail", "; ".join(hooks.what(h) for h in stuck), fix))
    elif hooked and not installable:
        ran = ", ".join(f"{h['hook']} ({h['name']})" for h in hooked)
        rungs.append(Rung(HOOKS, "pass", f"{ran}: found in {project.rel(Path(python))}"))
    return rungs


def import_rungs(
    project: Project,
    error: dict[str, Any],
    needed: dict[str, str],
    missing: list[str],
    absent: Sequence[str] = (),
    hooked: Sequence[Hook] = (),
) -> list[Rung]:
    """env.py did not load: when a package it needs is missing, that is the finding (the
    files stay; one command installs everything missing: what Alembic needs, and what the
    project declares and lacks, `absent`), else the error itself."""
    module = missing_module(error)
    packages = [needed[m] for m in missing if m in needed]
    external = bool(module) and module not in {name.split(".")[0] for name in project.module_paths}
    if external and absent:  # the app's own dependencies, as declared
        named = {deps.name_of(p) for p in packages}
        packages += [a for a in absent if deps.name_of(a) not in named]
    elif external and module not in missing:  # e.g. pydantic_settings, which the app needs
        packages.append(drivers.PACKAGES.get(module, module.replace("_", "-")))
    if external:
        why = f"not loaded: it needs {module}, which is not installed"
        installs = [packages_rung(project, packages, hooked), Rung("env.py imports", "skip", why)]
        return installs + hook_rungs(project, hooked, packaged=True)
    fix = import_fix(project, error)
    failed = Rung("env.py imports", "fail", error_text(error), fix)
    installs = [packages_rung(project, packages, hooked)] if packages else []
    return [failed, *installs, *hook_rungs(project, hooked, packaged=bool(packages))]


def revisions_rung(project: Project, error: dict[str, Any]) -> Rung:
    """A revision file Alembic cannot load (env.py loaded): that file and its error."""
    where = f"{project.rel(Path(error['file']))}:{error['line']}: " if error.get("file") else ""
    fix = "fix that revision file or move it out of the versions folder (`alembic heads` fails too)"
    return Rung("revisions load", "fail", f"{where}{error['type']}: {error['message']}", fix)


def tables_rung(expected: list[TableDef], result: dict[str, Any]) -> Rung:
    found = {t.split(".")[-1] for t in result.get("tables", [])}
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
    if not_loaded:  # a model module env.py does not import: autogenerate would drop its tables
        return Rung(
            "tables",
            "fail",
            f"model modules not imported: {', '.join(not_loaded)}",
            "add them to MODEL_MODULES in env.py",
        )
    # a module read in outline: 1 or more; two classes of one table (a subclass with
    # extend_existing, single-table inheritance): one table
    counted = {
        (t.name or f"{t.module}:{t.line}").split(".")[-1] for t in expected if not t.unparsed
    }
    if len(found) < len(counted):
        return Rung(
            "tables",
            "fail",
            f"{len(found)} tables loaded, {len(counted)} defined",
            "check that env.py imports every model module",
        )
    return Rung("tables", "pass", f"{len(found)} tables in target_metadata, as in the models")


ONLINE_ONLY = "none for the setup: `alembic upgrade head` runs it on the database"


def offline_rung(project: Project, result: dict[str, Any]) -> Rung:
    error = result.get("offline_error")
    if error and error.get("revision"):  # the history's own data step, not the setup
        where = f"{project.rel(Path(error['file']))}:{error['line']}"
        what = f"{error['type']}: {error['message']} ({where})"
        detail = f"revision {error['revision']} runs only against a database: {what}"
        return Rung("upgrade head --sql", "skip", detail, ONLINE_ONLY)
    if error:
        return Rung(
            "upgrade head --sql",
            "fail",
            error_text(error),
            "run `alembic upgrade head --sql` to see the whole error",
        )
    return Rung("upgrade head --sql", "pass", f"{result.get('offline_sql_lines', 0)} lines of SQL")


def driver_rung(
    project: Project, needed: dict[str, str], result: dict[str, Any], hooked: Sequence[Hook] = ()
) -> Rung:
    missing = [needed[m] for m in result.get("missing", []) if m in needed]
    if missing:
        return packages_rung(project, missing, hooked)
    shown = ", ".join(m for m in needed if m != "alembic")
    return Rung("driver installed", "pass", shown or "sqlite3 (standard library)")
