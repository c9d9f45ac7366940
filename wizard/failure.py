"""What stopped a run, as the CLI tells it: the exit status, one line and a hint. What the
run left is said as the apply said it, else as this run's ledger says (never "nothing was
written" after an apply that completed)."""

from __future__ import annotations

from wizard.errors import Interrupted, WizardError
from wizard.ledger import left

EXIT_OK, EXIT_FINDING, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def failure(exc: BaseException) -> tuple[int, str, str | None]:
    """The exit status, the one-line message and the hint for what stopped the run (what
    it left: as an apply said, else as this run's ledger says)."""
    if isinstance(exc, KeyboardInterrupt):
        told = exc.message if isinstance(exc, Interrupted) else f"interrupted; {left()}"
        return EXIT_INTERRUPTED, told, None
    if isinstance(exc, EOFError):
        return (
            EXIT_USAGE,
            "the input ended before every question was answered",
            ("pass --yes, or answer with flags"),
        )
    if isinstance(exc, WizardError):  # a message may quote a file's line: masked
        from wizard.secrets import mask

        return exc.exit_code, mask(str(exc)), mask(exc.hint) if exc.hint else None
    # a bug of ours: one line, never a value that may be a secret (a module name is not one)
    what = type(exc).__name__
    if isinstance(exc, ImportError) and exc.name:
        what += f": no module named {exc.name!r}"
        return (
            EXIT_FINDING,
            f"internal error ({what}); {left()}",
            (
                f"the wizard's environment lacks {exc.name.split('.')[0]}: reinstall alembic-wizard"
                " (pipx reinstall alembic-wizard), or rerun with --traceback and report it"
            ),
        )
    return (
        EXIT_FINDING,
        f"internal error ({what}); {left()}",
        "rerun with --traceback and report it",
    )
