"""One replica of an app starting (run as a process by test_runner_replicas.py): it imports
the app and its generated runner, installs a logging handler of its own, says it is ready,
waits at the barrier (a file), calls the runner, and prints what it saw as JSON.

    python runner_replica.py BARRIER READY RUNNER_MODULE [lock|nolock|startup] [APP_MODULE...]

`nolock` calls `alembic upgrade head` without the runner (the race the lock prevents);
`startup` awaits `migrate_on_startup()` in an event loop while a ticker runs on that loop.
"""

from __future__ import annotations

import asyncio
import importlib
import io
import json
import logging
import sys
import time
from pathlib import Path

from alembic import command

seen: list[str] = []


class Keep(logging.Handler):
    """The app's own handler: every record it receives is kept."""

    def emit(self, record: logging.LogRecord) -> None:
        seen.append(f"{record.name}: {record.getMessage()}")


async def _startup(runner: object) -> int:
    """The lifespan's call, with a ticker on the same loop: ticks prove the loop ran."""
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(tick())
    await runner.migrate_on_startup()  # type: ignore[attr-defined]
    ticker.cancel()
    return ticks


def main() -> None:
    handler = Keep()
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.INFO)
    barrier, ready, name, how, *preload = sys.argv[1:]
    for module in preload:  # the app's modules, imported as the app imports them at start-up
        importlib.import_module(module)
    runner = importlib.import_module(name)
    Path(ready).touch()
    while not Path(barrier).exists():
        time.sleep(0.001)
    started, ticks = time.time(), None
    if how == "nolock":
        command.upgrade(runner.alembic_config(), "head")
    elif how == "startup":
        ticks = asyncio.run(_startup(runner))
    else:
        runner.migrate()
    logging.getLogger("app").info("the app logs after migrating")
    config = runner.alembic_config()
    config.stdout = io.StringIO()
    command.current(config)
    print(json.dumps({
        "started": started,
        "current": config.stdout.getvalue().strip(),
        "messages": seen,
        "handler_kept": logging.getLogger().handlers == [handler],
        "ticks": ticks,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
