"""The command line: parse arguments into `Options`, run the command, turn errors into a
message and an exit status. The only place that knows argparse."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from wizard import __version__
from wizard.failure import EXIT_OK, failure
from wizard.options import COMMANDS, Flags, Options, read_project

if TYPE_CHECKING:
    from wizard.verify.process import Probe


EPILOG = """\
exit status:
  0    done, or nothing to do
  1    a finding (doctor), a failed verification, or an internal error
  2    bad usage or input to fix (files are left as they were)
  130  interrupted (files are left as they were)

examples:
  alembic-wizard                    ask, show what will change, write it, verify it
  alembic-wizard --yes --no-db      take the detected defaults; verify without the database
  alembic-wizard --dry-run          every file's diff; nothing is written
  alembic-wizard verify --json      the verification report as JSON (docs/json.md)
  alembic-wizard doctor             diagnose an existing setup, for CI (exit 1 on findings)
  alembic-wizard doctor --error -   which known problem a pasted traceback is

Run from a sub-folder, it uses the nearest folder above with pyproject.toml, setup.cfg,
setup.py, alembic.ini or .git (--project chooses). Colour on a terminal; off with
--no-color, NO_COLOR or TERM=dumb; FORCE_COLOR turns it on.
"""
COMMAND_HELP = (
    "setup (default): plan, show, apply, verify; verify: only verify; "
    "inspect: show what was found; undo: put back what the last setup changed; "
    "doctor: diagnose without changing anything (exit 1 on findings); "
    "guard: add guard rails (migration test, CI, pre-commit, formatter hook); "
    "runner: write a module that migrates at the app's start-up, once across replicas; "
    "adopt: baseline revision for the database that exists, stamped only when it matches"
)
ROOT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", "alembic.ini", ".git")


def use_color(stream: TextIO, *, no_color: bool, environ: Mapping[str, str] = os.environ) -> bool:
    """Colour for `stream`, by Python's own rule (3.13's `_colorize`): --no-color and
    NO_COLOR turn it off, FORCE_COLOR on (also when not a terminal), TERM=dumb off."""
    if no_color or environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    return environ.get("TERM") != "dumb" and stream.isatty()


def project_root(start: Path) -> Path:
    """`start`, or the nearest folder above it that looks like a project root (as git and
    Alembic users expect when they run from `app/models/`)."""
    for folder in (start, *start.parents):
        if any((folder / marker).exists() for marker in ROOT_MARKERS):
            return folder
    return start


def _answer_flags(parser: argparse.ArgumentParser) -> None:
    q = parser.add_argument_group("answers (each skips its question)")
    q.add_argument("--dialect", help="postgresql, mysql, mariadb, sqlite, mssql or oracle")
    q.add_argument("--sync-driver", help="driver Alembic uses, e.g. psycopg")
    q.add_argument("--metadata", help="e.g. app.db.base.Base.metadata")
    q.add_argument("--models", help="comma-separated model modules to import in env.py")
    q.add_argument("--settings", help="settings class, e.g. app.core.config.Settings")
    q.add_argument("--url", help="which URL the app's engine uses, as `inspect` lists it")
    q.add_argument("--env-file", help="the env file that holds the async URL")
    q.add_argument(
        "--database-url",
        help="the app's async URL, written into its env file when it is set nowhere yet "
        "(only a template has it)",
    )
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
    add("--project", metavar="PATH",
        help="the project folder (default: the nearest project root at or above here)")  # fmt: skip
    add("--python", metavar="PATH", help="the project's interpreter")
    add("-c", "--config", metavar="FILE",
        help="Alembic's config file, as `alembic -c` (default: $ALEMBIC_CONFIG, else "
        "alembic.ini); relative to the project root, where Alembic runs")  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    """Every flag; one per question."""
    parser = argparse.ArgumentParser(
        prog="alembic-wizard",
        description="Set up Alembic for an async SQLAlchemy project, correctly the first time.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", nargs="?", default="setup", choices=COMMANDS, help=COMMAND_HELP)
    add = parser.add_argument
    _where_flags(parser)
    add("--dry-run", action="store_true", help="show every file's diff, write nothing")
    add("--diff", action="store_true", help="show every file's diff, not only its status line")
    add("-y", "--yes", action="store_true", help="take the detected defaults")
    add("--force", action="store_true",
        help="overwrite your edits of env.py that cannot be kept (backed up)")  # fmt: skip
    add("--follow-outside", action="store_true",
        help="edit what symlinks lead to outside the project (the links are kept); "
             "undo: restore files outside the project")  # fmt: skip
    add("--no-verify", action="store_true", help="skip verification")
    add("--install", action="store_true", help="install what is missing, then verify")
    add("--no-db", action="store_true",
        help="verify without the database (Alembic's offline mode is --sql)")  # fmt: skip
    add("--offline", action="store_true", help=argparse.SUPPRESS)  # the old name of --no-db
    add("--online", action="store_true", help="doctor: also review what autogenerate would do")
    add("--error", metavar="TEXT",
        help="doctor: explain a pasted error message ('-': read it from stdin)")  # fmt: skip
    add("--json", action="store_true",
        help="a JSON report on stdout, messages on stderr (docs/json.md)")  # fmt: skip
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
        dialect=args.dialect,
        sync_driver=args.sync_driver,
        metadata=args.metadata,
        models=models,
        settings=args.settings,
        url=args.url,
        env_file=args.env_file,
        database_url=args.database_url,
        migrations=args.migrations,
        mode=args.mode,
        add_deps=args.add_deps,
        rails=_listed(args.rails),
        naming=args.naming_convention,
    )
    project = Path(args.project) if args.project else project_root(Path.cwd())
    return Options(
        command=args.command, project=project, dry_run=args.dry_run, yes=args.yes,
        force=args.force, follow_outside=args.follow_outside, python=args.python,
        config=args.config or os.environ.get("ALEMBIC_CONFIG") or None,
        verify=not args.no_verify, install=args.install, error=args.error,
        online=not (args.no_db or args.offline), review=args.online, json=args.json,
        color=use_color(sys.stderr, no_color=args.no_color), diff=args.diff,
        color_out=use_color(sys.stdout, no_color=args.no_color),
        interactive=interactive, flags=flags,
    )  # fmt: skip


def _say_root(options: Options, args: argparse.Namespace) -> None:
    """Which folder the run uses, when it is not the one the user is in."""
    if args.offline:
        sys.stderr.write("note: --offline is now --no-db (Alembic's offline mode is --sql)\n")
    if args.project is None and options.project != Path.cwd():
        where = os.path.relpath(options.project)
        marker = next(m for m in ROOT_MARKERS if (options.project / m).exists())
        sys.stderr.write(f"note: project root {where} (it has {marker}); --project chooses\n")


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
        from wizard.inspection.summary import as_dict, describe

        project = read_project(options)
        if options.json:
            from wizard.jsonout import dumps

            print(dumps("inspect", EXIT_OK, as_dict(project)))
        else:
            print(describe(project, as_json=False))
        return EXIT_OK
    probe = _early_probe(options)
    try:
        from wizard.commands import run

        return run(options, probe)
    finally:
        if probe is not None:
            probe.close()


def _fail(args: argparse.Namespace, exc: BaseException) -> int:
    code, message, hint = failure(exc)
    if isinstance(exc, KeyboardInterrupt):
        sys.stderr.write(f"\n{message}\n")
    else:
        sys.stderr.write(f"error: {message}\n")
    if hint:
        sys.stderr.write(f"hint: {hint}\n")
    if args.json:
        from wizard.jsonout import error_object

        print(error_object(args.command, code, exc, message, hint))
    return code


def main(argv: Sequence[str] | None = None, *, interactive: bool | None = None) -> int:
    """Run the wizard; returns the exit status (a report stdout refused is told at the end)."""
    from wizard import ledger, output

    args = build_parser().parse_args(argv)
    if interactive is None:
        # a closed stdin (`<&-`) is None: not a terminal
        interactive = bool(sys.stdin and sys.stdin.isatty() and sys.stdout and sys.stdout.isatty())
    ledger.begin()
    with output.guarded() as report:
        code = _main(args, interactive=interactive)
    return output.lost(report, code)


def _main(args: argparse.Namespace, *, interactive: bool) -> int:
    try:
        options = options_from(args, interactive=interactive)
        _say_root(options, args)
        return _run(options)
    except BrokenPipeError:  # `alembic-wizard inspect | head`: the reader has gone
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except (KeyboardInterrupt, EOFError) as exc:
        return _fail(args, exc)
    except Exception as exc:
        if args.traceback:
            raise
        return _fail(args, exc)


def run() -> None:
    """Console-script entry point."""
    raise SystemExit(main())
