"""Bad input: a one-line error naming the file, a non-zero exit, every file as it was."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from conftest import APP_MODELS as MODELS
from conftest import APP_SETTINGS as SETTINGS
from conftest import alembic, copy_project, tree_hash, wizard
from wizard.apply import apply
from wizard.change import Change
from wizard.errors import ApplyFailed, StaleFile

# A password with every character that breaks something: '%' (configparser), '@' ':' '/' (URL
# parsing), '#' (comments), a space. None of its spellings may ever be printed.
PASSWORD = "S3cr3t%40p@ss:w/rd#1 x"
ENCODED = quote(PASSWORD, safe="")
URL = f"postgresql+asyncpg://app:{ENCODED}@127.0.0.1:5432/shop"
LEAKS = (PASSWORD, ENCODED, ENCODED.replace("%", "%%"), quote_plus(PASSWORD, safe=""),
         "S3cr3t", "p@ss:w", "2540p", "rd%231")  # fmt: skip
BASE = {
    "app/__init__.py": "",
    "app/config.py": SETTINGS,
    "app/models.py": MODELS,
    ".env": f"DATABASE_URL={URL}\n",
}


def _loop(name: str) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        (root / name).unlink(missing_ok=True)
        (root / name).symlink_to(name)

    return make


def _folder_named(name: str) -> Callable[[Path], None]:
    """A folder where a file is expected: reading it fails whoever runs the wizard (chmod
    000 does not stop root, who runs the tests here)."""

    def make(root: Path) -> None:
        (root / name).unlink()
        (root / name).mkdir()
        (root / name / "x").write_text("")

    return make


def _folder_at(name: str) -> Callable[[Path], None]:
    """A folder (holding a file) where Alembic reads a file: alembic.ini, env.py."""

    def make(root: Path) -> None:
        (root / name).mkdir(parents=True)
        (root / name / "x").write_text("")

    return make


def _other_project(root: Path) -> None:
    """Another project's alembic.ini beside this one, which $ALEMBIC_CONFIG names."""
    (root.parent / "outside").mkdir()
    (root.parent / "outside/alembic.ini").write_text("[alembic]\nscript_location = migrations\n")


def _outside(root: Path) -> Path:
    """A folder beside the project holding a file: what a hostile `.alembic-wizard/` aims at
    (the matrix checks it byte for byte too)."""
    outside = root.parent / "outside"
    outside.mkdir(exist_ok=True)
    (outside / "victim.txt").write_text("the user's own file\n")
    return outside


def _link_out(name: str) -> Callable[[Path], None]:
    """`.alembic-wizard/<name>`, a link to the folder (or the file) outside."""

    def make(root: Path) -> None:
        outside = _outside(root)
        (root / ".alembic-wizard" / name).parent.mkdir(parents=True, exist_ok=True)
        target = outside if name in ("tmp", "written") else outside / "victim.txt"
        (root / ".alembic-wizard" / name).symlink_to(target)

    return make


def _cut_short(entry: Callable[[Path, Path], dict[str, object]]) -> Callable[[Path], None]:
    """A committed apply record, cut short, its one entry made from the project and the
    folder outside (the target's hash matches, so the old recovery acted on it)."""

    def make(root: Path) -> None:
        folder = root / RECORD
        folder.mkdir(parents=True)
        (folder / "victim.txt").write_text("echo pwned\n")  # the bytes it would restore
        files = [entry(root, _outside(root))]
        (folder / "manifest.json").write_text(json.dumps({"seq": 1, "files": files}))
        (folder / "journal").write_text("begun\n")

    return make


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


RECORD = ".alembic-wizard/backup-0001-20240101-000000"
SHIPPED = hashlib.sha256(b"echo pwned\n").hexdigest()


def _absolute_tmp(root: Path, outside: Path) -> dict[str, object]:
    """`.env` (its hash matches), with a "temp file" outside that recovery would delete."""
    return {"path": ".env", "backup": "victim.txt", "before": SHIPPED,
            "after": _sha(root / ".env"), "tmp": str(outside / "victim.txt")}  # fmt: skip


def _above(root: Path, outside: Path) -> dict[str, object]:
    """A file above the project (its hash matches), restored from the bytes shipped."""
    return {"path": "../outside/victim.txt", "backup": "victim.txt", "before": SHIPPED,
            "after": _sha(outside / "victim.txt")}  # fmt: skip


@dataclass(frozen=True)
class Bad:
    """One row of the matrix: the project (BASE with `files` changed; None deletes; bytes
    as they are), the arguments, the environment added, what the one error line must say
    (its file and line), and the exit status (1: a verification that failed and put back)."""

    files: dict[str, str | bytes | None] = field(default_factory=dict)
    args: tuple[str, ...] = ()
    says: tuple[str, ...] = ()
    setup: Callable[[Path], None] | None = None
    environ: dict[str, str] = field(default_factory=dict)
    status: int = 2


OTHER_SETTINGS = SETTINGS.replace("class Settings", "class Other").replace("Settings()", "Other()")
MATRIX: dict[str, Bad] = {
    "no models": Bad({"app/models.py": None}, says=("no SQLAlchemy or SQLModel tables found",)),
    "no settings class": Bad(
        {"app/config.py": None}, says=("no settings class with a database URL field",)
    ),
    "settings syntax error": Bad(
        {"app/config.py": SETTINGS + "\ndef broken(:\n"}, says=("app/config.py:11:", "cannot parse")
    ),
    "env line that does not parse": Bad(
        {".env": f"DATABASE_URL={URL}\nthis is not a binding\n"}, says=(".env:2: cannot parse",)
    ),
    "env not UTF-8": Bad({".env": "A=\udcff\n"}, says=(".env:1: not UTF-8",)),
    "env in UTF-16 without a byte order mark": Bad(
        {".env": BASE[".env"].encode("utf-16-le")},
        says=(".env: saved as UTF-16 (little-endian, no byte order mark)", "save it as UTF-8"),
    ),
    "env with a byte order mark inside": Bad(
        {".env": f"APP_NAME=shop\n\ufeffDATABASE_URL={URL}\n"},
        says=(".env:2: a byte order mark (U+FEFF) inside the name DATABASE_URL",),
    ),
    "env whose byte order mark starts its first binding": Bad(
        {".env": f"\ufeffDATABASE_URL={URL}\n"},
        says=(".env:1: starts with a byte order mark (U+FEFF)", "'\\ufeffDATABASE_URL'"),
    ),
    "URL that does not parse": Bad(
        {".env": "DATABASE_URL=not a url\n"}, says=(".env:1: DATABASE_URL is not a database URL",)
    ),
    "sync-only app": Bad(
        {".env": "DATABASE_URL=postgresql+psycopg2://u@h/db\n"}, says=("not async",)
    ),
    "in-memory sqlite": Bad(
        {".env": "DATABASE_URL=sqlite+aiosqlite:///:memory:\n"}, says=("in-memory",)
    ),  # fmt: skip
    "unknown database": Bad(
        {".env": "DATABASE_URL=nosuchdb+aio://u@h/db\n"}, says=("'nosuchdb' database",)
    ),
    "several settings classes": Bad(
        {"app/other.py": OTHER_SETTINGS},
        says=(
            "several settings class candidates",
            "app/config.py:4",
            "app/other.py:4",
            "--settings",
        ),
    ),
    "unknown --settings": Bad(args=("--settings", "app.nope.S"), says=("--settings 'app.nope.S'",)),
    "unknown --dialect": Bad(args=("--dialect", "mysql"), says=("is postgresql, not mysql",)),
    "unknown --sync-driver": Bad(
        args=("--sync-driver", "bogus"), says=("--sync-driver 'bogus' is not one of",)
    ),
    "unknown --mode": Bad(args=("--mode", "bogus"), says=("--mode 'bogus' is not one of",)),
    "unknown --env-file": Bad(args=("--env-file", "nope.env"), says=("--env-file",)),
    "--models that is not a module": Bad(
        args=("--models", "app.nope"), says=("--models 'app.nope' is not a module",)
    ),
    "--migrations outside the project": Bad(
        args=("--migrations", "/elsewhere"), says=("--migrations '/elsewhere' is outside",)
    ),
    "--migrations with ..": Bad(
        args=("--migrations", "../elsewhere"),
        says=("--migrations '../elsewhere': not a folder inside",),
    ),
    "--migrations with a control character": Bad(
        args=("--migrations", "mig\nrations"), says=("cannot be the migrations folder",)
    ),
    "NUL in the URL": Bad(
        {".env": f"DATABASE_URL={URL}\0\n"},
        says=(".env:1: DATABASE_URL holds a control character (\\x00)",),
    ),
    "newline inside the quoted URL": Bad(
        {".env": f'DATABASE_URL="{URL}\n"\n'},
        says=(".env:1: DATABASE_URL holds a control character (\\n)",),
    ),
    "escape character in the URL": Bad(
        {".env": f"DATABASE_URL={URL}\x1b[0m\n"},
        says=(".env:1: DATABASE_URL holds a control character (\\x1b)",),
    ),
    "env_file the settings name is missing": Bad(
        {"app/config.py": SETTINGS.replace('env_file=".env"', 'env_file=".env.local"')},
        says=("app/config.py:4: the settings read .env.local, which does not exist", ".env"),
    ),
    "garbage sync URL already in .env": Bad(
        {".env": f"DATABASE_URL={URL}\nDATABASE_URL_SYNC=garbage\n"},
        says=(".env:2: DATABASE_URL_SYNC is not a database URL",),
    ),
    ".env symlink loop": Bad(setup=_loop(".env"), says=(".env: a symlink that loops",)),
    ".alembic-wizard is a file": Bad(
        {".alembic-wizard": "not a folder\n"}, says=(".alembic-wizard: is a file",)
    ),
    "--python that does not exist": Bad(
        args=("--python", "/nonexistent/python"), says=("/nonexistent/python",)
    ),
    "unreadable settings file": Bad(
        setup=_folder_named("app/config.py"), says=("app/config.py: cannot read this file",)
    ),
    "unreadable model file": Bad(
        setup=_folder_named("app/models.py"), says=("app/models.py: cannot read this file",)
    ),
    ".alembic-wizard/tmp is a link out": Bad(
        setup=_link_out("tmp"), says=(".alembic-wizard/tmp: a symlink, where the wizard keeps",)
    ),
    ".alembic-wizard/.gitignore is a link out": Bad(
        setup=_link_out(".gitignore"), says=(".alembic-wizard/.gitignore: a symlink",)
    ),
    "written copy of env.py is a link out": Bad(
        setup=_link_out("written/migrations/env.py"),
        says=(".alembic-wizard/written/migrations/env.py: a symlink",),
    ),
    "cut-short record with an absolute temp path": Bad(
        setup=_cut_short(_absolute_tmp),
        says=(f"{RECORD}: this apply record cannot be trusted", "its temp file"),
    ),
    "cut-short record naming ../x": Bad(
        setup=_cut_short(_above),
        says=(f"{RECORD}: this apply record cannot be trusted", "`../outside/victim.txt`"),
    ),
    "alembic.ini is a folder": Bad(
        setup=_folder_at("alembic.ini"), says=("alembic.ini: is a folder, where a file",)
    ),
    "pyproject.toml is a folder": Bad(
        setup=_folder_at("pyproject.toml"), says=("pyproject.toml: is a folder, where a file",)
    ),
    "env.py is a folder": Bad(
        {"alembic.ini": "[alembic]\nscript_location = %(here)s/migrations\n"},
        setup=_folder_at("migrations/env.py"),
        says=("migrations/env.py: is a folder, where a file",),
    ),
    "dependencies that is a string": Bad(
        {"pyproject.toml": '[project]\nname = "app"\nversion = "1"\ndependencies = "sqlalchemy"\n'},
        says=("pyproject.toml:4: [project].dependencies is a string, not a list",),
    ),
    "$ALEMBIC_CONFIG naming another project's config": Bad(
        setup=_other_project,
        environ={"ALEMBIC_CONFIG": "../outside/alembic.ini"},
        says=("$ALEMBIC_CONFIG names ", "outside/alembic.ini, outside this project", "unset"),
    ),
    "revision file that does not parse": Bad(
        {
            ".env": "DATABASE_URL=sqlite+aiosqlite:///./app.db\n",
            "alembic.ini": "[alembic]\nscript_location = %(here)s/migrations\n",
            "migrations/versions/0001_init.py": 'revision = "0001"\ndown_revision = None\ndef upgrade(:\n',
        },
        says=(
            "revisions load: migrations/versions/0001_init.py:3: SyntaxError",
            "fix that revision",
        ),
        status=1,  # env.py loads; the files are put back
    ),
    "model module that exits at import": Bad(
        {
            ".env": "DATABASE_URL=sqlite+aiosqlite:///./app.db\n",
            "app/models.py": MODELS + "\nimport os\n\nos._exit(0)\n",
        },
        says=(
            "env.py imports: app.models exited at import (status 0) (app/models.py:14)",
            "app.models must not exit when imported",
        ),
        status=1,
    ),
    "script_location in a package": Bad(
        {"alembic.ini": "[alembic]\nscript_location = app:migrations\n"},
        says=("alembic.ini: script_location 'app:migrations' names a package resource",),
    ),
}


def _build(tmp_path: Path, case: Bad, folder: str = "proj") -> Path:
    root = tmp_path / folder
    for name, text in {**BASE, **case.files}.items():
        if text is None:
            continue
        data = text if isinstance(text, bytes) else text.encode("utf-8", "surrogateescape")
        path = root / os.fsdecode(name.encode("utf-8", "surrogateescape"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    if case.setup is not None:
        case.setup(root)
    return root


def _state(root: Path) -> dict[str, str]:
    """tree_hash, and where a symlink loops, the link itself."""
    links = {p.name: str(p.readlink()) for p in root.iterdir() if p.is_symlink()}
    return {**tree_hash(root), **{f"link:{k}": v for k, v in links.items()}}


@pytest.mark.parametrize("name", list(MATRIX))
def test_bad_input_matrix(tmp_path: Path, name: str) -> None:
    """Each bad input: exit 2, one `error:` line naming the file (and line), no traceback,
    every file byte-identical, and no spelling of the password anywhere in the output."""
    case = MATRIX[name]
    root = _build(tmp_path, case)
    before, beside = _state(root), tree_hash(tmp_path / "outside")
    done = wizard("--yes", *case.args, cwd=root, env={**os.environ, **case.environ})
    output = done.stdout + done.stderr
    assert done.returncode == case.status, output
    errors = [ln for ln in done.stderr.splitlines() if ln.startswith("error:")]
    if case.status == 1:  # verification failed, every file put back: its one FAILED line
        errors = [ln.strip() for ln in done.stdout.splitlines() if " FAILED " in ln]
    assert len(errors) == 1 and "Traceback" not in output, output
    assert case.says[0] in errors[0], errors[0]  # what and where, on the error line
    told = done.stderr if case.status == 2 else done.stdout  # a rung's fix is in the report
    for fragment in case.says[1:]:
        assert fragment in told, told  # the error line or its hint
    now = _state(root)
    if case.status == 1:  # the record of the run put back stays in .alembic-wizard/
        now = {k: v for k, v in now.items() if not k.startswith(".alembic-wizard/")}
    assert now == before and tree_hash(tmp_path / "outside") == beside
    assert not [leak for leak in LEAKS if leak in output], output


LITE = "DATABASE_URL=sqlite+aiosqlite:///./app.db\n"
LITE_AFTER = LITE + "DATABASE_URL_SYNC=sqlite:///./app.db\n"
FIELD = "    database_url: str\n"
DEFAULTS = "[DEFAULT]\nmig = migrations\n\n"
INI_KEYS = "[alembic]\nprepend_sys_path = .\npath_separator = os\n"  # what setup adds
SETTINGS_AFTER = SETTINGS.replace(FIELD, FIELD + "    database_url_sync: str | None = None\n")


@dataclass(frozen=True)
class Valid:
    """A valid project the wizard once refused: BASE on SQLite with `files` changed, in the
    folder `folder`; `after`: files byte for byte once set up, besides the field in
    app/config.py and the sync URL in .env (every other file that was there is unchanged);
    `holds`: lines a file holds once set up; `says`: in the output."""

    files: dict[str, str | bytes | None] = field(default_factory=dict)
    after: dict[str, bytes] = field(default_factory=dict)
    holds: dict[str, tuple[str, ...]] = field(default_factory=dict)
    says: tuple[str, ...] = ()
    folder: str = "proj"


VALID: dict[str, Valid] = {
    "settings module saved with a byte order mark": Valid(
        {"app/config.py": "\ufeff" + SETTINGS},
        after={"app/config.py": ("\ufeff" + SETTINGS_AFTER).encode()},
    ),
    "project folder with a % in its name": Valid(
        folder="my%20project",  # Alembic puts it into %(here)s unescaped: relative, no hooks
        holds={"alembic.ini": ("script_location = migrations",)},
    ),
    "its alembic.ini naming %(here)s, in a folder with a %": Valid(
        {"alembic.ini": "[alembic]\nscript_location = %(here)s/migrations\n"},
        folder="my%20project",
        after={"alembic.ini": INI_KEYS.encode() + b"script_location = migrations\n"},
    ),
    "[DEFAULT] value in script_location": Valid(
        {"alembic.ini": DEFAULTS + "[alembic]\nscript_location = %(here)s/%(mig)s\n"},
        after={
            "alembic.ini": (DEFAULTS + INI_KEYS + "script_location = %(here)s/%(mig)s\n").encode()
        },
        holds={"migrations/env.py": ()},
    ),
    "model file whose name is not UTF-8": Valid(
        {"app/m\udce9dels.py": MODELS.replace('"items"', '"others"')},
        says=("skip  app/m\\xe9dels.py (its name is not UTF-8: no import can name it)",),
    ),
    "env with a byte order mark before a comment": Valid(
        {".env": "\ufeff# the app's settings\n" + LITE},
        after={".env": ("\ufeff# the app's settings\n" + LITE_AFTER).encode()},
    ),
}


@pytest.mark.parametrize("name", list(VALID))
def test_valid_projects_are_set_up(tmp_path: Path, name: str) -> None:
    """Each valid project: exit 0, no error, verified (env.py imports the app), the files it
    edits byte for byte, every other file as it was."""
    case = VALID[name]
    root = _build(tmp_path, Bad({".env": LITE, **case.files}), case.folder)
    before = tree_hash(root)
    done = wizard("--yes", cwd=root)
    output = done.stdout + done.stderr
    assert done.returncode == 0 and "error:" not in output and "Traceback" not in output, output
    assert "ok  env.py imports" in done.stdout, output
    for fragment in case.says:
        assert fragment in output, output
    after = {"app/config.py": SETTINGS_AFTER.encode(), ".env": LITE_AFTER.encode(), **case.after}
    for name_, lines in case.holds.items():
        assert set(lines) <= set((root / name_).read_text().splitlines()), name_
    alembic("current", cwd=root)  # and Alembic itself reads the setup
    assert {k: (root / k).read_bytes() for k in after} == after
    now = tree_hash(root)
    assert {k: now.get(k) for k in before if k not in after} == {
        k: v for k, v in before.items() if k not in after
    }


def _project(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "proj"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def _fails(project: Path, *args: str) -> str:
    before = tree_hash(project)
    done = wizard("--yes", *args, cwd=project)
    assert done.returncode == 2, done.stderr + done.stdout
    assert len([ln for ln in done.stderr.splitlines() if ln.startswith("error:")]) == 1
    assert "Traceback" not in done.stderr
    assert tree_hash(project) == before
    return done.stderr


def test_no_models(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/config.py": SETTINGS,
            ".env": "DATABASE_URL=sqlite+aiosqlite:///./x.db\n",
        },
    )
    assert "no SQLAlchemy or SQLModel tables found" in _fails(project)


def test_no_settings_class(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/models.py": MODELS,
            ".env": "DATABASE_URL=sqlite+aiosqlite:///./x.db\n",
        },
    )
    err = _fails(project)
    assert "no settings class with a database URL field" in err and str(project) in err


def test_settings_file_with_a_syntax_error(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    settings = project / "src/notes/settings.py"
    settings.write_text(settings.read_text() + "\ndef broken(:\n")
    err = _fails(project)
    assert "src/notes/settings.py:" in err and "cannot parse" in err


def test_unparsable_env_line(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    env = project / ".env"
    env.write_text(env.read_text() + "this is not a binding\n")
    lines = env.read_text().count("\n")
    assert f".env:{lines}: cannot parse" in _fails(project)


def test_several_settings_classes_and_yes(tmp_path: Path) -> None:
    other = SETTINGS.replace("class Settings", "class Other").replace("Settings()", "Other()")
    project = _project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/models.py": MODELS,
            "app/config.py": SETTINGS,
            "app/other.py": other,
            ".env": "DATABASE_URL=sqlite+aiosqlite:///./x.db\n",
        },
    )
    err = _fails(project)
    assert "several settings class candidates" in err and "--settings" in err


def test_sync_only_project_is_not_for_us(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/models.py": MODELS,
            "app/config.py": SETTINGS,
            ".env": "DATABASE_URL=postgresql+psycopg2://u@h/db\n",
        },
    )
    assert "not async" in _fails(project)


def test_memory_sqlite_is_refused(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/models.py": MODELS,
            "app/config.py": SETTINGS,
            ".env": "DATABASE_URL=sqlite+aiosqlite:///:memory:\n",
        },
    )
    assert "in-memory" in _fails(project)


def test_a_file_edited_after_planning_is_refused(tmp_path: Path) -> None:
    target = tmp_path / ".env"
    target.write_text("A=1\n")
    change = Change(target, "A=1\n", "A=1\nB=2\n", "test")
    target.write_text("A=2\n")  # the user edits it in the meantime
    with pytest.raises(StaleFile):
        apply([change], tmp_path)
    assert target.read_text() == "A=2\n"
    assert not (tmp_path / ".alembic-wizard").exists()


def test_failure_midway_puts_everything_back(tmp_path: Path) -> None:
    first = tmp_path / "a.txt"
    first.write_bytes(b"original\r\nbytes")
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder must go")
    changes = [
        Change(first, "original\r\nbytes", "new", "test"),
        Change(tmp_path / "new_dir/created.txt", None, "x", "test"),
        Change(blocker / "env.py", None, "x", "test"),  # cannot be written
    ]
    with pytest.raises(ApplyFailed):
        apply(changes, tmp_path)
    assert first.read_bytes() == b"original\r\nbytes"
    assert not (tmp_path / "new_dir").exists()
    assert blocker.read_text() == "a file where a folder must go"


def test_failed_apply_leaves_no_backup_folder_behind(tmp_path: Path) -> None:
    first = tmp_path / "a.txt"
    first.write_text("x")
    changes = [Change(first, "x", "y", "t"), Change(first / "no/such", None, "x", "t")]
    with pytest.raises(ApplyFailed):
        apply(changes, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_backups_keep_the_mode_and_files_outside_the_project(tmp_path: Path) -> None:
    top = tmp_path / "backend"
    top.mkdir()
    env = tmp_path / ".env"  # ../.env, beside the project folder
    env.write_text("A=1\n")
    env.chmod(0o600)
    backups = apply([Change(env, "A=1\n", "A=1\nB=2\n", "t")], top)
    assert backups is not None
    (saved,) = [p for p in backups.rglob(".env")]
    assert saved.read_text() == "A=1\n" and (saved.stat().st_mode & 0o777) == 0o600
    assert (env.stat().st_mode & 0o777) == 0o600 and env.read_text() == "A=1\nB=2\n"


def test_script_location_in_a_package_is_refused(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/models.py": MODELS,
            "app/config.py": SETTINGS,
            ".env": "DATABASE_URL=sqlite+aiosqlite:///./x.db\n",
            "alembic.ini": "[alembic]\nscript_location = app:migrations\n",
        },
    )
    err = _fails(project)
    assert "alembic.ini: script_location 'app:migrations' names a package resource" in err


def _sqlite_project(tmp_path: Path) -> Path:
    return _build(tmp_path, Bad({".env": "DATABASE_URL=sqlite+aiosqlite:///./app.db\n"}))


def test_a_minimal_alembic_ini_works_end_to_end(tmp_path: Path) -> None:
    """`[alembic]` alone is valid for Alembic: env.py configures logging only where the ini
    has logging sections (fileConfig raised KeyError: 'formatters')."""
    root = _sqlite_project(tmp_path)
    (root / "alembic.ini").write_text("[alembic]\nscript_location = migrations\n")
    done = wizard("--yes", "--offline", cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "[formatters]" not in (root / "alembic.ini").read_text()
    alembic("revision", "--autogenerate", "-m", "init", cwd=root)
    alembic("upgrade", "head", cwd=root)
    import sqlite3

    with sqlite3.connect(root / "app.db") as db:
        tables = {r[0] for r in db.execute("select name from sqlite_master where type='table'")}
    assert "items" in tables


def test_an_absolute_migrations_folder_inside_the_project_is_used(tmp_path: Path) -> None:
    root = _sqlite_project(tmp_path)
    done = wizard("--yes", "--no-verify", "--migrations", str(root / "db/migrations"), cwd=root)
    assert done.returncode == 0, done.stderr
    assert (root / "db/migrations/env.py").is_file() and not (root / str(root)[1:]).exists()


def test_an_env_file_named_on_purpose_is_edited(tmp_path: Path) -> None:
    """The settings name .env.local (missing); `--env-file .env` says the app loads .env
    another way (docker compose): then it is edited."""
    case = Bad({"app/config.py": SETTINGS.replace('env_file=".env"', 'env_file=".env.local"')})
    root = _build(tmp_path, case)
    done = wizard("--yes", "--no-verify", "--env-file", ".env", cwd=root)
    assert done.returncode == 0, done.stderr
    assert "DATABASE_URL_SYNC=" in (root / ".env").read_text()


def test_a_symlinked_package_folder_is_followed(tmp_path: Path) -> None:
    elsewhere = tmp_path / "shared/app"
    elsewhere.mkdir(parents=True)
    for name in ("__init__.py", "config.py", "models.py"):
        (elsewhere / name).write_text(BASE[f"app/{name}"])
    (elsewhere / "again").symlink_to(elsewhere.parent)  # a loop back up: not followed twice
    root = tmp_path / "proj"
    root.mkdir()
    (root / ".env").write_text(BASE[".env"])
    (root / "app").symlink_to(elsewhere)
    (root / "self").symlink_to(root)  # a loop: not followed
    done = wizard("inspect", cwd=root)
    assert done.returncode == 0, done.stderr
    assert "app.models.Base.metadata (1 tables)" in done.stdout


def test_closed_stdin_is_no_traceback(tmp_path: Path) -> None:
    """`alembic-wizard <&-`: Python gives sys.stdin = None; that is not a terminal."""
    import subprocess
    import sys

    root = _sqlite_project(tmp_path)
    done = subprocess.run(
        ["sh", "-c", 'exec "$0" -m wizard --no-color --dry-run <&-', sys.executable],
        cwd=root, capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)},
    )  # fmt: skip
    assert "Traceback" not in done.stderr and "isatty" not in done.stderr, done.stderr
    assert done.returncode == 2 and "no terminal to ask" in done.stderr, done.stderr


def test_a_read_only_project_folder_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Root writes anywhere, so the folder's permission is what os.access answers here; as
    another user the real chmod below runs too."""
    root = _sqlite_project(tmp_path)
    before = _state(root)
    real_access = os.access
    monkeypatch.setattr(
        "wizard.inspection.access.os.access",
        lambda p, mode: False if Path(p) == root else real_access(p, mode),
    )
    done = wizard("--yes", "--no-verify", cwd=root)
    assert done.returncode == 2, done.stderr
    assert f"error: {root}: the folder is not writable" in done.stderr.replace(
        "error: .:", f"error: {root}:"
    )
    assert _state(root) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_a_read_only_folder_and_an_unreadable_file_for_real(tmp_path: Path) -> None:
    root = _sqlite_project(tmp_path)
    (root / "app/config.py").chmod(0)
    done = wizard("--yes", "--no-verify", cwd=root)
    assert done.returncode == 2 and "app/config.py: cannot read this file" in done.stderr
    (root / "app/config.py").chmod(0o644)
    before = _state(root)
    root.chmod(0o555)
    try:
        done = wizard("--yes", "--no-verify", cwd=root)
    finally:
        root.chmod(0o755)
    assert done.returncode == 2 and "the folder is not writable" in done.stderr
    assert _state(root) == before


def test_a_server_refusing_the_login_is_said_to_refuse(tmp_path: Path, mysql_database: str) -> None:
    """`guard --rails naming` with a password MariaDB refuses: the convention falls back to
    SQLAlchemy's, saying the server refused (it answered), the password never shown."""
    url = f"mysql+aiomysql://root:Wr0ngPass%40x@127.0.0.1:3306/{mysql_database}"
    root = _build(tmp_path, Bad({".env": f"DATABASE_URL={url}\n"}))
    assert wizard("--yes", "--no-verify", cwd=root).returncode == 0
    models = (root / "app/models.py").read_bytes()
    done = wizard("--yes", "guard", "--rails", "naming", cwd=root)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    (said,) = [ln for ln in done.stderr.splitlines() if ln.startswith("naming convention:")]
    assert "the database refused the connection (" in said and "Access denied" in said, said
    assert "did not answer" not in output and "Wr0ngPass" not in output, output
    assert (root / "app/models.py").read_bytes() != models  # the recommended one, written


def test_an_exported_url_that_differs_from_the_env_file_is_named(
    tmp_path: Path, pg_database: str
) -> None:
    """$DATABASE_URL exported for another database: the app's settings read it before .env,
    the sync URL came from .env, so the two differ; the fix names the variable and why."""
    base = "postgresql+asyncpg://postgres@127.0.0.1:5432"
    root = _build(tmp_path, Bad({".env": f"DATABASE_URL={base}/{pg_database}\n"}))
    done = wizard("--yes", cwd=root, env={**os.environ, "DATABASE_URL": f"{base}/postgres"})
    output = done.stdout + done.stderr
    assert done.returncode == 1 and "error:" not in output, output
    (failed,) = [ln.strip() for ln in done.stdout.splitlines() if " FAILED " in ln]
    assert failed.startswith("FAILED  same database: the sync and async URLs reach"), failed
    assert (
        "fix: $DATABASE_URL is set in this shell and differs from .env:1; the app reads the "
        "environment first, and DATABASE_URL_SYNC came from the file: unset DATABASE_URL"
    ) in done.stdout, done.stdout
    sync = f"DATABASE_URL_SYNC=postgresql+psycopg://postgres@127.0.0.1:5432/{pg_database}\n"
    assert (root / ".env").read_text() == f"DATABASE_URL={base}/{pg_database}\n{sync}"
