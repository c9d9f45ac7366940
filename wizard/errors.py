"""Typed errors: library code raises these, only the CLI turns them into a message and exit."""

from __future__ import annotations

from pathlib import Path


class WizardError(Exception):
    """Something the user must fix; exit status 2."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.hint = hint

    def where(self) -> str:
        """`path:line: ` or the empty string."""
        if self.path is None:
            return ""
        path = Path(self.path)
        if path.is_absolute() and Path.cwd() in path.parents:
            path = path.relative_to(Path.cwd())
        return f"{path}:{self.line}: " if self.line else f"{path}: "

    def __str__(self) -> str:
        return f"{self.where()}{self.message}"


class NotForUs(WizardError):
    """The project does not use async SQLAlchemy: say so and change nothing."""


class Ambiguous(WizardError):
    """`--yes` was given but a question has no single sensible default."""


class NotInteractive(WizardError):
    """A question must be asked but there is no terminal."""


class StaleFile(WizardError):
    """A file changed between reading and writing."""


class ApplyFailed(WizardError):
    """Writing failed; everything written was put back."""

    exit_code = 1


class Interrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM), with what it left behind: the CLI prints `message`, exit 130."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
