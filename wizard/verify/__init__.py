"""Verify the result in a subprocess with the project's interpreter, rung by rung: env.py
imports; its tables match the models; `alembic upgrade head --sql`; then, when the database
answers, the online checks (read-only)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from wizard.answers import Answers
from wizard.edits import deps
from wizard.errors import WizardError
from wizard.in_project.protocol import VerifyRequest
from wizard.inspection import Project
from wizard.secrets import in_bindings, mask
from wizard.target import Target
from wizard.verify import baseline, risk, unset
from wizard.verify import rungs as r
from wizard.verify.absent_file import absent_file_rung
from wizard.verify.online_rungs import online_rungs
from wizard.verify.process import LOADING, Probe, Reply, Stopped, describe, stopped_fix
from wizard.verify.risk import Models, Risk
from wizard.verify.rungs import Rung

__all__ = ["Probe", "Risk", "Rung", "constraint_names", "review", "verify"]


def _ask(probe: Probe, request: VerifyRequest) -> Reply:
    """The probe's answer, or how it ended without one (a hang, an exit) and where."""
    try:
        return probe.ask(request)  # within $ALEMBIC_WIZARD_VERIFY_TIMEOUT, else 120 s
    finally:
        probe.close()


def _said(project: Project, stopped: Stopped) -> str:
    """How the process ended, in one line, with paths as the user knows them."""
    return describe(stopped, lambda path: project.rel(Path(path)))


def _stopped_rung(stopped: Stopped, said: str) -> Rung:
    """No answer: an exit while env.py loads is env.py's failure (as an exception there
    is); a hang, or an end at any other step, says nothing of the files."""
    name = "env.py imports" if stopped.step == LOADING and not stopped.timed_out else r.STOPPED
    return Rung(name, "fail", said, stopped_fix(stopped))


def _wants_online(project: Project, answers: Answers, target: Target) -> tuple[bool, str]:
    if answers.app.unset:  # the "database URL" rung says why
        return False, ""
    if answers.dialect == "sqlite":
        database = target.alembic_url.database or ""
        path = Path(database) if Path(database).is_absolute() else project.root / database
        if not path.exists():  # asked at verification time: apply may just have run
            return False, f"{database} does not exist yet; `alembic upgrade head` creates it"
    return True, ""


def models_of(project: Project, answers: Answers, result: dict[str, Any]) -> Models:
    """What the risk review needs to know of the models (and which env.py loaded)."""
    return Models(
        project.tables,
        frozenset(result.get("loaded", [])),
        frozenset(m.label for m in answers.metadatas),
    )


def verify(
    project: Project,
    answers: Answers,
    target: Target,
    *,
    online: bool = True,
    probe: Probe | None = None,
) -> list[Rung]:
    """Run the ladder; every detail is masked before it leaves here."""
    go_online, why_not = _wants_online(project, answers, target) if online else (False, "")
    needed = {"alembic": "alembic", **target.drivers}
    declared = _declared(project)
    request = _request(project, answers, target, (list(needed), list(declared)), go_online)
    reply = _ask(probe or Probe(project.python, project.root), request)
    if reply.answer is None:
        assert reply.stopped is not None
        found = [_stopped_rung(reply.stopped, _said(project, reply.stopped))]
    else:
        found = _ladder(project, answers, reply.answer, needed, declared, (go_online, why_not))
    # the app's variables are set nowhere the shell sees (only a template, or the URL is put
    # together from variables at run time): an env.py that cannot load is not a verdict
    not_set = answers.app.unset or (answers.app.shape and not answers.app.literal)
    if not_set or (unset.fresh_clone(project) and not answers.app.typed):
        found = [unset.unverified(g) if g.name == "env.py imports" else g for g in found]
    if answers.app.unset:
        found.append(unset.unset_rung(project, answers))
    return [
        replace(g, detail=mask(g.detail, target.secrets), fix=mask(g.fix, target.secrets))
        for g in found
    ]


def _request(
    project: Project,
    answers: Answers,
    target: Target,
    modules: tuple[list[str], list[str]],
    online: bool,
) -> VerifyRequest:
    """What the process in the project's interpreter is asked to look at; `modules`: the
    modules Alembic's URL needs, and the distributions the project declares."""
    drivers, declared = modules
    request: VerifyRequest = {
        "ini": str(project.alembic.ini_path),
        "model_modules": project.model_modules,  # all: a drop is explained by a missing one
        "online": online,
        "drivers": drivers,
        "declared": declared,
        "cwd": str(project.root),
        # unset until the user copies the template: its placeholder lets env.py load offline
        "placeholders": unset.placeholders(project, answers),
    }
    if online:  # a look with the app's own driver, when Alembic's is not installed yet
        request["app_url"] = target.app_url.render_as_string(hide_password=False)
    return request


def _ladder(
    project: Project,
    answers: Answers,
    result: dict[str, Any],
    needed: dict[str, str],
    declared: dict[str, str],
    online: tuple[bool, str],
) -> list[Rung]:
    """The rungs of the process's answer: why env.py did not load, or each check after."""
    error = result.get("import_error")
    skipped = error and absent_file_rung(project.root, project.rel, error)
    if skipped:  # a fresh clone: the app's own file is made from its template first
        return [skipped]
    hooked = result.get("hooks", [])  # what `alembic revision` runs on the file it writes
    expected = [t for t in project.tables if t.metadata in answers.metadatas]
    if error:
        absent = [declared[n] for n in result.get("absent", []) if n in declared]
        found = r.import_rungs(project, error, needed, result.get("missing", []), absent, hooked)
        return found + baseline.peeked(project, [t.name for t in expected if t.name], result)
    if result.get("revisions_error"):  # env.py loaded; a revision file did not
        loaded = Rung("env.py imports", "pass", "settings, .env and models load")
        return [loaded, r.revisions_rung(project, result["revisions_error"])]
    driver = r.driver_rung(project, needed, result, hooked)
    found = [
        Rung("env.py imports", "pass", "settings, .env and models load"),
        r.tables_rung(expected, result),
        replace(r.offline_rung(project, result), values=tuple(result.get("heads", []))),
        *_heads_rung(result.get("heads", [])),
        driver,
        *r.hook_rungs(project, hooked, packaged=driver.status == "fail"),
    ]
    go_online, why_not = online
    if go_online:
        found += online_rungs(project, result, models_of(project, answers, result))
        found += [g for g in [baseline.uncreated(project, result)] if g is not None]
    elif why_not:
        found.append(Rung("database", "skip", why_not))
    return found


def _heads_rung(heads: list[str]) -> list[Rung]:
    """Several heads (two branches each added a revision): `upgrade head` fails until merged."""
    if len(heads) < 2:
        return []
    detail = f"{len(heads)} heads: {', '.join(heads)}; `alembic upgrade head` fails until merged"
    return [Rung("single head", "warn", detail, fix='alembic merge heads -m "merge heads"')]


def _declared(project: Project) -> dict[str, str]:
    """The project's declared dependencies, by distribution name, where the install command
    is pip's (`uv add`, `poetry add`, `pdm add` install every declared one anyway): an app
    that cannot import gets one command for all it lacks, not one package per run."""
    text = project.files.get(project.config_path)
    if project.package_manager not in ("pip", "hatch"):
        return {}
    found = r.in_requirements_txt(project)  # as apply left it
    if text is None or project.config_path.name != "pyproject.toml":
        return found
    from tomlkit.exceptions import TOMLKitError

    try:
        declared = deps.runtime_requirements(text, project.environment.version)
        return {deps.name_of(req): req for req in declared} | found
    except TOMLKitError:  # not TOML: that is for the other checks to say
        return found


def _online(project: Project, probe: Probe | None, *, names: bool = False) -> dict[str, Any]:
    """The probe's online look with the URL env.py migrates with; an error to fix when it
    cannot run (the message masked)."""
    request: VerifyRequest = {
        "ini": str(project.alembic.ini_path),
        "model_modules": project.model_modules,
        "online": True,
        "drivers": [],
        "cwd": str(project.root),
        "names": names,
    }
    reply = _ask(probe or Probe(project.python, project.root), request)
    if reply.answer is None:
        assert reply.stopped is not None
        why = _said(project, reply.stopped)
        raise WizardError(f"could not look at the database: {why}", hint=stopped_fix(reply.stopped))
    result = reply.answer
    online = result.get("online") or {}
    error = result.get("import_error") or result.get("online_error") or online.get("pending_error")
    if error:
        known = in_bindings(kv for source in project.env_files for kv in source.values())
        why = mask(r.error_text(error), known)
        raise WizardError(
            f"could not look at the database: {why}",
            hint="`alembic-wizard verify` says which rung fails and why",
        )
    return result


def review(project: Project, probe: Probe | None = None) -> list[Risk]:
    """`doctor --online`: review, read-only, what autogenerate would do."""
    result = _online(project, probe)
    names = {t.split(".")[-1] for t in result.get("tables", [])}
    targeted = frozenset(t.metadata.label for t in project.tables if t.name in names)
    models = Models(project.tables, frozenset(result.get("loaded", [])), targeted)
    found = risk.review(result["online"].get("pending", []), models)
    trap = baseline.uncreated(project, result)  # an empty first revision, applied
    if trap is not None:
        first = project.rel(Path(result["bases"][0])) if result.get("bases") else None
        found.append(Risk("uncreated tables", "", trap.detail, trap.fix, first))
    return found


def constraint_names(project: Project, probe: Probe | None = None) -> list[dict[str, Any]]:
    """The names the database gave the models' constraints and indexes (read-only)."""
    return list(_online(project, probe, names=True)["online"].get("names", []))
