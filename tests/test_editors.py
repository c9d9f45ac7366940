"""Every text-in/text-out editor in wizard/edits/: before/after tables written out literally,
each case paired with its no-op twin (the editor run on its own output changes nothing, or
the output already says what the planner checks before editing). In-process and fast."""

from __future__ import annotations

from pathlib import Path

import pytest

from wizard.edits import deps, envfile, envmerge, iniedit, remembered
from wizard.edits.envmerge import UserParts
from wizard.edits.pyedit import add_field, add_member
from wizard.errors import WizardError


def without_line(text: str, line: str, before: str) -> str:
    """`text` with the one whole line equal to `line` (stripped) removed. Where `before` had no
    final line break, the break the editor had to add in front of the new line goes too."""
    lines = text.splitlines(keepends=True)
    stripped = [piece.strip() for piece in lines]
    assert stripped.count(line.strip()) == 1, f"{line.strip()!r} is not there exactly once"
    del lines[stripped.index(line.strip())]
    out = "".join(lines)
    return out.rstrip("\r\n") if before and not before.endswith(("\n", "\r")) else out


# --- .env: envfile.parse + envfile.insert_after ---------------------------------------------

KEY, ANCHOR = "DATABASE_URL_SYNC", "DATABASE_URL"
SYNC = "postgresql+psycopg://u:p@h/db"

ENV_CASES = [
    pytest.param(
        "# app\nDATABASE_URL=postgresql+asyncpg://u:p@h/db\nDEBUG=1\n",
        SYNC,
        "# app\nDATABASE_URL=postgresql+asyncpg://u:p@h/db\n"
        "DATABASE_URL_SYNC=postgresql+psycopg://u:p@h/db\nDEBUG=1\n",
        id="plain",
    ),
    pytest.param(
        "export DATABASE_URL=postgresql+asyncpg://u:p@h/db\nexport DEBUG=1\n",
        SYNC,
        "export DATABASE_URL=postgresql+asyncpg://u:p@h/db\n"
        "export DATABASE_URL_SYNC=postgresql+psycopg://u:p@h/db\nexport DEBUG=1\n",
        id="export",
    ),
    pytest.param(
        'DATABASE_URL="postgresql+asyncpg://u:p@h/db"\nDEBUG=1\n',
        SYNC,
        'DATABASE_URL="postgresql+asyncpg://u:p@h/db"\n'
        'DATABASE_URL_SYNC="postgresql+psycopg://u:p@h/db"\nDEBUG=1\n',
        id="double-quoted-anchor",
    ),
    pytest.param(
        "DATABASE_URL='postgresql+asyncpg://u:p@h/db'\n",
        SYNC,
        "DATABASE_URL='postgresql+asyncpg://u:p@h/db'\n"
        "DATABASE_URL_SYNC='postgresql+psycopg://u:p@h/db'\n",
        id="single-quoted-anchor",
    ),
    pytest.param(
        "A=1\r\nDATABASE_URL=x\r\n\r\n# end\r\n",
        SYNC,
        "A=1\r\nDATABASE_URL=x\r\nDATABASE_URL_SYNC=postgresql+psycopg://u:p@h/db\r\n\r\n# end\r\n",
        id="crlf",
    ),
    pytest.param(
        "A=1\nDATABASE_URL=x",
        SYNC,
        "A=1\nDATABASE_URL=x\nDATABASE_URL_SYNC=postgresql+psycopg://u:p@h/db",
        id="no-final-newline",
    ),
    pytest.param(
        "A=1\r\nexport DATABASE_URL=x",
        SYNC,
        "A=1\r\nexport DATABASE_URL=x\r\nexport DATABASE_URL_SYNC=postgresql+psycopg://u:p@h/db",
        id="no-final-newline-crlf-export",
    ),
    pytest.param(
        "\ufeffDATABASE_URL=x\nX=1\n",
        SYNC,
        "\ufeffDATABASE_URL=x\nDATABASE_URL_SYNC=postgresql+psycopg://u:p@h/db\nX=1\n",
        id="bom",
    ),
    pytest.param(
        "# header\n\n# the app's database\nDATABASE_URL=x  # async\n\n# other\nDEBUG=1\n",
        SYNC,
        "# header\n\n# the app's database\nDATABASE_URL=x  # async\n"
        "DATABASE_URL_SYNC=postgresql+psycopg://u:p@h/db\n\n# other\nDEBUG=1\n",
        id="comments-and-blank-lines-kept",
    ),
    pytest.param(
        "  DATABASE_URL = x\n",
        SYNC,
        "  DATABASE_URL = x\n  DATABASE_URL_SYNC=postgresql+psycopg://u:p@h/db\n",
        id="indented-anchor",
    ),
    pytest.param(
        "database_url=x\nZ=1\n",
        SYNC,
        "database_url=x\nDATABASE_URL_SYNC=postgresql+psycopg://u:p@h/db\nZ=1\n",
        id="anchor-in-another-case",
    ),
    pytest.param(
        "DATABASE_URL=a\nX=1\nDATABASE_URL=b\nY=2\n",
        SYNC,
        "DATABASE_URL=a\nX=1\nDATABASE_URL=b\nDATABASE_URL_SYNC=postgresql+psycopg://u:p@h/db\nY=2\n",
        id="anchor-twice-after-the-last-one",
    ),
    pytest.param(
        "A=1\n# end\n",
        SYNC,
        "A=1\n# end\nDATABASE_URL_SYNC=postgresql+psycopg://u:p@h/db\n",
        id="anchor-missing-appended",
    ),
    pytest.param(
        "A=1",
        SYNC,
        "A=1\nDATABASE_URL_SYNC=postgresql+psycopg://u:p@h/db\n",
        id="anchor-missing-no-final-newline",
    ),
    pytest.param(
        "A=1\r\n",
        SYNC,
        "A=1\r\nDATABASE_URL_SYNC=postgresql+psycopg://u:p@h/db\r\n",
        id="anchor-missing-crlf",
    ),
    pytest.param(
        "",
        SYNC,
        "DATABASE_URL_SYNC=postgresql+psycopg://u:p@h/db\n",
        id="empty-file",
    ),
    pytest.param(
        "DATABASE_URL=x\n",
        "postgresql+psycopg://u:p w@h/db",
        "DATABASE_URL=x\nDATABASE_URL_SYNC='postgresql+psycopg://u:p w@h/db'\n",
        id="value-with-space",
    ),
    pytest.param(
        "DATABASE_URL=x\n",
        "postgresql+psycopg://u:p#w@h/db",
        "DATABASE_URL=x\nDATABASE_URL_SYNC='postgresql+psycopg://u:p#w@h/db'\n",
        id="value-with-hash",
    ),
    pytest.param(
        "DATABASE_URL=x\n",
        "postgresql+psycopg://u:p$w@h/db",
        "DATABASE_URL=x\nDATABASE_URL_SYNC='postgresql+psycopg://u:p$w@h/db'\n",
        id="value-with-dollar",
    ),
    pytest.param(
        "DATABASE_URL=x\n",
        "postgresql+psycopg://u:it's@h/db",
        'DATABASE_URL=x\nDATABASE_URL_SYNC="postgresql+psycopg://u:it\'s@h/db"\n',
        id="value-with-single-quote",
    ),
    pytest.param(
        'DATABASE_URL="x"\n',
        'postgresql+psycopg://u:"p"@h/db',
        'DATABASE_URL="x"\nDATABASE_URL_SYNC=\'postgresql+psycopg://u:"p"@h/db\'\n',
        id="value-with-double-quote-in-double-quoted-file",
    ),
    pytest.param(
        "export DATABASE_URL=x\n",
        'it\'s "p" a\\b',
        'export DATABASE_URL=x\nexport DATABASE_URL_SYNC="it\'s \\"p\\" a\\\\b"\n',
        id="value-with-both-quotes-and-backslash-escaped",
    ),
    pytest.param(
        "DATABASE_URL=x\n",
        "a\\\\b",
        'DATABASE_URL=x\nDATABASE_URL_SYNC="a\\\\\\\\b"\n',
        id="value-with-two-backslashes",
    ),
]


@pytest.mark.parametrize(("before", "value", "after"), ENV_CASES)
def test_envfile_insert_after(before: str, value: str, after: str) -> None:
    env = envfile.parse(before, Path(".env"))
    assert envfile.insert_after(env, before, ANCHOR, KEY, value) == after


@pytest.mark.parametrize(("before", "value", "after"), ENV_CASES)
def test_envfile_insert_after_twin(before: str, value: str, after: str) -> None:
    """The new key reads back with exactly `value`, so the planner skips the file next time;
    taking the new line out again gives back the original byte for byte."""
    out = envfile.insert_after(envfile.parse(before, Path(".env")), before, ANCHOR, KEY, value)
    binding = envfile.parse(out, Path(".env")).get(KEY, case_sensitive=True)
    assert binding is not None
    assert binding.value == value
    assert without_line(out, binding.text, before) == before


# --- Python: pyedit.add_field ---------------------------------------------------------------

FIELD = "database_url_sync: str | None = None\n"

PY_CASES = [
    pytest.param(
        "class Settings(BaseSettings):\n    database_url: str\n    debug: bool = False\n",
        "class Settings(BaseSettings):\n    database_url: str\n"
        "    database_url_sync: str | None = None\n    debug: bool = False\n",
        id="four-spaces",
    ),
    pytest.param(
        "class Settings(BaseSettings):\n\tdatabase_url: str\n\tdebug: bool = False\n",
        "class Settings(BaseSettings):\n\tdatabase_url: str\n"
        "\tdatabase_url_sync: str | None = None\n\tdebug: bool = False\n",
        id="tabs",
    ),
    pytest.param(
        "class Settings:\n  database_url: str\n",
        "class Settings:\n  database_url: str\n  database_url_sync: str | None = None\n",
        id="two-spaces",
    ),
    pytest.param(
        "import os\r\n\r\n\r\nclass Settings(BaseSettings):\r\n    database_url: str\r\n"
        "    debug: bool = False\r\n",
        "import os\r\n\r\n\r\nclass Settings(BaseSettings):\r\n    database_url: str\r\n"
        "    database_url_sync: str | None = None\r\n    debug: bool = False\r\n",
        id="crlf",
    ),
    pytest.param(
        "\ufeffclass Settings:\r\n    database_url: str\r\n",
        "\ufeffclass Settings:\r\n    database_url: str\r\n    database_url_sync: str | None = None\r\n",
        id="bom-and-crlf",
    ),
    pytest.param(
        "class Settings:\n    database_url: str\n    database_url_sync_not: int = 0",
        "class Settings:\n    database_url: str\n    database_url_sync: str | None = None\n"
        "    database_url_sync_not: int = 0",
        id="no-final-newline",
    ),
    pytest.param(
        'class Settings(BaseSettings):\n    """App settings."""\n\n'
        "    model_config = SettingsConfigDict(env_file='.env')\n\n"
        "    # where the data lives\n"
        "    database_url: PostgresDsn  # the async one\n"
        "    # the rest\n"
        "    debug: bool = False\n",
        'class Settings(BaseSettings):\n    """App settings."""\n\n'
        "    model_config = SettingsConfigDict(env_file='.env')\n\n"
        "    # where the data lives\n"
        "    database_url: PostgresDsn  # the async one\n"
        "    database_url_sync: str | None = None\n"
        "    # the rest\n"
        "    debug: bool = False\n",
        id="comments-after-the-field-kept",
    ),
    pytest.param(
        "@dataclass(frozen=True)\n@register\nclass Settings:\n    database_url: str\n\n"
        "    @property\n    def sync(self) -> str:\n        return self.database_url\n",
        "@dataclass(frozen=True)\n@register\nclass Settings:\n    database_url: str\n"
        "    database_url_sync: str | None = None\n\n"
        "    @property\n    def sync(self) -> str:\n        return self.database_url\n",
        id="decorators-and-methods",
    ),
    pytest.param(
        "class Settings:\n    database_url: str\n\n    def f(self) -> None:\n"
        "        database_url: int = 1\n",
        "class Settings:\n    database_url: str\n    database_url_sync: str | None = None\n\n"
        "    def f(self) -> None:\n        database_url: int = 1\n",
        id="same-name-in-a-method-left-alone",
    ),
    pytest.param(
        "class Outer:\n    class Settings:\n        database_url: str\n\n\n"
        "class Settings:\n    database_url: str\n",
        "class Outer:\n    class Settings:\n        database_url: str\n\n\n"
        "class Settings:\n    database_url: str\n    database_url_sync: str | None = None\n",
        id="nested-class-with-the-same-name",
    ),
]


@pytest.mark.parametrize(("before", "after"), PY_CASES)
def test_pyedit_add_field(before: str, after: str) -> None:
    assert add_field(before, "Settings", "database_url", FIELD) == after


@pytest.mark.parametrize(("before", "after"), PY_CASES)
def test_pyedit_add_field_twin(before: str, after: str) -> None:
    """One line added; the rest of the file byte-identical."""
    out = add_field(before, "Settings", "database_url", FIELD)
    assert without_line(out, FIELD, before) == before


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("class Settings:\n    debug: bool\n", id="field-missing"),
        pytest.param("class Settings:\n    database_url = 'x'\n", id="field-not-annotated"),
        pytest.param("class Other:\n    database_url: str\n", id="class-missing"),
        pytest.param("class Settings: database_url: str\n", id="one-line-class-body"),
    ],
)
def test_pyedit_field_not_found_is_an_error(source: str) -> None:
    with pytest.raises(WizardError, match="class Settings has no field database_url"):
        add_field(source, "Settings", "database_url", FIELD)


MEMBER = "@property\ndef url_sync(self) -> str:\n    return self.url\n"
MEMBER_CASES = [
    pytest.param(
        "class Db(BaseModel):\n    host: str\n\n    @property\n    def url(self) -> str:\n"
        "        return self.host  # the async one\n\n    def other(self) -> None:\n"
        "        pass\n\n\nclass Settings:\n    db: Db\n",
        "class Db(BaseModel):\n    host: str\n\n    @property\n    def url(self) -> str:\n"
        "        return self.host  # the async one\n\n    @property\n"
        "    def url_sync(self) -> str:\n        return self.url\n\n    def other(self) -> None:\n"
        "        pass\n\n\nclass Settings:\n    db: Db\n",
        id="after-the-property",
    ),
    pytest.param(
        "class Db:\n\tdef url(self):\n\t\treturn 'x'\n",
        "class Db:\n\tdef url(self):\n\t\treturn 'x'\n\n\t@property\n"
        "\tdef url_sync(self) -> str:\n\t\treturn self.url\n",
        id="tabs-kept",
    ),
    pytest.param(
        "class Db:\n    url: str | None = None\n\n    class Config:\n        env_file = '.env'\n",
        "class Db:\n    url: str | None = None\n\n    class Config:\n        env_file = '.env'\n"
        "\n    @property\n    def url_sync(self) -> str:\n        return self.url\n",
        id="a-field-s-sibling-ends-the-class",
    ),
]


@pytest.mark.parametrize(("before", "after"), MEMBER_CASES)
def test_pyedit_add_member(before: str, after: str) -> None:
    assert add_member(before, "Db", "url", MEMBER) == after


@pytest.mark.parametrize(("before", "after"), MEMBER_CASES)
def test_pyedit_add_member_twin(before: str, after: str) -> None:
    """A second run, or the user's own member of that name: nothing changes."""
    assert add_member(after, "Db", "url", MEMBER) == after


def test_pyedit_add_member_without_the_class_is_an_error() -> None:
    with pytest.raises(WizardError, match="no class Db to add url_sync to"):
        add_member("class Other:\n    url: str\n", "Db", "url", MEMBER)


# --- alembic.ini: iniedit.update, value, merged_paths ----------------------------------------

MANAGED = {
    "script_location": "%(here)s/migrations",
    "prepend_sys_path": ". src",
    "path_separator": "space",
}

INI_CASES = [
    pytest.param(
        "# A generic, single database configuration.\n\n"
        "[alembic]\n"
        "# path to migration scripts\n"
        "script_location = alembic\n\n"
        "# sys.path path, will be prepended to sys.path if present.\n"
        "prepend_sys_path = .\n"
        "path_separator = os\n\n"
        "sqlalchemy.url = driver://user:pass@localhost/dbname\n\n"
        "[post_write_hooks]\n"
        "# hooks = black\n\n"
        "[loggers]\n"
        "keys = root,sqlalchemy,alembic\n",
        "# A generic, single database configuration.\n\n"
        "[alembic]\n"
        "# path to migration scripts\n"
        "script_location = %(here)s/migrations\n\n"
        "# sys.path path, will be prepended to sys.path if present.\n"
        "prepend_sys_path = . src\n"
        "path_separator = space\n\n"
        "\n"
        "[post_write_hooks]\n"
        "# hooks = black\n\n"
        "[loggers]\n"
        "keys = root,sqlalchemy,alembic\n",
        id="keys-replaced-in-place-url-dropped",
    ),
    pytest.param(
        "[alembic]\n# where the scripts are\nscript_location = alembic\nversion_table = v\n",
        "[alembic]\nprepend_sys_path = . src\npath_separator = space\n"
        "# where the scripts are\nscript_location = %(here)s/migrations\nversion_table = v\n",
        id="missing-keys-added-after-the-header",
    ),
    pytest.param(
        "[alembic]\nscript_location = alembic\n"
        "sqlalchemy.url = postgresql://u:p@h/db\n    ?sslmode=require\n\t&application_name=x\n"
        "version_table = v\n",
        "[alembic]\nprepend_sys_path = . src\npath_separator = space\n"
        "script_location = %(here)s/migrations\nversion_table = v\n",
        id="url-continuation-lines-dropped",
    ),
    pytest.param(
        "[alembic]\nprepend_sys_path = .\n    lib\nscript_location = alembic\n",
        "[alembic]\npath_separator = space\nprepend_sys_path = . src\n"
        "script_location = %(here)s/migrations\n",
        id="replaced-key-continuation-dropped",
    ),
    pytest.param(
        "[alembic]\nscript_location: alembic\nsqlalchemy.url: sqlite:///x.db\n",
        "[alembic]\nprepend_sys_path = . src\npath_separator = space\n"
        "script_location = %(here)s/migrations\n",
        id="colon-separator",
    ),
    pytest.param(
        "[alembic]\n; sqlalchemy.url = old\n# sqlalchemy.url = older\nsqlalchemy.url = x\n"
        "script_location = a\n",
        "[alembic]\nprepend_sys_path = . src\npath_separator = space\n"
        "; sqlalchemy.url = old\n# sqlalchemy.url = older\n"
        "script_location = %(here)s/migrations\n",
        id="commented-url-kept",
    ),
    pytest.param(
        "[loggers]\nkeys = root\n\n[alembic]\nscript_location = a\n\n[other]\n"
        "sqlalchemy.url = keep\nscript_location = keep\n",
        "[loggers]\nkeys = root\n\n[alembic]\nprepend_sys_path = . src\npath_separator = space\n"
        "script_location = %(here)s/migrations\n\n[other]\n"
        "sqlalchemy.url = keep\nscript_location = keep\n",
        id="other-sections-kept",
    ),
    pytest.param(
        "[alembic]\r\nscript_location = alembic\r\nsqlalchemy.url = x\r\n\r\n"
        "[loggers]\r\nkeys = root\r\n",
        "[alembic]\r\nprepend_sys_path = . src\r\npath_separator = space\r\n"
        "script_location = %(here)s/migrations\r\n\r\n[loggers]\r\nkeys = root\r\n",
        id="crlf",
    ),
    pytest.param(
        "[alembic]\nscript_location = a",
        "[alembic]\nprepend_sys_path = . src\npath_separator = space\n"
        "script_location = %(here)s/migrations\n",
        id="no-final-newline",
    ),
    pytest.param(
        "# logging only\n[loggers]\nkeys = root\n",
        "[alembic]\nscript_location = %(here)s/migrations\nprepend_sys_path = . src\n"
        "path_separator = space\n\n# logging only\n[loggers]\nkeys = root\n",
        id="no-alembic-section",
    ),
    pytest.param(
        "",
        "[alembic]\nscript_location = %(here)s/migrations\nprepend_sys_path = . src\n"
        "path_separator = space\n\n",
        id="empty-file",
    ),
    pytest.param(
        "[alembic]\nSCRIPT_LOCATION = alembic\n",
        "[alembic]\nprepend_sys_path = . src\npath_separator = space\n"
        "script_location = %(here)s/migrations\n",
        id="key-in-upper-case",
    ),
    pytest.param(
        "[alembic]\n  script_location = alembic\n",
        "[alembic]\nprepend_sys_path = . src\npath_separator = space\n"
        "script_location = %(here)s/migrations\n",
        id="indented-first-key",
    ),
    pytest.param(
        "[alembic]\nsqlalchemy.url = x\n\n    ?sslmode=require\nscript_location = a\n",
        "[alembic]\nprepend_sys_path = . src\npath_separator = space\n"
        "script_location = %(here)s/migrations\n",
        id="blank-line-inside-a-dropped-value",
    ),
]


@pytest.mark.parametrize(("before", "after"), INI_CASES)
def test_iniedit_update(before: str, after: str) -> None:
    assert iniedit.update(before, MANAGED) == after


@pytest.mark.parametrize(("before", "after"), INI_CASES)
def test_iniedit_update_twin(before: str, after: str) -> None:
    """update(update(x)) == update(x), and configparser reads back exactly the managed keys."""
    once = iniedit.update(before, MANAGED)
    assert iniedit.update(once, MANAGED) == once
    assert {key: iniedit.value(once, key) for key in MANAGED} == MANAGED
    assert iniedit.value(once, "sqlalchemy.url") is None


def test_iniedit_update_drops_what_it_is_told_to() -> None:
    before = "[alembic]\nscript_location = a\nversion_path_separator = os\nsqlalchemy.url = x\n"
    after = "[alembic]\nscript_location = b\nsqlalchemy.url = x\n"
    drop = ("version_path_separator",)
    assert iniedit.update(before, {"script_location": "b"}, drop) == after
    assert iniedit.update(after, {"script_location": "b"}, drop) == after


@pytest.mark.parametrize(
    ("text", "key", "section", "expected"),
    [
        pytest.param(
            "[alembic]\nprepend_sys_path = . src\n",
            "prepend_sys_path",
            "alembic",
            ". src",
            id="present",
        ),
        pytest.param("[alembic]\nx = 1\n", "prepend_sys_path", "alembic", None, id="missing"),
        pytest.param(
            "[alembic]\nscript_location = %(here)s/m\n",
            "script_location",
            "alembic",
            "%(here)s/m",
            id="no-interpolation",
        ),
        pytest.param("[alembic]\nx = a\n    b\n", "x", "alembic", "a\nb", id="continuation"),
        pytest.param("[loggers]\nkeys = root\n", "keys", "loggers", "root", id="other-section"),
        pytest.param("[loggers]\nkeys = root\n", "keys", "alembic", None, id="no-section"),
        pytest.param("[alembic]\nx = 1\nx = 2\n", "x", "alembic", None, id="unparsable"),
        pytest.param("x = 1\n", "x", "alembic", None, id="no-header-at-all"),
        pytest.param("", "x", "alembic", None, id="empty"),
    ],
)
def test_iniedit_value(text: str, key: str, section: str, expected: str | None) -> None:
    assert iniedit.value(text, key, section) == expected


@pytest.mark.parametrize(
    ("theirs", "ours", "expected"),
    [
        pytest.param(None, ".", (".", "os"), id="none"),
        pytest.param("", ".", (".", "os"), id="empty"),
        pytest.param(".", ".", (".", "os"), id="same"),
        pytest.param("src", ".", ("src .", "space"), id="theirs-kept-ours-added"),
        pytest.param(". src", ".", (". src", "space"), id="ours-already-there"),
        pytest.param("src, lib", "app", ("src lib app", "space"), id="commas"),
        pytest.param("src\n  lib", ".", ("src lib .", "space"), id="continuation-lines"),
        # no path_separator: Alembic's legacy splitting of prepend_sys_path takes colons too
        pytest.param("src:.", "src", ("src .", "space"), id="legacy-colons"),
    ],
)
def test_iniedit_merged_paths(theirs: str | None, ours: str, expected: tuple[str, str]) -> None:
    assert iniedit.merged_paths(theirs, ours) == expected
    assert iniedit.merged_paths(expected[0], ours) == expected  # twin: a re-run keeps it


# --- pyproject.toml dependencies: deps.missing, deps.add ------------------------------------

WANTED = ["alembic>=1.13", "psycopg[binary]>=3.1"]

MISSING_CASES = [
    pytest.param(
        '[project]\nname = "app"\ndependencies = ["fastapi", "SQLAlchemy[asyncio]>=2"]\n',
        WANTED,
        WANTED,
        id="none-declared",
    ),
    pytest.param(
        '[project]\nname = "app"\ndependencies = [\n    "Alembic >= 1.12",\n'
        "    \"PSYCOPG[binary,pool] ; python_version >= '3.10'\",\n]\n",
        WANTED,
        [],
        id="case-extras-markers",
    ),
    pytest.param(
        '[project]\nname = "app"\ndependencies = ["psycopg_binary", "zope.interface"]\n',
        ["psycopg-binary>=3", "Zope_Interface"],
        [],
        id="underscores-dots-dashes",
    ),
    pytest.param(
        '[project]\nname = "app"\ndependencies = ["alembic @ https://example.org/a.whl"]\n',
        WANTED,
        ["psycopg[binary]>=3.1"],
        id="direct-reference",
    ),
    pytest.param(
        '[project]\nname = "app"\ndependencies = ["alembic-utils", "psycopg2"]\n',
        WANTED,
        WANTED,
        id="similar-names-are-other-projects",
    ),
    pytest.param(
        '[project]\nname = "app"\ndependencies = []\n\n'
        '[project.optional-dependencies]\ndev = ["alembic"]\n',
        WANTED,
        WANTED,
        id="extras-do-not-count",
    ),
    pytest.param(
        '[tool.poetry]\nname = "app"\n\n[tool.poetry.dependencies]\npython = "^3.11"\n',
        WANTED,
        WANTED,
        id="poetry-table",
    ),
    pytest.param(
        '[tool.poetry]\nname = "app"\n\n[tool.poetry.dependencies]\npython = "^3.11"\n'
        'Alembic = "^1.13"\npsycopg = {version = "^3.1", extras = ["binary"]}\n',
        WANTED,
        [],
        id="poetry-table-declares-them",
    ),
    pytest.param(
        '[project]\nname = "app"\ndynamic = ["dependencies"]\n',
        WANTED,
        WANTED,
        id="dynamic-dependencies",
    ),
]


@pytest.mark.parametrize(("pyproject", "wanted", "expected"), MISSING_CASES)
def test_deps_missing(pyproject: str, wanted: list[str], expected: list[str]) -> None:
    assert deps.missing(pyproject, wanted) == expected


ADD_CASES = [
    pytest.param(
        '[project]\nname = "app"\ndependencies = ["fastapi"]\n',
        '[project]\nname = "app"\ndependencies = ["fastapi", "alembic>=1.13", '
        '"psycopg[binary]>=3.1"]\n',
        id="inline-array",
    ),
    pytest.param(
        '[project]\nname = "app"\ndependencies = []\n\n[tool.ruff]\nline-length = 100\n',
        '[project]\nname = "app"\ndependencies = ["alembic>=1.13", "psycopg[binary]>=3.1"]\n\n'
        "[tool.ruff]\nline-length = 100\n",
        id="empty-array",
    ),
    pytest.param(
        '[project]\nname = "app"  # the name\ndependencies = [\n    "fastapi",  # web\n'
        '    # database\n    "asyncpg>=0.29",\n]\n',
        '[project]\nname = "app"  # the name\ndependencies = [\n    "fastapi",  # web\n'
        '    # database\n    "asyncpg>=0.29",\n    "alembic>=1.13",\n'
        '    "psycopg[binary]>=3.1",\n]\n',
        id="multi-line-comments-kept",
    ),
    pytest.param(
        '[project]\nname = "app"\ndependencies = [\n    "fastapi"\n]\n',
        '[project]\nname = "app"\ndependencies = [\n    "fastapi",\n    "alembic>=1.13",\n'
        '    "psycopg[binary]>=3.1"\n]\n',
        id="multi-line-no-trailing-comma",
    ),
    pytest.param(
        '[project]\r\nname = "app"\r\ndependencies = [\r\n    "fastapi",\r\n]\r\n',
        '[project]\r\nname = "app"\r\ndependencies = [\r\n    "fastapi",\r\n'
        '    "alembic>=1.13",\r\n    "psycopg[binary]>=3.1",\r\n]\r\n',
        id="crlf",
    ),
]


POETRY_ADD_CASES = [
    pytest.param(
        '[tool.poetry]\nname = "app"\n\n[tool.poetry.dependencies]\npython = "^3.11"\n\n'
        '[build-system]\nrequires = ["poetry-core"]\n',
        '[tool.poetry]\nname = "app"\n\n[tool.poetry.dependencies]\npython = "^3.11"\n'
        'alembic = ">=1.13"\npsycopg = {version = ">=3.1", extras = ["binary"]}\n\n'
        '[build-system]\nrequires = ["poetry-core"]\n',
        id="poetry-table",
    ),
    pytest.param(
        '[tool.poetry]\nname = "app"\n\n[tool.ruff]\nline-length = 100\n',
        '[tool.poetry]\nname = "app"\n\n[tool.poetry.dependencies]\nalembic = ">=1.13"\n'
        'psycopg = {version = ">=3.1", extras = ["binary"]}\n\n[tool.ruff]\nline-length = 100\n',
        id="poetry-table-created",
    ),
    pytest.param(
        '[project]\nname = "app"\n\n[tool.ruff]\nline-length = 100\n',
        '[project]\nname = "app"\ndependencies = [\n    "alembic>=1.13",\n'
        '    "psycopg[binary]>=3.1",\n]\n\n[tool.ruff]\nline-length = 100\n',
        id="project-list-created",
    ),
]


@pytest.mark.parametrize(("before", "after"), ADD_CASES + POETRY_ADD_CASES)
def test_deps_add(before: str, after: str) -> None:
    assert deps.add(before, WANTED) == after


@pytest.mark.parametrize(("before", "after"), ADD_CASES + POETRY_ADD_CASES)
def test_deps_add_twin(before: str, after: str) -> None:
    """Everything was missing before; nothing is after."""
    assert deps.missing(before, WANTED) == WANTED
    assert deps.missing(deps.add(before, WANTED), WANTED) == []


@pytest.mark.parametrize(
    ("pyproject", "table"),
    [
        ('[project]\nname = "app"\ndependencies = []\n', "project"),
        ('[project]\nname = "app"\n', "project"),
        ('[project]\nname = "app"\ndynamic = ["dependencies"]\n', None),
        (
            '[project]\nname = "app"\ndynamic = ["dependencies"]\n[tool.poetry]\nname = "app"\n',
            "poetry",
        ),
        ('[project]\nname = "app"\n[tool.poetry.dependencies]\npython = "^3.11"\n', "poetry"),
        (
            '[project]\nname = "a"\ndependencies = []\n[tool.poetry.dependencies]\npython = "^3.11"\n',
            "project",
        ),
        ("[tool.ruff]\nline-length = 100\n", None),
    ],
)
def test_deps_where(pyproject: str, table: str | None) -> None:
    """PEP 621 where it has a list (or can have one), else Poetry's table, else nowhere."""
    assert deps.where(pyproject) == table


def test_deps_nowhere_to_declare_is_a_no_op() -> None:
    text = '[project]\nname = "app"\ndynamic = ["dependencies"]\n'
    assert deps.add(text, WANTED) == text


# --- remembered answers: remembered.load, remembered.store ----------------------------------

ANSWERS = {"settings": "app.config:Settings", "models": ["app.models"], "add-deps": True}
TABLE_TEXT = 'settings = "app.config:Settings"\nmodels = ["app.models"]\nadd-deps = true\n'

STORE_CASES = [
    pytest.param(
        '[project]\nname = "app"  # the name\n\n# linters\n[tool.ruff]\nline-length = 100\n',
        True,
        '[project]\nname = "app"  # the name\n\n# linters\n[tool.ruff]\nline-length = 100\n\n'
        "[tool.alembic-wizard]\n" + TABLE_TEXT,
        id="pyproject-comments-and-tool-tables-kept",
    ),
    pytest.param(
        '[project]\nname = "app"\n',
        True,
        '[project]\nname = "app"\n\n[tool.alembic-wizard]\n' + TABLE_TEXT,
        id="pyproject-without-tool",
    ),
    pytest.param(
        '[project]\nname = "app"\n\n[tool.alembic-wizard]\nsettings = "old:S"\n\n'
        "[tool.ruff]\nline-length = 100\n",
        True,
        '[project]\nname = "app"\n\n[tool.alembic-wizard]\n' + TABLE_TEXT + "\n"
        "[tool.ruff]\nline-length = 100\n",
        id="pyproject-old-answers-replaced-in-place",
    ),
    pytest.param(None, False, "[alembic-wizard]\n" + TABLE_TEXT, id="small-file-new"),
    pytest.param(
        '# answers of alembic-wizard\n[alembic-wizard]\nsettings = "old:S"\n',
        False,
        "# answers of alembic-wizard\n[alembic-wizard]\n" + TABLE_TEXT,
        id="small-file-old-answers-replaced",
    ),
]


@pytest.mark.parametrize(("before", "in_pyproject", "after"), STORE_CASES)
def test_remembered_store(before: str | None, in_pyproject: bool, after: str) -> None:
    assert remembered.store(before, ANSWERS, in_pyproject=in_pyproject) == after


@pytest.mark.parametrize(("before", "in_pyproject", "after"), STORE_CASES)
def test_remembered_store_twin(before: str | None, in_pyproject: bool, after: str) -> None:
    """Stored answers load back, and storing them again has nothing to do."""
    out = remembered.store(before, ANSWERS, in_pyproject=in_pyproject)
    assert out is not None
    assert remembered.load(out, in_pyproject=in_pyproject) == ANSWERS
    assert remembered.store(out, ANSWERS, in_pyproject=in_pyproject) is None


def test_remembered_store_same_answers_in_another_order_is_a_no_op() -> None:
    text = '[tool.alembic-wizard]\nadd-deps = true\nmodels = ["app.models"]\nsettings = "app.config:Settings"\n'
    assert remembered.store(text, ANSWERS, in_pyproject=True) is None


def test_remembered_store_keeps_crlf() -> None:
    before = '[project]\r\nname = "app"\r\n'
    after = (
        '[project]\r\nname = "app"\r\n\r\n[tool.alembic-wizard]\r\n'
        'settings = "app.config:Settings"\r\nmodels = ["app.models"]\r\nadd-deps = true\r\n'
    )
    assert remembered.store(before, ANSWERS, in_pyproject=True) == after


@pytest.mark.parametrize(
    ("text", "in_pyproject", "expected"),
    [
        pytest.param(None, True, {}, id="no-file"),
        pytest.param("", False, {}, id="empty-file"),
        pytest.param('[project]\nname = "app"\n', True, {}, id="pyproject-without-table"),
        pytest.param(
            '[tool.alembic-wizard]\nsettings = "a:S"\n',
            True,
            {"settings": "a:S"},
            id="pyproject-table",
        ),
        pytest.param("[tool]\nalembic-wizard = 3\n", True, {}, id="pyproject-not-a-table"),
        pytest.param('settings = "a:S"\n', False, {"settings": "a:S"}, id="small-file-top-level"),
        pytest.param(
            '[alembic-wizard]\nsettings = "a:S"\n',
            False,
            {"settings": "a:S"},
            id="small-file-table",
        ),
    ],
)
def test_remembered_load(text: str | None, in_pyproject: bool, expected: dict[str, str]) -> None:
    assert remembered.load(text, in_pyproject=in_pyproject) == expected


def test_remembered_load_unparsable_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        remembered.load("[tool\n", in_pyproject=True)


# --- env.py: envmerge.extract, envmerge.bindings --------------------------------------------

# the wizard's own env.py, cut down to what it binds (sync mode)
WIZARD_ENV = '''"""Alembic environment, written by alembic-wizard."""

from __future__ import annotations

import importlib
import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, pool
from sqlalchemy.engine import URL, Connection, make_url

from app.config import Settings
from app.models import Base

app_settings = Settings()

MODEL_MODULES = (
    "app.models",
)
for _module in MODEL_MODULES:
    importlib.import_module(_module)

config = context.config
target_metadata = Base.metadata
SYNC_URL_ENV = "DATABASE_URL_SYNC"


def get_url() -> URL:
    return make_url(os.environ[SYNC_URL_ENV])


def configure(**kwargs: object) -> None:
    context.configure(
        target_metadata=target_metadata,
        compare_type=True,
        **kwargs,
    )


def run_migrations_online() -> None:
    with create_engine(get_url(), poolclass=pool.NullPool).connect() as connection:
        configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
'''

OWN = {
    "annotations", "importlib", "os", "fileConfig", "context", "create_engine", "pool", "URL",
    "Connection", "make_url", "Settings", "Base", "app_settings", "MODEL_MODULES", "config",
    "target_metadata", "SYNC_URL_ENV", "get_url", "configure", "run_migrations_online",
}  # fmt: skip

ALEMBIC_GENERIC_WITH_HOOKS = '''import re
from logging.config import fileConfig

from sqlalchemy import engine_from_config
from sqlalchemy import pool

from alembic import context
from myapp.models import Base
from myapp.render import render_item as _render

config = context.config

if config.config_file_name is not None:
    fileConfig(config.config_file_name)

target_metadata = Base.metadata

IGNORED = {"spatial_ref_sys"}
PATTERN = re.compile(r"^tmp_")
UNUSED = 1


def include_object(object, name, type_, reflected, compare_to):
    """Skip PostGIS and temporary tables."""
    if type_ == "table" and (name in IGNORED or PATTERN.match(name)):
        return False
    return True


def process_revision_directives(context, revision, directives):
    if config.cmd_opts.autogenerate and directives[0].upgrade_ops.is_empty():
        directives[:] = []


def run_migrations_offline() -> None:
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        include_object=include_object,
    )

    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )

    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            include_object=include_object,
            process_revision_directives=process_revision_directives,
            compare_server_default=True,
            render_item=_render,
            version_table_schema="meta",
        )

        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
'''

ALEMBIC_ASYNC_WITH_LAMBDA = """import asyncio
import fnmatch

from sqlalchemy import MetaData, pool
from sqlalchemy.ext.asyncio import async_engine_from_config

from alembic import context

config = context.config
target_metadata = None
SKIP: tuple[str, ...] = ("tmp_*",)
NAMING = {"pk": "pk_%(table_name)s"}
SCHEMA_META = MetaData(naming_convention=NAMING)


def do_run_migrations(connection):
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_name=lambda name, type_, parents: not any(fnmatch.fnmatch(name, p) for p in SKIP),
        compare_type=False,
        render_as_batch=True,
        user_module_prefix="types.",
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations():
    connectable = async_engine_from_config(config.get_section(config.config_ini_section, {}))
    async with connectable.connect() as connection:
        await connection.run_sync(do_run_migrations)


class Hooks:
    meta = SCHEMA_META


async def on_version_apply(ctx, step, heads, run_args):
    await asyncio.sleep(0)


def run_migrations_online():
    asyncio.run(run_async_migrations())
"""

ENVMERGE_CASES = [
    pytest.param(
        ALEMBIC_GENERIC_WITH_HOOKS,
        UserParts(
            imports=("import re", "from myapp.render import render_item as _render"),
            code=(
                'IGNORED = {"spatial_ref_sys"}',
                'PATTERN = re.compile(r"^tmp_")',
                "def include_object(object, name, type_, reflected, compare_to):\n"
                '    """Skip PostGIS and temporary tables."""\n'
                '    if type_ == "table" and (name in IGNORED or PATTERN.match(name)):\n'
                "        return False\n"
                "    return True",
                "def process_revision_directives(context, revision, directives):\n"
                "    if config.cmd_opts.autogenerate and directives[0].upgrade_ops.is_empty():\n"
                "        directives[:] = []",
            ),
            options=(
                ("include_object", "include_object"),
                ("process_revision_directives", "process_revision_directives"),
                ("compare_server_default", "True"),
                ("render_item", "_render"),
                ("version_table_schema", '"meta"'),
            ),
        ),
        id="alembic-generic-hooks-constants-imports",
    ),
    pytest.param(
        ALEMBIC_ASYNC_WITH_LAMBDA,
        UserParts(
            imports=("import asyncio", "import fnmatch", "from sqlalchemy import MetaData, pool"),
            code=(
                'SKIP: tuple[str, ...] = ("tmp_*",)',
                'NAMING = {"pk": "pk_%(table_name)s"}',
                "SCHEMA_META = MetaData(naming_convention=NAMING)",
                "class Hooks:\n    meta = SCHEMA_META",
                "async def on_version_apply(ctx, step, heads, run_args):\n"
                "    await asyncio.sleep(0)",
            ),
            options=(
                (
                    "include_name",
                    "lambda name, type_, parents: not any(fnmatch.fnmatch(name, p) for p in SKIP)",
                ),
                ("user_module_prefix", '"types."'),
            ),
        ),
        id="alembic-async-lambda-option-chain-of-constants",
    ),
    pytest.param(WIZARD_ENV, UserParts(), id="the-wizards-own-env-has-nothing-to-carry"),
    pytest.param(
        "def include_object(:\n    return True\n", UserParts(), id="syntax-error-carries-nothing"
    ),
    pytest.param(
        "from alembic import context\nfrom alembic.autogenerate import rewriter\n"
        "from alembic.operations import ops\n\n"
        "writer = rewriter.Rewriter()\n\n\n"
        "@writer.rewrites(ops.AddColumnOp)\n"
        "def add_column(context, revision, op):\n"
        "    op.column.nullable = True\n"
        "    return op\n\n\n"
        "def run_migrations_online():\n"
        "    context.configure(process_revision_directives=writer)\n",
        UserParts(
            imports=(
                "from alembic.autogenerate import rewriter",
                "from alembic.operations import ops",
            ),
            code=(
                "writer = rewriter.Rewriter()",
                "@writer.rewrites(ops.AddColumnOp)\n"
                "def add_column(context, revision, op):\n"
                "    op.column.nullable = True\n"
                "    return op",
            ),
            options=(("process_revision_directives", "writer"),),
        ),
        id="decorated-hook-alembic-rewriter",
    ),
    pytest.param(
        'SKIP_A, SKIP_B = "a", "b"\n\n\n'
        "def include_name(name, type_, parent_names):\n"
        "    return name not in (SKIP_A, SKIP_B)\n",
        UserParts(
            code=(
                'SKIP_A, SKIP_B = "a", "b"',
                "def include_name(name, type_, parent_names):\n"
                "    return name not in (SKIP_A, SKIP_B)",
            ),
        ),
        id="constants-bound-by-tuple-unpacking",
    ),
]


def carried(parts: UserParts) -> str:
    """The wizard's env.py with `parts` carried into it, placed where the template puts them."""
    imports = "".join(f"{line}\n" for line in parts.imports)
    code = "".join(f"{block}\n\n\n" for block in parts.code)
    options = "".join(f"        {name}={value},\n" for name, value in parts.options)
    out = WIZARD_ENV
    for anchor, added, in_front in [
        ("from app.models import Base\n", imports, False),
        ("def get_url() -> URL:\n", code, True),
        ("        compare_type=True,\n", options, False),
    ]:
        assert out.count(anchor) == 1
        where = out.index(anchor) + (0 if in_front else len(anchor))
        out = out[:where] + added + out[where:]
    return out


@pytest.mark.parametrize(("source", "expected"), ENVMERGE_CASES)
def test_envmerge_extract(source: str, expected: UserParts) -> None:
    assert envmerge.extract(source, OWN) == expected


@pytest.mark.parametrize(("source", "expected"), ENVMERGE_CASES)
def test_envmerge_extract_twin(source: str, expected: UserParts) -> None:
    """A re-run reads the same parts back out of the env.py they were carried into."""
    assert envmerge.extract(carried(envmerge.extract(source, OWN)), OWN) == expected


def test_envmerge_bindings() -> None:
    assert envmerge.bindings(WIZARD_ENV) == OWN
    source = (
        "import os.path\nimport a.b as c\nfrom x import y as z, w\nX = 1\nY: int = 2\nZ: int\n"
        "def f(): pass\nasync def g(): pass\nclass K: pass\nif True:\n    Q = 1\n"
    )
    assert envmerge.bindings(source) == {"os", "c", "z", "w", "X", "Y", "Z", "f", "g", "K"}


def test_runtime_requirements_as_declared_without_markers() -> None:
    pyproject = (
        '[project]\nname = "app"\ndependencies = [\n  "FastAPI>=0.110",\n'
        '  "sqlalchemy[asyncio]>=2.0",\n  "tomli; python_version < \'3.11\'",\n]\n'
    )
    assert deps.runtime_requirements(pyproject) == ["FastAPI>=0.110", "sqlalchemy[asyncio]>=2.0"]
    assert [deps.name_of(r) for r in deps.runtime_requirements(pyproject)] == [
        "fastapi",
        "sqlalchemy",
    ]
    # the marker evaluated for the project's interpreter, not dropped: a 3.10 venv needs tomli
    assert deps.runtime_requirements(pyproject, "3.10.14")[-1] == "tomli; python_version < '3.11'"
    assert deps.runtime_requirements(pyproject, "3.12.1") == deps.runtime_requirements(pyproject)
    assert deps.runtime_requirements('[tool.poetry.dependencies]\npython = "^3.10"\n') == []
    assert deps.runtime_requirements('[project]\nname = "a"\ndynamic = ["dependencies"]\n') == []


def test_requirements_txt_plain_lines_by_name() -> None:
    text = (
        "# app\n-r base.txt\n--index-url https://example.org/simple\nFastAPI>=0.110  # web\n"
        "sqlalchemy[asyncio]>=2.0\ntomli; python_version < '3.11'\n-e ./libs/shared\n"
        "pkg @ https://example.org/pkg.whl\n\nPydantic_Settings\n"
    )
    assert deps.requirements_txt(text) == {
        "fastapi": "FastAPI>=0.110",
        "sqlalchemy": "sqlalchemy[asyncio]>=2.0",
        "pydantic-settings": "Pydantic_Settings",
    }
    assert deps.requirements_txt(text, "3.10.2")["tomli"] == "tomli; python_version < '3.11'"


@pytest.mark.parametrize(
    ("before", "after"),
    [("", "alembic>=1.13\nasyncpg\n"),
     ("fastapi", "fastapi\nalembic>=1.13\nasyncpg\n"),
     ("fastapi\r\n", "fastapi\r\nalembic>=1.13\r\nasyncpg\r\n")],
)  # fmt: skip
def test_append_requirements_keeps_the_file_and_its_line_endings(before: str, after: str) -> None:
    assert deps.append_requirements(before, ["alembic>=1.13", "asyncpg"]) == after
