"""Run inside the PROJECT's interpreter, imported by `verify.py` and `adopt.py`: the process's
start, and the wizard's own channel back. stdout and stderr belong to the app
(it may print at import or at exit, even print a fake answer); answers go to a file descriptor
the wizard passed, its number taken off `sys.argv` before the app runs. A progress line before
each step and each import, a watch on `os._exit` and a watchdog name the module a process
exits or hangs in.

Standard library only; Python >= 3.10.
"""

from __future__ import annotations

import faulthandler
import json
import os
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

from .protocol import CHANNEL_ARG, HUNG, Message, Place

_OURS = str(Path(__file__).resolve().parent)  # the wizard's scripts: never "the app's module"


class Channel:
    """Messages to the wizard, one JSON line each, from this process only (a copy the app
    forks says nothing and does not go on verifying)."""

    def __init__(self, fd: int) -> None:
        self.fd: int | None = fd
        self.pid = os.getpid()
        self.exit = os._exit  # the real one: the app's calls are watched
        self.step_name = "starting"
        self._lock = threading.Lock()
        os.set_inheritable(fd, False)  # a process the app starts never holds it
        os.register_at_fork(after_in_child=self._forked)

    def _forked(self) -> None:
        fd, self.fd = self.fd, None
        if fd is not None:
            os.close(fd)

    def send(self, message: Message) -> None:
        """One line to the wizard; nothing once the channel is closed (by the app)."""
        if self.fd is None or os.getpid() != self.pid:
            return
        data = (json.dumps({**message, "pid": self.pid}) + "\n").encode()
        with self._lock:
            try:
                while data:
                    data = data[os.write(self.fd, data) :]
            except OSError:  # the app closed it: the wizard hears no answer, and says so
                self.fd = None

    def step(self, name: str) -> None:
        """Say what this process does next (what a hang or an exit is named after)."""
        if os.getpid() != self.pid:
            self.exit(0)
        self.step_name = name
        self.send({"step": name})

    def answer(self, result: dict[str, Any]) -> NoReturn:
        """The answer, then exit at once: the app's atexit handlers and threads have no say."""
        if os.getpid() != self.pid:
            self.exit(0)
        self.send({"answer": result})
        self.exit(0)


def start(argv: list[str], seconds: float) -> tuple[Channel, Any]:
    """As the `alembic` command starts: only prepend_sys_path puts the project on sys.path
    (`protocol.command` left no folder of the wizard's there). The channel is taken off the
    command line, the libraries named after it are imported while the wizard plans; then the
    request (a `protocol` request; None: the wizard stopped first), and the watch (`seconds`
    unless it says)."""
    channel = connect(argv)
    _warm_up(argv[1:])
    del argv[1:]  # the app sees a command line of its own, as under `alembic`
    data = sys.stdin.read()
    if not data.strip():
        return channel, None
    request = json.loads(data)
    watch(channel, float(request.get("timeout") or seconds))
    return channel, request


def _warm_up(modules: list[str]) -> None:
    """Import libraries (never the project's own code, which the wizard may be editing)."""
    import contextlib
    import importlib

    for name in ["alembic.command", "sqlalchemy.ext.asyncio", "sqlalchemy.orm", *modules]:
        with contextlib.suppress(ImportError):  # reported properly when env.py is loaded
            importlib.import_module(name)


def connect(argv: list[str]) -> Channel:
    """The channel named on the command line, taken off it (the app never sees it)."""
    at = argv.index(CHANNEL_ARG)
    fd = int(argv[at + 1])
    del argv[at : at + 2]
    return Channel(fd)


def place(frame: FrameType | None) -> Place:
    """The app's module whose top level is running (the innermost `<module>` frame outside
    the wizard's scripts), and its line."""
    while frame is not None and (
        frame.f_code.co_name != "<module>" or frame.f_code.co_filename.startswith(_OURS)
    ):
        frame = frame.f_back
    if frame is None:
        return {"module": "", "path": None, "line": None}
    name = str(frame.f_globals.get("__name__", ""))
    imported = getattr(sys.modules.get(name), "__dict__", None) is frame.f_globals
    module = name if imported else ""  # env.py, which Alembic runs without importing it
    return {"module": module, "path": frame.f_code.co_filename, "line": frame.f_lineno}


def watch(channel: Channel, seconds: float) -> None:
    """After `seconds`, say where the main thread is and exit; faulthandler's dump (on
    stderr) when the app never lets this thread run."""
    main = threading.main_thread().ident

    def fire() -> None:
        frame = sys._current_frames().get(main) if main is not None else None
        channel.send({"hung": place(frame), "step": channel.step_name})
        channel.exit(HUNG)

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    faulthandler.enable()  # a crash: where, on stderr
    faulthandler.dump_traceback_later(seconds + 2, exit=True)
    _watch_exits(channel)


def _watch_exits(channel: Channel) -> None:
    """`os._exit` in the app (at import) says where it was called before it exits."""

    def _exit(status: int) -> NoReturn:
        where = place(sys._getframe(1))
        module, path, line = where["module"], where["path"], where["line"]
        channel.send({"exiting": status, "module": module, "path": path, "line": line})
        channel.exit(status)

    os._exit = _exit


class _Imports:
    """A finder that finds nothing: it says which module is imported next."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel

    def find_spec(self, name: str, path: Sequence[str] | None = None, target: Any = None) -> None:
        self.channel.send({"importing": name})


@contextmanager
def imports(channel: Channel) -> Iterator[None]:
    """Name every module imported inside the block (only those not imported yet)."""
    finder = _Imports(channel)
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        if finder in sys.meta_path:  # the app may have put a list of its own there
            sys.meta_path.remove(finder)
