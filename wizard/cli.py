"""The command line: parse arguments into `Options`, run the command, turn errors into a
message and an exit status. The only place that knows argparse."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from wizard.arguments import build_parser, help_text
from wizard.failure import EXIT_OK, failure
from wizard.options import Flags, Options, read_project

if TYPE_CHECKING:
    from wizard.verify.process import Probe


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
        command=args.command,
        project=project,
        dry_run=args.dry_run,
        yes=args.yes,
        force=args.force,
        follow_outside=args.follow_outside,
        python=args.python,
        config=args.config or os.environ.get("ALEMBIC_CONFIG") or None,
        verify=not args.no_verify,
        install=args.install,
        error=args.error,
        online=not (args.no_db or args.offline),
        review=args.online,
        json=args.json,
        color=use_color(sys.stderr, no_color=args.no_color),
        diff=args.diff,
        color_out=use_color(sys.stdout, no_color=args.no_color),
        interactive=interactive,
        flags=flags,
    )


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
    if args.help:  # the named command's own flags, or the commands and setup's
        sys.stdout.write(help_text(args.command))
        return EXIT_OK
    args.command = args.command or "setup"
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
