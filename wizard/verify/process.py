"""The verification process, wizard side: `in_project.py` started in the project's
interpreter before anything else, so that its imports (Alembic, SQLAlchemy,
pydantic-settings: about a second) overlap the wizard's own work. Standard library only:
importing this must cost nothing."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

PROBE = Path(__file__).with_name("in_project.py")


class Probe:
    """An `in_project.py` process in the project's interpreter, waiting for its request."""

    def __init__(self, python: str, cwd: Path) -> None:
        self.python = python
        self.process = subprocess.Popen(
            [python, str(PROBE), "pydantic_settings"],
            cwd=cwd,
            text=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

    def ask(self, request: dict[str, Any]) -> tuple[str, str]:
        """Send the request; the probe's stdout and stderr."""
        return self.process.communicate(json.dumps(request), timeout=600)

    def close(self) -> None:
        """Stop the probe if it was never asked."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
