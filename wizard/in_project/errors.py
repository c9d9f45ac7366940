"""Run inside the PROJECT's interpreter, imported by `verify.py` and `adopt.py`: an error
as the wizard reports it, placed in the project's own code. Standard library only.
"""

from __future__ import annotations

import os
import traceback
from pathlib import Path

from .protocol import Error

_WIZARD = str(Path(__file__).resolve().parent.parent) + os.sep  # the wizard's own: never the place


def error(exc: BaseException) -> Error:
    """The error, at the innermost frame of the project's own code (not `<string>`, the
    standard library or an installed package), its path normalised."""
    frames = traceback.extract_tb(exc.__traceback__)
    here = str(Path.cwd())
    ours = [f for f in frames if projects(f.filename, here)]
    outside = [f for f in frames if _fixable(f.filename)]
    chosen = ours or outside
    where = chosen[-1] if chosen else None
    if isinstance(exc, SyntaxError) and exc.filename and real(exc.filename):  # the file itself
        where = traceback.FrameSummary(exc.filename, exc.lineno, "")
    if where is not None:
        where = traceback.FrameSummary(os.path.normpath(where.filename), where.lineno, where.name)
    return {
        "type": type(exc).__name__,
        "message": str(exc).splitlines()[0] if str(exc) else "",
        "file": where.filename if where else None,
        "line": where.lineno if where else None,
        "filename": str(exc.filename) if isinstance(exc, OSError) and exc.filename else None,
    }


def _fixable(filename: str) -> bool:
    """A real file that is no installed package's and not the wizard's own."""
    return real(filename) and not installed(filename) and not filename.startswith(_WIZARD)


def installed(filename: str) -> bool:
    """Python's own library or an installed package: not where the user can fix anything."""
    return "site-packages" in filename or f"{os.sep}lib{os.sep}python" in filename


def real(filename: str) -> bool:
    return not filename.startswith("<") and Path(filename).is_file()


def projects(filename: str, here: str) -> bool:
    """A file of the project's (under the folder Alembic runs in, not in a virtualenv)."""
    full = os.path.normpath(Path(filename).absolute())
    inside = full.startswith(os.path.normpath(here) + os.sep)
    return inside and real(full) and not installed(full)
