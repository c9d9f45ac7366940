"""The command line: parse arguments, run the stages, turn errors into messages and exits."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from wizard import __version__
from wizard.errors import WizardError

if TYPE_CHECKING:
    from wizard.probeproc import Probe

EXIT_OK, EXIT_FINDING, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def build_parser() -> argparse.ArgumentParser:
    """Every flag; one per question."""
    parser = argparse.ArgumentParser(
        prog="alembic-wizard",
        description="Set up Alembic for an async SQLAlchemy project, correctly the first time.",
    )
    parser.add_argument(
        "command",
        nargs="?",
        default="setup",
        choices=["setup", "verify", "inspect", "undo", "doctor"],
        help="setup (default): plan, show, apply, verify; verify: only verify; "
        "inspect: show what was found; undo: put back what the last setup changed; "
        "doctor: diagnose without changing anything (exit 1 on findings)",
    )
    parser.add_argument("--project", default=".", metavar="PATH", help="the project folder")
    parser.add_argument("--dry-run", action="store_true", help="show the plan, write nothing")
    parser.add_argument("-y", "--yes", action="store_true", help="take the detected defaults")
    parser.add_argument(
        "--force",
        action="store_true",
        help="overwrite your edits of env.py that cannot be kept (backed up)",
    )
    parser.add_argument("--python", metavar="PATH", help="the project's interpreter")
    parser.add_argument("--no-verify", action="store_true", help="skip verification")
    parser.add_argument("--offline", action="store_true", help="verify without the database")
    parser.add_argument(
        "--error",
        metavar="TEXT",
        help="doctor: explain a pasted error message ('-': read it from stdin)",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output (inspect)")
    parser.add_argument("--no-color", action="store_true", help="plain output (also NO_COLOR)")
    parser.add_argument("--traceback", action="store_true", help="show tracebacks on errors")
    parser.add_argument("--version", action="version", version=f"alembic-wizard {__version__}")
    q = parser.add_argument_group("answers (each skips its question)")
    q.add_argument("--dialect", help="postgresql or sqlite")
    q.add_argument("--sync-driver", help="driver Alembic uses, e.g. psycopg")
    q.add_argument("--metadata", help="e.g. app.db.base.Base.metadata")
    q.add_argument("--models", help="comma-separated model modules to import in env.py")
    q.add_argument("--settings", help="settings class, e.g. app.core.config.Settings")
    q.add_argument("--env-file", help="the env file that holds the async URL")
    q.add_argument("--mode", help="sync (a sync driver for Alembic) or async (run_sync)")
    q.add_argument(
        "--add-deps",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="declare alembic and the driver in pyproject.toml (default: yes)",
    )
    q.add_argument("--migrations", help="migrations folder, relative to the project")
    return parser


def _early_probe(args: argparse.Namespace) -> Probe | None:
    """Start verification's process first: its imports then overlap everything else."""
    if args.command not in ("setup", "verify") or (
        args.command == "setup" and (args.dry_run or args.no_verify)
    ):
        return None
    top = Path(args.project).resolve()
    if not top.is_dir():
        return None
    from wizard.probeproc import Probe
    from wizard.project import find_python

    return Probe(find_python(top, top, args.python), top)


def main(argv: Sequence[str] | None = None, *, interactive: bool | None = None) -> int:
    """Run the wizard; returns the exit status."""
    args = build_parser().parse_args(argv)
    color = not (args.no_color or os.environ.get("NO_COLOR")) and sys.stderr.isatty()
    if interactive is None:
        interactive = sys.stdin.isatty() and sys.stdout.isatty()
    try:
        if args.command == "inspect":  # the light path: no planning libraries imported
            from wizard.describe import describe
            from wizard.project import inspect

            print(describe(inspect(Path(args.project), python=args.python), as_json=args.json))
            return EXIT_OK
        probe = _early_probe(args)
        try:
            from wizard.run import run_wizard

            return run_wizard(args, interactive=interactive, color=color, probe=probe)
        finally:
            if probe is not None:
                probe.close()
    except KeyboardInterrupt:
        sys.stderr.write("\ninterrupted; nothing was written\n")
        return EXIT_INTERRUPTED
    except EOFError:
        sys.stderr.write("error: the input ended before every question was answered\n")
        sys.stderr.write("hint: pass --yes, or answer with flags\n")
        return EXIT_USAGE
    except WizardError as exc:
        if args.traceback:
            raise
        sys.stderr.write(f"error: {exc}\n")
        if exc.hint:
            sys.stderr.write(f"hint: {exc.hint}\n")
        return exc.exit_code
    except Exception as exc:  # a bug of ours: one line, never a value that may be a secret
        if args.traceback:
            raise
        sys.stderr.write(f"error: internal error ({type(exc).__name__}); nothing was written\n")
        sys.stderr.write("hint: rerun with --traceback and report it\n")
        return EXIT_FINDING


def run() -> None:
    """Console-script entry point."""
    raise SystemExit(main())
