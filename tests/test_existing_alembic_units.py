"""Existing Alembic setups, in-process: the [tool.alembic] and script.py.mako editors (each
case with its no-op twin), prepend_sys_path merging, script_location resolution, the user's
hooks carried through env.py, the planner on [tool.alembic] projects built in memory (it
reads no file, its second plan is empty), and doctor on the same setups."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import tomlkit
from test_plan import _guard

from conftest import copy_project, wizard
from memory_project import ROOT, after_apply, memory_answers, memory_project, memory_target
from wizard.edits import envmerge, iniedit, makoedit, tomledit
from wizard.inspection.alembic_config import ini_candidates, resolve
from wizard.inspection.alembic_setup import AlembicSetup
from wizard.inspection.project import Project
from wizard.plan import build
from wizard.plan.migrations import mako_change
from wizard.plan.render import render

URL = "postgresql+asyncpg://shop:pw@db:5432/shop"
MANAGED: dict[str, str | list[str]] = {
    "script_location": "%(here)s/migrations",
    "prepend_sys_path": [".", "src"],
}

# --- [tool.alembic]: tomledit.update --------------------------------------------------------

TOML_CASES = [
    pytest.param(
        '[project]\nname = "x"\n\n[tool.alembic]\n# where the revisions live\n'
        'script_location = "%(here)s/db"\nprepend_sys_path = ["."]  # the app\n\n'
        "[tool.ruff]\nline-length = 100\n",
        '[project]\nname = "x"\n\n[tool.alembic]\n# where the revisions live\n'
        'script_location = "%(here)s/migrations"\nprepend_sys_path = [".", "src"]  # the app\n\n'
        "[tool.ruff]\nline-length = 100\n",
        id="values-set-comments-kept",
    ),
    pytest.param(
        '[tool.alembic]\nscript_location = "%(here)s/migrations"\nprepend_sys_path = [\n'
        '    "."\n]\nfile_template = "%%(rev)s_%%(slug)s"\n',
        '[tool.alembic]\nscript_location = "%(here)s/migrations"\nprepend_sys_path = [\n'
        '    ".",\n    "src"\n]\nfile_template = "%%(rev)s_%%(slug)s"\n',
        id="multi-line-list-grows-in-place",
    ),
    pytest.param(
        '[tool.alembic]\nscript_location = "%(here)s/migrations"\nprepend_sys_path = "."\n',
        '[tool.alembic]\nscript_location = "%(here)s/migrations"\nprepend_sys_path = [".", "src"]\n',
        id="a-string-becomes-a-list",
    ),
    pytest.param(
        '[tool.alembic]\n"sqlalchemy.url" = "postgresql://u:secret@h/db"\n'
        'script_location = "%(here)s/migrations"\nprepend_sys_path = [".", "src"]\n',
        '[tool.alembic]\nscript_location = "%(here)s/migrations"\nprepend_sys_path = [".", "src"]\n',
        id="quoted-url-key-dropped",
    ),
    pytest.param(
        '[tool.alembic]\nsqlalchemy.url = "postgresql://u:secret@h/db"\n'
        'script_location = "%(here)s/migrations"\nprepend_sys_path = [".", "src"]\n',
        '[tool.alembic]\nscript_location = "%(here)s/migrations"\nprepend_sys_path = [".", "src"]\n',
        id="dotted-url-key-dropped",
    ),
    pytest.param(
        '[project]\r\nname = "x"\r\n',
        '[project]\r\nname = "x"\r\n\r\n[tool.alembic]\r\nscript_location = "%(here)s/migrations"'
        '\r\nprepend_sys_path = [".", "src"]\r\n',
        id="table-made-crlf-kept",
    ),
    pytest.param(
        '[project]\nname = "x"\n\n[tool.ruff]\nline-length = 100\n',
        '[project]\nname = "x"\n\n[tool.ruff]\nline-length = 100\n\n[tool.alembic]\n'
        'script_location = "%(here)s/migrations"\nprepend_sys_path = [".", "src"]\n',
        id="table-made-after-other-tools-blank-line-first",
    ),
]


@pytest.mark.parametrize(("before", "after"), TOML_CASES)
def test_tomledit_update(before: str, after: str) -> None:
    assert tomledit.update(before, MANAGED) == after


@pytest.mark.parametrize(("before", "after"), TOML_CASES)
def test_tomledit_update_twin(before: str, after: str) -> None:
    once = tomledit.update(before, MANAGED)
    assert tomledit.update(once, MANAGED) == once
    table = tomledit.table(once)
    assert table is not None and {k: table[k] for k in MANAGED} == MANAGED
    assert tomledit.url(table) is None


@pytest.mark.parametrize(
    ("theirs", "ours", "expected"),
    [
        pytest.param(None, ".", ["."], id="none"),
        pytest.param(["."], ".", ["."], id="same"),
        pytest.param(["%(here)s"], ".", ["%(here)s"], id="here-is-the-root"),
        pytest.param(["%(here)s/src"], "src", ["%(here)s/src"], id="here-src"),
        pytest.param(["./src", "lib"], "src", ["./src", "lib"], id="dot-slash"),
        pytest.param(["lib"], "src", ["lib", "src"], id="theirs-kept-ours-added"),
        pytest.param(". lib", "src", [".", "lib", "src"], id="string-split"),
    ],
)
def test_tomledit_merged_paths(theirs: object, ours: str, expected: list[str]) -> None:
    assert tomledit.merged_paths(theirs, ours) == expected


# --- alembic.ini: prepend_sys_path on its own separator; no [alembic] made for nothing -------


@pytest.mark.parametrize(
    ("theirs", "separator", "here", "expected"),
    [
        pytest.param("src:lib", ":", ".", ("src:lib:.", ":"), id="colon-kept"),
        pytest.param("src;lib", ";", ".", ("src;lib;.", ";"), id="semicolon-kept"),
        pytest.param("src", "os", ".", ("src .", "space"), id="os-becomes-space"),
        pytest.param(". vendor", "space", ".", (". vendor", "space"), id="space-kept"),
        pytest.param("%(here)s/..", "os", "db", ("%(here)s/..", "os"), id="here-of-a-subfolder"),
        pytest.param("..", None, "db", (".. .", "space"), id="relative-to-the-root"),
    ],
)
def test_iniedit_merged_paths_separators(
    theirs: str, separator: str | None, here: str, expected: tuple[str, str]
) -> None:
    assert iniedit.merged_paths(theirs, ".", separator, here) == expected


def test_iniedit_update_without_alembic_section_adds_none_when_nothing_is_missing() -> None:
    logging_only = "[loggers]\nkeys = root\n"
    assert iniedit.update(logging_only, {}) == logging_only
    assert iniedit.update("[alembic]\nsqlalchemy.url = x\n\n" + logging_only, {}) == (
        "[alembic]\n\n" + logging_only
    )


# --- script.py.mako: makoedit.add_import ----------------------------------------------------

ALEMBIC_MAKO = render("script.py.mako", sqlmodel=False).split("\n", 1)[1]  # without our mark

MAKO_CASES = [
    pytest.param(
        ALEMBIC_MAKO,
        ALEMBIC_MAKO.replace(
            "import sqlalchemy as sa\n", "import sqlalchemy as sa\nimport sqlmodel\n"
        ),
        id="after-import-sqlalchemy",
    ),
    pytest.param(
        "from alembic import op\nimport sqlalchemy as sa\r\n${imports}\r\n",
        "from alembic import op\nimport sqlalchemy as sa\r\nimport sqlmodel\r\n${imports}\r\n",
        id="crlf",
    ),
    pytest.param(
        "from alembic import op\nfrom sqlalchemy import Column\n\n${upgrades}",
        "from alembic import op\nfrom sqlalchemy import Column\nimport sqlmodel\n\n${upgrades}",
        id="after-the-last-import",
    ),
    pytest.param(
        "from alembic import op", "from alembic import op\nimport sqlmodel\n", id="no-eol"
    ),
    pytest.param("${upgrades}\n", "${upgrades}\n", id="no-import-to-follow"),
]


@pytest.mark.parametrize(("before", "after"), MAKO_CASES)
def test_makoedit_add_import(before: str, after: str) -> None:
    assert makoedit.add_import(before, "import sqlmodel") == after
    assert makoedit.add_import(after, "import sqlmodel") == after  # the no-op twin


# --- script_location: alembic_config.resolve (no disk: the first candidate is returned) ------

ROOT_DIR, DB = Path("/p"), Path("/p/db")


@pytest.mark.parametrize(
    ("location", "here", "expected"),
    [
        pytest.param("%(here)s/migrations", ROOT_DIR, [Path("/p/migrations")], id="here"),
        pytest.param("%(here)s/../migrations", DB, [Path("/p/migrations")], id="here-up"),
        pytest.param("%(here)s", DB, [DB], id="here-itself"),
        pytest.param("alembic", DB, [Path("/p/alembic"), Path("/p/db/alembic")], id="relative"),
        pytest.param("/srv/m", DB, [Path("/srv/m")], id="absolute"),
        pytest.param("myapp:migrations", DB, [], id="package-resource"),
        pytest.param(None, DB, [], id="none"),
    ],
)
def test_resolve_script_location(location: str | None, here: Path, expected: list[Path]) -> None:
    assert resolve(location, here, ROOT_DIR) == expected


# --- env.py: the user's hooks and options carried -------------------------------------------

USER_ENV = """from logging.config import fileConfig

from alembic import context
from sqlalchemy import engine_from_config, pool

from shop.db import Base

config = context.config
target_metadata = Base.metadata

# the schemas this app owns (tables elsewhere belong to the reporting team)
OWNED_SCHEMAS = {"public", "billing"}


# skip what other teams own
def include_object(object, name, type_, reflected, compare_to):
    return type_ != "table" or object.schema in OWNED_SCHEMAS


def compare_default(context, inspected_column, metadata_column, inspected_default,
                    metadata_default, rendered_metadata_default):
    return None


def run_migrations_online() -> None:
    connectable = engine_from_config(config.get_section(config.config_ini_section, {}))
    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            include_schemas=True,
            include_object=include_object,
            compare_server_default=compare_default,
        )
        with context.begin_transaction():
            context.run_migrations()
"""


def test_include_schemas_and_compare_server_default_are_carried() -> None:
    parts = envmerge.extract(USER_ENV, {"context", "config", "target_metadata", "Base"})
    assert parts.options == (
        ("include_schemas", "True"),
        ("include_object", "include_object"),
        ("compare_server_default", "compare_default"),
    )
    assert [block.splitlines()[0] for block in parts.code] == [
        "# the schemas this app owns (tables elsewhere belong to the reporting team)",
        "# skip what other teams own",
        "def compare_default(context, inspected_column, metadata_column, inspected_default,",
    ]


def test_compare_server_default_true_is_carried() -> None:
    source = USER_ENV.replace(
        "compare_server_default=compare_default", "compare_server_default=True"
    )
    parts = envmerge.extract(source, {"context", "config", "target_metadata", "Base"})
    assert ("compare_server_default", "True") in parts.options


NESTED_HOOK = """
from alembic import context

config = context.config


def do_run_migrations(connection):
    def process_revision_directives(context, revision, directives):
        # no empty revision
        if config.cmd_opts.autogenerate and directives[0].upgrade_ops.is_empty():
            directives[:] = []

    def tagged(context, revision, directives):
        directives[0].message = connection.info["tag"]

    context.configure(
        connection=connection,
        process_revision_directives=process_revision_directives,
        include_object=tagged,
    )
"""


def test_a_hook_defined_inside_the_configuring_function_is_moved_to_the_top_level() -> None:
    """The new env.py replaces do_run_migrations: a hook written inside it goes to the top
    level (dedented), where the option naming it reaches it; one that reads the function's
    own locals (`connection`) cannot move, and is not carried, nor is its option."""
    parts = envmerge.extract(NESTED_HOOK, {"context", "config"})
    assert parts.options == (("process_revision_directives", "process_revision_directives"),)
    assert parts.code == (
        "def process_revision_directives(context, revision, directives):\n"
        "    # no empty revision\n"
        "    if config.cmd_opts.autogenerate and directives[0].upgrade_ops.is_empty():\n"
        "        directives[:] = []",
    )


# --- the planner on a [tool.alembic] project built in memory --------------------------------

PYPROJECT = (
    '[project]\nname = "shop"\ndependencies = [\n    "sqlalchemy[asyncio]>=2.0",\n]\n\n'
    "[tool.alembic]\n# paths only: the URL comes from the environment\n"
    'script_location = "%(here)s/migrations"\nprepend_sys_path = ["."]\n'
)


def toml_project(pyproject: str = PYPROJECT, **kwargs: str) -> Project:
    """The memory project with its Alembic setup in [tool.alembic] and the user's env.py."""
    env, mako = ROOT / "migrations/env.py", ROOT / "migrations/script.py.mako"
    files: dict[Path, str | None] = {ROOT / "pyproject.toml": pyproject, env: USER_ENV}
    files[mako] = kwargs.get("mako", ALEMBIC_MAKO)
    project = memory_project(URL, files=files)
    setup = AlembicSetup(
        ROOT / "alembic.ini", None, "%(here)s/migrations", USER_ENV, scripts=ROOT / "migrations",
        toml_path=ROOT / "pyproject.toml", toml=tomledit.table(pyproject) or {},
    )  # fmt: skip
    return replace(project, alembic=setup, dirs=frozenset({ROOT / "migrations/versions"}))


def test_plan_for_tool_alembic_reads_no_file_and_writes_no_ini() -> None:
    project = toml_project()
    answers = memory_answers(project)
    target = memory_target(project, answers)
    with pytest.MonkeyPatch.context() as patch:
        _guard(patch)
        plan = build(project, answers, target)
    actions = {c.path.relative_to(ROOT).as_posix(): c.action for c in plan.changes}
    assert actions == {
        ".env": "modify", "shop/config.py": "modify", "migrations/env.py": "modify",
        "pyproject.toml": "modify", "migrations/script.py.mako": "identical",
    }  # fmt: skip
    (pyproject,) = [c for c in plan.changes if c.path.name == "pyproject.toml"]
    assert "[tool.alembic]" + PYPROJECT.split("[tool.alembic]")[1] in pyproject.after  # as it was
    assert '"alembic>=1.16"' in pyproject.after
    env_py = next(c.after for c in plan.changes if c.path.name == "env.py")
    assert "# skip what other teams own\ndef include_object(" in env_py
    assert "include_schemas=True," in env_py and "compare_server_default=compare_default," in env_py
    after = after_apply(project, plan.changes)
    again = build(after, memory_answers(after), target)
    assert [c.path for c in again.pending] == []


def test_plan_repairs_tool_alembic_in_place() -> None:
    broken = PYPROJECT.replace('prepend_sys_path = ["."]', 'prepend_sys_path = "."\n'
                               '"sqlalchemy.url" = "postgresql://shop:pw@db/shop"')  # fmt: skip
    project = toml_project(broken)
    answers = memory_answers(project)
    plan = build(project, answers, memory_target(project, answers))
    (pyproject,) = [c for c in plan.changes if c.path.name == "pyproject.toml"]
    table = tomlkit.parse(pyproject.after).unwrap()["tool"]["alembic"]
    assert table == {"script_location": "%(here)s/migrations", "prepend_sys_path": ["."]}
    assert "Alembic's configuration, without credentials ([tool.alembic]); " in pyproject.why


# --- script.py.mako: the user's kept, ours updated ------------------------------------------

MAKO = ROOT / "migrations/script.py.mako"
WRITTEN_MAKO = ROOT / ".alembic-wizard/written/migrations/script.py.mako"
OURS = render("script.py.mako", sqlmodel=False)
OURS_BEFORE = OURS.replace('"""Upgrade schema."""', '"""Upgrade."""')  # an older template


@pytest.mark.parametrize(
    ("existing", "written", "expected"),
    [
        pytest.param(None, None, OURS, id="none-yet"),
        pytest.param(ALEMBIC_MAKO, None, ALEMBIC_MAKO, id="alembics-own-kept"),
        pytest.param(OURS_BEFORE, OURS_BEFORE, OURS, id="ours-as-written-updated"),
        pytest.param(
            OURS_BEFORE + "# mine\n", OURS_BEFORE, OURS_BEFORE + "# mine\n", id="ours-edited-kept"
        ),  # fmt: skip
        pytest.param(ALEMBIC_MAKO, ALEMBIC_MAKO, ALEMBIC_MAKO, id="repaired-theirs-stays-theirs"),
    ],
)
def test_mako_change(existing: str | None, written: str | None, expected: str) -> None:
    project = memory_project(URL, files={MAKO: existing, WRITTEN_MAKO: written})
    change = mako_change(project, MAKO)
    assert (change.after, change.lost) == (expected, ())


# --- doctor on [tool.alembic] setups --------------------------------------------------------


def _doctor(project: Path) -> str:
    done = wizard("doctor", cwd=project)
    return done.stdout


def test_doctor_script_location_shadowed_by_alembic_ini(tmp_path: Path) -> None:
    project = copy_project("alembic_pyproject", tmp_path)  # what the old wizard left behind
    (project / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s/migrations\n"
                                         "prepend_sys_path = .\npath_separator = os\n")  # fmt: skip
    found = _doctor(project)
    assert "AW121  pyproject.toml:14  [tool.alembic] script_location '%(here)s/db/migrations'" in (
        found
    )


def test_doctor_tool_alembic_string_path_and_url(tmp_path: Path) -> None:
    project = copy_project("alembic_pyproject", tmp_path)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        'prepend_sys_path = ["."]',
        'prepend_sys_path = "."\n"sqlalchemy.url" = "sqlite+aiosqlite:///./k.db?password=x"\n'
        'sqlalchemy.other = 1'))  # fmt: skip
    found = _doctor(project)
    assert "AW105  pyproject.toml:16  prepend_sys_path in [tool.alembic] is not a list" in found
    pyproject.write_text(pyproject.read_text().replace(
        "sqlite+aiosqlite:///./k.db?password=x", "postgresql+psycopg://u:secret@h/db"))  # fmt: skip
    found = _doctor(project)
    assert "AW106  pyproject.toml:17  sqlalchemy.url in [tool.alembic] holds a password" in found
    assert "secret" not in found
    done = wizard("--yes", "--no-db", "--mode", "sync", cwd=project)
    assert done.returncode == 0, done.stderr
    assert tomledit.table(pyproject.read_text()) == {
        "script_location": "%(here)s/db/migrations",
        "file_template": "%%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d-%%(rev)s_%%(slug)s",
        "prepend_sys_path": ["."],
        "sqlalchemy": {"other": 1},
    }
    assert _doctor(project).strip() == "healthy: no findings"


def test_alembic_ini_candidates(tmp_path: Path) -> None:
    for folder in ("db", "deploy/alembic", "tests", "docs/example", ".venv", "a/b/c/d"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "alembic.ini").write_text("[alembic]\n")
    (tmp_path / "alembic.ini").write_text("[alembic]\n")  # the root's own: not a sub-folder
    assert ini_candidates(tmp_path) == [tmp_path / "db/alembic.ini",
                                        tmp_path / "deploy/alembic/alembic.ini"]  # fmt: skip
