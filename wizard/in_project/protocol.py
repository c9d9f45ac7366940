"""The boundary to the project's interpreter, shared by both sides: how the wizard starts a
module of this package there (`command`), and the words of the channel it answers on.

The project's interpreter has no wizard installed, and the wizard's own dependencies (its
SQLAlchemy, its pydantic) must never shadow the project's: so no folder of the wizard's goes
on its sys.path. The process finds this one package through a finder that knows its name
only, imports the module it runs, then forgets both before the app's code runs (an app module
named like this package stays the app's). Standard library only; Python >= 3.10.
"""

from __future__ import annotations

from pathlib import Path

CHANNEL_ARG = "--channel-fd"  # the file descriptor the answer goes to (stdout is the app's)
HUNG = 3  # the status of a process its watchdog stopped
PACKAGE = Path(__file__).resolve().parent  # its name there: the folder's, `in_project`

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


def command(python: str, module: str) -> list[str]:
    """The command line that runs `module`'s `main()` (`"verify"`, `"adopt"`) in `python`."""
    boot = _BOOT.format(
        name=PACKAGE.name, folder=str(PACKAGE.parent), module=f"{PACKAGE.name}.{module}"
    )
    return [python, "-c", boot]
