"""`doctor --online`: the risk review of what the next autogenerate would do, as findings.
The review itself runs in verification's process (read-only); this only words it."""

from __future__ import annotations

from wizard.doctor.finding import Finding
from wizard.doctor.rules import RISK_RULES, RULES
from wizard.inspection import Project
from wizard.verify.risk import Risk


def risk_findings(project: Project, risks: list[Risk]) -> list[Finding]:
    """One finding per risky pending operation; a missing model import points at env.py."""
    env_py = project.alembic.env_path
    found = []
    for risk in risks:
        rule = RULES[RISK_RULES[risk.kind]]
        path = risk.path or (project.rel(env_py) if env_py and "env.py" in risk.fix else None)
        found.append(Finding(rule.id, path, None, risk.what, rule.why, risk.fix))
    return found
