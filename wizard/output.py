"""stdout as the run's report goes to it (when it is not a terminal): a write that fails (a
full device, a closed file) is kept aside and the rest of the report dropped, so the run
still does all it does (a failed verification still rolls back); at the end the failure is
told on stderr with what the run left, never as "nothing was written"."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from typing import TextIO, cast

from wizard import ledger


class Report:
    """A stand-in for stdout that never raises on a failed write (a gone reader excepted:
    `inspect | head` ends the run quietly, as before)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.lost: OSError | None = None

    def write(self, text: str) -> int:
        self._do(lambda: self.stream.write(text))
        return len(text)

    def flush(self) -> None:
        self._do(self.stream.flush)

    def _do(self, act: Callable[[], object]) -> None:
        if self.lost is not None:
            return
        try:
            act()
        except BrokenPipeError:
            raise
        except OSError as exc:
            self.lost = exc

    def __getattr__(self, name: str) -> object:
        return getattr(self.stream, name)


@contextlib.contextmanager
def guarded() -> Iterator[Report | None]:
    """stdout guarded for the block (None: a terminal, or no stdout at all)."""
    stream = sys.stdout
    if stream is None or stream.isatty():
        yield None
        return
    report = Report(stream)
    sys.stdout = cast(TextIO, report)
    try:
        yield report
    finally:
        report.flush()  # what is still buffered: its failure is told too
        sys.stdout = stream


def lost(report: Report | None, code: int) -> int:
    """The run's exit status, once a report that could not be written is told (1 at least:
    the user did not get it)."""
    if report is None or report.lost is None:
        return code
    sys.stderr.write(
        f"error: the report could not be written to stdout ({report.lost.strerror}); "
        f"{ledger.left()}\n"
    )
    with contextlib.suppress(OSError, ValueError, AttributeError):  # not a file: nothing to drop
        os.dup2(os.open(os.devnull, os.O_WRONLY), report.stream.fileno())  # what is buffered
    return code or 1
