"""Start the probe in the project's interpreter and read its answer from a pipe of its own.
Standard library only."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from wizard.in_project.protocol import command
from wizard.probe import protocol

PACKAGE = Path(__file__).resolve().parent  # run there as `probe`: the project lacks the wizard
TIMEOUT = 30.0  # seconds: an app's imports take a few; a hang is named after this
_FRAME = re.compile(r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+)', re.MULTILINE)


@dataclass(frozen=True)
class Answer:
    """The probe's result, or what stopped it (one line, with the module and place)."""

    result: protocol.Result | None
    failure: protocol.Failure | None


def ask(python: str, request: protocol.Request, timeout: float | None = None) -> Answer:
    """Run the probe; never raises for what the app does (that is the answer's failure)."""
    timeout = timeout or float(os.environ.get("ALEMBIC_WIZARD_PROBE_TIMEOUT") or TIMEOUT)
    read, write = os.pipe()
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONIOENCODING": "utf-8",
           "ALEMBIC_WIZARD_PROBE_TIMEOUT": str(timeout)}  # fmt: skip
    try:
        process = subprocess.Popen(
            [*command(python, "in_project", PACKAGE, ["-B"]), protocol.CHANNEL_ARG, str(write)],
            cwd=request["root"], env=env, pass_fds=(write,), stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
        )  # fmt: skip
    except OSError as exc:
        os.close(read)
        os.close(write)
        return Answer(None, _failure("", f"cannot start {python}: {exc}"))
    os.close(write)
    lines: list[str] = []
    reader = threading.Thread(target=_read_lines, args=(read, lines), daemon=True)
    reader.start()
    try:
        _, stderr = process.communicate(protocol.encode(request).encode(), timeout=timeout + 5)
        timed_out = False
    except subprocess.TimeoutExpired:
        _kill(process)
        _, stderr = process.communicate()
        timed_out = True
    reader.join(5)
    return _answer(lines, stderr.decode("utf-8", "replace"), process.returncode, timed_out, timeout)


def _read_lines(fd: int, into: list[str]) -> None:
    with os.fdopen(fd, "rb") as stream:
        into.extend(line.decode("utf-8", "replace") for line in stream)


def _kill(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        process.kill()


def _answer(lines: list[str], stderr: str, status: int, timed_out: bool, timeout: float) -> Answer:
    importing = ""
    for line in lines:
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if "importing" in message:
            importing = str(message["importing"])
        elif "engines" in message:
            return Answer(message, None)
    hung = timed_out or "Timeout (" in stderr
    place = _last_frame(stderr)
    if hung:
        what = f"did not finish importing within {timeout:g} s"
    else:
        last = stderr.strip().splitlines()[-1] if stderr.strip() else ""
        what = f"exited with status {status}" + (f": {last}" if last else "")
    return Answer(None, _failure(importing, what, *place))


def _last_frame(stderr: str) -> tuple[str | None, int | None]:
    """The innermost frame of the app's (faulthandler's dump lists it first; a traceback last)."""
    frames = [(m["file"], int(m["line"])) for m in _FRAME.finditer(stderr)]
    frames = [f for f in frames if "site-packages" not in f[0] and "/lib/python" not in f[0]]
    if not frames:
        return None, None
    return frames[0] if "most recent call first" in stderr else frames[-1]


def _failure(module: str, what: str, path: str | None = None,
             line: int | None = None) -> protocol.Failure:  # fmt: skip
    return {"module": module, "what": what, "path": path, "line": line}
