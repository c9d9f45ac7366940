"""Checks of the files around the setup: the scripts folder and env.py there, `script.py.mako`
for SQLModel, `.env` ignored by git, several heads, post-write hooks the project's interpreter
cannot run."""

from __future__ import annotations

from collections.abc import Iterator

from wizard.doctor.context import Context
from wizard.doctor.finding import Finding
from wizard.inspection.hooks import declared


def check_scripts(c: Context) -> Iterator[Finding]:
    """AW127: no scripts folder where script_location points (or no script_location);
    AW126: the folder without its env.py. Named at the script_location line."""
    if c.env_path is not None:
        return
    scripts = c.project.alembic.scripts
    path, line = c.ini_path, c.ini_line("script_location")
    if line is None and c.toml_path is not None:
        path, line = c.toml_path, c.toml_line("script_location")
    if scripts is None:
        yield c.find("AW127", path, None, "no script_location")
    elif not scripts.is_dir():
        yield c.find("AW127", path, line, f"{c.project.rel(scripts)}/ does not exist")
    else:
        yield c.find("AW126", path, line, f"{c.project.rel(scripts / 'env.py')} does not exist")


def check_files(c: Context) -> Iterator[Finding]:
    """AW114, AW115, AW116."""
    project = c.project
    if c.env_path is not None and project.uses_sqlmodel:
        mako = c.env_path.with_name("script.py.mako")
        text = project.files.get(mako)
        if text is not None and "import sqlmodel" not in text:
            yield c.find("AW114", mako, None, "script.py.mako does not import sqlmodel")
    for source in project.env_files:
        if not source.example and not source.git_ignored:
            yield c.find("AW115", source.path, None, f"{source.path.name} is not git-ignored")
    heads = project.alembic.heads
    if c.env_path is not None and len(heads) > 1:
        yield c.find("AW116", c.env_path.parent / "versions", None,
                     f"{len(heads)} heads: {', '.join(heads)}")  # fmt: skip


def check_hooks(c: Context) -> Iterator[Finding]:
    """AW124: what a post-write hook runs is not in the project's interpreter (inspection
    asked it)."""
    missing = c.project.environment.hooks_missing
    for hook in (h for h in declared(c.project.alembic) if h.key in missing):
        what = f"post-write hook {hook.name} runs {hook.runs} ({hook.type}), which "
        where = c.project.rel(c.project.environment.bin_dir)
        yield c.find("AW124", hook.path, hook.line, f"{what}is not found from {where}")
