"""The last thing a run prints: the text report for a person (after verification), or,
under --json, one object with what changed, the rungs and the next commands."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from wizard import jsonout
from wizard.change import Plan
from wizard.inspection import Project
from wizard.options import Options
from wizard.report import next_commands, report
from wizard.verify import Rung
from wizard.verify.rungs import INSTALL


@dataclass(frozen=True)
class Outcome:
    """What a setup run wrote: the changes planned, and the backup folder when it wrote them
    (None: nothing to write; False: nothing written)."""

    changes: list[dict[str, object]] = field(default_factory=list)
    applied: Path | bool | None = None


def planned(project: Project, plan: Plan) -> list[dict[str, object]]:
    """Per file of the plan: the action and the path, for --json."""
    return jsonout.changes(plan.changes, {str(c.path): project.rel(c.path) for c in plan.changes})


def finish(
    options: Options,
    project: Project,
    outcome: Outcome,
    rungs: list[Rung],
    code: int,
    *,
    rolled_back: bool = False,
    then: list[str] | None = None,
) -> int:
    """The report: text for a person (when there was verification), or the JSON object
    (`then`: the commands to run next, when they are not Alembic's)."""
    if not options.json:
        if rungs:
            print(report(project, rungs, rolled_back=rolled_back, color=options.color_out))
        return code
    applied = outcome.applied  # "Next" as the text report shows it: also after a missing install
    ok = not rolled_back and all(r.status != "fail" or r.name == INSTALL for r in rungs)
    body = {
        "dry_run": options.dry_run,
        "changes": outcome.changes,
        "written": isinstance(applied, Path) and not rolled_back,
        "backup": project.rel(applied) if isinstance(applied, Path) else None,
        "rolled_back": rolled_back,
        "verification": jsonout.rungs(rungs),
        "next": (next_commands(project, rungs) if then is None else then)
        if ok and applied is not False
        else [],
    }
    print(jsonout.dumps(options.command, code, body))
    return code
