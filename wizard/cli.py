"""The command line: parse arguments into `Options`, run the command, turn errors into a
message and an exit status. The only place that knows argparse."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from wizard import __version__
from wizard.errors import Interrupted, WizardError
from wizard.options import COMMANDS, Flags, Options

if TYPE_CHECKING:
    from wizard.verify.process import Probe

EXIT_OK, EXIT_FINDING, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def _answer_flags(parser: argparse.ArgumentParser) -> None:
    q = parser.add_argument_group("answers (each skips its question)")
    q.add_argument("--dialect", help="postgresql, mysql, mariadb, sqlite, mssql or oracle")
    q.add_argument("--sync-driver", help="driver Alembic uses, e.g. psycopg")
    q.add_argument("--metadata", help="e.g. app.db.base.Base.metadata")
    q.add_argument("--models", help="comma-separated model modules to import in env.py")
    q.add_argument("--settings", help="settings class, e.g. app.core.config.Settings")
    q.add_argument("--url", help="which URL the app's engine uses, as `inspect` lists it")
    q.add_argument("--env-file", help="the env file that holds the async URL")
    q.add_argument("--mode", help="sync (a sync driver for Alembic) or async (run_sync)")
    q.add_argument(
        "--add-deps",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="declare alembic and the driver in pyproject.toml (default: yes)",
    )
    q.add_argument("--migrations", help="migrations folder, relative to the project")
    q.add_argument("--rails", help="guard: test,ci,pre-commit,format (the default), naming")
    q.add_argument(
        "--naming-convention",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="guard: add a constraint naming convention matching the database (default: no)",
    )


def _where_flags(parser: argparse.ArgumentParser) -> None:
    """Where the project, its interpreter and Alembic's config file are."""
    add = parser.add_argument
    add("--project", default=".", metavar="PATH", help="the project folder")
    add("--python", metavar="PATH", help="the project's interpreter")
    add("-c", "--config", metavar="FILE",
        help="Alembic's config file, as `alembic -c` (default: $ALEMBIC_CONFIG, else "
        "alembic.ini); relative to the project root, where Alembic runs")  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    """Every flag; one per question."""
    parser = argparse.ArgumentParser(
        prog="alembic-wizard",
        description="Set up Alembic for an async SQLAlchemy project, correctly the first time.",
    )
    parser.add_argument(
        "command", nargs="?", default="setup", choices=COMMANDS,
        help="setup (default): plan, show, apply, verify; verify: only verify; "
        "inspect: show what was found; undo: put back what the last setup changed; "
        "doctor: diagnose without changing anything (exit 1 on findings); "
        "guard: add guard rails (migration test, CI, pre-commit, formatter hook); "
        "runner: write a module that migrates at the app's start-up, once across replicas; "
        "adopt: baseline revision for the database that exists, stamped only when it matches",
    )  # fmt: skip
    add = parser.add_argument
    _where_flags(parser)
    add("--dry-run", action="store_true", help="show the plan, write nothing")
    add("-y", "--yes", action="store_true", help="take the detected defaults")
    add("--force", action="store_true",
        help="overwrite your edits of env.py that cannot be kept (backed up)")  # fmt: skip
    add("--follow-outside", action="store_true",
        help="edit what symlinks lead to outside the project (the links are kept)")  # fmt: skip
    add("--no-verify", action="store_true", help="skip verification")
    add("--offline", action="store_true", help="verify without the database")
    add(
        "--online",
        action="store_true",
        help="doctor: also review, read-only, what autogenerate would do to the database",
    )
    add("--error", metavar="TEXT",
        help="doctor: explain a pasted error message ('-': read it from stdin)")  # fmt: skip
    add("--json", action="store_true", help="machine-readable output (inspect, doctor)")
    add("--no-color", action="store_true", help="plain output (also NO_COLOR)")
    add("--traceback", action="store_true", help="show tracebacks on errors")
    add("--version", action="version", version=f"alembic-wizard {__version__}")
    _answer_flags(parser)
    return parser


def _listed(text: str | None) -> tuple[str, ...] | None:
    return tuple(m.strip() for m in text.split(",") if m.strip()) if text else None


def options_from(args: argparse.Namespace, *, interactive: bool) -> Options:
    """The parsed arguments as the typed value the commands take."""
    models = _listed(args.models)
    flags = Flags(
        dialect=args.dialect, sync_driver=args.sync_driver, metadata=args.metadata,
        models=models, settings=args.settings, url=args.url, env_file=args.env_file,
        migrations=args.migrations, mode=args.mode, add_deps=args.add_deps,
        rails=_listed(args.rails), naming=args.naming_convention,
    )  # fmt: skip
    color = not (args.no_color or os.environ.get("NO_COLOR")) and sys.stderr.isatty()
    return Options(
        command=args.command, project=Path(args.project), dry_run=args.dry_run, yes=args.yes,
        force=args.force, follow_outside=args.follow_outside, python=args.python,
        config=args.config or os.environ.get("ALEMBIC_CONFIG") or None,
        verify=not args.no_verify, online=not args.offline, error=args.error, review=args.online,
        json=args.json, color=color,
        interactive=interactive, flags=flags,
    )  # fmt: skip


def _early_probe(options: Options) -> Probe | None:
    """Start verification's process first: its imports then overlap everything else."""
    top = options.project.resolve()
    if not options.probes or not top.is_dir():
        return None
    from wizard.inspection.interpreter import find_python
    from wizard.verify.process import Probe

    return Probe(find_python(top, top, options.python), top)


def _run(options: Options) -> int:
    if options.command == "inspect":  # the light path: no planning code imported
        from wizard.inspection import inspect
        from wizard.inspection.summary import describe

        project = inspect(options.project, python=options.python, config=options.config)
        print(describe(project, as_json=options.json))
        return EXIT_OK
    probe = _early_probe(options)
    try:
        from wizard.commands import run

        return run(options, probe)
    finally:
        if probe is not None:
            probe.close()


def main(argv: Sequence[str] | None = None, *, interactive: bool | None = None) -> int:
    """Run the wizard; returns the exit status."""
    args = build_parser().parse_args(argv)
    if interactive is None:
        interactive = sys.stdin.isatty() and sys.stdout.isatty()
    try:
        return _run(options_from(args, interactive=interactive))
    except KeyboardInterrupt as exc:  # Interrupted says what an apply left; else nothing
        told = exc.message if isinstance(exc, Interrupted) else "interrupted; nothing was written"
        sys.stderr.write(f"\n{told}\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `alembic-wizard inspect | head`: the reader has gone
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
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
