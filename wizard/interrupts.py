"""Ctrl-C and SIGTERM held back around each step that must not be cut in two (a replace and
its journal line), then raised between steps; and the test-only hook that kills the process
at the k-th write of an apply (`ALEMBIC_WIZARD_TEST_KILL_AT=k`, or `KIND:n` for the n-th
step of a kind: backup, manifest, temp, replace, journal, applied, adopt's stamp (under
way) and stamped (committed, not journaled yet), and an undo's restore (each file put back)
and undone (its record renamed); the signal from
`ALEMBIC_WIZARD_TEST_KILL_SIGNAL`, KILL by default), so tests can show a real death, or a
real interrupt, at every step."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from types import FrameType

_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_counts: dict[str, int] = {}  # steps counted so far in this process, in all and per kind


@contextlib.contextmanager
def deferred(*, raise_after: bool = True) -> Iterator[list[int]]:
    """Record SIGINT/SIGTERM instead of acting on them inside the block; afterwards raise
    KeyboardInterrupt when one came (unless `raise_after` is False: a rollback already
    under way finishes, and the caller is already on its way out)."""
    if threading.current_thread() is not threading.main_thread():
        yield []  # signals only ever reach the main thread
        return
    caught: list[int] = []

    def note(signum: int, frame: FrameType | None) -> None:
        caught.append(signum)

    # a signal the run was started ignoring (nohup, a background job) stays ignored
    wanted = [s for s in _SIGNALS if signal.getsignal(s) is not signal.SIG_IGN]
    old = {s: signal.signal(s, note) for s in wanted}
    try:
        yield caught
    finally:
        for number, handler in old.items():
            signal.signal(number, handler)
    if caught and raise_after:
        raise KeyboardInterrupt


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM raises KeyboardInterrupt inside the block, so an apply rolls back on it too."""
    if threading.current_thread() is not threading.main_thread() or (
        signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
    ):
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def step(kind: str) -> None:
    """One write or replace of an apply (or adopt's stamp) is about to happen: the test
    hook's kill point."""
    wanted = os.environ.get("ALEMBIC_WIZARD_TEST_KILL_AT")
    if not wanted:
        return
    for key in ("", kind):
        _counts[key] = _counts.get(key, 0) + 1
    first = _counts[kind] == 1
    if wanted in (str(_counts[""]), f"{kind}:{_counts[kind]}") or (wanted == kind and first):
        name = os.environ.get("ALEMBIC_WIZARD_TEST_KILL_SIGNAL", "KILL")
        os.kill(os.getpid(), getattr(signal, f"SIG{name}"))
