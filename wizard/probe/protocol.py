"""What the wizard and the probe in the project's interpreter say to each other. Standard
library only, Python >= 3.10: the same file is imported on both sides (by the probe as a
sibling of its script), so a field added here is seen by mypy on the wizard's side and by
the code that fills it."""

from __future__ import annotations

import json
from typing import Literal, TypedDict

# the probe's stdout belongs to the app (print at import); answers come on their own pipe
CHANNEL_ARG = "--channel-fd"


class Expression(TypedDict):
    """An engine's URL argument to evaluate in its module's namespace (or a caller's)."""

    module: str
    text: str  # the argument's source, e.g. `settings.db.url` or `config.PREFIX + config.URI`
    path: str  # the engine call's file and line: what the answer is about
    line: int
    names: dict[str, str]  # more names the text uses -> the module each is imported from


class Request(TypedDict):
    """What the wizard asks."""

    root: str  # the working folder Alembic runs in
    paths: list[str]  # import roots, put first on sys.path
    env_files: list[str]  # loaded into os.environ first (never over a variable already set)
    engine_modules: list[str]  # imported with the engine factories recorded
    expressions: list[Expression]
    model_modules: list[str]  # imported, then every MetaData's tables read
    settings_modules: list[str]  # where settings classes live: their instances are looked at
    # a fresh clone's template values, set after the env files (never over a variable already
    # set): the app can start, so where its URL lives can be seen; the values are not real
    placeholders: dict[str, str]
    # names an existing env.py reads off Alembic's Config that Alembic's Config lacks (a
    # framework CLI's subclass sets them from the app's objects: `config.version_table_name`),
    # looked up on the objects the modules in `object_modules` (imported first) hold
    attributes: list[str]
    object_modules: list[str]


# object: a property or method of a config object the engine's URL argument reads
# (`conf.db.build_url()`, `settings.db.url`), on a plain class or a settings one
OriginKind = Literal["settings", "environ", "constant", "engine", "object"]


class Sibling(TypedDict):
    """Another URL member of the object that holds the app's URL (`SYNC_DATABASE_URL`,
    `sync_url()`), its value with the password masked: the wizard compares its parts."""

    name: str
    method: bool  # a method env.py would call
    url: str  # rendered with the password hidden: the password never leaves the app


class Origin(TypedDict):
    """Where a URL's value lives, as env.py can reach it again."""

    kind: OriginKind
    module: str  # the module holding `name`
    name: str  # a module-level name (`settings`, `DATABASE_URL`, `engine`, `get_settings`)
    called: bool  # `name` is a function returning the object (`get_settings()`)
    path: list[str]  # attributes after it (`db`, `url`)
    cls: str  # settings, object: the class of `name`'s object as `module.QualName`
    field: str  # settings: the field or property that holds the URL
    computed: bool  # settings: a property / computed field, not a field
    method: bool  # object: `field` is a method env.py calls (`build_url()`), not a property
    env_key: str  # the variable that sets it (settings: its alias or prefix + name)
    env_prefix: str
    case_sensitive: bool
    env_files: list[str]  # settings: model_config["env_file"]
    owner: str  # settings, object: the class that declares the field (where a sibling goes)
    suffix: str  # what turns the value into text (`.get_secret_value()` for a SecretStr)
    siblings: list[Sibling]  # settings, object: the other URL members of the same object


class Engine(TypedDict):
    """An async engine the app creates, and the URL it is given."""

    path: str  # the call's file
    line: int
    url: str  # with its password: this channel is private, the wizard masks what it shows
    origins: list[Origin]  # most specific first
    expression: Expression | None  # what was evaluated (None: recorded at import)
    imported: bool  # the app made it while its modules were imported (recorded)


def engine(
    path: str, line: int, url: str, expression: Expression | None = None, imported: bool = True
) -> Engine:
    """An engine the factory was seen making at import, or one an expression evaluates to."""
    return Engine(
        path=path, line=line, url=url, origins=[], expression=expression, imported=imported
    )


class Table(TypedDict):
    name: str
    schema: str | None
    module: str  # where its class (or Table call) is defined
    cls: str | None
    metadata_module: str  # the module-level name env.py imports the MetaData from
    metadata_name: str
    metadata_expr: str  # `Base.metadata`, `metadata`


class Failure(TypedDict):
    """A module the probe could not use, with the place its error points at."""

    module: str
    what: str  # one line: `ImportError: No module named 'x'`, `sys.exit(1)`, `wrote a file`
    path: str | None
    line: int | None


Scalar = str | int | float | bool | None


class Attribute(TypedDict):
    """A value an object of the app's holds under one of the asked names."""

    name: str
    value: Scalar
    where: str  # `config.db.alchemy_config.alembic_config`: module, name, attributes


class Result(TypedDict):
    engines: list[Engine]
    tables: list[Table]
    failures: list[Failure]
    stdout: list[str]  # modules that printed to stdout at import (kept away from the answer)
    filled: list[str]  # variables the app required and the shell lacked: made up, not real
    attributes: list[Attribute]


class Progress(TypedDict):
    """Sent before each import: a module that hangs is the last one named."""

    importing: str


def encode(message: Request | Result | Progress) -> str:
    return json.dumps(message) + "\n"
