"""The rule catalogue: every known way an Alembic setup breaks, with a stable ID, what the
user sees, the fix, and the error messages it explains (`doctor --error`). The setup's own
rules are here; those about the database and the revisions are in database_rules."""

from __future__ import annotations

import re

from wizard.doctor.database_rules import DATABASE_RULES
from wizard.doctor.finding import Rule

RULES = {r.id: r for r in [
    Rule("AW101", "async-url-in-sync-env",
         "a sync engine given an async driver fails with `MissingGreenlet: greenlet_spawn has "
         "not been called`",
         "run alembic-wizard: env.py then gives Alembic a sync URL (DATABASE_URL_SYNC, the "
         "app's URL with a sync driver). If `alembic-wizard doctor` says healthy and the error "
         "stays, the async URL comes from outside the project: a DATABASE_URL_SYNC or `-x "
         "url=...` set in the shell or CI with an async driver (write postgresql+psycopg://, "
         "mysql+pymysql://, sqlite:// there)",
         ("greenlet_spawn has not been called", "missinggreenlet")),
    Rule("AW102", "sync-url-in-async-env",
         "an async engine given a sync driver fails with `InvalidRequestError: The asyncio "
         "extension requires an async driver to be used`",
         "use the app's async URL in async mode, or switch env.py to the sync-driver mode",
         ("asyncio extension requires an async driver",)),
    Rule("AW103", "models-not-imported",
         "autogenerate does not see these tables and proposes to DROP them",
         "import every model module in env.py (alembic-wizard writes MODEL_MODULES)"),
    Rule("AW104", "target-metadata-none",
         "autogenerate has nothing to compare: `Can't proceed with --autogenerate option; "
         "environment script ... does not provide a MetaData object`",
         "set target_metadata = Base.metadata", ("does not provide a metadata object",)),
    Rule("AW105", "app-not-on-sys-path",
         "`ModuleNotFoundError: No module named 'app'` when env.py imports the models",
         "set prepend_sys_path (alembic.ini, or a list in [tool.alembic]) to the folder that "
         "holds the package",
         ("modulenotfounderror: no module named",)),
    Rule("AW106", "credentials-in-ini",
         "the password is committed to git with alembic.ini (or pyproject.toml); in alembic.ini a "
         "'%' in it (any URL-encoded character) fails with `InterpolationSyntaxError: '%' must "
         "be followed by '%' or '('`", "remove sqlalchemy.url from alembic.ini or "
         "[tool.alembic] and read the URL from the environment in env.py (re-running "
         "alembic-wizard does both)", ("'%' must be followed by '%' or '('",)),
    Rule("AW107", "url-through-configparser",
         "`set_main_option` passes the URL through configparser: a '%' in the password "
         "(any URL-encoded character) fails with `ValueError: invalid interpolation syntax`",
         "pass the URL to create_engine / context.configure directly (re-running alembic-wizard "
         "rewrites env.py that way)",
         ("invalid interpolation syntax",)),
    Rule("AW108", "str-engine-url",
         "`str(engine.url)` writes `***` instead of the password, so the connection is refused",
         "use engine.url itself, or url.render_as_string(hide_password=False)",
         ('password authentication failed for user', "access denied for user")),
    Rule("AW109", "driverless-url",
         "`postgres://` is not a SQLAlchemy dialect (`NoSuchModuleError: Can't load plugin: "
         "sqlalchemy.dialects:postgres`); a driver-less URL picks a driver that may be missing",
         "write the driver: postgresql+psycopg://...",
         ("can't load plugin: sqlalchemy.dialects:postgres",)),
    Rule("AW110", "asyncpg-sslmode",
         "asyncpg has no sslmode: `TypeError: connect() got an unexpected keyword argument "
         "'sslmode'`", "asyncpg spells it ssl=require",
         ("unexpected keyword argument 'sslmode'",)),
    Rule("AW111", "get-event-loop",
         "`asyncio.get_event_loop()` is deprecated and fails without a running loop in newer "
         "Pythons (`There is no current event loop`)", "use asyncio.run(...)",
         ("there is no current event loop",)),
    Rule("AW112", "no-path-separator",
         "Alembic >= 1.16 warns on every command and splits prepend_sys_path on spaces",
         "add `path_separator = os` under [alembic]"),
    Rule("AW113", "sqlite-without-batch",
         "SQLite cannot ALTER most things: `NotImplementedError: No support for ALTER of "
         "constraints in SQLite dialect`", "pass render_as_batch=True to context.configure",
         ("no support for alter of constraints in sqlite dialect",)),
    Rule("AW114", "sqlmodel-without-import",
         "revisions that use sqlmodel types fail with `NameError: name 'sqlmodel' is not defined`",
         "add `import sqlmodel` to script.py.mako", ("name 'sqlmodel' is not defined",)),
    Rule("AW115", "env-not-ignored", "the .env file with the password can be committed",
         "add .env to .gitignore"),
    Rule("AW116", "several-heads",
         "`Multiple head revisions are present for given argument 'head'`",
         "alembic merge heads -m \"merge\"", ("multiple head revisions are present",)),
    Rule("AW117", "driver-not-installed", "connecting fails with ModuleNotFoundError",
         "install the driver named in the URL"),
    Rule("AW119", "sync-url-missing",
         "env.py reads the sync URL from a variable that is not set: it fails (`KeyError: "
         "'DATABASE_URL_SYNC'`) or falls back to the app's async URL",
         "re-run alembic-wizard: env.py then derives the sync URL from the app's when the "
         "variable is not set; or add it to .env yourself", ("keyerror: '...url_sync'",)),
    Rule("AW120", "sync-url-other-database",
         "Alembic migrates one database while the app uses another",
         "make the sync URL name the app's database (host, port, user, database), or delete its "
         "line and re-run alembic-wizard, which derives it from the app's URL"),
    Rule("AW118", "no-alembic-setup", "there is nothing to run migrations with",
         "run alembic-wizard"),
    Rule("AW121", "script-location-shadowed",
         "Alembic reads alembic.ini's [alembic] before pyproject.toml's [tool.alembic]: the "
         "scripts [tool.alembic] names are ignored, so `alembic heads` and autogenerate work on "
         "another folder (an empty one proposes every table again)",
         "keep script_location in one file: delete it from alembic.ini's [alembic] to use "
         "[tool.alembic], or from [tool.alembic]"),
    Rule("AW122", "placeholder-url",
         "`alembic init`'s `driver://user:pass@localhost/dbname` is still in alembic.ini and "
         "env.py reads it: every command fails with `NoSuchModuleError: Can't load plugin: "
         "sqlalchemy.dialects:driver`",
         "run alembic-wizard (env.py then reads the URL from the environment or the settings)",
         ("can't load plugin: sqlalchemy.dialects:driver",)),
    Rule("AW123", "schemas-not-compared",
         "autogenerate compares only the connection's default schema: the models' tables in "
         "a named schema are never created, and changes to them are never seen",
         "run alembic-wizard (env.py then passes include_schemas=True with an include_name "
         "that keeps the models' schemas only)"),
    Rule("AW124", "post-write-hook-not-installed",
         "`alembic revision` writes the file, then stops on the hook: `Could not find "
         "entrypoint console_scripts.NAME` (or `Could not find module NAME`, or "
         "`FileNotFoundError` for an `exec` hook's program)",
         "install what the hook runs in the project's interpreter (a console script is "
         "usually named after its distribution: pre-commit, black, ruff, isort, autoflake), "
         "or remove the hook; `alembic-wizard verify --install` installs it",
         ("could not find entrypoint console_scripts.", "could not find module")),
    Rule("AW125", "sync-url-async-driver",
         "the sync URL Alembic's engine uses names an async driver: every command fails with "
         "`MissingGreenlet: greenlet_spawn has not been called`",
         "re-run alembic-wizard (it swaps that line's driver for the sync one), or write the "
         "sync driver yourself: postgresql+psycopg://, mysql+pymysql://, sqlite://",
         ("greenlet_spawn has not been called", "missinggreenlet")),
    Rule("AW126", "env-py-missing",
         "every Alembic command fails: `ImportError: Can't find Python file .../env.py`",
         "restore env.py from git if it held edits of yours (`git checkout -- "
         "migrations/env.py`), else re-run alembic-wizard, which writes it again (the revisions "
         "are kept)", ("can't find python file",)),
    Rule("AW127", "script-folder-missing",
         "every Alembic command fails: `Path doesn't exist: ...` (or `No 'script_location' key "
         "found in configuration`)",
         "restore the folder from git if it held revisions (`git checkout -- migrations`): "
         "the database names them; else re-run alembic-wizard, which writes it again; if it "
         "was moved, point script_location at it",
         ("path doesn't exist:", "no 'script_location' key found")),
    *DATABASE_RULES,
]}  # fmt: skip

RISK_RULES = {"uncreated tables": "AW130", "drop table": "AW140", "drop column": "AW141",
              "rename": "AW142", "not null": "AW143", "narrowing": "AW144", "type change": "AW145",
              "enum": "AW146"}  # fmt: skip


def lookup(message: str) -> list[Rule]:
    """The rules whose known error messages appear in `message` (a pasted traceback)."""
    text = message.lower()
    return [r for r in RULES.values() if any(_matches(p, text) for p in r.patterns)]


def _matches(pattern: str, text: str) -> bool:
    """`pattern` in `text`, each `...` standing for anything on the same line."""
    parts = pattern.split("...")
    if len(parts) == 1:
        return pattern in text
    return re.search(r"[^\n]*?".join(map(re.escape, parts)), text) is not None


def explain(message: str) -> str | None:
    """What `doctor --error` prints for a pasted error, or None when no rule knows it."""
    rules = lookup(message)
    if not rules:
        return None
    return "\n".join(f"{r.id} {r.name}\n       why: {r.why}\n       fix: {r.fix}" for r in rules)
