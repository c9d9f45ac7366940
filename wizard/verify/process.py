"""The processes in the project's interpreter, wizard side: verification's `in_project.verify`
(started before anything else, so that its imports, Alembic, SQLAlchemy, pydantic-settings:
about a second, overlap the wizard's own work) and adopt's. Each answers on a pipe of its own
(`in_project.channel`), never on stdout, which is the app's: it may print at import or at
exit, even a fake answer. A process that does not answer in time is stopped with everything it
started, and one that hangs or exits says in which module. Standard library only: importing
this must cost nothing."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from wizard.in_project.protocol import CHANNEL_ARG, AdoptRequest, Message, VerifyRequest, command

TIMEOUT = 120.0  # seconds from the request: an app's imports take a few, a hang is named after it
GRACE = 5.0  # the process's own watchdog names the place first; then it is killed
LOADING = "loading env.py"  # the step in which the app's modules are imported
_FRAME = re.compile(r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+)', re.MULTILINE)
_OURS = str(Path(__file__).resolve().parent.parent)  # the wizard's scripts: not the app's frames


@dataclass(frozen=True)
class Stopped:
    """Why a process gave no answer: how it ended, at which step, in which module and where."""

    timed_out: bool  # stopped after `seconds`; else it ended by itself with `status`
    seconds: float
    status: int  # negative: the signal that killed it
    step: str
    module: str = ""  # the module being imported ("": not known, or env.py itself)
    path: str | None = None
    line: int | None = None
    said: str = ""  # the last line on stderr, when nothing more precise is known


@dataclass(frozen=True)
class Reply:
    """The process's answer, or why there is none."""

    answer: dict[str, Any] | None
    stopped: Stopped | None = None


def timeout(default: float = TIMEOUT) -> float:
    """`$ALEMBIC_WIZARD_VERIFY_TIMEOUT` (tests set a short one), else `default`."""
    try:
        return float(os.environ.get("ALEMBIC_WIZARD_VERIFY_TIMEOUT") or default)
    except ValueError:
        return default


class Probe:
    """A process in the project's interpreter, waiting for its request on stdin."""

    def __init__(
        self, python: str, cwd: Path, module: str = "verify",
        warm: Sequence[str] = ("pydantic_settings",),
    ) -> None:  # fmt: skip
        self.python = python
        read, write = os.pipe()
        try:
            self.process = subprocess.Popen(
                [*command(python, module), CHANNEL_ARG, str(write), *warm], cwd=cwd,
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                pass_fds=(write,), start_new_session=True,  # its group is stopped as one
            )  # fmt: skip
        except BaseException:
            os.close(read)
            raise
        finally:
            os.close(write)
        self._messages: queue.Queue[Message | None] = queue.Queue()
        self._stderr = bytearray()
        self._readers = [_thread(self._read_channel, read), _thread(self._read_stderr)]

    def _read_channel(self, fd: int) -> None:
        """Lines from this process only (a copy the app forks has another pid)."""
        with os.fdopen(fd, "rb") as stream:
            for raw in stream:
                with contextlib.suppress(ValueError):
                    message = json.loads(raw)
                    if isinstance(message, dict) and message.get("pid") == self.process.pid:
                        self._messages.put(cast(Message, message))
        self._messages.put(None)

    def _read_stderr(self) -> None:
        stream = self.process.stderr
        assert stream is not None
        with contextlib.suppress(OSError, ValueError):
            for chunk in iter(lambda: os.read(stream.fileno(), 65536), b""):
                self._stderr += chunk
                del self._stderr[:-65536]  # the end is what says why

    def ask(self, request: VerifyRequest | AdoptRequest, seconds: float | None = None) -> Reply:
        """Send the request; the answer, or why none came within `seconds`."""
        seconds = seconds or timeout()
        data = json.dumps({**request, "timeout": seconds}).encode()
        _thread(_write, self.process.stdin, data)
        deadline = time.monotonic() + seconds + GRACE
        said: list[Message] = []
        answer, timed_out = self._wait(deadline, said)
        if answer is not None:
            self._end(min(deadline, time.monotonic() + GRACE))
            return Reply(answer)
        timed_out = self._end(deadline) or timed_out
        stderr = self._stderr.decode("utf-8", "replace")
        return Reply(None, _stopped(said, self.process.returncode, timed_out, seconds, stderr))

    def _wait(self, deadline: float, said: list[Message]) -> tuple[dict[str, Any] | None, bool]:
        """The answer (None: the channel closed first), and whether the deadline passed."""
        while True:
            try:
                message = self._messages.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                return None, True
            if message is None:
                return None, False
            if "answer" in message:
                return message["answer"], False
            said.append(message)

    def _end(self, deadline: float) -> bool:
        """Wait for the process until `deadline`, then stop its group (whatever the app
        started goes too); whether it had to be killed."""
        if self.process.returncode is not None:
            return False
        killed = not _exited(self.process, deadline)
        with contextlib.suppress(OSError):  # not reaped yet: its group id is still its own
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        for reader in self._readers:
            reader.join(1)  # a child that left the group may hold stderr
        return killed

    def close(self) -> None:
        """Stop the process if it was never asked (or is still there)."""
        self._end(time.monotonic())
        streams = [self.process.stdin]
        if not self._readers[1].is_alive():  # else a child that left the group holds it
            streams.append(self.process.stderr)
        for stream in streams:
            if stream is not None:
                with contextlib.suppress(OSError, ValueError):
                    stream.close()


def _exited(process: subprocess.Popen[bytes], deadline: float) -> bool:
    """Whether `process` ended by `deadline`, left unreaped where the system allows (so its
    id cannot be another's when its group is stopped)."""
    if not hasattr(os, "waitid"):  # macOS
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        return process.returncode is not None
    while True:
        try:
            if os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT):
                return True
        except ChildProcessError:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.01)


def _thread(target: Callable[..., None], *args: Any) -> threading.Thread:
    thread = threading.Thread(target=target, args=args, daemon=True)
    thread.start()
    return thread


def _write(stream: IO[bytes] | None, data: bytes) -> None:
    if stream is None:
        return
    with contextlib.suppress(OSError, ValueError):  # it exited first: said by how it ended
        stream.write(data)
        stream.close()


def _stopped(
    said: list[Message], status: int, timed_out: bool, seconds: float, stderr: str
) -> Stopped:
    """Why no answer came, from the process's last words and, failing those, its stderr."""
    steps = [m["step"] for m in said if "step" in m]
    step = str(steps[-1]) if steps else "starting"
    last = next((m for m in reversed(said) if "hung" in m or "exiting" in m), None)
    hung = timed_out or (last is not None and "hung" in last) or "Timeout (" in stderr
    if last is not None:
        where = last.get("hung") or last
        return Stopped(hung, seconds, status, step, str(where.get("module") or ""),
                       where.get("path"), where.get("line"))  # fmt: skip
    path, line = _last_frame(stderr)
    return Stopped(hung, seconds, status, step, _importing(said), path, line, _last_words(stderr))


def _last_words(stderr: str) -> str:
    """What the process said last: Python's fatal error (a crash), else its last line."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    fatal = [line for line in lines if line.startswith("Fatal Python error")]
    return (fatal or lines or [""])[-1]


def _importing(said: list[Message]) -> str:
    """The module imported last, when env.py was loading and no more precise place is known."""
    for message in reversed(said):
        if "step" in message:
            return ""
        if "importing" in message:
            return str(message["importing"])
    return ""


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _last_frame(stderr: str) -> tuple[str | None, int | None]:
    """The innermost frame of the app's (faulthandler's dump lists it first; a traceback last)."""
    frames = [(m["file"], int(m["line"])) for m in _FRAME.finditer(stderr)]
    frames = [f for f in frames if not _library(f[0])]
    if not frames:
        return None, None
    return frames[0] if "most recent call first" in stderr else frames[-1]


def _library(path: str) -> bool:
    return "site-packages" in path or "/lib/python" in path or path.startswith(_OURS)


def describe(stopped: Stopped, rel: Callable[[str], str]) -> str:
    """One line: how the process ended, where (`rel` shows a path as the user knows it)."""
    where = f" ({rel(stopped.path)}:{stopped.line})" if stopped.path and stopped.line else ""
    module = stopped.module if stopped.step == LOADING else ""
    if stopped.timed_out:
        doing = f"importing {module}" if module else stopped.step
        return f"did not finish within {stopped.seconds:g} s: still {doing}{where}"
    at = " at import" if module else f" while {stopped.step}"
    if stopped.status < 0:
        how = f"was killed by {_signal_name(-stopped.status)}{at}"
    else:
        how = f"exited{at} (status {stopped.status})"
    said = f": {stopped.said}" if stopped.said and stopped.status else ""
    return f"{module} {how}{where}{said}".lstrip()


def stopped_fix(stopped: Stopped) -> str:
    """What to look at: the module (or the step) it hung or exited in."""
    module = stopped.module if stopped.step == LOADING else ""
    if stopped.timed_out:
        what = f"what {module} waits for at import" if module else f"why {stopped.step} hangs"
        return (f"find {what} (a server, a lock, input); ALEMBIC_WIZARD_VERIFY_TIMEOUT="
                "<seconds> gives it longer")  # fmt: skip
    if module:
        return (f"{module} must not exit when imported: move that code into a function, "
                'or under `if __name__ == "__main__":`')  # fmt: skip
    return "`alembic upgrade head --sql` runs the same steps and shows what stops them"
