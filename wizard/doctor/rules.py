"""The rule catalogue: every known way an Alembic setup breaks, with a stable ID, what the
user sees, the fix, and the error messages it explains (`doctor --error`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """One known way an Alembic setup breaks."""

    id: str
    name: str
    why: str  # what the user sees when it breaks
    fix: str
    patterns: tuple[str, ...] = ()  # error messages (lower case) that this rule explains


@dataclass(frozen=True)
class Finding:
    """A rule that applies here."""

    rule: str
    path: str | None
    line: int | None
    what: str
    why: str
    fix: str


RULES = {r.id: r for r in [
    Rule("AW101", "async-url-in-sync-env",
         "a sync engine given an async driver fails with `MissingGreenlet: greenlet_spawn has "
         "not been called`", "give Alembic a sync URL (DATABASE_URL_SYNC): run alembic-wizard",
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
         "the password is committed to git with alembic.ini (or pyproject.toml)",
         "remove sqlalchemy.url from alembic.ini or [tool.alembic]; read the URL from the "
         "environment in env.py"),
    Rule("AW107", "url-through-configparser",
         "`set_main_option` passes the URL through configparser: a '%' in the password "
         "(any URL-encoded character) fails with `ValueError: invalid interpolation syntax`",
         "pass the URL to create_engine / context.configure directly",
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
         "env.py reads the sync URL from a variable that is not set: it fails or falls back to "
         "the app's async URL", "add the sync URL to .env (alembic-wizard derives it)"),
    Rule("AW120", "sync-url-other-database",
         "Alembic migrates one database while the app uses another",
         "derive the sync URL from the app's (re-run alembic-wizard)"),
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
    # the online review (doctor --online): what the next autogenerate would do
    Rule("AW130", "tables-no-revision-creates",
         "the database has the models' tables but no revision creates them (an empty first "
         "revision autogenerated against a database `create_all` made, then applied): "
         "`alembic upgrade head` on a fresh database (CI, a colleague's) makes no tables",
         "`alembic stamp base`, delete the empty revision, then `alembic-wizard adopt`"),
    Rule("AW140", "pending-drop-table",
         "autogenerate proposes to DROP a table with its data", "see the finding's fix"),
    Rule("AW141", "pending-drop-column",
         "autogenerate proposes to DROP a column with its data", "see the finding's fix"),
    Rule("AW142", "pending-rename",
         "a renamed column comes out as drop + add: its data is lost",
         "op.alter_column(table, old, new_column_name=new)"),
    Rule("AW143", "pending-not-null",
         "NOT NULL on a table with rows fails: `column ... contains null values`",
         "a server_default, or add it nullable, backfill, then set NOT NULL",
         ("contains null values", "cannot add a not null column")),
    Rule("AW144", "pending-narrowing",
         "a narrower type fails on values that do not fit: `value too long for type`",
         "check the data first, or keep the wider type",
         ("value too long for type", "out of range for type")),
    Rule("AW145", "pending-type-change",
         "a type change converts every value: `cannot be cast automatically`",
         "alter_column(..., postgresql_using='col::newtype')",
         ("cannot be cast automatically to type",)),
    Rule("AW146", "pending-enum",
         "autogenerate does not compare PostgreSQL enum values: `invalid input value for enum`",
         "ALTER TYPE ... ADD VALUE in a revision", ("invalid input value for enum",)),
]}  # fmt: skip

RISK_RULES = {"uncreated tables": "AW130", "drop table": "AW140", "drop column": "AW141",
              "rename": "AW142", "not null": "AW143", "narrowing": "AW144", "type change": "AW145",
              "enum": "AW146"}  # fmt: skip


def lookup(message: str) -> list[Rule]:
    """The rules whose known error messages appear in `message` (a pasted traceback)."""
    text = message.lower()
    return [r for r in RULES.values() if any(p in text for p in r.patterns)]


def explain(message: str) -> str | None:
    """What `doctor --error` prints for a pasted error, or None when no rule knows it."""
    rules = lookup(message)
    if not rules:
        return None
    return "\n".join(f"{r.id} {r.name}\n       why: {r.why}\n       fix: {r.fix}" for r in rules)
