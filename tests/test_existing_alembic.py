"""Existing Alembic setups, on fixture projects: `[tool.alembic]` in pyproject.toml (no second
`[alembic]` section, no second script folder), an alembic.ini in a sub-folder, `versions/`
never touched, the user's script.py.mako and env.py hooks kept. Each case: the wizard
(`--yes`, in-process), then real Alembic in a subprocess, a second run that plans nothing,
and `doctor` on the result."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import tomlkit

from conftest import FIXTURES, alembic, copy_project, tree_hash, wizard
from wizard.edits import iniedit

SQLITE_APP_TABLES = {"note", "notebook", "tag", "notetaglink"}
STATUS = re.compile(r"^\s*(create|modify|identical)  (\S+)(?:  \+\d+ -\d+)?$", re.M)


def _setup(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = wizard("--yes", "--no-db", *args, cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def _actions(done: subprocess.CompletedProcess[str]) -> dict[str, str]:
    return {path: action for action, path in STATUS.findall(done.stderr)}


def _second_run_changes_nothing(project: Path, *args: str) -> None:
    before = tree_hash(project)
    done = _setup(project, *args)
    assert set(_actions(done).values()) == {"identical"}, done.stderr
    assert "nothing to change" in done.stderr
    assert tree_hash(project) == before


def _healthy(project: Path) -> None:
    done = wizard("doctor", cwd=project)
    assert (done.returncode, done.stdout.strip()) == (0, "healthy: no findings"), done.stdout


def _versions(project: Path, folder: str) -> dict[str, str]:
    return tree_hash(project / folder / "versions")


def _created_tables(script: Path) -> set[str]:
    return set(re.findall(r"op\.create_table\(\s*'(\w+)'", script.read_text()))


def test_tool_alembic_is_repaired_in_place(tmp_path: Path) -> None:
    project = copy_project("alembic_pyproject", tmp_path)
    versions = _versions(project, "db/migrations")
    done = _setup(project, "--mode", "sync")
    assert _actions(done) == {
        ".env": "modify",
        "kitchen/config.py": "modify",
        "db/migrations/env.py": "modify",
        "pyproject.toml": "modify",
        "db/migrations/script.py.mako": "identical",
        ".gitignore": "modify",
    }
    assert not (project / "alembic.ini").exists() and not (project / "migrations").exists()
    original = (FIXTURES / "alembic_pyproject/pyproject.toml").read_text()
    pyproject = (project / "pyproject.toml").read_text()
    assert pyproject.startswith(original), "[tool.alembic] and its comment kept byte for byte"
    alembic_table = tomlkit.parse(pyproject).unwrap()["tool"]["alembic"]
    assert alembic_table["script_location"] == "%(here)s/db/migrations"
    assert alembic_table["prepend_sys_path"] == ["."]
    env_py = (project / "db/migrations/env.py").read_text()
    assert "create_engine(get_url(), poolclass=pool.NullPool)" in env_py
    assert "set_main_option(" not in env_py and "render_as_batch=True" in env_py
    assert _versions(project, "db/migrations") == versions

    assert alembic("heads", cwd=project).stdout.strip() == "3f2a9c1d7b10 (head)"
    sql = alembic("upgrade", "head", "--sql", cwd=project).stdout
    assert "CREATE TABLE recipes" in sql and "CREATE TABLE ingredients" in sql
    alembic("upgrade", "head", cwd=project)
    alembic("check", cwd=project)  # the models match the history: nothing to autogenerate
    _second_run_changes_nothing(project, "--mode", "sync")
    _healthy(project)


def test_alembic_init_pyproject_template(tmp_path: Path) -> None:
    """Alembic's own `init -t pyproject`: [tool.alembic] for the paths, an alembic.ini for
    the URL and logging only."""
    project = copy_project("sqlite_app", tmp_path)
    alembic("init", "-t", "pyproject", "migrations", cwd=project)
    ini_before = (project / "alembic.ini").read_text()
    mako_before = (project / "migrations/script.py.mako").read_text()
    done = _setup(project)
    actions = _actions(done)
    assert actions["alembic.ini"] == "modify"
    # `alembic init` leaves versions/ empty, a folder git does not keep: only its .gitkeep
    assert [p for p, a in actions.items() if a == "create"] == ["migrations/versions/.gitkeep"]
    ini = (project / "alembic.ini").read_text()  # logging kept, the URL gone, nothing added
    assert ini == ini_before.replace("sqlalchemy.url = driver://user:pass@localhost/dbname\n", "")
    pyproject = (project / "pyproject.toml").read_text()
    assert 'prepend_sys_path = [\n    ".",\n    "src"\n]' in pyproject  # its layout kept
    assert '"alembic>=1.16",' in pyproject  # the version that reads [tool.alembic]
    mako = (project / "migrations/script.py.mako").read_text()
    assert mako == mako_before.replace("import sqlalchemy as sa\n", "import sqlalchemy as sa\n"
                                       "import sqlmodel\n")  # fmt: skip

    alembic("revision", "--autogenerate", "-m", "create tables", cwd=project)
    (script,) = (project / "migrations/versions").glob("*.py")
    assert _created_tables(script) == SQLITE_APP_TABLES
    alembic("upgrade", "head", cwd=project)
    _second_run_changes_nothing(project)
    _healthy(project)


def test_alembic_ini_in_a_subfolder(tmp_path: Path) -> None:
    project = copy_project("alembic_subdir", tmp_path)
    versions = _versions(project, "db/alembic")
    done = _setup(project)
    actions = _actions(done)
    assert actions["db/alembic.ini"] == "modify" and actions["db/alembic/env.py"] == "modify"
    assert actions["db/alembic/script.py.mako"] == "identical"  # the user's own, kept
    assert not (project / "alembic.ini").exists() and not (project / "migrations").exists()
    original_ini = (FIXTURES / "alembic_subdir/db/alembic.ini").read_text()
    assert (project / "db/alembic.ini").read_text() == original_ini.replace(
        "sqlalchemy.url = sqlite:///./ledger.db\n", ""
    )
    env_py = (project / "db/alembic/env.py").read_text()
    for kept in ("def include_object(", "def process_revision_directives(",
                 "# tables other tools own: never dropped by autogenerate\nIGNORED_TABLES",
                 "include_schemas=True,", "compare_server_default=True,",
                 "process_revision_directives=process_revision_directives,"):  # fmt: skip
        assert env_py.count(kept) == 1, kept
    assert "alembic -c db/alembic.ini upgrade head" in done.stdout  # where Alembic runs
    assert _versions(project, "db/alembic") == versions

    cfg = ("-c", "db/alembic.ini")
    assert alembic(*cfg, "heads", cwd=project).stdout.strip() == "5b1e2c7a9d40 (head)"
    assert "CREATE TABLE accounts" in alembic(*cfg, "upgrade", "head", "--sql", cwd=project).stdout
    alembic(*cfg, "upgrade", "head", cwd=project)
    alembic(*cfg, "revision", "--autogenerate", "-m", "entries", cwd=project)
    (new,) = set((project / "db/alembic/versions").glob("*.py")) - {
        project / "db/alembic/versions" / name for name in versions
    }
    assert _created_tables(new) == {"entries"}  # accounts exists; include_object still applies
    assert "Reviewed-by:" in new.read_text()  # written from the user's script.py.mako
    alembic(*cfg, "upgrade", "head", cwd=project)
    _second_run_changes_nothing(project)
    _healthy(project)


def test_two_alembic_setups_side_by_side_are_refused(tmp_path: Path) -> None:
    project = copy_project("alembic_subdir", tmp_path)
    (project / "db2").mkdir()
    for path in (project / "db").rglob("*"):
        target = project / "db2" / path.relative_to(project / "db")
        if path.is_dir():
            target.mkdir(exist_ok=True)
        else:
            target.write_bytes(path.read_bytes())
    before = tree_hash(project)
    done = wizard("--yes", "--no-db", cwd=project)
    assert done.returncode == 2
    assert "several Alembic setups: db/alembic.ini, db2/alembic.ini" in done.stderr
    assert tree_hash(project) == before


def test_inspect_names_the_setup_it_found(tmp_path: Path) -> None:
    project = copy_project("alembic_pyproject", tmp_path)
    text = wizard("inspect", cwd=project).stdout
    assert "[tool.alembic]    pyproject.toml" in text and "alembic.ini" not in text
    assert "migrations        db/migrations (3f2a9c1d7b10)" in text
    sub = copy_project("alembic_subdir", tmp_path)
    assert "alembic.ini       db/alembic.ini" in wizard("inspect", cwd=sub).stdout


def test_a_script_location_of_a_containers_absolute_path(tmp_path: Path) -> None:
    """`script_location = /app/db/alembic/` (where a Dockerfile copies the project), which
    is no folder here: the project's own db/alembic is the migrations folder, and the
    setting becomes `%(here)s/alembic`, which holds in the container and here."""
    project = copy_project("alembic_subdir", tmp_path)
    ini = project / "db/alembic.ini"
    ini.write_text(ini.read_text().replace("%(here)s/alembic", "/app/db/alembic/"))
    versions = _versions(project, "db/alembic")
    done = _setup(project)
    assert _actions(done)["db/alembic/env.py"] == "modify"
    assert "script_location = %(here)s/alembic\n" in ini.read_text()
    assert not (project / "migrations").exists()
    assert _versions(project, "db/alembic") == versions
    cfg = ("-c", "db/alembic.ini")
    assert alembic(*cfg, "heads", cwd=project).stdout.strip() == "5b1e2c7a9d40 (head)"
    _second_run_changes_nothing(project)


def _into_the_package(project: Path) -> Path:
    """alembic_subdir rearranged the way a framework's template lays it out (Advanced
    Alchemy's, in litestar-fullstack): the package under src/py, alembic.ini inside the
    migrations folder of the package, beside env.py, and a script_location that names no
    folder (the framework's CLI passes the folder itself)."""
    package = project / "src/py/ledger"
    package.parent.mkdir(parents=True)
    (project / "ledger").rename(package)
    migrations = package / "db/migrations"
    migrations.parent.mkdir()
    (project / "db/alembic").rename(migrations)
    ini = (project / "db/alembic.ini").read_text()
    (migrations / "alembic.ini").write_text(
        ini.replace("script_location = %(here)s/alembic", "script_location = migrations")
    )
    (project / "db/alembic.ini").unlink()
    (project / "db").rmdir()
    return migrations


def test_an_alembic_ini_beside_env_py_inside_the_apps_package(tmp_path: Path) -> None:
    """src/py/ledger/db/migrations/alembic.ini, deeper than a sub-folder of the root is
    searched but a few levels below the import root: found, and env.py beside it is the one
    merged (no second alembic.ini and migrations/ in the root); script_location becomes
    `%(here)s`, so plain Alembic with -c finds the scripts too."""
    project = copy_project("alembic_subdir", tmp_path)
    migrations = _into_the_package(project)
    versions = _versions(project, "src/py/ledger/db/migrations")
    text = wizard("inspect", cwd=project).stdout
    assert "alembic.ini       src/py/ledger/db/migrations/alembic.ini" in text
    assert "migrations        src/py/ledger/db/migrations (5b1e2c7a9d40)" in text
    done = _setup(project)
    actions = _actions(done)
    ini_path = "src/py/ledger/db/migrations/alembic.ini"
    assert actions[ini_path] == "modify"
    assert actions["src/py/ledger/db/migrations/env.py"] == "modify"
    assert not (project / "alembic.ini").exists() and not (project / "migrations").exists()
    ini = (migrations / "alembic.ini").read_text()
    assert "script_location = %(here)s\n" in ini
    assert "src/py" in iniedit.value(ini, "prepend_sys_path").split()
    env_py = (migrations / "env.py").read_text()
    assert env_py.count("def include_object(") == 1  # the user's hook kept
    assert f"alembic -c {ini_path} upgrade head" in done.stdout
    assert _versions(project, "src/py/ledger/db/migrations") == versions

    cfg = ("-c", ini_path)
    assert alembic(*cfg, "heads", cwd=project).stdout.strip() == "5b1e2c7a9d40 (head)"
    alembic(*cfg, "upgrade", "head", cwd=project)
    alembic(*cfg, "revision", "--autogenerate", "-m", "entries", cwd=project)
    _second_run_changes_nothing(project)
