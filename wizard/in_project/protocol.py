"""The boundary to the project's interpreter, shared by both sides: how the wizard starts a
module of this package there (`command`), the requests it sends on stdin, and the messages
that come back on the channel (the answers' own contents are still plain JSON objects).

The project's interpreter has no wizard installed, and the wizard's own dependencies (its
SQLAlchemy, its pydantic) must never shadow the project's: so no folder of the wizard's goes
on its sys.path. The process finds this one package through a finder that knows its name
only, imports the module it runs, then forgets both before the app's code runs (an app module
named like this package stays the app's). Standard library only; Python >= 3.10.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypedDict

CHANNEL_ARG = "--channel-fd"  # the file descriptor the answer goes to (stdout is the app's)
HUNG = 3  # the status of a process its watchdog stopped
PACKAGE = Path(__file__).resolve().parent  # its name there: the folder's, `in_project`


class VerifyRequest(TypedDict, total=False):
    """What `verify` is asked: the config, where to run, what to look for, and how far."""

    ini: str  # alembic.ini
    cwd: str  # the project root: where the `alembic` command runs
    model_modules: list[str]  # those env.py should have imported
    drivers: list[str]  # modules that must import (alembic, the database drivers)
    declared: list[str]  # distributions the project declares
    placeholders: dict[str, str]  # variables a template sets, for an offline load only
    online: bool  # connect to the database (read-only)
    app_url: str  # the app's URL, password included: a look without Alembic
    names: bool  # the constraint names too
    timeout: float  # seconds, after which the process names where it hangs


class AdoptRequest(TypedDict, total=False):
    """What `adopt` is asked: examine the database (and render revisions), or stamp it."""

    action: str  # "examine" or "stamp"
    ini: str
    cwd: str
    write: bool  # render the revisions that adopt an unversioned database
    message: str  # the baseline revision's message
    align_message: str  # the revision's that aligns the database with the models
    revision: str  # what "stamp" stamps
    timeout: float


class Error(TypedDict):
    """An exception as the wizard reports it, placed in the project's own code."""

    type: str
    message: str  # its first line
    file: str | None
    line: int | None
    filename: str | None  # an OSError's file


class Place(TypedDict):
    """Where the app's code was running: the module imported ("" for env.py), file, line."""

    module: str
    path: str | None
    line: int | None


class Message(TypedDict, total=False):
    """One line on the channel, always with the process's `pid`: a step begun, a module
    imported, a hang or an exit and where, or the answer."""

    pid: int
    step: str
    importing: str
    hung: Place
    exiting: int  # with the Place's keys beside it
    module: str
    path: str | None
    line: int | None
    answer: dict[str, Any]


# `python -c`: its sys.path[0] is the working folder, which the `alembic` command does not
# put there (only prepend_sys_path does); every module here imports its siblings at the top,
# so nothing is looked up once the names are forgotten
_BOOT = """\
import importlib, importlib.machinery, sys
if sys.path and sys.path[0] == "":
    del sys.path[0]
class Ours:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name != {name!r}:
            return None
        return importlib.machinery.PathFinder.find_spec(name, [{folder!r}])
sys.meta_path.insert(0, Ours)
main = importlib.import_module({module!r}).main
sys.meta_path.remove(Ours)
for loaded in [n for n in sys.modules if n.partition(".")[0] == {name!r}]:
    del sys.modules[loaded]
sys.exit(main())
"""


def command(
    python: str, module: str, package: Path = PACKAGE, flags: Sequence[str] = ()
) -> list[str]:
    """The command line that runs `module`'s `main()` (`"verify"`, `"adopt"`) in `python`;
    `package`: another folder of such modules (inspection's probe)."""
    boot = _BOOT.format(
        name=package.name, folder=str(package.parent), module=f"{package.name}.{module}"
    )
    return [python, *flags, "-c", boot]
