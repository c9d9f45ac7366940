"""The command line's flags, each written once with the commands that take it: the parser
that reads them all, and each command's own `--help`, which lists only its flags."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from wizard import __version__
from wizard.options import COMMANDS, DIALECTS, Command

EXIT_STATUS = """\
exit status:
  0    done, or nothing to do
  1    a finding (doctor), a failed verification, or an internal error
  2    bad usage or input to fix (files are left as they were)
  130  interrupted (files are left as they were)
"""
EXAMPLES = """
examples:
  alembic-wizard                    ask, show what will change, write it, verify it
  alembic-wizard --yes --no-db      take the detected defaults; verify without the database
  alembic-wizard --dry-run          every file's diff; nothing is written
  alembic-wizard verify --json      the verification report as JSON (docs/json.md)
  alembic-wizard doctor             diagnose an existing setup, for CI (exit 1 on findings)
  alembic-wizard doctor --error -   which known problem a pasted traceback is
  alembic-wizard adopt --help       one command's own options

Run from a sub-folder, it uses the nearest folder above with pyproject.toml, setup.cfg,
setup.py, alembic.ini or .git (--project chooses). Colour on a terminal; off with
--no-color, NO_COLOR or TERM=dumb; FORCE_COLOR turns it on.
"""
SAID: dict[Command, str] = {
    "setup": "plan, show, apply, verify (the default command)",
    "verify": "only verify the setup there is",
    "inspect": "show what was found",
    "undo": "put back what the last apply changed (setup, guard, runner, adopt)",
    "doctor": "diagnose without changing anything (exit 1 on findings)",
    "guard": "add guard rails (migration test, CI, pre-commit, formatter hook)",
    "runner": "write a module that migrates at the app's start-up, once across replicas",
    "adopt": "baseline revision for the database that exists, stamped only when it matches",
}
DESCRIPTION = "Set up Alembic for an async SQLAlchemy project, correctly the first time."

Flag = tuple[tuple[str, ...], Sequence[Command], dict[str, Any]]
_WRITE: tuple[Command, ...] = ("setup", "guard", "runner", "adopt")
_ASK: tuple[Command, ...] = ("setup", "verify", "guard")  # the ones that ask the questions
_ONLINE: tuple[Command, ...] = ("setup", "verify")
_ON = argparse.BooleanOptionalAction

OPTIONS: tuple[Flag, ...] = (
    (
        ("--project",),
        COMMANDS,
        {
            "metavar": "PATH",
            "help": "the project folder (default: the nearest project root at or above here)",
        },
    ),
    (
        ("--python",),
        [c for c in COMMANDS if c != "undo"],
        {"metavar": "PATH", "help": "the project's interpreter"},
    ),
    (
        ("-c", "--config"),
        [c for c in COMMANDS if c != "undo"],
        {
            "metavar": "FILE",
            "help": "Alembic's config file, as `alembic -c` (default: $ALEMBIC_CONFIG, else "
            "alembic.ini); relative to the project root, where Alembic runs",
        },
    ),
    (
        ("--dry-run",),
        _WRITE,
        {"action": "store_true", "help": "show every file's diff, write nothing"},
    ),
    (
        ("--diff",),
        _WRITE,
        {"action": "store_true", "help": "show every file's diff, not only its status line"},
    ),
    (
        ("-y", "--yes"),
        (*_ASK, "runner", "adopt", "undo"),
        {
            "action": "store_true",
            "help": {
                "": "take the detected defaults, and write without the question",
                "undo": "put the files back without the question",
            },
        },
    ),
    (
        ("--force",),
        ("setup", "guard", "runner"),
        {"action": "store_true", "help": "overwrite your edits that cannot be kept (backed up)"},
    ),
    (
        ("--follow-outside",),
        (*_WRITE, "undo"),
        {
            "action": "store_true",
            "help": {
                "": "edit what symlinks lead to outside the project (the links are kept)",
                "undo": "restore files outside the project",
            },
        },
    ),
    (("--no-verify",), ("setup",), {"action": "store_true", "help": "skip verification"}),
    (
        ("--install",),
        _ONLINE,
        {"action": "store_true", "help": "install what is missing, then verify"},
    ),
    (
        ("--no-db",),
        _ONLINE,
        {
            "action": "store_true",
            "help": "verify without the database (Alembic's offline mode is --sql)",
        },
    ),
    (("--offline",), _ONLINE, {"action": "store_true", "help": argparse.SUPPRESS}),  # old --no-db
    (
        ("--online",),
        ("doctor",),
        {"action": "store_true", "help": "also review what autogenerate would do"},
    ),
    (
        ("--error",),
        ("doctor",),
        {"metavar": "TEXT", "help": "explain a pasted error message ('-': read it from stdin)"},
    ),
    (
        ("--json",),
        COMMANDS,
        {
            "action": "store_true",
            "help": "a JSON report on stdout, messages on stderr (docs/json.md)",
        },
    ),
    (("--no-color",), COMMANDS, {"action": "store_true", "help": "plain output (also NO_COLOR)"}),
    (("--traceback",), COMMANDS, {"action": "store_true", "help": "show tracebacks on errors"}),
)
ANSWERS: tuple[Flag, ...] = (
    (
        ("--dialect",),
        _ASK,
        {
            "type": str.lower,
            "choices": DIALECTS,
            "metavar": "NAME",
            "help": ", ".join(DIALECTS[:-1]) + f" or {DIALECTS[-1]}",
        },
    ),
    (("--sync-driver",), _ASK, {"help": "driver Alembic uses, e.g. psycopg"}),
    (("--metadata",), _ASK, {"help": "e.g. app.db.base.Base.metadata"}),
    (("--models",), _ASK, {"help": "comma-separated model modules to import in env.py"}),
    (("--settings",), _ASK, {"help": "settings class, e.g. app.core.config.Settings"}),
    (("--url",), _ASK, {"help": "which URL the app's engine uses, as `inspect` lists it"}),
    (("--env-file",), _ASK, {"help": "the env file that holds the async URL"}),
    (
        ("--database-url",),
        _ASK,
        {
            "help": "the app's async URL, written into its env file "
            "when it is set nowhere yet (only a template has it)"
        },
    ),
    (("--mode",), _ASK, {"help": "sync (a sync driver for Alembic) or async (run_sync)"}),
    (
        ("--add-deps",),
        _ASK,
        {
            "action": _ON,
            "default": None,
            "help": "declare alembic and the "
            "driver in pyproject.toml or requirements.txt (default: yes)",
        },
    ),
    (("--migrations",), _ASK, {"help": "migrations folder, relative to the project"}),
    (
        ("--rails",),
        ("setup", "guard"),
        {"help": "test,ci,pre-commit,format (the default for guard), naming"},
    ),
    (
        ("--naming-convention",),
        ("setup", "guard"),
        {
            "action": _ON,
            "default": None,
            "help": "add a constraint naming convention matching the database (default: no)",
        },
    ),
)


def _add(parser: argparse.ArgumentParser, command: Command | None) -> None:
    """The flags `command` takes (None: every flag), answers in a group of their own."""
    for names, commands, kwargs in OPTIONS:
        if command is None or command in commands:
            parser.add_argument(*names, **_said(kwargs, command))
    answers = [flag for flag in ANSWERS if command is None or command in flag[1]]
    if answers:
        group = parser.add_argument_group("answers (each skips its question)")
        for names, _, kwargs in answers:
            group.add_argument(*names, **_said(kwargs, command))


def _said(kwargs: dict[str, Any], command: Command | None) -> dict[str, Any]:
    """A flag whose help differs by command gets `command`'s (else the general one)."""
    said = kwargs.get("help")
    if not isinstance(said, dict):
        return kwargs
    return {**kwargs, "help": said.get(command or "", said[""])}


def build_parser() -> argparse.ArgumentParser:
    """The parser that reads every flag, whichever command is named (`-h` is told apart
    afterwards: `help_text` then shows the named command's own)."""
    parser = argparse.ArgumentParser(
        prog="alembic-wizard", usage="alembic-wizard [COMMAND] [options]", add_help=False
    )
    parser.add_argument("command", nargs="?", choices=COMMANDS)
    parser.add_argument("-h", "--help", action="store_true")
    parser.add_argument("--version", action="version", version=f"alembic-wizard {__version__}")
    _add(parser, None)
    return parser


def help_text(command: Command | None) -> str:
    """`alembic-wizard --help`: the commands, then setup's flags (the default command) and
    examples; `alembic-wizard COMMAND --help`: that command's flags only."""
    if command is None:
        listed = "\n".join(f"  {name:<9}{said}" for name, said in SAID.items())
        more = "`alembic-wizard COMMAND --help`: a command's own options. These are setup's:"
        description = f"{DESCRIPTION}\n\ncommands:\n{listed}\n\n{more}"
    else:
        description = f"{SAID[command][0].upper()}{SAID[command][1:]}."
    parser = argparse.ArgumentParser(
        prog=f"alembic-wizard {command}" if command else "alembic-wizard",
        usage=f"%(prog)s{'' if command else ' [COMMAND]'} [options]",
        description=description,
        epilog=EXIT_STATUS + ("" if command else EXAMPLES),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    if command is None:
        parser.add_argument("--version", action="version", version=f"alembic-wizard {__version__}")
    _add(parser, command or "setup")
    return parser.format_help()
