"""Run inside the PROJECT's interpreter, imported by `verify.py`: `alembic upgrade head
--sql` in this process, and, when it stops, whether a revision's own code stopped it.

Standard library, alembic and sqlalchemy only.
"""

from __future__ import annotations

import io
import traceback
from pathlib import Path
from typing import Any


def heads(config: Any) -> list[str]:
    """The revision scripts' heads, as `alembic heads` lists them."""
    from alembic.script import ScriptDirectory

    return list(ScriptDirectory.from_config(config).get_heads())


def bases(config: Any) -> list[str]:
    """The files of the history's first revisions."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(config)
    found = (script.get_revision(base) for base in script.get_bases())
    return [r.path for r in found if r is not None]


def render(config: Any, buffer: io.StringIO) -> int:
    """`alembic upgrade head --sql` into `buffer` (`config`'s output); lines of SQL."""
    from alembic import command

    target = "heads" if len(heads(config)) > 1 else "head"  # a branched history: every head
    command.upgrade(config, target, sql=True)
    return len(buffer.getvalue().splitlines())


def online_only(config: Any, exc: BaseException) -> str | None:
    """The revision whose own code stopped `--sql`: it reads what only a database returns
    (`op.get_bind().execute(...).fetchone()` is None there, `sa.inspect` has nothing to
    inspect), so it runs online only, and env.py is not at fault. None when the error was
    raised anywhere else (Alembic or SQLAlchemy rendering what the revision asked for)."""
    from alembic.script import ScriptDirectory

    frames = list(traceback.extract_tb(exc.__traceback__))
    if type(exc).__name__ == "NoInspectionAvailable":  # sa.inspect(op.get_bind())
        frames = [f for f in frames if "site-packages" not in f.filename]
    if not frames:
        return None
    try:
        scripts = ScriptDirectory.from_config(config).walk_revisions()
        paths = {Path(s.path).resolve(): s.revision for s in scripts}
    except Exception:  # the history does not load: no revision to name
        return None
    return paths.get(Path(frames[-1].filename).resolve())
